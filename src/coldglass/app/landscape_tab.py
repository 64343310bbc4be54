"""The explorer's landscape tab: open a catalog, filter its double wells, look at one.

The computations are :class:`coldglass.app.landscape_view.CatalogView`'s; this module only
draws them: the double wells on the plane of Fig. 26 (with iso-Δ0 lines of Eq. 4), the
energy along the chosen well's path with its 1D levels and wavefunctions, and a 3D scatter
of the particles that move.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, Range1d, TapTool

from .explorer import _PALETTE, _REFUSED, _col, _css, _figure, _message, _say, _Worker
from .landscape_view import EXAMPLE_CATALOG

__all__ = ["LandscapeTab", "EXAMPLE_CATALOG", "iso_delta0_lines"]



_FILTERS = (("V0_K", "barrier V0 [K]", False), ("Delta_K", "asymmetry Δ [K]", False),
            ("E_qs_K", "log₁₀ E_qs [K]", True),
            ("participation_ratio", "participation ratio", False))
_TABLE_COLUMNS = ("id", "sample", "V0_K", "Delta_K", "E_qs_K", "Delta0_exact_K",
                  "hbar_omega_K", "participation_ratio", "n_moving", "d_A")


def iso_delta0_lines(V0_max: float = 30.0, hw_range=(0.1, 10.0), levels=range(-12, 1)
                     ) -> dict[int, list[tuple[np.ndarray, np.ndarray]]]:
    """Iso-lines log10 Δ0 = level of Eq. (4) in the (V0, ħΩ) plane (Fig. 26), as polylines
    (matplotlib's contour finder, evaluated once)."""
    from matplotlib.figure import Figure

    from ..systems import delta0_parabolic

    V0 = np.linspace(0.01, V0_max, 300)
    hw = np.logspace(np.log10(hw_range[0]), np.log10(hw_range[1]), 200)
    VV, HH = np.meshgrid(V0, hw)
    with np.errstate(divide="ignore"):
        z = np.log10(delta0_parabolic(HH, VV))
    cs = Figure().add_subplot().contour(VV, HH, z, levels=list(levels))
    return {int(lv): [(_col(seg[:, 0]), _col(seg[:, 1])) for seg in segs if len(seg) > 1]
            for lv, segs in zip(cs.levels, cs.allsegs, strict=True)}


class LandscapeTab:
    """Widgets and plots of the catalog browser."""

    def __init__(self, catalog: str | Path | None = None) -> None:
        # opening a catalog and computing a well are separate jobs, each on its own thread
        self.open_worker, self.well_worker = _Worker(), _Worker()
        self.catalog = None
        start = catalog if catalog is not None else (EXAMPLE_CATALOG if EXAMPLE_CATALOG.exists()
                                                     else "")
        self.path = pn.widgets.TextInput(name="catalog (.sqlite)", value=str(start),
                                         css_classes=_css("catalog", "path"))
        self.open_button = pn.widgets.Button(name="Open", button_type="primary",
                                             css_classes=_css("catalog", "open"))
        self.open_button.on_click(self._open)
        self.progress = pn.indicators.Progress(active=False, visible=False, width=150)
        self.message = _message("", css=_css("catalog", "message"))
        self.summary = pn.pane.Markdown(
            "" if start else "No catalog yet: type the path of one (`coldglass landscape "
            "campaign` writes them) and press Open, or start with `coldglass explore "
            "--catalog PATH`.", css_classes=_css("catalog", "summary"))
        self.filters = {}
        for col, label, log in _FILTERS:
            w = pn.widgets.RangeSlider(name=label, start=0.0, end=1.0, value=(0.0, 1.0),
                                       step=0.01, disabled=True,
                                       css_classes=_css("filter", col))
            w.param.watch(self._filtered, "value_throttled")
            self.filters[col] = (w, log)
        self.choice = pn.widgets.Select(name="double well (id)", options=[],
                                        css_classes=_css("catalog", "well"))
        self.choice.param.watch(self._chosen, "value")
        self.table = pn.pane.DataFrame(None, index=False, max_rows=50, float_format="{:.4g}".format,
                                       css_classes=_css("catalog", "table"),
                                       sizing_mode="stretch_width")
        # the energy along the path, levels and wavefunctions
        self.well_fig = _figure("energy along the path", "s [σ·√m] (mass-weighted arc length)",
                                "V(s) − V_a [K]", name="fig:well", y_range=Range1d(0, 1))
        self.src_V = ColumnDataSource({"x": [], "y": []}, name="src:well:V")
        self.src_img = ColumnDataSource({"x": [], "y": []}, name="src:well:images")
        self.src_lv = ColumnDataSource({"xs": [], "ys": []}, name="src:well:levels")
        self.well_fig.line("x", "y", source=self.src_V, color="black", line_width=2,
                           legend_label="V(s)")
        self.well_fig.scatter("x", "y", source=self.src_img, color="black", size=5,
                              legend_label="NEB images")
        self.well_fig.multi_line("xs", "ys", source=self.src_lv, color="gray",
                                 line_dash="dashed", legend_label="levels")
        self.src_psi = []
        for k in range(4):
            src = ColumnDataSource({"x": [], "y": []}, name=f"src:well:psi{k}")
            self.well_fig.line("x", "y", source=src, color=_PALETTE[k], line_width=1.5,
                               legend_label=f"ψ{k} (at its level)")
            self.src_psi.append(src)
        # Fig. 26 plane
        self.plane = _figure("the double wells on the plane of Fig. 26", "barrier V0 [K]",
                             "ħΩ [K]", y_log=True, name="fig:plane")
        self.src_all = ColumnDataSource({"x": [], "y": [], "id": []}, name="src:plane:all")
        self.src_sel = ColumnDataSource({"x": [], "y": []}, name="src:plane:selected")
        self._iso_drawn = False
        self._shown_from = None
        self._iso_renderers: list = []
        dots = self.plane.scatter("x", "y", source=self.src_all, size=7, color=_PALETTE[0],
                                  alpha=0.6, legend_label="double wells (click one)")
        self.plane.add_tools(TapTool(renderers=[dots]),
                             HoverTool(renderers=[dots], tooltips=[
                                 ("id", "@id"), ("V0", "@x{0.00} K"), ("ħΩ", "@y{0.00} K")]))
        self.src_all.selected.on_change("indices", self._tapped)
        self.plane.scatter("x", "y", source=self.src_sel, size=14, marker="star",
                           color=_PALETTE[3], legend_label="chosen")
        self.scatter3d = pn.pane.Matplotlib(None, dpi=85, tight=True,
                                            css_classes=_css("catalog", "3d"))
        self.well_text = pn.pane.Markdown("", css_classes=_css("well", "text"))

    def workers(self) -> list[_Worker]:
        return [self.open_worker, self.well_worker]

    async def open_initial(self) -> None:
        """Open the catalog given at the start (``--catalog``, else the example) if any."""
        if self.path.value.strip():
            await self._open()

    def _draw_iso(self, V0_max: float, hw_max: float) -> None:
        """Iso-Δ0 lines over the catalog's range (at least the paper's 30 K × 0.1-10 K):
        every decade from 1e-12 to 1 K, then every third down to 1e-30 K."""
        if self._iso_drawn:
            for r in self._iso_renderers:
                self.plane.renderers.remove(r)
            for item in list(self.plane.legend[0].items):
                if any(r in self._iso_renderers for r in item.renderers):
                    self.plane.legend[0].items.remove(item)
        levels = [*range(-30, -12, 3), *range(-12, 1)]
        lines = iso_delta0_lines(max(30.0, 1.1 * V0_max), (0.1, max(10.0, 1.3 * hw_max)),
                                 levels)
        xs, ys = [], []
        for segs in lines.values():
            for x, y in segs:
                xs.append(x)
                ys.append(y)
        src = ColumnDataSource({"xs": xs, "ys": ys}, name="src:plane:iso")
        self._iso_renderers = [self.plane.multi_line(
            "xs", "ys", source=src, color="lightgray",
            legend_label="iso-Δ0 of Eq. (4), 1e-30 … 1 K")]
        bx, by = [], []
        for lv in (-6, -3):
            for x, y in lines[lv]:
                bx.append(x)
                by.append(y)
        band = ColumnDataSource({"xs": bx, "ys": by}, name="src:plane:band")
        self._iso_renderers.append(self.plane.multi_line(
            "xs", "ys", source=band, color="red", line_width=2,
            legend_label="Δ0 = 1e-6 and 1e-3 K (Fig. 26)"))
        self._iso_drawn = True

    async def _open(self, event=None) -> None:
        from .landscape_view import CatalogView

        self.message.visible = False
        path = str(Path(self.path.value.strip()).expanduser()) if self.path.value.strip() else ""
        if not path:
            self.message.object, self.message.visible = "give the path of a catalog", True
            return
        self.progress.active = self.progress.visible = True
        self.open_button.disabled = True
        t0 = time.perf_counter()
        task = asyncio.ensure_future(self.open_worker.run(CatalogView, path))
        while not task.done():
            self.summary.object = f"opening {path} ... {time.perf_counter() - t0:.1f} s"
            await asyncio.sleep(0.2)
        self.progress.active = self.progress.visible = False
        self.open_button.disabled = False
        try:
            cat = task.result()
        except _REFUSED as exc:
            _say(self.message, exc)
            if self.catalog is not None:
                self.message.object += " (still showing the catalog opened before)"
            return
        if cat is None:
            return
        self.catalog = cat
        s = cat.summary()
        self.summary.object = (
            f"**{Path(path).name}**: {s['dwps']} double wells ({s['tls']} TLS, E_qs < "
            f"{s['tls_E_qs_max_K']:g} K) in {s['samples']} glasses of N = {s['n_atoms']}, "
            f"{s['minima']} minima, {s['saddles']} saddles; {s['units']} units; "
            f"{s['engine']}, seed {s['seed']}")
        df = cat.table
        with pn.io.hold():
            for col, (w, log) in self.filters.items():
                v = df[col].to_numpy(dtype=float)
                v = v[np.isfinite(v) & ((v > 0) if log else True)]
                if log:
                    v = np.log10(v)
                lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
                if hi <= lo:
                    hi = lo + 1.0
                w.param.update(start=np.floor(lo * 100) / 100, end=np.ceil(hi * 100) / 100,
                               value=(np.floor(lo * 100) / 100, np.ceil(hi * 100) / 100),
                               step=max((hi - lo) / 200, 1e-4), disabled=False)
            self._draw_iso(float(np.nanmax(df["V0_K"])), float(np.nanmax(df["hbar_omega_K"])))
        self._filtered()

    def _bounds(self) -> dict:
        out = {}
        for col, (w, log) in self.filters.items():
            lo, hi = w.value
            full = (abs(lo - w.start) < 1e-12 and abs(hi - w.end) < 1e-12)
            if not full:
                out[col] = (10**lo, 10**hi) if log else (lo, hi)
        return out

    def _filtered(self, event=None) -> None:
        if self.catalog is None:
            return
        try:
            df = self.catalog.filter(**self._bounds())
        except _REFUSED as exc:
            self.message.object, self.message.visible = str(exc), True
            return
        cols = [c for c in _TABLE_COLUMNS if c in df.columns]
        if df.empty:
            self.message.object = "no double well matches the filters"
            self.message.visible = True
            self._clear_well()
        else:
            self.message.visible = False
        with pn.io.hold():
            self.table.object = df[cols]
            self.src_all.data = {"x": _col(df["V0_K"]),
                                 "y": _col(df["hbar_omega_K"]),
                                 "id": np.array(df["id"], dtype=np.int64, order="C")}
            ids = [str(int(i)) for i in df["id"]]
            keep = self.choice.value if (self.choice.value in ids
                                         and self._shown_from is self.catalog) else None
            self.choice.value = None
            self.choice.options = ids
            if ids:
                self.choice.value = keep or ids[0]

    async def _chosen(self, event) -> None:
        if self.catalog is None or not event.new:
            return
        self.message.visible = False
        t0 = time.perf_counter()
        cat = self.catalog
        try:
            w = await self.well_worker.run(cat.well, int(event.new))
        except _REFUSED as exc:
            _say(self.message, exc)
            return
        if w is None or cat is not self.catalog:  # overtaken, or another catalog opened
            return
        self._shown_from = cat
        self._show_well(w, time.perf_counter() - t0)

    def _tapped(self, attr, old, new) -> None:
        """A click on a double well of the Fig. 26 plane chooses it."""
        if new:
            ids = list(self.src_all.data["id"])
            self.choice.value = str(int(ids[new[0]]))

    def _clear_well(self) -> None:
        with pn.io.hold():
            for src in (self.src_V, self.src_img, self.src_sel, *self.src_psi):
                src.data = {"x": [], "y": []}
            self.src_lv.data = {"xs": [], "ys": []}
            self.scatter3d.object = None
            self.well_text.object = ""
        self._shown_from = None

    def _show_well(self, w, seconds: float) -> None:
        get = (lambda k: w[k]) if isinstance(w, dict) else (lambda k: getattr(w, k))
        s, V = np.asarray(get("s")), np.asarray(get("V_K"))
        levels, psi = np.asarray(get("levels_K")), np.asarray(get("psi"))
        span = float(np.ptp(V[np.isfinite(V)])) or 1.0
        gaps = np.diff(levels)
        gap = float(np.median(gaps)) if gaps.size else span
        amp = 0.4 * max(min(gap, span / 4), 1e-3 * span)
        top = max(float(np.max(np.asarray(get("E_images_K")))), float(levels.max()))
        with pn.io.hold():
            self.well_fig.y_range.start, self.well_fig.y_range.end = -0.08 * top, 1.35 * top
            self.src_V.data = {"x": _col(s), "y": _col(V)}
            self.src_img.data = {"x": _col(get("s_images")),
                                 "y": _col(get("E_images_K"))}
            self.src_lv.data = {"xs": [[float(s[0]), float(s[-1])] for _ in levels],
                                "ys": [[float(e), float(e)] for e in levels]}
            for k, src in enumerate(self.src_psi):
                if k < len(levels):
                    p = psi[k] / (np.max(np.abs(psi[k])) or 1.0)
                    src.data = {"x": _col(s), "y": _col(levels[k] + amp * p)}
                else:
                    src.data = {"x": [], "y": []}
            self.src_sel.data = {"x": [float(get("V0_K"))], "y": [float(get("hbar_omega_K"))]}
            self.scatter3d.object = self._figure3d(w, get)
            row = get("row")
            self.well_text.object = (
                f"double well **{int(row['id'])}**: V0 = {row['V0_K']:.4g} K, Δ = "
                f"{row['Delta_K']:.4g} K, E_qs = {row['E_qs_K']:.4g} K, ħΩ = "
                f"{row['hbar_omega_K']:.4g} K, {int(row['n_moving'])} particles move "
                f"(participation {row['participation_ratio']:.3g}); 1D levels "
                + ", ".join(f"{e:.4g}" for e in levels) + f" K; computed in {seconds:.2f} s")

    @staticmethod
    def _figure3d(w, get):
        from matplotlib.figure import Figure

        x = np.asarray(get("positions_A"))
        u = np.asarray(get("displacement_A"))
        moving = np.asarray(get("moving"), dtype=bool)
        species = np.asarray(get("species"))
        fig = Figure(figsize=(5.2, 4.6), layout="constrained")
        ax = fig.add_subplot(projection="3d")
        still = ~moving
        ax.scatter(*x[still].T, s=2, color="0.8", alpha=0.3, label="resting particles")
        for k, sp in enumerate(np.unique(species[moving])):
            m = moving & (species == sp)
            ax.scatter(*x[m].T, s=25, color=_PALETTE[k + 1], label=f"moving, species {sp}")
        scale = 3.0 / max(float(np.linalg.norm(u[moving], axis=1).max()) if moving.any()
                          else 1.0, 1e-12)
        ax.quiver(*x[moving].T, *(scale * u[moving]).T, color="k", linewidth=1)
        ax.set_xlabel("x [Å]")
        ax.set_ylabel("y [Å]")
        ax.set_zlabel("z [Å]")
        ax.set_title(f"displacement a → b (arrows × {scale:.3g})", fontsize=9)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, 1.0))
        return fig

    def panel(self):
        side = pn.Column(self.path, pn.Row(self.open_button, self.progress), self.summary,
                         *[w for w, _ in self.filters.values()], self.choice, width=330)
        main = pn.Column(self.message, self.well_text,
                         pn.Row(pn.pane.Bokeh(self.well_fig, sizing_mode="stretch_width"),
                                pn.pane.Bokeh(self.plane, sizing_mode="stretch_width"),
                                sizing_mode="stretch_width"),
                         pn.Row(self.scatter3d, pn.Column(pn.pane.Markdown(
                             "Energies in K, d and displacements in Å. `Delta0_exact_K` NaN: "
                             "the splitting is below the 1D solver's resolution (E_qs is then "
                             "the asymmetry |Δ_q|)."), self.table, sizing_mode="stretch_width"),
                                sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")
        return pn.Row(side, main, sizing_mode="stretch_width", name="Landscape catalog")
