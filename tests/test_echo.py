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
