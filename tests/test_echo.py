"""Single-system two-pulse echo (Sec. 6, Eqs. 62-66, 77): exact propagation, closed-form echo
term, numerical Liouville integration (rotating and laboratory frame)."""

import numpy as np
import pytest

from coldglass.observables import echo as Ec

RABI = 2 * np.pi * 1.0e6  # rad/s
TAU1, TAU2 = 0.1e-6, 0.2e-6  # the paper's τ2 = 2τ1 = 0.2 μs


@pytest.mark.parametrize("detuning", [0.3 * RABI, -1.7 * RABI, 4.0 * RABI])
def test_closed_form_is_the_refocused_part(detuning):
    """Averaging the exact signal over τ12 = k·2π/(NΔ), k < N, cancels every term that
    oscillates as e^{iΔτ12} or e^{2iΔτ12} exactly; what is left is the τ12-independent echo."""
    N = 16
    tau12 = 2e-6 + np.arange(N) * 2 * np.pi / (N * abs(detuning))
    sig = np.array([Ec.two_pulse_echo(detuning, RABI, TAU1, TAU2, t, 0.7) for t in tau12])
    assert sig.mean() == pytest.approx(complex(Ec.echo_term(detuning, RABI, TAU1, TAU2, 0.7)),
                                       abs=1e-12)


def test_propagation_against_rotating_frame_integration():
    for d in (0.0, 0.8 * RABI, -2.5 * RABI):
        exact = complex(Ec.two_pulse_echo(d, RABI, TAU1, TAU2, 1.5e-6, 0.9))
        num = Ec.simulate_two_pulse_echo(1e9 + d, 1e9, RABI, TAU1, TAU2, 1.5e-6, 0.9)
        assert abs(num - exact) < 1e-8


def test_rotating_wave_against_laboratory_frame():
    """Full cos drive in the lab frame: the rotating-wave result holds to O(Ω_R/ω) (Bloch-
    Siegert); with ω = 40 Ω_R the difference must be < 3 Ω_R/ω and shrink with ω."""
    errs = []
    for ratio in (40.0, 80.0):
        w = ratio * RABI
        d = 0.5 * RABI
        lab = Ec.simulate_two_pulse_echo(w + d, w, RABI, TAU1, TAU2, 0.5e-6, 1.0, frame="lab",
                                         rtol=1e-9)
        rot = complex(Ec.two_pulse_echo(d, RABI, TAU1, TAU2, 0.5e-6, 1.0))
        errs.append(abs(lab - rot))
        assert errs[-1] < 3 / ratio
    assert errs[1] < errs[0]


def test_pi_half_pi_maximizes_the_resonant_echo():
    th1, th2 = np.meshgrid(np.linspace(0.01, np.pi, 315), np.linspace(0.01, 2 * np.pi, 629))
    amp = np.abs(Ec.echo_term(0.0, 1.0, th1, th2))  # Ω_R = 1: τ = θ
    i = np.unravel_index(np.argmax(amp), amp.shape)
    assert th1[i] == pytest.approx(np.pi / 2, abs=0.01)
    assert th2[i] == pytest.approx(np.pi, abs=0.01)
    assert amp[i] == pytest.approx(1.0, abs=1e-4)


def test_dephasing_decays_the_echo_as_exp_minus_2tau12_over_T2():
    """Resonant π/2-π pair: the echo at its centre is e^{-2τ12/T2} times the undamped one."""
    w0 = 1e9
    t1, t2 = np.pi / 2 / RABI, np.pi / RABI
    for tau12, T2 in ((1e-6, 3e-6), (4e-6, 2e-6)):
        damped = Ec.simulate_two_pulse_echo(w0, w0, RABI, t1, t2, tau12, 1.0, T2=T2)
        ideal = complex(Ec.echo_term(0.0, RABI, t1, t2, 1.0))
        assert damped == pytest.approx(ideal * np.exp(-2 * tau12 / T2), abs=1e-8)


