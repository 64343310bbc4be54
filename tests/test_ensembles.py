"""Ensembles: closed-form DOS vs direct integration of the measure, generic average vs closed
form, Monte Carlo over exact diagonalization, orientation averaging, bad input."""

import numpy as np
import pytest
from scipy import integrate

from coldglass.ensembles import (
    ATSEnsemble,
    Orientation,
    Rule,
    STMEnsemble,
    orientation_rule,
    total_dos,
)

BAS = dict(Dmin=0.49, D0min=4.77e4, D0max=3.09e5)  # Table 2, 0.60 K


def _dos_by_measure(ens: ATSEnsemble, E: float, a_scale: float) -> float:
    """Independent route: integrate the measure 2π dD/D dD0/D0 δ(E - sqrt(D² + (D0 a)²))
    over D analytically (|dE/dD| = D/E) and over ln D0 numerically with quad."""
    if E <= ens.Dmin:
        return 0.0
    lo, hi = np.log(ens.D0min), np.log(ens.D0max)

    def integrand(u):
        A = np.exp(u) * a_scale
        D2 = E**2 - A**2
        if D2 < ens.Dmin**2 or D2 > ens.Dmax**2:
            return 0.0
        return 2 * np.pi * E / D2

    pts = []
    if a_scale > 0:
        for r in (np.sqrt(E**2 - ens.Dmin**2),):
            u = np.log(r / a_scale)
            if lo < u < hi:
                pts.append(u)
    return integrate.quad(integrand, lo, hi, points=pts or None, epsabs=0, epsrel=1e-12,
                          limit=200)[0]


@pytest.mark.parametrize("B", [0.0, 0.05, 0.3, 1.0, 4.0])
@pytest.mark.parametrize("Dmax", [np.inf, 3.0])
def test_eq13_closed_form_against_the_measure(B, Dmax):
    ens = ATSEnsemble(**BAS, Dmax=Dmax)
    E = np.array([0.3, 0.5, 0.6, 0.9, 1.4, 2.5, 2.99, 4.0, 12.0])
    a_min, _ = ens.phase_energies(B)
    ref = np.array([_dos_by_measure(ens, e, float(a_min) / ens.D0min) for e in E])
    got = ens.dos(E, B, orientation="none")
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)


def test_eq13_branches_and_cutoffs():
    """Eq. (13) as printed, branch by branch, in the paper's variables."""
    ens = ATSEnsemble(Dmin=0.1, D0min=1.0, D0max=5.0, d0_unit="K")
    phi = 0.05
    ec1, ec2 = ens.cutoff_energies(phi)
    assert ec1 == pytest.approx(np.hypot(0.1, 0.05)) and ec2 == pytest.approx(np.hypot(0.1, 0.25))
    E_hi, E_mid, E_lo = 0.4, 0.5 * (ec1 + ec2), 0.9 * ec1
    p13_hi = 2 * np.pi / E_hi * np.log(5.0 * np.sqrt((E_hi**2 - 0.05**2) / (E_hi**2 - 0.25**2)))
    p13_mid = 2 * np.pi / E_mid * np.log(np.sqrt((E_mid**2 - 0.05**2) * (E_mid**2 - 0.01))
                                         / (1.0 * 0.1 * phi))
    np.testing.assert_allclose(ens.dos([E_hi, E_mid, E_lo], phi, orientation="none"),
                               [p13_hi, p13_mid, 0.0], rtol=1e-13)
    # continuity at Ec1 (zero) and Ec2 (the cusp)
    g = ens.dos(np.array([ec1 * (1 + 1e-9), ec2 * (1 - 1e-9), ec2 * (1 + 1e-9)]), phi,
                orientation="none")
    assert g[0] < 1e-6 and g[1] == pytest.approx(g[2], rel=1e-6)


def test_states_are_conserved_in_a_field():
    """With a finite Dmax the number of states 2π ln(Dmax/Dmin) ln(D0max/D0min) does not
    depend on B (the field only moves states to higher E: paper Fig. 5)."""
    ens = ATSEnsemble(Dmin=0.1, D0min=1.0, D0max=5.0, Dmax=0.6, d0_unit="K")
    for phi in (0.0, 0.03, 0.2, 0.7):
        ec1, ec2 = (float(x) for x in ens.cutoff_energies(phi))
        top = np.hypot(0.6, 5 * phi)
        pts = sorted({ec1, ec2, float(np.hypot(0.6, phi)), 0.6})
        n = integrate.quad(lambda e, p=phi: float(ens.dos(e, p, orientation="none")), 0.0,
                           top * 1.01, points=pts, epsabs=0, epsrel=1e-11, limit=400)[0]
        assert n == pytest.approx(ens.number_of_states(), rel=1e-9)


