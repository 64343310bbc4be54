"""The landscape on the real engine (LAMMPS) with small N so CI stays fast: the potential
against the all-pairs reference, NVE energy conservation, minima, Hessians, index-1 saddles,
NEB against the dimer and eigenvector following, and the prepare/search/report pipeline."""

import numpy as np
import pytest

from coldglass.landscape.model import BinaryLJ, allpairs_energy_forces
from conftest import require_lammps

engine = require_lammps()

from coldglass.landscape.calculator import hessian, lowest_modes  # noqa: E402
from coldglass.landscape.saddles import (  # noqa: E402
    connect_saddle,
    dimer_saddle,
    follow_mode,
    hessian_index,
    in_basin,
    neb_path,
    quench,
    quench_towards,
    refine_stationary,
    same_structure,
)

N = 200


@pytest.fixture(scope="module")
def glass():
    """A small Kob-Andersen glass: melt, short anneal at T = 0.5, quench."""
    m = BinaryLJ(N)
    e = engine.LammpsLJ(m, m.random_positions(11))
    e.minimize(fmax=1e-2)
    e.velocity_create(1.0, 5)
    e.run_nvt(2000, 1.0, 0.5)
    a = quench(e, e.positions())
    return m, e, a


def test_engine_matches_allpairs_reference(glass):
    m, e, a = glass
    x = a.x + np.random.default_rng(2).normal(0, 0.02, a.x.shape)
    E, F = e.energy_forces(x)
    Er, Fr = allpairs_energy_forces(m, x)
    assert E == pytest.approx(Er, rel=1e-12)
    assert np.max(np.abs(F - Fr)) < 1e-12 * np.max(np.abs(Fr))


def test_force_shifted_variant_matches_its_reference():
    """``truncation="force-shift"``: LAMMPS lj/smooth/linear, the all-pairs reference and the
    matscipy Hessian (LennardJonesLinear) are one potential."""
    m = BinaryLJ(N, truncation="force-shift")
    e = engine.LammpsLJ(m, m.random_positions(4))
    e.minimize(fmax=1e-2)
    x = e.positions() + np.random.default_rng(3).normal(0, 0.02, (N, 3))
    E, F = e.energy_forces(x)
    Er, Fr = allpairs_energy_forces(m, x)
    assert E == pytest.approx(Er, rel=1e-12)
    assert np.max(np.abs(F - Fr)) < 1e-12 * np.max(np.abs(Fr))
    H = hessian(m, x)
    h = 1e-6
    xp, xm = x.copy(), x.copy()
    xp[10, 2] += h
    xm[10, 2] -= h
    fd = -(e.energy_forces(xp)[1] - e.energy_forces(xm)[1]).ravel() / (2 * h)
    assert np.max(np.abs(fd - H[:, 32].toarray().ravel())) < 1e-5


