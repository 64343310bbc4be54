"""Fitting a physicist's data with the model layer: global fits with shared and
per-temperature parameters, posterior sampling, reports and plots.

* :mod:`.problem` — :class:`FitProblem` (data sets, temperature-group blocks, model terms,
  the ``lmfit.Parameters`` from the one parameter table, fix/vary/init, refusals);
* :mod:`.setups` — the fits of the glass observables (:func:`fit_cp`,
  :func:`fit_magnetization`, :func:`fit_joint`, :func:`fit_dielectric`, :func:`fit_echo`);
* :mod:`.acoustics` — the STM's Δv/v, Q⁻¹ and κ (:func:`fit_sound_velocity`,
  :func:`fit_internal_friction`, :func:`fit_thermal_conductivity`);
* :mod:`.result` — :class:`FitResult` (table with units, warnings, correlations, curves and
  plots in the data's own units);
* :mod:`.mcmc` — posterior sampling through lmfit's emcee route, credible intervals and a
  corner plot.
"""

from .acoustics import fit_internal_friction, fit_sound_velocity, fit_thermal_conductivity
from .mcmc import sample_posterior
from .problem import Block, FitError, FitProblem, Term
from .result import FitResult
from .setups import (
    fit_cp,
    fit_cp_bar,
    fit_dielectric,
    fit_echo,
    fit_joint,
    fit_magnetization,
    fit_model,
    parse_options,
    parse_term_options,
)

__all__ = ["FitProblem", "FitResult", "FitError", "Term", "Block", "fit_cp", "fit_cp_bar",
           "fit_magnetization", "fit_joint", "fit_dielectric", "fit_echo", "fit_model",
           "sample_posterior", "fit_sound_velocity", "fit_internal_friction",
           "fit_thermal_conductivity", "parse_options",
           "parse_term_options"]
