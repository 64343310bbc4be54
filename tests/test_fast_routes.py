"""The fast default routes (issue "One model layer", item 7) against independent references.

Routes under test (each the default where its derivation holds, the generic (c, u, D) average
of ``ATSEnsemble.average`` otherwise):

* ``ATSEnsemble.dos`` with the exact orientation average: the closed form Eqs. (13a)-(13b)
  of :mod:`coldglass.ensembles.ats`, against scipy ``quad`` over c = cos β of the
  single-orientation Eq. (13) (told its kinks), epsrel 1e-12;
* ``cp_ats`` and the resonant part of ``ats_dielectric``: 1-D energy integrals of the closed
  DOS (and A²/E²-weighted DOS), against the generic average on a fine rule for the
  single-orientation kinds, and for the exact average against a fine Gauss-Legendre rule over
  c of the single-orientation route (geometrically graded towards c = 0, where at high field
  and low T the orientations that matter lie; the single-orientation route is itself checked
  against the generic average here);
* ``ats_echo_amplitude``: one integral over the phase energy, against the (c, u, ν) tensor
  rule of an explicit ``n`` (n = 192, converged to ~1e-11 for one orientation) and, for the
  exact average, against the c rule above over the default single-orientation route.

Wide range: T 1 mK-300 K, B 0-20 T, Dmin 0.01-1 K, D0max/D0min 1.2-100, the three
orientation kinds. Tolerances are relative; where a value underflows to 0 (e^{-E/T} with
E/T in the thousands at 1 mK in a field) the test is against the largest value of the same
array (``_assert_close``). Measured worst cases are stated at each test.
"""

import itertools
import math

import numpy as np
import pytest
from scipy import integrate

from coldglass.constants import HBAR_K, K_B
from coldglass.ensembles import ATSEnsemble, Orientation, Rule
from coldglass.materials import ECHO
from coldglass.observables import heat_capacity as H
from coldglass.observables.dielectric import ats_dielectric
from coldglass.observables.echo import ats_echo_amplitude
from coldglass.quadrature import mapped_nodes

T_WIDE = np.geomspace(1e-3, 300.0, 10)
B_WIDE = np.array([0.0, 1e-3, 0.01, 0.1, 1.0, 5.0, 20.0])
DMINS = (0.01, 0.1, 1.0)
RATIOS = (1.2, 10.0, 100.0)
FINE = Rule(n_u=40, n_v=24)


def _ens(Dmin, ratio, **kw):
    return ATSEnsemble(Dmin=Dmin, D0min=2e4, D0max=2e4 * ratio, **kw)


def _assert_close(got, ref, rtol):
    """Relative to each value; where the reference is 0, relative to the array's largest."""
    got, ref = np.asarray(got, dtype=float), np.asarray(ref, dtype=float)
    assert got.shape == ref.shape
    scale = float(np.max(np.abs(ref)))
    assert scale > 0
    tol = np.where(ref == 0, rtol * scale, rtol * np.abs(ref))
    err = np.abs(got - ref)
    bad = err > tol
    worst = np.max(err[bad] / np.where(ref[bad] == 0, scale, np.abs(ref[bad])), initial=0.0)
    assert not np.any(bad), f"{bad.sum()} of {bad.size} off; worst {worst:.2e}"


def _c_rule(n=20, c_min=1e-9, ratio=1.6):
    """Gauss-Legendre over c in [0, 1] on panels graded geometrically from c_min to 1."""
    edges = np.concatenate([[0.0], c_min * ratio ** np.arange(int(np.log(1 / c_min)
                                                                    / np.log(ratio)) + 1)])
    edges = np.unique(np.append(edges[edges < 1.0], 1.0))
    c, w = mapped_nodes(edges[:-1], edges[1:], n)
    return c.ravel(), w.ravel()


# ----------------------------------------------------------------------------- the DOS


