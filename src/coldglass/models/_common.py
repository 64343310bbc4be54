"""Small helpers of the model functions (not public)."""

from __future__ import annotations

import numpy as np

from ..ensembles import ATSEnsemble, Orientation, Rule
from ..errors import InputError
from ..validation import finite, temperature

__all__ = ["ats_ensemble", "orientation_of", "need_field", "temperatures", "rule_of"]


def ats_ensemble(Pn: float, Dmin: float, X0min: float, X0max: float, B_star: float | None,
                 E0: float, T0: float | None) -> ATSEnsemble:
    """The ATS ensemble of the paper's fit combination (K·Å², tesla); ``E0 = 0`` means
    temperature-independent cutoffs (Eq. 97 off); otherwise the reference temperature T0
    [K] is needed."""
    if E0 != 0 and T0 is None:
        raise InputError("E0 != 0 (the Eq. 97 temperature dependence) needs the reference "
                         "temperature T0 [K]")
    return ATSEnsemble.from_fit_combination(
        Dmin, X0min, X0max, density=Pn, B_star_T=B_star,
        E0=None if E0 == 0 else E0, T0=None if E0 == 0 else T0)


def orientation_of(orientation, high_field) -> Orientation:
    return Orientation.of(orientation, high_field=bool(high_field))


def rule_of(rule) -> Rule | None:
    if rule is not None and not isinstance(rule, Rule):
        raise InputError(f"rule must be a coldglass.ensembles.Rule or None, got {rule!r}")
    return rule


def spin(species: str, J, g) -> tuple[float, float]:
    """(J, g) of an ion species, each overridden when given; refused when unknown."""
    from ..constants import FE_IONS

    if J is None or g is None:
        if species not in FE_IONS:
            raise InputError(f"unknown ion species {species!r}: known {list(FE_IONS)}, or give "
                             "J and g")
        J = FE_IONS[species]["J"] if J is None else J
        g = FE_IONS[species]["g"] if g is None else g
    return float(J), float(g)


def need_field(B, who: str) -> np.ndarray:
    """The field [T] as a finite array; a model of a field-dependent term refuses None."""
    if B is None:
        raise InputError(f"{who} needs the magnetic field B [T] (pass B=...)")
    return finite("B [T]", B)


def temperatures(T) -> np.ndarray:
    return temperature(T)