def test_paper_spectral_functions_identity():
    d = np.linspace(-3, 3, 13) * RABI
    f = Ec.echo_spectral_functions(d, RABI, TAU1, TAU2)
    g = np.hypot(d, RABI)
    paper = -1j * 2 * f["sigma"] * RABI * (f["S"] + 1j * RABI / g * f["C"])
    np.testing.assert_allclose(Ec.echo_term(d, RABI, TAU1, TAU2), paper, atol=1e-14)


def test_bad_input():
    with pytest.raises(ValueError, match="tau1 must be > 0"):
        Ec.echo_term(0.0, RABI, -1.0, TAU2)
    with pytest.raises(ValueError, match="frame must be"):
        Ec.simulate_two_pulse_echo(1e9, 1e9, RABI, TAU1, TAU2, 1e-6, frame="moving")


# ------------------------------------------------------------ ensemble and glycerol pieces


def test_eq86_identity_against_quadrature():
    """The derived closed form of ∫_0^b cos x/(x² + a²) dx holds (to quadrature accuracy) over
    a range of a and b; the printed Eq. (86) does not, with scipy's principal branch."""
    from scipy import integrate

    for a in (0.05, 0.5, 3.0, 20.0):
        for b in (0.3, 2.0, 15.0, -4.0):
            ref = integrate.quad(lambda x, a=a: np.cos(x) / (x * x + a * a), 0, b, limit=2000,
                                 epsabs=1e-14, epsrel=1e-12)[0]
            assert Ec.lorentzian_cos_integral(a, b) == pytest.approx(ref, rel=1e-9, abs=1e-13)
    assert abs(Ec.lorentzian_cos_integral(0.5, 2.0, form="printed") - 2.0726) > 1.0


def _oscillating_part(t, tp3, dw):
    """ΔIEA minus its limit for an edge far below ħω (Δω -> ∞, where ΔIEA = -K e^{-a}):
    the part the DOS edge adds, K (a/π) ∫_b^∞ cos x/(x² + a²) dx."""
    y = Ec.iea_zero_field(t, tau_phi3=tp3, delta_omega=dw, tau_phi2=1.0)["ATS"]
    return y + np.exp(-2 * t / tp3)


def test_iea_oscillates_with_period_pi_over_delta_omega():
    """Fig. 20: the IEA(τ12) at B = 0 carries oscillations of period π/Δω (Δω read as an
    angular frequency, 0.6e6 rad/s: it is defined as ω - Dmin/ħ, a difference of angular
    frequencies). Zero crossings of the edge term are spaced by π/(2Δω): the mean spacing
    over 10 crossings matches within 2 % (the 1/x² envelope shifts single crossings)."""
    dw = 0.6e6
    t = np.linspace(5e-6, 60e-6, 55001)
    osc = _oscillating_part(t, 1.0e-6, dw)
    zc = t[np.flatnonzero(np.diff(np.sign(osc)) != 0)]
    assert len(zc) >= 10
    assert np.mean(np.diff(zc[-10:])) == pytest.approx(np.pi / (2 * dw), rel=0.02)


def test_iea_visibility_shrinks_and_vanishes_below_the_edge():
    """The oscillation amplitude drops when τφ(3) goes from 1.0 to 0.3 μs or Δω grows (at
    fixed τ12 windows), and the ATS contribution is strongly reduced when the DOS edge lies
    several linewidths above ħω (Δω τφ(3) = -5, Fig. 19 b) compared with below (+5)."""
    t = np.linspace(3e-6, 20e-6, 3401)

    def vis(tp3, dw):
        return np.max(np.abs(_oscillating_part(t, tp3, dw)))

    base = vis(1.0e-6, 0.6e6)
    assert vis(0.3e-6, 0.6e6) < 0.5 * base
    assert vis(1.0e-6, 2.4e6) < 0.5 * base
    t2 = np.linspace(0.1e-6, 3e-6, 300)
    above = Ec.iea_zero_field(t2, tau_phi3=1e-6, delta_omega=5e6, tau_phi2=1.0)["ATS"]
    below = Ec.iea_zero_field(t2, tau_phi3=1e-6, delta_omega=-5e6, tau_phi2=1.0)["ATS"]
    assert np.max(np.abs(below)) < 0.2 * np.max(np.abs(above))


