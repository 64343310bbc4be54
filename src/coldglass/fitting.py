"""Compatibility module: the fits now live in :mod:`coldglass.fit` (global fits on the model
layer). ``from coldglass.fitting import fit_cp_bar`` keeps working."""

from .fit import (
    FitError,
    FitProblem,
    FitResult,
    fit_cp,
    fit_cp_bar,
    fit_dielectric,
    fit_echo,
    fit_joint,
    fit_magnetization,
)

__all__ = ["FitResult", "FitProblem", "FitError", "fit_cp", "fit_cp_bar", "fit_magnetization",
           "fit_joint", "fit_dielectric", "fit_echo"]
