"""Time-dependent heat capacity and heat release of the STM ensemble (paper Eq. 40).

The relaxation times of the STM's systems span many decades at one energy: in the (E, τ)
form of the ensemble, ``P(E, τ) = P̄/(2τ sqrt(1 - τmin(E)/τ))`` for
``τmin < τ <= τmax = τmin E²/Δ0min²`` (paper Eq. 40; :meth:`STMEnsemble.density_E_tau`),
with the one-phonon ``τmin(E)⁻¹ = A E³ coth(E/2k_BT)`` of a symmetric system (Eq. 39). Only
systems with τ shorter than the measuring time t take part in a heat-capacity measurement, and
systems with long τ release heat for days after a cooldown (Zimmermann and Weber, PRL 46, 661
(1981); Parshin and Sahling, PRB 47, 5677 (1993)):

* ``C(T, t) = P̄ k_B ∫ dE (E/2T)² sech²(E/2T) N(E, t)``, ``N = ∫ dτ P(E, τ)/P̄ (1 - e^{-t/τ})``;
  for ``τmin(k_BT) << t << τmax`` it is ``(π²/12) P̄ k_B² T ln(4t/τmin)``: a slope
  ``(π²/12) P̄ k_B² T`` per e-fold of t; for ``t -> ∞`` N is ``arccosh(E/Δ0min)`` and C the
  equilibrium STM heat capacity;
* after a quench from equilibrium at T1 to the bath temperature T0 at t = 0,
  ``Q̇(t) = P̄ k_B ∫ dE δU(E) ∫ dτ P(E, τ)/P̄ e^{-t/τ}/τ``, ``δU = (E/2)[tanh(E/2T0) -
  tanh(E/2T1)]``, with τ at T0; in the same window ``Q̇ = (π²/24) P̄ k_B² (T1² - T0²)/t``.

Energies in kelvin, P̄ per kelvin per unit amount (e.g. K⁻¹ g⁻¹), so C is in J K⁻¹ and Q̇ in W
per that amount; with P̄ per kelvin the textbook ``P̄ k_B²`` (P̄ per joule) reads ``P̄ k_B``
in the code. The τ integral of Q̇ is closed (Dawson's function); that of C(T, t) is by
Gauss-Legendre in ln(τ/τmin) (its square root near τmin, which removes the 1/sqrt edge).
"""

from __future__ import annotations

import numpy as np
import scipy.constants as sc
from numpy.typing import ArrayLike
from scipy.special import dawsn

from ..ensembles import STMEnsemble
from ..errors import InputError
from ..quadrature import mapped_panels
from ..validation import nonnegative, positive, temperature
from .relaxation import _coth_half

__all__ = ["cp_stm_time", "cp_time_log_limit", "heat_release", "heat_release_limit"]


def _temperature_pair(T1, T0) -> tuple[float, float]:
    out = []
    for name, v in (("T1", T1), ("T0", T0)):
        a = temperature(v, name)
        if a.ndim:
            raise InputError(f"{name} must be one temperature [K], got an array of shape "
                             f"{a.shape}")
        out.append(float(a))
    return out[0], out[1]


def _cutoffs(Delta0_min, Delta0_max) -> tuple[float, float]:
    stm = STMEnsemble(1.0, Delta0_min, Delta0_max)  # checks the cutoffs
    return stm.Delta0_min, stm.Delta0_max


def _log_ratio_range(E, d0min, d0max):
    """``y = ln(τ/τmin) = ln(E²/Δ0²)`` from ``y_lo = 2 ln(E/min(E, Δ0max))`` to
    ``y_hi = 2 ln(E/Δ0min)``."""
    y_hi = 2.0 * np.log(np.maximum(E / d0min, 1.0))
    y_lo = 2.0 * np.log(np.maximum(E / d0max, 1.0)) if np.isfinite(d0max) else 0.0 * E
    return np.minimum(y_lo, y_hi), y_hi


