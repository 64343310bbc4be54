"""Polarization-echo observables as lmfit-ready model functions (dimensionless).

* ``echo_ats``: the relative echo amplitude A(B)/A_2LS = 1 - W ΔA(B)/ΔA(0) of Sec. 6.2
  (Eqs. 72-79), at each point's temperature;
* ``iea``: glycerol's integrated echo amplitude IEA(τ12) at B = 0 (Eqs. 80-88), with its 2LS
  and ATS parts ``iea_2ls``, ``iea_ats``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..constants import DEBYE_KV_PER_M_J
from ..errors import InputError
from ..observables.echo import echo_relative_amplitude, iea_zero_field
from ..validation import nonnegative, positive
from ._common import ats_ensemble, need_field, orientation_of, temperatures
from .core import as_output, observable, with_options

__all__ = ["echo_ats", "iea", "iea_2ls", "iea_ats"]


@observable("A", "1", "relative echo amplitude A(B)/A_2LS")
@with_options("tau12_s", "frequency_Hz", "tau1_s", "tau2_s", "orientation", "weight_T_K",
              "B_star_T")
def echo_ats(T: ArrayLike, B: ArrayLike | None = None, *, W: float = 0.3, Dmin: float = 0.02,
             X0min: float = 1e3, X0max: float = 1e4, p1F0: float = 0.5, c_ats: float = 5.0,
             Gamma_echo: float = 0.0, tan_phase: float = 0.0,
             tau12_s: float | None = None, frequency_Hz: float | None = None,
             tau1_s: float | None = None, tau2_s: float | None = None,
             orientation: str = "exact", weight_T_K: float | None = None,
             B_star_T: float | None = None):
    """``A(B)/A_2LS = 1 - W ΔA(B)/ΔA(0)`` (Eqs. 72-79): the ATS echo with Rabi frequency of
    Eq. (72) from ``p1F0`` [D kV/m], dephasing ``1/τφ = c_ats T`` (``c_ats`` in (μs K)⁻¹,
    Eq. 79), ATS rate ``Gamma_echo`` [s⁻¹ K⁻⁵] (0: none), quadrature ``tan_phase`` (Eq. 66),
    at pulse separation ``tau12_s`` and frequency ``frequency_Hz`` (both required), pulses
    ``tau1_s``, ``tau2_s`` (None: the paper's 0.1 and 0.2 μs). ``weight_T_K`` (None: W is the
    share at every T): W is the ATS share at that temperature, and the share at each point's
    T follows from ``c_ats`` (as c_ATS - c_2LS), the ATS rate and the polarizations
    (:func:`~coldglass.observables.echo.echo_relative_amplitude`). ``B_star_T``: the
    high-field correction of Eqs. (20), (95) (None: off). One ensemble average per distinct
    temperature."""
    tau1_s = 1e-7 if tau1_s is None else tau1_s
    tau2_s = 2e-7 if tau2_s is None else tau2_s
    T = temperatures(T)
    Bf = need_field(B, "echo_ats")
    if tau12_s is None or frequency_Hz is None:
        raise InputError("echo_ats needs tau12_s [s] and frequency_Hz [Hz]")
    tau12 = float(positive("tau12_s", tau12_s, "s"))
    omega = 2 * np.pi * float(positive("frequency_Hz", frequency_Hz, "Hz"))
    Tb, Bb = np.broadcast_arrays(T, Bf)
    ens = ats_ensemble(1.0, Dmin, X0min, X0max, None, 0.0, 1.0)
    out = np.empty(Tb.shape)
    for Tg in np.unique(Tb):
        sel = Tb == Tg
        out[sel] = echo_relative_amplitude(
            Bb[sel], ens, weight=W, omega=omega, T=float(Tg), p1F0_J=p1F0 * DEBYE_KV_PER_M_J,
            tau1=float(positive("tau1_s", tau1_s, "s")),
            tau2=float(positive("tau2_s", tau2_s, "s")), tau12=tau12,
            tau_phi=1.0 / (float(positive("c_ats", c_ats)) * 1e6 * float(Tg)),
            Gamma=Gamma_echo if Gamma_echo > 0 else None, tan_phase=tan_phase,
            orientation=orientation_of(orientation, False), n=48, B_star=B_star_T,
            **({} if weight_T_K is None else
               {"weight_T": weight_T_K, "dephasing_excess": c_ats * 1e6}))
    return as_output(out, T, B)


def _iea(tau12_s, C2LS, KATS, tau_phi3, tau_phi2, delta_omega):
    t = nonnegative("tau12_s", tau12_s, "s")
    return t, iea_zero_field(t, tau_phi3=tau_phi3, delta_omega=delta_omega, tau_phi2=tau_phi2,
                             C2LS=C2LS, KATS=KATS)


@observable("IEA", "1", "integrated echo amplitude IEA(τ12)")
def iea(tau12_s: ArrayLike, *, C2LS: float = 1.0, KATS: float = 0.5, tau_phi3: float = 1e-6,
        tau_phi2: float = 1e-5, delta_omega: float = 6e5):
    """IEA(τ12) at B = 0 (Eqs. 85-88, derived form): ``C2LS e^{-2τ12/τφ(2)}`` plus the ATS
    part ``-KATS [e^{-a}/2 + (a/π) I(a, b)]``, ``a = 2τ12/τφ(3)``, ``b = 2τ12 Δω``
    (``delta_omega`` angular, rad/s): oscillations of period π/Δω in τ12."""
    t, r = _iea(tau12_s, C2LS, KATS, tau_phi3, tau_phi2, delta_omega)
    return as_output(r["total"], tau12_s)


@with_options()
def iea_2ls(tau12_s: ArrayLike, *, C2LS: float = 1.0, tau_phi2: float = 1e-5):
    """The 2LS part of :func:`iea`, ``C2LS e^{-2τ12/τφ(2)}``."""
    t, r = _iea(tau12_s, C2LS, 0.0, 1e-6, tau_phi2, 0.0)
    return as_output(r["2LS"], tau12_s)


@with_options()
def iea_ats(tau12_s: ArrayLike, *, KATS: float = 0.5, tau_phi3: float = 1e-6,
            delta_omega: float = 6e5):
    """The ATS part of :func:`iea`, ``-KATS [e^{-a}/2 + (a/π) I(a, b)]``."""
    t, r = _iea(tau12_s, 0.0, KATS, tau_phi3, 1e-5, delta_omega)
    return as_output(r["ATS"], tau12_s)
