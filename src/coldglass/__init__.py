"""coldglass: low-temperature physics of glasses.

The standard tunnelling model (two-level systems) and the extended tunnelling model
(three-welled anomalous tunnelling systems in a magnetic field). Energies in kelvin.

>>> import coldglass as cg
>>> ats = cg.ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5)   # BAS, Table 2 (0.60 K)
>>> g = ats.dos([0.6, 1.0], 0.5)    # states per K per unit P* n_ATS at B = 0.5 T
"""

from . import constants, models, systems
from .ensembles import ATSEnsemble, ATSSample, STMEnsemble, orientation_rule, total_dos
from .systems import (
    delta0_parabolic,
    delta0_wkb,
    effective_gap,
    effective_parameters,
    ring_hamiltonian,
    ring_levels,
    twp_gap,
    twp_levels,
)

__version__ = "0.1.0"

__all__ = [
    "constants",
    "models",
    "systems",
    "ATSEnsemble",
    "ATSSample",
    "STMEnsemble",
    "orientation_rule",
    "total_dos",
    "delta0_parabolic",
    "delta0_wkb",
    "effective_gap",
    "effective_parameters",
    "ring_hamiltonian",
    "ring_levels",
    "twp_gap",
    "twp_levels",
    "__version__",
]