@pytest.mark.parametrize("B", [0.0, 0.2, 1.0, 5.0])
def test_exact_orientation_dos_against_nested_quad(B):
    ens = ATSEnsemble(**BAS)
    E = np.array([0.5, 0.8, 1.5, 4.0])
    a_min, _ = ens.phase_energies(B)
    ref = [integrate.quad(lambda c, e=e: _dos_by_measure(ens, e, float(a_min) * c / ens.D0min),
                          0, 1, epsabs=0, epsrel=1e-10, limit=200)[0] for e in E]
    np.testing.assert_allclose(ens.dos(E, B), ref, rtol=1e-7)


def _cp0(T):
    def k(E, D, A):
        x = np.minimum(E / (2 * T), 350.0)
        return x**2 / np.cosh(x) ** 2

    return k


@pytest.mark.parametrize("orientation", ["none", "shortcut", "exact"])
@pytest.mark.parametrize("B", [0.0, 0.4, 3.0])
def test_generic_average_against_closed_form_dos(orientation, B):
    """∫ dN K(E) by the (c, ln D0, ln D) rule equals ∫ dE g(E) K(E) with the closed-form
    DOS (quad over E, split at Ec1 and Ec2). Agreement to 1e-9 relative: both routes are
    converged to ~1e-12, the quad tolerance is 1e-11."""
    ens = ATSEnsemble(**BAS)
    T = 0.6
    avg = ens.average(_cp0(T), B, orientation=orientation, rule=Rule(energy_scale=80 * T))
    pts = None
    if orientation != "exact":
        pts = sorted({float(x) for x in ens.cutoff_energies(B, orientation)})
    ref = integrate.quad(lambda e: float(ens.dos(e, B, orientation=orientation))
                         * float(_cp0(T)(e, 0, 0)), ens.Dmin, 100 * T, points=pts,
                         epsabs=0, epsrel=1e-11, limit=500)[0]
    assert avg == pytest.approx(ref, rel=1e-9)


def test_shortcut_is_exact_for_kernels_linear_in_phi_squared():
    """<φ² cos² β> = φ²/3 over the sphere, also with the high-field term: for K = A² the
    exact orientation average and the shortcut agree to rounding."""
    ens = ATSEnsemble(**BAS, Dmax=5.0, B_star=2.0)
    B = np.array([0.1, 1.0, 3.0])
    for hf in (False, True):
        exact = ens.average(lambda E, D, A: A**2, B,
                            orientation=Orientation("exact", high_field=hf))
        short = ens.average(lambda E, D, A: A**2, B,
                            orientation=Orientation("shortcut", high_field=hf))
        np.testing.assert_allclose(exact, short, rtol=1e-12)
    m, _, w = orientation_rule("exact", 12)
    assert np.sum(w * m**2) == pytest.approx(1 / 3, rel=1e-14)


def test_orientation_shortcut_differs_from_exact_for_the_dos():
    """The shortcut is not exact for non-linear functionals: the DOS differs (shown in the
    report); at zero field both reduce to the unaveraged DOS."""
    ens = ATSEnsemble(**BAS)
    E = 0.8
    assert ens.dos(E, 0.0) == pytest.approx(ens.dos(E, 0.0, orientation="shortcut"), rel=1e-13)
    g_ex, g_sc = ens.dos(E, 1.0), ens.dos(E, 1.0, orientation="shortcut")
    assert abs(g_ex / g_sc - 1) > 0.05


def test_derivative_kernel_matches_finite_difference():
    """with_derivative passes ∂A/∂B: ∂<K>/∂B from the kernel's chain rule equals the finite
    difference of the average (here K = tanh(E/2T)·E, so ∂K/∂B = ∂K/∂E · A ∂A/∂B / E)."""
    ens = ATSEnsemble(**BAS, B_star=3.0)
    T = 0.6

    def K(E, D, A):
        return E * np.tanh(E / (2 * T))

    def dK(E, D, A, dA):
        t = np.tanh(E / (2 * T))
        dKdE = t + E * (1 - t**2) / (2 * T)
        return dKdE * A * dA / E

    for hf in (False, True):
        B, h = 1.3, 1e-4
        o, r = Orientation("exact", high_field=hf), Rule(energy_scale=60)
        fd = (ens.average(K, B + h, orientation=o, rule=r)
              - ens.average(K, B - h, orientation=o, rule=r)) / (2 * h)
        an = ens.average(dK, B, orientation=o, rule=r, derivative=True)
        assert an == pytest.approx(fd, rel=1e-6)