def _eq13(E, dmin, a1, a2, lr):
    """Eq. (13) for one orientation in plain math, with E² - a² = (E - a)(E + a) (at
    E/Dmin ~ 1e4 the plain E² - a² loses 8 digits next to Ec1, Ec2)."""
    r2 = (E - dmin) * (E + dmin)
    if a2 * a2 < r2:
        return 2 * math.pi / E * (lr + 0.5 * math.log((E - a1) * (E + a1)
                                                      / ((E - a2) * (E + a2))))
    if a1 * a1 < r2:
        return math.pi / E * math.log((E - a1) * (E + a1) * r2 / (dmin * dmin * a1 * a1))
    return 0.0


def _dos_c_quad(ens, E, B):
    """⟨Eq. (13)⟩ over c by scipy quad, split where E crosses Ec2(c) and Ec1(c)."""
    a1, a2 = (float(a) for a in ens.phase_energies(B))
    if E <= ens.Dmin:
        return 0.0
    if a1 == 0.0:
        return 2 * math.pi * ens.log_ratio / E
    r = math.sqrt(E * E - ens.Dmin**2)
    kinks = [k for k in (r / a2, r / a1) if 0.0 < k < 1.0]
    return integrate.quad(lambda c: _eq13(E, ens.Dmin, a1 * c, a2 * c, ens.log_ratio),
                          0.0, 1.0, points=kinks or None, epsabs=0, epsrel=1e-13,
                          limit=400)[0]


@pytest.mark.parametrize("Dmin, ratio", list(itertools.product(DMINS, RATIOS)))
def test_exact_dos_closed_form_against_quad_over_c(Dmin, ratio):
    """Eqs. (13a)-(13b) against quad over c of Eq. (13): 1e-12 (measured <= 6e-15), from
    below Dmin to 1e3 K, 0 to 20 T (also 1e-6 T, where the Gauss-Legendre c rule of an
    explicit n_c is only good to ~4e-6). Just above Dmin (E - Dmin = 1e-9 Dmin, where Eq. 13
    written with E² - Dmin² loses 8 digits) the branch 2π arccosh(E/Dmin)(1/A1 - 1/A2)."""
    ens = _ens(Dmin, ratio)
    E = np.concatenate([[0.5 * Dmin, Dmin], np.geomspace(1.01 * Dmin, 1e3, 14)])
    B = np.array([0.0, 1e-6, 1e-3, 0.05, 0.5, 3.0, 20.0])
    got = ens.dos(E[:, None], B[None, :])
    ref = np.array([[_dos_c_quad(ens, e, b) for b in B] for e in E])
    _assert_close(got, ref, 1e-12)
    assert np.all(got[:2] == 0)
    e = Dmin * (1 + 1e-9)
    a1, a2 = ens.phase_energies(B[2:])  # A1 > r = 4.5e-5 Dmin: the branch below Ec1
    np.testing.assert_allclose(ens.dos(e, B[2:]),
                               2 * np.pi * math.acosh(e / Dmin) * (1 / a1 - 1 / a2), rtol=1e-10)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the c rule's 0 * inf
def test_dos_routes_and_shapes():
    """Scalars in, scalars out; an explicit n_c, a finite Dmax or the high-field correction
    take the Gauss-Legendre c rule, which agrees to its accuracy; shortcut/none unchanged."""
    ens = ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5, density=3.0, B_star=2.0)
    g = ens.dos(1.3, 0.7)
    assert np.ndim(g) == 0
    E, B = np.linspace(0.3, 6.0, 40), np.linspace(0.0, 5.0, 9)
    fast = ens.dos(E[:, None], B[None, :])
    assert fast.shape == (40, 9)
    np.testing.assert_array_equal(fast[7], ens.dos(E[7], B))
    np.testing.assert_allclose(ens.dos(E[:, None], B[None, :], n_c=16), fast, rtol=1e-10,
                               atol=0)
    hf = ens.dos(E[:, None], B[None, :], high_field=True)
    np.testing.assert_allclose(hf[:, 0], fast[:, 0], rtol=1e-12)
    assert not np.allclose(hf[:, -1], fast[:, -1], rtol=1e-3)
    fin = ens.replace(Dmax=1e3)
    np.testing.assert_allclose(fin.dos(E[:, None], B[None, :]), fast, rtol=1e-10)


