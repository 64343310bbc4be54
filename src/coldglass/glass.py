"""A glass as a sum of components, each contributing to the observables it has.

    glass = Glass("BAS", [Phonons(1e-6), Paramagnet("Fe2+", 1.06e17), ATS(ensemble)])
    C = glass.heat_capacity(T, B)                 # J K⁻¹ g⁻¹, total
    parts = glass.heat_capacity(T, B, parts=True) # {"Fe2+": ..., "ATS": ..., "total": ...}

Components follow one small protocol (``name``, ``heat_capacity(T, B)``,
``magnetization(T, B)``), so a user can add their own (the paper's Figs. 23 and 24 plot the
parts). Heat capacity in J K⁻¹ g⁻¹, magnetization in A m² g⁻¹, for densities per gram.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from .constants import FE_IONS
from .ensembles import ATSEnsemble, Orientation, Rule
from .observables.heat_capacity import cp_ats, cp_phonon_T3, cp_stm_constant_dos
from .observables.magnetization import magnetization_ats
from .observables.paramagnets import cp_paramagnet, magnetization_paramagnet
from .validation import finite, temperature

__all__ = [
    "Component",
    "Phonons",
    "TwoLevelSystems",
    "Paramagnet",
    "ATS",
    "DiamagneticOffset",
    "Glass",
]


@runtime_checkable
class Component(Protocol):
    name: str

    def heat_capacity(self, T: np.ndarray, B: np.ndarray) -> np.ndarray: ...

    def magnetization(self, T: np.ndarray, B: np.ndarray) -> np.ndarray: ...


def _zeros(T: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.zeros(np.broadcast_shapes(np.shape(T), np.shape(B)))


@dataclass(frozen=True)
class Phonons:
    """Debye phonons at low temperature, ``C = γ_ph T³`` [γ_ph in J K⁻⁴ g⁻¹]."""

    gamma: float
    name: str = "phonons"

    def heat_capacity(self, T, B):
        return cp_phonon_T3(T, self.gamma) + _zeros(T, B)

    def magnetization(self, T, B):
        return _zeros(T, B)


@dataclass(frozen=True)
class TwoLevelSystems:
    """STM two-level systems with constant DOS ``P̄`` [K⁻¹ g⁻¹]: ``C = (π²/6) P̄ k_B² T``,
    field independent (Eq. 12, first term)."""

    P_bar: float
    name: str = "2LS"

    def heat_capacity(self, T, B):
        return cp_stm_constant_dos(T, self.P_bar) + _zeros(T, B)

    def magnetization(self, T, B):
        return _zeros(T, B)


@dataclass(frozen=True)
class Paramagnet:
    """Dilute spin-J ions: Schottky heat capacity (Eq. 16), Brillouin magnetization (Eq. 90).

    ``species`` is ``"Fe2+"`` (J = 2, g = 2) or ``"Fe3+"`` (J = 5/2, g = 2), or any label
    with explicit ``J`` and ``g``; ``n`` per gram.
    """

    species: str
    n: float
    J: float | None = None
    g: float | None = None

    def __post_init__(self) -> None:
        if self.J is None or self.g is None:
            if self.species not in FE_IONS:
                raise ValueError(f"unknown species {self.species!r}: known {list(FE_IONS)}, "
                                 "or give J and g")
            object.__setattr__(self, "J", self.J or FE_IONS[self.species]["J"])
            object.__setattr__(self, "g", self.g or FE_IONS[self.species]["g"])
        if not (np.isfinite(self.n) and self.n >= 0):
            raise ValueError(f"n must be >= 0 per gram, got {self.n!r}")

    @property
    def name(self) -> str:
        return self.species

    def heat_capacity(self, T, B):
        return cp_paramagnet(T, B, self.n, self.J, self.g)

    def magnetization(self, T, B):
        return magnetization_paramagnet(T, B, self.n, self.J, self.g)


@dataclass(frozen=True)
class ATS:
    """Anomalous tunnelling systems (ETM): heat capacity (Eqs. 14-20) and magnetization
    (Eqs. 93-95) from one ensemble.

    ``E0``/``T0`` switch on the temperature-dependent parameters of Eqs. (96)-(97) (they
    are set on the ensemble; giving them here is the same); ``prefactor`` selects the derived
    or the printed prefactor of Eq. (94).
    """

    ensemble: ATSEnsemble
    orientation: Orientation | str | None = None
    high_field: bool | None = None
    prefactor: str = "derived"
    E0: float | None = None
    T0: float | None = None
    rule: Rule | None = None
    name: str = "ATS"

    def __post_init__(self) -> None:
        if self.E0 is not None or self.T0 is not None:
            object.__setattr__(self, "ensemble", self.ensemble.replace(
                E0=self.E0 if self.E0 is not None else self.ensemble.E0,
                T0=self.T0 if self.T0 is not None else self.ensemble.T0))

    def heat_capacity(self, T, B):
        return cp_ats(T, B, self.ensemble, orientation=self.orientation,
                      high_field=self.high_field, rule=self.rule)

    def magnetization(self, T, B):
        return magnetization_ats(T, B, self.ensemble, orientation=self.orientation,
                                 high_field=self.high_field, prefactor=self.prefactor,
                                 rule=self.rule)


@dataclass(frozen=True)
class DiamagneticOffset:
    """Constant magnetization offset (residual Larmor diamagnetism) [A m² g⁻¹]."""

    M0: float
    name: str = "offset"

    def heat_capacity(self, T, B):
        return _zeros(T, B)

    def magnetization(self, T, B):
        return self.M0 + _zeros(T, B)


@dataclass(frozen=True)
class Glass:
    """A glass: the sum of its components' contributions."""

    name: str
    components: tuple

    def __init__(self, name: str, components) -> None:
        object.__setattr__(self, "name", name)
        comps = tuple(components)
        for c in comps:
            if not isinstance(c, Component):
                raise TypeError(f"{c!r} is not a component (needs name, heat_capacity, "
                                "magnetization)")
        names = [c.name for c in comps]
        if len(set(names)) != len(names):
            raise ValueError(f"component names must be unique, got {names}")
        object.__setattr__(self, "components", comps)

    def _sum(self, which: str, T: ArrayLike, B: ArrayLike, parts: bool):
        T = temperature(T)
        B = finite("B", B)
        out = {c.name: np.asarray(getattr(c, which)(T, B), dtype=float) for c in self.components}
        total = sum(out.values(), _zeros(T, B))
        if parts:
            out["total"] = total
            return out
        return total

    def heat_capacity(self, T: ArrayLike, B: ArrayLike, parts: bool = False):
        """Total heat capacity [J K⁻¹ g⁻¹] (or a dict of the parts and ``"total"``)."""
        return self._sum("heat_capacity", T, B, parts)

    def cp_bar(self, T: ArrayLike, B: ArrayLike, B_ref: float = 8.0, parts: bool = False):
        """Field-subtracted heat capacity ``C̄p(T, B) = Cp(T, B) - Cp(T, B_ref)`` (Sec. 4.2)
        [J K⁻¹ g⁻¹]; the paper subtracts the 8 T data."""
        T, B = np.broadcast_arrays(temperature(T), finite("B", B))
        # one evaluation at the points and at (T, B_ref) for each distinct T
        Tu, inv = np.unique(T.ravel(), return_inverse=True)
        both = self.heat_capacity(np.concatenate([T.ravel(), Tu]),
                                  np.concatenate([B.ravel(), np.full(Tu.shape, float(B_ref))]),
                                  parts=True)
        n = T.size
        out = {k: (v[:n] - v[n:][inv]).reshape(T.shape) for k, v in both.items()}
        return out if parts else out["total"]

    def magnetization(self, T: ArrayLike, B: ArrayLike, parts: bool = False):
        """Total magnetization [A m² g⁻¹] (or a dict of the parts and ``"total"``)."""
        return self._sum("magnetization", T, B, parts)
