"""The browser explorer (Panel + bokeh): one tab per view of :mod:`.views`, a data-and-fit
tab (:mod:`.fitting`) and a landscape-catalog browser (:mod:`.landscape_view`).

Every recomputation runs in a worker thread of its tab (one at a time, the newest state
wins), so the page never freezes and a running fit does not hold up the sliders; a refusal
(a value outside a parameter's domain, a malformed CSV, a catalog that is not one) is shown
on the page with the same message as the CLI and leaves the previous curves and the app
usable. Every bokeh data source is named
(``src:<curve>``) so tests and scripts can read what the page shows.
"""

from __future__ import annotations

import asyncio
import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Legend, LegendItem
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from ..errors import ColdglassError, InputError
from ..materials import ECHO
from . import fitting
from .views import VIEWS, Control, Evaluator, View, default_state

__all__ = ["Explorer", "build_app"]

_PALETTE = list(Category10_10)
_PART_COLOURS = {"phonons": _PALETTE[7], "2LS": _PALETTE[1], "Fe2+": _PALETTE[0],
                 "Fe3+": _PALETTE[2], "ATS": _PALETTE[3], "offset": _PALETTE[4]}
"""One colour per component in every plot (Fe²⁺ is blue in Cp(T), C̄p(B), M(B) and M(T))."""


def _colour(curve_key: str, i: int) -> str:
    return _PART_COLOURS.get(curve_key.split(":", 1)[1], _PALETTE[i % len(_PALETTE)])
_REFUSED = (ColdglassError, ValueError, KeyError, OSError)


def _css(*parts: str) -> list[str]:
    return ["cg-" + "-".join(p.replace("_", "-").replace("+", "p") for p in parts)]


def _figure(title: str, x_label: str, y_label: str, x_log=False, y_log=False, name="",
            y_range=None):
    fig = figure(title=title, x_axis_label=x_label, y_axis_label=y_label, height=330,
                 **({} if y_range is None else {"y_range": y_range}),
                 sizing_mode="stretch_width", x_axis_type="log" if x_log else "linear",
                 y_axis_type="log" if y_log else "linear", name=name,
                 tools="pan,wheel_zoom,box_zoom,reset,save,hover")
    fig.add_layout(Legend(click_policy="hide", label_text_font_size="8pt"), "right")
    return fig


def _message(text: str, kind: str = "danger", css: list[str] | None = None):
    return pn.pane.Alert(text, alert_type=kind, visible=bool(text), css_classes=css or [],
                         sizing_mode="stretch_width")


