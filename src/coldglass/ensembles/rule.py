"""The quadrature rule of the ensemble averages as a frozen value.

The ATS average (:meth:`coldglass.ensembles.ATSEnsemble.average`) is a tensor Gauss-Legendre
rule in ``u = ln D0`` and in the asymmetry radius D (and ``c = cos β``, owned by
:class:`coldglass.ensembles.Orientation`). A :class:`Rule` fixes the node counts; it is
hashable, so callers can cache on it.

**The rule is laid out per point.** Every point of an average (one field, temperature, ...)
gets its own D nodes (:meth:`Rule.d_nodes`), and for thermal kernels its own u nodes per
orientation (:meth:`Rule.u_nodes`), computed from that point's own scales only — its
``Dmin`` (Eq. 97 may scale it with T), its temperature T and its ``A = D0 φ_eff`` — never
from the other points of the same call (formerly the energy scale came from ``max(T)``: a
3 mK point of a call reaching 10 K lost 21 %). An array of temperatures spanning 1 mK-300 K
in one call therefore gives every point the accuracy it would get alone.

The layout follows what the kernel does in D, which the observable declares with ``decay``:

* ``"thermal"`` — kernels that fall as ``e^{-E/T}`` (heat capacity, relaxation): D runs from
  Dmin to the point where ``E`` is :data:`THERMAL_RANGE` T above the lowest gap that
  matters, in the variable ``w = ln(1 + (D - Dmin)/s)`` with ``s = Dmin T/(Dmin + T)``:
  logarithmic in D above Dmin when ``T >> Dmin`` (the DOS ``dD/D``), linear on the scale T
  when ``T << Dmin`` (where the integrand falls as ``e^{-(D - Dmin)/T}`` within a tiny range
  of ln D). Nothing beyond (the rest is below ``e^{-32}``).
* ``"algebraic"`` — kernels with a temperature that fall only as a power of 1/E beyond
  ``max(T, A)`` (magnetization ``tanh(E/2T) ∂E/∂B``, resonant polarizability): the same
  variable with ``s = Dmin 4T/(Dmin + 4T)``, from Dmin to ``Dmin +``
  :data:`ALGEBRAIC_RANGE` ``T +`` :data:`FIELD_MARGIN` ``A_max``, then the mapped tail
  ``t = D_top/D`` up to Dmax.
* None (generic kernels): ``ln D`` from Dmin up to ``energy_scale`` (default
  ``1e3 max(Dmin, A_max)`` of the point), then the mapped tail.

With ``v_panels`` the panel count is fixed (the nodes move smoothly with the parameters, as
finite-difference Jacobians in fits need): ``v_panels`` equal panels of ``n_v`` nodes up to
the top, plus ``2 n_v`` nodes for the mapped tail (generic, algebraic) or, for thermal
kernels (no tail), for one panel below the point's thermal layer (``w < ln(1 + T/s) - 2``,
where such kernels are smooth functions of ``D²``), the equal panels then starting there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..errors import InputError
from ..quadrature import gauss_legendre, mapped_panels

__all__ = ["Rule", "DEFAULT_RULE", "FIT_RULE", "Decay", "DECAYS", "THERMAL_RANGE",
           "ALGEBRAIC_RANGE", "FIELD_MARGIN"]

Decay = Literal["thermal", "algebraic"]
DECAYS = ("thermal", "algebraic")

THERMAL_RANGE = 32.0
"""``"thermal"``: the resolved D range ends where E is this many T above the lowest gap
that matters (the kernel is below ~e^{-32} beyond)."""
ALGEBRAIC_RANGE = 30.0
"""``"algebraic"``: the resolved D range reaches this many T above Dmin (tanh(E/2T) = 1
to 1e-13 beyond, so the mapped tail is smooth) ..."""
FIELD_MARGIN = 1.5
"""... plus this many ``A_max`` (the tail's integrand ``1/sqrt(1 + (A t/D_top)²)`` then has
its branch points at ``|t| >= 1.5``, off ``t in [0, 1]``)."""
_U_BETA = 0.05  # grading of the u rule: q = T E/(0.05 a² + T E), tuned on FIT_RULE
_LAYER_OFFSET = 2.0  # the low panel ends 2 units of w below the thermal point ln(1 + T/s)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _smooth_min(x: np.ndarray, y: float, delta: float) -> np.ndarray:
    """``min(x, y)``, rounded (C¹) within ``|x - y| < delta``, exact outside."""
    d = np.abs(x - y)
    return np.minimum(x, y) - np.where(d < delta, (delta - d) ** 2 / (4.0 * delta), 0.0)


@dataclass(frozen=True)
class Rule:
    """Nodes of the (u, D) tensor rule.

    Parameters
    ----------
    n_u : Gauss-Legendre nodes per panel (width 4) of ``u = ln(D0/D0min)``; for thermal
        kernels per panel (width <= 4.5) of the graded variable of :meth:`u_nodes`
    n_v : nodes per unit of the D variable (``ln D``, or ``w`` above; or per panel with
        ``v_panels``), plus ``2 n_v`` nodes for the mapped tail up to Dmax (generic and
        algebraic kernels) or for the smooth region below the thermal layer (thermal
        kernels with ``v_panels``)
    energy_scale : upper end [K] of the resolved D range. Generic kernels (``decay`` None):
        the same at every point, None meaning ``1e3 max(Dmin, A_max)`` per point. Thermal
        and algebraic kernels: None (the default) lets each point resolve what its own T and
        field need; a value caps that range
    v_panels : a fixed number of D panels instead of panels of unit width; the nodes then
        move smoothly with Dmin, D0min, D0max, as finite-difference Jacobians in fits need
    max_chunk : largest number of kernel evaluations held in memory at once
    decay : ``"thermal"``, ``"algebraic"`` or None: how the kernel falls off in E, which
        decides the per-point layout (module docstring); observables fill it in
        (:meth:`resolve`), it needs the average's ``T``
    """

    n_u: int = 20
    n_v: int = 12
    energy_scale: float | None = None
    v_panels: int | None = None
    max_chunk: int = 2_000_000
    decay: Decay | None = None

    def __post_init__(self) -> None:
        for name in ("n_u", "n_v", "max_chunk"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 1):
                raise InputError(f"Rule.{name} must be an integer >= 1, got {v!r}")
        if self.v_panels is not None and not (isinstance(self.v_panels, int)
                                              and self.v_panels >= 1):
            raise InputError(f"Rule.v_panels must be None or an integer >= 1, "
                             f"got {self.v_panels!r}")
        if self.energy_scale is not None and not (self.energy_scale > 0
                                                  and self.energy_scale < float("inf")):
            raise InputError(f"Rule.energy_scale must be None or a finite energy > 0 K, got "
                             f"{self.energy_scale!r}")
        if self.decay is not None and self.decay not in DECAYS:
            raise InputError(f"Rule.decay must be None or one of {DECAYS}, got {self.decay!r}")

    @staticmethod
    def resolve(rule: Rule | None, energy_scale: float | None = None, *,
                decay: Decay | None = None) -> Rule:
        """``rule`` (default :data:`DEFAULT_RULE`) with what it leaves open filled in:
        ``energy_scale`` [K] when it has none and one is given, ``decay`` likewise
        (observables pass what their kernel does, e.g. ``decay="thermal"``)."""
        rule = DEFAULT_RULE if rule is None else rule
        if not isinstance(rule, Rule):
            raise InputError(f"rule must be a coldglass.ensembles.Rule, got {rule!r}")
        changes = {}
        if rule.energy_scale is None and energy_scale is not None:
            changes["energy_scale"] = energy_scale
        if rule.decay is None and decay is not None:
            changes["decay"] = decay
        return replace(rule, **changes) if changes else rule

    def with_(self, **changes) -> Rule:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)

    # -- the per-point D rule --------------------------------------------------------------
    def d_nodes(
        self,
        Dlo: np.ndarray,
        a_lo: np.ndarray,
        a_hi: np.ndarray,
        T: np.ndarray | None = None,
        Dmax: float = np.inf,
    ) -> tuple[np.ndarray, np.ndarray]:
        """D nodes and weights of the measure ``dD/D`` on ``[Dlo, Dmax]``, one row per point.

        ``Dlo`` [K] is each point's lower cutoff, ``a_lo``/``a_hi`` [K] the smallest and
        largest ``A = D0 φ_eff`` among its (c, u) nodes, ``T`` [K] its temperature (needed
        for ``decay``). Every row depends on that point's values only; all rows have the same
        length (without ``v_panels`` the panel count is the largest any point needs, so some
        points get panels narrower than one unit). Returns ``(D, w)``, shapes ``(p, n)``.
        """
        Dlo, a_lo, a_hi = (np.asarray(a, dtype=float).ravel() for a in (Dlo, a_lo, a_hi))
        n = self.n_v
        if self.decay is not None and T is None:
            raise InputError(f"Rule(decay={self.decay!r}) lays the D nodes out on each point's "
                             "temperature: pass T to the average")
        if self.decay is None:
            s = Dlo
            top = (np.full_like(Dlo, self.energy_scale) if self.energy_scale is not None
                   else 1e3 * np.maximum(Dlo, a_hi))
            top = np.maximum(top, 2.0 * Dlo)
        else:
            T = np.broadcast_to(np.asarray(T, dtype=float).ravel(), Dlo.shape)
            if self.decay == "thermal":
                lt = THERMAL_RANGE * T
                s = Dlo * T / (Dlo + T)
                e_lo, e_hi = np.hypot(Dlo, a_lo), np.hypot(Dlo, a_hi)
                # the largest gap that matters: within lt of the lowest (a smooth min, for
                # smooth nodes); the D extent at that gap follows from E² = D² + A²
                r = np.minimum((e_hi - e_lo) / lt, 1e60)
                e_star = e_lo + lt * r / (1.0 + r**4) ** 0.25
                top = np.sqrt(Dlo**2 + 2.0 * lt * e_star + lt**2)
            else:
                # graded only below Dmin/4 (a thermal part stacked with the kernel, e.g. the
                # relaxational polarizability, is resolved; tanh(E/2T) ~ 1 needs no more)
                s = Dlo * 4.0 * T / (Dlo + 4.0 * T)
                top = Dlo + ALGEBRAIC_RANGE * T + FIELD_MARGIN * a_hi
            if self.energy_scale is not None:
                top = np.minimum(top, np.maximum(self.energy_scale, 2.0 * Dlo))
        top = np.minimum(top, Dmax)
        w_top = np.log1p((top - Dlo) / s)
        thermal = self.decay == "thermal"
        if self.v_panels is None:
            n_pan = max(1, int(np.ceil(float(np.max(w_top, initial=1.0)) * (1 - 1e-12))))
            w, ww = mapped_panels(np.zeros_like(w_top), w_top, n_pan, n)
        elif not thermal:
            w, ww = mapped_panels(np.zeros_like(w_top), w_top, self.v_panels, n)
        else:
            # thermal kernels: below the thermal layer the kernel is a smooth function of D²
            # (one panel of 2 n nodes, which the absent tail leaves free), then v_panels
            # panels of equal width up to the top
            w_m = np.minimum(_softplus(np.log1p(T / s) - _LAYER_OFFSET), 0.5 * w_top)
            wl, wwl = mapped_panels(np.zeros_like(w_m), w_m, 1, 2 * n)
            wh, wwh = mapped_panels(w_m, w_top, self.v_panels, n)
            w, ww = np.concatenate([wl, wh], axis=1), np.concatenate([wwl, wwh], axis=1)
        # D = Dlo + s (e^w - 1): dD/D = s e^w dw / D
        D = Dlo[:, None] + s[:, None] * np.expm1(w)
        wts = ww * s[:, None] * np.exp(w) / D
        if not thermal and Dmax > float(np.min(top)):
            # mapped tail t = top/D in [top/Dmax, 1], dD/D = dt/t (zero weight where top = Dmax)
            t, wt = gauss_legendre(2 * n)
            t_lo = top / Dmax
            tt = t_lo[:, None] + (1.0 - t_lo)[:, None] * t[None, :]
            D = np.concatenate([D, top[:, None] / tt], axis=1)
            wts = np.concatenate([wts, (1.0 - t_lo)[:, None] * wt[None, :] / tt], axis=1)
        return D, wts


    # -- the per-point u rule --------------------------------------------------------------
    def u_nodes(
        self,
        log_ratio: float,
        a: np.ndarray,
        Dlo: np.ndarray,
        T: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Nodes ``r = D0/D0min`` and weights of ``du = dD0/D0`` on ``[0, log_ratio]``.

        Generic and algebraic kernels: composite GL in ``u`` (panels of width <= 4, ``n_u``
        nodes each), shared by all points, shapes ``(n,)``. Thermal kernels: per point and
        orientation (``a = D0min φ_eff`` [K], shape ``(p, c)``; ``Dlo``, ``T`` shape ``(p,)``),
        shapes ``(p, c, n)``: with ``E = sqrt(Dlo² + a²)``, the gap rises by T when A = D0 φ
        grows by ``T E/a`` above a, so where ``a² >> T E`` the kernel falls within a tiny range
        of ``u``. The rule then ends where E is :data:`THERMAL_RANGE` T above the lowest gap
        of that orientation (``A² <= a² + 2·32 T E + (32 T)²``) and uses
        ``A/a = 1 + q (e^ζ - 1)``, ``q = T E/(0.05 a² + T E)`` (linear in A on the scale
        ``T E/a``, logarithmic beyond; ``q = 1`` is plain ``u``; the factor 0.05, a mild
        grading, is what keeps :data:`FIT_RULE` within a few 1e-6 there). The panel count
        depends on ``log_ratio`` only (the same for every point).
        """
        if self.decay != "thermal":
            n_pan = max(1, int(np.ceil(log_ratio / 4.0 * (1 - 1e-12))))
            x, w = gauss_legendre(self.n_u)
            edges = np.linspace(0.0, log_ratio, n_pan + 1)
            u = (edges[:-1, None] + np.diff(edges)[:, None] * x).ravel()
            return np.exp(u), (np.diff(edges)[:, None] * w).ravel()
        if T is None:
            raise InputError("Rule(decay='thermal') lays the u nodes out on each point's "
                             "temperature: pass T to the average")
        a = np.abs(np.asarray(a, dtype=float))
        Dlo = np.asarray(Dlo, dtype=float).reshape(-1, *([1] * (a.ndim - 1)))
        T = np.asarray(T, dtype=float).reshape(-1, *([1] * (a.ndim - 1)))
        e_lo = np.hypot(Dlo, a)
        te = T * e_lo
        q = te / (_U_BETA * a**2 + te)
        lt = THERMAL_RANGE * T
        with np.errstate(divide="ignore", invalid="ignore"):
            # A_top/a - 1 with A_top² = a² + 2 lt E + lt², capped at D0max/D0min - 1 by a C¹
            # smooth min (nodes smooth in the parameters) that equals the cap wherever the
            # thermal cut lies 10 % beyond it, and falls at most 2.5 % short of the cut
            span = np.sqrt(a**2 + 2.0 * lt * e_lo + lt**2) / a - 1.0
        full = np.expm1(log_ratio)
        rm1 = _smooth_min(np.where(np.isfinite(span), span, 2.0 * full), full, 0.1 * full)
        z_top = np.log1p(rm1 / q)
        # ζ_top <= max(log_ratio, ln(1 + 2 THERMAL_RANGE) = 4.2): panels of width <= 4.5
        n_pan = max(1, int(np.ceil(log_ratio / 4.5 * (1 - 1e-12))))
        x, w = gauss_legendre(self.n_u)
        frac = np.linspace(0.0, 1.0, n_pan + 1)
        width = z_top[..., None] * np.diff(frac)
        z = (z_top[..., None, None] * frac[:-1, None] + width[..., None] * x).reshape(
            a.shape + (-1,))
        wz = (width[..., None] * w).reshape(a.shape + (-1,))
        r = 1.0 + q[..., None] * np.expm1(z)
        return r, wz * q[..., None] * np.exp(z) / r


DEFAULT_RULE = Rule()
"""~1e-8 relative or better for the smooth kernels of the observables."""

FIT_RULE = Rule(n_u=8, n_v=5, v_panels=5)
"""Used inside fits: ~1e-6 relative, far below measurement noise, nodes smooth in the
parameters (fixed panel count)."""
