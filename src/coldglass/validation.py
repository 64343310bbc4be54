"""Input checks shared by every module: each raises ``ValueError`` naming the parameter and the
allowed range, before any work starts."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["finite", "nonnegative", "positive", "temperature"]


def finite(name: str, value: ArrayLike) -> np.ndarray:
    """``value`` as a float array; refuses NaN and ±inf."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {value!r}")
    return arr


def nonnegative(name: str, value: ArrayLike, unit: str = "") -> np.ndarray:
    """Finite and ``>= 0``."""
    arr = finite(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0{' ' + unit if unit else ''}, got min {arr.min()!r}")
    return arr


def positive(name: str, value: ArrayLike, unit: str = "") -> np.ndarray:
    """Finite and ``> 0``."""
    arr = finite(name, value)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0{' ' + unit if unit else ''}, got min {arr.min()!r}")
    return arr


def temperature(value: ArrayLike, name: str = "T") -> np.ndarray:
    """Temperatures in kelvin: finite and strictly positive."""
    return positive(name, value, "K")
