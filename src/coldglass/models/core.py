"""What turns a model function into an lmfit model, and the helpers every model shares.

A model function is pure and vectorized: ``f(T, B=None, *, <parameters>=<typical value>)``
plus keyword *options* (orientation, ion species, rules ...). lmfit reads it without glue:
the first argument and ``B`` (and ``frequency_Hz`` where it is one) are the independent
variables, every keyword with a numeric default is a parameter; ``lmfit.Model(f)`` works as it
is. The options are hidden from lmfit's view of the signature (so a bare ``Model.fit`` does
not demand them) and bound to the function: ``lmfit.Model(cm.cp_ats.bind(orientation=
"shortcut"))`` (``f.options`` lists the bound values; a direct call takes them as keywords).
:func:`model` adds what the signature cannot carry: bounds from the parameter table
(:mod:`coldglass.models.parameters`) as parameter hints.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator

import lmfit
import numpy as np

from ..errors import InputError
from .parameters import PARAMETERS, spec

__all__ = ["model", "parameter_names", "as_output", "field_subtracted", "OBSERVABLES",
           "observable", "observable_of_column", "with_options", "full_signature"]

OBSERVABLES: dict[str, dict] = {}
"""Observable name -> {"unit", "meaning", "column", "terms"}; filled by :func:`observable`."""


def observable(name: str, unit: str, meaning: str, column: str | None = None
               ) -> Callable[[Callable], Callable]:
    """Mark a model function as a term of observable ``name`` (output in ``unit``), whose
    measured data come in the CSV column ``column`` (default ``name``): the data reader then
    accepts that column and ``coldglass fit model`` fits it, with no other file to edit."""
    from ..data import register_quantity

    col = column or name
    entry = OBSERVABLES.setdefault(name, {"unit": unit, "meaning": meaning, "column": col,
                                          "terms": []})
    if entry["unit"] != unit:
        raise InputError(f"observable {name!r} is registered in {entry['unit']}, not {unit}")
    register_quantity(col, unit)

    def mark(func: Callable) -> Callable:
        if not hasattr(func, "bind"):  # a plain model function: parameters checked too
            sig = inspect.signature(func)
            func = _optioned(func, sig, sig, {})
        func.observable = name
        func.unit = unit
        entry["terms"].append(func)
        return func

    return mark


def observable_of_column(column: str) -> str:
    """The observable whose data column is ``column`` (``"Cp_bar"`` -> ``"cp_bar"``)."""
    for k, v in OBSERVABLES.items():
        if v["column"] == column:
            return k
    raise InputError(f"no model term for data column {column!r}; observables: "
                     + ", ".join(f"{v['column']} ({k})" for k, v in OBSERVABLES.items()))


_CHECKING: contextvars.ContextVar[bool] = contextvars.ContextVar("coldglass_check_parameters",
                                                                 default=True)


@contextlib.contextmanager
def unchecked_parameters() -> Iterator[None]:
    """Inside, model functions do not check their parameters against the table: the fit
    engine's own bounds hold the free parameters, and a derived one (X0max = X0min·X0ratio)
    may pass a table edge on the way; the model's own domain checks still apply."""
    token = _CHECKING.set(False)
    try:
        yield
    finally:
        _CHECKING.reset(token)


def _check_parameters(func_name: str, names: tuple[str, ...], kw: dict) -> None:
    """Every numeric parameter passed is one real, finite number inside the parameter table's
    range (a refusal names the parameter, its unit and the range)."""
    if not _CHECKING.get():
        return
    for k in names:
        if k not in kw:
            continue
        v = kw[k]
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating) \
                and not (isinstance(v, np.ndarray) and v.ndim == 0
                         and np.issubdtype(v.dtype, np.number)):
            raise InputError(f"{func_name}: parameter {k} must be one real number, got {v!r}")
        if np.iscomplexobj(v):
            raise InputError(f"{func_name}: parameter {k} must be real, got {v!r}")
        row = PARAMETERS.get(k)
        if row is not None:
            row.check(float(v), f"{func_name}: {k}")
        elif not np.isfinite(float(v)):
            raise InputError(f"{func_name}: parameter {k} must be finite, got {v!r}")


def _optioned(impl: Callable, visible: inspect.Signature, full: inspect.Signature,
              bound: dict) -> Callable:
    """A model function whose options are bound values, hidden from lmfit's view; its
    numeric parameters are checked against the parameter table on every call."""
    names = tuple(p.name for p in full.parameters.values()
                  if isinstance(p.default, int | float) and not isinstance(p.default, bool))

    @functools.wraps(impl)
    def wrapper(*args, **kw):
        for k, v in bound.items():
            kw.setdefault(k, v)
        _check_parameters(impl.__name__, names, kw)
        return impl(*args, **kw)

    def bind(**options):
        unknown = sorted(set(options) - set(bound))
        if unknown:
            raise TypeError(f"{impl.__name__} has no options {unknown}; its options: "
                            f"{sorted(bound)}")
        return _optioned(impl, visible, full, bound | options)

    wrapper.__signature__ = visible
    wrapper.full = full
    wrapper.options = dict(bound)
    wrapper.bind = bind
    return wrapper


