"""Mapping from Lennard-Jones reduced units (σ, ε, m) to physical units.

Every number the landscape pipeline computes lives in reduced units (lengths in σ, energies
in ε, masses in m, times in ``σ sqrt(m/ε)``); this explicit, recorded mapping turns them into
Å, K and u. The default preset is argon (σ = 3.405 Å, ε/k_B = 119.8 K, m = 39.948 u).

The quantum of action in reduced units is ``ħ* = ħ / (σ sqrt(m ε))`` (≈ 0.0296 for argon):
the 1D Schrödinger equation along a path of arc length s (mass-weighted, in σ) reads
``[-(ħ*²/2) d²/ds² + V(s)] ψ = E ψ`` with V and E in ε.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.constants as sc

from ..errors import InputError

__all__ = ["UnitMapping", "ARGON", "PRESETS", "unit_preset"]


@dataclass(frozen=True)
class UnitMapping:
    """Reduced-to-physical unit mapping.

    Parameters
    ----------
    sigma_A : length unit σ [Å]
    epsilon_K : energy unit ε / k_B [K]
    mass_u : mass unit m [u]
    name : label recorded with every result
    """

    sigma_A: float = 3.405
    epsilon_K: float = 119.8
    mass_u: float = 39.948
    name: str = "argon"

    def __post_init__(self) -> None:
        for key in ("sigma_A", "epsilon_K", "mass_u"):
            v = getattr(self, key)
            if not (np.isfinite(v) and v > 0):
                raise InputError(f"{key} must be finite and > 0, got {v!r}")

    @property
    def hbar_star(self) -> float:
        """``ħ / (σ sqrt(m ε))`` (dimensionless)."""
        m = self.mass_u * sc.atomic_mass
        eps = self.epsilon_K * sc.k
        return sc.hbar / (self.sigma_A * sc.angstrom * np.sqrt(m * eps))

    @property
    def time_s(self) -> float:
        """Reduced time unit ``σ sqrt(m/ε)`` [s]."""
        return self.sigma_A * sc.angstrom * np.sqrt(self.mass_u * sc.atomic_mass
                                                    / (self.epsilon_K * sc.k))

    def to_K(self, energy_eps):
        """Energy from ε to K."""
        return np.asarray(energy_eps, dtype=float) * self.epsilon_K

    def to_eps(self, energy_K):
        """Energy from K to ε (1 K ≈ 0.00835 ε for argon)."""
        return np.asarray(energy_K, dtype=float) / self.epsilon_K

    def to_A(self, length_sigma):
        """Length from σ to Å."""
        return np.asarray(length_sigma, dtype=float) * self.sigma_A

    def volume_m3(self, volume_sigma3):
        """Volume from σ³ to m³."""
        return np.asarray(volume_sigma3, dtype=float) * (self.sigma_A * sc.angstrom) ** 3

    def to_dict(self) -> dict:
        return asdict(self)


ARGON = UnitMapping()
PRESETS = {"argon": ARGON}


def unit_preset(name: str) -> UnitMapping:
    """Named unit mapping; raises a clear error for an unknown preset."""
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise InputError(f"unknown unit preset {name!r}; known: {sorted(PRESETS)}") from None