def test_iea_closed_form_against_the_dos_convolution():
    """Eq. (85)-(87) route against the numerical convolution with χ(E) (Eq. 81) of the B = 0
    DOS edge at Dmin: for a DOS flat across the MHz window the two agree to 1e-3 (the
    Lorentzian cut at ±60 widths and the 1/E, tanh variation across it)."""
    from coldglass.constants import HBAR_K
    from coldglass.ensembles import ATSEnsemble

    w = 2 * np.pi * 0.887e9
    dw = 0.6e6
    Dmin = (w - dw) * HBAR_K
    ens = ATSEnsemble(Dmin=Dmin, D0min=1.0, D0max=5.0, d0_unit="K")
    t = np.array([1e-6, 3e-6, 7e-6])
    num = Ec.iea_ats(t, 0.0, ens, omega=w, T=0.0135, tau_phi3=1e-6, n=4000)
    ref = Ec.iea_zero_field(t, tau_phi3=1e-6, delta_omega=dw, tau_phi2=1.0, C2LS=0.0)["ATS"]
    scale = num[0] / ref[0]
    np.testing.assert_allclose(num, scale * ref, rtol=2e-3, atol=2e-3 * abs(num[0]))


def test_isotope_scaling_eq83():
    from coldglass.ensembles import ATSEnsemble

    ens = ATSEnsemble(Dmin=0.06, D0min=1e3, D0max=2e4)
    d = Ec.isotope_scaled(ens, 2.0, wkb_exponent=3.0)
    assert d.Dmin == pytest.approx(0.06 / np.sqrt(2), rel=1e-14)
    f = 2**-0.5 * np.exp(-3.0 * (np.sqrt(2) - 1))
    assert d.D0min == pytest.approx(1e3 * f) and d.D0max == pytest.approx(2e4 * f)


def test_stm_echo_decays_as_exp_minus_2tau12_over_tau_phi():
    kw = dict(rabi_max=2 * np.pi * 2e6, tau1=0.1e-6, tau2=0.2e-6, T=0.0135,
              omega=2 * np.pi * 1e9, tau_phi=5e-6)
    a1 = Ec.stm_echo_amplitude(1e-6, **kw)
    a2 = Ec.stm_echo_amplitude(4e-6, **kw)
    assert a1 > 0 and a2 / a1 == pytest.approx(np.exp(-2 * 3e-6 / 5e-6), rel=1e-12)


def _bas_kw(**over):
    from coldglass.materials import ECHO

    r = ECHO["BAS sample 1"]
    kw = dict(omega=2 * np.pi * r.frequency, T=0.015, p1F0_J=r.p1F0_J, tau1=0.1e-6,
              tau2=0.2e-6, tau12=3e-6, tau_phi=1 / (r.c_ats * 1e6 * 0.015), Gamma=r.Gamma,
              tan_phase=r.tan_phase, orientation="shortcut")
    kw.update(over)
    return r.ensemble(), kw


