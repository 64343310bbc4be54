"""Observables of a glass: each a small kernel plus the shared ensemble average.

Modules: ``heat_capacity`` (Sec. 4), ``paramagnets`` and ``magnetization`` (Sec. 7),
``dielectric`` and ``relaxation`` (Sec. 5), ``echo`` (Sec. 6, single-system part).

Outputs carry SI units per gram when the densities are per gram: heat capacity in
J K⁻¹ g⁻¹, magnetization in A m² g⁻¹ (= J T⁻¹ g⁻¹).
"""

from . import dielectric, echo, relaxation
from .heat_capacity import (
    I_x,
    I_xa,
    cp_ats,
    cp_ats_closed,
    cp_debye,
    cp_phonon_T3,
    cp_single,
    cp_stm,
    cp_stm_constant_dos,
)
from .magnetization import (
    ats_moment,
    ats_parameters_at,
    free_energy_ats,
    magnetization_ats,
    magnetization_ats_closed,
)
from .paramagnets import (
    brillouin,
    cp_paramagnet,
    curie_susceptibility,
    free_energy_paramagnet,
    magnetization_paramagnet,
)

__all__ = [
    "dielectric", "echo", "relaxation",
    "cp_single", "cp_stm", "cp_stm_constant_dos", "cp_phonon_T3", "cp_debye", "cp_ats",
    "cp_ats_closed", "I_x", "I_xa",
    "magnetization_ats", "magnetization_ats_closed", "ats_moment", "ats_parameters_at",
    "free_energy_ats",
    "brillouin", "magnetization_paramagnet", "curie_susceptibility", "cp_paramagnet",
    "free_energy_paramagnet",
]
