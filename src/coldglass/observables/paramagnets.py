"""Paramagnetic impurities (Fe²⁺, Fe³⁺): Brillouin magnetization and Schottky heat capacity.

Paper Eqs. (16), (90)-(92). A spin-J ion with Landé factor g has 2J+1 Zeeman levels
``m g μ_B B`` (m = -J..J). Concentrations ``n`` per gram give M in A m² g⁻¹ and C in
J K⁻¹ g⁻¹.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..constants import K_B, MU_B, MU_B_K_PER_T
from ..errors import InputError
from ..validation import finite, nonnegative, temperature

__all__ = [
    "brillouin",
    "magnetization_paramagnet",
    "curie_susceptibility",
    "cp_paramagnet",
    "free_energy_paramagnet",
]


def _check_spin(J: float, g: float) -> None:
    if not (np.isfinite(J) and J > 0 and float(2 * J).is_integer()):
        raise InputError(f"J must be a positive half-integer, got {J!r}")
    if not (np.isfinite(g) and g > 0):
        raise InputError(f"g must be > 0, got {g!r}")


def _coth_minus_inv(y: np.ndarray) -> np.ndarray:
    """coth(y) - 1/y to ~1e-14 relative: Laurent series below |y| = 0.1, where the direct
    difference would lose digits to cancellation."""
    y = np.asarray(y, dtype=float)
    small = np.abs(y) < 0.1
    ys = np.where(small, 1.0, y)
    big = 1.0 / np.tanh(ys) - 1.0 / ys
    y2 = y * y
    series = y * (1 / 3 + y2 * (-1 / 45 + y2 * (2 / 945 + y2 * (-1 / 4725 + y2 * 2 / 93555))))
    return np.where(small, series, big)


def brillouin(J: float, z: ArrayLike) -> np.ndarray:
    """Brillouin function ``B_J(z) = (2J+1)/2J coth((2J+1)z/2J) - 1/2J coth(z/2J)`` (Eq. 91).

    Written as differences ``coth(y) - 1/y`` so that the small-z limit ``(J+1)z/3J`` is
    exact to rounding.
    """
    _check_spin(J, 2.0)
    z = finite("z", z)
    a = (2 * J + 1) / (2 * J)
    b = 1 / (2 * J)
    return a * _coth_minus_inv(a * z) - b * _coth_minus_inv(b * z)


def magnetization_paramagnet(
    T: ArrayLike, B: ArrayLike, n: ArrayLike, J: float, g: float = 2.0
) -> np.ndarray:
    """``M_J = n g μ_B J B_J(z)``, ``z = g μ_B J B / k_B T`` (Eq. 90) [A m² per unit of n]."""
    _check_spin(J, g)
    T = temperature(T)
    B = finite("B", B)
    n = nonnegative("n", n)
    z = g * MU_B_K_PER_T * J * B / T
    return n * g * MU_B * J * brillouin(J, z)


def curie_susceptibility(T: ArrayLike, n: ArrayLike, J: float, g: float = 2.0) -> np.ndarray:
    """Curie law ``M/B = n g² μ_B² J(J+1) / 3 k_B T`` (Eq. 92) [A m² T⁻¹ per unit of n]."""
    _check_spin(J, g)
    T = temperature(T)
    n = nonnegative("n", n)
    return n * g**2 * MU_B**2 * J * (J + 1) / (3 * K_B * T)


def cp_paramagnet(
    T: ArrayLike, B: ArrayLike, n: ArrayLike, J: float, g: float = 2.0,
    z_includes_J: bool = False,
) -> np.ndarray:
    """Schottky heat capacity of spin-J ions (Eq. 16) [J K⁻¹ per unit of n].

    ``C = n k_B (z²/4) [sinh⁻²(z/2) - (2J+1)² sinh⁻²((2J+1)z/2)]`` with the Zeeman spacing
    ``z = g μ_B B / k_B T``, i.e. ``C = k_B z² d² ln Z / dz²`` for
    ``Z = sinh((2J+1)z/2)/sinh(z/2)`` (tested against the direct sum over the 2J+1 levels).
    The text prints ``z = g μ_B J B / k_B T`` (the variable of Eq. 90); that reading is
    available as ``z_includes_J=True`` only to compare with the printed formula.
    """
    _check_spin(J, g)
    T = temperature(T)
    B = finite("B", B)
    n = nonnegative("n", n)
    z = g * MU_B_K_PER_T * B / T * (J if z_includes_J else 1.0)
    k = 2 * J + 1

    def csch2_times(zz: np.ndarray, s: float) -> np.ndarray:
        # (s z/2)² / sinh²(s z/2), finite at z = 0, underflow-safe at large z
        y = np.abs(s * zz / 2)
        ys = np.where(y < 1e-4, 1.0, y)
        val = np.where(y > 300, 4 * ys**2 * np.exp(-2 * np.minimum(ys, 700.0)),
                       (ys / np.sinh(np.minimum(ys, 300.0))) ** 2)
        return np.where(y < 1e-4, 1.0 - y**2 / 3, val)

    # (z²/4)[1/sinh²(z/2) - k²/sinh²(kz/2)] = csch2_times(z,1) - csch2_times(z,k)
    return n * K_B * (csch2_times(z, 1.0) - csch2_times(z, k))


def free_energy_paramagnet(
    T: ArrayLike, B: ArrayLike, n: ArrayLike, J: float, g: float = 2.0
) -> np.ndarray:
    """Free energy ``F = -n k_B T ln Z``, ``Z = Σ_m exp(-m g μ_B B/k_B T)`` [J per unit of n]
    (direct sum over the 2J+1 levels; used to check M = -∂F/∂B and C = -T ∂²F/∂T²)."""
    _check_spin(J, g)
    T = temperature(T)
    B = finite("B", B)
    m = np.arange(-J, J + 1.0)
    x = g * MU_B_K_PER_T * np.asarray(B)[..., None] * m / np.asarray(T)[..., None]
    xmax = np.max(-x, axis=-1, keepdims=True)
    lnZ = xmax[..., 0] + np.log(np.sum(np.exp(-x - xmax), axis=-1))
    return -nonnegative("n", n) * K_B * T * lnZ