def _reference_echo(ens, kw):
    """ΔA(B) by nested scipy quad: outer over u = ln(D0/D0min), inner over the detuning,
    split at the resonance window ±L and at the DOS edge (shortcut orientation)."""
    from scipy import integrate

    from coldglass.constants import HBAR_K
    from coldglass.observables.relaxation import ats_rate

    rabi_scale = kw["p1F0_J"] / (HBAR_K * 1.380649e-23)
    L = 40 * rabi_scale / np.sqrt(6)
    Ew = kw["omega"] * HBAR_K

    def ref(B):
        a_min = float(ens.phase_energies(B)[0]) / np.sqrt(3)

        def inner(u):
            A = a_min * np.exp(u)
            lo = (np.sqrt(ens.Dmin**2 + A**2) - Ew) / HBAR_K

            def f(nu):
                E = Ew + HBAR_K * nu
                D2 = max(E * E - A * A, ens.Dmin**2)
                geom = np.sqrt((A * A + 5 * D2 / 6) / (6 * E * E))
                rabi = rabi_scale * geom
                pol = np.tanh(E / (2 * kw["T"]))
                if abs(nu) > L:
                    g = np.hypot(nu, rabi)
                    e = -pol * (rabi / g) ** 3 * (nu / g) / 2 + 0j
                else:
                    e = complex(Ec.echo_term(nu, rabi, kw["tau1"], kw["tau2"], pol))
                rate = 1 / kw["tau_phi"] + float(ats_rate(E, np.sqrt(D2), kw["T"], kw["Gamma"]))
                z = geom * e * np.exp(-2 * kw["tau12"] * rate) * HBAR_K * E / D2
                return -z.imag - kw["tan_phase"] * z.real

            edges = sorted({lo, *(p for p in (max(lo, -L), L) if p >= lo),
                            1e3 * max(L, abs(lo))})
            return sum(integrate.quad(f, a, b, limit=400, epsabs=0, epsrel=1e-9)[0]
                       for a, b in zip(edges[:-1], edges[1:], strict=False) if b > a)

        return 2 * np.pi * integrate.quad(inner, 0, ens.log_ratio, limit=200, epsabs=0,
                                          epsrel=1e-9)[0]

    return ref


@pytest.mark.slow
def test_ats_echo_against_nested_quad():
    """The (u, ν) Gauss-Legendre average against :func:`_reference_echo` at three fields;
    agreement 2e-5 relative to ΔA(0): the default rule (64 nodes) converges to ~1e-5 at the
    cusp B ≈ 0.24 T (doubling the nodes gives 4e-11), quad tolerances 1e-9. Slow (~80 s):
    run with ``pytest -m slow``; bench_echo.py repeats the comparison on a subset."""
    ens, kw = _bas_kw()
    got = Ec.ats_echo_amplitude(np.array([0.0, 0.1, 0.3]), ens, **kw)
    ref = _reference_echo(ens, kw)
    refs = np.array([ref(B) for B in (0.0, 0.1, 0.3)])
    np.testing.assert_allclose(got, refs, rtol=0, atol=2e-5 * abs(refs[0]))


def test_echo_amplitude_has_a_single_minimum():
    """A(B)/A_2LS = 1 - W ΔA/ΔA(0): one minimum, then recovery toward 1 (Sec. 6.2)."""
    ens, kw = _bas_kw()
    B = np.linspace(0, 1.5, 76)
    y = Ec.echo_relative_amplitude(B, ens, weight=0.3, **kw)
    d = np.sign(np.diff(y))
    assert y[0] == pytest.approx(0.7, rel=1e-12)
    assert np.count_nonzero(np.diff(d[d != 0]) != 0) == 1  # one change of direction
    assert y.argmin() not in (0, len(B) - 1) and y[-1] > y.min()


def test_echo_fits_recover_the_parameters():
    """Synthetic A(B) (Table 8, BAS sample 1, W = 0.3, σ = 0.004) and IEA(τ12) (Fig. 20
    parameters, σ = 0.005): the identifiable parameters within 3 standard errors."""
    from coldglass.fitting import fit_echo
    from coldglass.materials import ECHO, GLYCEROL
    from coldglass.synthetic import synthetic_echo, synthetic_iea

    res = fit_echo(synthetic_echo(seed=31, n_fields=25), "BAS sample 1", tau12=3e-6,
                   orientation="shortcut")
    r = ECHO["BAS sample 1"]
    for name, true in (("W", 0.3), ("ats_Dmin", r.Dmin), ("ats_X0min", r.X0min)):
        assert abs(res.value(name) - true) < 3 * res.stderr(name), name
    res = fit_echo(synthetic_iea(seed=32))
    assert 0.5 < res.result.redchi < 1.6
    for name, true in (("tau_phi3", GLYCEROL["tau_phi3"]), ("tau_phi2", GLYCEROL["tau_phi2"]),
                       ("delta_omega", GLYCEROL["delta_omega"]), ("C2LS", 1.0), ("KATS", 0.5)):
        assert abs(res.value(name) - true) < 3 * res.stderr(name), name