class _Worker:
    """One background thread per session; ``submit`` returns the result of the newest call
    only (an older result whose call was overtaken returns None)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coldglass-app")
        self.generation = 0

    async def run(self, fn, *args):
        self.generation += 1
        mine = self.generation
        out = await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)
        return out if mine == self.generation else None


# ---------------------------------------------------------------------------- model tabs


class ModelTab:
    """Widgets, plots and messages of one :class:`~.views.View`."""

    def __init__(self, v: View, worker: _Worker) -> None:
        self.view = v
        self.worker = worker
        self.evaluator = Evaluator()
        self.state = default_state(v)
        self.sources: dict[str, ColumnDataSource] = {}
        self.figures = {}
        self.errors = {}
        self.widgets = {}
        self.widgets_box: list = []
        self.status = pn.pane.Markdown("", css_classes=_css(v.key, "status"))
        self.message = _message("", css=_css(v.key, "message"))
        for p in v.plots:
            fig = _figure(p.title, p.x_label, p.y_label, p.x_log, p.y_log, f"fig:{p.key}")
            for i, c in enumerate(p.curves):
                src = ColumnDataSource({"x": [], "y": []}, name=f"src:{c.key}")
                total = bool(c.parts_of)
                fig.line("x", "y", source=src, legend_label=c.label,
                         color="black" if total else _colour(c.key, i),
                         line_width=2.5 if total else 1.8,
                         line_dash="solid" if total or i < 10 else "dashed")
                self.sources[c.key] = src
            self.figures[p.key] = pn.pane.Bokeh(fig, sizing_mode="stretch_width")
            self.errors[p.key] = _message("", "warning", _css(v.key, p.key, "error"))
        for c in v.controls:
            self.widgets[c.name] = self._widget(c)
        self.preset = pn.widgets.Select(
            name="material / table", options=["(defaults)", *v.presets],
            css_classes=_css(v.key, "preset"))
        self.preset.param.watch(self._apply_preset, "value")

    # -- widgets <-> state
    def _shown(self, c: Control, value):
        v = value / c.display_scale
        return round(math.log10(v), 4) if c.log else v

    def _widget(self, c: Control):
        css = _css(self.view.key, c.name)
        if c.kind == "choice":
            w = pn.widgets.RadioButtonGroup(name=c.label, options=list(c.options), value=c.value,
                                            css_classes=css, button_type="default")
            box = pn.Column(pn.pane.Markdown(f"**{c.label}**", margin=(0, 5)), w)
        elif c.kind == "switch":
            w = pn.widgets.Checkbox(name=c.label, value=c.value, css_classes=css)
            box = w
        else:
            lo, hi = c.start / c.display_scale, c.end / c.display_scale
            if c.log:
                lo, hi = math.log10(lo if lo > 0 else 1e-30), math.log10(hi)
            label = f"log₁₀ {c.label}" if c.log else c.label
            w = pn.widgets.EditableFloatSlider(
                name=label, start=lo, end=hi, step=(c.step if c.log else
                                                    c.step / c.display_scale),
                value=self._shown(c, c.value), css_classes=css, sizing_mode="stretch_width",
                format="0.[0000]")
            box = w
        async def changed(event, c=c):
            await self._changed(c, event.new)

        w.param.watch(changed, "value")
        self.widgets_box.append(box)
        return w

    def _value(self, c: Control, shown):
        if c.kind != "number":
            return shown
        v = 10.0 ** float(shown) if c.log else float(shown)
        return v * c.display_scale

    async def _changed(self, c: Control, shown) -> None:
        try:
            value = c.check(self._value(c, shown))
        except _REFUSED as exc:
            self.message.object, self.message.visible = str(exc), True
            return
        self.message.visible = False
        self.state[c.name] = value
        await self.refresh()

    async def _apply_preset(self, event) -> None:
        new = default_state(self.view) if event.new == "(defaults)" else \
            default_state(self.view) | dict(self.view.presets[event.new])
        self.state = new
        for c in self.view.controls:
            w = self.widgets[c.name]
            shown = self._shown(c, new[c.name]) if c.kind == "number" else new[c.name]
            if c.kind == "number":
                w.start, w.end = min(w.start, shown), max(w.end, shown)
            with pn.io.hold():
                w.param.update(value=shown)
        await self.refresh()

    async def refresh(self) -> None:
        t0 = time.perf_counter()
        before = self.evaluator.computed
        got = await self.worker.run(self.evaluator.evaluate, self.view, dict(self.state))
        if got is None:
            return
        curves, errors = got
        with pn.io.hold():
            for key, (x, y) in curves.items():
                self.sources[key].data = {"x": x, "y": y}
            for p in self.view.plots:
                msg = errors.get(p.key, "")
                self.errors[p.key].object, self.errors[p.key].visible = msg, bool(msg)
        ms = 1e3 * (time.perf_counter() - t0)
        self.status.object = (f"{self.evaluator.computed - before} curves recomputed, the rest "
                              f"from cache, in {ms:.0f} ms")

    def panel(self):
        side = pn.Column(self.preset, *self.widgets_box, width=330, scroll=True, height=780)
        plots = [pn.Column(self.errors[p.key], self.figures[p.key], sizing_mode="stretch_width")
                 for p in self.view.plots]
        return pn.Row(side, pn.Column(pn.pane.Markdown(self.view.note), self.message,
                                      *plots, self.status, sizing_mode="stretch_width"),
                      sizing_mode="stretch_width", name=self.view.title)


# ------------------------------------------------------------------------------ data tab


class DataTab:
    """Upload a CSV, fit it with the CLI's fits, see the table and download the results."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.dataset = None
        self.outcome = None
        self.upload = pn.widgets.FileInput(accept=".csv,.txt", css_classes=_css("upload"))
        self.upload.param.watch(self._uploaded, "value")
        self.kind = pn.widgets.Select(name="fit", options=list(fitting.FIT_KINDS), value="model",
                                      css_classes=_css("fit", "kind"))
        self.kind.param.watch(self._kind_changed, "value")
        self.material = pn.widgets.Select(name="material (starting values)",
                                          options=["(none)"], css_classes=_css("material"))
        self.orientation = pn.widgets.Select(name="orientation average",
                                             options=["exact", "shortcut", "none"])
        self.frequency = pn.widgets.TextInput(name="frequency [Hz] (if no f column)",
                                              placeholder="e.g. 1e3")
        self.row = pn.widgets.Select(name="echo row (Table 8)",
                                     options=["(none)", *ECHO])
        self.tau12 = pn.widgets.TextInput(name="τ12 [μs] (echo A(B))", placeholder="e.g. 3")
        self.fix = pn.widgets.TextInput(name="fix (NAME[=VALUE], comma separated)",
                                        css_classes=_css("fix"))
        self.vary = pn.widgets.TextInput(name="vary (NAMES)")
        self.init = pn.widgets.TextInput(name="init (NAME=VALUE)")
        self.fit_button = pn.widgets.Button(name="Fit", button_type="primary", disabled=True,
                                            css_classes=_css("fit", "button"))
        self.fit_button.on_click(self._fit)
        self.progress = pn.indicators.Progress(active=False, visible=False, width=200)
        self.status = pn.pane.Markdown("Upload a CSV in the format of `coldglass fit`: a "
                                       "header naming each column and its unit, e.g. "
                                       "`T [mK], B [T], Cp_bar [uJ/(g K)]`.",
                                       css_classes=_css("data", "status"))
        self.message = _message("", css=_css("data", "message"))
        self.warnings = _message("", "warning", _css("fit", "warnings"))
        self.params = pn.pane.DataFrame(None, css_classes=_css("params"), index=False,
                                        sizing_mode="stretch_width", float_format="{:.5g}".format)
        self.data_source = ColumnDataSource({"x": [], "y": [], "color": []},
                                            name="src:data:points")
        self.fit_sources: list[ColumnDataSource] = []
        self.fig = _figure("your data", "x", "y", name="fig:data")
        self.fig.scatter("x", "y", source=self.data_source, color="color", size=6,
                         legend_label="data")
        self.fit_items = []
        for i in range(12):
            src = ColumnDataSource({"x": [], "y": []}, name=f"src:fit:{i}")
            line = self.fig.line("x", "y", source=src, color=_PALETTE[i % 10], line_width=2,
                                 line_dash="solid" if i < 10 else "dashed")
            item = LegendItem(label=f"fit {i}", renderers=[line], visible=False)
            self.fig.legend[0].items.append(item)
            self.fit_sources.append(src)
            self.fit_items.append(item)
        self.fit_png = pn.pane.Matplotlib(None, dpi=90, tight=True, visible=False,
                                          sizing_mode="stretch_width")
        self.download_params = pn.widgets.FileDownload(
            callback=lambda: self._download("params"), filename="params.csv",
            label="download params.csv", disabled=True, css_classes=_css("download", "params"))
        self.download_curve = pn.widgets.FileDownload(
            callback=lambda: self._download("curve"), filename="curve.csv",
            label="download curve.csv", disabled=True, css_classes=_css("download", "curve"))

    def _download(self, what: str):
        import io

        if self.outcome is None:
            return io.StringIO("")
        return io.StringIO(self.outcome.params_csv() if what == "params"
                           else self.outcome.curve_csv())

    def _kind_changed(self, event) -> None:
        mats = fitting.materials_for(event.new)
        self.material.options = ["(none)", *mats]
        self.material.value = "(none)"

    def _uploaded(self, event) -> None:
        self.message.visible = False
        try:
            ds = fitting.read_upload(self.upload.filename or "upload.csv", event.new or b"")
        except _REFUSED as exc:
            self.message.object, self.message.visible = str(exc), True
            return
        self.dataset, self.outcome = ds, None
        self.kind.value = fitting.KIND_OF_QUANTITY.get(ds.quantity, "model")
        self._kind_changed(type("E", (), {"new": self.kind.value}))
        df = fitting.data_table(ds)
        x = "B" if ds.has_field and np.ptp(ds.B) > 0 else ("tau12" if ds.tau12 is not None
                                                           else "T")
        xcol = next(c for c in df.columns if c.startswith(x + " ["))
        ycol = next(c for c in df.columns if c.startswith(ds.quantity + " ["))
        groups = ds.temperature_groups()
        color = np.empty(len(ds.T), dtype=object)
        for k in range(len(groups)):
            color[groups.members(k)] = _PALETTE[k % 10]
        with pn.io.hold():
            self.data_source.data = {"x": df[xcol].to_numpy(), "y": df[ycol].to_numpy(),
                                     "color": list(color)}
            for src, item in zip(self.fit_sources, self.fit_items, strict=True):
                src.data = {"x": [], "y": []}
                item.visible = False
            self.fig.xaxis.axis_label, self.fig.yaxis.axis_label = xcol, ycol
            self.fig.title.text = f"{ds.source}: {len(ds.T)} points"
            self.params.object = None
            self.warnings.visible = False
            self.fit_png.visible = False
            self.download_params.disabled = self.download_curve.disabled = True
        synth = " (SYNTHETIC, says the file)" if ds.synthetic else ""
        self.status.object = (f"**{ds.source}**{synth}: {len(ds.T)} points of `{ds.quantity}` "
                              f"[{ds.display('y')[0]}]; temperature groups: "
                              f"{groups.describe()}")
        self.fit_button.disabled = False

    def _request(self) -> fitting.FitRequest:
        def number(w, what):
            t = w.value.strip()
            if not t:
                return None
            try:
                return float(t)
            except ValueError:
                raise InputError(f"{what}: {t!r} is not a number") from None

        def items(w):
            return tuple(s.strip() for s in w.value.split(",") if s.strip())

        return fitting.FitRequest(
            self.kind.value, None if self.material.value == "(none)" else self.material.value,
            orientation=self.orientation.value,
            frequency_Hz=number(self.frequency, "frequency [Hz]"),
            row=None if self.row.value == "(none)" else self.row.value,
            tau12_us=number(self.tau12, "τ12 [μs]"), fix=items(self.fix),
            vary=items(self.vary), init=items(self.init))

    async def _fit(self, event) -> None:
        if self.dataset is None:
            return
        self.message.visible = False
        try:
            problem = fitting.build_fit(self.dataset, self._request())
            if problem.blockers:
                raise InputError("; ".join(problem.blockers))
        except _REFUSED as exc:
            self.message.object, self.message.visible = str(exc), True
            return
        calls = [0]
        self.fit_button.disabled = True
        self.progress.active = self.progress.visible = True
        t0 = time.perf_counter()
        task = asyncio.ensure_future(self.worker.run(
            fitting.run_fit, problem, lambda n: calls.__setitem__(0, n)))
        while not task.done():
            self.status.object = (f"fitting {len(problem.free)} free parameters to "
                                  f"{problem.n_points} points: {calls[0]} model evaluations, "
                                  f"{time.perf_counter() - t0:.1f} s")
            await asyncio.sleep(0.25)
        self.progress.active = self.progress.visible = False
        self.fit_button.disabled = False
        try:
            out = task.result()
        except _REFUSED as exc:
            self.message.object, self.message.visible = str(exc), True
            return
        if out is None:
            return
        self.outcome = out
        self._show(out)

    def _show(self, out: fitting.FitOutcome) -> None:
        cv = out.curves
        xcol = next(c for c in cv.columns if c.split(" [")[0] in ("T", "B", "tau12"))
        ycol = next(c for c in cv.columns if " total [" in c)
        with pn.io.hold():
            for src, item in zip(self.fit_sources, self.fit_items, strict=True):
                src.data = {"x": [], "y": []}
                item.visible = False
            for i, ((_, series), df) in enumerate(cv.groupby(["dataset", "series"],
                                                              sort=False)):
                if i < len(self.fit_sources):
                    self.fit_sources[i].data = {"x": df[xcol].to_numpy(),
                                                "y": df[ycol].to_numpy()}
                    self.fit_items[i].label = f"fit, {series}"
                    self.fit_items[i].visible = True
            tab = out.table[[c for c in ("parameter", "value", "stderr", "unit", "varied",
                                         "at_bound") if c in out.table.columns]]
            self.params.object = tab
            lines = ([f"FAILED: {out.failure}"] if out.failure else []) + list(out.warnings)
            self.warnings.object = "\n\n".join(lines)
            self.warnings.visible = bool(lines)
            self.fit_png.object = out.result.plot()
            self.fit_png.visible = True
            self.download_params.disabled = self.download_curve.disabled = False
        r = out.result.result
        self.status.object = (f"**{'FAILED' if out.failure else 'fitted'}**: {r.nfev} "
                              f"evaluations in {out.result.seconds:.2f} s, reduced χ² = "
                              f"{r.redchi:.4g}, {r.ndata} points, {r.nvarys} free parameters")

    def panel(self):
        side = pn.Column(pn.pane.Markdown("**CSV file**"), self.upload, self.kind,
                         self.material, self.orientation, self.frequency, self.row, self.tau12,
                         self.fix, self.vary, self.init, pn.Row(self.fit_button, self.progress),
                         self.download_params, self.download_curve, width=330)
        return pn.Row(side, pn.Column(self.message, self.status, self.warnings,
                                      pn.pane.Bokeh(self.fig, sizing_mode="stretch_width"),
                                      self.params, self.fit_png, sizing_mode="stretch_width"),
                      sizing_mode="stretch_width", name="Your data & fit")


