"""Cheaper force calls, same answers: the persistent LAMMPS engine (``run 1 pre no``, one
setup per minimisation/MD run) against the re-initialising ``run 0`` route, and the NEB with
one engine per image against one shared engine, on fixed pairs of the example catalog."""

import numpy as np
import pytest

from conftest import require_lammps, small_glass

engine = require_lammps()

from coldglass.landscape.model import BinaryLJ, minimum_image  # noqa: E402
from coldglass.landscape.saddles import neb_path, refine_stationary  # noqa: E402


@pytest.fixture(scope="module")
def quenched():
    m = BinaryLJ(300)
    e = engine.LammpsLJ(m, m.random_positions(4))
    e.minimize(fmax=1e-3)
    return m, e.positions()


def test_persistent_force_calls_equal_the_reinitialising_route(quenched):
    # small moves (no rebuild), moves past half the skin (rebuild), atoms given in other
    # periodic images and a wild jump: energies and forces equal to round-off (1e-12)
    m, x0 = quenched
    fast = engine.LammpsLJ(m, x0)
    ref = engine.LammpsLJ(m, x0, persistent=False)
    rng = np.random.default_rng(2)
    for k, s in enumerate([1e-3] * 8 + [0.2, 1e-3, 1.5, 1e-3]):
        x = x0 + rng.normal(0.0, s, x0.shape)
        if k == 4:
            x = x + m.box_length * rng.integers(-1, 2, x.shape)
        ef, ff = fast.energy_forces(x)
        er, fr = ref.energy_forces(x)
        assert ef == pytest.approx(er, rel=1e-12, abs=1e-9)
        assert np.max(np.abs(ff - fr)) < 1e-9
    assert fast.n_setups == 1 and ref.n_setups == fast.n_force_calls == 12
    assert np.all((fast.positions() >= 0) & (fast.positions() < m.box_length))


def test_a_minimisation_or_md_run_is_followed_by_a_fresh_setup(quenched):
    m, x0 = quenched
    e = engine.LammpsLJ(m, x0)
    e.energy_forces(x0)
    e.run_nve(5)
    e0, f0 = e.energy_forces()
    ref = engine.LammpsLJ(m, e.positions(), persistent=False)
    er, fr = ref.energy_forces()
    assert e.n_setups == 2
    assert e0 == pytest.approx(er, rel=1e-12) and np.max(np.abs(f0 - fr)) < 1e-9


@pytest.fixture(scope="module")
def catalog_pairs():
    from coldglass.app.landscape_view import EXAMPLE_CATALOG, CatalogView
    from coldglass.landscape.catalog import Catalog

    view = CatalogView(EXAMPLE_CATALOG, verify=False)
    rows = view.table.head(3)
    with Catalog(EXAMPLE_CATALOG, readonly=True, verify=False) as cat:
        pairs = [(cat.configuration("minima", int(r.min_a)),
                  cat.configuration("minima", int(r.min_b))) for r in rows.itertuples()]
    return view.model, pairs


def test_neb_on_image_engines_finds_the_same_saddles(catalog_pairs):
    # the NEB's adaptive ODE steps amplify round-off, so the bands differ within the NEB
    # tolerance (fmax = 0.02 ε/σ); the Newton-polished saddles agree to 1e-9 ε and 1e-9 σ
    model, pairs = catalog_pairs
    new, old = engine.LammpsLJ(model, pairs[0][0]), engine.LammpsLJ(model, pairs[0][0],
                                                                    persistent=False)
    for xa, xb in pairs:
        sp = []
        for eng, per_image in ((old, False), (new, True)):
            calls = eng.n_force_calls
            p = neb_path(eng, xa, xb, n_images=5, per_image_engines=per_image)
            assert p.n_force_calls == eng.n_force_calls - calls > 20
            sp.append(refine_stationary(eng, p.x[int(np.argmax(p.energies))]))
        assert sp[0].energy == pytest.approx(sp[1].energy, abs=1e-9)
        assert np.max(np.abs(minimum_image(sp[0].x - sp[1].x, model.box_length))) < 1e-9
    pool = new.image_engines(5)
    assert new.image_engines(5) == pool and len(pool) == 5  # kept and reused
    new.close()


