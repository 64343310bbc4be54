"""Acoustic and slow-relaxation terms of the STM as lmfit-ready model functions.

* ``dv_stm``: relative sound-velocity change Δv/v(T, ω) (resonant + relaxational, from T = 0,
  plus an offset ``dv0``), data column ``dv_v`` [1];
* ``qinv_stm``: internal friction Q⁻¹(T, ω) plus a background ``Q0``, column ``Qinv`` [1];
* ``kappa_stm``: thermal conductivity κ(T) by resonant scattering plus boundary scattering
  (one Casimir length), column ``kappa`` [W/(m K)];
* ``dv_ats``: ATS Δv/v(T, B) - Δv/v(T, 0), column ``ddv_v`` [1] — a prediction the paper
  does not make (:func:`coldglass.observables.acoustics.ats_sound_velocity`);
* ``cp_stm_time`` (Cp on a measuring time t) and ``heat_release_stm`` (Q̇(t) after a
  quench): model functions of the time [s], not registered as data columns.

Kernels and equations: :mod:`coldglass.observables.acoustics`,
:mod:`coldglass.observables.heat_release`. Frequencies in Hz (ω = 2πf).
"""

from __future__ import annotations

import math

from numpy.typing import ArrayLike

from ..observables.acoustics import (
    BoundaryScattering,
    ResonantScattering,
    ats_sound_velocity,
    raman_rate,
    stm_acoustics,
    thermal_conductivity,
)
from ..observables.heat_release import cp_stm_time as _cp_time
from ..observables.heat_release import heat_release
from ..validation import positive
from ._common import ats_ensemble, need_field, orientation_of, rule_of, temperatures
from .core import as_output, observable, with_options
from .dielectric import _omega
from .parameters import ParamSpec, register

__all__ = ["dv_stm", "qinv_stm", "kappa_stm", "dv_ats", "cp_stm_time", "heat_release_stm"]

INF = math.inf
register(
    ParamSpec("A_R", "s^-1 K^-7", 1e3, 0.0, INF,
              "second (Raman) relaxation channel, 1/τ = A_R (Δ0/E)² T⁷", vary=False),
    ParamSpec("dv0", "1", 1e-5, -INF, INF, "offset of Δv/v (the reference temperature's value)"),
    ParamSpec("Q0", "1", 1e-5, -INF, INF, "temperature-independent background of Q⁻¹"),
    ParamSpec("C_l", "1", 1e-4, 1e-9, 1.0, "longitudinal tunnelling strength P̄γ_l²/(ρv_l²)",
              vary=False),
    ParamSpec("C_t", "1", 1e-4, 1e-9, 1.0, "transverse tunnelling strength P̄γ_t²/(ρv_t²)"),
    ParamSpec("v_l", "m/s", 1e3, 1.0, 1e5, "longitudinal sound velocity", vary=False),
    ParamSpec("v_t", "m/s", 1e3, 1.0, 1e5, "transverse sound velocity", vary=False),
    ParamSpec("L_boundary", "m", 1e-3, 1e-9, INF,
              "Casimir length of boundary scattering (inf: none)", vary=False,
              allows_inf=True),
    ParamSpec("P_ens", "K^-1 g^-1", 1e15, 0.0, INF,
              "STM ensemble density P̄ of P̄ dΔ dΔ0/Δ0 (Eq. 2; DOS P̄ ln(2E/Δ0min))"),
    ParamSpec("T_initial", "K", 1.0, 1e-4, 1e3, "temperature before the quench", vary=False),
    ParamSpec("T_bath", "K", 0.01, 1e-4, 1e3, "bath temperature after the quench", vary=False),
    ParamSpec("K_el", "1", 1e-5, 0.0, INF, "π x P* γ1²/(ρ v²), ATS elastic strength"),
)


def _rate2(A_R: float):
    return raman_rate(A_R) if A_R > 0 else None


@observable("dv", "1", "STM relative sound-velocity change Δv/v(T, ω)", column="dv_v")
@with_options("resonant")
def dv_stm(T: ArrayLike, frequency_Hz: ArrayLike | None = None, *, C: float = 3e-4,
           A: float = 1e8, Delta0_min: float = 1e-6, A_R: float = 0.0, dv0: float = 0.0,
           resonant: str = "auto"):
    """STM Δv/v(T, ω) of one polarization: resonant ``-C ∫ (Δ0/E)² tanh(E/2T)/E`` plus
    relaxational ``-C ∫ (Δ/E)² sech²(E/2T)/(2T)/(1 + ω²τ²)`` over ``P̄ dΔ dΔ0/Δ0``, measured
    from T = 0, plus ``dv0``; τ⁻¹ = A Δ0² E coth(E/2T) + A_R (Δ0/E)² T⁷. Slopes per e-fold of
    T: +C below the crossover, -C/2 above; C = P̄γ²/(ρv²). Option ``resonant``: ``"auto"``
    (quasistatic unless ħω > 1e-3 k_BT somewhere, e.g. GHz), ``"quasistatic"``, ``"full"``."""
    T = temperatures(T)
    w = _omega(frequency_Hz, "dv_stm")
    r = stm_acoustics(T, w, C=C, A=A, Delta0_min=Delta0_min, rate2=_rate2(A_R),
                      resonant=resonant)
    return as_output(r["total"] + dv0, T, frequency_Hz)


