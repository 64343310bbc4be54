"""What turns a model function into an lmfit model, and the helpers every model shares.

A model function is pure and vectorized: ``f(T, B=None, *, <parameters>=<typical value>,
<options>=<non-numeric default>)``. lmfit reads it without glue: the first argument and every
keyword with a non-numeric default (None, a string, a bool) are independent variables or
options, every keyword with a numeric default is a parameter (``lmfit.Model(f)`` works as
it is). :func:`model` adds what the signature cannot carry: bounds, units and meaning from
the parameter table (:mod:`coldglass.models.parameters`) as parameter hints.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import lmfit
import numpy as np

from .parameters import PARAMETERS, spec

__all__ = ["model", "parameter_names", "as_output", "field_subtracted", "OBSERVABLES",
           "observable"]

OBSERVABLES: dict[str, dict] = {}
"""Observable name -> {"unit", "meaning"}; filled by :func:`observable`."""


def observable(name: str, unit: str, meaning: str) -> Callable[[Callable], Callable]:
    """Mark a model function as contributing to ``name`` (output in ``unit``)."""
    OBSERVABLES.setdefault(name, {"unit": unit, "meaning": meaning})

    def mark(func: Callable) -> Callable:
        func.observable = name
        func.unit = unit
        return func

    return mark


def parameter_names(func: Callable) -> list[str]:
    """The keyword parameters of a model function (numeric defaults), in signature order."""
    out = []
    for p in inspect.signature(func).parameters.values():
        if (isinstance(p.default, int | float) and not isinstance(p.default, bool)
                and p.default is not inspect.Parameter.empty):
            out.append(p.name)
    return out


def model(func: Callable, prefix: str = "", **init: float) -> lmfit.Model:
    """``lmfit.Model(func, prefix=prefix)`` with parameter hints (bounds, whether it varies)
    from the parameter table, initial values from the signature or ``init``.

    >>> from coldglass.models import cp_ats
    >>> m = model(cp_ats, prefix="ats_")
    >>> sorted(m.make_params())[:3]
    ['ats_B_star', 'ats_Dmin', 'ats_E0']
    """
    m = lmfit.Model(func, prefix=prefix)
    sig = inspect.signature(func).parameters
    for name in parameter_names(func):
        row = PARAMETERS.get(name)
        value = init.pop(name, sig[name].default)
        hint = {"value": float(value)}
        if row is not None:
            hint |= {"min": row.min, "max": row.max, "vary": row.vary}
        m.set_param_hint(name, **hint)
    if init:
        raise ValueError(f"{func.__name__} has no parameters {sorted(init)}; its parameters: "
                         f"{parameter_names(func)}")
    return m


def as_output(value: np.ndarray, *inputs) -> np.ndarray | float:
    """A float when every input is a scalar, else the array (shape of the broadcast)."""
    if all(np.ndim(x) == 0 for x in inputs if x is not None):
        return float(np.asarray(value).reshape(()))
    return np.asarray(value, dtype=float)


def field_subtracted(func: Callable, name: str | None = None) -> Callable:
    """``g(T, B, B_ref, ...) = func(T, B, ...) - func(T, B_ref, ...)``: the field-subtracted
    form of a heat-capacity term (C̄p, Sec. 4.2; the paper subtracts the 8 T data).

    The reference is evaluated once per distinct temperature of the call. The new function
    has ``func``'s signature plus the parameter ``B_ref`` [T] (fixed in fits).
    """

    @functools.wraps(func)
    def subtracted(T, B=None, *, B_ref: float = 8.0, **kw):
        if B is None:
            raise ValueError(f"{subtracted.__name__} needs the field B [T]")
        spec("B_ref").check(B_ref, "B_ref")
        Tb, Bb = np.broadcast_arrays(np.asarray(T, dtype=float), np.asarray(B, dtype=float))
        Tu, inv = np.unique(Tb.ravel(), return_inverse=True)
        both = np.asarray(func(np.concatenate([Tb.ravel(), Tu]),
                               np.concatenate([Bb.ravel(), np.full(Tu.shape, float(B_ref))]),
                               **kw), dtype=float)
        n = Tb.size
        return as_output((both[:n] - both[n:][inv]).reshape(Tb.shape), T, B)

    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    params.insert(2, inspect.Parameter("B_ref", inspect.Parameter.KEYWORD_ONLY, default=8.0))
    subtracted.__signature__ = sig.replace(parameters=params)
    subtracted.__name__ = name or f"{func.__name__}_bar"
    subtracted.__qualname__ = subtracted.__name__
    subtracted.__doc__ = (f"Field-subtracted {func.__name__}: value at (T, B) minus value at "
                          f"(T, B_ref) [same unit]; see :func:`{func.__name__}`.\n\n"
                          + (func.__doc__ or ""))
    subtracted.observable = "cp_bar"
    subtracted.unit = getattr(func, "unit", "")
    return subtracted