def test_matscipy_hessian_is_the_same_potential(glass):
    """Hessian columns against central differences of the LAMMPS forces (h = 1e-6 σ:
    truncation ~h² · φ'''' ~ 1e-9, roundoff ~ 1e-16·|F|/h ~ 1e-8)."""
    m, e, a = glass
    H = hessian(m, a.x)
    h = 1e-6
    for col in (0, 301, 599):
        xp, xm = a.x.copy(), a.x.copy()
        xp[col // 3, col % 3] += h
        xm[col // 3, col % 3] -= h
        fd = -(e.energy_forces(xp)[1] - e.energy_forces(xm)[1]).ravel() / (2 * h)
        assert np.max(np.abs(fd - H[:, col].toarray().ravel())) < 1e-5


def test_minimum_has_tiny_forces_and_three_zero_modes(glass):
    m, e, a = glass
    assert a.fmax < 1e-8
    ev = np.linalg.eigvalsh(hessian(m, a.x).toarray())
    assert np.sum(np.abs(ev) < 1e-6) == 3  # uniform translations
    assert np.all(ev > -1e-6)  # positive semi-definite
    vals, _ = lowest_modes(m, a.x, 4, mass_weighted=False)
    np.testing.assert_allclose(vals, ev[3:7], rtol=1e-8)  # sparse solver, zero modes lifted


def test_nve_conserves_energy(glass):
    """Velocity Verlet, dt = 0.005: total energy fluctuates by < 2e-3 ε per particle (the
    kinetic energy itself moves by ~0.05 ε per particle), with no drift."""
    m, e, a = glass
    e.set_positions(a.x)
    e.velocity_create(0.4, 9)
    e.run_nve(0)
    E0 = e.thermo("etotal")
    Es, Ks = [], []
    for _ in range(8):
        e.run_nve(250)
        Es.append(e.thermo("etotal"))
        Ks.append(e.thermo("ke"))
    Es = np.array(Es)
    assert np.max(np.abs(Es - E0)) / N < 2e-3
    assert np.ptp(Ks) / N > 10 * np.ptp(Es) / N


@pytest.fixture(scope="module")
def saddle(glass):
    """An index-1 saddle by eigenvector following from the glass's softest modes."""
    m, e, a = glass
    _, vecs = lowest_modes(m, a.x, 6, mass_weighted=False)
    for k in range(6):
        for sign in (1, -1):
            s = follow_mode(e, a.x, sign * vecs[:, k])
            if s is not None:
                return s
    pytest.fail("no index-1 saddle from the six softest modes")


def test_saddle_is_index_one(glass, saddle):
    m, e, _ = glass
    assert saddle.fmax < 1e-8
    ev = np.linalg.eigvalsh(hessian(m, saddle.x).toarray())
    assert np.sum(ev < -1e-6) == 1
    assert np.sum(np.abs(ev) < 1e-6) == 3


def test_neb_dimer_and_mode_following_agree_on_the_saddle(glass, saddle):
    """CI-NEB between the two minima of the saddle, then: its climbing image polished by
    Newton, and the ASE dimer started at the climbing image, land on the same saddle."""
    m, e, _ = glass
    a, b = connect_saddle(e, saddle)
    assert not same_structure(m, a.x, b.x, a.energy, b.energy)
    path = neb_path(e, a.x, b.x, via=saddle.x, n_images=5, fmax=0.01)
    i = int(np.argmax(path.energies))
    # the climbing image alone (max NEB force 0.01 ε/σ) is within ~1e-3 ε of the saddle
    assert path.energies[i] == pytest.approx(saddle.energy, abs=5e-3)
    polished = refine_stationary(e, path.x[i])
    assert polished.energy == pytest.approx(saddle.energy, abs=1e-9)
    tangent = path.x[i + 1] - path.x[i - 1]
    dim = dimer_saddle(e, path.x[i], tangent.ravel(), amplitude=0.0)
    assert dim is not None and dim.index == 1
    assert dim.energy == pytest.approx(saddle.energy, abs=1e-9)
    # both sides relax back to the minima the path joins
    u, v = connect_saddle(e, polished)
    ends = [(u, a), (v, b)] if same_structure(m, u.x, a.x, u.energy, a.energy) else [(v, a),
                                                                                    (u, b)]
    for p, q in ends:
        assert same_structure(m, p.x, q.x, p.energy, q.energy)
    idx, _ = hessian_index(m, polished.x)
    assert idx == 1


def test_a_quench_towards_expected_minima_finds_what_the_full_quench_finds():
    """:func:`quench_towards` stops early only inside the harmonic basin of an expected
    minimum: from either side of a saddle it returns that minimum (the same object), from a
    start in a third basin it quenches on to that basin's minimum, never to an expected one;
    every answer is the minimum the full quench reaches (:func:`same_structure`). On the
    force-shifted potential the searches use: with a plain shifted cutoff the force jumps
    at r_c, the basins are not harmonic at 1e-4 ε/σ, and the test (rightly) never admits."""
    m = BinaryLJ(N, truncation="force-shift")
    e = engine.LammpsLJ(m, m.random_positions(11))
    e.minimize(fmax=1e-2)
    e.velocity_create(1.0, 5)
    e.run_nvt(2000, 1.0, 0.5)
    m0 = quench(e, e.positions())
    _, vecs = lowest_modes(m, m0.x, 4, mass_weighted=False)
    saddle = next(s for k in range(4) for sg in (1, -1)
                  if (s := follow_mode(e, m0.x, sg * vecs[:, k])) is not None)
    a, b = connect_saddle(e, saddle)
    assert not same_structure(m, a.x, b.x, a.energy, b.energy)
    v = saddle.lowest_mode.reshape(-1, 3) / np.sqrt(m.particle_masses)[:, None]
    v /= np.max(np.linalg.norm(v, axis=1))
    rng = np.random.default_rng(4)
    starts = [saddle.x + s * v for s in (-0.05, -0.02, 0.02, 0.05)]
    starts += [a.x + rng.normal(0, 0.03, a.x.shape), b.x + rng.normal(0, 0.03, b.x.shape)]
    starts += [a.x + rng.normal(0, 0.25, a.x.shape)]  # far off: another basin
    got = []
    for x in starts:
        full, tow = quench(e, x), quench_towards(e, x, (a, b))
        assert same_structure(m, full.x, tow.x, full.energy, tow.energy)
        got.append(next((n for n, p in (("a", a), ("b", b)) if tow is p), "other"))
    assert got[:6] == ["a", "a", "b", "b", "a", "b"] or got[:6] == ["b", "b", "a", "a", "a", "b"]
    assert got[6] == "other"
    # the test itself: forces of the harmonic basin near a, not near b or at the saddle
    x = a.x + 1e-3 * v
    E, F = e.energy_forces(x)
    assert in_basin(e, x, E, F, a) and not in_basin(e, x, E, F, b)
    # within the 0.05 σ gate but where the forces are no longer harmonic: refused
    u = rng.normal(0, 1, a.x.shape)
    x = a.x + 0.045 * u / np.max(np.linalg.norm(u, axis=1))
    E, F = e.energy_forces(x)
    assert not in_basin(e, x, E, F, a)
    assert not in_basin(e, saddle.x, saddle.energy, e.energy_forces(saddle.x)[1], a)


def test_pipeline_prepare_search_report(tmp_path):
    """The three CLI stages end to end on a tiny glass; every cataloged double well is
    verified (index-1 saddle, converged minima) and carries its units; a second search with
    the same options adds a segment; the report pools glasses and counts their TLS."""
    import json
    import shutil

    import pandas as pd
    from typer.testing import CliRunner

    from coldglass.cli import app
    from coldglass.landscape.catalog import Catalog
    from coldglass.landscape.pipeline import load_catalog

    r = CliRunner()
    out = tmp_path / "ls"
    res = r.invoke(app, ["landscape", "prepare", "--out", str(out), "--n-atoms", "200",
                         "--temperatures", "1.0,0.6", "--n-equil", "1000", "--n-samples", "1"])
    assert res.exit_code == 0, res.output
    assert (out / "prepare" / "glass.npz").exists()
    search = ["landscape", "search", "--out", str(out), "--n-quench", "25", "--routes",
              "is-transition", "--t-md", "0.45", "--rounds", "2", "--batch", "3"]
    res = r.invoke(app, search)
    assert res.exit_code == 0, res.output
    header = (out / "search" / "catalog.csv").read_text().splitlines()[0]
    assert "V0_K [K]" in header and "d_A [Angstrom]" in header
    df = load_catalog(out)
    assert len(df) >= 1
    assert np.all(df["saddle_eig_1"] < 0) and np.all(df["saddle_eig_2"] > 0)
    assert np.all(df["min_fmax"] < 1e-8) and np.all(df["saddle_fmax"] < 1e-8)
    assert np.all(df["V_a_K"] >= 0) and np.all(df["V_b_K"] >= 0)
    assert np.all(df["Delta_K"] >= 0)
    assert len(pd.read_csv(out / "search" / "catalog.csv")) == len(df)
    # a second search adds one segment to the same catalog; the selector goes on
    res = r.invoke(app, search + ["--n-segments", "1"])
    assert res.exit_code == 0, res.output
    df2 = load_catalog(out)
    assert len(df2) >= len(df) and set(df["id"]) <= set(df2["id"])
    with Catalog(out / "search" / "catalog.sqlite", readonly=True) as c:
        seg = c.table("tasks").query("kind == 'segment'")
        assert sorted(seg["key"]) == ["segment/0000/0000", "segment/0000/0001"]
        assert list(c.models()["version"]) == sorted(c.models()["version"])
    runs = json.loads((out / "search" / "meta.json").read_text())["runs"]
    assert [run["segments"] for run in runs] == [1, 2]
    res = r.invoke(app, ["landscape", "report", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for f in ("landscape.md", "fig26_overlay.png", "claims.csv", "loop_C_deps.csv",
              "is_energy_vs_T.png", "tls_statistics.csv", "tls_unit_mappings.csv"):
        assert (out / "report" / f).exists()
    tls = pd.read_csv(out / "report" / "tls_statistics.csv")
    assert list(tls["denominator"].iloc[[0, 3]]) == [200, len(df2)]
    # pooling a second glass (here a copy): twice the double wells, per-particle densities
    # and C(T) per gram unchanged
    twin = tmp_path / "twin"
    shutil.copytree(out, twin)
    single = pd.read_csv(out / "report" / "loop_C_deps.csv")
    res = r.invoke(app, ["landscape", "report", "--out", str(out), "--include", str(twin)])
    assert res.exit_code == 0, res.output
    assert f"{2 * len(df2)} distinct verified double wells" in (
        out / "report" / "landscape.md").read_text()
    pooled = pd.read_csv(out / "report" / "loop_C_deps.csv")
    np.testing.assert_allclose(pooled["C [J/(K g)]"], single["C [J/(K g)]"], rtol=1e-12)
    assert pd.read_csv(out / "report" / "tls_statistics.csv")["denominator"].iloc[0] == 400
    res = r.invoke(app, ["landscape", "report", "--out", str(out), "--include", str(out)])
    assert res.exit_code == 2 and "twice" in res.output
    res = r.invoke(app, ["landscape", "report", "--out", str(out), "--also-units", "x:1,2"])
    assert res.exit_code == 2 and "NAME:SIGMA_A,EPSILON_K,MASS_U" in " ".join(
        res.output.split())


@pytest.mark.parametrize("args, match", [
    (["landscape", "prepare", "--n-atoms", "50"], "too small for the cutoff"),
    (["landscape", "prepare", "--density", "-1"], "density"),
    (["landscape", "prepare", "--temperatures", "1.0,-0.5"], "temperatures"),
    (["landscape", "prepare", "--units", "neon?"], "unknown unit preset"),
    (["landscape", "search", "--routes", "teleport"], "routes"),
])
def test_cli_bad_input(tmp_path, args, match):
    from typer.testing import CliRunner

    from coldglass.cli import app

    res = CliRunner().invoke(app, args + ["--out", str(tmp_path / "x")])
    assert res.exit_code == 2
    assert match in " ".join(res.output.split())


def test_search_without_prepare_is_a_clear_error(tmp_path):
    from typer.testing import CliRunner

    from coldglass.cli import app

    res = CliRunner().invoke(app, ["landscape", "search", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "prepare" in res.output