@observable("Qinv", "1", "STM internal friction Q⁻¹(T, ω)", column="Qinv")
def qinv_stm(T: ArrayLike, frequency_Hz: ArrayLike | None = None, *, C: float = 3e-4,
             A: float = 1e8, Delta0_min: float = 1e-6, A_R: float = 0.0, Q0: float = 0.0):
    """STM internal friction of one polarization: relaxational
    ``2C ∫ (Δ/E)² sech²(E/2T)/(2T) ωτ/(1 + ω²τ²)`` (plateau πC/2 above the crossover,
    ``π⁴CAT³/(12ω)`` below) plus unsaturated resonant ``πC tanh(ħω/2k_BT)``, plus ``Q0``."""
    T = temperatures(T)
    w = _omega(frequency_Hz, "qinv_stm")
    r = stm_acoustics(T, w, C=C, A=A, Delta0_min=Delta0_min, rate2=_rate2(A_R))
    return as_output(r["Qinv"] + Q0, T, frequency_Hz)


@observable("kappa", "W/(m K)", "phonon thermal conductivity κ(T)", column="kappa")
def kappa_stm(T: ArrayLike, *, C_l: float = 3e-4, C_t: float = 3e-4, v_l: float = 5800.0,
              v_t: float = 3800.0, L_boundary: float = INF):
    """Thermal conductivity [W m⁻¹ K⁻¹] of Debye phonons scattered resonantly by the
    tunnelling systems (``ℓ⁻¹ = πC_s ω/v_s tanh(ħω/2k_BT)``) and by the sample's boundary
    (``ℓ⁻¹ = 1/L_boundary``; ``inf``, the default: none), the rates added at each phonon
    frequency:
    ``κ = (1/3) Σ_s g_s ∫ c_s(ω) v_s ℓ_s dω`` -> ``k_B³T²/(6πħ²) Σ_s g_s/(C_s v_s)`` without
    the boundary. κ(T) fixes only ``1/(C_l v_l) + 2/(C_t v_t)``: fits vary C_t and hold
    C_l (a material's value, or C_l = C_t)."""
    T = temperatures(T)
    channels = [ResonantScattering(C_l, C_t)]
    if math.isfinite(L_boundary):
        channels.append(BoundaryScattering(L_boundary))
    k = thermal_conductivity(T, v_l=v_l, v_t=v_t, scattering=channels)
    return as_output(k, T)


@observable("ddv", "1", "ATS sound-velocity change Δv/v(T, B) - Δv/v(T, 0) (prediction)",
            column="ddv_v")
@with_options("orientation", "rule")
def dv_ats(T: ArrayLike, B: ArrayLike | None = None, *, K_el: float = 1e-5, Dmin: float = 0.02,
           X0min: float = 2e5, X0max: float = 3e5, orientation: str = "exact", rule=None):
    """PREDICTION (not in the paper): the ATS Δv/v(T, B) - Δv/v(T, 0) of three-well systems,
    ``-½`` the resonant magnetodielectric effect of Eq. (51) with the elastic strength
    ``K_el = π x P* γ1²/(ρv²)`` in place of K."""
    T = temperatures(T)
    Bf = need_field(B, "dv_ats")
    ens = ats_ensemble(1.0, Dmin, X0min, X0max, None, 0.0, 1.0)
    r = ats_sound_velocity(T, Bf, ens, K_el=K_el, orientation=orientation_of(orientation, False),
                           rule=rule_of(rule))
    return as_output(r, T, B)


@with_options()
def cp_stm_time(T: ArrayLike, t_s: ArrayLike, *, P_ens: float = 1e15, A: float = 1e8,
                Delta0_min: float = 1e-6):
    """Heat capacity [J g⁻¹ K⁻¹] of the STM systems that relax within the measuring time
    ``t_s`` [s] (paper Eq. 40 with the one-phonon τ of Eq. 39); ``P_ens`` is the ensemble's
    P̄ of ``P̄ dΔ dΔ0/Δ0`` [K⁻¹ g⁻¹] (its DOS is P̄ ln(2E/Δ0min), not the constant DOS of
    :func:`cp_tls`). Grows as ``(π²/12) P̄ k_B² T ln t``; t -> ∞ is the equilibrium Cp of the
    ensemble. ``lmfit.Model(cp_stm_time, independent_vars=["T", "t_s"])``."""
    T = temperatures(T)
    return as_output(_cp_time(T, t_s, P_bar=P_ens, A=A, Delta0_min=Delta0_min), T, t_s)


@with_options()
def heat_release_stm(t_s: ArrayLike, *, P_ens: float = 1e15, A: float = 1e8,
                     T_initial: float = 1.0, T_bath: float = 0.01,
                     Delta0_min: float = 1e-6):
    """Heat release Q̇(t) [W/g] a time ``t_s`` [s] after quenching STM systems (ensemble P̄
    ``P_ens`` [K⁻¹ g⁻¹])
    from equilibrium at ``T_initial`` to the bath at ``T_bath`` [K]:
    ``≈ (π²/24) P̄ k_B² (T_initial² - T_bath²)/t``."""
    t = positive("t_s", t_s, "s")
    return as_output(heat_release(t, T1=T_initial, T0=T_bath, P_bar=P_ens, A=A,
                                  Delta0_min=Delta0_min), t)