def _occupied(kappa: np.ndarray, y_lo: np.ndarray, y_hi: np.ndarray, n: int) -> np.ndarray:
    """``N = ∫ dy (1 - exp(-κ e^{-y}))/(2 sqrt(1 - e^{-y}))`` over ``y = ln(τ/τmin)`` in
    [y_lo, y_hi]: the fraction of systems of one gap that relax within t = κ τmin.

    On y < 1 in ``z = sqrt(y)`` (dy = 2z dz removes the 1/sqrt(y) edge), beyond in panels
    of y no wider than 1 (the step of ``1 - exp(-κ e^{-y})`` has a width of ~3 in y)."""
    out = np.zeros(np.broadcast_shapes(kappa.shape, y_hi.shape))
    lo1, hi1 = np.minimum(y_lo, 1.0), np.minimum(y_hi, 1.0)
    z, wz = mapped_panels(np.sqrt(lo1), np.sqrt(hi1), 2, n)
    y = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        dens = np.where(z > 0, z / np.sqrt(-np.expm1(-y)), 1.0)  # 2z dz/(2 sqrt(1 - e^-y))
    out += np.sum(dens * -np.expm1(-kappa[..., None] * np.exp(-y)) * wz, axis=-1)
    lo2, hi2 = np.maximum(y_lo, 1.0), np.maximum(y_hi, 1.0)
    n_pan = max(1, int(np.ceil(float(np.max(hi2 - lo2, initial=0.0)))))
    y, wy = mapped_panels(lo2, hi2, n_pan, n)
    dens = 0.5 / np.sqrt(-np.expm1(-y))
    out += np.sum(dens * -np.expm1(-kappa[..., None] * np.exp(-y)) * wy, axis=-1)
    return out


def cp_stm_time(T: ArrayLike, t: ArrayLike, *, P_bar: float, A: float,
                Delta0_min: float = 1e-6, Delta0_max: float = np.inf,
                n_E: int = 12, n_z: int = 6) -> np.ndarray:
    """Heat capacity of the STM ensemble measured on the time scale ``t`` [s] (module
    docstring) [J K⁻¹ per the amount of P̄]; ``T`` [K] and ``t`` broadcast together.

    Parameters
    ----------
    P_bar : density of states per kelvin per amount (K⁻¹ g⁻¹ gives J K⁻¹ g⁻¹)
    A : one-phonon coefficient of Eq. (39) [s⁻¹ K⁻³]
    Delta0_min, Delta0_max : tunnelling cutoffs [K]
    n_E, n_z : Gauss-Legendre nodes per panel in E/2T (14 panels up to 25) and in
        ln(τ/τmin) (panels no wider than 1)
    """
    T, t = np.broadcast_arrays(temperature(T), positive("t", t, "s"))
    shape = T.shape
    P = float(nonnegative("P_bar", P_bar))
    A = float(positive("A", A, "s^-1 K^-3"))
    d0min, d0max = _cutoffs(Delta0_min, Delta0_max)
    if T.size == 0:
        return np.zeros(shape)
    Tf, tf = T.ravel()[:, None], t.ravel()[:, None]
    xlo = np.minimum(d0min / (2 * Tf[:, 0]), 25.0)  # no system below E = Δ0min
    x, wx = mapped_panels(xlo, np.full_like(xlo, 25.0), 14, n_E)
    E = 2 * Tf * x  # (p, e)
    wE = 2 * Tf * wx
    tau_min = 1.0 / (A * E**3 * _coth_half(E, Tf))
    y_lo, y_hi = _log_ratio_range(E, d0min, d0max)
    with np.errstate(over="ignore"):  # κ = t/τmin -> inf is the t -> ∞ limit, handled exactly
        N = _occupied(tf / tau_min, y_lo, y_hi, n_z)
    weight = x**2 / np.cosh(np.minimum(x, 350.0)) ** 2
    C = P * sc.k * np.sum(weight * N * wE, axis=-1)
    return C.reshape(shape)


