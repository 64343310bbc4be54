"""Heat capacity: STM law, closed forms (Eqs. 17-19) vs generic average, Monte Carlo over
the exact 3×3 Hamiltonian, thermodynamic consistency."""

import numpy as np
import pytest
from scipy import integrate

from coldglass.constants import K_B
from coldglass.ensembles import ATSEnsemble, Rule, STMEnsemble
from coldglass.observables import heat_capacity as H
from coldglass.observables.magnetization import free_energy_ats

BAS = dict(Dmin=0.49, D0min=4.77e4, D0max=3.09e5, density=5.19e16)


def test_stm_law_constant_dos():
    """C = (π²/6) P̄ k_B² T against direct quadrature of ∫ P̄ C_p0(E, T) dE."""
    for T in (0.01, 0.3, 2.0):
        ref = integrate.quad(lambda e, T=T: float(H.cp_single(e, T)), 0, 80 * T, epsabs=0,
                             epsrel=1e-12)[0]
        assert H.cp_stm_constant_dos(T, 1.0) == pytest.approx(ref, rel=1e-10)


def test_stm_ensemble_has_the_logarithmic_slope_of_the_law():
    """With g(E) = P̄ ln(2E/Δ0min), C/T is linear in ln T with slope (π²/6) P̄ k_B: the STM
    law with its slowly varying DOS, measured on the computed curve."""
    stm = STMEnsemble(P_bar=1.0, Delta0_min=1e-7, Delta0_max=1e3, Delta_max=1e3)
    T = np.array([0.02, 0.05, 0.1, 0.2])
    C = H.cp_stm(T, stm)
    slope = np.polyfit(np.log(T), C / T, 1)[0]
    assert slope == pytest.approx(np.pi**2 / 6 * K_B, rel=1e-4)


def test_I_functions_against_quadrature():
    def f(y):
        return y / np.cosh(y) ** 2

    for x in (0.1, 1.0, 3.0):
        ref = integrate.quad(f, 0, x)[0]
        assert H.I_x(x) == pytest.approx(ref, rel=1e-12)
        for a in (0.0, 0.5 * x, x * (1 - 1e-6)):
            # ln(y² - a²) = ln(y + a) + ln(y - a); the second by quad's log weight on [a, ·]
            ref = integrate.quad(lambda y, a=a: f(y) * np.log(y + a), x, 60, epsabs=0,
                                 epsrel=1e-13)[0]
            if a > 0:
                ref += (integrate.quad(f, a, 60, weight="alg-loga", wvar=(0, 0))[0]
                        - integrate.quad(f, a, x, weight="alg-loga", wvar=(0, 0))[0])
            else:
                ref += integrate.quad(lambda y: f(y) * np.log(y), x, 60, epsabs=0,
                                      epsrel=1e-13)[0]
            assert H.I_xa(x, a) == pytest.approx(ref, rel=1e-9, abs=1e-13)
    assert H.I_x(50.0) == pytest.approx(np.log(2), rel=1e-14)


@pytest.mark.parametrize("orientation", ["none", "shortcut", "exact"])
@pytest.mark.parametrize("high_field", [False, True])
def test_closed_form_eq18_against_generic_average(orientation, high_field):
    ens = ATSEnsemble(**BAS, B_star=2.0)
    T = np.array([[0.6], [0.9], [1.36]])
    B = np.array([0.0, 0.05, 0.5, 2.0, 5.0])
    gen = H.cp_ats(T, B, ens, orientation=orientation, high_field=high_field)
    closed = H.cp_ats_closed(T, B, ens, orientation=orientation, high_field=high_field)
    np.testing.assert_allclose(closed, gen, rtol=1e-9)


def test_eq19_zero_field_value():
    """At B = 0 the ATS heat capacity is 2π P* n k_B ln(D0max/D0min)(ln 2 - I(Dmin/2T))."""
    ens = ATSEnsemble(**BAS)
    T = 0.6
    ref = 2 * np.pi * 5.19e16 * K_B * np.log(3.09e5 / 4.77e4) * (np.log(2) - H.I_x(0.49 / 1.2))
    assert H.cp_ats(T, 0.0, ens) == pytest.approx(ref, rel=1e-10)


def test_cp_against_monte_carlo_over_exact_diagonalization():
    """Weak field: MC estimate N_tot <C_p0(E_exact)> within 4σ (σ the MC standard error) plus
    the effective-2LS systematic (per-system gap error × max|x d(C_p0)/dx| <= 1)."""
    ens = ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5, Dmax=30.0)
    T, B = 0.6, 0.3
    s = ens.sample(300_000, B, area_A2=20.0, rng=3)
    k = H.cp_single(s.exact_gap(), T) / K_B
    n_tot = s.weight * len(k)
    mc, sigma = n_tot * k.mean(), n_tot * k.std() / np.sqrt(len(k))
    gap_err = np.max(np.abs(s.effective_gap() / s.exact_gap() - 1))
    avg = H.cp_ats(T, B, ens, rule=Rule(energy_scale=30.0)) / K_B
    assert abs(mc - avg) < 4 * sigma + gap_err * n_tot


def test_heat_capacity_is_minus_T_d2F_dT2():
    ens = ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5, Dmax=40.0)
    T, B, h = 0.8, 0.7, 2e-3
    F = lambda t: free_energy_ats(t, B, ens, rule=Rule(n_v=20))  # noqa: E731
    c_fd = -T * (F(T + h) - 2 * F(T) + F(T - h)) / h**2
    # central difference error h² C''''/12 relative ~ (h/T)² ~ 1e-5
    assert H.cp_ats(T, B, ens, rule=Rule(n_v=20)) == pytest.approx(c_fd, rel=1e-4)


def test_debye_limits():
    n = 1e22
    assert H.cp_debye(0.5, 300.0, n) == pytest.approx(12 * np.pi**4 / 5 * n * K_B *
                                                      (0.5 / 300) ** 3, rel=1e-10)
    assert H.cp_debye(3000.0, 300.0, n) == pytest.approx(3 * n * K_B, rel=2e-3)


@pytest.mark.parametrize("call, match", [
    (lambda: H.cp_single(1.0, -0.1), "T must be > 0"),
    (lambda: H.cp_single(-1.0, 0.1), "E must be >= 0"),
    (lambda: H.cp_ats(np.inf, 1.0, ATSEnsemble(**BAS)), "T must be finite"),
    (lambda: H.cp_ats_closed(1.0, 1.0, ATSEnsemble(**BAS, Dmax=5.0)), "assumes Dmax = inf"),
    (lambda: H.I_xa(0.5, 1.0), "needs x > |a|"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