def test_generic_average_against_monte_carlo_over_exact_diagonalization():
    """MC estimate N_tot <K(E_exact)> with its standard error σ = N_tot std(K)/sqrt(n):
    the generic average (effective 2LS) must lie within 4σ (false alarm 6e-5) plus the
    systematic effective-2LS error, bounded by the per-system gap error (D/D0 <= 1e-2 here)
    times max |E dK/dE| <= 1."""
    ens = ATSEnsemble(**BAS, Dmax=20.0)
    T, B = 0.6, 0.5
    K = _cp0(T)
    s = ens.sample(400_000, B, area_A2=20.0, rng=11)  # bare D0 >= 4.77e4/20 · √3/2 = 2066 K
    k_exact = K(s.exact_gap(), None, None)
    n_tot = s.weight * len(k_exact)
    mc = n_tot * k_exact.mean()
    sigma = n_tot * k_exact.std() / np.sqrt(len(k_exact))
    gap_err = np.max(np.abs(s.effective_gap() / s.exact_gap() - 1))
    assert gap_err < 0.5 * 20.0 / 2066.0  # first order in D/D0 (test_systems pins it)
    avg = ens.average(K, B, rule=Rule(energy_scale=20.0))
    assert abs(mc - avg) < 4 * sigma + gap_err * n_tot
    # and the statistical test alone with the effective gaps of the same draws
    k_eff = K(s.effective_gap(), None, None)
    assert abs(n_tot * k_eff.mean() - avg) < 4 * n_tot * k_eff.std() / np.sqrt(len(k_eff))


def test_monte_carlo_dos_histogram_matches_eq13_inside_the_limit():
    """Histogram of exact gaps vs Eq. (13) bin averages, inside D << D0, φ << 1: every bin
    within 4 Poisson σ plus 1 % (the first-order D/D0 <= 0.1 error moves states by < 1 %
    of E, i.e. at most a fraction of a bin)."""
    ens = ATSEnsemble(Dmin=0.01, D0min=1.0, D0max=5.0, Dmax=0.1, d0_unit="K")
    s = ens.sample(300_000, 0.02, orientation="none", rng=5)
    edges = np.linspace(0.02, 0.2, 19)
    hist, _ = np.histogram(s.exact_gap(), bins=edges)
    expected = np.array([integrate.quad(lambda e: float(ens.dos(e, 0.02, orientation="none")),
                                        a, b, limit=200)[0] for a, b in zip(edges[:-1],
                                                                           edges[1:],
                                                                           strict=True)])
    counts = expected / s.weight
    assert np.all(np.abs(hist - counts) < 4 * np.sqrt(counts) + 0.01 * counts + 3)


def test_monte_carlo_shows_the_failure_outside_the_limit():
    """Outside D << D0 (D up to 3 D0min) the effective gap is off by tens of percent for
    some systems: the reduction is a limit, not an identity."""
    ens = ATSEnsemble(Dmin=0.3, D0min=1.0, D0max=5.0, Dmax=3.0, d0_unit="K")
    s = ens.sample(50_000, 0.5, orientation="none", rng=2)
    assert np.max(np.abs(s.effective_gap() / s.exact_gap() - 1)) > 0.2


# -------------------------------------------------------------------------------- STM


def test_stm_dos_against_direct_integration():
    """Independent route: at fixed E the measure P̄ dΔ dΔ0/Δ0 becomes P̄ E dΔ/(E² - Δ²)
    (Δ0² = E² - Δ²), integrated by quad over the allowed Δ range."""
    stm = STMEnsemble(P_bar=2.0, Delta0_min=1e-3, Delta0_max=0.5, Delta_max=3.0)
    for E in (5e-4, 2e-3, 0.1, 0.7, 2.0, 3.1):
        d_lo = np.sqrt(max(E**2 - 0.5**2, 0.0))  # Δ0 <= Δ0max
        d_hi = min(np.sqrt(max(E**2 - 1e-3**2, 0.0)), 3.0)  # Δ0 >= Δ0min, Δ <= Δmax
        ref = 0.0
        if d_hi > d_lo:
            ref = 2.0 * integrate.quad(lambda d, E=E: E / (E**2 - d**2), d_lo, d_hi,
                                       epsabs=0, epsrel=1e-12)[0]
        assert stm.dos(E) == pytest.approx(ref, rel=1e-10, abs=1e-14)
    # the "constant" DOS of the STM: P̄ ln(2E/Δ0min) for Δ0min << E < Δ0max
    stm = STMEnsemble(P_bar=1.0, Delta0_min=1e-8, Delta0_max=10.0)
    assert stm.dos(0.1) == pytest.approx(np.log(2 * 0.1 / 1e-8), rel=1e-12)


