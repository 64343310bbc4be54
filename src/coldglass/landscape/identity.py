"""When two configurations are the same minimum: the one predicate of the landscape code.

Two inherent structures of a periodic glass are the same minimum when their energies agree
and the particles can be matched — identical particles may have swapped labels, the whole
configuration may be translated — so that no particle is farther than ``x_tol`` from its
partner. :func:`minimum_distance` is that largest matched distance [σ]: the uniform
translation (mass-weighted, minimum image) is removed, then identical particles are matched
species by species by the Hungarian assignment of squared distances, and the translation is
re-estimated once from the matched pairs. Used by the searches, the campaign catalog and the
duplicate merging of the search's catalog.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .model import BinaryLJ, minimum_image

__all__ = ["minimum_distance", "same_minimum"]

_FAST = 0.05  # σ: below this largest direct displacement no permutation can do better


def _shift(model: BinaryLJ, d: np.ndarray) -> np.ndarray:
    m = model.particle_masses
    return (m[:, None] * d).sum(0) / m.sum()


def _matched(model: BinaryLJ, x: np.ndarray, y: np.ndarray, shift: np.ndarray
             ) -> tuple[float, np.ndarray]:
    """Largest matched distance and the matched displacements (x order)."""
    L = model.box_length
    worst, disp = 0.0, np.empty_like(x)
    for t in np.unique(model.types):
        idx = np.flatnonzero(model.types == t)
        diff = minimum_image(y[idx][None, :, :] - shift - x[idx][:, None, :], L)
        cost = np.einsum("ijk,ijk->ij", diff, diff)
        r, c = linear_sum_assignment(cost)
        worst = max(worst, float(np.sqrt(cost[r, c].max())))
        disp[idx[r]] = diff[r, c] + shift
    return worst, disp


def minimum_distance(model: BinaryLJ, x: np.ndarray, y: np.ndarray) -> float:
    """Largest single-particle distance [σ] between configurations ``x`` and ``y`` (N, 3)
    after removing the uniform translation and the optimal permutation of identical
    particles (module docstring)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    d = minimum_image(y - x, model.box_length)
    s = _shift(model, d)
    direct = float(np.max(np.linalg.norm(d - s, axis=1)))
    if direct < _FAST:
        return direct
    worst, disp = _matched(model, x, y, s)
    s2 = _shift(model, disp)  # the translation of the matched pairs
    if np.linalg.norm(s2 - s) > 1e-12:
        worst = min(worst, _matched(model, x, y, s2)[0])
    return min(direct, worst)


def same_minimum(model: BinaryLJ, xa, xb, ea: float, eb: float, *, e_tol: float = 1e-3,
                 x_tol: float = 1e-2) -> bool:
    """The same minimum: energies within ``e_tol`` [ε] (0.12 K for argon) and
    :func:`minimum_distance` below ``x_tol`` [σ].

    The tolerances are this loose on purpose: the cut-and-shifted potential has a force
    discontinuity at r_c (φ'(r_c) ≈ -0.039 ε/σ for the AA pair), so the landscape carries
    kinks where pairs cross the cutoff, and quenches end in "minima" a few 1e-4 σ and
    ~1e-5 ε apart that are artifacts of the truncation, not double wells."""
    if abs(float(ea) - float(eb)) > e_tol:
        return False
    return minimum_distance(model, xa, xb) < x_tol
