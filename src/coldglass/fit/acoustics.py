"""Fits of the STM's acoustic observables: sound velocity Δv/v(T, ω), internal friction
Q⁻¹(T, ω) and thermal conductivity κ(T), on the generic engine of :func:`fit_model`.

What each adds to the generic fit: starting values from a material's literature values
(:data:`coldglass.materials.ACOUSTIC`), the amplitudes the model is linear in (C and the
offset: solved by linear least squares at every step), a coarse grid start for the one
nonlinear parameter (the rate coefficient A over five decades, C_t for κ), and for κ the tie
C_l = C_t where nothing gives C_l (κ fixes only ``1/(C_l v_l) + 2/(C_t v_t)``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import models as cm
from ..data import Dataset
from ..errors import InputError
from ..materials import get_acoustic
from .setups import Options, _need, fit_model

__all__ = ["fit_sound_velocity", "fit_internal_friction", "fit_thermal_conductivity"]

A_GRID = list(np.geomspace(1e5, 1e11, 13))
"""Starting grid of the one-phonon coefficient A [s⁻¹ K⁻³] (glasses: ~1e7-1e9)."""
CT_GRID = list(np.geomspace(1e-5, 1e-2, 13))


def _with_start(options: Options | None, start: dict[str, float]) -> Options:
    """The user's options with a material's values as starting values (the user's own
    init and fix win)."""
    opts = dict(options or {})
    init = dict(start)
    init.update(opts.get("init") or {})
    for k in opts.get("fix") or {}:
        init.pop(k, None)
    opts["init"] = init
    return opts


def _frequency(data: Dataset, frequency_Hz: float | None, what: str) -> dict:
    if frequency_Hz is not None:
        if not (math.isfinite(frequency_Hz) and frequency_Hz > 0):
            raise InputError(f"frequency_Hz must be a finite frequency > 0 Hz, got "
                             f"{frequency_Hz!r}")
        if data.frequency is not None:
            raise InputError(f"{what}: the data have an f column and frequency_Hz was given "
                             "too; use one")
        return {"frequency_Hz": float(frequency_Hz)}
    if data.frequency is None:
        raise InputError(f"{what} needs the measuring frequency: an 'f [Hz]' column in the "
                         "data or frequency_Hz (--frequency-hz)")
    return {}


def _relaxation_fit(data, func, offset, material, polarization, frequency_Hz, t_tol, options,
                    run, what):
    topts = _frequency(data, frequency_Hz, what)
    start = get_acoustic(material).start(func.observable, polarization) if material else {}
    opts = _with_start(options, start)
    p = fit_model(data, [func], t_tol=t_tol, options=opts, term_options=topts,
                  linear=("C", offset), grid={"A": A_GRID}, run=False)
    _material_notes(p, material, start)
    return p.run(remedy=p.remedy) if run else p


def _material_notes(p, material: str | None, start: dict) -> None:
    """Say which starting (or held) values came from the material table, and its sources."""
    if not material:
        return
    m = get_acoustic(material)
    held = [k for k in start if k in p.params and not p.params[k].vary]
    vals = ", ".join(f"{k} = {p.params[k].value:.4g}" + (" (held)" if k in held else "")
                     for k in start if k in p.params)
    p.notes.append(f"--material {m.name}: {vals}; {m.provenance()}")


def fit_sound_velocity(data: Dataset, material: str | None = None, *,
                       polarization: str = "t", frequency_Hz: float | None = None,
                       t_tol: float | None = None, options: Options | None = None,
                       run: bool = True):
    """Fit Δv/v(T, ω) (``dv_v`` data, one or several frequencies in an ``f`` column) with
    :func:`coldglass.models.dv_stm`: C, A and the offset dv0 vary; Delta0_min and the Raman
    coefficient A_R are held (``options["vary"]`` frees them). ``material``: starting
    values from the acoustic table (``polarization`` picks C_l or C_t)."""
    _need(data, ("dv_v",), "fit_sound_velocity")
    return _relaxation_fit(data, cm.dv_stm, "dv0", material, polarization, frequency_Hz,
                           t_tol, options, run, "fit_sound_velocity")


def fit_internal_friction(data: Dataset, material: str | None = None, *,
                          polarization: str = "t", frequency_Hz: float | None = None,
                          t_tol: float | None = None, options: Options | None = None,
                          run: bool = True):
    """Fit Q⁻¹(T, ω) (``Qinv`` data) with :func:`coldglass.models.qinv_stm`: C, A and the
    background Q0 vary; Delta0_min and A_R are held."""
    _need(data, ("Qinv",), "fit_internal_friction")
    return _relaxation_fit(data, cm.qinv_stm, "Q0", material, polarization, frequency_Hz,
                           t_tol, options, run, "fit_internal_friction")


def fit_thermal_conductivity(data: Dataset, material: str | None = None, *,
                             options: Options | None = None, run: bool = True):
    """Fit κ(T) (``kappa`` data) with :func:`coldglass.models.kappa_stm`: C_t varies; C_l is
    tied to C_t unless the material or ``options`` give it; v_l, v_t (from the material or
    ``options``; required: κ alone fixes only 1/(C v)) and the Casimir length L_boundary are
    held (vary it with ``options["vary"] = ["L_boundary"]``)."""
    _need(data, ("kappa",), "fit_thermal_conductivity")
    start = get_acoustic(material).start("kappa") if material else {}
    given = {k for key in ("fix", "init") for k in ((options or {}).get(key) or {})}
    missing = [v for v in ("v_l", "v_t") if v not in start and v not in given]
    msg = (f"κ fixes only 1/(C_l v_l) + 2/(C_t v_t): the fit needs the sound velocities "
           f"{', '.join(missing)} [m/s] of your glass: --material (a-SiO2, BK7) or "
           "--fix v_l=... --fix v_t=...")
    if missing and run:
        raise InputError(msg)
    opts = _with_start(options, start)
    ties = {} if "C_l" in start else {"C_l": "C_t"}
    p = fit_model(data, [cm.kappa_stm], options=opts, grid={"C_t": CT_GRID}, ties=ties,
                  run=False)
    _material_notes(p, material, start)
    if missing:  # listing the parameters works; running needs the velocities
        p.blockers.append(msg)
    L = p.params["L_boundary"]
    if L.vary and not math.isfinite(L.value):
        raise InputError("L_boundary varies but starts at inf (no boundary scattering): give "
                         "a start, e.g. --init L_boundary=2e-3 [m]")
    return p.run(remedy=p.remedy) if run else p
