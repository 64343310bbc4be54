"""Gauss-Legendre rules used by the ensemble averages (vectorized, no Python loops over grids)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .errors import InputError

__all__ = ["gauss_legendre", "composite_gauss_legendre", "mapped_nodes", "mapped_panels",
           "log_mapped_nodes"]


@lru_cache(maxsize=64)
def gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the n-point Gauss-Legendre rule on [0, 1]."""
    if n < 1:
        raise InputError(f"number of nodes must be >= 1, got {n}")
    x, w = np.polynomial.legendre.leggauss(n)
    x, w = 0.5 * (x + 1.0), 0.5 * w
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def mapped_nodes(lo: np.ndarray, hi: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """GL nodes and weights on [lo, hi] for arrays of intervals: shapes lo.shape + (n,)."""
    x, w = gauss_legendre(n)
    lo = np.asarray(lo, dtype=float)[..., None]
    hi = np.asarray(hi, dtype=float)[..., None]
    return lo + (hi - lo) * x, (hi - lo) * w


def mapped_panels(lo: np.ndarray, hi: np.ndarray, n_panels: int, n: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Composite GL on arrays of intervals: ``n_panels`` equal panels of ``n`` nodes on each
    ``[lo, hi]``; shapes ``lo.shape + (n_panels n,)``, panel by panel."""
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    edges = lo[..., None] + (hi - lo)[..., None] * np.linspace(0.0, 1.0, n_panels + 1)
    x, w = mapped_nodes(edges[..., :-1], edges[..., 1:], n)
    return x.reshape(lo.shape + (-1,)), w.reshape(lo.shape + (-1,))


def composite_gauss_legendre(
    lo: float, hi: float, n_per_panel: int, panel_width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Composite GL rule on [lo, hi] with panels no wider than ``panel_width``."""
    if not hi >= lo:
        raise InputError(f"empty interval [{lo}, {hi}]")
    n_panels = max(1, int(np.ceil((hi - lo) / panel_width)))
    edges = np.linspace(lo, hi, n_panels + 1)
    x, w = mapped_nodes(edges[:-1], edges[1:], n_per_panel)
    return x.ravel(), w.ravel()


def log_mapped_nodes(lo, hi, sing, n_per_unit: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [lo, hi] for integrands with a logarithmic singularity at
    ``sing < lo``: ``y = sing + (lo - sing) e^s``, composite GL with ``n_per_unit`` nodes per
    unit of s. Shapes ``lo.shape + (n,)``; with ``sing = 0`` this is a rule in ``ln y``."""
    lo, hi, sing = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lo, hi, sing)))
    gap = lo - sing
    s_max = np.log((hi - sing) / gap)
    n = n_per_unit * max(1, int(np.ceil(float(np.max(s_max, initial=1.0)))))
    s, w = mapped_nodes(np.zeros_like(s_max), s_max, n)
    dy = gap[..., None] * np.exp(s)
    return sing[..., None] + dy, w * dy
