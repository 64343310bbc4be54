"""Parameter ensembles of tunnelling systems: measures, densities of states, generic averages.

Paper Secs. 3 and 5.1; DESIGN.md §2. Energies in kelvin.

**STM** (:class:`STMEnsemble`): ``dN = P̄ dΔ dΔ0/Δ0`` (Eq. 2), ``0 <= Δ <= Δmax``,
``Δ0min <= Δ0 <= Δ0max``; gap ``E = sqrt(Δ² + Δ0²)``. Also its (E, τ) form, Eq. (40).

**ATS** (:class:`ATSEnsemble`): Eq. (10) written in polar coordinates (radius D, angle χ) in
the plane E1 + E2 + E3 = 0 becomes (the plane's area element contributes a constant 1/√3,
absorbed into P* as DESIGN.md §2 does)

    dN = 2π P* n_ATS (dD/D)(dD0/D0),   Dmin <= D <= Dmax,   D0min <= D0 <= D0max,

and in the weak-field, near-degenerate limit each ATS is an effective 2LS with gap
``E = sqrt(D² + (D0 φ)²)`` (Eq. 9, effective parameters, see
:func:`coldglass.systems.effective_parameters`).

In the logarithmic variables ``u = ln D0`` and ``v = ln D`` this measure is *flat* and the gap
is an analytic function of (u, v) and of the orientation variable ``c = cos β``. The generic
average (:meth:`ATSEnsemble.average`) is therefore a tensor Gauss-Legendre rule in (c, u, v)
that converges exponentially: the kinks and integrable logarithmic singularities at ``Ec1`` and
``Ec2`` that the energy representation of Eqs. (13) and (17) shows are artefacts of changing
variables to E, and never enter. Where the energy representation *is* used (the DOS with exact
orientation averaging) the c-integral is split at the orientations where ``E = Ec1``, ``E = Ec2``
so that every piece is smooth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from .constants import PHASE_ENERGY_PER_KA2_T
from .quadrature import composite_gauss_legendre, gauss_legendre, mapped_nodes
from .systems import twp_gap
from .validation import finite, nonnegative

__all__ = [
    "Orientation",
    "D0_UNITS",
    "orientation_rule",
    "ats_dos_closed",
    "STMEnsemble",
    "ATSEnsemble",
    "ATSSample",
    "total_dos",
]

Orientation = Literal["exact", "shortcut", "none"]
ORIENTATIONS = ("exact", "shortcut", "none")
D0_UNITS = {"K*A^2": "T", "K": "rad"}
"""Allowed units of the ATS tunnelling cutoffs and the field variable each implies."""

Kernel = Callable[..., np.ndarray]


def _check_orientation(orientation: str) -> None:
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {ORIENTATIONS}, got {orientation!r}")


# ------------------------------------------------------------------ orientation averaging

_C_PANELS = np.array([0.0, 1.0 / 64.0, 1.0 / 16.0, 0.25, 1.0])


def orientation_rule(
    orientation: Orientation, n_c: int = 24, x: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phase multipliers ``m`` (``φ_eff = m φ``), their derivative ``∂m/∂x`` and weights.

    * ``"exact"``: ``φ -> φ cos β`` with β uniform on the sphere, i.e. ``c = |cos β|`` uniform
      on [0, 1] (Gauss-Legendre, ``n_c`` nodes on each of the panels 0, 1/64, 1/16, 1/4, 1);
    * ``"shortcut"``: the paper's ``φ² -> φ²/3`` (a single node ``m = 1/√3``);
    * ``"none"``: the field along the loop normal (``m = 1``).

    With ``x = B/B*`` (the high-field correction, Eqs. 20, 95) the per-system squared phase is
    ``φ² c² (1 - x² c²/27)``, so ``m = c sqrt(1 - x² c²/27)``; its shortcut average is
    ``(φ²/3)(1 - x²/45)``. Shapes: ``m`` and ``dm_dx`` are ``x.shape + (n,)``, ``w`` is (n,).
    """
    _check_orientation(orientation)
    xs = np.zeros(()) if x is None else np.asarray(x, dtype=float)
    limit = 45.0 if orientation == "shortcut" else 27.0
    if x is not None and np.any(xs**2 >= limit):
        raise ValueError(
            "high-field correction (Eqs. 20, 95) is an expansion in B/B*: the corrected phase²"
            f" turns negative for (B/B*)² >= {limit:g} ({orientation} orientation), got "
            f"|B/B*| up to {np.abs(xs).max():.3g}"
        )
    xs = xs[..., None]
    if orientation == "exact":
        # graded panels: at high field the kernels vary on the scale c ~ T/(D0max φ) << 1
        c, w = mapped_nodes(_C_PANELS[:-1], _C_PANELS[1:], n_c)
        c, w = c.ravel(), w.ravel()
    elif orientation == "shortcut":
        c, w = np.array([1.0 / np.sqrt(3.0)]), np.array([1.0])
    else:
        c, w = np.array([1.0]), np.array([1.0])
    if orientation == "shortcut":
        root = np.sqrt(1.0 - xs**2 / 45.0)
        m = c * root
        dm = c * (-xs / 45.0) / root
    else:
        root = np.sqrt(1.0 - xs**2 * c**2 / 27.0)
        m = c * root
        dm = c * (-xs * c**2 / 27.0) / root
    return m, dm, w