def cp_time_log_limit(T: ArrayLike, t: ArrayLike, *, P_bar: float, A: float) -> np.ndarray:
    """``C(T, t) ≈ (π²/12) P̄ k_B² T ln(4t/τmin(k_BT))`` with τmin at ``E = 2.5 k_BT``
    (an estimate of the typical thermal energy; the slope in ln t is exact in the window
    τmin << t << τmax) [J K⁻¹ per amount]."""
    T = temperature(T)
    t = positive("t", t, "s")
    P = float(nonnegative("P_bar", P_bar))
    E = 2.5 * T
    tau_min = 1.0 / (float(positive("A", A, "s^-1 K^-3")) * E**3 * _coth_half(E, T))
    if np.any(t <= tau_min):
        raise InputError("the logarithmic law needs t >> τmin(k_BT); got t <= τmin = "
                         f"{float(np.max(tau_min)):.3g} s")
    return np.pi**2 / 12 * P * sc.k * T * np.log(4 * t / tau_min)


def heat_release(t: ArrayLike, *, T1: float, T0: float, P_bar: float, A: float,
                 Delta0_min: float = 1e-6, Delta0_max: float = np.inf,
                 n: int = 8) -> np.ndarray:
    """Heat released per unit time ``Q̇(t)`` [W per the amount of P̄] a time ``t`` [s] after
    the ensemble, in equilibrium at ``T1`` [K], is quenched to the bath at ``T0`` [K]
    (module docstring); relaxation at T0 by the one-phonon rate (``A`` [s⁻¹ K⁻³]).

    At each E, ``∫ dτ P e^{-t/τ}/τ = (1/(τmin sqrt κ)) [e^{-κ s_lo} D(sqrt(κ(1 - s_lo))) -
    e^{-κ s_hi} D(sqrt(κ(1 - s_hi)))]``, κ = t/τmin, s = Δ0²/E² at the ends, D Dawson's
    function; the E integral by Gauss-Legendre in ln E (panels of 1/2) from Δ0min to 50 T1.
    """
    t = positive("t", t, "s")
    T1, T0 = _temperature_pair(T1, T0)
    if not T1 > T0:
        raise InputError(f"heat release needs T1 > T0 (cooled from T1 to T0), got T1 = {T1} K, "
                         f"T0 = {T0} K")
    P = float(nonnegative("P_bar", P_bar))
    A = float(positive("A", A, "s^-1 K^-3"))
    d0min, d0max = _cutoffs(Delta0_min, Delta0_max)
    u_hi = np.log(50 * T1)
    if not u_hi > np.log(d0min):
        return np.zeros(t.shape)
    n_pan = max(1, int(np.ceil((u_hi - np.log(d0min)) / 0.5)))
    u, wu = mapped_panels(np.array([np.log(d0min)]), np.array([u_hi]), n_pan, n)
    E, wE = np.exp(u[0]), np.exp(u[0]) * wu[0]
    dU = 0.5 * E * (np.tanh(E / (2 * T0)) - np.tanh(E / (2 * T1)))
    tau_min = 1.0 / (A * E**3 * _coth_half(E, np.asarray(T0)))
    s_lo = (d0min / E) ** 2
    s_hi = np.minimum((d0max / E) ** 2, 1.0) if np.isfinite(d0max) else np.ones_like(E)
    kap = t.reshape(-1)[:, None] / tau_min
    rk = np.sqrt(kap)
    inner = (np.exp(-kap * s_lo) * dawsn(rk * np.sqrt(1 - s_lo))
             - np.exp(-kap * s_hi) * dawsn(rk * np.sqrt(np.clip(1 - s_hi, 0, None)))) / (
                 tau_min * rk)
    inner = np.where(s_hi > s_lo, inner, 0.0)
    return (P * sc.k * np.sum(dU * inner * wE, axis=-1)).reshape(t.shape)


def heat_release_limit(t: ArrayLike, *, T1: float, T0: float, P_bar: float) -> np.ndarray:
    """``Q̇ = (π²/24) P̄ k_B² (T1² - T0²)/t`` [W per amount], valid for the t of systems with
    τmin(k_BT1) << t << τmax."""
    t = positive("t", t, "s")
    T1, T0 = _temperature_pair(T1, T0)
    if not T1 > T0:
        raise InputError(f"heat release needs T1 > T0, got T1 = {T1} K, T0 = {T0} K")
    P = float(nonnegative("P_bar", P_bar))
    return np.pi**2 / 24 * P * sc.k * (T1**2 - T0**2) / t
