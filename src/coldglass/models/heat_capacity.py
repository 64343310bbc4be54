"""Heat-capacity terms of a glass, as lmfit-ready model functions [J g⁻¹ K⁻¹].

``Cp(T, B) = γ_ph T³ + (π²/6) P̄ k_B² T + Σ_ions C_J(T, B) + C_ATS(T, B)`` (paper Sec. 4,
Eqs. 14-20); each term is one function, and :func:`coldglass.models.core.field_subtracted`
gives its C̄p form ``Cp(T, B) - Cp(T, B_ref)`` (``cp_bar_*``). Concentrations per gram.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..observables.heat_capacity import cp_ats as _cp_ats
from ..observables.heat_capacity import cp_phonon_T3, cp_stm_constant_dos
from ..observables.paramagnets import cp_paramagnet as _cp_paramagnet
from ._common import ats_ensemble, need_field, orientation_of, rule_of, spin, temperatures
from .core import as_output, field_subtracted, observable, with_options

__all__ = ["cp_phonons", "cp_tls", "cp_paramagnet", "cp_ats", "cp_bar_paramagnet",
           "cp_bar_ats"]

UNIT = "J/(g K)"


@observable("cp", UNIT, "heat capacity Cp(T, B)", column="Cp")
def cp_phonons(T: ArrayLike, B: ArrayLike | None = None, *, gamma_ph: float = 1e-6):
    """Debye phonons at low temperature, ``C = γ_ph T³`` [J g⁻¹ K⁻¹]; γ_ph in J g⁻¹ K⁻⁴.
    Field independent (B only sets the output shape)."""
    T = temperatures(T)
    shape = np.broadcast_shapes(T.shape, np.shape(B)) if B is not None else T.shape
    return as_output(np.broadcast_to(cp_phonon_T3(T, gamma_ph), shape), T, B)


@observable("cp", UNIT, "heat capacity Cp(T, B)", column="Cp")
def cp_tls(T: ArrayLike, B: ArrayLike | None = None, *, P_bar: float = 1e16):
    """Two-level systems of the STM with constant DOS P̄ [K⁻¹ g⁻¹]:
    ``C = (π²/6) P̄ k_B² T`` (Eq. 14 with the first term of Eq. 12) [J g⁻¹ K⁻¹]."""
    T = temperatures(T)
    shape = np.broadcast_shapes(T.shape, np.shape(B)) if B is not None else T.shape
    return as_output(np.broadcast_to(cp_stm_constant_dos(T, P_bar), shape), T, B)


@observable("cp", UNIT, "heat capacity Cp(T, B)", column="Cp")
@with_options("species", "J", "g")
def cp_paramagnet(T: ArrayLike, B: ArrayLike | None = None, *, n: float = 1e17,
                  species: str = "Fe2+", J: float | None = None, g: float | None = None):
    """Schottky heat capacity of n spin-J ions per gram in the field B (Eq. 16)
    [J g⁻¹ K⁻¹]: ``C = n k_B (z²/4)[sinh⁻²(z/2) - (2J+1)² sinh⁻²((2J+1)z/2)]``,
    ``z = g μ_B B/k_B T``. ``species`` Fe²⁺ (J = 2, g = 2) or Fe³⁺ (J = 5/2, g = 2) sets J and
    g; a J or g that is given overrides it (they are options, not fit parameters)."""
    T = temperatures(T)
    Bf = need_field(B, "cp_paramagnet")
    J, g = spin(species, J, g)
    return as_output(_cp_paramagnet(T, Bf, n, J, g), T, B)


@observable("cp", UNIT, "heat capacity Cp(T, B)", column="Cp")
@with_options("T0", "orientation", "high_field", "rule")
def cp_ats(T: ArrayLike, B: ArrayLike | None = None, *, Pn: float = 5e16, Dmin: float = 0.5,
           X0min: float = 5e4, X0max: float = 3e5, B_star: float = 1.0, E0: float = 0.0,
           T0: float = 1.0, orientation: str = "exact", high_field: bool = False,
           rule=None):
    """ATS heat capacity (Eqs. 14-20) [J g⁻¹ K⁻¹]: ``k_B ∫ dN (E/2T)² cosh⁻²(E/2T)`` over
    ``dN = 2π Pn dD/D dD0/D0`` (Eq. 10), ``E = sqrt(D² + (D0 φ)²)``, ``D0 φ = 1.5193e-5 X B``
    (X in K·Å², B in T). ``orientation``: ``"exact"`` (default) or the paper's
    ``"shortcut"``; ``high_field`` applies Eq. (20) with ``B_star`` [T]; ``E0 != 0`` makes the
    cutoffs follow Eq. (97) around the reference temperature ``T0`` [K] (an option, 1 K
    unless given). ``B_star`` and ``E0`` are held in fits unless freed (table hints)."""
    T = temperatures(T)
    Bf = need_field(B, "cp_ats")
    ens = ats_ensemble(Pn, Dmin, X0min, X0max, B_star, E0, T0)
    return as_output(_cp_ats(T, Bf, ens, orientation=orientation_of(orientation, high_field),
                             rule=rule_of(rule)), T, B)


cp_bar_paramagnet = field_subtracted(cp_paramagnet, "cp_bar_paramagnet")
cp_bar_ats = field_subtracted(cp_ats, "cp_bar_ats")
