"""The anomalous tunnelling systems of the extended tunnelling model, paper Secs. 3, 5.1.

``docs/architecture.md`` §1. Energies in kelvin.

**ATS** (:class:`ATSEnsemble`): Eq. (10) written in polar coordinates (radius D, angle χ) in
the plane E1 + E2 + E3 = 0 becomes (the plane's area element contributes a constant 1/√3,
absorbed into P* as docs/architecture.md §1 does)

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
orientation averaging and an explicit ``n_c``) the c-integral is split at the orientations where
``E = Ec1``, ``E = Ec2`` so that every piece is smooth.

**The fast default routes.** Exchanging the orientation and D0 integrals makes the exact
orientation average of Eq. (13) elementary (Eqs. 13a-13b in the notes below
:func:`_inverse_multiplier`), and likewise the A²/E²-weighted DOS that the dipole factor of
Eq. (45) needs (Eq. 93a). Observables whose kernel depends on E only (heat capacity, resonant
polarizability) are then 1-D integrals over E (:meth:`ATSEnsemble._energy_average`): the
default wherever the derivation holds — no explicit ``rule``, no high-field correction,
``Dmax = ∞``, no Eq. (97) (:func:`_fast_route_applies`); otherwise :meth:`ATSEnsemble.average`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..constants import PHASE_ENERGY_PER_KA2_T
from ..errors import InputError
from ..quadrature import gauss_legendre, mapped_nodes
from ..systems import twp_gap
from ..validation import finite, nonnegative
from .orientation import Orientation
from .rule import DEFAULT_RULE, Rule
from .stm import STMEnsemble

__all__ = [
    "D0_UNITS",
    "ats_dos_closed",
    "ATSEnsemble",
    "ATSSample",
    "total_dos",
]

D0_UNITS = {"K*A^2": "T", "K": "rad"}
"""The two cutoff conventions and the field variable each implies: ``D0|q/e|S`` in K·Å² with
B in tesla (:meth:`ATSEnsemble.from_fit_combination`), or D0 in kelvin with the A-B phase φ
in radians (:meth:`ATSEnsemble.from_tunnelling_energies`)."""

Kernel = Callable[..., np.ndarray]
_LEGACY_AVERAGE_KW = {"high_field", "n_c", "n_u", "n_v", "energy_scale", "with_derivative",
                      "D_scale", "D0_scale", "Bstar_scale", "v_panels", "max_chunk"}


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
        # y, not y², in the first logarithm: a = D0 φ at fields ~1e-160 T squares to 0
        y_hi = np.minimum(a_max, np.sqrt(np.clip(E2 - Dmin**2, 0, None)))
        y_lo = (np.maximum(a_min, np.sqrt(np.clip(E2 - Dmax**2, 0, None)))
                if np.isfinite(Dmax) else a_min)
        inside = (y_hi > y_lo) & (E > Dmin)
        val = np.log(y_hi / y_lo) + 0.5 * np.log((E2 - y_lo**2) / (E2 - y_hi**2))
        # (the field's correction is O((a/E)²): below 1e-200 the zero-field value is exact
        # in floating point, and a subnormal a would lose digits in y_hi / y_lo)
        zero_field = ((a_min == 0) | (a_max < 1e-100 * E)) & (E >= Dmin) & (E <= Dmax)
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


# ----------------------------------------------- the fast routes: closed orientation average
#
# Exchanging the order of the orientation and D0 integrals makes the exact average of Eq. (13)
# elementary. For one loop with phase energy a = D0 φ c, integrating the δ-function of Eq. (13)
# over D (|dE/dD| = D/E, D² = E² - a²) gives 2π E/(E² - a²) per unit ln D0, present where
# D >= Dmin, i.e. a <= r = sqrt(E² - Dmin²). With t = D0 φ (the phase energy at c = 1) the
# orientation average ∫_0^1 dc becomes (1/t) ∫_0^t da, and
#
#     (13a)  ḡ(E) = 2π ∫_{A1}^{A2} dt/t² ∫_0^{min(t, r)} E da/(E² - a²)
#                 = 2π ∫_{A1}^{A2} dt/t² artanh(min(t, r)/E),      A1,2 = D0min,max φ.
#
# With ∫ artanh(t/E) dt/t² = J(t) = (1/2E) ln(t²/(E² - t²)) - artanh(t/E)/t and
# artanh(r/E) = arccosh(E/Dmin) = y, (13a) is, branch by branch (Ec1,2 = sqrt(Dmin² + A1,2²)),
#
#     (13b)  E >= Ec2 (r >= A2):  ḡ/2π = [ln(A2/A1) + ½ ln(w1/w2)]/E - ath(A2) + ath(A1)
#            Ec1 <= E < Ec2:      ḡ/2π = ln(r² w1/(Dmin² A1²))/(2E) + ath(A1) - y/A2
#            Dmin < E < Ec1:      ḡ/2π = y (1/A1 - 1/A2)
#
# with w_k = E² - A_k² and ath(A) = artanh(A/E)/A (-> 1/E as A -> 0; at B = 0 all three give
# 2π ln(D0max/D0min)/E). It is continuous with a continuous first derivative at Ec1 and Ec2:
# the jumps and cusps of the single-orientation Eq. (13) are smoothed by the average.
#
# The same exchange gives the DOS weighted by A²/E² = (D0 φ c)²/E², which the dipole factor of
# Eq. (45) needs (the c-average of the logarithm of Eq. 93): per loop ∫ a²/(E(E² - a²)) da =
# artanh(a/E) - a/E, hence
#
#     (93a)  h̄(E) = ḡ(E) - (2π/E) ∫_{A1}^{A2} min(t, r) dt/t² = ḡ(E) - (2π/E) M(E),
#            M = ln(A2/A1) (E >= Ec2),  ln(r/A1) + 1 - r/A2 (Ec1 <= E < Ec2),
#            r (1/A1 - 1/A2) (E < Ec1).
#
# For one orientation (shortcut, none; a1,2 = m A1,2) Eq. (13) itself and
# (93b) h(E)/2π = (1/2E) ln[(E² - a1²)/(E² - min(a2², r²))] are used.
#
# The observables then are 1-D integrals over E of these DOS times their kernels,
# ∫ dE ḡ(E) K(E, T). The integrand is analytic on each of the pieces [Dmin, Ec1], [Ec1, Ec2],
# [Ec2, ∞) (the DOS has its kinks at the piece ends), but it has branch points just outside
# them: at E = Dmin (the square root of r, y), at E = A1 and A2 (the logarithms of w_k), which
# for Dmin << A lie only Ec - A ≈ Dmin²/2A below the piece start, and the kernel varies on the
# scale T. The rule (:func:`_energy_rule`) therefore uses
#
# * on [Dmin, Ec1] the variable y = arccosh(E/Dmin) (E = Dmin cosh y, dE = Dmin sinh y dy: the
#   DOS is 2π y (1/A1 - 1/A2), entire in y), with panels no wider than 1.5 and, for thermal
#   kernels, than 2 sqrt(T/Dmin) (the Boltzmann factor is a Gaussian of width sqrt(T/Dmin) in y
#   when T << Dmin);
# * on [Ec, ...) the variable v of E = Ec + σ (e^v - 1), σ = δ T/(δ + T), δ the distance from
#   Ec to the nearest branch point below it: linear on the scale min(δ, T) near Ec (the branch
#   points map to Im v = ±π), logarithmic beyond;
# * thermal kernels (e^{-E/T}) end E_lo + 40 T above the lowest gap E_lo (Dmin, or Ec1 for one
#   orientation), where the kernel is below e^{-40} of its largest value; algebraic kernels
#   (1/E) continue to E_tail = max(2 Ec2, Ec2 + 40 T) and then in t = E_tail/E on (0, 1], where
#   the integrand is analytic (branch points at t = E_tail/A2 >= 2).
#
# Gauss-Legendre with 10 nodes per panel. Each point has its own panel counts (the rows padded
# with zero weights), so a point gets the same nodes alone as in any call.

_E_NODES = 10
_E_WIDTH = 1.5
_E_THERMAL = 40.0
_E_TAIL_NODES = 16
_A_FLOOR = 1e-150  # phase energies below this [K] are the zero-field limit (keeps A² > 0)


def _fast_route_applies(ens: ATSEnsemble, o: Orientation, rule: Rule | None) -> bool:
    """The closed orientation average and the 1-D energy integrals are the default route
    wherever their derivation holds: no explicit ``rule`` (fits pass one and get the generic
    average), no high-field correction, ``Dmax = ∞`` and fixed parameters (no Eq. 97)."""
    return rule is None and not o.high_field and not np.isfinite(ens.Dmax) and ens.E0 is None


def _athr(a: np.ndarray, e_minus_a: np.ndarray) -> np.ndarray:
    """``artanh(a/E)/a = log1p(2a/(E - a))/(2a)`` from ``E - a`` (accurate near E = a)."""
    return np.log1p(2.0 * a / e_minus_a) / (2.0 * a)


def _dos_exact_closed(E: np.ndarray, Dmin: float, A1: np.ndarray, A2: np.ndarray,
                      log_ratio: float) -> np.ndarray:
    """The exactly orientation-averaged DOS of Eq. (13), Eqs. (13a)-(13b) above, per unit
    ``P* n_ATS`` [K⁻¹]; ``E`` broadcasts against ``A1 = D0min φ``, ``A2 = D0max φ``. The
    quantities of E alone and of the field alone are computed on their own shapes."""
    E = np.asarray(E, dtype=float)
    A1 = np.asarray(A1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        zero = A1 < _A_FLOOR
        a1 = np.where(zero, 1.0, A1)  # placeholders at B = 0 (the result is lr/E there)
        a2 = np.where(zero, 1.0, np.asarray(A2, dtype=float))
        i1, i2 = 1.0 / a1, 1.0 / a2
        r2 = np.maximum((E - Dmin) * (E + Dmin), Dmin * Dmin * 1e-300)
        r = np.sqrt(r2)
        y = np.log1p((E - Dmin + r) / Dmin)
        iE = 1.0 / E
        em1 = np.maximum(E - a1, Dmin * 1e-300)  # > 0 wherever the branch is used
        em2 = np.maximum(E - a2, Dmin * 1e-300)
        at1 = np.log1p(2.0 * a1 / em1) * (0.5 * i1)
        l1 = np.log(em1 * (E + a1))
        g1 = (log_ratio + 0.5 * (l1 - np.log(em2 * (E + a2)))) * iE + at1 \
            - np.log1p(2.0 * a2 / em2) * (0.5 * i2)
        g2 = (0.5 * (np.log(r2 / (Dmin * Dmin)) + l1) - np.log(a1)) * iE + at1 - y * i2
        g = np.where(r >= a2, g1, np.where(r >= a1, g2, y * (i1 - i2)))
        g = np.where(zero, log_ratio * iE, g)
        return 2.0 * np.pi * np.where(E > Dmin, g, 0.0)


def _gl_panels(top: np.ndarray, width: np.ndarray | float, n: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre on [0, top] per point: ``ceil(top/width)`` equal panels of
    ``n`` nodes, the count of each point its own (rows padded with zero weights to the
    longest), so that a point gets the same nodes alone as in any call. Shapes
    ``(p, panels n)``."""
    top = np.asarray(top, dtype=float)
    k = np.maximum(np.ceil(top / width * (1 - 1e-12)), 1.0)  # panels of each point
    n_pan = int(np.max(k, initial=1.0))
    x, w = gauss_legendre(n)
    j = np.arange(n_pan)[None, :, None]
    used = j < k[:, None, None]
    frac = np.where(used, (j + x[None, None, :]) / k[:, None, None], 1.0)
    wts = np.where(used, (top / k)[:, None, None] * w[None, None, :], 0.0)
    return (top[:, None, None] * frac).reshape(len(top), -1), wts.reshape(len(top), -1)