# ------------------------------------------------------------------------- ATS closed form


def ats_dos_closed(
    E: ArrayLike,
    Dmin: float,
    a_min: ArrayLike,
    a_max: ArrayLike,
    log_ratio: float,
    Dmax: float = np.inf,
) -> np.ndarray:
    """Magnetic ATS density of states per unit ``P* n_ATS``, Eq. (13) [K⁻¹].

    ``g(E) = (2π/E) [G(y_hi) - G(y_lo)]`` with ``G(y) = ½ ln(y²/(E² - y²))``,
    ``y_hi = min(a_max, sqrt(E² - Dmin²))``, ``y_lo = max(a_min, sqrt(E² - Dmax²))`` and
    ``a = D0 φ``; this is Eq. (13) (its three branches: ``E > Ec2``, ``Ec1 <= E <= Ec2``,
    ``E < Ec1`` with ``Ec1,2 = sqrt(Dmin² + a_min,max²)``) derived by integrating the
    δ-function of Eq. (13) over D, extended by the optional upper cutoff Dmax. At ``φ = 0`` it
    is ``(2π/E) ln(D0max/D0min)`` for ``Dmin <= E <= Dmax``. ``log_ratio = ln(D0max/D0min)``.
    """
    E, a_min, a_max = np.broadcast_arrays(
        np.asarray(E, dtype=float), np.asarray(a_min, dtype=float), np.asarray(a_max, dtype=float)
    )
    E2 = E**2
    with np.errstate(divide="ignore", invalid="ignore"):
        y_hi2 = np.minimum(a_max**2, E2 - Dmin**2)
        y_lo2 = np.maximum(a_min**2, E2 - Dmax**2) if np.isfinite(Dmax) else a_min**2
        inside = (y_hi2 > y_lo2) & (E > Dmin)
        val = 0.5 * (np.log(y_hi2 / y_lo2) + np.log((E2 - y_lo2) / (E2 - y_hi2)))
        zero_field = (a_min == 0) & (E >= Dmin) & (E <= Dmax)
        g = np.where(inside, val, 0.0)
        g = np.where(zero_field, log_ratio, g)
        return 2.0 * np.pi * g / np.where(E > 0, E, 1.0)


def _inverse_multiplier(
    target: np.ndarray, x: np.ndarray | None, clip: bool = True
) -> np.ndarray:
    """Orientation c at which ``m(c) = c sqrt(1 - x²c²/27)`` reaches ``target``.

    Clipped to [0, 1] by default; unclipped (inf where unreachable) for singular points.
    """
    target = np.asarray(target, dtype=float)
    if x is None:
        c = target
    else:
        k = np.broadcast_to(np.asarray(x, dtype=float) ** 2 / 27.0, target.shape)
        disc = 1.0 - 4.0 * k * target**2
        with np.errstate(invalid="ignore", divide="ignore"):
            c2 = np.where(
                k > 0, 2.0 * target**2 / (1.0 + np.sqrt(np.clip(disc, 0.0, None))), target**2
            )
        c = np.where(disc >= 0, np.sqrt(c2), np.inf)
    c = np.where(np.isnan(c), np.inf, c)
    return np.clip(c, 0.0, 1.0) if clip else c


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


