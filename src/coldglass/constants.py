"""Physical constants and unit conversions (a thin layer over :mod:`scipy.constants`).

Conventions (docs/architecture.md §3):

* energies inside the physics are in kelvin (k_B = 1);
* the Aharonov-Bohm phase of a tunnelling loop of area S threaded by a field B is
  ``phi = 2 pi Phi / Phi0`` with ``Phi = B S`` and ``Phi0 = h / |q|`` (paper Eq. 7);
* the paper's ATS fit parameters are the combination ``X = D0 |q/e| S`` in K·Å², so that
  ``D0 phi [K] = 2 pi X 1e-20 B e / h`` (:func:`phase_energy`).
"""

from __future__ import annotations

import numpy as np
import scipy.constants as sc
from numpy.typing import ArrayLike

from .errors import InputError
from .validation import finite

__all__ = [
    "K_B",
    "DEBYE_KV_PER_M_J",
    "HBAR_K",
    "MU_B",
    "MU_B_K_PER_T",
    "N_A",
    "PHASE_ENERGY_PER_KA2_T",
    "MOLAR_MASS",
    "FE_IONS",
    "phase_energy",
    "phase",
    "ppm_to_per_gram",
    "per_gram_to_ppm",
    "effective_moment",
    "kelvin_to",
    "to_kelvin",
]

K_B: float = sc.k
"""Boltzmann constant [J/K]."""
HBAR_K: float = sc.hbar / sc.k
"""Reduced Planck constant in kelvin·seconds [K s] (ħ/k_B)."""
MU_B: float = sc.physical_constants["Bohr magneton"][0]
"""Bohr magneton [J/T]."""
MU_B_K_PER_T: float = MU_B / sc.k
"""Bohr magneton in kelvin per tesla [K/T]."""
N_A: float = sc.N_A
"""Avogadro constant [1/mol]."""
ANGSTROM2: float = sc.angstrom**2

PHASE_ENERGY_PER_KA2_T: float = 2.0 * np.pi * ANGSTROM2 * sc.e / sc.h
"""``D0 phi`` in kelvin for ``X = D0|q/e|S = 1 K·Å²`` and ``B = 1 T`` (≈ 1.5193e-5)."""

# Mean molar masses sum_i xi_i A_i [g/mol] used by Eq. (98) (paper Sec. 7 and Table 14).
MOLAR_MASS: dict[str, float] = {"BAS": 80.530, "Duran": 61.873, "BK7": 63.530}

# Paramagnetic Fe ions in silicate glasses: quenched orbital moment (paper Sec. 4.1, item a).
FE_IONS: dict[str, dict[str, float]] = {
    "Fe2+": {"J": 2.0, "g": 2.0},
    "Fe3+": {"J": 2.5, "g": 2.0},
}

_ENERGY_UNITS: dict[str, float] = {
    "K": 1.0,
    "mK": 1e-3,
    "J": 1.0 / sc.k,
    "eV": sc.e / sc.k,
    "meV": 1e-3 * sc.e / sc.k,
    "ueV": 1e-6 * sc.e / sc.k,
    "GHz": 1e9 * sc.h / sc.k,
    "MHz": 1e6 * sc.h / sc.k,
    "cm-1": 100.0 * sc.h * sc.c / sc.k,
}


DEBYE_KV_PER_M_J = 1e-21 / sc.c * 1e3
"""1 D·kV/m in joules (the p1F0 column of Table 8); 1 D = 1e-21/c C m."""


def to_kelvin(value: ArrayLike, unit: str) -> np.ndarray:
    """Convert an energy from ``unit`` to kelvin (k_B = 1).

    Allowed units: ``K, mK, J, eV, meV, ueV, GHz, MHz, cm-1`` (frequencies via E = h f).
    """
    if unit not in _ENERGY_UNITS:
        raise InputError(f"unknown energy unit {unit!r}; allowed: {', '.join(_ENERGY_UNITS)}")
    return finite("value", value) * _ENERGY_UNITS[unit]


