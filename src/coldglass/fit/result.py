"""The result of a fit: parameter table with units, warnings, correlations, curves, plots.

Every table, plot and CSV names per-temperature parameters by their group
(``ats_Dmin@0.600K``), states the units of every value and carries the fit's notes (the
orientation convention among them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import lmfit
import numpy as np
import pandas as pd

from ..models.parameters import display_name, internal_name, spec
from .problem import FitProblem

__all__ = ["FitResult"]

CORRELATION_WARN = 0.95
RELATIVE_ERROR_WARN = 1.0
REDCHI_WARN = 5.0
"""With measured σ, a reduced χ² above this says the model does not describe the data (for
N ~ 50 points a correct model exceeds 2 with probability < 1e-5)."""


@dataclass
class FitResult:
    """A finished fit (least squares, optionally with posterior samples)."""

    problem: FitProblem
    result: lmfit.minimizer.MinimizerResult
    weights: dict[str, np.ndarray]
    notes: list[str]
    start: dict[str, float] = field(default_factory=dict)
    chi2_start: float = float("nan")
    seconds: float = float("nan")
    mcmc: pd.DataFrame | None = None  # credible intervals per parameter
    chain: pd.DataFrame | None = None  # flat posterior samples

    # -- access --------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.problem.kind

    @property
    def datasets(self):
        return self.problem.datasets

    @property
    def params(self) -> lmfit.Parameters:
        return self.result.params

    def _name(self, name: str) -> str:
        n = internal_name(name)
        if n not in self.params:
            hits = self.problem._match(name)
            if len(hits) != 1:
                raise KeyError(f"{name!r} names {len(hits)} parameters: "
                               + ", ".join(display_name(h) for h in hits))
            n = hits[0]
        return n

    def value(self, name: str) -> float:
        """A fitted parameter in its table unit (display or internal name)."""
        return float(self.params[self._name(name)].value)

    def stderr(self, name: str) -> float:
        se = self.params[self._name(name)].stderr
        return float("nan") if se is None else float(se)

    # -- verdict -------------------------------------------------------------------------
    @property
    def moved(self) -> bool:
        """False when no free parameter moved from its start (a fit that did nothing). A fit
        whose free parameters are all amplitudes the model is linear in has its optimum at
        the start (the linear least-squares solution): that counts as solved."""
        linear = set(getattr(self.problem, "linear", []) or [])
        free = {k for k, p in self.params.items() if p.vary and p.expr is None}
        if free and free <= linear:
            return True
        for k, v0 in self.start.items():
            v = self.params[k].value
            if abs(v - v0) > 1e-9 * max(abs(v0), 1e-300):
                return True
        return False

    @property
    def ok(self) -> bool:
        return bool(self.result.success) and self.moved

    def failure(self) -> str | None:
        """Why the fit counts as failed, or None."""
        if not self.result.success:
            return f"the fit did not converge: {self.result.message}"
        if not self.moved:
            return ("no parameter moved from its starting value: the data do not constrain "
                    "the free parameters, or the start is already a stationary point")
        return None

    # -- tables --------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """One row per parameter: display name, value, standard error, unit, varied, at a
        bound, meaning; with MCMC also the posterior median and 68 %/95 % intervals."""
        rows = []
        for name, p in self.params.items():
            row = spec(name)
            rows.append({
                "parameter": display_name(name), "value": p.value,
                "stderr": np.nan if p.stderr is None else p.stderr, "unit": row.unit,
                "varied": bool(p.vary and p.expr is None),
                "at_bound": bool(p.vary and p.expr is None and _at_bound(p)),
                "derived_from": _display_expr(p.expr), "meaning": row.meaning})
        df = pd.DataFrame(rows)
        if self.mcmc is not None:
            df = df.merge(self.mcmc, on="parameter", how="left")
        return df

    def correlations(self, threshold: float = 0.0) -> pd.DataFrame:
        rows = []
        names = [n for n, p in self.params.items() if p.vary and p.expr is None]
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                c = (self.params[a].correl or {}).get(b)
                if c is not None and abs(c) >= threshold:
                    rows.append({"a": display_name(a), "b": display_name(b), "correlation": c})
        return pd.DataFrame(rows, columns=["a", "b", "correlation"])

    def warnings(self, max_lines: int = 6) -> list[str]:
        """A short block: parameters at a bound, relative error above 100 %, |correlation|
        above 0.95 (grouped, at most ``max_lines`` lines)."""
        at_bound, big, nan_err = [], [], []
        for name, p in self.params.items():
            if not (p.vary and p.expr is None):
                continue
            if _at_bound(p):
                at_bound.append(display_name(name))
            if p.stderr is None or not np.isfinite(p.stderr):
                nan_err.append(display_name(name))
            elif p.value != 0 and abs(p.stderr / p.value) > RELATIVE_ERROR_WARN:
                big.append(f"{display_name(name)} ({100 * abs(p.stderr / p.value):.0f} %)")
        lines = []
        weighted = all(ds.sigma is not None for ds in self.datasets.values())
        if weighted and np.isfinite(self.result.redchi) and self.result.redchi > REDCHI_WARN:
            held = [display_name(k) for k, p in self.params.items()
                    if not p.vary and p.expr is None]
            lines.append(f"reduced chi2 = {self.result.redchi:.3g} with the measured sigma: the "
                         "model does not describe the data; check the held parameters ("
                         + _few(held or ["none"]) + "), the units and the terms")
        if at_bound:
            lines.append("at a bound: " + _few(at_bound) + " -- the bound, not the data, "
                         "sets it; fix it or widen the model")
        if nan_err:
            lines.append("no uncertainty (singular covariance): " + _few(nan_err))
        if big:
            lines.append("relative error above 100 %: " + _few(big))
        corr = self.correlations(CORRELATION_WARN)
        if len(corr):
            pairs = [f"{r.a}~{r.b} ({r.correlation:+.3f})" for r in corr.itertuples()]
            lines.append(f"|correlation| > {CORRELATION_WARN}: " + _few(pairs, 4)
                         + " -- consider fixing one of each pair")
        return lines[:max_lines]

    def status_header(self) -> str:
        """The ``#`` lines that head ``params.csv`` and ``curve.csv``: status, χ², counts,
        then the notes."""
        r = self.result
        fail = self.failure()
        return (f"# status: {'FAILED: ' + fail if fail else 'ok'}; chi2 = {r.chisqr:.6g}, "
                f"reduced chi2 = {r.redchi:.6g}, {r.ndata} points, {r.nvarys} free parameters, "
                f"{r.nfev} evaluations\n" + "".join(f"# {n}\n" for n in self.notes))

    def report(self) -> str:
        r = self.result
        lines = [f"{self.kind} fit: {r.nfev} evaluations in {self.seconds:.2f} s, chi2 = "
                 f"{r.chisqr:.4g}, reduced chi2 = {r.redchi:.4g}, {r.ndata} points, "
                 f"{r.nvarys} free parameters"]
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"groups ({k}): {v}" for k, v in self.problem.groups.items()]
        tab = self.table()
        for row in tab.itertuples():
            se = "" if not (row.varied and np.isfinite(row.stderr)) else f" ± {row.stderr:.3g}"
            tag = "" if row.varied else (f" (= {row.derived_from})" if row.derived_from
                                         else " (fixed)")
            ci = ""
            if self.mcmc is not None and np.isfinite(getattr(row, "ci68_lo", np.nan)):
                ci = f"  [68 %: {row.ci68_lo:.4g} .. {row.ci68_hi:.4g}]"
            lines.append(f"  {row.parameter:<22} {row.value:.5g}{se} {row.unit}{tag}{ci}")
        warn = self.warnings()
        if warn:
            lines.append("warnings:")
            lines += [f"  {w}" for w in warn]
        fail = self.failure()
        if fail:
            lines.append(f"FAILED: {fail}")
        return "\n".join(lines)

    # -- curves and plots ----------------------------------------------------------------
    def series(self):
        """The curves to draw: dicts with ``dataset``, ``block``, ``mask`` (the points),
        ``x`` (``"B"``, ``"T"`` or ``"tau12"``) and ``label``. Within a block, the points at
        one field that span three or more temperature groups are a sweep in T; the rest are
        sweeps in B, one per temperature group (data with M(T) and M(B) get both)."""
        from ..data import group_temperatures

        out = []
        for b in self.problem.blocks:
            ds = self.datasets[b.dataset]
            m = b.mask.copy()
            base = dict(dataset=b.dataset, block=b)
            if ds.tau12 is not None and ds.quantity == "IEA":
                out.append(base | dict(mask=m, x="tau12", label=b.label or "data"))
                continue
            if not ds.has_field:
                if ds.frequency is not None:
                    for v in np.unique(ds.frequency[m]):
                        sel = m & (ds.frequency == v)
                        fu, ff = ds.display("f")
                        out.append(base | dict(mask=sel, x="T", label=f"f = {v * ff:.6g} {fu}"))
                else:
                    out.append(base | dict(mask=m, x="T", label=b.label or "data"))
                continue
            idx = np.flatnonzero(m)
            groups = group_temperatures(ds.T[idx])
            Bk = np.round(ds.B[idx], 6)
            used = np.zeros(idx.size, bool)
            for v in np.unique(Bk):
                at = Bk == v
                if len(np.unique(groups.index[at])) >= 3:
                    sel = np.zeros_like(m)
                    sel[idx[at]] = True
                    used |= at
                    bu, bf = ds.display("B")
                    out.append(base | dict(mask=sel, x="T", label=(
                        b.label + ", " if b.label else "") + f"B = {v * bf:.4g} {bu}"))
            for k in range(len(groups)):
                at = (groups.index == k) & ~used
                if not at.any():
                    continue
                sel = np.zeros_like(m)
                sel[idx[at]] = True
                tu, tf = ds.display("T")
                label = f"T ≈ {float(np.median(ds.T[idx[at]])) * tf:.4g} {tu}"
                out.append(base | dict(mask=sel, x="B", label=label))
        return out

    def _curve(self, s: dict, n: int):
        ds = self.datasets[s["dataset"]]
        m = s["mask"]
        vals = self.problem.values(self.params)
        if s["x"] == "tau12":
            x = np.linspace(ds.tau12[m].min(), ds.tau12[m].max(), n)
            parts = {t.component: t(vals, ds, m, x=x) for t in s["block"].terms}
        elif s["x"] == "B":
            lo, hi = ds.B[m].min(), ds.B[m].max()
            x = np.geomspace(lo, hi, n) if lo > 0 and hi / lo > 30 else np.linspace(lo, hi, n)
            T = np.full(n, float(np.mean(ds.T[m])))
            parts = {t.component: t(vals, ds, m, T=T, B=x) for t in s["block"].terms}
        else:
            x = np.geomspace(ds.T[m].min(), ds.T[m].max(), n)
            B = np.full(n, float(np.mean(ds.B[m])))
            parts = {t.component: t(vals, ds, m, T=x, B=B) for t in s["block"].terms}
        parts = {k: np.broadcast_to(v, x.shape) for k, v in parts.items()}
        total = sum(parts.values())
        return x, parts, total

    def curves(self, n: int = 200) -> pd.DataFrame:
        """Fitted curves and their components on a dense grid, in the data's own units."""
        frames = []
        for s in self.series():
            ds = self.datasets[s["dataset"]]
            x, parts, total = self._curve(s, n)
            xcol = {"B": "B", "T": "T", "tau12": "tau12"}[s["x"]]
            xu, xf = ds.display(xcol)
            yu, yf = ds.display("y")
            df = pd.DataFrame({"dataset": s["dataset"], "series": s["label"],
                               f"{xcol} [{xu}]": x * xf})
            df[f"{ds.quantity} total [{yu}]"] = total * yf
            for k, v in parts.items():
                df[f"{ds.quantity} {k} [{yu}]"] = v * yf
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def plot(self, fig=None):
        """Data, fit and components (top) and normalised residuals (bottom), one column per
        data set and sweep variable, in the data file's own units; distinct colours for any
        number of series (a colormap), legend outside the data. Returns the figure."""
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        from ..plotting import component_label, legend_outside

        all_series = self.series()
        panels: list[tuple[str, str]] = []
        for s_ in all_series:
            key = (s_["dataset"], s_["x"])
            if key not in panels:
                panels.append(key)
        ncols = min(len(panels), 2)  # wrap to rows: a readable width in a report or a browser
        nrows = -(-len(panels) // ncols)
        if fig is None:
            fig = plt.figure(figsize=(6.6 * ncols, 4.4 * nrows + 0.6), layout="constrained")
        gs = fig.add_gridspec(2 * nrows, ncols, height_ratios=[3, 1] * nrows)
        model = self.problem.evaluate(self.params)
        styles = ["--", ":", "-.", (0, (8, 2)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)),
                  (0, (6, 2, 1, 2))]
        for j, (name, xcol) in enumerate(panels):
            ds = self.datasets[name]
            row, col_ = divmod(j, ncols)
            ax = fig.add_subplot(gs[2 * row, col_])
            axr = fig.add_subplot(gs[2 * row + 1, col_], sharex=ax)
            ser = [s_ for s_ in all_series if s_["dataset"] == name and s_["x"] == xcol]
            cmap = plt.get_cmap("tab10" if len(ser) <= 10 else "viridis")
            colors = [cmap(k if len(ser) <= 10 else k / max(1, len(ser) - 1))
                      for k in range(len(ser))]
            yu, yf = ds.display("y")
            xu, xf = ds.display(xcol)
            yu, xu = _unit_label(yu), _unit_label(xu)
            comp_names: list[str] = []
            log_x = False
            for s_, col in zip(ser, colors, strict=True):
                m = s_["mask"]
                xd = {"B": ds.B, "T": ds.T, "tau12": ds.tau12}[xcol][m] * xf
                sig = None if ds.sigma is None else ds.sigma[m] * yf
                ax.errorbar(xd, ds.y[m] * yf, yerr=sig, fmt="o", ms=3, color=col, lw=0.8,
                            label=s_["label"])
                x, parts, total = self._curve(s_, 200)
                ax.plot(x * xf, total * yf, "-", color=col, lw=1.4)
                if len(parts) > 1:
                    for pn, v in parts.items():
                        if pn not in comp_names:
                            comp_names.append(pn)
                        ax.plot(x * xf, v * yf, ls=styles[comp_names.index(pn) % len(styles)],
                                lw=0.8, color=col, alpha=0.7)
                res = ds.y[m] - model[name][m]
                if ds.sigma is not None:
                    axr.plot(xd, res / ds.sigma[m], "o", ms=3, color=col)
                else:
                    axr.plot(xd, res * yf, "o", ms=3, color=col)
                log_x |= xcol == "T" and xd.size > 1 and xd.max() / xd.min() > 20
            if xcol == "B":  # log-spaced field sweeps are read on a log axis
                b = ds.B[np.any([s_["mask"] for s_ in ser], axis=0)]
                b = b[b > 0]
                log_x = b.size > 3 and b.max() / b.min() > 30 and np.median(b) < 0.2 * b.max()
            if log_x:
                ax.set_xscale("log")
            yall = ds.y[np.any([s_["mask"] for s_ in ser], axis=0)]
            if log_x and yall.size > 3 and np.all(yall > 0) and yall.max() / yall.min() > 30:
                ax.set_yscale("log")  # a power law over decades (κ ∝ T², Q⁻¹ ∝ T³) reads there
            axr.axhline(0.0, color="0.5", lw=0.8)
            axr.set_ylabel("(data - fit)/σ" if ds.sigma is not None else f"data - fit [{yu}]")
            axr.set_xlabel({"B": f"$B$ [{xu}]", "T": f"$T$ [{xu}]",
                            "tau12": rf"$\tau_{{12}}$ [{xu}]"}[xcol])
            ax.set_ylabel(f"{_quantity_label(ds.quantity)} [{yu}]")
            plt.setp(ax.get_xticklabels(), visible=False)
            sweep = {"B": "vs field", "T": "vs temperature", "tau12": r"vs $\tau_{12}$"}[xcol]
            title = (f"{self.kind}: {_quantity_label(name)} {sweep}"
                     + (" (SYNTHETIC data)" if ds.synthetic else ""))
            ax.set_title(title, fontsize=9)
            handles, labels = ax.get_legend_handles_labels()
            handles += [Line2D([], [], color="0.2", lw=1.4)]
            labels += ["fit (total)"]
            for k, pn in enumerate(comp_names):
                handles.append(Line2D([], [], color="0.3", lw=0.9, ls=styles[k % len(styles)]))
                labels.append(component_label(pn))
            legend_outside(ax, handles, labels, frameon=False)
        orient = [n for n in self.notes if n.startswith("orientation")]
        head = (f"FIT FAILED: {self.failure()}\n" if self.failure() else "") + (
            f"reduced χ² = {self.result.redchi:.3g}" + (f"; {orient[0]}" if orient else ""))
        fig.suptitle(head, fontsize=8, color="red" if self.failure() else "black")
        return fig