def with_options(*names: str) -> Callable[[Callable], Callable]:
    """Hide the keyword options ``names`` from the signature lmfit inspects.

    The function still takes them as keywords in a direct call; for lmfit, bind them:
    ``lmfit.Model(cm.cp_ats.bind(orientation="shortcut"))`` (``f.options`` shows the bound
    values). Must be the innermost decorator of a model function."""

    def deco(func: Callable) -> Callable:
        sig = inspect.signature(func)
        missing = [n for n in names if n not in sig.parameters]
        if missing:
            raise TypeError(f"{func.__name__} has no options {missing}")
        visible = sig.replace(parameters=[p for p in sig.parameters.values()
                                          if p.name not in names])
        return _optioned(func, visible, sig, {n: sig.parameters[n].default for n in names})

    return deco


def full_signature(func: Callable) -> inspect.Signature:
    """The signature with the options (lmfit sees the one without them)."""
    return getattr(func, "full", None) or inspect.signature(func)


def parameter_names(func: Callable) -> list[str]:
    """The keyword parameters of a model function (numeric defaults), in signature order."""
    out = []
    for p in inspect.signature(func).parameters.values():
        if (isinstance(p.default, int | float) and not isinstance(p.default, bool)
                and p.default is not inspect.Parameter.empty):
            out.append(p.name)
    return out


def model(func: Callable, prefix: str = "", **init) -> lmfit.Model:
    """``lmfit.Model(func, prefix=prefix, **options)`` with parameter hints (bounds, whether
    it varies) from the parameter table, initial values from the signature or ``init``;
    entries of ``init`` that are options of ``func`` (``func.options``) set them.

    >>> from coldglass.models import cp_ats
    >>> m = model(cp_ats, prefix="ats_")
    >>> sorted(m.make_params())[:3]
    ['ats_B_star', 'ats_Dmin', 'ats_E0']
    """
    options = getattr(func, "options", {})
    opts = {k: init.pop(k) for k in list(init) if k in options}
    if opts:
        func = func.bind(**opts)
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
        raise InputError(f"{func.__name__} has no parameters or options {sorted(init)}; its "
                         f"parameters: {parameter_names(func)}, options: {sorted(options)}")
    return m


def as_output(value: np.ndarray, *inputs) -> np.ndarray | float:
    """A float when every input is a scalar, else the array (shape of the broadcast)."""
    if all(np.ndim(x) == 0 for x in inputs if x is not None):
        return float(np.asarray(value).reshape(()))
    return np.asarray(value, dtype=float)


def field_subtracted(func: Callable, name: str | None = None) -> Callable:
    """``g(T, B, ...) = func(T, B, ...) - func(T, B_ref, ...)``: the field-subtracted form of a
    heat-capacity term (C̄p, Sec. 4.2; the paper subtracts the 8 T data).

    The reference is evaluated once per distinct temperature of the call. The new function
    has ``func``'s parameters and options plus the option ``B_ref`` [T] (None: 8 T).
    """

    def subtracted(T, B=None, *, B_ref: float | None = None, **kw):
        if B is None:
            raise InputError(f"{name or func.__name__} needs the field B [T]")
        B_ref = 8.0 if B_ref is None else B_ref
        spec("B_ref").check(B_ref, "B_ref")
        Tb, Bb = np.broadcast_arrays(np.asarray(T, dtype=float), np.asarray(B, dtype=float))
        Tu, inv = np.unique(Tb.ravel(), return_inverse=True)
        both = np.asarray(func(np.concatenate([Tb.ravel(), Tu]),
                               np.concatenate([Bb.ravel(), np.full(Tu.shape, float(B_ref))]),
                               **kw), dtype=float)
        n = Tb.size
        return as_output((both[:n] - both[n:][inv]).reshape(Tb.shape), T, B)

    subtracted.__name__ = subtracted.__qualname__ = name or f"{func.__name__}_bar"
    subtracted.__doc__ = (f"Field-subtracted {func.__name__}: value at (T, B) minus value at "
                          f"(T, B_ref) [same unit]; see :func:`{func.__name__}`.\n\n"
                          + (func.__doc__ or ""))
    full = full_signature(func)
    params = list(full.parameters.values())
    params.insert(2, inspect.Parameter("B_ref", inspect.Parameter.KEYWORD_ONLY, default=None))
    options = dict(getattr(func, "options", {})) | {"B_ref": None}
    out = _optioned(subtracted, inspect.signature(func), full.replace(parameters=params),
                    options)
    return observable("cp_bar", getattr(func, "unit", ""), "field-subtracted heat capacity "
                      "Cp(T, B) - Cp(T, B_ref)", column="Cp_bar")(out)