@dataclass(frozen=True)
class ATSSample:
    """Monte Carlo draw from the ATS ensemble (bare parameters of Eq. 6, energies in K).

    ``weight`` is the number of systems each draw stands for (``N_total / n``) per unit
    ``P* n_ATS`` times ``density``; ``phi`` includes the orientation of each system.
    """

    E1: np.ndarray
    E2: np.ndarray
    E3: np.ndarray
    D0: np.ndarray
    phi: np.ndarray
    D_eff: np.ndarray
    D0_eff: np.ndarray
    weight: float

    def exact_gap(self) -> np.ndarray:
        """Lowest gap of the exact 3×3 Hamiltonian, Eq. (8) [K]."""
        return twp_gap(self.E1, self.E2, self.E3, self.D0, self.phi)

    def effective_gap(self) -> np.ndarray:
        """Effective-2LS gap of Eq. (9) with the same systems [K]."""
        return np.sqrt(self.D_eff**2 + (self.D0_eff * self.phi) ** 2)


@dataclass(frozen=True)
class ATSEnsemble:
    """Anomalous tunnelling systems of the extended tunnelling model (Eq. 10).

    All parameters are the *effective* ones of Eq. (9) (the paper's "suitable
    renormalization"); :meth:`sample` converts to the bare ones of Eq. (6).

    Parameters
    ----------
    Dmin : lower cutoff of the asymmetry radius D [K], > 0
    D0min, D0max : tunnelling cutoffs, ``0 < D0min < D0max``; in ``d0_unit``
    density : ``P* n_ATS`` (e.g. g⁻¹); outputs scale with it
    Dmax : upper cutoff of D [K] (default ∞; needed only for Monte Carlo and number counts)
    d0_unit : ``"K*A^2"`` — the paper's combination ``D0 |q/e| S`` [K·Å²], fields in tesla;
              ``"K"`` — D0 in kelvin, the field variable is the A-B phase φ [rad]
    B_star : field of the high-field correction, Eqs. (20), (95) [T]; with ``d0_unit="K"``
             the correction uses φ itself (B/B* = φ) unless B_star (in rad) is given
    """

    Dmin: float
    D0min: float
    D0max: float
    density: float = 1.0
    Dmax: float = np.inf
    d0_unit: str = "K*A^2"
    B_star: float | None = None
    _log_ratio: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.d0_unit not in D0_UNITS:
            raise ValueError(f"unknown d0_unit {self.d0_unit!r}; allowed: {', '.join(D0_UNITS)}")
        for name in ("Dmin", "D0min", "D0max", "density"):
            val = getattr(self, name)
            if not np.isfinite(val):
                raise ValueError(f"{name} must be finite, got {val!r}")
        if not self.Dmin > 0:
            raise ValueError(f"Dmin must be > 0 K, got {self.Dmin!r}")
        if not self.D0min > 0:
            raise ValueError(f"D0min must be > 0 {self.d0_unit}, got {self.D0min!r}")
        if not self.D0max > self.D0min:
            raise ValueError(f"D0max ({self.D0max!r}) must exceed D0min ({self.D0min!r})")
        if not self.Dmax > self.Dmin:
            raise ValueError(f"Dmax ({self.Dmax!r}) must exceed Dmin ({self.Dmin!r})")
        if self.density < 0:
            raise ValueError(f"density must be >= 0, got {self.density!r}")
        if self.B_star is not None and not (np.isfinite(self.B_star) and self.B_star > 0):
            raise ValueError(f"B_star must be > 0, got {self.B_star!r}")
        object.__setattr__(self, "_log_ratio", float(np.log(self.D0max / self.D0min)))

    # -- field handling ------------------------------------------------------------------
    @property
    def field_unit(self) -> str:
        """Unit of the field argument of every method: ``"T"`` or ``"rad"``."""
        return D0_UNITS[self.d0_unit]

    def _field(self, fld: ArrayLike) -> np.ndarray:
        f = finite(f"field [{self.field_unit}]", fld)
        return np.abs(f)

    def phase_energies(self, fld: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``(D0min φ, D0max φ)`` in kelvin for the field along the loop normal.

        ``D0 φ = 1.5193e-5 · X[K·Å²] · B[T]`` for ``d0_unit="K*A^2"`` (DESIGN.md §3).
        """
        f = self._field(fld)
        scale = PHASE_ENERGY_PER_KA2_T if self.d0_unit == "K*A^2" else 1.0
        return scale * self.D0min * f, scale * self.D0max * f

    def _x(self, f: np.ndarray, high_field: bool) -> np.ndarray | None:
        if not high_field:
            return None
        if self.B_star is None:
            if self.d0_unit == "K":
                return f
            raise ValueError("high_field=True needs B_star [T] in the ensemble")
        return f / self.B_star

    def cutoff_energies(
        self, fld: ArrayLike, orientation: Orientation = "none", high_field: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """``Ec1 = sqrt(Dmin² + (D0min φ)²)``, ``Ec2 = sqrt(Dmin² + (D0max φ)²)`` [K] (Eq. 13).

        For ``orientation="shortcut"`` with the averaged phase; ``"exact"`` is not a single
        value and is refused.
        """
        if orientation == "exact":
            raise ValueError("cutoff energies are defined for orientation 'none' or 'shortcut'")
        f = self._field(fld)
        m, _, _ = orientation_rule(orientation, x=self._x(f, high_field))
        a_min, a_max = self.phase_energies(f)
        return np.hypot(self.Dmin, a_min * m[..., 0]), np.hypot(self.Dmin, a_max * m[..., 0])

    def number_of_states(self) -> float:
        """Total number ``2π P* n_ATS ln(Dmax/Dmin) ln(D0max/D0min)`` (finite Dmax only)."""
        if not np.isfinite(self.Dmax):
            raise ValueError("the number of states needs a finite Dmax")
        return 2.0 * np.pi * self.density * np.log(self.Dmax / self.Dmin) * self._log_ratio

    # -- density of states ---------------------------------------------------------------
    def dos(
        self,
        E: ArrayLike,
        fld: ArrayLike,
        *,
        orientation: Orientation = "exact",
        high_field: bool = False,
        n_c: int = 16,
    ) -> np.ndarray:
        """Magnetic ATS density of states ``g_ATS(E, B)`` (Eq. 13) [K⁻¹ × density units].

        Broadcasts ``E`` [K] against ``fld`` [T or rad]. With ``orientation="exact"`` the
        closed form is averaged over ``c = cos β`` by Gauss-Legendre on the pieces between the
        orientations where ``E`` crosses ``Ec2``, ``Ec1`` (and the Dmax edges), each piece in
        ``ln c`` unless it starts at c = 0; every piece is smooth, so ``n_c`` nodes per piece
        give ~1e-10 relative accuracy.
        """
        _check_orientation(orientation)
        E = nonnegative("E", E, "K")
        f = self._field(fld)
        E, f = np.broadcast_arrays(E, f)
        a_min, a_max = self.phase_energies(f)
        x = self._x(f, high_field)
        if orientation != "exact":
            m, _, _ = orientation_rule(orientation, x=x)
            m = m[..., 0]
            return self.density * ats_dos_closed(
                E, self.Dmin, a_min * m, a_max * m, self._log_ratio, self.Dmax
            )
        # exact: breakpoints in c where a m(c) hits sqrt(E² - Dmin²) or sqrt(E² - Dmax²)
        with np.errstate(divide="ignore", invalid="ignore"):
            r_min = np.sqrt(np.clip(E**2 - self.Dmin**2, 0, None))
            r_max = np.sqrt(np.clip(E**2 - self.Dmax**2, 0, None))
            targets = [r / a for r in (r_min, r_max) for a in (a_min, a_max)]
        bps = [_inverse_multiplier(np.nan_to_num(t, nan=np.inf, posinf=np.inf), x)
               for t in targets]
        edges = np.sort(np.stack([np.zeros_like(E)] + bps + [np.ones_like(E)], axis=-1), axis=-1)
        # the branches of Eq. (13) are analytic in c except for logarithmic singularities at
        # c = 0 and where a m(c) = E (beyond the piece ends); each piece is halved and each
        # half mapped with t = ln(distance to its nearest singular point), which makes the
        # integrand smooth even when Dmin << E puts a singularity next to a piece end.
        with np.errstate(divide="ignore", invalid="ignore"):
            sing = np.sort(np.stack([_inverse_multiplier(E / a, x, clip=False)
                                     for a in (a_max, a_min)], axis=-1), axis=-1)
        xs = None if x is None else x[..., None]
        total = np.zeros_like(E)
        for k in range(edges.shape[-1] - 1):
            lo, hi = edges[..., k], edges[..., k + 1]
            mid = 0.5 * (lo + hi)
            above = np.where(sing[..., 0] >= hi, sing[..., 0], sing[..., 1])
            for a_end, b_end, s_pt, sign in ((lo, mid, np.zeros_like(lo), 1.0),
                                             (mid, hi, above, -1.0)):
                # distance variable t = ln(sign (c - s_pt)); linear when s_pt is unusable
                d_a, d_b = sign * (a_end - s_pt), sign * (b_end - s_pt)
                ok = np.isfinite(s_pt) & (d_a > 0) & (d_b > 0) & (b_end > a_end)
                t, wt = mapped_nodes(np.log(np.where(ok, d_a, 1.0)),
                                     np.log(np.where(ok, d_b, 1.0)), n_c)
                c_lin, w_lin = mapped_nodes(a_end, b_end, n_c)
                c = np.where(ok[..., None], s_pt[..., None] + sign * np.exp(t), c_lin)
                w = np.where(ok[..., None], np.abs(wt) * np.exp(t), w_lin)
                with np.errstate(over="ignore", invalid="ignore"):
                    m = c if xs is None else c * np.sqrt(1.0 - xs**2 * c**2 / 27.0)
                g = ats_dos_closed(E[..., None], self.Dmin, a_min[..., None] * m,
                                   a_max[..., None] * m, self._log_ratio, self.Dmax)
                total = total + np.sum(g * w, axis=-1)
        return self.density * total

    # -- generic average -----------------------------------------------------------------
    def average(
        self,
        kernel: Kernel,
        fld: ArrayLike,
        *,
        orientation: Orientation = "exact",
        high_field: bool = False,
        n_c: int = 12,
        n_u: int = 20,
        n_v: int = 12,
        energy_scale: float | None = None,
        with_derivative: bool = False,
        D_scale: ArrayLike = 1.0,
        D0_scale: ArrayLike = 1.0,
        Bstar_scale: ArrayLike = 1.0,
        v_panels: int | None = None,
        max_chunk: int = 2_000_000,
        **pointwise: ArrayLike,
    ) -> np.ndarray:
        """Ensemble average ``∫ dN K`` of any kernel (DESIGN.md §2).

        ``∫ 2π P* n_ATS du dv ⟨K(E, D, A)⟩_orientation`` with ``u = ln D0``, ``v = ln D``,
        ``A = D0 φ_eff`` [K] and ``E = sqrt(D² + A²)`` (Eq. 9). The kernel is called as
        ``kernel(E, D, A, **pointwise)`` — or ``kernel(E, D, A, dA, **pointwise)`` with
        ``dA = ∂A/∂field`` when ``with_derivative`` (e.g. ``∂E/∂B = A dA / E`` for the
        magnetization) — on arrays of shape ``(f, n_c, n_u, n_v)``. A kernel may prepend axes
        (e.g. several components stacked), which lead the result.

        ``pointwise`` arrays (e.g. ``T=...``) are broadcast against the field; the kernel
        receives each as shape ``(f, 1, 1, 1)``, aligned with the field points. ``D_scale``
        and ``D0_scale`` (broadcast likewise) multiply all D cutoffs and both D0 cutoffs per
        point, ``Bstar_scale`` multiplies B* (temperature-dependent parameters, Eq. 97).
        Result shape: the broadcast shape.

        Rule: Gauss-Legendre with ``n_c`` nodes per c panel (:func:`orientation_rule`),
        ``n_u`` in u, and ``n_v`` per unit of ``ln D`` up to ``energy_scale`` [K] (default
        ``1e3 max(Dmin, D0max φ)``), plus a mapped tail ``t = D_hi/D`` up to Dmax; with
        ``Dmax = ∞`` the kernel must decay at least as 1/E. ``v_panels`` fixes the number of
        ln D panels instead (smooth dependence on Dmin, for fitting).
        """
        _check_orientation(orientation)
        arrays = [self._field(fld), finite("D_scale", D_scale), finite("D0_scale", D0_scale),
                  finite("Bstar_scale", Bstar_scale)]
        arrays += [finite(k, v) for k, v in pointwise.items()]
        arrays = np.broadcast_arrays(*arrays)
        shape = arrays[0].shape
        f, sD, sD0, sBs, *extra = (a.ravel() for a in arrays)
        if np.any(sD <= 0) or np.any(sD0 <= 0) or np.any(sBs <= 0):
            raise ValueError("D_scale, D0_scale and Bstar_scale must be > 0")
        extra = dict(zip(pointwise, extra, strict=True))
        a_min = self.phase_energies(f)[0] * sD0
        dscale = PHASE_ENERGY_PER_KA2_T * self.D0min if self.d0_unit == "K*A^2" else self.D0min
        x = self._x(f, high_field)
        if x is not None:
            x = x / sBs
        m, dm_dx, wc = orientation_rule(orientation, n_c, x=x)
        m = np.broadcast_to(m, f.shape + m.shape[-1:])
        dm_dx = np.broadcast_to(dm_dx, m.shape)
        if x is None:
            dm_df = np.zeros_like(m)
        else:
            dxdf = (1.0 if self.B_star is None else 1.0 / self.B_star) / sBs
            dm_df = dm_dx * dxdf[:, None]
        # u nodes: D0 = D0min e^{s}, s in [0, ln(D0max/D0min)]
        s, wu = composite_gauss_legendre(0.0, self._log_ratio, n_u, 4.0)
        ratio = np.exp(s)
        # v nodes, relative to Dmin: ln(D/Dmin) from 0 to ln(D_hi/Dmin), then the tail
        if energy_scale is None:
            energy_scale = 1e3 * max(self.Dmin, float(np.max(a_min, initial=0.0))
                                     * np.exp(self._log_ratio))
        d_hi = min(self.Dmax, max(energy_scale, 2.0 * self.Dmin))
        span = np.log(d_hi / self.Dmin)
        # a fixed panel count (v_panels) keeps the rule a smooth function of the cutoffs,
        # which finite-difference Jacobians in fits need
        width = 1.0 if v_panels is None else span / v_panels
        v, wv = composite_gauss_legendre(0.0, span, n_v, width * (1 + 1e-12))
        rel = np.exp(v)
        if self.Dmax > d_hi:
            t, wt = gauss_legendre(2 * n_v)  # t = d_hi/D in [d_hi/Dmax, 1], dD/D = dt/t
            t_lo = d_hi / self.Dmax
            t = t_lo + (1.0 - t_lo) * t
            rel = np.concatenate([rel, d_hi / self.Dmin / t])
            wv = np.concatenate([wv, (1.0 - t_lo) * wt / t])
        n_per_field = m.shape[-1] * len(ratio) * len(rel)
        chunk = max(1, max_chunk // n_per_field)
        pieces = []
        for start in range(0, len(f), chunk):
            sl = slice(start, start + chunk)
            A = (a_min[sl, None, None, None] * m[sl, :, None, None]
                 * ratio[None, None, :, None])
            Dg = self.Dmin * sD[sl, None, None, None] * rel[None, None, None, :]
            E = np.sqrt(Dg**2 + A**2)
            kw = {k: v[sl, None, None, None] for k, v in extra.items()}
            if with_derivative:
                dA = dscale * sD0[sl, None, None, None] * ratio[None, None, :, None] * (
                    m[sl, :, None, None] + f[sl, None, None, None] * dm_df[sl, :, None, None]
                )
                K = kernel(E, Dg, A, np.broadcast_to(dA, E.shape), **kw)
            else:
                K = kernel(E, Dg, A, **kw)
            K = np.broadcast_to(K, np.broadcast_shapes(np.shape(K), E.shape))
            pieces.append(np.einsum("...fcuv,c,u,v->...f", K, wc, wu, wv))
        out = np.concatenate(pieces, axis=-1)
        out = out.reshape(out.shape[:-1] + shape)
        return 2.0 * np.pi * self.density * out

    # -- Monte Carlo ---------------------------------------------------------------------
    def sample(
        self,
        n: int,
        fld: float,
        *,
        orientation: Orientation = "exact",
        area_A2: float | None = None,
        Dmax: float | None = None,
        rng: np.random.Generator | int | None = None,
    ) -> ATSSample:
        """Draw ``n`` systems from Eq. (10) and return their bare 3×3 parameters.

        D is log-uniform on [Dmin, Dmax], the polar angle χ uniform, D0 log-uniform on
        [D0min, D0max] (the measure ``2π dD/D dD0/D0``); the bare asymmetries are
        ``E_i = sqrt(2/3) D_bare cos(χ + 2πi/3)`` (so ``ΣE_i = 0``, ``ΣE_i² = D_bare²``) with
        ``D_bare = sqrt(3/2) D`` and ``D0_bare = (√3/2) D0`` (inverse of Eq. 9's rescaling).
        For ``d0_unit="K*A^2"`` the loop area ``area_A2`` [Å²] (|q| = e) splits the fit
        combination X into ``D0 = X/S`` [K] and ``φ = 2π B S e/h``.
        """
        if not (isinstance(n, int | np.integer) and n > 0):
            raise ValueError(f"n must be a positive integer, got {n!r}")
        _check_orientation(orientation)
        dmax = self.Dmax if Dmax is None else float(Dmax)
        if not (np.isfinite(dmax) and dmax > self.Dmin):
            raise ValueError("Monte Carlo needs a finite Dmax > Dmin (argument or ensemble)")
        f = float(self._field(fld))
        if self.d0_unit == "K*A^2":
            if area_A2 is None or not (np.isfinite(area_A2) and area_A2 > 0):
                raise ValueError("area_A2 (> 0 Å²) is needed to sample a K*A^2 ensemble")
            d0_scale = 1.0 / area_A2
            phi0 = PHASE_ENERGY_PER_KA2_T * area_A2 * f  # φ = 2π B S e/h
        else:
            d0_scale, phi0 = 1.0, f
        gen = np.random.default_rng(rng)
        D = self.Dmin * np.exp(gen.uniform(0.0, np.log(dmax / self.Dmin), n))
        chi = gen.uniform(0.0, 2.0 * np.pi, n)
        D0 = d0_scale * self.D0min * np.exp(gen.uniform(0.0, self._log_ratio, n))
        if orientation == "exact":
            mult = gen.uniform(0.0, 1.0, n)
        elif orientation == "shortcut":
            mult = np.full(n, 1.0 / np.sqrt(3.0))
        else:
            mult = np.ones(n)
        D_bare = np.sqrt(1.5) * D
        angles = chi[:, None] + 2.0 * np.pi * np.arange(3) / 3.0
        E = np.sqrt(2.0 / 3.0) * D_bare[:, None] * np.cos(angles)
        total = 2.0 * np.pi * self.density * np.log(dmax / self.Dmin) * self._log_ratio
        return ATSSample(
            E1=E[:, 0], E2=E[:, 1], E3=E[:, 2], D0=np.sqrt(3.0) / 2.0 * D0,
            phi=phi0 * mult, D_eff=D, D0_eff=D0, weight=total / n,
        )


def total_dos(
    E: ArrayLike,
    fld: ArrayLike,
    stm: STMEnsemble | None = None,
    ats: ATSEnsemble | None = None,
    *,
    n2LS: float = 1.0,
    orientation: Orientation = "exact",
    high_field: bool = False,
) -> np.ndarray:
    """Total density of states ``g_tot = n_2LS g_2LS(E) + g_ATS(E, B)`` (Eq. 12) [K⁻¹].

    The paper writes ``g_2LS = n_2LS P̄`` (constant); here ``g_2LS`` is the STM ensemble's DOS,
    which is that constant up to its slow logarithm (see :meth:`STMEnsemble.dos`).
    """
    E = nonnegative("E", E, "K")
    out = np.zeros(np.broadcast_shapes(E.shape, np.shape(fld)))
    if stm is not None:
        out = out + n2LS * stm.dos(E)
    if ats is not None:
        out = out + ats.dos(E, fld, orientation=orientation, high_field=high_field)
    return out
