"""A glass as a sum of components, each contributing to the observables it declares.

    glass = Glass("BAS", [Phonons(1e-6), Paramagnet("Fe2+", 1.06e17), ATS(ensemble)])
    C = glass.heat_capacity(T, B)                 # J K⁻¹ g⁻¹, total
    parts = glass.heat_capacity(T, B, parts=True) # {"Fe2+": ..., "ATS": ..., "total": ...}
    model = glass.model("cp_bar")                 # an lmfit CompositeModel of the same sum

A component maps observable names (``"cp"``, ``"cp_bar"``, ``"M"``, ``"eps"``, ``"tand"``,
``"deps"``, ``"dtand"``; see :mod:`coldglass.models`) to a model function and the keyword
values it holds; it contributes to nothing else (no zeros). A user's own component is any
object with ``name`` and ``terms()`` returning that mapping (:class:`Component`). Units: heat
capacity J K⁻¹ g⁻¹, magnetization A m² g⁻¹, dielectric quantities dimensionless, for
densities per gram.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import lmfit
import numpy as np
from numpy.typing import ArrayLike

from . import models as cm
from .constants import FE_IONS
from .ensembles import ATSEnsemble, Orientation, Rule
from .errors import InputError
from .validation import finite, temperature

__all__ = [
    "Component",
    "Phonons",
    "TwoLevelSystems",
    "Paramagnet",
    "ATS",
    "DiamagneticOffset",
    "AcousticTLS",
    "HeatTransport",
    "Glass",
    "prefix_of",
]

Term = tuple[Callable, dict]


@runtime_checkable
class Component(Protocol):
    """What a glass needs of a component: a name and its terms."""

    name: str

    def terms(self) -> dict[str, Term]:
        """Observable -> (model function, keyword values: parameters and options)."""
        ...


def prefix_of(name: str) -> str:
    """An lmfit prefix from a component name: ``"Fe2+"`` -> ``"fe2p_"``, ``"ATS"`` ->
    ``"ats_"``."""
    s = name.lower().replace("+", "p").replace("-", "m")
    s = re.sub(r"[^a-z0-9_]", "_", s)
    if not s or s[0].isdigit():
        s = "c" + s
    return s + "_"


@dataclass(frozen=True)
class Phonons:
    """Debye phonons at low temperature, ``C = γ_ph T³`` [γ_ph in J K⁻⁴ g⁻¹]."""

    gamma: float
    name: str = "phonons"

    def terms(self) -> dict[str, Term]:
        return {"cp": (cm.cp_phonons, {"gamma_ph": self.gamma})}


@dataclass(frozen=True)
class TwoLevelSystems:
    """STM two-level systems with constant DOS ``P̄`` [K⁻¹ g⁻¹]: ``C = (π²/6) P̄ k_B² T``,
    field independent (Eq. 12, first term). With the dielectric strength ``C`` and the
    one-phonon coefficient ``A`` [s⁻¹ K⁻³] they also contribute the STM ε'(T, ω) and
    tan δ (Eqs. 32-40)."""

    P_bar: float
    C: float | None = None
    A: float | None = None
    name: str = "2LS"

    def __post_init__(self) -> None:
        if (self.C is None) != (self.A is None):
            raise InputError("the STM dielectric terms need both C and A (or neither)")

    def terms(self) -> dict[str, Term]:
        out: dict[str, Term] = {"cp": (cm.cp_tls, {"P_bar": self.P_bar})}
        if self.C is not None:
            out["eps"] = (cm.eps_stm, {"C": self.C, "A": self.A})
            out["tand"] = (cm.tand_stm, {"C": self.C, "A": self.A})
        return out


@dataclass(frozen=True)
class Paramagnet:
    """Dilute spin-J ions: Schottky heat capacity (Eq. 16), Brillouin magnetization (Eq. 90).

    ``species`` is ``"Fe2+"`` (J = 2, g = 2) or ``"Fe3+"`` (J = 5/2, g = 2), or any label
    with explicit ``J`` and ``g``; ``n`` per gram. A J or g that is given is used as given
    (and refused if unphysical), never replaced.
    """

    species: str
    n: float
    J: float | None = None
    g: float | None = None

    def __post_init__(self) -> None:
        if self.J is None or self.g is None:
            if self.species not in FE_IONS:
                raise InputError(f"unknown species {self.species!r}: known {list(FE_IONS)}, "
                                 "or give J and g")
            if self.J is None:
                object.__setattr__(self, "J", FE_IONS[self.species]["J"])
            if self.g is None:
                object.__setattr__(self, "g", FE_IONS[self.species]["g"])
        cm.spec("J").check(self.J, "J")
        if not float(2 * self.J).is_integer():
            raise InputError(f"J must be a positive half-integer, got {self.J!r}")
        cm.spec("g").check(self.g, "g")
        if not (np.isfinite(self.n) and self.n >= 0):
            raise InputError(f"n must be >= 0 per gram, got {self.n!r}")

    @property
    def name(self) -> str:
        return self.species

    def terms(self) -> dict[str, Term]:
        kw = {"n": self.n, "species": self.species, "J": self.J, "g": self.g}
        return {"cp": (cm.cp_paramagnet, kw), "cp_bar": (cm.cp_bar_paramagnet, kw),
                "M": (cm.m_paramagnet, kw)}


@dataclass(frozen=True)
class ATS:
    """Anomalous tunnelling systems (ETM) of one ensemble: heat capacity (Eqs. 14-20),
    magnetization (Eqs. 93-95) and, with the dielectric strength ``K`` (Eq. 51), the
    magnetodielectric effect; with ``Gamma`` [s⁻¹ K⁻⁵] also the loss (Eqs. 52-61); with the
    elastic strength ``K_el`` the sound-velocity change Δv/v(B) (``ddv``, a prediction).

    ``orientation`` (default exact) and ``high_field`` select the convention (a material's
    parameters carry the one they were fitted in); ``E0``/``T0`` switch on the
    temperature-dependent parameters of Eqs. (96)-(97) (set on the ensemble; giving them here
    is the same); ``prefactor`` selects the derived or the printed prefactor of Eq. (94).
    """

    ensemble: ATSEnsemble
    orientation: Orientation | str | None = None
    high_field: bool | None = None
    prefactor: str = "derived"
    E0: float | None = None
    T0: float | None = None
    rule: Rule | None = None
    K: float | None = None
    Gamma: float | None = None
    K_el: float | None = None
    name: str = "ATS"

    def __post_init__(self) -> None:
        if self.ensemble.d0_unit != "K*A^2":
            raise InputError("glass components use the paper's fit combination D0|q/e|S in "
                             "K·Å² (ATSEnsemble.from_fit_combination)")
        if self.E0 is not None or self.T0 is not None:
            object.__setattr__(self, "ensemble", self.ensemble.replace(
                E0=self.E0 if self.E0 is not None else self.ensemble.E0,
                T0=self.T0 if self.T0 is not None else self.ensemble.T0))
        object.__setattr__(self, "orientation",
                           Orientation.of(self.orientation, high_field=self.high_field))
        if self.prefactor not in ("derived", "printed"):
            raise InputError(f"prefactor must be 'derived' or 'printed', got {self.prefactor!r}")

    def _ensemble_kw(self) -> dict:
        e = self.ensemble
        o = self.orientation
        return {"Pn": e.density, "Dmin": e.Dmin, "X0min": e.D0min, "X0max": e.D0max,
                "B_star": 1.0 if e.B_star is None else e.B_star,
                "E0": 0.0 if e.E0 is None else e.E0,
                "T0": 1.0 if e.T0 is None else e.T0,  # unused when E0 = 0
                "orientation": o, "high_field": o.high_field, "rule": self.rule}

    def terms(self) -> dict[str, Term]:
        kw = self._ensemble_kw()
        out: dict[str, Term] = {"cp": (cm.cp_ats, kw), "cp_bar": (cm.cp_bar_ats, kw),
                                "M": (cm.m_ats, kw | {"prefactor": self.prefactor})}
        if self.K is not None:
            d = {k: kw[k] for k in ("Dmin", "X0min", "X0max", "orientation", "rule")}
            out["deps"] = (cm.deps_ats, d | {"K": self.K, "Gamma": 0.0 if self.Gamma is None
                                                     else self.Gamma})
            if self.Gamma is not None:
                out["dtand"] = (cm.dtand_ats, d | {"K": self.K, "Gamma": self.Gamma})
        if self.K_el is not None:  # a prediction the paper does not make
            d = {k: kw[k] for k in ("Dmin", "X0min", "X0max", "orientation", "rule")}
            out["ddv"] = (cm.dv_ats, d | {"K_el": self.K_el})
        return out


@dataclass(frozen=True)
class AcousticTLS:
    """STM tunnelling systems seen by one sound polarization: Δv/v(T, ω) and Q⁻¹(T, ω)
    (``dv``, ``Qinv``) with the tunnelling strength ``C = P̄γ²/(ρv²)``, the one-phonon
    coefficient ``A`` [s⁻¹ K⁻³], the cutoff ``Delta0_min`` [K] and an optional Raman channel
    ``A_R`` [s⁻¹ K⁻⁷] (:mod:`coldglass.observables.acoustics`). Evaluate with
    ``frequency_Hz=...``."""

    C: float
    A: float
    Delta0_min: float = 1e-6
    A_R: float = 0.0
    name: str = "acoustic TLS"

    def __post_init__(self) -> None:
        for k in ("C", "A", "Delta0_min", "A_R"):
            cm.spec(k).check(getattr(self, k), k)
        if not self.A > 0:
            raise InputError(f"A must be > 0 s^-1 K^-3, got {self.A!r}")

    def terms(self) -> dict[str, Term]:
        kw = {"C": self.C, "A": self.A, "Delta0_min": self.Delta0_min, "A_R": self.A_R}
        return {"dv": (cm.dv_stm, kw), "Qinv": (cm.qinv_stm, kw)}


@dataclass(frozen=True)
class HeatTransport:
    """Phonon heat transport ``kappa`` [W m⁻¹ K⁻¹]: Debye phonons of velocities ``v_l``,
    ``v_t`` [m/s] scattered resonantly by tunnelling systems of strengths ``C_l``, ``C_t``
    and by the boundary (Casimir length ``L_boundary`` [m]); the rates add per phonon
    frequency, so κ is one term (the scattering channels compose in
    :func:`coldglass.observables.acoustics.thermal_conductivity`)."""

    C_l: float
    C_t: float
    v_l: float
    v_t: float
    L_boundary: float = float("inf")
    name: str = "phonon transport"

    def __post_init__(self) -> None:
        for k in ("C_l", "C_t", "v_l", "v_t", "L_boundary"):
            cm.spec(k).check(getattr(self, k), k)

    def terms(self) -> dict[str, Term]:
        return {"kappa": (cm.kappa_stm, {k: getattr(self, k) for k in (
            "C_l", "C_t", "v_l", "v_t", "L_boundary")})}


@dataclass(frozen=True)
class DiamagneticOffset:
    """Constant magnetization offset (residual Larmor diamagnetism) [A m² g⁻¹]."""

    M0: float
    name: str = "offset"

    def terms(self) -> dict[str, Term]:
        return {"M": (cm.m_offset, {"M0": self.M0})}


def _call(func: Callable, kw: dict, T, B, conditions: dict):
    names = cm.full_signature(func).parameters
    args = dict(kw)
    for k, v in conditions.items():
        if k in names:
            args[k] = v
    first = next(iter(names))
    if first == "T":
        if "B" in names:
            return func(T, B, **args)
        return func(T, **args)
    return func(T, **args)


@dataclass(frozen=True)
class Glass:
    """A glass: the sum of its components' contributions to each observable."""

    name: str
    components: tuple

    def __init__(self, name: str, components) -> None:
        object.__setattr__(self, "name", name)
        comps = tuple(components)
        for c in comps:
            if not isinstance(c, Component):
                raise TypeError(f"{c!r} is not a component (needs name and terms())")
        names = [c.name for c in comps]
        if len(set(names)) != len(names):
            raise InputError(f"component names must be unique, got {names}")
        prefixes = [prefix_of(n) for n in names]
        if len(set(prefixes)) != len(prefixes):
            raise InputError(f"component names {names} give clashing parameter prefixes")
        object.__setattr__(self, "components", comps)

    @property
    def observables(self) -> list[str]:
        """The observables at least one component contributes to."""
        seen: list[str] = []
        for c in self.components:
            seen += [k for k in c.terms() if k not in seen]
        return seen

    def _observable(self, observable: str) -> str:
        """An observable name, or the data column that names it (``"dv_v"`` -> ``"dv"``)."""
        if observable in cm.OBSERVABLES or any(observable in c.terms()
                                               for c in self.components):
            return observable
        try:
            return cm.observable_of_column(observable)
        except ValueError:
            import difflib

            names = sorted(set(cm.OBSERVABLES) | {v["column"] for v in cm.OBSERVABLES.values()})
            near = difflib.get_close_matches(observable, names, n=1)
            raise InputError(f"unknown observable {observable!r}"
                             + (f" (did you mean {near[0]!r}?)" if near else "")
                             + f"; known: {', '.join(cm.OBSERVABLES)}") from None

    def contributors(self, observable: str) -> list:
        """The components that contribute to ``observable`` (or its data column); refused
        when there are none."""
        observable = self._observable(observable)
        out = [c for c in self.components if observable in c.terms()]
        if not out:
            raise InputError(f"no component of glass {self.name!r} contributes to "
                             f"{observable!r}; its components contribute to "
                             f"{self.observables}")
        return out

    def evaluate(self, observable: str, T: ArrayLike, B: ArrayLike | None = None, *,
                 parts: bool = False, **conditions):
        """The sum of the contributions to ``observable`` at ``T`` [K] and ``B`` [T]
        (``conditions``: e.g. ``frequency_Hz``); with ``parts`` a dict by component name
        plus ``"total"``."""
        T = temperature(T)
        B = None if B is None else finite("B", B)
        out = {}
        observable = self._observable(observable)
        for c in self.contributors(observable):
            func, kw = c.terms()[observable]
            out[c.name] = np.asarray(_call(func, kw, T, B, conditions), dtype=float)
        total = sum(out.values())
        if parts:
            out["total"] = total
            return out
        return total

    def heat_capacity(self, T: ArrayLike, B: ArrayLike, parts: bool = False):
        """Total heat capacity [J K⁻¹ g⁻¹] (or a dict of the parts and ``"total"``)."""
        return self.evaluate("cp", T, B, parts=parts)

    def cp_bar(self, T: ArrayLike, B: ArrayLike, B_ref: float = 8.0, parts: bool = False):
        """Field-subtracted heat capacity ``C̄p(T, B) = Cp(T, B) - Cp(T, B_ref)`` (Sec. 4.2)
        [J K⁻¹ g⁻¹]; the paper subtracts the 8 T data. Field-independent components do not
        contribute."""
        return self.evaluate("cp_bar", T, B, parts=parts, B_ref=B_ref)

    def magnetization(self, T: ArrayLike, B: ArrayLike, parts: bool = False):
        """Total magnetization [A m² g⁻¹] (or a dict of the parts and ``"total"``)."""
        return self.evaluate("M", T, B, parts=parts)

    def model(self, observable: str) -> lmfit.Model:
        """The same sum as an lmfit (composite) model: each contributing component's model
        function with the prefix of its name (``Fe2+`` -> ``fe2p_``), parameter hints from
        the table and initial values from the component. Options (orientation, rule) are
        bound as the component holds them."""
        total = None
        observable = self._observable(observable)
        for c in self.contributors(observable):
            func, kw = c.terms()[observable]
            pnames = set(cm.parameter_names(func))
            init = {k: (float(v) if k in pnames else v) for k, v in kw.items()}
            m = cm.model(func, prefix_of(c.name), **init)
            total = m if total is None else total + m
        return total
