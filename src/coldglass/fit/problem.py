"""A global least-squares problem over data sets, temperature groups and model terms.

The fit layer's one engine (every ``fit_*`` function and ``coldglass fit`` command builds one):

* a :class:`Term` is a model function of :mod:`coldglass.models` with a map from its keyword
  parameters to global parameter names (shared parameters use the same name) and fixed
  options (orientation, rule, frequency ...);
* a :class:`Block` is the points of one data set (one temperature group, or all) with the
  terms whose sum models them;
* :class:`FitProblem` owns the ``lmfit.Parameters`` (bounds, units and meanings from the one
  parameter table), applies the user's ``fix``/``vary``/``init``, refuses what cannot be
  fitted before any work (too few points, non-finite data or weights, a model that is not
  finite at the start), and runs the fit; :class:`coldglass.fit.FitResult` reports it.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import lmfit
import numpy as np

from ..data import Dataset
from ..errors import ColdglassError, InputError
from ..models.core import full_signature, unchecked_parameters
from ..models.parameters import display_name, group_suffix, internal_name, spec

__all__ = ["Term", "Block", "FitProblem", "FitError", "MAX_PARAMETER_FRACTION"]

FTOL = 1e-7
"""Relative tolerances of the least-squares fit: a change of 1e-7 χ² is far below the
statistical spread of χ² (sqrt(2N)) and of one unit of χ² that sets the uncertainties."""

MAX_PARAMETER_FRACTION = 1.0 / 3.0
"""A fit may vary at most this fraction of its data points as parameters."""


class FitError(ColdglassError, ValueError):
    """A fit that cannot be started or that failed (non-finite model, no convergence)."""


@dataclass
class Term:
    """One model function's contribution to a block.

    ``params`` maps the function's keyword parameters to global parameter names; keywords
    not in ``params`` are taken from ``options`` or the function's defaults.
    """

    component: str
    func: Callable
    params: dict[str, str]
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._sig = full_signature(self.func).parameters
        self._cache: dict = {}  # the last few evaluations at the data points
        first = next(iter(self._sig))
        self._first = first
        unknown = set(self.params) - set(self._sig)
        if unknown:
            raise InputError(f"{self.func.__name__} has no parameters {sorted(unknown)}")

    def __call__(self, values: dict[str, float], ds: Dataset, mask: np.ndarray,
                 T: np.ndarray | None = None, B: np.ndarray | None = None,
                 x: np.ndarray | None = None) -> np.ndarray:
        """Evaluate at the block's points (or at given T, B / x for curves).

        At the data points the last few results are cached by the values of the term's own
        parameters: a finite-difference Jacobian column then recomputes only the terms that
        depend on the perturbed parameter."""
        at_data = T is None and B is None and x is None
        if at_data:
            key = (id(mask), tuple(values[g] for g in self.params.values()))
            hit = self._cache.get(key)
            if hit is not None:
                return hit
        with unchecked_parameters():  # lmfit's bounds hold the free parameters
            out = self._evaluate(values, ds, mask, T, B, x)
        if at_data:
            if len(self._cache) >= 4:
                self._cache.pop(next(iter(self._cache)))
            out.flags.writeable = False
            self._cache[key] = out
        return out

    def _evaluate(self, values, ds, mask, T, B, x) -> np.ndarray:
        kw = dict(self.options)
        kw.update({k: values[g] for k, g in self.params.items()})
        if self._first == "tau12_s":
            arg = ds.tau12[mask] if x is None else x
            return np.asarray(self.func(arg, **kw), dtype=float)
        Tm = ds.T[mask] if T is None else T
        if "frequency_Hz" in self._sig and "frequency_Hz" not in kw and ds.frequency is not None:
            f = ds.frequency[mask]
            kw["frequency_Hz"] = f if T is None else np.full(np.shape(Tm), f[0])
        if "B" in self._sig:
            Bm = ds.B[mask] if B is None else B
            return np.asarray(self.func(Tm, Bm, **kw), dtype=float)
        if "frequency_Hz" in self._sig and "frequency_Hz" not in kw:
            raise FitError(f"{self.func.__name__} needs the measuring frequency: an 'f [Hz]' "
                           "column in the data or a frequency option")
        return np.asarray(self.func(Tm, **kw), dtype=float)


@dataclass
class Block:
    """The points ``mask`` of data set ``dataset`` modelled by the sum of ``terms``;
    ``label`` names the temperature group (e.g. ``"0.600K"``) or is empty."""

    dataset: str
    mask: np.ndarray
    terms: list[Term]
    label: str = ""


def _weights(name: str, ds: Dataset) -> tuple[np.ndarray, str | None]:
    """1/σ; without σ, 1 % of the largest |y| of that data set (stated in the notes)."""
    if ds.sigma is not None:
        w = 1.0 / ds.sigma
        if not np.all(np.isfinite(w)):
            raise FitError(f"{name}: sigma must be finite and > 0 (infinite weights)")
        return w, None
    scale = 0.01 * float(np.max(np.abs(ds.y)))
    if not (np.isfinite(scale) and scale > 0):
        raise FitError(f"{name}: every measured value is zero and there is no sigma column: "
                       "nothing sets the weights; add 'sigma [...]'")
    return (np.full(ds.y.shape, 1.0 / scale),
            f"{name}: no sigma column, residuals weighted by 1 % of max|y| "
            f"({scale:.3g} {ds.unit}); uncertainties scaled by the reduced chi²")


class FitProblem:
    """Data sets, blocks and the global parameters of one fit (see the module docstring)."""

    def __init__(self, kind: str, datasets: dict[str, Dataset], notes: list[str] | None = None):
        self.kind = kind
        self.datasets = datasets
        self.blocks: list[Block] = []
        self.params = lmfit.Parameters()
        self.notes = list(notes or [])
        self.blockers: list[str] = []  # reasons to refuse run() that still allow listing
        self.groups: dict[str, str] = {}  # dataset -> description of its temperature groups
        for name, ds in datasets.items():
            if not (np.all(np.isfinite(ds.y)) and np.all(np.isfinite(ds.T))
                    and np.all(np.isfinite(ds.B))):
                raise FitError(f"{name}: the data contain NaN or inf")

    # -- building ------------------------------------------------------------------------
    def add_parameter(self, name: str, value: float, *, vary: bool | None = None,
                      expr: str | None = None, min: float | None = None,
                      max: float | None = None) -> None:
        """Add a global parameter with bounds from the table (unless given)."""
        if name in self.params:
            return
        row = spec(name)
        lo = row.min if min is None else min
        hi = row.max if max is None else max
        if expr is not None:
            self.params.add(name, expr=expr)
            return
        v = float(value)
        v = min_max_clip(v, lo, hi, name)
        self.params.add(name, value=v, min=lo, max=hi, vary=row.vary if vary is None else vary)

    def add_block(self, block: Block) -> None:
        for t in block.terms:
            for g in t.params.values():
                if g not in self.params:
                    raise InputError(f"block {block.label or block.dataset}: parameter {g!r} "
                                     "has not been added")
        self.blocks.append(block)

    # -- the user's choices --------------------------------------------------------------
    def _match(self, name: str) -> list[str]:
        """Global names a user's name refers to: an exact (display or internal) name, or a
        name without ``@group`` that stands for every group of it."""
        n = internal_name(name)
        if n in self.params:
            return [n]
        pat = re.compile(re.escape(n) + r"__\d+p\d+K$")
        hits = [k for k in self.params if pat.match(k)]
        if not hits and "@" in name:  # the same temperature written differently (0.6K)
            m = re.match(r"^(.+)@([0-9.eE+-]+)\s*K$", name.strip())
            if m:
                base, T = m.group(1), float(m.group(2))
                for k in self.params:
                    d = display_name(k)
                    if d.startswith(base + "@"):
                        Tk = float(d.split("@")[1][:-1])
                        if abs(Tk - T) <= 0.02 * Tk + 2e-3:
                            hits.append(k)
        if not hits:
            raise InputError(f"unknown parameter {name!r}; this fit has: "
                             + ", ".join(display_name(k) for k in self.params))
        return hits

    def apply(self, *, fix: dict[str, float | None] | None = None,
              vary: list[str] | tuple[str, ...] = (), init: dict[str, float] | None = None
              ) -> None:
        """``init``: starting values; ``fix``: hold at the value (or at the start when None);
        ``vary``: vary a parameter that is held by default. Values are checked against the
        parameter's allowed range and used as given."""
        for name, val in (init or {}).items():
            for k in self._match(name):
                self._set_value(k, val, name)
        for name, val in (fix or {}).items():
            for k in self._match(name):
                if self.params[k].expr is not None:
                    raise InputError(f"{display_name(k)} is derived ({self.params[k].expr}); "
                                     "fix the parameters it is made of")
                if val is not None:
                    self._set_value(k, val, name)
                self.params[k].vary = False
        for name in vary:
            for k in self._match(name):
                if self.params[k].expr is not None:
                    raise InputError(f"{display_name(k)} is derived ({self.params[k].expr})")
                if fix and any(k in self._match(f) for f in fix):
                    raise InputError(f"{name} is both fixed and varied")
                self.params[k].vary = True

    def _set_value(self, k: str, val: float, given: str) -> None:
        p = self.params[k]
        if p.expr is not None:
            raise InputError(f"{given} is derived ({p.expr}); set the parameters it is made of")
        v = float(val)
        if not math.isfinite(v) or v < p.min or v > p.max:
            row = spec(k)
            raise InputError(f"{given} = {val!r} {row.unit} is outside the allowed range "
                             f"[{p.min:g}, {p.max:g}] {row.unit} ({row.meaning})")
        p.value = v

    # -- sizes and checks ----------------------------------------------------------------
    @property
    def free(self) -> list[str]:
        return [k for k, p in self.params.items() if p.vary and p.expr is None]

    @property
    def n_points(self) -> int:
        return int(sum(int(np.count_nonzero(b.mask)) for b in self.blocks))

    def check_size(self, remedy: str) -> None:
        """Refuse more free parameters than a sane fraction of the points, naming the
        remedy; and fewer points than parameters in any case."""
        n_free, n = len(self.free), self.n_points
        if n_free == 0:
            raise FitError("no free parameters: everything is fixed")
        for b in self.blocks:
            if not b.label:
                continue
            own = {g for t in b.terms for g in t.params.values()
                   if g in self.free and g.endswith(group_suffix(b.label))}
            npts = int(np.count_nonzero(b.mask))
            if own and npts < len(own) + 1:
                ds = self.datasets[b.dataset]
                T = ", ".join(f"{t:g}" for t in ds.T[b.mask][:5])
                raise FitError(
                    f"temperature group {b.label} of {b.dataset} has {npts} point(s) (T = {T} "
                    f"K) for {len(own)} parameters of its own: a row in other units (K in an "
                    "mK file?) or a stray temperature; remove it, widen --t-tol or use shared "
                    "cutoffs")
        if n_free > MAX_PARAMETER_FRACTION * n:
            raise FitError(
                f"{n_free} free parameters for {n} points: a fit may vary at most "
                f"{MAX_PARAMETER_FRACTION:.2g} x the number of points. {remedy}")

    # -- evaluation ----------------------------------------------------------------------
    def values(self, params: lmfit.Parameters | None = None) -> dict[str, float]:
        params = self.params if params is None else params
        return {k: float(p.value) for k, p in params.items()}

    def evaluate(self, params: lmfit.Parameters | None = None, parts: bool = False):
        """Model values at every data point: {dataset: total} (or {dataset: {part: ...}})."""
        vals = self.values(params)
        out: dict[str, dict[str, np.ndarray]] = {}
        for name, ds in self.datasets.items():
            out[name] = {"total": np.full(ds.y.shape, np.nan)}
        for b in self.blocks:
            tot = out[b.dataset]["total"]
            tot[b.mask] = 0.0
            for t in b.terms:
                v = t(vals, self.datasets[b.dataset], b.mask)
                tot[b.mask] += v
                if parts:
                    out[b.dataset].setdefault(t.component, np.full(tot.shape, np.nan))[
                        b.mask] = v
        if parts:
            return out
        return {k: v["total"] for k, v in out.items()}

    def residual_function(self, weights: dict[str, np.ndarray]) -> Callable:
        names = list(self.datasets)

        def residual(params: lmfit.Parameters) -> np.ndarray:
            try:
                model = self.evaluate(params)
            except FitError:
                raise
            except ValueError as exc:  # the parameters left the model's domain
                raise FitError(
                    f"the model refused the parameters {_free_values(params)}: {exc}. Fix the "
                    "parameter that drives it (--fix) or start elsewhere (--init)") from None
            r = np.concatenate([(self.datasets[k].y - model[k]) * weights[k] for k in names])
            if not np.all(np.isfinite(r)):
                bad = [k for k in names if not np.all(np.isfinite(model[k]))]
                raise FitError(
                    f"the model is not finite for {', '.join(bad)} at {_free_values(params)}")
            return r

        return residual

    def _convention_notes(self) -> list[str]:
        """Warn when a data file says it was made under another orientation convention."""
        used = [n for n in self.notes if n.startswith("orientation averaging:")]
        if not used:
            return []
        out = []
        for name, ds in self.datasets.items():
            for c in ds.comments:
                m = re.search(r"\b(exact|shortcut|none) orientation", c)
                if m and m.group(1) not in used[0].split(":", 1)[1].split(";")[0]:
                    out.append(f"WARNING {name}: the file says it was made with the "
                               f"{m.group(1)} orientation average, this fit uses "
                               f"{used[0].split(':', 1)[1].split(';')[0].strip()}: expect "
                               f"biased parameters (choose --orientation {m.group(1)})")
                    break
        return out

    def _projectable(self) -> list[str]:
        """The free amplitudes the model is linear in (``self.linear``, set by the fit
        setups) that enter exactly one term each and no expression."""
        names = [k for k in getattr(self, "linear", []) if k in self.free]
        exprs = " ".join(p.expr for p in self.params.values() if p.expr)
        out = []
        for k in names:
            if re.search(rf"\b{re.escape(k)}\b", exprs):
                continue
            terms = [t for b in self.blocks for t in b.terms if k in t.params.values()]
            if terms and all(sum(v in names for v in t.params.values()) == 1 for t in terms):
                out.append(k)
        return out

    def _projector(self, weights: dict[str, np.ndarray], lin: list[str], bounded: bool = False):
        """``solve(params) -> (amplitudes, weighted residual)`` with the amplitudes ``lin``
        solved by linear least squares at the other values: unbounded (a smooth function of
        the parameters, for the projected fit) or within the bounds (for start searches)."""
        from scipy.optimize import lsq_linear

        lo = np.array([self.params[k].min for k in lin])
        hi = np.array([self.params[k].max for k in lin])
        order = list(self.datasets)
        w = np.concatenate([weights[k] for k in order])
        y = np.concatenate([self.datasets[k].y for k in order])
        offsets = np.cumsum([0] + [self.datasets[k].y.size for k in order])
        where = dict(zip(order, offsets[:-1], strict=True))

        def columns(params):
            vals = self.values(params)
            for k in lin:
                vals[k] = 1.0
            cols = np.zeros((y.size, len(lin)))
            rest = np.zeros(y.size)
            for b in self.blocks:
                idx = where[b.dataset] + np.flatnonzero(b.mask)
                for t in b.terms:
                    v = t(vals, self.datasets[b.dataset], b.mask)
                    amp = [k for k in t.params.values() if k in lin]
                    if amp:
                        cols[idx, lin.index(amp[0])] += v
                    else:
                        rest[idx] += v
            return cols, rest

        def solve(params):
            try:
                cols, rest = columns(params)
            except FitError:
                raise
            except ValueError as exc:
                raise FitError(f"the model refused the parameters {_free_values(params)}: "
                               f"{exc}") from None
            A = cols * w[:, None]
            b = (y - rest) * w
            if not (np.all(np.isfinite(A)) and np.all(np.isfinite(b))):
                raise FitError(f"the model is not finite at {_free_values(params)}")
            scale = np.maximum(np.abs(A).max(axis=0), 1e-300)
            if bounded:
                a = lsq_linear(A / scale, b, bounds=(lo * scale, hi * scale)).x / scale
            else:
                a = np.linalg.lstsq(A / scale, b, rcond=None)[0] / scale
            return a, b - A @ a

        return solve

    def grid_start(self, grid: dict[str, list[float]], weights=None) -> None:
        """Start the nonlinear parameters at the best point of a coarse grid (the same grid
        value for every parameter that a key names, e.g. ``ats_Dmin`` for all groups), with
        the projectable amplitudes solved at each point: avoids the side valleys a fit from
        one generic start falls into. Keys or values the user fixed are left alone."""
        import itertools

        lin = self._projectable()
        if not lin:
            return
        if weights is None:
            weights = {k: _weights(k, ds)[0] for k, ds in self.datasets.items()}
        solve = self._projector(weights, lin, bounded=True)
        targets = {key: [k for k in self._match(key) if k in self.free] for key in grid}
        targets = {k: v for k, v in targets.items() if v}
        if not targets:
            return
        keys = list(targets)
        best, best_chi2 = None, np.inf
        pars = self.params.copy()
        for combo in itertools.product(*(grid[k] for k in keys)):
            for key, val in zip(keys, combo, strict=True):
                for name in targets[key]:
                    pars[name].value = val
            pars.update_constraints()
            try:
                chi2 = float(np.sum(solve(pars)[1] ** 2))
            except FitError:
                continue
            if chi2 < best_chi2:
                best, best_chi2 = combo, chi2
        if best is None:
            return
        for key, val in zip(keys, best, strict=True):
            for name in targets[key]:
                self.params[name].value = val
        self.notes.append("start of " + ", ".join(keys) + " from a coarse grid (best: "
                          + ", ".join(f"{k}={v:g}" for k, v in zip(keys, best, strict=True))
                          + ")")

    def _project_amplitudes(self, weights, counted, max_nfev) -> list[str]:
        """Variable projection (Golub-Pereyra): minimise over the nonlinear parameters with
        the amplitudes ``a`` solved at every step by linear least squares, which removes
        the valleys along which amplitudes and shapes trade off; the result is the start of
        the full fit. Returns the projected names (empty: nothing done)."""
        lin = self._projectable()
        nonlin = [k for k in self.free if k not in lin]
        if not lin or not nonlin:
            return []
        solve = self._projector(weights, lin)
        pars = self.params.copy()
        for k in lin:
            pars[k].vary = False

        def reduced(params):
            counted(params)
            return solve(params)[1]

        res = lmfit.minimize(reduced, pars, method="leastsq", ftol=FTOL, xtol=FTOL,
                             max_nfev=400 * (len(nonlin) + 1) if max_nfev is None
                             else max_nfev)
        a, _ = solve(res.params)
        if np.any(a < [self.params[k].min for k in lin]) or np.any(
                a > [self.params[k].max for k in lin]):
            return []  # the projected optimum is unphysical: keep the start, fit everything
        for k in nonlin:
            self.params[k].value = res.params[k].value
        for k, v in zip(lin, a, strict=True):
            p = self.params[k]
            span = max(abs(v), abs(p.value), 1e-30)
            p.value = float(min(max(v, p.min + 1e-9 * span), p.max - 1e-9 * span))
        return lin

    def run(self, *, remedy: str = "", max_nfev: int | None = None, progress=None):
        """Check, fit (lmfit's Levenberg-Marquardt) and return a
        :class:`coldglass.fit.FitResult`."""
        from .result import FitResult

        if self.blockers:
            raise FitError("; ".join(self.blockers))
        self.check_size(remedy or "Fix some parameters (--fix) or fit fewer temperature "
                        "groups.")
        weights, wnotes = {}, []
        for k, ds in self.datasets.items():
            weights[k], note = _weights(k, ds)
            if note:
                wnotes.append(note)
        wnotes += self._convention_notes()
        residual = self.residual_function(weights)
        # refuse a model that is not finite at the start, before the minimizer runs
        r0 = residual(self.params)
        start = {k: self.params[k].value for k in self.free}
        n_free = len(self.free)
        calls = [0]

        def counted(params):
            calls[0] += 1
            if progress is not None:
                progress(calls[0])
            return residual(params)

        t0 = time.perf_counter()
        projected = self._project_amplitudes(weights, counted, max_nfev)
        # Levenberg-Marquardt (MINPACK through lmfit, bounds by lmfit's transformation): its
        # step and convergence tests use the Jacobian-scaled parameters, so parameters of
        # 1e17 g^-1 and 0.3 K converge together (scipy's TRF tests |dx| against |x| unscaled
        # and stops early in that case)
        result = lmfit.minimize(counted, self.params, method="leastsq",
                                max_nfev=400 * (n_free + 1) if max_nfev is None else max_nfev,
                                ftol=FTOL, xtol=FTOL)
        seconds = time.perf_counter() - t0
        if projected:
            wnotes.append(f"amplitudes {', '.join(display_name(k) for k in projected)} "
                          "first solved by variable projection, then all parameters refined")
        return FitResult(self, result, weights, self.notes + wnotes, start=start,
                         chi2_start=float(np.sum(r0**2)), seconds=seconds)


def _free_values(params: lmfit.Parameters) -> str:
    return ", ".join(f"{display_name(k)}={p.value:.6g}" for k, p in params.items()
                     if p.vary and p.expr is None)


def min_max_clip(v: float, lo: float, hi: float, name: str) -> float:
    """A starting value must lie within the bounds: refused (never moved) otherwise."""
    ok_inf = math.isinf(v) and v > 0 and hi == math.inf and spec(name).allows_inf
    if math.isnan(v) or (math.isinf(v) and not ok_inf) or v < lo or v > hi:
        raise InputError(f"starting value of {display_name(name)} = {v!r} is outside "
                         f"[{lo:g}, {hi:g}] {spec(name).unit}")
    return v
