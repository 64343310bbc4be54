"""Dielectric terms as lmfit-ready model functions (dimensionless).

* STM (Sec. 5.1, Eqs. 32-40): ``eps_stm`` the relative change Δε'/ε(T, ω) from T = 0 plus an
  offset ``eps0`` (data are measured relative to some reference temperature), ``tand_stm``
  the loss tan δ(T, ω) plus a background ``tand0``;
* ATS (Sec. 5.2, Eqs. 41-61): ``deps_ats`` the magnetodielectric effect Δε'/ε(T, B) relative
  to B = 0 (Eq. 51) and ``dtand_ats`` the loss Δ tan δ(T, B) (Eqs. 52-61).

Frequencies in Hz (``frequency_Hz``); the kernels take ω = 2π f.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError
from ..observables.dielectric import ats_dielectric, stm_dielectric
from ..validation import positive
from ._common import ats_ensemble, need_field, orientation_of, rule_of, temperatures
from .core import as_output, observable, with_options

__all__ = ["eps_stm", "tand_stm", "deps_ats", "dtand_ats"]


def _omega(frequency_Hz, who: str) -> np.ndarray:
    if frequency_Hz is None:
        raise InputError(f"{who} needs the measuring frequency frequency_Hz [Hz]")
    return 2 * np.pi * positive("frequency_Hz", frequency_Hz, "Hz")


def _nw(nw) -> int:
    if nw is None:
        return 3
    k = int(round(float(nw)))
    if abs(k - float(nw)) > 1e-9 or k < 2:
        raise InputError(f"nw (wells of the ATS polygon) must be an integer >= 2, got {nw!r}")
    return k


@observable("eps", "1", "STM relative dielectric change Δε'/ε(T, ω)")
@with_options("resonant")
def eps_stm(T: ArrayLike, frequency_Hz: ArrayLike | None = None, *, C: float = 1e-4,
            A: float = 1e8, Delta0_min: float = 1e-6, eps0: float = 0.0,
            resonant: str = "quasistatic"):
    """STM Δε'/ε(T, ω) = resonant + relaxational parts (Eqs. 32-37, one-phonon τ of
    Eq. 39 with coefficient ``A`` [s⁻¹ K⁻³]), measured from T = 0, plus ``eps0``. Its
    textbook limits: slope ``-2C/3`` per e-fold of T below T0(ω), ``+C/3`` above."""
    T = temperatures(T)
    w = _omega(frequency_Hz, "eps_stm")
    r = stm_dielectric(T, w, C=C, A=A, Delta0_min=Delta0_min, resonant=resonant)
    return as_output(r["total"] + eps0, T, frequency_Hz)


@observable("tand", "1", "STM loss tan δ(T, ω)")
def tand_stm(T: ArrayLike, frequency_Hz: ArrayLike | None = None, *, C: float = 1e-4,
             A: float = 1e8, Delta0_min: float = 1e-6, tand0: float = 0.0):
    """STM loss tan δ(T, ω): relaxational (Eq. 34) plus unsaturated resonant
    ``(πC/3) tanh(ħω/2k_BT)``, plus a background ``tand0``. With C = P̄p²/(ε0 εr) and the
    orientation average cos²θ -> 1/3 inside the kernels, the relaxation plateau above T0 is
    ``(π/2)(C/3) = πC/6`` (the textbook πC'/2 with C' = C/3)."""
    T = temperatures(T)
    w = _omega(frequency_Hz, "tand_stm")
    r = stm_dielectric(T, w, C=C, A=A, Delta0_min=Delta0_min)
    return as_output(r["loss"] + tand0, T, frequency_Hz)


@observable("deps", "1", "ATS magnetodielectric effect Δε'/ε(T, B)")
@with_options("nw", "frequency_Hz", "orientation", "rule")
def deps_ats(T: ArrayLike, B: ArrayLike | None = None, *, K: float = 1e-5, Dmin: float = 0.02,
             X0min: float = 2e5, X0max: float = 3e5, Gamma: float = 0.0, nw: int | None = None,
             frequency_Hz: ArrayLike | None = None, orientation: str = "exact", rule=None):
    """ATS Δε'/ε(T, B) - Δε'/ε(T, 0) (Eqs. 41-51), ``K = π x P* p1²/(ε_r ε0)``: the resonant
    part ``G tanh(E/2T)/2E`` with the dipole factor of Eq. (45) and, for ``Gamma > 0`` (then
    ``frequency_Hz`` is needed), the relaxational part with the ATS rate of Eq. (55).
    ``nw``: wells of the ATS polygon (an option; None: the paper's 3)."""
    T = temperatures(T)
    Bf = need_field(B, "deps_ats")
    w = _omega(frequency_Hz, "deps_ats with Gamma > 0") if Gamma > 0 else 2 * np.pi * 1e3
    ens = ats_ensemble(1.0, Dmin, X0min, X0max, None, 0.0, 1.0)
    r = ats_dielectric(T, Bf, ens, K=K, omega=w, Gamma=Gamma if Gamma > 0 else None,
                       nw=_nw(nw), orientation=orientation_of(orientation, False),
                       rule=rule_of(rule))
    return as_output(r["total"], T, B)


@observable("dtand", "1", "ATS magnetic-field change of the loss Δ tan δ(T, B)")
@with_options("nw", "orientation", "rule")
def dtand_ats(T: ArrayLike, B: ArrayLike | None = None, frequency_Hz: ArrayLike | None = None,
              *, K: float = 1.5e-5, Dmin: float = 0.02, X0min: float = 2e4, X0max: float = 5e5,
              Gamma: float = 4e9, A_tls: float = 0.0, nw: int | None = None,
              orientation: str = "exact", rule=None):
    """ATS Δ tan δ(T, B) - Δ tan δ(T, 0) (Eqs. 52-61): relaxation with the ATS rate of
    Eq. (55) (``Gamma`` [s⁻¹ K⁻⁵]) and, for ``A_tls > 0``, the 2LS-like one-phonon channel of
    Eq. (56); needs the measuring frequency ``frequency_Hz``."""
    T = temperatures(T)
    Bf = need_field(B, "dtand_ats")
    w = _omega(frequency_Hz, "dtand_ats")
    if not Gamma > 0:
        raise InputError(f"dtand_ats needs Gamma > 0 s^-1 K^-5 (the ATS rate), got {Gamma!r}")
    ens = ats_ensemble(1.0, Dmin, X0min, X0max, None, 0.0, 1.0)
    r = ats_dielectric(T, Bf, ens, K=K, omega=w, Gamma=Gamma,
                       A_tls=A_tls if A_tls > 0 else None, nw=_nw(nw),
                       orientation=orientation_of(orientation, False), rule=rule_of(rule))
    return as_output(r["loss"], T, B)