# -------------------------------------------------------------------- the heat capacity


def _cp_generic(T, B, ens, kind):
    return H.cp_ats(T, B, ens, orientation=Orientation(kind, n=20), rule=FINE)


def _cp_exact_by_c(T, B, ens):
    c, w = _c_rule()
    T, B = np.broadcast_arrays(T, B)
    return H.cp_ats(T[..., None], B[..., None] * c, ens, orientation="none") @ w


@pytest.mark.parametrize("Dmin, ratio", list(itertools.product(DMINS, RATIOS)))
def test_cp_default_route_wide_range(Dmin, ratio):
    """1 mK-300 K x 0-20 T: shortcut and none against the generic average on a fine rule
    (itself converged to ~1e-13 there), exact against the c rule over the single-orientation
    route: 1e-9 relative (measured <= 2.2e-11), also at 1e-200-suppressed values."""
    ens = _ens(Dmin, ratio, density=5e16)
    T, B = T_WIDE[:, None], B_WIDE[None, :]
    for kind in ("none", "shortcut"):
        _assert_close(H.cp_ats(T, B, ens, orientation=kind), _cp_generic(T, B, ens, kind),
                      1e-9)
    _assert_close(H.cp_ats(T, B, ens), _cp_exact_by_c(T, B, ens), 1e-9)


def test_cp_one_call_is_one_call_per_point_and_the_fallbacks():
    """Every point's energy nodes are its own: an array call equals scalar calls to
    rounding. A rule, the high-field correction, a finite Dmax or Eq. (97) take the generic
    average unchanged (bitwise the ens.average call)."""
    ens = ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5, density=5.19e16, B_star=3.0)
    T, B = np.array([0.003, 0.6, 1.36, 40.0]), np.array([0.0, 0.3, 2.0, 8.0])
    batch = H.cp_ats(T[:, None], B[None, :], ens)
    single = np.array([[float(H.cp_ats(t, b, ens)) for b in B] for t in T])
    np.testing.assert_allclose(batch, single, rtol=1e-13, atol=0)

    def generic(ens, o, rule):
        return K_B * ens.average(lambda E, D, A, T: H._cp0_over_kB(E, T), B, T=0.9,
                                 orientation=o, rule=Rule.resolve(rule, decay="thermal"))

    o = Orientation("exact")
    np.testing.assert_array_equal(H.cp_ats(0.9, B, ens, rule=Rule()), generic(ens, o, Rule()))
    np.testing.assert_array_equal(H.cp_ats(0.9, B, ens, high_field=True),
                                  generic(ens, Orientation("exact", high_field=True), None))
    fin = ens.replace(Dmax=40.0)
    np.testing.assert_array_equal(H.cp_ats(0.9, B, fin), generic(fin, o, None))
    e0 = ens.replace(E0=0.1, T0=0.6)
    np.testing.assert_array_equal(H.cp_ats(0.9, B, e0), generic(e0, o, None))
    # and the generic average agrees with the default where both are accurate
    np.testing.assert_allclose(H.cp_ats(0.9, B, ens, rule=Rule()), H.cp_ats(0.9, B, ens),
                               rtol=1e-10)


def test_cp_bench_grid_against_the_generic_average():
    """The benchmark's 603 values (BAS, exact average): 1e-9 against the fine generic rule
    (measured 4e-12; there the fixed c panels of the generic average do converge)."""
    ens = ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5, density=5.19e16)
    T = np.concatenate([np.repeat([0.60, 0.90, 1.36], 40), [0.60, 0.90, 1.36]])
    B = np.concatenate([np.tile(np.linspace(0.02, 5.0, 40), 3), [8.0] * 3])
    _assert_close(H.cp_ats(T, B, ens), H.cp_ats(T, B, ens, orientation=Orientation(
        "exact", n=24), rule=FINE), 1e-9)


