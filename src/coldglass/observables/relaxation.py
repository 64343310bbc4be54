"""Relaxation rates of tunnelling systems (paper Eqs. 38-40, 55-57). Energies in K, rates s⁻¹.

The 2LS one-phonon rate (Eq. 39) and the ATS rate (Eq. 55) are defined once here and used by
the dielectric and the echo observables.
"""

from __future__ import annotations

import numpy as np
import scipy.constants as sc
from numpy.typing import ArrayLike

from ..validation import finite, nonnegative, positive, temperature

__all__ = [
    "one_phonon_coefficient",
    "tls_rate",
    "crossover_temperature",
    "ats_rate",
    "total_rate",
    "ats_tau_distribution",
]


def _coth_half(E: np.ndarray, T: np.ndarray) -> np.ndarray:
    """coth(E/2T), finite-safe (→ 2T/E for E << T)."""
    x = E / (2.0 * T)
    xs = np.where(x < 1e-8, 1.0, x)
    return np.where(x < 1e-8, 1.0 / np.maximum(x, 1e-300), 1.0 / np.tanh(xs))


def one_phonon_coefficient(gamma_l_eV: float, gamma_t_eV: float, v_l: float, v_t: float,
                           rho: float) -> float:
    """Rate coefficient ``A = (γ_l²/v_l⁵ + 2γ_t²/v_t⁵) / (2πρħ⁴)`` of Eq. (39) in s⁻¹ K⁻³.

    Deformation potentials γ in eV, sound velocities in m/s, mass density ρ in kg/m³; the
    energies of ``τ⁻¹ = A Δ0² E coth(E/2k_BT)`` are then in kelvin.
    """
    gl, gt = (float(finite(n, v)) * sc.e for n, v in (("gamma_l_eV", gamma_l_eV),
                                                        ("gamma_t_eV", gamma_t_eV)))
    vl, vt, r = (float(positive(n, v)) for n, v in (("v_l", v_l), ("v_t", v_t), ("rho", rho)))
    A_SI = (gl**2 / vl**5 + 2 * gt**2 / vt**5) / (2 * np.pi * r * sc.hbar**4)  # 1/(J³ s)
    return A_SI * sc.k**3


def tls_rate(E: ArrayLike, Delta0: ArrayLike, T: ArrayLike, A: float) -> np.ndarray:
    """One-phonon relaxation rate of a 2LS, ``τ⁻¹ = A Δ0² E coth(E/2k_BT)`` (Eq. 39) [s⁻¹]."""
    E = nonnegative("E", E, "K")
    return positive("A", A) * nonnegative("Delta0", Delta0, "K") ** 2 * E * _coth_half(
        E, temperature(T))


def crossover_temperature(omega: ArrayLike, A: float) -> np.ndarray:
    """Crossover ``T0(ω) = (1/k_B)(ωπρħ⁴/(γ_l²/v_l⁵ + 2γ_t²/v_t⁵))^{1/3} = (ω/2A)^{1/3}``
    (Eq. 38) [K], where the resonant decrease of ε'(T) turns into the relaxational increase."""
    return (positive("omega", omega, "rad/s") / (2.0 * positive("A", A))) ** (1.0 / 3.0)


def ats_rate(E: ArrayLike, D: ArrayLike, T: ArrayLike, Gamma: float) -> np.ndarray:
    """ATS relaxation rate, our reading of Eq. (55) [s⁻¹]:

    ``τ⁻¹ = Γ E³ (D0²φ² + 5D²/6) coth(E/2k_BT) = Γ E³ (E² - D²/6) coth(E/2k_BT)``.

    The text prints ``E³(...)/(Γ tanh(E/2k_BT))``, which has the dimension of a time, not a
    rate, when Γ is "the rate coefficient in s⁻¹ K⁻⁵" of Table 7; dividing by tanh is
    multiplying by coth, the one-phonon thermal factor, so the rate is Γ E³(...) coth. Its
    range at fixed E, ``τmin = 1/(Γ E⁵ coth)`` (D = 0) to ``τmax = 6/5 τmin`` (D = E), is the
    one the text gives under Eq. (57); the distribution Eq. (57) follows from this reading
    (see :func:`ats_tau_distribution` and its test).
    """
    E = nonnegative("E", E, "K")
    D = nonnegative("D", D, "K")
    return positive("Gamma", Gamma) * E**3 * (E**2 - D**2 / 6.0) * _coth_half(E, temperature(T))


def total_rate(*rates: ArrayLike) -> np.ndarray:
    """Total rate of parallel relaxation channels, ``1/τ_tot = Σ 1/τ_i`` (Eq. 56) [s⁻¹]."""
    return sum((nonnegative("rate", r) for r in rates), np.zeros(()))


def ats_tau_distribution(E: ArrayLike, tau: ArrayLike, T: ArrayLike, Gamma: float,
                         P_star: float = 1.0) -> np.ndarray:
    """ATS relaxation-time distribution at fixed gap E (Eq. 57), per unit E and τ:

    ``P(E, τ) = π P* τmin / (5E (τ - τmin)(τmax - τ))`` for ``τmin < τ < τmax = 6τmin/5``,
    obtained from the measure ``2π P* dD/D dD0/D0`` and Eq. (55) without field cutoffs
    (all D in [0, E] allowed: the B -> ∞ envelope of the φ-dependent boundaries).
    """
    E = positive("E", E, "K")
    tau = positive("tau", tau, "s")
    tmin = 1.0 / ats_rate(E, 0.0, T, Gamma)
    tmax = 1.2 * tmin
    inside = (tau > tmin) & (tau < tmax)
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.pi * P_star * tmin / (5.0 * E * (tau - tmin) * (tmax - tau))
    return np.where(inside, val, 0.0)
