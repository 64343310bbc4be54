"""The browser explorer (Panel + bokeh): one tab per view of :mod:`.views`, a data-and-fit
tab (:mod:`.fitting`) and a landscape-catalog browser (:mod:`.landscape_tab`).

Every recomputation runs in a worker thread of its tab (one at a time; a job overtaken by a
newer one is skipped, and only the newest result is drawn), so the page never freezes and a
running fit does not hold up the sliders; a refusal (a value outside a parameter's domain, a
malformed CSV, a catalog that is not one) is shown on the page with the same message as the
CLI and leaves the previous curves and the app usable. Every bokeh data source is named
(``src:<curve>``) so tests and scripts can read what the page shows.
"""

from __future__ import annotations

import asyncio
import io
import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import panel as pn
from bokeh.core.properties import value
from bokeh.models import ColumnDataSource, Legend, LegendItem, Range1d
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from ..errors import ColdglassError, InputError
from ..materials import ECHO
from . import fitting
from .views import VIEWS, Control, Evaluator, View, default_state

__all__ = ["Explorer", "build_app"]

_PALETTE = list(Category10_10)
_PART_COLOURS = {"phonons": _PALETTE[7], "2LS": _PALETTE[1], "Fe2+": _PALETTE[0],
                 "Fe3+": _PALETTE[2], "ATS": _PALETTE[3], "offset": _PALETTE[4],
                 "resonant": _PALETTE[3], "relaxational": _PALETTE[9]}
"""One colour per component in every plot (Fe²⁺ is blue in Cp(T), C̄p(B), M(B) and M(T))."""
_REFUSED = (ColdglassError, ValueError, KeyError, OSError, ArithmeticError)
_BUSY_S = 0.15
"""A recomputation still running after this long says so in the tab's status line."""


def _colour(curve_key: str, i: int) -> str:
    return _PART_COLOURS.get(curve_key.split(":", 1)[1], _PALETTE[i % len(_PALETTE)])


def _col(a) -> np.ndarray | list:
    """A fresh C-contiguous float array for a bokeh source (pandas columns and read-only
    views are strided or offset, and the browser fails to decode such buffers; an empty one
    goes as a plain list, a zero-length binary buffer fails the same way)."""
    out = np.array(a, dtype=float, order="C", copy=True)
    return out if out.size else []


def _group_colours(n: int) -> list[str]:
    """``n`` distinct colours: Category10 up to 10, else evenly spaced in viridis."""
    if n <= len(_PALETTE):
        return _PALETTE[:max(n, 1)]
    from bokeh.palettes import Viridis256

    return [Viridis256[int(i)] for i in np.linspace(0, 255, n)]


def _css(*parts: str) -> list[str]:
    return ["cg-" + "-".join(p.replace("_", "-").replace("+", "p") for p in parts)]


def _figure(title: str, x_label: str, y_label: str, x_log=False, y_log=False, name="",
            y_range=None, x_range=None):
    fig = figure(title=title, x_axis_label=x_label, y_axis_label=y_label, height=330,
                 **({} if y_range is None else {"y_range": y_range}),
                 **({} if x_range is None else {"x_range": x_range}),
                 sizing_mode="stretch_width", x_axis_type="log" if x_log else "linear",
                 y_axis_type="log" if y_log else "linear", name=name,
                 tools="pan,wheel_zoom,box_zoom,reset,save,hover")
    fig.add_layout(Legend(click_policy="hide", label_text_font_size="8pt"), "right")
    return fig


def _proxy_item(fig, label: str) -> LegendItem:
    """A legend entry (hidden until shown) for points coloured one by one: it draws an empty
    grey marker of its own, since bokeh paints an entry with the colour of the glyph's first
    point and fails in the browser while that glyph's colours are being replaced."""
    proxy = fig.scatter(x=[], y=[], color="gray", size=6)
    item = LegendItem(label=value(label), renderers=[proxy], visible=False)
    fig.legend[0].items.append(item)
    return item


def _message(text: str, kind: str = "danger", css: list[str] | None = None):
    return pn.pane.Alert(text, alert_type=kind, visible=bool(text), css_classes=css or [],
                         sizing_mode="stretch_width")


def _say(alert, exc: BaseException) -> None:
    """Show a refusal (or any failure, with its type) on the page."""
    known = isinstance(exc, ColdglassError | ValueError | KeyError | OSError)
    text = (str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)) \
        if known else f"{type(exc).__name__}: {exc}"
    alert.object, alert.visible = text, True


