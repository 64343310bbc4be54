"""STM acoustics, thermal conductivity, time-dependent heat capacity and heat release:
textbook limits, an independent quadrature route, fits that recover their parameters, the
CLI on a user's file, and refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.constants as sc
from scipy import integrate

import coldglass.models as cm
from coldglass.data import Dataset, read_csv
from coldglass.ensembles import STMEnsemble
from coldglass.observables.acoustics import (
    BoundaryScattering,
    RayleighScattering,
    ResonantScattering,
    acoustic_log_limits,
    kappa_boundary_limit,
    kappa_resonant_limit,
    low_temperature_friction,
    raman_rate,
    stm_acoustics,
    thermal_conductivity,
    tunnelling_strength,
)
from coldglass.observables.heat_capacity import cp_stm
from coldglass.observables.heat_release import (
    cp_stm_time,
    heat_release,
    heat_release_limit,
)

C, A = 3e-4, 1e8


# ------------------------------------------------------------ independent route: nested quad


def _nested_relaxational(T, w, A, d0min, d0max=np.inf, dmax=np.inf, a2=0.0):
    """∫ dΔ dΔ0/Δ0 (Δ/E)² sech²/(2T) (1, ωτ)/(1+ω²τ²) by scipy quad in (ln E, ln Δ0) —
    the plain-math integrand, no closed form."""
    def inner(E, part):
        def f(u):
            D0 = np.exp(u)
            D = np.sqrt(max(E * E - D0 * D0, 0.0))
            rate = D0**2 * (A * E / np.tanh(E / (2 * T)) + a2 * T**7 / E**2)
            wt = w / rate
            g = 1 / (1 + wt * wt) if part == 0 else wt / (1 + wt * wt)
            return (D / E) * g
        lo = np.log(d0min)
        if np.isfinite(dmax) and E > dmax:
            lo = max(lo, 0.5 * np.log(E * E - dmax * dmax))
        hi = np.log(min(E, d0max))
        if hi <= lo:
            return 0.0
        return integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-11, limit=200)[0]

    out = []
    for part in (0, 1):
        g = lambda le, part=part: (np.exp(le) * inner(np.exp(le), part) / (2 * T)  # noqa: E731
                                   / np.cosh(np.exp(le) / (2 * T)) ** 2)
        out.append(integrate.quad(g, np.log(d0min), np.log(50 * T), epsabs=0, epsrel=1e-10,
                                  limit=200)[0])
    return out


@pytest.mark.parametrize("T,f", [(0.003, 1e2), (0.03, 1e4), (0.3, 1e6), (3.0, 1e3)])
def test_relaxational_parts_against_nested_quadrature(T, f):
    # the closed-form Δ0 integral + η rule against plain nested quad: 1e-7 (quad's own
    # tolerance is 1e-10..1e-11; the rule is ~1e-10)
    w = 2 * np.pi * f
    o = stm_acoustics(T, w, C=C, A=A)
    re, im = _nested_relaxational(T, w, A, 1e-6)
    assert o["rel"] == pytest.approx(-C * re, rel=1e-7)
    assert o["Qinv_rel"] == pytest.approx(2 * C * im, rel=1e-7)


def test_finite_cutoffs_and_second_channel_against_nested_quadrature():
    T, w = 0.05, 2 * np.pi * 1e4
    o = stm_acoustics(T, w, C=C, A=A, Delta0_min=1e-5, Delta0_max=0.08, Delta_max=0.2,
                      rate2=raman_rate(5e5))
    re, im = _nested_relaxational(T, w, A, 1e-5, 0.08, 0.2, a2=5e5)
    assert o["rel"] == pytest.approx(-C * re, rel=1e-7)
    assert o["Qinv_rel"] == pytest.approx(2 * C * im, rel=1e-7)
    # the Raman channel speeds relaxation: below the crossover (T = 50 mK < T0 = 68 mK here)
    # more systems relax within 1/ω, so both the relaxational softening and the loss grow
    plain = stm_acoustics(T, w, C=C, A=A, Delta0_min=1e-5, Delta0_max=0.08, Delta_max=0.2)
    assert abs(o["rel"]) > abs(plain["rel"]) and o["Qinv_rel"] > plain["Qinv_rel"]


# ---------------------------------------------------------------------- textbook limits


def test_resonant_slope_is_plus_C_per_efold():
    # exact for Δ0min << T (correction ~ Δ0min/2T = 5e-7 here), any ħω << k_BT
    r = stm_acoustics(np.array([1e-3, 1e-2]), 2 * np.pi * 1e2, C=C, A=A, Delta0_min=1e-9)
    slope = (r["res"][1] - r["res"][0]) / np.log(10)
    assert slope == pytest.approx(C, rel=1e-5)
    lim = acoustic_log_limits(np.array([1e-2]), 1e-3, C)["res"][0]
    assert r["res"][1] - r["res"][0] == pytest.approx(lim, rel=1e-5)


def test_relaxational_slope_net_slope_and_plateau_above_the_crossover():
    w = 2 * np.pi * 1e2  # T0(ω) = (ω/2A)^{1/3} = 15 mK
    T = np.array([10.0, 30.0])
    r = stm_acoustics(T, w, C=C, A=A)
    # corrections ~ sqrt(ωτmin) ~ 6e-5 at 10 K
    assert (r["rel"][1] - r["rel"][0]) / np.log(3) == pytest.approx(-1.5 * C, rel=1e-3)
    assert (r["total"][1] - r["total"][0]) / np.log(3) == pytest.approx(-0.5 * C, rel=3e-3)
    for Tk in (1.0, 3.0, 10.0):
        q = stm_acoustics(Tk, w, C=C, A=A)["Qinv_rel"]
        # the plateau πC/2 is approached as ~1.1 sqrt(ω/2AT³) (measured); allow twice that
        assert abs(q / (np.pi * C / 2) - 1) < 2 * np.sqrt(w / (2 * A * Tk**3))


def test_low_temperature_friction_is_T_cubed_over_omega():
    w = 2 * np.pi * 1e2
    T0 = (w / (2 * A)) ** (1 / 3)
    for T in (T0 / 30, T0 / 15):
        q = stm_acoustics(T, w, C=C, A=A, Delta0_min=1e-10)["Qinv_rel"]
        # leading correction ~ (T/T0)³ (measured 3e-4 at T0/15): 10x that
        assert q == pytest.approx(low_temperature_friction(T, w, C, A), rel=10 * (T / T0) ** 3)


def test_maximum_of_the_velocity_sits_at_the_crossover():
    # for Δ0min -> 0 and ħω << k_BT, Δv/v depends on T and ω through ω/(AT³) and ln T only:
    # T_max ∝ (ω/2A)^{1/3} with one universal factor; at T_max the resonant slope +C is
    # cancelled by the relaxational one. The maximum is flat: its position is found only to
    # ~sqrt(quadrature noise), so the curve is taken on the fine rule (n = 16) in the
    # quasistatic form (the ħω << k_BT limit; the principal-value form differs by a constant
    # there but carries the ~1e-9 noise of its own fixed rule, a 1e-5 wobble of T_max)
    from scipy.optimize import minimize_scalar

    ratios = []
    fine = dict(C=C, A=A, Delta0_min=1e-10, n=16, resonant="quasistatic")
    for f in (1e2, 1e4, 1e6):
        w = 2 * np.pi * f
        t0 = (w / (2 * A)) ** (1 / 3)
        res = minimize_scalar(lambda lt, w=w: -stm_acoustics(np.exp(lt), w, **fine)["total"],
                              bracket=(np.log(0.3 * t0), np.log(3 * t0)), tol=1e-10)
        ratios.append(np.exp(res.x) / t0)
        T = np.exp(res.x) * np.array([1 - 1e-4, 1 + 1e-4])
        rel = stm_acoustics(T, w, C=C, A=A, Delta0_min=1e-10)["rel"]
        assert (rel[1] - rel[0]) / np.log(T[1] / T[0]) == pytest.approx(-C, rel=1e-3)
    assert np.ptp(ratios) < 1e-5 * ratios[0]
    assert 1.0 < ratios[0] < 3.0  # ωτmin(E = 2.5 k_BT) ≈ 1 there


def test_full_dispersion_at_GHz_against_the_digamma_form():
    # for Δ0min << k_BT, ħω the principal-value resonant part is C [Re Ψ(½ + iy) - ln y],
    # y = ħω/(2π k_BT) (the resonator community's closed form; -3/2 times the dielectric one)
    from scipy.special import digamma

    T = np.geomspace(5e-3, 1.0, 9)
    w = 2 * np.pi * 1e9
    r = stm_acoustics(T, w, C=C, A=A, Delta0_min=1e-9, resonant="full")
    y = sc.hbar * w / (2 * np.pi * sc.k * T)
    ref = C * (digamma(0.5 + 1j * y).real - np.log(y))
    np.testing.assert_allclose(r["res"], ref, rtol=1e-6, atol=1e-6 * C)
    # "auto" switches to it at GHz (ħω = 48 mK ~ k_BT here), the quasistatic form is far off
    auto = stm_acoustics(T, w, C=C, A=A, Delta0_min=1e-9)
    np.testing.assert_allclose(auto["res"], r["res"], rtol=1e-12)
    quasi = stm_acoustics(T, w, C=C, A=A, Delta0_min=1e-9, resonant="quasistatic")
    assert abs(quasi["res"][0] - ref[0]) > 0.5 * abs(ref[0])
    # resonant absorption: πC tanh(ħω/2k_BT) above Δ0min, none for ħω < Δ0min
    x = sc.hbar * w / (2 * sc.k * T)
    np.testing.assert_allclose(r["Qinv_res"], np.pi * C * np.tanh(x), rtol=1e-9)
    low = stm_acoustics(0.1, 2 * np.pi * 1e3, C=C, A=A, Delta0_min=1e-6)
    assert low["Qinv_res"] == 0.0


def test_tunnelling_strength_of_silica_like_values():
    # P̄ = 8e44 J^-1 m^-3, γ_t = 0.65 eV, ρ = 2200 kg/m³, v_t = 3800 m/s: by hand
    # 8e44 (1.0414e-19 J)² / 3.1768e10 Pa = 2.731e-4 (silica's C_t is ~2.4-3e-4)
    assert tunnelling_strength(8e44, 0.65, 2200, 3800) == pytest.approx(2.731e-4, rel=1e-3)


# --------------------------------------------------------------------- thermal conductivity


def test_thermal_conductivity_limits():
    T = np.geomspace(1e-3, 1.0, 7)
    kw = dict(v_l=5968.0, v_t=3763.0)
    k_res = thermal_conductivity(T, scattering=[ResonantScattering(3e-4, 2.4e-4)], **kw)
    lim = kappa_resonant_limit(T, C_l=3e-4, C_t=2.4e-4, **kw)
    np.testing.assert_allclose(k_res, lim, rtol=1e-9)  # ∫ = π² to ~1e-11
    assert np.allclose(np.diff(np.log(k_res)) / np.diff(np.log(T)), 2.0, atol=1e-9)
    k_b = thermal_conductivity(T, scattering=[BoundaryScattering(2e-3)], **kw)
    np.testing.assert_allclose(k_b, kappa_boundary_limit(T, L=2e-3, **kw), rtol=1e-9)
    both = thermal_conductivity(T, scattering=[ResonantScattering(3e-4, 2.4e-4),
                                               BoundaryScattering(2e-3)], **kw)
    assert np.all(both < np.minimum(k_res, k_b))
    # from boundary-limited at 1 mK (0.82 of the Casimir value) to resonant-limited at 1 K
    # (0.93 of the T² law for L = 2 mm), monotonically
    assert np.all(np.diff(both / k_b) < 0) and np.all(np.diff(both / k_res) > 0)
    assert both[0] / k_b[0] > 0.8 and both[-1] / k_res[-1] > 0.9
    # the combined rates against scipy quad over ω of the Debye integrand
    Tq = 0.05

    def integrand(w, v, Cs, g):
        x = sc.hbar * w / (sc.k * Tq)
        c = sc.k / (2 * np.pi**2 * v**3) * w**2 * x**2 * np.exp(-x) / (-np.expm1(-x)) ** 2
        inv = np.pi * Cs * w / v * np.tanh(x / 2) + 1 / 2e-3
        return g / 3 * c * v / inv

    wmax = 60 * sc.k * Tq / sc.hbar
    ref = sum(integrate.quad(integrand, 0, wmax, args=a, epsabs=0, epsrel=1e-11)[0]
              for a in ((5968.0, 3e-4, 1), (3763.0, 2.4e-4, 2)))
    got = thermal_conductivity(Tq, scattering=[ResonantScattering(3e-4, 2.4e-4),
                                               BoundaryScattering(2e-3)], **kw)
    assert got == pytest.approx(ref, rel=1e-9)
    # Rayleigh scattering ℓ⁻¹ = bω⁴/v⁴ where it matters (b = 3e-28 m³: equal to the
    # resonant rate πCω/v at the thermal phonons of 1 K, q ~ 1.4e8 m⁻¹), against quad over ω
    Tr, b = 1.0, 3e-28
    got = thermal_conductivity(Tr, scattering=[ResonantScattering(3e-4, 2.4e-4),
                                               RayleighScattering(b)], **kw)

    def ray_integrand(w, v, Cs, g):
        x = sc.hbar * w / (sc.k * Tr)
        c = sc.k / (2 * np.pi**2 * v**3) * w**2 * x**2 * np.exp(-x) / (-np.expm1(-x)) ** 2
        return g / 3 * c * v / (np.pi * Cs * w / v * np.tanh(x / 2) + b * (w / v) ** 4)

    wm = 60 * sc.k * Tr / sc.hbar
    ref_r = sum(integrate.quad(ray_integrand, 0, wm, args=a, epsabs=0, epsrel=1e-11,
                               limit=200)[0] for a in ((5968.0, 3e-4, 1), (3763.0, 2.4e-4, 2)))
    assert got == pytest.approx(ref_r, rel=1e-8)
    k1 = kappa_resonant_limit(Tr, C_l=3e-4, C_t=2.4e-4, **kw)
    assert 0.1 < got / k1 < 0.9  # a real effect
    with pytest.raises(ValueError, match="diverges"):  # Rayleigh alone: long waves unscattered
        thermal_conductivity(0.1, scattering=[RayleighScattering(b)], **kw)
    # silica-like numbers: κ/T² ≈ 0.03 W/(m K³)
    assert 0.02 < lim[-1] < 0.05


# ---------------------------------------------------- time-dependent heat capacity, release


def _N_ref(E, T, t, d0):
    tmin = 1 / (A * E**3 / np.tanh(E / (2 * T)))
    f = lambda z: (z / np.sqrt(-np.expm1(-z * z)) * -np.expm1(-(t / tmin) * np.exp(-z * z))  # noqa: E731
                   if z > 0 else 1.0)
    zs = np.sqrt(np.log(t / tmin)) if t > tmin else None
    zmax = np.sqrt(2 * np.log(E / d0))
    pts = [zs] if zs is not None and zs < zmax else None
    return integrate.quad(f, 0, zmax, points=pts, epsabs=0, epsrel=1e-12, limit=400)[0]


@pytest.mark.parametrize("T,t", [(0.01, 1e-2), (0.1, 1e2), (1.0, 1e6)])
def test_cp_time_against_quadrature(T, t):
    d0 = 1e-6
    ref = sc.k * integrate.quad(lambda E: (E / (2 * T)) ** 2 / np.cosh(E / (2 * T)) ** 2
                                * _N_ref(E, T, t, d0), d0, 50 * T, epsabs=0, epsrel=1e-10,
                                limit=400)[0]
    assert cp_stm_time(T, t, P_bar=1.0, A=A) == pytest.approx(ref, rel=1e-7)


def test_cp_time_log_slope_and_equilibrium_limit():
    T, P = 0.1, 1e15
    t = np.array([1.0, 100.0])  # τmin(k_BT) ~ 1e-6 s << t << τmax ~ 1e4 s... (E=0.25 K)
    c = cp_stm_time(T, t, P_bar=P, A=A)
    slope = np.diff(c)[0] / np.log(100.0)
    # (π²/12) P̄ k_B² T: exact in the window up to e^{-t/τmax}-type ends (~1e-3 here)
    assert slope == pytest.approx(np.pi**2 / 12 * P * sc.k * T, rel=2e-3)
    # t -> ∞: the equilibrium Cp of the same ensemble by the 2-D average (independent route)
    eq = cp_stm(T, STMEnsemble(P_bar=P, Delta0_min=1e-6), n_u=48, n_delta=64)
    assert cp_stm_time(T, 1e40, P_bar=P, A=A) == pytest.approx(float(eq), rel=1e-6)


def test_finite_tunnelling_cutoff_in_cp_time_and_heat_release():
    # Δ0max = 0.05 K: fewer systems, and none with τ < τmin E²/Δ0max²; against quad in τ
    T, t, d0, d0max = 0.1, 1e-3, 1e-6, 0.05

    def N_ref(E):
        tmin = 1 / (A * E**3 / np.tanh(E / (2 * T)))
        lo = 2 * np.log(max(E / d0max, 1.0))
        hi = 2 * np.log(E / d0)
        f = lambda y: -np.expm1(-(t / tmin) * np.exp(-y)) / (2 * np.sqrt(-np.expm1(-y)))  # noqa: E731
        if lo == 0.0:  # the 1/sqrt edge at y = 0: y = z²
            g = lambda z: 2 * z * f(z * z) if z > 0 else 1.0  # noqa: E731
            return integrate.quad(g, 0, np.sqrt(hi), epsabs=0, epsrel=1e-12, limit=400)[0]
        return integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-12, limit=400)[0]

    ref = sc.k * integrate.quad(lambda E: (E / (2 * T)) ** 2 / np.cosh(E / (2 * T)) ** 2
                                * N_ref(E), d0, 50 * T, points=[d0max], epsabs=0,
                                epsrel=1e-10, limit=400)[0]
    got = cp_stm_time(T, t, P_bar=1.0, A=A, Delta0_max=d0max)
    assert got == pytest.approx(ref, rel=1e-6)
    assert got < cp_stm_time(T, t, P_bar=1.0, A=A)
    # early release comes from fast systems (Δ0 ~ E ~ k_BT1): the cutoff removes them
    q_cut = heat_release(1e-7, T1=1.0, T0=0.05, P_bar=1.0, A=A, Delta0_max=d0max)
    assert 0 < q_cut < 0.9 * heat_release(1e-7, T1=1.0, T0=0.05, P_bar=1.0, A=A)


def test_heat_release_closed_form_and_one_over_t():
    T1, T0, d0 = 1.0, 0.05, 1e-6

    def ref(t):
        def g(le):
            E = np.exp(le)
            tmin = 1 / (A * E**3 / np.tanh(E / (2 * T0)))
            dU = 0.5 * E * (np.tanh(E / (2 * T0)) - np.tanh(E / (2 * T1)))
            k, slo = t / tmin, (d0 / E) ** 2
            m = min(max(60 / k, slo), 0.5)
            inn = integrate.quad(lambda s: np.exp(-k * s) / (2 * np.sqrt(1 - s)), slo, m,
                                 epsabs=0, epsrel=1e-12, limit=200)[0] if m > slo else 0.0
            if 60 / k > 0.5:
                inn += integrate.quad(lambda s: np.exp(-k * s) / 2, max(0.5, slo), 1,
                                      weight="alg", wvar=(0, -0.5), epsabs=0, epsrel=1e-12)[0]
            return E * dU * inn / tmin
        return sc.k * integrate.quad(g, np.log(d0), np.log(50 * T1), epsabs=0, epsrel=1e-10,
                                     limit=400)[0]

    for t in (1e-3, 1.0, 1e3):
        assert heat_release(t, T1=T1, T0=T0, P_bar=1.0, A=A) == pytest.approx(ref(t), rel=1e-8)
    # the 1/t law with the (π²/24) P̄ k_B² (T1² - T0²) prefactor, inside the window
    q = heat_release(np.array([1e-2, 1.0]), T1=T1, T0=T0, P_bar=1.0, A=A)
    lim = heat_release_limit(np.array([1e-2, 1.0]), T1=T1, T0=T0, P_bar=1.0)
    np.testing.assert_allclose(q / lim, 1.0, rtol=3e-3)


# ------------------------------------------------------------------- model functions, ATS


def test_model_functions_and_ats_prediction():
    assert cm.dv_stm(0.1, 1e3, dv0=1e-5) == pytest.approx(
        float(stm_acoustics(0.1, 2 * np.pi * 1e3, C=3e-4, A=1e8)["total"]) + 1e-5, rel=1e-12)
    assert isinstance(cm.qinv_stm(1.0, 1e3), float)
    kw = dict(K_el=2e-5, Dmin=0.02, X0min=2e5, X0max=3e5)
    assert cm.dv_ats(0.1, 0.0, **kw) == pytest.approx(0.0, abs=1e-15)
    B = np.array([0.05, 0.3, 1.0])
    deps = cm.deps_ats(0.1, B, K=2e-5, Dmin=0.02, X0min=2e5, X0max=3e5)
    np.testing.assert_allclose(cm.dv_ats(0.1, B, **kw), -0.5 * deps, rtol=1e-12)
    assert cm.heat_release_stm(10.0) > 0 and cm.cp_stm_time(0.1, 10.0) > 0


@pytest.mark.parametrize("call,match", [
    (lambda: stm_acoustics(0.1, 0.0, C=C, A=A), "omega"),
    (lambda: stm_acoustics(0.1, 1e3, C=-1, A=A), "C must be >= 0"),
    (lambda: stm_acoustics(0.1, 1e3, C=C, A=0.0), "A must be > 0"),
    (lambda: stm_acoustics(0.1, 1e3, C=C, A=A, resonant="pv"), "resonant"),
    (lambda: stm_acoustics(np.nan, 1e3, C=C, A=A), "finite"),
    (lambda: thermal_conductivity(0.1, v_l=1, v_t=1, scattering=[]), "scattering"),
    (lambda: stm_acoustics(0.1, 1e3, C=C, A=A, n=2.5), "integer"),
    (lambda: stm_acoustics(0.1 + 1j, 1e3, C=C, A=A), "real"),
    (lambda: heat_release(1.0, T1=np.array([1.0, 2.0]), T0=0.1, P_bar=1, A=A), "one temp"),
    (lambda: BoundaryScattering(0.0), "L must be > 0"),
    (lambda: heat_release(1.0, T1=0.01, T0=0.1, P_bar=1, A=A), "T1 > T0"),
    (lambda: cp_stm_time(0.1, -1.0, P_bar=1, A=A), "t must be > 0"),
    (lambda: cm.dv_stm(0.1), "frequency_Hz"),
])
def test_refusals(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------------- fits


def _synthetic(quantity, func, truth, sigma, seed=1):
    rng = np.random.default_rng(seed)
    T = np.geomspace(0.01, 3, 30)
    f = np.array([1e3, 1e5])
    TT, FF = (a.ravel() for a in np.meshgrid(T, f))
    TT = TT * (1 + 0.003 * rng.standard_normal(TT.size))  # drifting thermometry
    y = func(TT, FF, **truth)
    return Dataset(quantity, TT, np.zeros_like(TT), y + sigma * rng.standard_normal(y.size),
                   np.full(y.size, sigma), frequency=FF, has_field=False)


def test_fit_sound_velocity_recovers_C_and_A():
    from coldglass.fit import fit_sound_velocity

    truth = dict(C=2.4e-4, A=3e8, dv0=-1e-4)
    r = fit_sound_velocity(_synthetic("dv_v", cm.dv_stm, truth, 2e-6))
    assert r.ok
    for k in ("C", "A"):
        p = r.params[k]
        assert abs(p.value - truth[k]) < 4 * p.stderr, k  # within 4σ of the truth


def test_fit_internal_friction_recovers_C_and_A():
    from coldglass.fit import fit_internal_friction

    truth = dict(C=2.4e-4, A=3e8, Q0=2e-5)
    r = fit_internal_friction(_synthetic("Qinv", cm.qinv_stm, truth, 5e-6))
    assert r.ok
    for k in ("C", "A"):
        p = r.params[k]
        assert abs(p.value - truth[k]) < 4 * p.stderr, k


def test_fit_thermal_conductivity_recovers_C_t_and_boundary():
    from coldglass.fit import fit_thermal_conductivity

    rng = np.random.default_rng(4)
    T = np.geomspace(0.02, 1.0, 30)
    y = cm.kappa_stm(T, C_l=2.4e-4, C_t=2.4e-4, L_boundary=2e-3)
    ds = Dataset("kappa", T, np.zeros_like(T), y * (1 + 0.01 * rng.standard_normal(T.size)),
                 0.01 * y, has_field=False)
    r = fit_thermal_conductivity(ds, options={"vary": ["L_boundary"],
                                              "init": {"L_boundary": 1e-2},
                                              "fix": {"v_l": 5800.0, "v_t": 3800.0}})
    assert r.ok
    assert abs(r.params["C_t"].value - 2.4e-4) < 4 * r.params["C_t"].stderr
    assert abs(r.params["L_boundary"].value - 2e-3) < 4 * r.params["L_boundary"].stderr
    assert r.params["C_l"].value == r.params["C_t"].value  # tied without a material


def test_fit_thermal_conductivity_needs_the_sound_velocities():
    from coldglass.fit import fit_thermal_conductivity

    T = np.geomspace(0.02, 1.0, 12)
    ds = Dataset("kappa", T, np.zeros_like(T), cm.kappa_stm(T), None, has_field=False)
    with pytest.raises(ValueError, match="v_l, v_t"):
        fit_thermal_conductivity(ds)
    r = fit_thermal_conductivity(ds, options={"fix": {"v_l": 5800.0, "v_t": 3800.0}})
    assert r.params["C_t"].value == pytest.approx(3e-4, rel=1e-5)


def test_empty_inputs_give_empty_outputs():
    e = np.array([])
    assert cm.dv_stm(e, 1e3).shape == (0,) and cm.qinv_stm(e, 1e3).shape == (0,)
    assert cm.kappa_stm(e).shape == (0,) and cm.cp_stm_time(e, e).shape == (0,)
    assert cm.eps_stm(e, 1e3).shape == (0,) and cm.m_ats(e, e).shape == (0,)


def test_fit_needs_a_frequency():
    from coldglass.fit import fit_sound_velocity

    ds = _synthetic("dv_v", cm.dv_stm, dict(C=2.4e-4, A=3e8), 1e-6)
    with pytest.raises(ValueError, match="f column and frequency_Hz"):
        fit_sound_velocity(ds, frequency_Hz=1e3)
    bare = Dataset("dv_v", ds.T, ds.B, ds.y, ds.sigma, has_field=False)
    with pytest.raises(ValueError, match="measuring frequency"):
        fit_sound_velocity(bare)


def test_cli_fit_sound_velocity_in_user_units(tmp_path):
    from typer.testing import CliRunner

    from coldglass.cli import app

    rng = np.random.default_rng(3)
    rows = []
    for f in (0.6e3, 5e3):
        T = np.geomspace(0.015, 2.5, 25) * (1 + 0.004 * rng.standard_normal(25))
        y = cm.dv_stm(T, f, C=2.9e-4, A=5e7, dv0=3e-5) + 3e-7 * rng.standard_normal(25)
        rows += [(t * 1e3, v * 1e6, f / 1e3, 0.3) for t, v in zip(T, y, strict=True)]
    csv = tmp_path / "dv.csv"
    csv.write_text("T [mK],dv_v [ppm],f [kHz],sigma [ppm]\n"
                   + "".join(",".join(f"{v:.7g}" for v in r) + "\n" for r in rows))
    out = tmp_path / "fit"
    res = CliRunner().invoke(app, ["fit", "sound-velocity", str(csv), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "fit.png").exists() and (out / "params.csv").exists()
    text = (out / "params.csv").read_text()
    assert "status: ok" in text
    bad = tmp_path / "typo.csv"
    bad.write_text("T [mK],dv_V [ppm],f [kHz]\n10,1,1\n")
    res = CliRunner().invoke(app, ["fit", "sound-velocity", str(bad), "--out",
                                   str(tmp_path / "x")])
    assert res.exit_code != 0 and "dv_v" in res.output


def test_glass_components_for_acoustics():
    from coldglass.ensembles import ATSEnsemble
    from coldglass.glass import ATS, AcousticTLS, Glass, HeatTransport

    g = Glass("silica", [AcousticTLS(2.4e-4, 1e8), HeatTransport(2.4e-4, 2.4e-4, 5968.0,
                                                                  3763.0, 2e-3)])
    assert set(g.observables) == {"dv", "Qinv", "kappa"}
    T = np.array([0.05, 0.5])
    np.testing.assert_allclose(g.evaluate("dv", T, frequency_Hz=1e3),
                               cm.dv_stm(T, 1e3, C=2.4e-4, A=1e8), rtol=1e-12)
    np.testing.assert_allclose(g.evaluate("kappa", T),
                               cm.kappa_stm(T, C_l=2.4e-4, C_t=2.4e-4, v_l=5968.0, v_t=3763.0,
                                            L_boundary=2e-3), rtol=1e-12)
    params = g.model("Qinv").make_params()
    assert params["acoustic_tls_C"].value == 2.4e-4 and params["acoustic_tls_A"].value == 1e8
    with pytest.raises(ValueError, match="contributes"):
        g.evaluate("cp", T)
    with pytest.raises(ValueError, match="C = -1"):
        AcousticTLS(-1.0, 1e8)
    ens = ATSEnsemble.from_fit_combination(0.02, 2e5, 3e5)
    a = Glass("ats", [ATS(ens, K_el=1e-5)])
    assert "ddv" in a.observables and a.evaluate("ddv", 0.1, 0.0) == pytest.approx(0.0,
                                                                                  abs=1e-15)


@pytest.mark.parametrize("name,command,column,extra", [
    ("sio2_dv_synthetic.csv", "sound-velocity", "C", []),
    ("sio2_qinv_synthetic.csv", "internal-friction", "C", []),
    ("sio2_kappa_synthetic.csv", "thermal-conductivity", "C_t",
     ["--vary", "L_boundary", "--init", "L_boundary=1e-2"]),
])
def test_example_files_fit_back_to_their_truth(tmp_path, name, command, column, extra):
    # the SYNTHETIC example files (coldglass.synthetic.synthetic_acoustics, a-SiO2 values)
    # fitted from the command line as the README shows: C within 4σ of a-SiO2's 2.4e-4
    import pandas as pd
    from typer.testing import CliRunner

    from coldglass.cli import app
    from coldglass.synthetic import synthetic_acoustics

    path = Path(__file__).resolve().parents[1] / "examples" / "data" / name
    q = {"dv": "dv_v", "qinv": "Qinv", "kappa": "kappa"}[name.split("_")[1]]
    np.testing.assert_allclose(read_csv(path).y, synthetic_acoustics(q).y, rtol=1e-6)
    res = CliRunner().invoke(app, ["fit", command, str(path), "--material", "a-SiO2",
                                   "--out", str(tmp_path / "fit")] + extra)
    assert res.exit_code == 0, res.output
    assert "SYNTHETIC" in res.output
    t = pd.read_csv(tmp_path / "fit" / "params.csv", comment="#").set_index("parameter")
    assert abs(t.loc[column, "value"] - 2.4e-4) < 4 * t.loc[column, "stderr"]