def test_a_stalled_quench_is_finished_by_newton_at_the_minimum_lammps_reaches():
    # stop LAMMPS early (as a CG stall does) with forces ~1e-6, inside the quadratic basin:
    # Newton's finish equals LAMMPS' own continuation from there (1e-9 ε, 1e-8 σ)
    from coldglass.landscape.saddles import NEWTON_FMAX, quench

    m = BinaryLJ(300)
    e = engine.LammpsLJ(m, m.random_positions(4))
    e.minimize(fmax=1e-1)
    e.velocity_create(0.5, 3)
    e.run_nvt(500, 0.5)
    x = e.positions()
    e.set_positions(x)
    stop = e.minimize(1e-8, max_iter=150, fallback_iter=150)
    assert not stop["converged"] and stop["fmax"] < NEWTON_FMAX
    x_stop = e.positions()
    e.set_positions(x_stop)
    cont = e.minimize(1e-8)  # the unbounded continuation
    x_cont = e.positions()
    q = quench(e, x, max_iter=150, fallback_iter=150)
    assert q.fmax < 1e-8
    assert q.energy == pytest.approx(cont["energy"], abs=1e-9)
    assert np.max(np.abs(minimum_image(q.x - x_cont, m.box_length))) < 1e-8


def test_inexact_newton_polishes_to_the_same_saddle(catalog_pairs):
    # the forcing term η = min(1e-6, |g|) against MINRES to 1e-12 at every step: the same
    # stationary point (1e-9 ε, 1e-8 σ), both converged to 1e-10 ε/σ
    model, pairs = catalog_pairs
    eng = engine.LammpsLJ(model, pairs[0][0])
    for xa, xb in pairs[:2]:
        p = neb_path(eng, xa, xb, n_images=5)
        x0 = p.x[int(np.argmax(p.energies))]
        a = refine_stationary(eng, x0)
        b = refine_stationary(eng, x0, rtol=1e-12)
        assert a.fmax < 1e-10 and b.fmax < 1e-10
        assert a.energy == pytest.approx(b.energy, abs=1e-9)
        assert np.max(np.abs(minimum_image(a.x - b.x, model.box_length))) < 1e-8


def test_calculator_recomputes_exactly_when_the_positions_change(catalog_pairs):
    from coldglass.landscape.calculator import LammpsCalculator, to_atoms

    model, pairs = catalog_pairs
    eng = engine.LammpsLJ(model, pairs[0][0])
    atoms = to_atoms(model, pairs[0][0])
    atoms.calc = LammpsCalculator(eng)
    e0 = atoms.get_potential_energy()
    n = eng.n_force_calls
    atoms.get_forces()
    assert eng.n_force_calls == n  # cached: same positions
    x = atoms.positions.copy()
    x[3, 0] += 1e-9
    atoms.positions = x
    e1 = atoms.get_potential_energy()
    assert eng.n_force_calls == n + 1 and e1 != e0


def test_soft_mode_saddles_are_not_relaxed_twice():
    # a soft-mode candidate carries its saddle and the two minima found by relaxing off it;
    # its NEB through that saddle finds it again, and the minima are reused: the same double
    # wells (1e-9), fewer relaxations
    from coldglass.landscape.saddles import quench
    from coldglass.landscape.search import soft_mode_candidates, verify_pair
    from coldglass.landscape.units import ARGON
    m, e = small_glass(200, seed=11, vseed=5, t_end=0.5)
    a = quench(e, e.positions())
    cands = soft_mode_candidates(e, a, n_modes=2)
    assert cands
    known = 0
    for c in cands[:2]:
        out = {}
        for reuse in (False, True):
            routes = {}
            out[reuse] = (verify_pair(e, c, ARGON, reuse_connected=reuse, routes=routes),
                          routes)
        (r0, s0), (r1, s1) = out[False], out[True]
        assert len(r0) == len(r1)
        for p, q in zip(r0, r1, strict=True):
            for k in ("E_a", "E_b", "E_s", "V0_K", "Delta_K"):
                assert p[k] == pytest.approx(q[k], abs=1e-9)
        known += s1.get("connect: known", 0)
        assert sum(s1.values()) == sum(s0.values())  # one route per saddle either way
    assert known >= 1