def kelvin_to(value: ArrayLike, unit: str) -> np.ndarray:
    """Convert an energy in kelvin to ``unit`` (inverse of :func:`to_kelvin`)."""
    if unit not in _ENERGY_UNITS:
        raise InputError(f"unknown energy unit {unit!r}; allowed: {', '.join(_ENERGY_UNITS)}")
    return finite("value", value) / _ENERGY_UNITS[unit]


def phase_energy(X_KA2: ArrayLike, B_T: ArrayLike) -> np.ndarray:
    """Tunnelling energy times Aharonov-Bohm phase, ``D0 phi`` [K].

    ``D0 phi = 2 pi X B e/h`` with ``X = D0 |q/e| S`` [K·Å²] and B [T] (paper Eq. 7 with
    Phi = B S, Phi0 = h/|q|). Broadcasts over ``X_KA2`` and ``B_T``.
    """
    X = finite("X_KA2", X_KA2)
    B = finite("B_T", B_T)
    return PHASE_ENERGY_PER_KA2_T * X * B


def phase(B_T: ArrayLike, area_A2: ArrayLike, charge_e: float = 1.0) -> np.ndarray:
    """Aharonov-Bohm phase ``phi = 2 pi B S |q| / h`` [rad] (paper Eq. 7).

    Parameters
    ----------
    B_T : field [T]; area_A2 : loop area S [Å²]; charge_e : |q| in units of e.
    """
    B = finite("B_T", B_T)
    S = finite("area_A2", area_A2)
    if np.any(S < 0):
        raise InputError("area_A2 must be >= 0")
    return 2.0 * np.pi * B * S * ANGSTROM2 * abs(charge_e) * sc.e / sc.h


def _molar_mass(material_or_mass: str | float) -> float:
    if isinstance(material_or_mass, str):
        if material_or_mass not in MOLAR_MASS:
            raise InputError(
                f"unknown material {material_or_mass!r}; known: {', '.join(MOLAR_MASS)}"
                " (or pass the mean molar mass in g/mol)"
            )
        return MOLAR_MASS[material_or_mass]
    M = float(material_or_mass)
    if not np.isfinite(M) or M <= 0:
        raise InputError(f"mean molar mass must be > 0 g/mol, got {material_or_mass!r}")
    return M


def ppm_to_per_gram(ppm: ArrayLike, material_or_mass: str | float) -> np.ndarray:
    """Atomic ppm -> number per gram, ``n = nbar N_A / sum_i xi_i A_i`` (paper Eq. 98).

    ``material_or_mass`` is a material name in :data:`MOLAR_MASS` or the mean molar mass
    in g/mol. Returns g⁻¹.
    """
    p = finite("ppm", ppm)
    if np.any(p < 0):
        raise InputError("ppm must be >= 0")
    return p * 1e-6 * N_A / _molar_mass(material_or_mass)


def per_gram_to_ppm(n_per_g: ArrayLike, material_or_mass: str | float) -> np.ndarray:
    """Number per gram [g⁻¹] -> atomic ppm (inverse of Eq. 98)."""
    n = finite("n_per_g", n_per_g)
    if np.any(n < 0):
        raise InputError("n_per_g must be >= 0")
    return n * _molar_mass(material_or_mass) / N_A * 1e6


def effective_moment(J: float, g: float = 2.0) -> float:
    """Effective paramagnetic moment ``g sqrt(J(J+1))`` in Bohr magnetons.

    Fe²⁺ (J = 2, g = 2): 2√6 μ_B; Fe³⁺ (J = 5/2, g = 2): √35 μ_B (paper Sec. 7).
    """
    if not (np.isfinite(J) and J > 0 and float(2 * J).is_integer()):
        raise InputError(f"J must be a positive half-integer, got {J!r}")
    if not (np.isfinite(g) and g > 0):
        raise InputError(f"g must be > 0, got {g!r}")
    return float(g * np.sqrt(J * (J + 1.0)))
