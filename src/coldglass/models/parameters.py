"""The one parameter table: name, unit, scale, bounds and meaning of every model parameter.

It builds the fit parameters (:func:`coldglass.models.model` turns it into lmfit parameter
hints; :mod:`coldglass.fit` into ``lmfit.Parameters``) and reports them (units and meaning in
``params.csv``, the console and every plot). Names are the model functions' keyword
parameters; with a component prefix (``fe2_n``) or a temperature group (``ats_Dmin@0.60K``)
the table is looked up by the root name (``n``, ``Dmin``).

Units: kelvin for energies (k_B = 1), SI otherwise, per gram for concentrations; the ATS
tunnelling cutoffs are the paper's fit combination ``X = D0 |q/e| S`` in K·Å² with fields in
tesla (docs/architecture.md §3).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["ParamSpec", "PARAMETERS", "spec", "root_name", "display_name", "internal_name",
           "group_suffix", "register"]

INF = math.inf


@dataclass(frozen=True)
class ParamSpec:
    """One row of the parameter table.

    Parameters
    ----------
    name : the keyword name in the model functions
    unit : unit of the value (as written in reports)
    scale : typical magnitude; fits use it for the trust-region scaling and reports for
        formatting (values are always in ``unit``, never scaled)
    min, max : bounds (``-inf``/``inf`` for none)
    meaning : one line for tables and help
    vary : whether a fit varies it by default (False for conditions such as J, g, B_ref)
    """

    name: str
    unit: str
    scale: float
    min: float
    max: float
    meaning: str
    vary: bool = True
    allows_inf: bool = False
    """Whether +inf is a meaningful value (e.g. an infinite Casimir length: no boundary)."""

    def check(self, value: float, who: str = "") -> float:
        """``value`` as a float if within the bounds (finite, or +inf where ``allows_inf``),
        else an InputError naming the parameter, its unit and the allowed range."""
        v = float(value)
        if math.isnan(v) or v < self.min or v > self.max or (
                math.isinf(v) and not (v > 0 and self.max == INF and self.allows_inf)):
            raise InputError(f"{who or self.name} = {v!r} {self.unit} is outside the "
                             f"allowed range [{self.min:g}, {self.max:g}] {self.unit} "
                             f"({self.meaning})")
        return v


def _p(name, unit, scale, lo, hi, meaning, vary=True):
    return name, ParamSpec(name, unit, scale, lo, hi, meaning, vary)


PARAMETERS: dict[str, ParamSpec] = dict([
    # paramagnetic ions (Eqs. 16, 90)
    _p("n", "g^-1", 1e16, 0.0, INF, "ions per gram"),
    _p("J", "1", 1.0, 0.5, 20.0, "total angular momentum quantum number", vary=False),
    _p("g", "1", 1.0, 0.1, 10.0, "Landé g factor", vary=False),
    # anomalous tunnelling systems (Eqs. 10, 13, 17-20, 93-97)
    _p("Pn", "g^-1", 1e16, 0.0, INF, "P* n_ATS, ATS density per gram (Eq. 10)"),
    _p("Dmin", "K", 0.1, 1e-6, 1e3, "lower cutoff of the asymmetry D (Eq. 10)"),
    _p("X0min", "K A^2", 1e4, 1e-3, 1e9, "D0min |q/e| S, lower tunnelling cutoff (Eq. 10)"),
    _p("X0max", "K A^2", 1e5, 1e-3, 1e9, "D0max |q/e| S, upper tunnelling cutoff (Eq. 10)"),
    _p("X0ratio", "1", 1.0, 1.0 + 1e-6, 1e6, "X0max / X0min (keeps X0max > X0min in fits)"),
    _p("B_star", "T", 1.0, 1e-3, 1e3, "field B* of the high-field correction (Eqs. 20, 95)",
       vary=False),
    _p("E0", "K", 0.1, -1e2, 1e2, "activation energy of N(T) (Eqs. 96-97); 0: fixed cutoffs",
       vary=False),
    _p("T0", "K", 1.0, 1e-4, 1e4, "reference temperature of Eq. (97)", vary=False),
    # phonons and two-level systems
    _p("gamma_ph", "J g^-1 K^-4", 1e-6, 0.0, INF, "Debye phonon coefficient, C = gamma_ph T^3"),
    _p("P_bar", "K^-1 g^-1", 1e16, 0.0, INF, "STM density of states P̄ (C = π²/6 P̄ k_B² T)"),
    _p("B_ref", "T", 1.0, 0.0, 100.0, "reference field of C̄p = Cp(B) - Cp(B_ref)",
       vary=False),
    # magnetization
    _p("M0", "A m^2 g^-1", 1e-6, -INF, INF, "constant magnetization offset (diamagnetism)"),
    # dielectric (Eqs. 32-61)
    _p("K", "1", 1e-5, 0.0, INF, "K = π x P* p1²/(ε_r ε0), ATS dielectric strength (Eq. 51)"),
    _p("Kln", "1", 1e-5, 0.0, INF, "K ln(X0max/X0min), the well-determined ATS amplitude"),
    _p("Gamma", "s^-1 K^-5", 1e9, 0.0, INF, "ATS relaxation-rate coefficient (Eq. 55)"),
    _p("A_tls", "s^-1 K^-3", 1e8, 0.0, INF, "one-phonon rate coefficient A (Eq. 39)"),
    _p("nw", "1", 1.0, 2.0, 12.0, "wells of the ATS polygon (Eq. 45)", vary=False),
    _p("C", "1", 1e-4, 0.0, INF, "STM coupling strength: dielectric P̄ p²/(ε0 ε_r) (Eq. 36), "
       "acoustic P̄ γ²/(ρ v²)"),
    _p("A", "s^-1 K^-3", 1e8, 1e-12, INF, "one-phonon relaxation coefficient A (Eq. 39)"),
    _p("Delta0_min", "K", 1e-6, 1e-15, 1e3, "lower tunnelling cutoff of the STM (Eq. 2)",
       vary=False),
    _p("eps0", "1", 1e-5, -INF, INF, "offset of Δε'/ε (the reference temperature's value)"),
    _p("tand0", "1", 1e-5, -INF, INF, "temperature-independent background of tan δ"),
    # echo (Eqs. 62-88)
    _p("W", "1", 0.1, 0.0, 1e3, "ATS share of the zero-field echo relative to the 2LS"),
    _p("p1F0", "D kV/m", 0.1, 1e-9, 1e6, "dipole moment times pulse field (Table 8)"),
    _p("c_ats", "(us K)^-1", 1.0, 1e-9, 1e6, "c_ATS - c_2LS of the echo decay (Eq. 79)",
       vary=False),
    _p("Gamma_echo", "s^-1 K^-5", 1e9, 0.0, INF, "ATS rate coefficient in the echo (Eq. 55)",
       vary=False),
    _p("tan_phase", "1", 0.1, -1e3, 1e3, "tan(ωΔτ) of the detected quadrature (Eq. 66)",
       vary=False),
    _p("C2LS", "1", 1.0, 0.0, INF, "2LS integrated echo amplitude at τ12 = 0 (Eq. 87)"),
    _p("KATS", "1", 1.0, 0.0, INF, "ATS integrated echo amplitude constant (Eq. 87)"),
    _p("tau_phi3", "s", 1e-6, 1e-12, 1.0, "ATS dephasing time τφ(3) (Eq. 81)"),
    _p("tau_phi2", "s", 1e-6, 1e-12, 1.0, "2LS dephasing time τφ(2) (Eq. 87)"),
    _p("delta_omega", "rad/s", 1e6, -1e12, 1e12, "Δω = ω - Dmin/ħ (Eq. 88), angular"),
])

def register(*rows: ParamSpec) -> None:
    """Add rows to the table (a new observable's module declares its parameters here);
    a name already in the table must come with the same unit."""
    for r in rows:
        old = PARAMETERS.get(r.name)
        if old is not None and old.unit != r.unit:
            raise InputError(f"parameter {r.name!r} is in the table in {old.unit}, not {r.unit}")
        PARAMETERS.setdefault(r.name, r)


_GROUP = re.compile(r"__(\d+)p(\d+)K$")
_DISPLAY_GROUP = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z_0-9]*)@(?P<T>[0-9.eE+-]+)\s*K$")


def group_suffix(label: str) -> str:
    """Identifier suffix of a temperature-group label: ``"0.60K"`` -> ``"__0p60K"``."""
    if not label.endswith("K"):
        raise InputError(f"group label must end in K, got {label!r}")
    return "__" + label[:-1].replace(".", "p") + "K"


def display_name(name: str) -> str:
    """``ats_Dmin__0p60K`` -> ``ats_Dmin@0.60K`` (the name in every table, plot and CSV)."""
    m = _GROUP.search(name)
    if not m:
        return name
    return f"{name[:m.start()]}@{m.group(1)}.{m.group(2)}K"


def internal_name(name: str) -> str:
    """Inverse of :func:`display_name` (lmfit names must be identifiers)."""
    m = _DISPLAY_GROUP.match(name.strip())
    if not m:
        return name.strip()
    T = m.group("T")
    if "." not in T:
        T += ".0"
    return m.group("name") + group_suffix(T + "K")


def root_name(name: str, prefixes: tuple[str, ...] = ()) -> str:
    """The table name behind a prefixed, grouped parameter name: ``fe2_n`` -> ``n``,
    ``ats_Dmin__0p60K`` -> ``Dmin``."""
    base = _GROUP.sub("", internal_name(name))
    if base in PARAMETERS:
        return base
    for p in prefixes:
        if base.startswith(p) and base[len(p):] in PARAMETERS:
            return base[len(p):]
    # lmfit-style prefix: the longest table name that ends the string after an underscore
    for k in sorted(PARAMETERS, key=len, reverse=True):
        if base.endswith("_" + k):
            return k
    return base


def spec(name: str) -> ParamSpec:
    """The table row of a (possibly prefixed or grouped) parameter name; a KeyError names
    the known parameters."""
    root = root_name(name)
    if root not in PARAMETERS:
        raise KeyError(f"no parameter {name!r} in the table; known: {', '.join(PARAMETERS)}")
    return PARAMETERS[root]