# ------------------------------------------------------------------------ the dielectric


def _res(T, B, ens, o, rule=None, nw=3, rel=False):
    return ats_dielectric(T, B, ens, K=np.pi, orientation=o, rule=rule, nw=nw,
                          relative_to_zero_field=rel)["res"]


@pytest.mark.parametrize("Dmin, ratio", list(itertools.product(DMINS, RATIOS)))
def test_dielectric_resonant_default_route_wide_range(Dmin, ratio):
    """α_res(T, B) (not relative to B = 0): shortcut/none against the generic fine rule,
    exact against the c rule over the single-orientation route: 1e-10 (measured <= 3e-14);
    Δε'/ε relative to B = 0 (exact): 1e-10 of the largest |Δε'/ε| (measured <= 4e-14)."""
    ens = _ens(Dmin, ratio)
    T, B = T_WIDE[:, None], B_WIDE[None, :]
    for kind in ("none", "shortcut"):
        _assert_close(_res(T, B, ens, kind), _res(T, B, ens, Orientation(kind), FINE), 1e-10)
    c, w = _c_rule()
    ref = _res(T[..., None], B[..., None] * c, ens, "none") @ w
    _assert_close(_res(T, B, ens, "exact"), ref, 1e-10)
    d = _res(T, B, ens, "exact", rel=True)
    np.testing.assert_allclose(d, ref - ref[:, :1], rtol=0,
                               atol=1e-10 * np.max(np.abs(ref - ref[:, :1])))


@pytest.mark.parametrize("nw", [2, 4])
def test_dielectric_other_polygons_and_the_fallbacks(nw):
    """nw = 2, 4 (the A²/E² weight alone, and a larger DOS share) against the generic fine
    rule: 1e-10; B = 0 is exactly 0 relative to B = 0; with Gamma the relaxational parts
    stay on the generic average; an explicit rule gives the generic resonant part."""
    ens = _ens(0.05, 8.0)
    T, B = np.array([[0.01], [0.3], [20.0]]), np.array([0.0, 0.05, 0.6, 7.0])
    _assert_close(_res(T, B, ens, "exact", nw=nw),
                  _res(T, B, ens, Orientation("exact", n=24), FINE, nw=nw), 1e-10)
    out = ats_dielectric(T, B, ens, K=1.0, Gamma=1e9, omega=2e4, nw=nw)
    assert np.all(out["res"][:, 0] == 0) and np.all(out["total"][:, 0] == 0)
    gen = ats_dielectric(T, B, ens, K=1.0, Gamma=1e9, omega=2e4, nw=nw, rule=Rule())
    np.testing.assert_allclose(out["rel"], gen["rel"], rtol=0, atol=0)
    np.testing.assert_allclose(out["loss"], gen["loss"], rtol=0, atol=0)
    np.testing.assert_allclose(out["res"], gen["res"], rtol=0,
                               atol=1e-9 * np.max(np.abs(gen["res"])))


def test_dielectric_eq50_at_zero_field():
    """α(T, 0) = (π/2) ln(D0max/D0min) ∫_{Dmin}^∞ tanh(E/2T)/E² dE (Eq. 50, nw = 3): 1e-12."""
    ens = _ens(0.015, 1.26)
    for t in (1e-3, 0.05, 3.0):
        ref = np.pi / 2 * ens.log_ratio * integrate.quad(
            lambda e, t=t: math.tanh(e / (2 * t)) / e**2, ens.Dmin, np.inf, epsabs=0,
            epsrel=1e-13, limit=200)[0]
        got = float(_res(t, 0.0, ens, "exact"))
        assert got == pytest.approx(ref, rel=1e-12)


# ------------------------------------------------------------------------------ the echo


def _echo_kw(T, orientation):
    r = ECHO["BAS sample 1"]
    return dict(omega=2 * np.pi * r.frequency, T=T, p1F0_J=r.p1F0_J, tau1=0.1e-6,
                tau2=0.2e-6, tau12=3e-6, tau_phi=1 / (r.c_ats * 1e6 * T), Gamma=r.Gamma,
                tan_phase=r.tan_phase, orientation=orientation)