def test_three_level_ats_reduces_to_the_effective_2ls_echo():
    """One full three-level ATS (Eq. 68: ring Hamiltonian, well dipoles, laboratory-frame
    drive, no rotating-wave approximation) against the effective 2LS with the complex Rabi
    coupling |F0 d01| of Eqs. (69)-(70): the echo magnitude agrees to 1e-3 at resonance and to
    2 Ω_R/ω off resonance (Bloch-Siegert and third-level shifts are O(Ω_R/ω), O(Ω_R/(E2-E1)))."""
    from coldglass.systems import twp_levels

    e, phi = (0.01, -0.005, -0.005), 0.1
    lv = twp_levels(*e, 1.0, phi)
    w01 = lv[1] - lv[0]
    dip, F = np.array([1.0, -0.3, -0.7]), 0.008
    _, rabi = Ec.simulate_three_level_echo(e, 1.0, phi, dip, F, w01, 1e-3, 1e-3, 1e-3)
    tau1, tau2, tau12 = np.pi / 2 / rabi, np.pi / rabi, 1500.0
    for det, tol in ((0.0, 1e-3), (0.5, 2 * rabi / w01)):
        m3, _ = Ec.simulate_three_level_echo(e, 1.0, phi, dip, F, w01 - det * rabi, tau1, tau2,
                                             tau12, polarization=0.8, rtol=1e-8)
        m2 = complex(Ec.two_pulse_echo(det * rabi, rabi, tau1, tau2, tau12, 0.8))
        assert abs(m3) == pytest.approx(abs(m2), rel=tol)


@pytest.mark.parametrize("gamma", [None, 3e9])
@pytest.mark.parametrize("averaged", [False, True])
def test_detected_quadrature_in_real_arithmetic_is_that_of_the_complex_echo(gamma, averaged):
    """The ATS echo integrand's real-arithmetic signal against the complex echo built from
    the shared kernels (:func:`echo_term`, the ATS rate of Eq. 55): ``-Im z - tan Re z`` to
    1e-12 of its largest value (rounding only; the two are algebraically equal)."""
    from coldglass.constants import DEBYE_KV_PER_M_J, HBAR_K
    from coldglass.ensembles import ATSEnsemble
    from coldglass.observables.relaxation import ats_rate

    ens = ATSEnsemble(Dmin=0.018, D0min=950.0, D0max=2.13e4)
    T, tau12, tan_phase, omega = 0.015, 3e-6, 0.247, 2 * np.pi * 1e9
    z_of = Ec._EchoIntegrand(ens, omega=omega, T=T, p1F0_J=0.46 * DEBYE_KV_PER_M_J,
                             tau1=TAU1, tau2=TAU2, tau12=tau12, tau_phi=1e-5, Gamma=gamma)
    rng = np.random.default_rng(5)
    L = z_of.L
    nu = (rng.uniform(1.0, 30.0, 400) * rng.choice([-1, 1], 400) * L if averaged
          else rng.uniform(-L, L, 400))
    A = rng.uniform(0.0, 0.06, 400)
    inside = omega * HBAR_K + HBAR_K * nu > np.sqrt(ens.Dmin**2 + A**2)  # the ν domain
    nu, A = nu[inside], A[inside]
    assert nu.size > 100
    E = omega * HBAR_K + HBAR_K * nu
    D2 = np.maximum(E**2 - A**2, ens.Dmin**2)
    geom = np.sqrt((A**2 + 5 * D2 / 6) / (6 * E**2))
    rabi = z_of.rabi_scale * geom
    pol = np.tanh(E / (2 * T))
    g = np.hypot(nu, rabi)
    e = (-pol * (rabi / g) ** 3 * (nu / g) / 2 + 0j if averaged
         else Ec.echo_term(nu, rabi, TAU1, TAU2, pol))
    rate = 1e5 + (ats_rate(E, np.sqrt(D2), T, gamma) if gamma is not None else 0.0)
    z = geom * e * np.exp(-2 * tau12 * rate) * HBAR_K * E / D2
    want = -z.imag - tan_phase * z.real
    got = z_of.signal(nu, A, averaged, tan_phase)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
    assert np.abs(want).max() > 0
