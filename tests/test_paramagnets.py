"""Paramagnetic ions: Eqs. (16), (90)-(92) against the direct sum over the 2J+1 Zeeman levels."""

import numpy as np
import pytest

from coldglass.constants import K_B, MU_B, MU_B_K_PER_T
from coldglass.observables import paramagnets as P


def _levels(J, g, B):
    m = np.arange(-J, J + 1.0)
    return m * g * MU_B_K_PER_T * B  # energies in K


@pytest.mark.parametrize("J", [0.5, 2.0, 2.5, 3.5])
def test_schottky_heat_capacity_equals_energy_fluctuations(J):
    """C = (<E²> - <E>²)/(k_B T²) from the partition function of the 2J+1 levels."""
    g = 2.0
    T = np.array([0.3, 0.7, 1.5, 4.0])[:, None]
    B = np.array([0.05, 0.5, 2.0, 8.0])[None, :]
    E = _levels(J, g, B[..., None])
    w = np.exp(-(E - E.min(axis=-1, keepdims=True)) / T[..., None])
    p = w / w.sum(-1, keepdims=True)
    var = (p * E**2).sum(-1) - (p * E).sum(-1) ** 2
    ref = K_B * var / T**2
    # the reference variance <E²> - <E>² cancels where C < 1e-10 of its peak: absolute floor
    np.testing.assert_allclose(P.cp_paramagnet(T, B, 1.0, J, g), ref, rtol=1e-10,
                               atol=1e-10 * ref.max())
    # the printed z = g mu_B J B / k_B T is a different function for J != 1
    if J != 1:
        alt = P.cp_paramagnet(T, B, 1.0, J, g, z_includes_J=True)
        big = ref > 1e-6 * ref.max()
        assert np.max(np.abs(alt[big] / ref[big] - 1)) > 0.1


@pytest.mark.parametrize("J", [0.5, 2.0, 2.5])
def test_brillouin_magnetization_equals_thermal_average(J):
    g = 2.0
    T = np.array([0.5, 2.0, 10.0, 300.0])[:, None]
    B = np.array([0.01, 1.0, 5.0])[None, :]
    m = np.arange(-J, J + 1.0)
    E = _levels(J, g, B[..., None])
    w = np.exp(-(E - E.min(axis=-1, keepdims=True)) / T[..., None])
    p = w / w.sum(-1, keepdims=True)
    ref = (p * (-m) * g * MU_B).sum(-1)  # <-dH/dB>, H = m g mu_B B
    np.testing.assert_allclose(P.magnetization_paramagnet(T, B, 1.0, J, g), ref, rtol=1e-12)


def test_curie_limit_and_saturation():
    for J in (2.0, 2.5):
        T, B = 300.0, 1e-3
        M = P.magnetization_paramagnet(T, B, 1e17, J)
        # Eq. 92; the first correction is of relative order z² ~ (g mu_B J B / k T)² ~ 1e-11
        assert M / B == pytest.approx(float(P.curie_susceptibility(T, 1e17, J)), rel=1e-9)
        # saturation n g mu_B J at T -> 0
        assert P.magnetization_paramagnet(0.01, 10.0, 1e17, J) == pytest.approx(
            1e17 * 2 * MU_B * J, rel=1e-12)
    assert P.brillouin(2.5, 1e-9) == pytest.approx((3.5 / 7.5) * 1e-9, rel=1e-9)


def test_thermodynamic_consistency_of_the_paramagnet():
    """M = -∂F/∂B and C = -T ∂²F/∂T² with F = -n k_B T ln Z (central differences; their
    truncation error ~ h² f''' / 6 is < 1e-7 relative at these steps)."""
    J, n = 2.5, 1e17
    T, B = 1.3, 0.7
    h = 1e-4
    F = lambda t, b: P.free_energy_paramagnet(t, b, n, J)  # noqa: E731
    M_fd = -(F(T, B + h) - F(T, B - h)) / (2 * h)
    assert P.magnetization_paramagnet(T, B, n, J) == pytest.approx(M_fd, rel=1e-7)
    hT = 1e-3
    C_fd = -T * (F(T + hT, B) - 2 * F(T, B) + F(T - hT, B)) / hT**2
    assert P.cp_paramagnet(T, B, n, J) == pytest.approx(C_fd, rel=1e-5)


@pytest.mark.parametrize("call, match", [
    (lambda: P.cp_paramagnet(-1.0, 1.0, 1.0, 2.0), "T must be > 0"),
    (lambda: P.cp_paramagnet(np.nan, 1.0, 1.0, 2.0), "T must be finite"),
    (lambda: P.magnetization_paramagnet(1.0, 1.0, -5.0, 2.0), "n must be >= 0"),
    (lambda: P.magnetization_paramagnet(1.0, 1.0, 1.0, 1.3), "half-integer"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
