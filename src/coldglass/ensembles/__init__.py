"""Parameter ensembles of tunnelling systems: measures, densities of states, generic averages.

* :class:`STMEnsemble` (``stm``): the standard tunnelling model, Eq. (2) and Eq. (40);
* :class:`ATSEnsemble` (``ats``): the ETM's anomalous tunnelling systems, Eq. (10), with the
  two cutoff conventions as explicit constructors and the Eq. (97) temperature scaling;
* :class:`Orientation` (``orientation``): exact / shortcut / none orientation averaging and
  the high-field correction of Eqs. (20, 95), in one place;
* :class:`Rule` (``rule``): the frozen quadrature rule of the averages.
"""

from .ats import D0_UNITS, ATSEnsemble, ATSSample, ats_dos_closed, total_dos
from .orientation import (
    DEFAULT_ORIENTATION,
    ORIENTATIONS,
    Orientation,
    OrientationKind,
    orientation_rule,
)
from .rule import DEFAULT_RULE, FIT_RULE, Rule
from .stm import STMEnsemble

__all__ = [
    "ATSEnsemble", "ATSSample", "STMEnsemble", "Orientation", "OrientationKind",
    "ORIENTATIONS", "DEFAULT_ORIENTATION", "orientation_rule", "Rule", "DEFAULT_RULE",
    "FIT_RULE", "D0_UNITS", "ats_dos_closed", "total_dos",
]