_SKIPPED = object()


class _Worker:
    """One background thread; ``run`` returns the result of the newest call only: a job
    overtaken by a newer one before it starts is skipped, and an older result whose call
    was overtaken while running returns None."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coldglass-app")
        self.generation = 0

    async def run(self, fn, *args):
        self.generation += 1
        mine = self.generation

        def job():
            return _SKIPPED if mine != self.generation else fn(*args)

        out = await asyncio.get_running_loop().run_in_executor(self.pool, job)
        return None if out is _SKIPPED or mine != self.generation else out

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------------------- model tabs


class ModelTab:
    """Widgets, plots and messages of one :class:`~.views.View`."""

    def __init__(self, v: View, worker: _Worker) -> None:
        self.view = v
        self.worker = worker
        self.evaluator = Evaluator()
        self.state = default_state(v)
        self.sources: dict[str, ColumnDataSource] = {}
        self.data_sources: dict[str, ColumnDataSource] = {}
        self._data_items: dict[str, LegendItem] = {}
        self.figures = {}
        self.errors = {}
        self.widgets = {}
        self.boxes: dict[str, object] = {}
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
            # your data, drawn over the model (from the data tab)
            dsrc = ColumnDataSource({"x": [], "y": [], "color": []}, name=f"src:{p.key}:data")
            fig.scatter("x", "y", source=dsrc, color="color", size=6, marker="circle")
            item = _proxy_item(fig, "your data")
            self.data_sources[p.key] = dsrc
            self._data_items[p.key] = item
            self.figures[p.key] = pn.pane.Bokeh(fig, sizing_mode="stretch_width")
            self.errors[p.key] = _message("", "warning", _css(v.key, p.key, "error"))
        for c in v.controls:
            self.widgets[c.name] = self._widget(c)
        self.preset = pn.widgets.Select(
            name="material / table", options=["(defaults)", *v.presets],
            css_classes=_css(v.key, "preset"))
        self.preset.param.watch(self._apply_preset, "value")

    # -- widgets <-> state
    @staticmethod
    def _slider_value(c: Control, value: float) -> float:
        v = value / c.display_scale
        return math.log10(v) if c.log else v

    def _widget(self, c: Control):
        """A choice: buttons; a switch: a checkbox; a number: a slider whose box takes a
        typed value — for log sliders a separate box with the value itself (not its log)."""
        css = _css(self.view.key, c.name)
        if c.kind == "choice":
            w = pn.widgets.RadioButtonGroup(name=c.label, options=list(c.options), value=c.value,
                                            css_classes=css, button_type="default")
            box = pn.Column(pn.pane.Markdown(f"**{c.label}**", margin=(0, 5)), w)
        elif c.kind == "switch":
            w = pn.widgets.Checkbox(name=c.label, value=c.value, css_classes=css)
            box = w
        elif c.log:
            lo, hi = (math.log10(x / c.display_scale) for x in (c.start, c.end))
            w = pn.widgets.FloatSlider(name=f"{c.label}, log₁₀ scale", start=lo, end=hi,
                                       step=c.step, value=self._slider_value(c, c.value),
                                       css_classes=css, sizing_mode="stretch_width",
                                       show_value=False)
            text = pn.widgets.TextInput(value=f"{c.value / c.display_scale:.6g}", width=110,
                                        css_classes=_css(self.view.key, c.name, "value"))
            self.boxes[c.name] = text

            async def typed(event, c=c):
                await self._typed(c, event.new)

            text.param.watch(typed, "value")
            box = pn.Row(w, text, sizing_mode="stretch_width")
        else:
            w = pn.widgets.EditableFloatSlider(
                name=c.label, start=c.start / c.display_scale, end=c.end / c.display_scale,
                step=c.step / c.display_scale, value=c.value / c.display_scale,
                css_classes=css, sizing_mode="stretch_width", format="0.[000000]")
            box = w

        async def changed(event, c=c):
            await self._changed(c, event.new)

        w.param.watch(changed, "value")
        if c.help:
            box = pn.Column(box, pn.pane.Markdown(
                f"<span style='font-size:smaller;color:#555'>{c.help}</span>",
                margin=(-12, 10, 4, 12)), sizing_mode="stretch_width")
        self.widgets_box.append(box)
        return w

    @staticmethod
    def _within(c: Control, value):
        """The explorer's range of a number: its slider's, widened 100× on log sliders and by
        ten spans on linear ones (for extreme values the Python API is the place)."""
        if c.kind != "number":
            return value
        if c.log:
            lo, hi = c.start / 100, c.end * 100
        else:
            span = c.end - c.start
            lo, hi = c.start - 10 * span, c.end + 10 * span
        if not lo <= value <= hi:
            d = c.display_scale
            raise InputError(f"{c.label}: {value / d:g} is outside the explorer's range "
                             f"{lo / d:g} .. {hi / d:g} (for extreme values use the Python "
                             f"API, coldglass.models)")
        return value

    def _value(self, c: Control, shown):
        if c.kind != "number":
            return shown
        v = 10.0 ** float(shown) if c.log else float(shown)
        return v * c.display_scale

    def _unchanged(self, c: Control, value) -> bool:
        """The widget echoes the value in use (a :meth:`_sync`: Panel runs the async watchers
        after the sync has returned, so they are told apart by the value, not by a flag)."""
        old = self.state[c.name]
        if c.kind != "number" or not isinstance(value, int | float):
            return value == old
        return math.isclose(value, old, rel_tol=1e-5, abs_tol=1e-300)  # the box: 6 digits

    async def _changed(self, c: Control, shown) -> None:
        try:
            if self._unchanged(c, self._value(c, shown)):
                return
        except (TypeError, ValueError):
            pass
        try:
            value = self._within(c, c.check(self._value(c, shown)))
        except _REFUSED as exc:
            _say(self.message, exc)
            self._sync(c, self.state[c.name])  # the widget shows the value in use
            return
        self.message.visible = False
        self.state[c.name] = value
        if c.name in self.boxes:
            self._sync(c, value)
        await self.refresh()

    async def _typed(self, c: Control, text: str) -> None:
        """A value typed into a log slider's box, in the control's unit."""
        try:
            if self._unchanged(c, float(text) * c.display_scale):
                return
        except ValueError:
            pass
        try:
            value = self._within(c, c.check(float(text) * c.display_scale if text.strip()
                                            else text))
        except ValueError as exc:
            msg = str(exc) if isinstance(exc, ColdglassError) else \
                f"{c.label}: {text!r} is not a number"
            self.message.object, self.message.visible = msg, True
            self._sync(c, self.state[c.name])  # the box shows the value in use
            return
        self.message.visible = False
        self.state[c.name] = value
        self._sync(c, value)
        await self.refresh()

    def _sync(self, c: Control, value) -> None:
        """Show ``value`` in the control's widgets (the slider's range grows to take a value
        typed beyond it); their callbacks, which run later, see the value in use and do
        nothing (:meth:`_unchanged`)."""
        w = self.widgets[c.name]
        if c.kind != "number":
            w.value = value
            return
        v = self._slider_value(c, value)
        lo, hi = self._slider_value(c, c.start), self._slider_value(c, c.end)
        w.param.update(start=min(lo, v), end=max(hi, v), value=v)
        if c.name in self.boxes:
            self.boxes[c.name].value = f"{value / c.display_scale:.6g}"

    async def _apply_preset(self, event) -> None:
        new = default_state(self.view) if event.new == "(defaults)" else \
            default_state(self.view) | dict(self.view.presets[event.new])
        self.state = new
        with pn.io.hold():
            for c in self.view.controls:
                self._sync(c, new[c.name])
        self.message.visible = False
        await self.refresh()

    async def refresh(self) -> None:
        t0 = time.perf_counter()
        before = self.evaluator.computed
        task = asyncio.ensure_future(
            self.worker.run(self.evaluator.evaluate, self.view, dict(self.state)))
        done, _ = await asyncio.wait({task}, timeout=_BUSY_S)
        if not done:
            self.status.object = "computing ..."
        try:
            got = await task
        except Exception as exc:  # noqa: BLE001 - any failure is shown, the page lives on
            _say(self.message, exc)
            got = None
        if got is None:
            return
        curves, errors = got
        with pn.io.hold():
            for key, (x, y) in curves.items():
                self.sources[key].data = {"x": _col(x), "y": _col(y)}
            for p in self.view.plots:
                msg = errors.get(p.key, "")
                self.errors[p.key].object, self.errors[p.key].visible = msg, bool(msg)
            ms = 1e3 * (time.perf_counter() - t0)
            self.status.object = (f"{self.evaluator.computed - before} curves recomputed, the "
                                  f"rest from cache, in {ms:.0f} ms")

    def show_data(self, plot: str, x, y, colors, label: str) -> None:
        """Draw measured points over the model curves of ``plot`` (empty arrays clear)."""
        self._data_items[plot].visible = False
        self.data_sources[plot].data = {"x": _col(x), "y": _col(y), "color": list(colors)}
        self._data_items[plot].label = value(label)
        self._data_items[plot].visible = len(colors) > 0

    def panel(self):
        side = pn.Column(self.preset, *self.widgets_box, width=340)
        plots = [pn.Column(self.errors[p.key], self.figures[p.key], sizing_mode="stretch_width")
                 for p in self.view.plots]
        return pn.Row(side, pn.Column(pn.pane.Markdown(self.view.note), self.message,
                                      *plots, self.status, sizing_mode="stretch_width"),
                      sizing_mode="stretch_width", name=self.view.title)


# ------------------------------------------------------------------------------ data tab

_XS = {"B": "B", "T": "T", "tau12": "τ12"}
# where measured data of each column are drawn over the model: (view, plot, x)
_OVER_MODEL = {"Cp": ("heat", "cp_T", "T"), "Cp_bar": ("heat", "cpbar_B", "B"),
               "M": ("magnetization", "m_B", "B"), "deps": ("dielectric", "deps_B", "B"),
               "dtand": ("dielectric", "dtand_B", "B"), "A": ("echo", "echo_B", "B"),
               "IEA": ("echo", "iea", "tau12")}


class DataTab:
    """Upload a CSV, fit it with the CLI's fits, see the table and download the results."""

    def __init__(self, worker: _Worker, on_data=None) -> None:
        self.worker = worker
        self.on_data = on_data
        self.raw: tuple[str, bytes] | None = None
        self.dataset = None
        self.outcome = None
        self.upload = pn.widgets.FileInput(accept=".csv,.txt", css_classes=_css("upload"))
        self.upload.param.watch(self._uploaded, "value")
        self.kind = pn.widgets.Select(name="fit (coldglass fit ...)",
                                      options=list(fitting.FIT_KINDS), value="model",
                                      css_classes=_css("fit", "kind"))
        self.kind.param.watch(lambda e: self._set_materials(e.new), "value")
        self._reading = False
        self.material = pn.widgets.Select(name="--material (starting values)",
                                          options=["(none)"], css_classes=_css("material"))
        self.molar_mass = pn.widgets.TextInput(name="--molar-mass [g/mol] (per-mole units)",
                                               placeholder="from the material",
                                               css_classes=_css("molar", "mass"))
        self.orientation = pn.widgets.Select(name="--orientation",
                                             options=["exact", "shortcut", "none"])
        self.frequency = pn.widgets.TextInput(name="--frequency-hz (if no f column)",
                                              placeholder="e.g. 1e3")
        self.t_tol = pn.widgets.TextInput(name="--t-tol [K] (grouping)",
                                          placeholder="2 %, at least 2 mK")
        self.shared = pn.widgets.Select(name="--shared-cutoffs (cp, dielectric)",
                                        options=["default", "shared", "per temperature"])
        self.b_ref = pn.widgets.TextInput(name="--b-ref [T] (cp)", value="8")
        self.prefactor = pn.widgets.Select(name="--prefactor (magnetization)",
                                           options=["derived", "printed"])
        self.high_field = pn.widgets.Checkbox(name="--high-field (magnetization)", value=True)
        self.t0 = pn.widgets.TextInput(name="--t0 [K] (magnetization, Eq. 97)")
        self.nw = pn.widgets.TextInput(name="--nw (dielectric)", value="3")
        self.polarization = pn.widgets.Select(name="--polarization (acoustics)",
                                              options=["t", "l"])
        self.row = pn.widgets.Select(name="--row (echo, Table 8)", options=["(none)", *ECHO])
        # the molar mass (given, or the material's) decides how per-mole units read
        self.material.param.watch(self._reread, "value")
        self.molar_mass.param.watch(self._reread, "value")
        self.tau12 = pn.widgets.TextInput(name="--tau12-us [μs] (echo A(B))",
                                          placeholder="e.g. 3")
        self.terms = pn.widgets.TextInput(name="--term (model: terms, comma separated)",
                                          placeholder="all terms of the column")
        self.per_t = pn.widgets.TextInput(name="--per-temperature (model: parameters)")
        self.term_options = pn.widgets.TextInput(name="--option (model: NAME=VALUE, ...)")
        self.fix = pn.widgets.TextInput(name="--fix (NAME[=VALUE], comma separated)",
                                        css_classes=_css("fix"))
        self.vary = pn.widgets.TextInput(name="--vary (NAMES)")
        self.init = pn.widgets.TextInput(name="--init (NAME=VALUE)")
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
        self.notes = _message("", "info", _css("fit", "notes"))
        self.params = pn.pane.DataFrame(None, css_classes=_css("params"), index=False,
                                        sizing_mode="stretch_width", float_format="{:.5g}".format)
        self.figs, self.data_sources, self.fit_sources, self.fit_items = {}, {}, {}, {}
        self.data_items: dict[str, LegendItem] = {}
        self.panes = {}
        for x, label in _XS.items():
            # explicit ranges, set from what is drawn (a hidden figure's automatic ranges
            # keep the previous file's extent)
            fig = _figure(f"your data vs {label}", label, "", x_log=(x == "T"),
                          name=f"fig:data:{x}", y_range=Range1d(0, 1), x_range=Range1d(
                              1e-3 if x == "T" else 0, 1))
            src = ColumnDataSource({"x": [], "y": [], "color": []}, name=f"src:data:{x}")
            fig.scatter("x", "y", source=src, color="color", size=6)
            self.data_items[x] = _proxy_item(fig, "data")
            self.data_sources[x], self.fit_sources[x], self.fit_items[x] = src, [], []
            for i in range(12):
                fs = ColumnDataSource({"x": [], "y": []}, name=f"src:fit:{x}:{i}")
                line = fig.line("x", "y", source=fs, color=_PALETTE[i % 10], line_width=2,
                                line_dash="solid" if i < 10 else "dashed")
                item = LegendItem(label=value(f"fit {i}"), renderers=[line], visible=False)
                fig.legend[0].items.append(item)
                self.fit_sources[x].append(fs)
                self.fit_items[x].append(item)
            self.figs[x] = fig
            self.panes[x] = pn.Column(pn.pane.Bokeh(fig, sizing_mode="stretch_width"),
                                      visible=False, sizing_mode="stretch_width")
        self.fit_png = pn.pane.Matplotlib(None, dpi=90, tight=True, visible=False,
                                          sizing_mode="stretch_width")
        self.download_params = pn.widgets.FileDownload(
            callback=lambda: self._download("params"), filename="params.csv",
            label="download params.csv", disabled=True, css_classes=_css("download", "params"))
        self.download_curve = pn.widgets.FileDownload(
            callback=lambda: self._download("curve"), filename="curve.csv",
            label="download curve.csv", disabled=True, css_classes=_css("download", "curve"))

    def _download(self, what: str):
        if self.outcome is None:
            return io.StringIO("")
        return io.StringIO(self.outcome.params_csv() if what == "params"
                           else self.outcome.curve_csv())

    def _material_options(self, kind: str) -> None:
        """The materials with starting values for ``kind``, keeping the chosen one if it has
        them (with ``_reading`` set, so that the material watcher does not read again)."""
        self._reading = True
        try:
            keep = self.material.value
            self.material.options = ["(none)", *fitting.materials_for(kind)]
            self.material.value = keep if keep in self.material.options else "(none)"
        finally:
            self._reading = False

    def _set_materials(self, kind: str) -> None:
        """The fit kind changed: its materials, then one reading of the upload."""
        if self._reading:
            return
        self._material_options(kind)
        self._reread()

    def _reread(self, event=None) -> None:
        """Read the upload again when what decides its units changed (kind, material, molar
        mass): a per-mole file refused without a molar mass reads once one is chosen."""
        if self.raw is not None and not self._reading:
            self._load(self.raw, new=False)

    # -- reading
    def _number(self, w, what: str) -> float | None:
        t = w.value.strip()
        if not t:
            return None
        try:
            return float(t)
        except ValueError:
            raise InputError(f"{what}: {t!r} is not a number") from None

    def _read(self, kind: str | None = None):
        """The upload read with the molar mass the CLI would use for ``kind``."""
        name, content = self.raw
        material = None if self.material.value == "(none)" else self.material.value
        mm = fitting.molar_mass_for(kind or self.kind.value, material,
                                    self._number(self.molar_mass, "--molar-mass"))
        return fitting.read_upload(name, content, molar_mass=mm)

    def _clear(self) -> None:
        for x in _XS:
            self.data_sources[x].data = {"x": [], "y": [], "color": []}
            self.data_items[x].visible = False
            for src, item in zip(self.fit_sources[x], self.fit_items[x], strict=True):
                src.data = {"x": [], "y": []}
                item.visible = False
            self.panes[x].visible = False
        self.params.object = None
        self.warnings.visible = False
        self.notes.visible = False
        self.fit_png.visible = False
        self.download_params.disabled = self.download_curve.disabled = True

    def _uploaded(self, event) -> None:
        self._load((self.upload.filename or "upload.csv", event.new or b""), new=True)

    def _load(self, raw: tuple[str, bytes], new: bool) -> None:
        """Read an upload (``new``: a file just uploaded, whose column picks the fit)."""
        self.message.visible = False
        self.raw = raw
        try:
            ds = self._read()
        except _REFUSED as exc:
            _say(self.message, exc)
            if "molar" in self.message.object:
                self.message.object += (" — here: choose the material (fit cp or "
                                        "magnetization), or type the molar mass under "
                                        "\"more options\"")
            self.dataset, self.outcome = None, None
            self.fit_button.disabled = True
            with pn.io.hold():
                self._clear()
                self.status.object = f"**{raw[0]}** not read (see the message above)"
            return
        self.dataset, self.outcome = ds, None
        suggested = fitting.KIND_OF_QUANTITY.get(ds.quantity, "model")
        if new and self.kind.value != suggested:
            self._reading = True
            try:
                self.kind.value = suggested
            finally:
                self._reading = False
            self._material_options(suggested)
        df = fitting.data_table(ds)
        x = "B" if ds.has_field and np.ptp(ds.B) > 0 else ("tau12" if ds.tau12 is not None
                                                           else "T")
        groups = ds.temperature_groups()
        color = np.empty(len(ds.T), dtype=object)
        palette = _group_colours(len(groups))
        for k in range(len(groups)):
            color[groups.members(k)] = palette[k]
        with pn.io.hold():
            self._clear()
            self._draw_points(ds, df, x, np.ones(len(ds.T), bool), list(color))
        synth = " (SYNTHETIC, says the file)" if ds.synthetic else ""
        self.status.object = (f"**{ds.source}**{synth}: {len(ds.T)} points of `{ds.quantity}` "
                              f"[{ds.display('y')[0]}]; temperature groups: "
                              f"{groups.describe()}")
        self.fit_button.disabled = False
        if self.on_data is not None and ds.quantity in _OVER_MODEL:
            self._over_model(ds, groups, color)

    def _over_model(self, ds, groups, color) -> None:
        """Draw the data over the matching model plot; magnetization files may hold M(T)
        sweeps (one field, three or more temperature groups) and M(B) sweeps: each goes to
        its own plot, as the fit draws them."""
        view, plot, xm = _OVER_MODEL[ds.quantity]
        label = f"your data ({ds.source})"
        if ds.quantity == "M":
            sweep_T = np.zeros(len(ds.T), bool)
            Bk = np.round(ds.B, 6)
            for b in np.unique(Bk):
                at = Bk == b
                if len(np.unique(groups.index[at])) >= 3:
                    sweep_T |= at
            self.on_data("magnetization", "m_T", ds.T[sweep_T], ds.y[sweep_T],
                         list(color[sweep_T]), label)
            self.on_data("magnetization", "m_B", ds.B[~sweep_T], ds.y[~sweep_T],
                         list(color[~sweep_T]), label)
            return
        xv = {"B": ds.B, "T": ds.T, "tau12": None if ds.tau12 is None else ds.tau12 * 1e6}[xm]
        if xv is not None:
            self.on_data(view, plot, xv, ds.y, list(color), label)

    def _fit_ranges(self, x: str) -> None:
        """The figure's ranges from its points and fit lines (5 % margins; log x: a factor)."""
        xs, ys = [], []
        for src in (self.data_sources[x], *self.fit_sources[x]):
            if len(src.data["x"]):
                xs.append(np.asarray(src.data["x"], float))
                ys.append(np.asarray(src.data["y"], float))
        if not xs:
            return
        X, Y = np.concatenate(xs), np.concatenate(ys)
        X, Y = X[np.isfinite(X)], Y[np.isfinite(Y)]
        fig = self.figs[x]
        if x == "T":
            X = X[X > 0]
            if X.size:
                fig.x_range.start, fig.x_range.end = X.min() / 1.15, X.max() * 1.15
        elif X.size:
            pad = 0.05 * (np.ptp(X) or abs(X.max()) or 1.0)
            fig.x_range.start, fig.x_range.end = X.min() - pad, X.max() + pad
        if Y.size:
            pad = 0.05 * (np.ptp(Y) or abs(Y.max()) or 1.0)
            fig.y_range.start, fig.y_range.end = Y.min() - pad, Y.max() + pad

    def _draw_points(self, ds, df, x: str, mask, colors) -> None:
        xcol = next(c for c in df.columns if c.startswith(x + " ["))
        ycol = next(c for c in df.columns if c.startswith(ds.quantity + " ["))
        src = self.data_sources[x]
        old = dict(src.data)
        src.data = {"x": _col(np.concatenate([np.asarray(old["x"], float),
                                              df[xcol].to_numpy(dtype=float)[mask]])),
                    "y": _col(np.concatenate([np.asarray(old["y"], float),
                                              df[ycol].to_numpy(dtype=float)[mask]])),
                    "color": list(old["color"]) + [c for c, m in zip(colors, mask, strict=True)
                                                   if m]}
        self.data_items[x].visible = len(src.data["color"]) > 0
        self._fit_ranges(x)
        fig = self.figs[x]
        fig.xaxis.axis_label, fig.yaxis.axis_label = xcol, ycol
        fig.title.text = f"{ds.source} vs {_XS[x]}"
        self.panes[x].visible = True

    def _request(self) -> fitting.FitRequest:
        def items(w):
            return tuple(s.strip() for s in w.value.split(",") if s.strip())

        nw = self._number(self.nw, "--nw")
        if nw is None or nw != int(nw):
            raise InputError(f"--nw must be a whole number, got {self.nw.value!r}")
        b_ref = self._number(self.b_ref, "--b-ref")
        return fitting.FitRequest(
            self.kind.value, None if self.material.value == "(none)" else self.material.value,
            orientation=self.orientation.value,
            frequency_Hz=self._number(self.frequency, "--frequency-hz"),
            row=None if self.row.value == "(none)" else self.row.value,
            tau12_us=self._number(self.tau12, "--tau12-us"), fix=items(self.fix),
            vary=items(self.vary), init=items(self.init),
            t_tol=self._number(self.t_tol, "--t-tol"),
            shared_cutoffs={"default": None, "shared": True,
                            "per temperature": False}[self.shared.value],
            B_ref=8.0 if b_ref is None else b_ref, prefactor=self.prefactor.value,
            high_field=self.high_field.value, T0=self._number(self.t0, "--t0"), nw=int(nw),
            polarization=self.polarization.value,
            molar_mass=self._number(self.molar_mass, "--molar-mass"),
            terms=items(self.terms), per_temperature=items(self.per_t),
            term_options=items(self.term_options))

    async def _fit(self, event) -> None:
        if self.raw is None:
            return
        self.message.visible = False
        try:
            req = self._request()
            ds = self._read()
            problem = fitting.build_fit(ds, req)
            if problem.blockers:
                raise InputError("; ".join(problem.blockers))
        except _REFUSED as exc:
            _say(self.message, exc)
            return
        calls = [0]
        self.fit_button.disabled = self.upload.disabled = True
        self.progress.active = self.progress.visible = True
        t0 = time.perf_counter()
        task = asyncio.ensure_future(self.worker.run(
            lambda: fitting.run_fit(problem, lambda n: calls.__setitem__(0, n), figure=True)))
        while not task.done():
            self.status.object = (f"fitting {len(problem.free)} free parameters to "
                                  f"{problem.n_points} points: {calls[0]} model evaluations, "
                                  f"{time.perf_counter() - t0:.1f} s")
            await asyncio.sleep(0.25)
        self.progress.active = self.progress.visible = False
        self.fit_button.disabled = self.upload.disabled = False
        try:
            out = task.result()
        except Exception as exc:  # noqa: BLE001 - any failure is shown, the page lives on
            _say(self.message, exc)
            self.status.object = "the fit stopped"
            return
        if out is None:
            return
        self.dataset, self.outcome = ds, out
        self._show(ds, out)

    def _show(self, ds, out: fitting.FitOutcome) -> None:
        """Data and fit per series, each on the axis of its own sweep (B, T or τ12)."""
        cv = out.curves
        ycol = next(c for c in cv.columns if " total [" in c)
        df = fitting.data_table(ds)
        with pn.io.hold():
            self._clear()
            used = {x: 0 for x in _XS}
            for s, ((_, label), part) in zip(out.series, cv.groupby(["dataset", "series"],
                                                                    sort=False), strict=True):
                x = s["x"]
                i = used[x]
                used[x] += 1
                colour = _PALETTE[i % 10]
                self._draw_points(ds, df, x, np.asarray(s["mask"]), [colour] * len(ds.T))
                if i < len(self.fit_sources[x]):
                    xcol = next(c for c in part.columns if c.startswith(x + " ["))
                    self.fit_sources[x][i].data = {"x": _col(part[xcol]),
                                                   "y": _col(part[ycol])}
                    self.fit_items[x][i].label = value(f"fit, {label}")
                    self.fit_items[x][i].visible = True
                    self._fit_ranges(x)
            tab = out.table[[c for c in ("parameter", "value", "stderr", "unit", "varied",
                                         "at_bound") if c in out.table.columns]]
            self.params.object = tab
            lines = ([f"FAILED: {out.failure}"] if out.failure else []) + list(out.warnings)
            self.warnings.object = "\n\n".join(lines)
            self.warnings.visible = bool(lines)
            notes = list(out.result.notes)
            self.notes.object = "\n\n".join(f"note: {n}" for n in notes)
            self.notes.visible = bool(notes)
            self.fit_png.object = out.figure
            self.fit_png.visible = out.figure is not None
            self.download_params.disabled = self.download_curve.disabled = False
        r = out.result.result
        self.status.object = (f"**{'FAILED' if out.failure else 'fitted'}**: {r.nfev} "
                              f"evaluations in {out.result.seconds:.2f} s, reduced χ² = "
                              f"{r.redchi:.4g}, {r.ndata} points, {r.nvarys} free parameters")

    def panel(self):
        options = pn.Card(self.molar_mass, self.frequency, self.t_tol, self.shared, self.b_ref,
                          self.prefactor, self.high_field, self.t0, self.nw, self.polarization,
                          self.row, self.tau12, self.terms, self.per_t, self.term_options,
                          title="more options (as the CLI's)",
                          collapsed=True, width=320)
        side = pn.Column(pn.pane.Markdown("**CSV file**"), self.upload, self.kind,
                         self.material, self.orientation, self.fix, self.vary, self.init,
                         options, pn.Row(self.fit_button, self.progress),
                         self.download_params, self.download_curve, width=340)
        return pn.Row(side, pn.Column(self.message, self.status, self.warnings, self.notes,
                                      *self.panes.values(), self.params, self.fit_png,
                                      sizing_mode="stretch_width"),
                      sizing_mode="stretch_width", name="Your data & fit")