def _display_expr(expr: str | None) -> str:
    import re

    return "" if not expr else re.sub(r"[A-Za-z_][A-Za-z_0-9]*",
                                      lambda m: display_name(m.group(0)), expr)


def _at_bound(p: lmfit.Parameter) -> bool:
    for b in (p.min, p.max):
        if np.isfinite(b) and abs(p.value - b) <= 1e-6 * max(abs(b), abs(p.value), 1e-12):
            return True
    return False


def _few(items: list[str], k: int = 5) -> str:
    return ", ".join(items[:k]) + (f" and {len(items) - k} more" if len(items) > k else "")


def _unit_label(unit: str) -> str:
    """A unit string as a plot label, exponents raised: ``"A m2/g"`` -> ``A m$^{2}$/g``,
    ``"s^-1"`` -> ``s$^{-1}$``."""
    import re

    return re.sub(r"(?<=[A-Za-zµΩ])\^?(-?\d+)\b", r"$^{\1}$", unit)


def _quantity_label(q: str) -> str:
    return {"Cp": "$C_p$", "Cp_bar": r"$\bar C_p$", "M": "$M$",
            "deps": r"$\Delta\varepsilon'/\varepsilon$", "dtand": r"$\Delta\tan\delta$",
            "eps": r"$\Delta\varepsilon'/\varepsilon$",
            "tand": r"$\tan\delta$", "A": r"$A/A_{2LS}$", "IEA": "IEA",
            "dv_v": r"$\Delta v/v$", "Qinv": r"$Q^{-1}$", "kappa": r"$\kappa$",
            "ddv_v": r"$\Delta v/v(B) - \Delta v/v(0)$"}.get(q, q)
