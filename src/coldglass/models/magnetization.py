"""Magnetization terms of a glass, as lmfit-ready model functions [A m² g⁻¹].

``M(T, B) = Σ_ions M_J(T, B) + M_ATS(T, B) + M0`` (paper Sec. 7, Eqs. 89-97).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..observables.magnetization import magnetization_ats
from ..observables.paramagnets import magnetization_paramagnet
from ._common import ats_ensemble, need_field, orientation_of, rule_of, spin, temperatures
from .core import as_output, observable, with_options

__all__ = ["m_paramagnet", "m_ats", "m_offset"]

UNIT = "A m2/g"


@observable("M", UNIT, "magnetization M(T, B)")
@with_options("species", "J", "g")
def m_paramagnet(T: ArrayLike, B: ArrayLike | None = None, *, n: float = 1e17,
                 species: str = "Fe2+", J: float | None = None, g: float | None = None):
    """Brillouin magnetization of n spin-J ions per gram (Eq. 90) [A m² g⁻¹]:
    ``M = n g μ_B J B_J(g μ_B J B/k_B T)``; ``species``, ``J``, ``g`` as in
    :func:`coldglass.models.cp_paramagnet`."""
    T = temperatures(T)
    Bf = need_field(B, "m_paramagnet")
    J, g = spin(species, J, g)
    return as_output(magnetization_paramagnet(T, Bf, n, J, g), T, B)


@observable("M", UNIT, "magnetization M(T, B)")
@with_options("T0", "orientation", "high_field", "prefactor", "rule")
def m_ats(T: ArrayLike, B: ArrayLike | None = None, *, Pn: float = 5e16, Dmin: float = 0.08,
          X0min: float = 1.3e5, X0max: float = 2.4e5, B_star: float = 1.0, E0: float = 0.0,
          T0: float = 1.0, orientation: str = "exact", high_field: bool = True,
          prefactor: str = "derived", rule=None):
    """ATS magnetization (Eqs. 93-97) [A m² g⁻¹]: ``∫ dN ½ tanh(E/2k_BT) ∂E/∂B`` with the
    high-field correction of Eq. (95) (``high_field``, B* = ``B_star`` [T]) and, for
    ``E0 != 0``, the temperature-dependent cutoffs of Eq. (97) around ``T0``. ``prefactor``:
    ``"derived"`` (M = -∂F/∂B, default) or ``"printed"`` (the paper's 2π, twice as large)."""
    T = temperatures(T)
    Bf = need_field(B, "m_ats")
    ens = ats_ensemble(Pn, Dmin, X0min, X0max, B_star, E0, T0)
    return as_output(magnetization_ats(T, Bf, ens, orientation=orientation_of(orientation,
                                                                              high_field),
                                       prefactor=prefactor, rule=rule_of(rule)), T, B)


@observable("M", UNIT, "magnetization M(T, B)")
def m_offset(T: ArrayLike, B: ArrayLike | None = None, *, M0: float = 0.0):
    """A constant magnetization offset (residual Larmor diamagnetism) [A m² g⁻¹]."""
    T = temperatures(T)
    shape = np.broadcast_shapes(T.shape, np.shape(B)) if B is not None else T.shape
    return as_output(np.full(shape, float(M0)), T, B)