# --------------------------------------------------------------------------------- app


class Explorer:
    """One browser session: its tabs, each with its worker thread."""

    def __init__(self, catalog: str | Path | None = None) -> None:
        # a worker thread per tab: a fit or a catalog being read never delays the sliders
        self.tabs = {k: ModelTab(v, _Worker()) for k, v in VIEWS.items()}
        self.data = DataTab(_Worker(), on_data=self._data_over_model)
        from .landscape_tab import LandscapeTab

        self.landscape = LandscapeTab(catalog)

    def _data_over_model(self, view: str, plot: str, x, y, colors, label: str) -> None:
        self.tabs[view].show_data(plot, x, y, colors, label)

    def workers(self) -> list[_Worker]:
        return [t.worker for t in self.tabs.values()] + [self.data.worker,
                                                         *self.landscape.workers()]

    async def start(self) -> None:
        await asyncio.gather(*(t.refresh() for t in self.tabs.values()),
                             self.landscape.open_initial())

    def close(self) -> None:
        for w in self.workers():
            w.shutdown()

    def panel(self):
        # dynamic: the browser renders a tab when it is shown (all seven at once kept the
        # first page load busy for ~20 s on two cores); the server computes all of them
        tabs = pn.Tabs(*[t.panel() for t in self.tabs.values()], self.data.panel(),
                       self.landscape.panel(), dynamic=True, css_classes=_css("tabs"),
                       sizing_mode="stretch_width")
        header = pn.pane.Markdown(
            "## coldglass explorer — the standard and extended tunnelling models\n"
            "Energies in kelvin (k_B = 1), fields in tesla; every axis states its unit. A "
            "slider's box takes a typed value (for the log₁₀ sliders of concentrations and "
            "cutoffs, the box beside it, in the unit of the label). Data uploaded in "
            "\"Your data & fit\" are drawn over the matching model plot too.",
            sizing_mode="stretch_width")
        return pn.Column(header, tabs, sizing_mode="stretch_width")


def build_app(catalog: str | Path | None = None):
    """A new explorer page (one per browser session; its threads end with the session)."""
    ex = Explorer(catalog)
    page = ex.panel()
    pn.state.onload(ex.start)
    if pn.state.curdoc is not None:
        pn.state.on_session_destroyed(lambda ctx: ex.close())
    page.explorer = ex
    return page