ECHO_B = np.array([0.0, 0.01, 0.03, 0.1, 0.24, 0.5, 1.0, 3.0, 20.0])


def _echo_exact_by_c(B, ens, kw):
    """∫_0^1 dc of the single-orientation echo at the field c B: Gauss-Legendre on panels
    graded towards c = 0 and split where the DOS edge of D0min, D0max crosses ħω, ħω ± ħL
    (the kinks of the c integrand)."""
    if B == 0:
        return float(ats_echo_amplitude(0.0, ens, **kw))
    L = 40 * kw["p1F0_J"] / (HBAR_K * K_B) / np.sqrt(6)
    Ew = kw["omega"] * HBAR_K
    kinks = [math.sqrt(x * x - ens.Dmin**2) / float(a)
             for x in (Ew - HBAR_K * L, Ew, Ew + HBAR_K * L) if x > ens.Dmin
             for a in ens.phase_energies(B)]
    edges = np.unique(np.concatenate([[0.0, 1.0], np.geomspace(1e-6, 1.0, 25),
                                      [k for k in kinks if 0 < k < 1]]))
    c, w = mapped_nodes(edges[:-1], edges[1:], 24)
    return float(ats_echo_amplitude(B * c.ravel(), ens, **kw) @ w.ravel())


@pytest.mark.parametrize("T, Dmin, ratio", [(0.015, 0.01774, 22.4), (0.001, 0.01, 100.0),
                                            (0.3, 0.03, 1.2), (0.015, 0.1, 22.4),
                                            (300.0, 1.0, 10.0)])
def test_echo_default_route_against_the_tensor_rule(T, Dmin, ratio):
    """Single orientation: the default against the tensor rule at n = 192; exact: against
    the c rule over the default single-orientation route. 1e-6 of the largest |ΔA| of the
    fields (measured <= 9e-8, at Dmin = 0.01 K, D0max/D0min = 100). Dmin = 0.1, 1 K > ħω:
    only the far tails remain, graded from the DOS edge."""
    ens = ATSEnsemble(Dmin=Dmin, D0min=950.0, D0max=950.0 * ratio)
    for kind in ("none", "shortcut"):
        kw = _echo_kw(T, kind)
        ref = ats_echo_amplitude(ECHO_B, ens, n=192, **kw)
        got = ats_echo_amplitude(ECHO_B, ens, **kw)
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6 * np.max(np.abs(ref)))
    kw = _echo_kw(T, "none")
    ref = np.array([_echo_exact_by_c(b, ens, kw) for b in ECHO_B])
    got = ats_echo_amplitude(ECHO_B, ens, **_echo_kw(T, "exact"))
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6 * np.max(np.abs(ref)))


def test_echo_one_call_is_one_call_per_field_and_explicit_n():
    """Each field's nodes are its own (array call = scalar calls to rounding); an explicit
    n is the tensor rule, and the default agrees with it on the benchmark's parameters."""
    r = ECHO["BAS sample 1"]
    ens = r.ensemble()
    kw = _echo_kw(0.015, "shortcut")
    B = np.array([0.0, 0.12, 0.24, 0.6])
    batch = ats_echo_amplitude(B, ens, **kw)
    single = np.array([float(ats_echo_amplitude(b, ens, **kw)) for b in B])
    np.testing.assert_allclose(batch, single, rtol=1e-13, atol=0)
    assert np.ndim(ats_echo_amplitude(0.1, ens, **kw)) == 0
    ref = ats_echo_amplitude(B, ens, n=256, **kw)
    np.testing.assert_allclose(batch, ref, rtol=0, atol=1e-7 * abs(ref[0]))
    n48 = ats_echo_amplitude(B, ens, n=48, **kw)
    assert np.max(np.abs(n48 - ref)) > 1e-7 * abs(ref[0])  # the tensor rule, not the default
