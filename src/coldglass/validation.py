"""Input checks shared by every module: each raises :class:`~coldglass.errors.InputError` (a
``ValueError``) naming the parameter and the allowed range, before any work starts."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError

__all__ = ["finite", "nonnegative", "positive", "temperature", "T_MIN"]


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
                         f"{float(arr.min())!r}")
    return arr


def positive(name: str, value: ArrayLike, unit: str = "") -> np.ndarray:
    """Finite and ``> 0``."""
    arr = finite(name, value)
    if np.any(arr <= 0):
        raise InputError(f"{name} must be > 0{' ' + unit if unit else ''}, got min "
                         f"{float(arr.min())!r}")
    return arr


T_MIN = 1e-9
"""Lowest temperature [K] the models evaluate (1 nK): below it the Boltzmann factors of any
physical gap underflow and no glass is measured; refused rather than returned as 0/0."""


def temperature(value: ArrayLike, name: str = "T") -> np.ndarray:
    """Temperatures in kelvin: finite and >= :data:`T_MIN` (1 nK)."""
    arr = positive(name, value, "K")
    if arr.size and np.min(arr) < T_MIN:
        raise InputError(f"{name} must be >= {T_MIN:g} K (1 nK), got min {float(np.min(arr))!r} K")
    return arr