def test_stm_generic_average_against_dos():
    stm = STMEnsemble(P_bar=1.0, Delta0_min=1e-4, Delta0_max=2.0, Delta_max=5.0)
    T = 0.3
    avg = stm.average(lambda E, d, d0, T: _cp0(T)(E, d, d0), n_u=24, n_delta=24, T=[T, T])[0]
    ref = integrate.quad(lambda e: float(stm.dos(e) * _cp0(T)(e, 0, 0)), 0, 5.5,
                         points=[1e-4, 2.0, 5.0], epsabs=0, epsrel=1e-10, limit=400)[0]
    assert avg == pytest.approx(ref, rel=1e-6)


def test_eq40_integrates_to_the_dos_and_matches_sampling():
    """∫ P(E, τ) dτ over [τmin, τmax] = g(E) (arccosh(E/Δ0min)), and the distribution of
    τ = τmin E²/Δ0² of systems drawn from Eq. (2) at fixed E follows Eq. (40)."""
    stm = STMEnsemble(P_bar=1.0, Delta0_min=1e-3)
    E, tmin = 0.2, 1e-6
    tmax = tmin * (E / 1e-3) ** 2
    tot = integrate.quad(lambda lt: float(stm.density_E_tau(E, np.exp(lt), tmin)) * np.exp(lt),
                         np.log(tmin), np.log(tmax), epsabs=0, epsrel=1e-10, limit=200)[0]
    assert tot == pytest.approx(stm.dos(E), rel=1e-7)
    # sampling: at fixed E, Δ0 has density ∝ E/(Δ0 sqrt(E² - Δ0²)), u = arccosh(E/Δ0) uniform
    rng = np.random.default_rng(0)
    u = rng.uniform(0, np.arccosh(E / 1e-3), 200_000)
    tau = tmin * np.cosh(u) ** 2
    edges = np.geomspace(tmin * 1.0001, tmax, 25)
    hist, _ = np.histogram(tau, bins=edges)
    pred = np.array([integrate.quad(lambda t: float(stm.density_E_tau(E, t, tmin)), a, b)[0]
                     for a, b in zip(edges[:-1], edges[1:], strict=True)])
    pred *= len(tau) / stm.dos(E)
    assert np.all(np.abs(hist - pred) < 4 * np.sqrt(pred) + 2)


def test_total_dos_is_the_sum_eq12():
    stm = STMEnsemble(P_bar=0.5, Delta0_min=1e-6)
    ats = ATSEnsemble(**BAS)
    E = np.array([0.4, 0.8, 2.0])
    np.testing.assert_allclose(total_dos(E, 0.5, stm, ats, n2LS=3.0),
                               3.0 * stm.dos(E) + ats.dos(E, 0.5), rtol=1e-14)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ATSEnsemble(Dmin=0.0, D0min=1, D0max=2), "Dmin must be > 0"),
        (lambda: ATSEnsemble(Dmin=-1, D0min=1, D0max=2), "Dmin must be > 0"),
        (lambda: ATSEnsemble(Dmin=0.5, D0min=2, D0max=2), "D0max .* must exceed D0min"),
        (lambda: ATSEnsemble(Dmin=0.5, D0min=3, D0max=2), "D0max .* must exceed D0min"),
        (lambda: ATSEnsemble(Dmin=np.nan, D0min=1, D0max=2), "Dmin must be finite"),
        (lambda: ATSEnsemble(Dmin=0.5, D0min=1, D0max=2, d0_unit="eV"), "unknown d0_unit"),
        (lambda: ATSEnsemble(Dmin=0.5, D0min=1, D0max=2, Dmax=0.4), "Dmax .* must exceed"),
        (lambda: ATSEnsemble(**BAS).dos(-0.1, 0.5), "E must be >= 0"),
        (lambda: ATSEnsemble(**BAS).dos(0.5, np.nan), "field .* must be finite"),
        (lambda: ATSEnsemble(**BAS).dos(0.5, 0.1, orientation="random"), "orientation must"),
        (lambda: ATSEnsemble(**BAS).dos(0.5, 0.1, high_field=True), "needs B_star"),
        (lambda: ATSEnsemble(**BAS).sample(10, 0.1, area_A2=50.0), "finite Dmax"),
        (lambda: ATSEnsemble(**BAS, Dmax=9).sample(10, 0.1), "area_A2"),
        (lambda: ATSEnsemble(**BAS, Dmax=9).sample(0, 0.1, area_A2=1), "positive integer"),
        (lambda: STMEnsemble(Delta0_min=0.0), "Delta0_min must be > 0"),
        (lambda: STMEnsemble(Delta0_min=1.0, Delta0_max=0.5), "must exceed"),
        (lambda: STMEnsemble().density_E_tau(0.1, -1.0, 1e-6), "must be > 0 s"),
        (lambda: orientation_rule("exact", 8, x=np.array([5.3])), "turns negative"),
        (lambda: orientation_rule("shortcut", 8, x=np.array([6.8])), "turns negative"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
