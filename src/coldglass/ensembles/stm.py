"""The standard tunnelling model ensemble, paper Eq. (2) and its (E, τ) form, Eq. (40).

``dN = P̄ dΔ dΔ0/Δ0``, ``0 <= Δ <= Δmax``, ``Δ0min <= Δ0 <= Δ0max``; gap
``E = sqrt(Δ² + Δ0²)``. Energies in kelvin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..quadrature import composite_gauss_legendre
from ..validation import finite, nonnegative

__all__ = ["STMEnsemble"]

Kernel = Callable[..., np.ndarray]

# ---------------------------------------------------------------------------------- STM


@dataclass(frozen=True)
class STMEnsemble:
    """Standard tunnelling model ensemble ``P(Δ, Δ0) = P̄/Δ0`` (Eq. 2).

    Parameters
    ----------
    P_bar : density of states per unit Δ per unit ln Δ0 [K⁻¹ per unit amount, e.g. K⁻¹ g⁻¹]
    Delta0_min, Delta0_max : tunnelling cutoffs [K], ``0 < Delta0_min < Delta0_max``
    Delta_max : upper cutoff of the asymmetry ``0 <= Δ <= Delta_max`` [K]
    """

    P_bar: float = 1.0
    Delta0_min: float = 1e-6
    Delta0_max: float = np.inf
    Delta_max: float = np.inf

    def __post_init__(self) -> None:
        if not (np.isfinite(self.P_bar) and self.P_bar >= 0):
            raise ValueError(f"P_bar must be finite and >= 0, got {self.P_bar!r}")
        if not (np.isfinite(self.Delta0_min) and self.Delta0_min > 0):
            raise ValueError(f"Delta0_min must be > 0 K, got {self.Delta0_min!r}")
        if not self.Delta0_max > self.Delta0_min:
            raise ValueError(
                f"Delta0_max ({self.Delta0_max!r}) must exceed Delta0_min ({self.Delta0_min!r})"
            )
        if not self.Delta_max > 0:
            raise ValueError(f"Delta_max must be > 0 K, got {self.Delta_max!r}")

    def dos(self, E: ArrayLike) -> np.ndarray:
        """Density of states ``g(E) = P̄ [arccosh(E/y_lo) - arccosh(E/y_hi)]`` [K⁻¹].

        From ``∫ dΔ0/Δ0 · E/sqrt(E² - Δ0²)`` with ``y_lo = max(Δ0min, sqrt(E² - Δmax²))`` and
        ``y_hi = min(Δ0max, E)``; for ``Δ0min << E < Δ0max`` it is ``P̄ ln(2E/Δ0min)``, the
        slowly varying "constant" DOS of the STM.
        """
        E = nonnegative("E", E, "K")
        with np.errstate(invalid="ignore", divide="ignore"):
            lo = np.maximum(self.Delta0_min, np.sqrt(np.clip(E**2 - self.Delta_max**2, 0, None)))
            hi = np.minimum(self.Delta0_max, E)
            val = np.arccosh(np.maximum(E / lo, 1.0)) - np.arccosh(np.maximum(E / hi, 1.0))
        return self.P_bar * np.where(hi > lo, val, 0.0)

    def density_E_tau(self, E: ArrayLike, tau: ArrayLike, tau_min: ArrayLike) -> np.ndarray:
        """(E, τ) form of the distribution, ``P(E, τ) = P̄ / (2τ sqrt(1 - τmin(E)/τ))`` (Eq. 40).

        Valid for ``τmin(E) < τ <= τmax(E) = τmin E²/Δ0min²`` (zero outside), where
        ``τmin(E)`` is the relaxation time of a symmetric system (Δ = 0) of gap E, e.g. from
        the one-phonon rate ``τ⁻¹ = A Δ0² E coth(E/2T)`` of Eq. (39). It follows from Eq. (2)
        with ``Δ0² = E² τmin/τ`` (units: P̄ per second).
        """
        E = nonnegative("E", E, "K")
        tau = finite("tau", tau)
        tau_min = finite("tau_min", tau_min)
        if np.any(tau_min <= 0) or np.any(tau <= 0):
            raise ValueError("tau and tau_min must be > 0 s")
        tau_max = tau_min * (E / self.Delta0_min) ** 2
        tau_lo = tau_min * np.maximum(1.0, (E / self.Delta0_max) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            val = self.P_bar / (2.0 * tau * np.sqrt(1.0 - tau_min / tau))
        return np.where((tau > tau_lo) & (tau <= tau_max), val, 0.0)

    def average(
        self,
        kernel: Kernel,
        *,
        n_u: int = 32,
        n_delta: int = 16,
        energy_scale: float | None = None,
        **pointwise: ArrayLike,
    ) -> np.ndarray:
        """``∫ dΔ ∫ dΔ0/Δ0 P̄ K(E, Δ, Δ0)`` by Gauss-Legendre in (ln Δ0, Δ).

        ``kernel(E, Delta, Delta0, **pointwise)`` receives arrays of shape ``(p, n_u, n_Δ)``
        and each ``pointwise`` array (e.g. ``T=...``, broadcast together) as ``(p, 1, 1)``;
        the result has their broadcast shape. Infinite cutoffs are replaced by
        ``energy_scale`` [K], beyond which the kernel must be negligible.
        """
        d0max = self.Delta0_max if np.isfinite(self.Delta0_max) else energy_scale
        dmax = self.Delta_max if np.isfinite(self.Delta_max) else energy_scale
        if d0max is None or dmax is None:
            raise ValueError("infinite cutoffs need energy_scale (K) for the generic average")
        u, wu = composite_gauss_legendre(np.log(self.Delta0_min), np.log(d0max), n_u, 2.0)
        d, wd = composite_gauss_legendre(0.0, dmax, n_delta, max(dmax / 64, 1e-300))
        D0 = np.exp(u)[None, :, None]
        Dl = d[None, None, :]
        E = np.hypot(Dl, D0)
        arrays = np.broadcast_arrays(*(finite(k, v) for k, v in pointwise.items()))
        shape = arrays[0].shape if arrays else ()
        kw = {k: a.reshape(-1, 1, 1) for k, a in zip(pointwise, arrays, strict=True)}
        K = kernel(E, Dl, D0, **kw)
        K = np.broadcast_to(K, np.broadcast_shapes(np.shape(K), E.shape))
        return self.P_bar * np.einsum("pij,i,j->p", K, wu, wd).reshape(shape)


# ---------------------------------------------------------------------------------- ATS
