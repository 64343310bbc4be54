"""The standard tunnelling model ensemble, paper Eq. (2) and its (E, τ) form, Eq. (40).

``dN = P̄ dΔ dΔ0/Δ0``, ``0 <= Δ <= Δmax``, ``Δ0min <= Δ0 <= Δ0max``; gap
``E = sqrt(Δ² + Δ0²)``. Energies in kelvin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError
from ..quadrature import mapped_panels
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
        for name in ("P_bar", "Delta0_min", "Delta0_max", "Delta_max"):
            v = getattr(self, name)
            if isinstance(v, bool) or np.iscomplexobj(v) or np.ndim(v) != 0:
                raise InputError(f"{name} must be one real number, got {v!r}")
            try:
                object.__setattr__(self, name, float(v))
            except (TypeError, ValueError):
                raise InputError(f"{name} must be one real number, got {v!r}") from None
        if not (np.isfinite(self.P_bar) and self.P_bar >= 0):
            raise InputError(f"P_bar must be finite and >= 0, got {self.P_bar!r}")
        if not (np.isfinite(self.Delta0_min) and self.Delta0_min > 0):
            raise InputError(f"Delta0_min must be > 0 K, got {self.Delta0_min!r}")
        if not self.Delta0_max > self.Delta0_min:
            raise InputError(
                f"Delta0_max ({self.Delta0_max!r}) must exceed Delta0_min ({self.Delta0_min!r})"
            )
        if not self.Delta_max > 0:
            raise InputError(f"Delta_max must be > 0 K, got {self.Delta_max!r}")

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

    def resonant_weight(self, E: ArrayLike, E2mD2: ArrayLike | None = None) -> np.ndarray:
        """``W(E) = ∫ dΔ0/Δ0 (E/Δ)(Δ0/E)²`` at fixed gap E (dimensionless), the weight of the
        resonant response (→ 1 for Δ0min << E < Δ0max):
        ``[sqrt(E² - lo²) - sqrt(E² - hi²)]/E`` with ``lo = max(Δ0min, sqrt(E² - Δmax²))``,
        ``hi = min(Δ0max, E)``; 0 where no system has the gap E. ``E2mD2`` = E² - Δ0min² when
        the caller has it accurately (near E = Δ0min)."""
        E = np.asarray(E, dtype=float)
        g = np.clip(E**2 - self.Delta0_min**2, 0.0, None) if E2mD2 is None else E2mD2
        upper = np.sqrt(np.minimum(g, self.Delta_max**2))
        lower = (np.sqrt(np.clip(E**2 - self.Delta0_max**2, 0.0, None))
                 if np.isfinite(self.Delta0_max) else 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(E > self.Delta0_min, np.clip(upper - lower, 0.0, None) / E, 0.0)

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
            raise InputError("tau and tau_min must be > 0 s")
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
        energy_scale: ArrayLike | None = None,
        max_chunk: int = 2_000_000,
        **pointwise: ArrayLike,
    ) -> np.ndarray:
        """``∫ dΔ ∫ dΔ0/Δ0 P̄ K(E, Δ, Δ0)`` by Gauss-Legendre in (ln Δ0, Δ), per point.

        ``kernel(E, Delta, Delta0, **pointwise)`` receives arrays of shape ``(p, n_u', n_Δ')``
        and each ``pointwise`` array (e.g. ``T=...``, broadcast together) as ``(p, 1, 1)``;
        the result has their broadcast shape. The integration ends at ``energy_scale`` [K]
        where that is below a cutoff (and infinite cutoffs need it): the kernel must be
        negligible beyond. It is a number, or an array broadcast against the pointwise arrays
        giving each point its own scale (e.g. ``60 T`` for a kernel that falls as
        ``e^{-E/T}``).

        The nodes of each point depend on that point's scale only, so one call over many
        temperatures is as accurate as one call per temperature: ``ln Δ0`` from ``Δ0min`` to
        ``min(Δ0max, scale)`` in equal panels no wider than 2 with ``n_u`` nodes each (the
        panel count is the largest any point needs), ``Δ`` from 0 to ``min(Δmax, scale)``
        in 16 equal panels of ``n_delta`` nodes (the kernels are analytic in Δ² within
        ``|Im Δ| < π T`` of the axis, so panels of 60T/16 converge fast). At most
        ``max_chunk`` kernel values are held at once.
        """
        arrays = np.broadcast_arrays(*(finite(k, v) for k, v in pointwise.items()))
        shape = arrays[0].shape if arrays else ()
        if energy_scale is not None:
            es = np.asarray(energy_scale, dtype=float)
            if not (np.all(np.isfinite(es)) and np.all(es > 0)):
                raise InputError(f"energy_scale must be finite and > 0 K, got {energy_scale!r}")
            shape = np.broadcast_shapes(shape, es.shape)
            es = np.broadcast_to(es, shape).ravel()
        flat = [np.broadcast_to(a, shape).ravel() for a in arrays]
        n_pts = int(np.prod(shape))
        inf0, infd = not np.isfinite(self.Delta0_max), not np.isfinite(self.Delta_max)
        if (inf0 or infd) and energy_scale is None:
            raise InputError("infinite cutoffs need energy_scale (K) for the generic average")
        if energy_scale is None:
            es = np.full(1, np.inf)  # finite cutoffs, nodes shared by all points
        d0max = np.minimum(self.Delta0_max, es)
        dmax = np.minimum(self.Delta_max, es)
        u_lo = np.log(self.Delta0_min)
        u_hi = np.log(np.maximum(d0max, self.Delta0_min))
        n_pan = max(1, int(np.ceil(float(np.max(u_hi - u_lo)) / 2.0 * (1 - 1e-12))))
        u, wu = mapped_panels(np.full_like(u_hi, u_lo), u_hi, n_pan, n_u)
        d, wd = mapped_panels(np.zeros_like(dmax), dmax, 16, n_delta)
        D0_all, Dl_all = np.exp(u)[:, :, None], d[:, None, :]
        chunk = max(1, max_chunk // (u.shape[1] * d.shape[1]))
        out = np.empty(n_pts)
        for start in range(0, n_pts, chunk):
            sl = slice(start, start + chunk)
            ns = sl if len(es) > 1 else slice(0, 1)
            D0, Dl = D0_all[ns], Dl_all[ns]
            E = np.hypot(Dl, D0)
            kw = {k: a[sl, None, None] for k, a in zip(pointwise, flat, strict=True)}
            K = kernel(E, Dl, D0, **kw)
            p = len(range(n_pts)[sl])
            K = np.broadcast_to(K, np.broadcast_shapes(np.shape(K), (p,) + E.shape[1:]))
            out[sl] = np.einsum("pij,pi,pj->p", K, np.broadcast_to(wu[ns], (p, wu.shape[1])),
                                np.broadcast_to(wd[ns], (p, wd.shape[1])))
        return self.P_bar * out.reshape(shape)


# ---------------------------------------------------------------------------------- ATS