# --------------------------------------------------------------------------------- app


class Explorer:
    """One browser session: its tabs, each with its worker thread."""

    def __init__(self, catalog: str | Path | None = None) -> None:
        # a worker thread per tab: a fit or a catalog being read never delays the sliders
        self.tabs = {k: ModelTab(v, _Worker()) for k, v in VIEWS.items()}
        self.data = DataTab(_Worker())
        from .landscape_tab import LandscapeTab

        self.landscape = LandscapeTab(_Worker(), catalog)

    async def start(self) -> None:
        for t in self.tabs.values():
            await t.refresh()

    def panel(self):
        tabs = pn.Tabs(*[t.panel() for t in self.tabs.values()], self.data.panel(),
                       self.landscape.panel(), dynamic=False, css_classes=_css("tabs"),
                       sizing_mode="stretch_width")
        header = pn.pane.Markdown(
            "## coldglass explorer — the standard and extended tunnelling models\n"
            "Energies in kelvin (k_B = 1), fields in tesla; every axis states its unit. "
            "Sliders with log₁₀ act on the decade of the value; each slider's box takes a "
            "typed value.", sizing_mode="stretch_width")
        return pn.Column(header, tabs, sizing_mode="stretch_width")


def build_app(catalog: str | Path | None = None):
    """A new explorer page (one per browser session)."""
    ex = Explorer(catalog)
    page = ex.panel()
    pn.state.onload(ex.start)
    page.explorer = ex
    return page
