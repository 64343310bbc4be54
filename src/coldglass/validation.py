"""Input checks shared by every module: each raises :class:`~coldglass.errors.InputError` (a
``ValueError``) naming the parameter and the allowed range, before any work starts."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError

__all__ = ["finite", "nonnegative", "positive", "temperature"]


def finite(name: str, value: ArrayLike) -> np.ndarray:
    """``value`` as a float array; refuses NaN, ±inf, complex numbers and non-numbers."""
    if np.iscomplexobj(value):
        raise InputError(f"{name} must be real, got a complex value {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a real number or array of numbers, got "
                         f"{value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be finite (no NaN or inf), got {value!r}")
    return arr


def nonnegative(name: str, value: ArrayLike, unit: str = "") -> np.ndarray:
    """Finite and ``>= 0``."""
    arr = finite(name, value)
    if np.any(arr < 0):
        raise InputError(f"{name} must be >= 0{' ' + unit if unit else ''}, got min "
                         f"{arr.min()!r}")
    return arr


def positive(name: str, value: ArrayLike, unit: str = "") -> np.ndarray:
    """Finite and ``> 0``."""
    arr = finite(name, value)
    if np.any(arr <= 0):
        raise InputError(f"{name} must be > 0{' ' + unit if unit else ''}, got min "
                         f"{arr.min()!r}")
    return arr


def temperature(value: ArrayLike, name: str = "T") -> np.ndarray:
    """Temperatures in kelvin: finite and strictly positive."""
    return positive(name, value, "K")