def _energy_rule(Dmin: float, a1: np.ndarray, a2: np.ndarray, log_ratio: float, exact: bool,
                 T: np.ndarray, thermal: bool, weighted: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Nodes of ``∫ dE`` with the DOS at them, per point (module notes above).

    ``a1, a2`` [K]: ``A1,2 = D0min,max φ`` (``exact``) or the phase energies of the one
    orientation; ``T`` [K] the temperature of each point, all shape ``(p,)``. ``thermal``: the
    kernel falls as ``e^{-E/T}`` (else as 1/E, with the tail to E = ∞). Returns ``(E, w, g,
    h)`` of shape ``(p, N)``: energies, weights of dE, the DOS per unit ``P* n_ATS``
    (Eq. 13a or 13) and, with ``weighted``, the A²/E²-weighted DOS (Eq. 93a or 93b).
    """
    n = _E_NODES
    T = np.asarray(T, dtype=float)
    a1 = np.asarray(a1, dtype=float)
    low = a1 < _A_FLOOR
    a1 = np.where(low, _A_FLOOR, a1)
    a2 = np.where(low, _A_FLOOR * np.exp(log_ratio), np.asarray(a2, dtype=float))
    d2 = Dmin * Dmin
    ec1, ec2 = np.sqrt(d2 + a1 * a1), np.sqrt(d2 + a2 * a2)
    # Ec - A and Ec - Dmin without cancellation
    off = {1: (d2 / (ec1 + a1), a1 * a1 / (ec1 + Dmin)), 2: (d2 / (ec2 + a2), None)}
    e_lo = np.full_like(ec1, Dmin) if exact else ec1
    top = e_lo + _E_THERMAL * T if thermal else None
    two_pi = 2.0 * np.pi
    Es, ws, gs, hs = [], [], [], []
    i1, i2 = 1.0 / a1, 1.0 / a2
    if exact:
        # [Dmin, Ec1] in y = arccosh(E/Dmin): ḡ = 2π y (1/A1 - 1/A2), h̄ = 2π (..)(y - r/E)
        y_hi = np.arcsinh(a1 / Dmin)
        width = _E_WIDTH
        if thermal:
            lt = _E_THERMAL * T
            y_hi = np.minimum(y_hi, np.log1p((lt + np.sqrt(lt * (2.0 * Dmin + lt))) / Dmin))
            width = np.minimum(_E_WIDTH, 2.0 * np.sqrt(T / Dmin))
        y, wy = _gl_panels(y_hi, width, n)
        sh = np.sinh(y)
        E = Dmin * np.cosh(y)
        k = (i1 - i2)[:, None]
        Es.append(E)
        ws.append(wy * Dmin * sh)
        gs.append(two_pi * k * y)
        if weighted:
            hs.append(two_pi * k * (y - np.tanh(y)))
    # [Ec1, Ec2] and [Ec2, ...): E = Ec + σ (e^v - 1), σ = δ T/(δ + T)
    hi1 = ec2 if top is None else np.minimum(ec2, top)
    if thermal:
        hi2 = top
    else:
        e_tail = np.maximum(2.0 * ec2, ec2 + _E_THERMAL * T)
        hi2 = e_tail
    for piece, lo, hi in ((1, ec1, hi1), (2, ec2, hi2)):
        off_a, off_d = off[piece]
        delta = off_a if off_d is None else np.minimum(off_a, off_d)
        sigma = delta * T / (delta + T)
        v, wv = _gl_panels(np.log1p(np.maximum(hi - lo, 0.0) / sigma), _E_WIDTH, n)
        ev = np.exp(v)
        dE = sigma[:, None] * (ev - 1.0)
        E = lo[:, None] + dE
        Es.append(E)
        ws.append(wv * sigma[:, None] * ev)
        g, h = _piece_dos(piece, E, dE, Dmin, a1[:, None], a2[:, None], lo[:, None],
                          off_a[:, None], None if off_d is None else off_d[:, None],
                          log_ratio, exact, weighted)
        gs.append(g)
        hs.append(h)
    if not thermal:
        # the tail E = E_tail/t, t in (0, 1]: dE = E_tail dt/t²
        t, wt = gauss_legendre(_E_TAIL_NODES)
        E = e_tail[:, None] / t[None, :]
        Es.append(E)
        ws.append(e_tail[:, None] * (wt / t**2)[None, :])
        g, h = _piece_dos(2, E, E - ec2[:, None], Dmin, a1[:, None], a2[:, None],
                          ec2[:, None], off[2][0][:, None], None, log_ratio, exact, weighted)
        gs.append(g)
        hs.append(h)
    out = [np.concatenate(x, axis=1) for x in (Es, ws, gs)]
    return out[0], out[1], out[2], (np.concatenate(hs, axis=1) if weighted else None)


def _piece_dos(piece: int, E: np.ndarray, dE: np.ndarray, Dmin: float, a1: np.ndarray,
               a2: np.ndarray, ec: np.ndarray, off_a: np.ndarray, off_d: np.ndarray | None,
               log_ratio: float, exact: bool, weighted: bool
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """DOS (and A²/E²-weighted DOS) on piece 1 ([Ec1, Ec2]) or 2 ([Ec2, ∞)) at ``E = ec +
    dE``, written with ``dE`` and the offsets ``off_a = Ec - A``, ``off_d = Ec - Dmin`` so that
    ``r² - A1² = E² - Ec1²``, ``w2 = E² - A2²``, ``E - A`` keep their relative accuracy next to
    the piece start (Eqs. 13a-13b, 93a; 13, 93b)."""
    d2 = Dmin * Dmin
    s = dE * (E + ec)  # E² - Ec²
    iE = 1.0 / E
    two_pi = 2.0 * np.pi
    if piece == 1:
        lr1 = np.log1p(s / (a1 * a1))  # ln(r²/a1²)
        lw = np.log1p(s / d2)  # ln(w1/Dmin²)
        if not exact:
            g = two_pi * 0.5 * (lr1 + lw) * iE
            return g, (two_pi * 0.5 * lw * iE if weighted else None)
        r = np.sqrt(a1 * a1 + s)
        y = np.log1p((off_d + dE + r) / Dmin)  # arccosh(E/Dmin)
        em1 = off_a + dE
        g = two_pi * (0.5 * (lr1 + lw) * iE + _athr(a1, em1) - y / a2)
        if not weighted:
            return g, None
        M = 0.5 * lr1 + 1.0 - r / a2
        return g, g - two_pi * M * iE
    w2 = d2 + s  # E² - A2²
    lq = np.log1p(a2 * a2 * (1.0 - np.exp(-2.0 * log_ratio)) / w2)  # ln(w1/w2)
    if not exact:
        g = two_pi * (log_ratio + 0.5 * lq) * iE
        return g, (two_pi * 0.5 * lq * iE if weighted else None)
    em2 = off_a + dE
    em1 = em2 + (a2 - a1)
    dath = _athr(a1, em1) - _athr(a2, em2)
    hh = two_pi * (0.5 * lq * iE + dath)  # ḡ - 2π ln(A2/A1)/E, without the cancellation
    g = two_pi * log_ratio * iE + hh
    return g, (hh if weighted else None)


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
    renormalization"); :meth:`sample` converts to the bare ones of Eq. (6). Build it with one
    of the two explicit constructors, :meth:`from_fit_combination` (the paper's ``D0|q/e|S``
    in K·Å², fields in tesla — also what the plain constructor means by default) or
    :meth:`from_tunnelling_energies` (D0 in kelvin, the field variable is the phase φ).

    Parameters
    ----------
    Dmin : lower cutoff of the asymmetry radius D [K], > 0
    D0min, D0max : tunnelling cutoffs, ``0 < D0min < D0max``; in ``d0_unit``
    density : ``P* n_ATS`` (e.g. g⁻¹); outputs scale with it
    Dmax : upper cutoff of D [K] (default ∞; needed only for Monte Carlo and number counts)
    d0_unit : ``"K*A^2"`` or ``"K"`` (see :data:`D0_UNITS`); prefer the constructors
    B_star : field of the high-field correction, Eqs. (20), (95) [T]; with ``d0_unit="K"``
             the correction uses φ itself (B/B* = φ) unless B_star (in rad) is given
    E0, T0 : temperature-dependent parameters of Eqs. (96)-(97) [K]: at temperature T,
             ``Dmin ∝ N``, ``D0 ∝ N³``, ``B* ∝ N²`` with ``N ∝ exp(-E0/T)``, equal to the
             given values at ``T0`` (see :meth:`scales_at`); None: fixed parameters
    """

    Dmin: float
    D0min: float
    D0max: float
    density: float = 1.0
    Dmax: float = np.inf
    d0_unit: str = "K*A^2"
    B_star: float | None = None
    E0: float | None = None
    T0: float | None = None
    log_ratio: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.d0_unit not in D0_UNITS:
            raise InputError(f"unknown d0_unit {self.d0_unit!r}; allowed: {', '.join(D0_UNITS)}")
        for name in ("Dmin", "D0min", "D0max", "density"):
            val = getattr(self, name)
            if not np.isfinite(val):
                raise InputError(f"{name} must be finite, got {val!r}")
        if not self.Dmin > 0:
            raise InputError(f"Dmin must be > 0 K, got {self.Dmin!r}")
        if not self.D0min > 0:
            raise InputError(f"D0min must be > 0 {self.d0_unit}, got {self.D0min!r}")
        if not self.D0max > self.D0min:
            raise InputError(f"D0max ({self.D0max!r}) must exceed D0min ({self.D0min!r})")
        if not self.Dmax > self.Dmin:
            raise InputError(f"Dmax ({self.Dmax!r}) must exceed Dmin ({self.Dmin!r})")
        if self.density < 0:
            raise InputError(f"density must be >= 0, got {self.density!r}")
        if self.B_star is not None and not (np.isfinite(self.B_star) and self.B_star > 0):
            raise InputError(f"B_star must be > 0, got {self.B_star!r}")
        if self.E0 is not None:
            if not np.isfinite(self.E0):
                raise InputError(f"E0 must be finite [K], got {self.E0!r}")
            if self.T0 is None or not (np.isfinite(self.T0) and self.T0 > 0):
                raise InputError("E0 (Eq. 97) needs the reference temperature T0 > 0 K, got "
                                 f"T0 = {self.T0!r}")
        object.__setattr__(self, "log_ratio", float(np.log(self.D0max / self.D0min)))

    # -- the two cutoff conventions ------------------------------------------------------
    @classmethod
    def from_fit_combination(cls, Dmin: float, X0min_KA2: float, X0max_KA2: float, *,
                             density: float = 1.0, Dmax: float = np.inf,
                             B_star_T: float | None = None, E0: float | None = None,
                             T0: float | None = None) -> ATSEnsemble:
        """The paper's convention: cutoffs ``X = D0 |q/e| S`` [K·Å²], fields B in tesla.

        ``D0 φ [K] = 2π X 1e-20 B e/h = 1.5193e-5 X[K·Å²] B[T]`` (docs/architecture.md §3)."""
        return cls(Dmin=Dmin, D0min=X0min_KA2, D0max=X0max_KA2, density=density, Dmax=Dmax,
                   d0_unit="K*A^2", B_star=B_star_T, E0=E0, T0=T0)

    @classmethod
    def from_tunnelling_energies(cls, Dmin: float, D0min_K: float, D0max_K: float, *,
                                 density: float = 1.0, Dmax: float = np.inf,
                                 phi_star: float | None = None) -> ATSEnsemble:
        """Tunnelling cutoffs D0 in kelvin; the field variable of every method is the
        Aharonov-Bohm phase φ [rad] (the high-field correction then uses φ/φ*, default
        φ* = 1, i.e. Eq. 20's ``φ²(1 - φ²/27)``)."""
        return cls(Dmin=Dmin, D0min=D0min_K, D0max=D0max_K, density=density, Dmax=Dmax,
                   d0_unit="K", B_star=phi_star)

    def replace(self, **changes) -> ATSEnsemble:
        """A copy with some parameters changed."""
        return dataclasses.replace(self, **changes)

    # -- field handling ------------------------------------------------------------------
    @property
    def field_unit(self) -> str:
        """Unit of the field argument of every method: ``"T"`` or ``"rad"``."""
        return D0_UNITS[self.d0_unit]

    def _field(self, fld: ArrayLike) -> np.ndarray:
        f = finite(f"field [{self.field_unit}]", fld)
        return np.abs(f)

    @property
    def phase_energy_scale(self) -> float:
        """``∂(D0min φ)/∂field`` [K per T or per rad]."""
        return PHASE_ENERGY_PER_KA2_T * self.D0min if self.d0_unit == "K*A^2" else self.D0min

    def phase_energies(self, fld: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``(D0min φ, D0max φ)`` in kelvin for the field along the loop normal.

        ``D0 φ = 1.5193e-5 · X[K·Å²] · B[T]`` for ``d0_unit="K*A^2"`` (docs/architecture.md §3).
        """
        f = self._field(fld)
        scale = PHASE_ENERGY_PER_KA2_T if self.d0_unit == "K*A^2" else 1.0
        return scale * self.D0min * f, scale * self.D0max * f

    def field_ratio(self, fld: ArrayLike, orientation: Orientation | str | None = None,
                    check: bool = True) -> np.ndarray | None:
        """``x = B/B*`` of the high-field correction (φ/φ* in the phase convention), or None
        when ``orientation`` does not apply it. Refused where the expansion is invalid
        (unless ``check`` is False: the caller checks after further scaling)."""
        o = Orientation.of(orientation)
        if not o.high_field:
            return None
        f = self._field(fld)
        if self.B_star is None:
            if self.d0_unit == "K":
                x = f
            else:
                raise InputError("the high-field correction (Eqs. 20, 95) needs B_star [T] in "
                                 "the ensemble")
        else:
            x = f / self.B_star
        if check:
            o.check_field_ratio(x)
        return x

    def scales_at(self, T: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scale factors ``(Dmin, D0, B*)`` at temperature T [K], Eqs. (96)-(97).

        With ``N(T) = N0 exp(-E0/k_BT)`` tunnelers per ATS: ``Dmin ∝ N`` and
        ``D0|q/e|S ∝ N³`` (Eq. 97). For B* the text says only "a similar one ... containing two
        parameters proportional to N(T)"; we read ``B* ∝ N²``. All 1 at ``T = T0`` and
        everywhere when ``E0`` is None. The exponents are refused where they overflow.
        """
        T = np.asarray(T, dtype=float)
        if self.E0 is None:
            one = np.ones_like(T)
            return one, one, one
        u = -self.E0 / T + self.E0 / self.T0
        if np.any(3.0 * np.abs(u) > 700.0):
            bad = T.ravel()[np.argmax(np.abs(u).ravel())]
            raise InputError(
                f"the Eq. (97) scaling exp(3 E0 (1/T0 - 1/T)) overflows at T = {bad:.4g} K "
                f"(E0 = {self.E0:g} K, T0 = {self.T0:g} K): outside the model's range")
        return np.exp(u), np.exp(3.0 * u), np.exp(2.0 * u)

    def cutoff_energies(
        self, fld: ArrayLike, orientation: Orientation | str = "none",
        high_field: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``Ec1 = sqrt(Dmin² + (D0min φ)²)``, ``Ec2 = sqrt(Dmin² + (D0max φ)²)`` [K] (Eq. 13).

        For ``orientation="shortcut"`` with the averaged phase; ``"exact"`` is not a single
        value and is refused.
        """
        o = Orientation.of(orientation, high_field=high_field)
        if o.kind == "exact":
            raise InputError("cutoff energies are defined for orientation 'none' or 'shortcut'")
        f = self._field(fld)
        m, _, _ = o.factors(self.field_ratio(f, o))
        a_min, a_max = self.phase_energies(f)
        return np.hypot(self.Dmin, a_min * m[..., 0]), np.hypot(self.Dmin, a_max * m[..., 0])

    def number_of_states(self) -> float:
        """Total number ``2π P* n_ATS ln(Dmax/Dmin) ln(D0max/D0min)`` (finite Dmax only)."""
        if not np.isfinite(self.Dmax):
            raise InputError("the number of states needs a finite Dmax")
        return 2.0 * np.pi * self.density * np.log(self.Dmax / self.Dmin) * self.log_ratio

    # -- density of states ---------------------------------------------------------------
    def dos(
        self,
        E: ArrayLike,
        fld: ArrayLike,
        *,
        orientation: Orientation | str | None = None,
        high_field: bool | None = None,
        n_c: int | None = None,
    ) -> np.ndarray:
        """Magnetic ATS density of states ``g_ATS(E, B)`` (Eq. 13) [K⁻¹ × density units].

        Broadcasts ``E`` [K] against ``fld`` [T or rad]. With the exact orientation average
        (default) and ``Dmax = ∞``, no high-field correction and ``n_c`` None, the average of
        Eq. (13) over ``c = cos β`` is done in closed form, Eqs. (13a)-(13b) of this module
        (exchange the c and D0 integrals: ``ḡ = 2π ∫_{A1}^{A2} dt/t² artanh(min(t, r)/E)``,
        ``r = sqrt(E² - Dmin²)``, elementary), to rounding (~1e-14). Otherwise (or with an
        explicit ``n_c``) the closed form is averaged over c by Gauss-Legendre on the pieces
        between the orientations where ``E`` crosses ``Ec2``, ``Ec1`` (and the Dmax edges),
        each piece in ``ln c`` unless it starts at c = 0; every piece is smooth, so ``n_c``
        nodes per piece (default 16) give ~1e-10 relative accuracy. (The DOS uses its own
        breakpoint rule; the ``n`` of an :class:`Orientation` applies to averages.)
        """
        o = Orientation.of(orientation, high_field=high_field)
        E = nonnegative("E", E, "K")
        f = self._field(fld)
        if o.kind == "exact" and n_c is None and not o.high_field and not np.isfinite(self.Dmax):
            a_min, a_max = self.phase_energies(f)
            return self.density * _dos_exact_closed(E, self.Dmin, a_min, a_max, self.log_ratio)
        n_c = 16 if n_c is None else n_c
        E, f = np.broadcast_arrays(E, f)
        a_min, a_max = self.phase_energies(f)
        x = self.field_ratio(f, o)
        if o.kind != "exact":
            m, _, _ = o.factors(x)
            m = m[..., 0]
            return self.density * ats_dos_closed(
                E, self.Dmin, a_min * m, a_max * m, self.log_ratio, self.Dmax
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
                # distance variable t = ln(sign (c - s_pt)); linear when s_pt is unusable or
                # over a thousand piece lengths away (ln|c - s| is then smooth on the piece,
                # and the t range would be lost to rounding: at B ~ 1e-20, s ~ 1e20)
                d_a, d_b = sign * (a_end - s_pt), sign * (b_end - s_pt)
                ok = (np.isfinite(s_pt) & (d_a > 0) & (d_b > 0) & (b_end > a_end)
                      & (np.abs(d_b - d_a) > 1e-3 * np.minimum(d_a, d_b)))
                d_a = np.where(ok, d_a, 1.0)
                t_a = np.log(d_a)
                t, wt = mapped_nodes(t_a, np.log(np.where(ok, d_b, 1.0)), n_c)
                c_lin, w_lin = mapped_nodes(a_end, b_end, n_c)
                # c = s + sign e^t, written from the piece's end: s + sign e^t cancels
                # catastrophically for a far s (a singular point at c ~ 1e20 when B ~ 1e-20)
                c_log = a_end[..., None] + sign * d_a[..., None] * np.expm1(t - t_a[..., None])
                c = np.where(ok[..., None], c_log, c_lin)
                w = np.where(ok[..., None], np.abs(wt) * np.exp(t), w_lin)
                with np.errstate(over="ignore", invalid="ignore"):
                    m = c if xs is None else c * np.sqrt(1.0 - xs**2 * c**2 / 27.0)
                g = ats_dos_closed(E[..., None], self.Dmin, a_min[..., None] * m,
                                   a_max[..., None] * m, self.log_ratio, self.Dmax)
                total = total + np.sum(g * w, axis=-1)
        return self.density * total

    # -- the fast route: 1-D energy integrals of the closed orientation average ----------
    def _energy_average(
        self,
        integrand: Callable[..., np.ndarray],
        fld: ArrayLike,
        T: ArrayLike,
        orientation: Orientation,
        *,
        thermal: bool,
        weighted: bool = False,
        max_chunk: int = 2_000_000,
    ) -> np.ndarray:
        """``∫ dE integrand(E, T, g, h)`` per point, by the energy rule of
        :func:`_energy_rule` (the route of :func:`_fast_route_applies`), times ``density``.

        ``g`` is the DOS per unit ``P* n_ATS`` at the nodes (the closed orientation average
        Eq. 13a for ``"exact"``, Eq. 13 for ``"shortcut"``/``"none"``), ``h`` the
        A²/E²-weighted DOS (Eqs. 93a/93b; None unless ``weighted``), ``E`` and ``T`` [K]
        shape ``(p, N)`` and ``(p, 1)``; ``integrand`` may prepend axes (several results
        stacked). ``T`` broadcasts against the field; ``thermal``: the integrand falls as
        ``e^{-E/T}`` (else as 1/E², integrated to E = ∞). Result: the broadcast shape.
        """
        f = self._field(fld)
        f, Tb = np.broadcast_arrays(f, np.asarray(T, dtype=float))
        shape = f.shape
        f, Tb = f.ravel(), Tb.ravel()
        if f.size == 0:
            probe = integrand(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)),
                              np.ones((1, 1)) if weighted else None)
            return np.zeros(np.shape(probe)[:-2] + shape)
        a1, a2 = self.phase_energies(f)
        m = float(orientation.factors()[0][..., 0]) if orientation.kind != "exact" else 1.0
        pieces = []
        chunk = max(1, max_chunk // 400)
        for start in range(0, len(f), chunk):
            sl = slice(start, start + chunk)
            E, w, g, h = _energy_rule(self.Dmin, a1[sl] * m, a2[sl] * m, self.log_ratio,
                                      orientation.kind == "exact", Tb[sl], thermal, weighted)
            vals = integrand(E, Tb[sl, None], g, h)
            pieces.append(np.einsum("...pn,pn->...p", vals, w))
        out = np.concatenate(pieces, axis=-1)
        return self.density * out.reshape(out.shape[:-1] + shape)

    # -- generic average -----------------------------------------------------------------
    def average(
        self,
        kernel: Kernel,
        fld: ArrayLike,
        *,
        T: ArrayLike | None = None,
        orientation: Orientation | str | None = None,
        rule: Rule | None = None,
        derivative: bool = False,
        **pointwise: ArrayLike,
    ) -> np.ndarray:
        """Ensemble average ``∫ dN K`` of any kernel (docs/architecture.md §1).

        ``∫ 2π P* n_ATS du dv ⟨K(E, D, A)⟩_orientation`` with ``u = ln D0``, ``v = ln D``,
        ``A = D0 φ_eff`` [K] and ``E = sqrt(D² + A²)`` (Eq. 9). The kernel is called as
        ``kernel(E, D, A, **pointwise)`` — or ``kernel(E, D, A, dA, **pointwise)`` with
        ``dA = ∂A/∂field`` when ``derivative`` (e.g. ``∂E/∂B = A dA / E`` for the
        magnetization) — on arrays of shape ``(f, n_c, n_u, n_v)``. A kernel may prepend axes
        (e.g. several components stacked), which lead the result.

        ``T`` [K] and the ``pointwise`` arrays are broadcast against the field; the kernel
        receives each (``T`` too, when given) as shape ``(f, 1, 1, 1)``, aligned with the field
        points. With ``E0``/``T0`` set, the cutoffs and B* follow Eq. (97) at each point's T
        (:meth:`scales_at`). Result shape: the broadcast shape.

        ``orientation``: an :class:`Orientation` (default exact, no high-field correction) or
        its kind name. ``rule``: the (u, D) :class:`Rule`. The nodes are laid out per point
        from that point's own Dmin, T and range of A only (:meth:`Rule.d_nodes`,
        :meth:`Rule.u_nodes`), so one call over many temperatures or fields is as accurate as
        one call per point; with
        ``rule.decay`` (``"thermal"``: the kernel falls as ``e^{-E/T}``; ``"algebraic"``: as
        a power of 1/E) they follow each point's temperature, which ``T`` must then give;
        without, ``energy_scale`` None means ``1e3 max(Dmin, D0max φ)`` of each point. With
        ``Dmax = ∞`` the kernel must decay at least as 1/E.
        """
        legacy = sorted(set(pointwise) & _LEGACY_AVERAGE_KW)
        if legacy:
            raise TypeError(f"ATSEnsemble.average: {legacy} are not kernel arguments; pass "
                            "orientation=Orientation(kind, n, high_field), rule=Rule(n_u, n_v, "
                            "energy_scale, v_panels), derivative=..., and E0/T0 on the ensemble")
        o = Orientation.of(orientation)
        rule = DEFAULT_RULE if rule is None else rule
        if not isinstance(rule, Rule):
            raise InputError(f"rule must be a coldglass.ensembles.Rule, got {rule!r}")
        names = list(pointwise) + ([] if T is None else ["T"])
        values = list(pointwise.values()) + ([] if T is None else [T])
        arrays = [self._field(fld)] + [finite(k, v) for k, v in zip(names, values, strict=True)]
        arrays = np.broadcast_arrays(*arrays)
        shape = arrays[0].shape
        if arrays[0].size == 0:  # nothing to average: an empty result of the right shape
            return np.zeros(shape)
        f, *extra = (a.ravel() for a in arrays)
        extra = dict(zip(names, extra, strict=True))
        if T is not None:
            if np.any(extra["T"] <= 0):
                raise InputError("T must be > 0 K")
            sD, sD0, sBs = self.scales_at(extra["T"])
        else:
            sD = sD0 = sBs = np.ones_like(f)
        a_min = self.phase_energies(f)[0] * sD0
        x = self.field_ratio(f, o, check=False)
        if x is not None:
            x = x / sBs
            try:
                o.check_field_ratio(x)
            except ValueError as exc:
                if T is None or self.E0 is None:
                    raise
                k = int(np.argmax(np.abs(x)))
                bs = (np.inf if self.B_star is None else self.B_star) * sBs[k]
                raise InputError(
                    f"{exc}: at T = {extra['T'][k]:.4g} K, B = {f[k]:.4g} {self.field_unit} "
                    f"the Eq. (97) scaling (E0 = {self.E0:g} K, T0 = {self.T0:g} K; our "
                    f"reading B* ∝ N², N ∝ exp(-E0/k_BT)) has turned B* = {self.B_star:g} into "
                    f"{bs:.3g}; the model with these parameters does not reach this (T, B) "
                    "(use high_field=False, or E0 = 0 for fixed parameters)") from None
        m, dm_dx, wc = o.factors(x)
        m = np.broadcast_to(m, f.shape + m.shape[-1:])
        dm_dx = np.broadcast_to(dm_dx, m.shape)
        if x is None:
            dm_df = np.zeros_like(m)
        else:
            dxdf = (1.0 if self.B_star is None else 1.0 / self.B_star) / sBs
            dm_df = dm_dx * dxdf[:, None]
        # (u, D) nodes, laid out per point from that point's own Dmin, T and A range only
        # (Rule.u_nodes, Rule.d_nodes): one call over many temperatures is as accurate as one
        # call per point. u: D0 = D0min r, r in [1, D0max/D0min]; shared unless thermal
        Dlo = self.Dmin * sD
        Tp = None if T is None else extra["T"]
        m_abs = np.abs(m)
        ratio, wu = rule.u_nodes(self.log_ratio, a_min[:, None] * m_abs, Dlo, Tp)
        ratio = np.broadcast_to(ratio, m.shape + ratio.shape[-1:])
        wcu = wc[:, None] * wu if wu.ndim == 1 else wc[None, :, None] * wu
        wcu = np.broadcast_to(wcu, ratio.shape)
        a_lo = a_min * np.min(m_abs, axis=-1, initial=np.inf)
        a_hi = a_min * np.max(m_abs, axis=-1, initial=0.0) * np.exp(self.log_ratio)
        Dn, wv = rule.d_nodes(Dlo, a_lo, a_hi, Tp, self.Dmax)
        n_per_field = m.shape[-1] * ratio.shape[-1] * Dn.shape[-1]
        chunk = max(1, rule.max_chunk // n_per_field)
        pieces = []
        for start in range(0, len(f), chunk):
            sl = slice(start, start + chunk)
            A = a_min[sl, None, None, None] * m[sl, :, None, None] * ratio[sl, :, :, None]
            Dg = Dn[sl, None, None, :]
            E = np.sqrt(Dg**2 + A**2)
            kw = {k: v[sl, None, None, None] for k, v in extra.items()}
            if derivative:
                dA = self.phase_energy_scale * sD0[sl, None, None, None] * ratio[
                    sl, :, :, None] * (m[sl, :, None, None]
                                       + f[sl, None, None, None] * dm_df[sl, :, None, None])
                K = kernel(E, Dg, A, np.broadcast_to(dA, E.shape), **kw)
            else:
                K = kernel(E, Dg, A, **kw)
            K = np.broadcast_to(K, np.broadcast_shapes(np.shape(K), E.shape))
            Kv = np.einsum("...fcuv,fv->...fcu", K, wv[sl])
            pieces.append(np.einsum("...fcu,fcu->...f", Kv, wcu[sl]))
        out = np.concatenate(pieces, axis=-1)
        out = out.reshape(out.shape[:-1] + shape)
        return 2.0 * np.pi * self.density * out

    # -- Monte Carlo ---------------------------------------------------------------------
    def sample(
        self,
        n: int,
        fld: float,
        *,
        orientation: Orientation | str | None = None,
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
            raise InputError(f"n must be a positive integer, got {n!r}")
        kind = Orientation.of(orientation).kind
        dmax = self.Dmax if Dmax is None else float(Dmax)
        if not (np.isfinite(dmax) and dmax > self.Dmin):
            raise InputError("Monte Carlo needs a finite Dmax > Dmin (argument or ensemble)")
        f = float(self._field(fld))
        if self.d0_unit == "K*A^2":
            if area_A2 is None or not (np.isfinite(area_A2) and area_A2 > 0):
                raise InputError("area_A2 (> 0 Å²) is needed to sample a K*A^2 ensemble")
            d0_scale = 1.0 / area_A2
            phi0 = PHASE_ENERGY_PER_KA2_T * area_A2 * f  # φ = 2π B S e/h
        else:
            d0_scale, phi0 = 1.0, f
        gen = np.random.default_rng(rng)
        D = self.Dmin * np.exp(gen.uniform(0.0, np.log(dmax / self.Dmin), n))
        chi = gen.uniform(0.0, 2.0 * np.pi, n)
        D0 = d0_scale * self.D0min * np.exp(gen.uniform(0.0, self.log_ratio, n))
        if kind == "exact":
            mult = gen.uniform(0.0, 1.0, n)
        elif kind == "shortcut":
            mult = np.full(n, 1.0 / np.sqrt(3.0))
        else:
            mult = np.ones(n)
        D_bare = np.sqrt(1.5) * D
        angles = chi[:, None] + 2.0 * np.pi * np.arange(3) / 3.0
        E = np.sqrt(2.0 / 3.0) * D_bare[:, None] * np.cos(angles)
        total = 2.0 * np.pi * self.density * np.log(dmax / self.Dmin) * self.log_ratio
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
    orientation: Orientation | str | None = None,
    high_field: bool | None = None,
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
