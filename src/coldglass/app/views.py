"""What the explorer draws, without the browser: controls, curves and their evaluation.

A :class:`View` is one tab of the explorer: its :class:`Control` s (the sliders and switches,
each a parameter of the model layer with its unit and range) and its :class:`Plot` s, each a
set of :class:`Curve` s computed by the *public* model functions of :mod:`coldglass.models`
(and :mod:`coldglass.systems`, :class:`coldglass.ensembles.ATSEnsemble`). Nothing here
imports Panel; the app (:mod:`coldglass.app.explorer`) only turns controls into widgets and
curves into bokeh data sources, and the tests and ``benchmarks/bench_explore.py`` use this
module directly.

Why a slider feels live (:class:`Evaluator`):

* each curve declares the state keys it ``depends`` on; a change recomputes only the curves
  that read the changed key (moving T does not recompute the DOS vs E);
* a curve linear in a concentration (``scale``) is computed once at unit amplitude and
  multiplied: moving n_Fe, P*n_ATS, K or W costs a multiplication;
* results are kept in an LRU cache keyed by the values the curve reads, so going back to a
  slider position is free;
* ensemble averages use display rules (:data:`VIEW_RULE`, :data:`LOSS_RULE`) whose error is
  below 1e-3 of the curve's largest value (tested against the default rule in
  ``tests/test_app_views.py``): a 400-pixel plot resolves 2.5e-3.

A model refusal (a parameter outside its domain, the high-field expansion outside its
validity) is caught per plot and returned as that plot's message: the other plots still draw.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from .. import models as cm
from ..constants import DEBYE_KV_PER_M_J
from ..ensembles import ATSEnsemble, Orientation, Rule
from ..errors import ColdglassError, InputError
from ..materials import DIELECTRIC, ECHO, GLYCEROL, LOSS, MATERIALS
from ..observables.echo import echo_relative_amplitude
from ..systems import twp_levels

__all__ = ["Control", "Curve", "Plot", "View", "Evaluator", "VIEWS", "VIEW_RULE", "LOSS_RULE",
           "N_POINTS", "view", "default_state", "preset_state"]

N_POINTS = 200
"""Points per curve."""

VIEW_RULE = Rule(n_u=6, n_v=4, v_panels=4)
"""Display rule of the ATS averages (heat capacity, magnetization, Δε'/ε): measured 1e-5 of
the curve's maximum or better on the presets against the default rule (~1e-8)."""
VIEW_ORIENTATION_NODES = 6
"""Gauss-Legendre nodes per panel of the exact orientation average in the views (the
package's default is 12): 1.3e-4 of the maximum or better on the presets and defaults."""
LOSS_RULE = Rule(n_u=12, n_v=8, v_panels=8)
"""Display rule of the relaxational kernels (Δ tan δ, and Δε'/ε with Γ > 0), which need more
nodes: 3e-4 of the maximum on the presets."""


@dataclass(frozen=True)
class Control:
    """One slider or switch.

    ``name`` is the state key (a model parameter where ``param`` names its table row, which
    then checks a typed value); ``unit`` is the unit of the *state* value; a control with
    ``display_scale`` shows ``value / display_scale`` (e.g. μs for seconds); ``log`` puts
    the slider on log10 of the displayed value; ``options`` makes it a choice."""

    name: str
    label: str
    unit: str
    value: float | str | bool
    start: float | None = None
    end: float | None = None
    step: float | None = None
    log: bool = False
    display_scale: float = 1.0
    options: tuple[str, ...] | None = None
    param: str | None = None
    help: str = ""
    positive: bool = False
    """Refuse values <= 0 (temperatures, frequencies, plot ranges)."""
    integer: bool = False

    @property
    def kind(self) -> str:
        if self.options is not None:
            return "choice"
        if isinstance(self.value, bool):
            return "switch"
        return "number"

    def check(self, value) -> float | str | bool:
        """The value if it is allowed (the parameter table's domain and the control's own
        kind), else an :class:`InputError` naming the control, its unit and range."""
        if self.kind == "choice":
            if value not in self.options:
                raise InputError(f"{self.label}: {value!r} is not one of {list(self.options)}")
            return value
        if self.kind == "switch":
            return bool(value)
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InputError(f"{self.label}: {value!r} is not a number") from None
        if not math.isfinite(v):
            raise InputError(f"{self.label} must be finite, got {value!r}")
        shown = f"{v / self.display_scale:g}"
        if self.param is not None:
            cm.spec(self.param).check(v, f"{self.label} ({self.param})")
        if (self.log or self.positive) and not v > 0:
            raise InputError(f"{self.label} must be > 0, got {shown}")
        if self.integer and v != round(v):
            raise InputError(f"{self.label} must be a whole number, got {shown}")
        return v


@dataclass(frozen=True)
class Curve:
    """One line of a plot: ``compute(state) -> (x, y)``, reading only ``depends``; if
    ``scale`` names a state key, y is linear in it: the evaluator computes it with that key
    set to 1 and multiplies (``compute`` itself always returns the curve of the state)."""

    key: str
    label: str
    compute: Callable[[Mapping], tuple[np.ndarray, np.ndarray]]
    depends: tuple[str, ...]
    scale: str | None = None
    parts_of: tuple[str, ...] = ()
    """A total: the sum of the curves named here (of the same plot), not computed itself."""


@dataclass(frozen=True)
class Plot:
    key: str
    title: str
    x_label: str
    y_label: str
    curves: tuple[Curve, ...]
    x_log: bool = False
    y_log: bool = False
    note: str = ""


@dataclass(frozen=True)
class View:
    key: str
    title: str
    controls: tuple[Control, ...]
    plots: tuple[Plot, ...]
    presets: Mapping[str, Mapping[str, float | str | bool]] = field(default_factory=dict)
    note: str = ""

    def control(self, name: str) -> Control:
        for c in self.controls:
            if c.name == name:
                return c
        raise InputError(f"view {self.key!r} has no control {name!r}; controls: "
                         + ", ".join(c.name for c in self.controls))


def default_state(v: View) -> dict:
    """Every control at its default value."""
    return {c.name: c.value for c in v.controls}


def preset_state(v: View, name: str) -> dict:
    """The default state with a preset (a material of the paper's tables) applied."""
    if name not in v.presets:
        raise InputError(f"view {v.key!r} has no preset {name!r}; presets: {list(v.presets)}")
    return default_state(v) | dict(v.presets[name])


# --------------------------------------------------------------------------- evaluation

_REFUSALS = (ColdglassError, ValueError, ArithmeticError)
"""What a model may raise for a state outside its domain (refusals and overflows): shown as
the plot's message, never a traceback."""


class Evaluator:
    """Evaluates a view's curves for a state, recomputing only what the state change needs.

    ``evaluate(view, state)`` returns ``(curves, errors)``: curve key -> (x, y) and plot key
    -> message for plots whose model refused the state. ``computed`` counts the curve
    computations actually done (the rest came from the cache)."""

    def __init__(self, max_entries: int = 512) -> None:
        self._cache: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.max_entries = max_entries
        self.computed = 0

    def _key(self, curve: Curve, state: Mapping) -> tuple:
        return (curve.key,) + tuple((k, state[k]) for k in curve.depends if k != curve.scale)

    def curve(self, curve: Curve, state: Mapping) -> tuple[np.ndarray, np.ndarray]:
        """One curve (from the cache where its inputs were seen before; a refusal is
        cached too and raised again)."""
        key = self._key(curve, state)
        hit = self._cache.get(key)
        if hit is None:
            unit = dict(state) | ({curve.scale: 1.0} if curve.scale else {})
            try:
                x, y = curve.compute(unit)
                hit = (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
            except _REFUSALS as exc:
                hit = exc
            self._cache[key] = hit
            self.computed += 1
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        if isinstance(hit, BaseException):
            raise hit
        x, y = hit
        return x, (y * float(state[curve.scale]) if curve.scale else y)

    def evaluate(self, v: View, state: Mapping, plots: tuple[str, ...] | None = None
                 ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, str]]:
        missing = [c.name for c in v.controls if c.name not in state]
        if missing:
            raise InputError(f"state of view {v.key!r} lacks {missing}")
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        errors: dict[str, str] = {}
        for p in v.plots:
            if plots is not None and p.key not in plots:
                continue
            try:
                got = {}
                for c in p.curves:
                    if c.parts_of:
                        x = got[c.parts_of[0]][0]
                        got[c.key] = (x, np.sum([got[k][1] for k in c.parts_of], axis=0))
                    else:
                        got[c.key] = self.curve(c, state)
            except _REFUSALS as exc:
                errors[p.key] = (str(exc) if isinstance(exc, ColdglassError | ValueError)
                                 else f"{type(exc).__name__}: {exc}")
                continue
            out |= got
        return out, errors


def reference_evaluate(v: View, state: Mapping) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every curve of the view straight from the public API (no cache, no amplitude
    factoring): the reference of ``benchmarks/bench_explore.py``."""
    out = {}
    for p in v.plots:
        for c in p.curves:
            if c.parts_of:
                x = out[c.parts_of[0]][0]
                out[c.key] = (x, np.sum([out[k][1] for k in c.parts_of], axis=0))
            else:
                x, y = c.compute(state)
                out[c.key] = (np.asarray(x, float), np.asarray(y, float))
    return out


# ------------------------------------------------------------------------------ helpers


def _grid(lo: float, hi: float, log: bool = False) -> np.ndarray:
    if not hi > lo:
        raise InputError(f"the plot range must run from a lower to a higher value, got "
                         f"{lo:g} .. {hi:g}")
    if log:
        return np.logspace(np.log10(lo), np.log10(hi), N_POINTS)
    return np.linspace(lo, hi, N_POINTS)


def _ens(s: Mapping) -> ATSEnsemble:
    a = _ats(s)
    return ATSEnsemble(Dmin=a["Dmin"], D0min=a["X0min"], D0max=a["X0max"])


def _orientation(s: Mapping) -> Orientation | str:
    """The state's orientation average, the exact one with the display node count."""
    o = s["orientation"]
    return Orientation("exact", n=VIEW_ORIENTATION_NODES) if o == "exact" else o


def _ats(s: Mapping) -> dict:
    if not s["X0max"] > s["X0min"]:
        raise InputError(f"X0max ({s['X0max']:g} K Å²) must exceed X0min ({s['X0min']:g} K Å²)")
    return {"Dmin": s["Dmin"], "X0min": s["X0min"], "X0max": s["X0max"]}


ORIENTATION = Control("orientation", "orientation average", "", "shortcut",
                      options=("exact", "shortcut", "none"),
                      help="shortcut: the paper's φ² → φ²/3, the convention its tables were "
                           "fitted in (every view starts from a table); exact: φ → φ cos β "
                           "averaged, the package's default elsewhere")
ATS_CUTOFFS = (
    Control("Dmin", "Dmin [K]", "K", 0.49, 0.001, 2.0, 0.001, param="Dmin",
            help="lower cutoff of the asymmetry D (Eq. 10)"),
    Control("X0min", "X0min [K Å²]", "K A^2", 4.77e4, 1e2, 1e7, 0.01, log=True,
            param="X0min", help="D0min |q/e| S, the paper's fit combination (Eq. 10)"),
    Control("X0max", "X0max [K Å²]", "K A^2", 3.09e5, 1e2, 1e7, 0.01, log=True,
            param="X0max"),
)


def _conc(name: str, label: str, value: float, param: str) -> Control:
    return Control(name, f"{label} [g⁻¹]", "g^-1", value, 1e13, 1e19, 0.01, log=True,
                   param=param)


def _concentrations(n_fe2: float, n_fe3: float, Pn: float) -> tuple[Control, ...]:
    """The three densities of the paper's glasses (Fe²⁺, Fe³⁺ and P*n_ATS per gram)."""
    return (_conc("n_fe2", "n(Fe²⁺)", n_fe2, "n"), _conc("n_fe3", "n(Fe³⁺)", n_fe3, "n"),
            _conc("Pn", "P*n_ATS", Pn, "Pn"))


# ------------------------------------------------------------------ spectrum and DOS view


def _levels(k: int):
    def f(s):
        phi = np.linspace(-2 * np.pi, 2 * np.pi, N_POINTS)
        return phi / np.pi, twp_levels(s["E1"], s["E2"], s["E3"], 1.0, phi)[:, k]
    return f


def _dos_E(which: str):
    def f(s):
        E = _grid(0.0, s["E_max"])
        B = 0.0 if which == "zero" else s["B"]
        return E, _ens(s).dos(E, B, orientation=s["orientation"])
    return f


def _dos_B(s):
    B = _grid(0.0, s["B_max"])
    return B, _ens(s).dos(s["E"], B, orientation=s["orientation"])


_CUT = ("Dmin", "X0min", "X0max", "orientation")
SPECTRUM = View(
    "spectrum", "Spectrum & DOS",
    controls=(
        Control("E1", "E1 [D0]", "D0", 0.0, -1.0, 1.0, 0.01, help="well asymmetry (Eq. 6)"),
        Control("E2", "E2 [D0]", "D0", 0.0, -1.0, 1.0, 0.01),
        Control("E3", "E3 [D0]", "D0", 0.0, -1.0, 1.0, 0.01),
        *ATS_CUTOFFS, ORIENTATION,
        Control("B", "B [T]", "T", 0.5, 0.0, 10.0, 0.01),
        Control("E", "E [K] (DOS vs B)", "K", 0.8, 0.01, 5.0, 0.01, positive=True),
        Control("E_max", "E range [K]", "K", 3.0, 0.1, 20.0, 0.1, positive=True),
        Control("B_max", "B range [T]", "T", 4.0, 0.1, 20.0, 0.1, positive=True),
    ),
    plots=(
        Plot("levels", "Fig. 4: three-well levels vs A-B phase (D0 = 1)", "φ/π", "E_k / D0",
             tuple(Curve(f"levels:E{k}", f"level {k}", _levels(k), ("E1", "E2", "E3"))
                   for k in range(3))),
        Plot("dos_E", "Fig. 5: ATS DOS vs gap E", "E [K]", "g_ATS [K⁻¹ per P*n_ATS]", (
            Curve("dos_E:B", "at B", _dos_E("B"), _CUT + ("B", "E_max")),
            Curve("dos_E:0", "B = 0", _dos_E("zero"), _CUT + ("E_max",)))),
        Plot("dos_B", "Fig. 6: ATS DOS vs field at gap E", "B [T]",
             "g_ATS [K⁻¹ per P*n_ATS]",
             (Curve("dos_B:g", "g(E, B)", _dos_B, _CUT + ("E", "B_max")),)),
    ),
    presets={f"{m} (C̄p fit at {r.T:g} K)": {"Dmin": r.Dmin, "X0min": r.X0min,
                                            "X0max": r.X0max, "orientation": "shortcut"}
             for m in ("BAS", "Duran") for r in MATERIALS[m].heat_capacity.rows[:1]},
    note="Figs. 4-6. DOS per unit P*n_ATS (Eq. 13); X0 = D0|q/e|S in K Å² with B in tesla.",
)


# ------------------------------------------------------------------------ heat capacity


def _ordered(s: Mapping, lo: str, hi: str, what: str, scale: float, unit: str) -> None:
    """A plot range from ``lo`` to ``hi`` must run upwards (the message in the controls'
    unit)."""
    if not s[hi] > s[lo]:
        raise InputError(f"the {what} range must run upwards: from {s[lo] / scale:g} {unit} to "
                         f"{s[hi] / scale:g} {unit}")


def _kw(s: Mapping, fixed: dict) -> dict:
    """Keyword values: a string names a state key, anything else is the value itself."""
    return {k: (s[v] if isinstance(v, str) else v) for k, v in fixed.items()}


def _vs_T(term, **fixed):
    """A curve vs T on the log grid T_lo..T_hi at the field B."""
    def f(s):
        _ordered(s, "T_lo", "T_hi", "T", 1.0, "K")
        T = _grid(s["T_lo"], s["T_hi"], log=True)
        return T, term(T, s["B"], **_kw(s, fixed))
    return f


def _vs_B(term, **fixed):
    """A curve vs B on 0..B_max at the temperature T."""
    def f(s):
        B = _grid(0.0, s["B_max"])
        return B, term(s["T"], B, **_kw(s, fixed))
    return f


def _cpB(term, **fixed):
    return _vs_B(term, B_ref="B_ref", **fixed)


def _display(kw: dict) -> dict:
    return kw | {"orientation": _orientation(kw)}


def _cp_ats(T, B, **kw):
    return cm.cp_ats(T, B, rule=VIEW_RULE, **_display(kw))


def _cp_bar_ats(T, B, **kw):
    return cm.cp_bar_ats(T, B, rule=VIEW_RULE, **_display(kw))


_ATS_KW = {k: k for k in ("Pn", "Dmin", "X0min", "X0max", "orientation")}
"""The ATS term's keywords, each read from the state key of the same name."""


def _checked(f):
    """Run the cutoff check (X0max > X0min) before the model: the term itself would refuse
    it too, but with the internal names."""
    def g(s):
        _ats(s)
        return f(s)
    return g


_TB = ("T_lo", "T_hi", "B")
_BT = ("B_max", "T", "B_ref")
_ATSD = ("Pn", "Dmin", "X0min", "X0max", "orientation")
_bas, _duran = MATERIALS["BAS"].heat_capacity, MATERIALS["Duran"].heat_capacity
HEAT = View(
    "heat", "Heat capacity",
    controls=(
        Control("T", "T [K] (C̄p vs B)", "K", 0.6, 0.01, 10.0, 0.01, positive=True),
        Control("B", "B [T] (Cp vs T)", "T", 1.0, 0.0, 15.0, 0.01),
        *_concentrations(_bas.n_fe2, _bas.n_fe3, _bas.Pn_ats),
        *ATS_CUTOFFS, ORIENTATION,
        Control("P_bar", "2LS P̄ [K⁻¹ g⁻¹]", "K^-1 g^-1", 1e16, 1e13, 1e19, 0.01, log=True,
                param="P_bar", help="illustrative (the paper fits C̄p, where it cancels)"),
        Control("gamma_ph", "phonons γ_ph [J g⁻¹ K⁻⁴]", "J g^-1 K^-4", 1e-6, 1e-9, 1e-3, 0.01,
                log=True, param="gamma_ph", help="illustrative"),
        Control("B_ref", "B_ref of C̄p [T]", "T", 8.0, 0.0, 20.0, 0.1, param="B_ref"),
        Control("T_lo", "T from [K]", "K", 0.05, 0.001, 10.0, 0.001, positive=True),
        Control("T_hi", "T to [K]", "K", 5.0, 0.01, 100.0, 0.01, positive=True),
        Control("B_max", "B range [T]", "T", 8.0, 0.1, 20.0, 0.1, positive=True),
    ),
    plots=(
        Plot("cp_T", "Cp(T) at field B, with its parts", "T [K]", "Cp [J g⁻¹ K⁻¹]", (
            Curve("cp_T:phonons", "phonons γT³", _vs_T(cm.cp_phonons, gamma_ph="gamma_ph"),
                  _TB + ("gamma_ph",), scale="gamma_ph"),
            Curve("cp_T:2LS", "2LS (π²/6)P̄k_B²T", _vs_T(cm.cp_tls, P_bar="P_bar"), _TB + ("P_bar",),
                  scale="P_bar"),
            Curve("cp_T:Fe2+", "Fe²⁺", _vs_T(partial(cm.cp_paramagnet, species="Fe2+"), n="n_fe2"),
                  _TB + ("n_fe2",), scale="n_fe2"),
            Curve("cp_T:Fe3+", "Fe³⁺", _vs_T(partial(cm.cp_paramagnet, species="Fe3+"), n="n_fe3"),
                  _TB + ("n_fe3",), scale="n_fe3"),
            Curve("cp_T:ATS", "ATS", _checked(_vs_T(_cp_ats, **_ATS_KW)), _TB + _ATSD,
                  scale="Pn"),
            Curve("cp_T:total", "total", lambda s: None, (), parts_of=(
                "cp_T:phonons", "cp_T:2LS", "cp_T:Fe2+", "cp_T:Fe3+", "cp_T:ATS")),
        ), x_log=True, y_log=True),
        Plot("cpbar_B", "C̄p(B) = Cp(B) − Cp(B_ref) at T", "B [T]", "C̄p [J g⁻¹ K⁻¹]", (
            Curve("cpbar_B:Fe2+", "Fe²⁺", _cpB(partial(cm.cp_bar_paramagnet,
                                                             species="Fe2+"), n="n_fe2"),
                  _BT + ("n_fe2",), scale="n_fe2"),
            Curve("cpbar_B:Fe3+", "Fe³⁺", _cpB(partial(cm.cp_bar_paramagnet,
                                                             species="Fe3+"), n="n_fe3"),
                  _BT + ("n_fe3",), scale="n_fe3"),
            Curve("cpbar_B:ATS", "ATS", _checked(_cpB(_cp_bar_ats, **_ATS_KW)), _BT + _ATSD,
                  scale="Pn"),
            Curve("cpbar_B:total", "total", lambda s: None, (), parts_of=(
                "cpbar_B:Fe2+", "cpbar_B:Fe3+", "cpbar_B:ATS")),
        )),
    ),
    presets={f"{name} (Tables {tab}, {r.T:g} K)": {
        "T": r.T, "n_fe2": hc.n_fe2, "n_fe3": hc.n_fe3, "Pn": hc.Pn_ats, "Dmin": r.Dmin,
        "X0min": r.X0min, "X0max": r.X0max, "orientation": hc.orientation}
        for name, hc, tab in (("BAS", _bas, "1-2"), ("Duran", _duran, "3-4")) for r in hc.rows},
    note="Eqs. 12-20. The paper's C̄p parameters (Tables 1-4) were fitted under the shortcut "
         "orientation average; P̄ and γ_ph are illustrative.",
)


# ------------------------------------------------------------------------ magnetization


def _m_ats(T, B, **kw):
    return cm.m_ats(T, B, rule=VIEW_RULE, **_display(kw))


_M_ATS = _ATS_KW | {"B_star": "B_star", "E0": "E0", "T0": "T0", "prefactor": "prefactor",
                      "high_field": "high_field"}
_M_ATSD = _ATSD + ("B_star", "E0", "T0", "prefactor", "high_field")
_MB = ("B_max", "T")
_MT = ("T_lo", "T_hi", "B")


def _m_parts(prefix: str, grid: Callable, dep: tuple[str, ...]) -> tuple[Curve, ...]:
    return (
        Curve(f"{prefix}:Fe2+", "Fe²⁺", grid(partial(cm.m_paramagnet, species="Fe2+"), n="n_fe2"),
              dep + ("n_fe2",), scale="n_fe2"),
        Curve(f"{prefix}:Fe3+", "Fe³⁺", grid(partial(cm.m_paramagnet, species="Fe3+"), n="n_fe3"),
              dep + ("n_fe3",), scale="n_fe3"),
        Curve(f"{prefix}:ATS", "ATS", _checked(grid(_m_ats, **_M_ATS)), dep + _M_ATSD,
              scale="Pn"),
        Curve(f"{prefix}:offset", "diamagnetic offset", grid(cm.m_offset, M0="M0"), dep + ("M0",),
              scale="M0"),
        Curve(f"{prefix}:total", "total", lambda s: None, (), parts_of=tuple(
            f"{prefix}:{k}" for k in ("Fe2+", "Fe3+", "ATS", "offset"))),
    )


def _m_preset(name: str) -> dict:
    m = MATERIALS[name].magnetization
    return {"n_fe2": m.n_fe2, "n_fe3": m.n_fe3, "Pn": m.Pn_ats, "Dmin": m.Dmin,
            "X0min": m.X0min, "X0max": m.X0max, "B_star": m.B_star, "E0": m.E0, "T0": m.T0,
            "M0": m.offset, "orientation": m.orientation, "prefactor": "printed",
            "high_field": True}


_bm = MATERIALS["BAS"].magnetization
MAGNETIZATION = View(
    "magnetization", "Magnetization",
    controls=(
        Control("T", "T [K] (M vs B)", "K", 1.0, 0.05, 10.0, 0.01, positive=True),
        Control("B", "B [T] (M vs T)", "T", 1.0, 0.01, 10.0, 0.01),
        *_concentrations(_bm.n_fe2, _bm.n_fe3, _bm.Pn_ats),
        Control("Dmin", "Dmin [K]", "K", _bm.Dmin, 0.001, 2.0, 0.001, param="Dmin"),
        Control("X0min", "X0min [K Å²]", "K A^2", _bm.X0min, 1e2, 1e7, 0.01, log=True,
                param="X0min"),
        Control("X0max", "X0max [K Å²]", "K A^2", _bm.X0max, 1e2, 1e7, 0.01, log=True,
                param="X0max"),
        ORIENTATION,
        Control("B_star", "B* [T] (Eq. 95)", "T", _bm.B_star, 0.01, 20.0, 0.01, param="B_star"),
        Control("E0", "E0 [K] (Eq. 97)", "K", _bm.E0, -2.0, 2.0, 0.01, param="E0"),
        Control("T0", "T0 [K] (Eq. 97)", "K", _bm.T0, 0.01, 10.0, 0.01, param="T0"),
        Control("M0", "offset M0 [10⁻⁶ A m² g⁻¹]", "A m^2 g^-1", _bm.offset, -1e-4, 1e-4, 1e-7,
                param="M0", display_scale=1e-6),
        Control("prefactor", "Eq. (94) prefactor", "", "printed",
                options=("derived", "printed"),
                help="printed: the paper's 2π, with which Tables 10, 11, 14 reproduce its "
                     "curves; derived: π, from M = −∂F/∂B (half the ATS part)"),
        Control("high_field", "high-field correction (B*)", "", True),
        Control("T_lo", "T from [K]", "K", 1.0, 0.01, 10.0, 0.01, positive=True),
        Control("T_hi", "T to [K]", "K", 5.0, 0.05, 100.0, 0.01, positive=True),
        Control("B_max", "B range [T]", "T", 4.0, 0.1, 20.0, 0.1, positive=True),
    ),
    plots=(
        Plot("m_B", "M(B) at T, with its parts", "B [T]", "M [A m² g⁻¹]",
             _m_parts("m_B", _vs_B, _MB)),
        Plot("m_T", "M(T) at B, with its parts", "T [K]", "M [A m² g⁻¹]",
             _m_parts("m_T", _vs_T, _MT), x_log=True),
    ),
    presets={f"{name} (Table {tab})": _m_preset(name)
             for name, tab in (("BAS", 10), ("Duran", 11), ("BK7", 14))},
    note="Eq. (90) for Fe²⁺/Fe³⁺, Eqs. (94)-(97) for the ATS. With E0 ≠ 0 the Eq. (97) "
         "scaling shrinks B* at low T; where the high-field expansion leaves its domain the "
         "plot says so.",
)


# --------------------------------------------------------------------------- dielectric


def _deps(s, Gamma: float):
    B = _grid(0.0, s["B_max"])
    return B, cm.deps_ats(s["T"], B, K=s["K"], Gamma=Gamma, frequency_Hz=s["f"],
                          nw=int(s["nw"]), orientation=_orientation(s),
                          rule=LOSS_RULE if Gamma > 0 else VIEW_RULE, **_ats(s))


def _deps_resonant(s):
    """The resonant part of Δε'/ε (no relaxation, Γ = 0: the Table 5/6 fits)."""
    return _deps(s, 0.0)


def _deps_relaxational(s):
    """The relaxational part: Δε'/ε with the rate Γ minus the resonant part (zero when the
    relaxation switch is off)."""
    B, res = _deps(s, 0.0)
    if not s["relax"]:
        return B, np.zeros_like(res)
    return B, _deps(s, s["Gamma"])[1] - res


def _dtand(s):
    B = _grid(0.0, s["B_max"])
    return B, cm.dtand_ats(s["T"], B, s["f"], K=s["K"], Gamma=s["Gamma"], nw=int(s["nw"]),
                           orientation=_orientation(s), rule=LOSS_RULE, **_ats(s))


def _diel_preset(row) -> dict:
    """A row of Tables 5-7: the Δε'/ε fits (5, 6) have no relaxation (Γ not fitted), the
    loss fits (7) their Γ."""
    out = {"T": row.T, "K": row.K, "Dmin": row.Dmin, "X0min": row.X0min, "X0max": row.X0max,
           "orientation": row.orientation, "relax": row.Gamma is not None}
    if row.Gamma is not None:
        out["Gamma"] = row.Gamma
    return out


_b5 = DIELECTRIC["BAS"][0]
_DIEL = ("T", "B_max", "Gamma", "f", "nw", "Dmin", "X0min", "X0max", "orientation")
_DIEL_RES = ("T", "B_max", "f", "nw", "Dmin", "X0min", "X0max", "orientation")
DIELECTRIC_VIEW = View(
    "dielectric", "Dielectric",
    controls=(
        Control("T", "T [K]", "K", _b5.T, 0.005, 1.0, 0.001, positive=True),
        Control("f", "frequency f [Hz]", "Hz", 1e3, 1.0, 1e10, 0.01, log=True),
        Control("relax", "relaxation in Δε'/ε (rate Γ)", "", False,
                help="off: the resonant part only, as Tables 5-6 were fitted"),
        Control("K", "K (Eq. 51)", "1", _b5.K, 1e-8, 1e-3, 0.01, log=True, param="K"),
        Control("Dmin", "Dmin [K]", "K", _b5.Dmin, 0.001, 1.0, 0.0001, param="Dmin"),
        Control("X0min", "X0min [K Å²]", "K A^2", _b5.X0min, 10.0, 1e7, 0.01, log=True,
                param="X0min"),
        Control("X0max", "X0max [K Å²]", "K A^2", _b5.X0max, 10.0, 1e7, 0.01, log=True,
                param="X0max"),
        Control("Gamma", "Γ [s⁻¹ K⁻⁵] (Eq. 55)", "s^-1 K^-5", 4e9, 1e5, 1e13, 0.01, log=True,
                param="Gamma"),
        Control("nw", "wells nw (Eq. 45)", "1", 3.0, 2.0, 12.0, 1.0, param="nw", integer=True),
        Control("orientation", "orientation average", "", "shortcut",
                options=("exact", "shortcut", "none"),
                help="shortcut: the convention of Tables 5-7; the exact average of the "
                     "relaxational kernels costs ~40× more here (a few tenths of a second)"),
        Control("B_max", "B range [T]", "T", 0.6, 0.01, 5.0, 0.01, positive=True),
    ),
    plots=(
        Plot("deps_B", "Δε'/ε(B) at T (Eqs. 51-54)", "B [T]", "Δε'/ε [1]", (
            Curve("deps_B:resonant", "ATS resonant", _deps_resonant, _DIEL_RES, scale="K"),
            Curve("deps_B:relaxational", "ATS relaxational (Γ)", _deps_relaxational,
                  _DIEL + ("relax",), scale="K"),
            Curve("deps_B:total", "total", lambda s: None, (),
                  parts_of=("deps_B:resonant", "deps_B:relaxational")))),
        Plot("dtand_B", "Δ tan δ(B) at T and f (Eqs. 55-61)", "B [T]", "Δ tan δ [1]",
             (Curve("dtand_B:ATS", "ATS", _dtand, _DIEL, scale="K"),)),
    ),
    presets={f"{r.material} Δε' (Table {'6' if r.material.startswith('SiO2') else '5'}, "
             f"{r.T * 1e3:g} mK)": _diel_preset(r) for rows in DIELECTRIC.values() for r in rows}
    | {f"{r.material} loss (Table 7, {r.T * 1e3:g} mK)": _diel_preset(r)
       for rows in LOSS.values() for r in rows},
    note="The ATS magnetodielectric effect. Table 7's measuring frequency is not stated "
         "(kHz range): 1 kHz here.",
)


# --------------------------------------------------------------------------------- echo


def _echo(s):
    """A(B)/A_2LS at W = 1. The shortcut and unaveraged forms are the model function
    :func:`coldglass.models.echo_ats`; the exact orientation average is its observable with
    the default node layout (``n=None``: one integral over the phase energy, 1e-7 of the
    largest ΔA), which costs ~0.3 s where the model function's tensor rule (n = 48, the
    fits' layout) costs 10-20 s and differs from it by ~2 % of the curve's range."""
    B = _grid(0.0, s["B_max"])
    if s["orientation"] != "exact":
        return B, cm.echo_ats(s["T"], B, W=1.0, p1F0=s["p1F0"], Gamma_echo=s["Gamma_echo"],
                              tan_phase=s["tan_phase"], tau12_s=s["tau12"],
                              frequency_Hz=s["f_echo"], orientation=s["orientation"],
                              **_ats(s))
    for k in ("T", "tau12", "f_echo", "p1F0", "Gamma_echo", "tan_phase"):
        VIEWS["echo"].control(k).check(s[k])
    return B, echo_relative_amplitude(
        B, _ens(s), weight=1.0, omega=2 * np.pi * s["f_echo"], T=s["T"],
        p1F0_J=s["p1F0"] * DEBYE_KV_PER_M_J, tau1=1e-7, tau2=2e-7, tau12=s["tau12"],
        tau_phi=1e300, Gamma=s["Gamma_echo"] if s["Gamma_echo"] > 0 else None,
        tan_phase=s["tan_phase"], orientation="exact", n=None)


def _echo_ats_part(s):
    """The ATS part of A/A_2LS, ``-W ΔA(B)/ΔA(0)`` (linear in W)."""
    B, y = _echo(s)
    return B, -s["W"] * (1.0 - y)


def _iea(term, **kw):
    def f(s):
        _ordered(s, "tau12_lo", "tau12_hi", "τ12", 1e-6, "μs")
        t = _grid(s["tau12_lo"], s["tau12_hi"])
        return t * 1e6, term(t, **{k: s[v] for k, v in kw.items()})
    return f


def _echo_preset(row) -> dict:
    """A row of Table 8. Γ stays 0: its Γ⁻¹ column, read as μs K⁵ (materials.EchoRow),
    makes the ATS rate negligible."""
    return {"Dmin": row.Dmin, "X0min": row.X0min, "X0max": row.X0max, "p1F0": row.p1F0_DkV,
            "tan_phase": row.tan_phase, "f_echo": row.frequency, "orientation": row.orientation}


_e1 = ECHO["BAS sample 1"]
_ECHO = ("T", "B_max", "p1F0", "Gamma_echo", "tan_phase", "tau12", "f_echo", "Dmin", "X0min",
         "X0max", "orientation")
_IEA_T = ("tau12_lo", "tau12_hi")
ECHO_VIEW = View(
    "echo", "Echo",
    controls=(
        Control("T", "T [K]", "K", 0.015, 0.002, 0.2, 0.001, positive=True),
        Control("W", "ATS share W", "1", 0.3, 0.0, 2.0, 0.01, param="W"),
        Control("Dmin", "Dmin [K]", "K", _e1.Dmin, 0.001, 0.2, 0.0001, param="Dmin"),
        Control("X0min", "X0min [K Å²]", "K A^2", _e1.X0min, 10.0, 1e6, 0.01, log=True,
                param="X0min"),
        Control("X0max", "X0max [K Å²]", "K A^2", _e1.X0max, 10.0, 1e6, 0.01, log=True,
                param="X0max"),
        Control("p1F0", "p1F0 [D kV/m]", "D kV/m", _e1.p1F0_DkV, 0.01, 5.0, 0.01, param="p1F0"),
        Control("Gamma_echo", "Γ [s⁻¹ K⁻⁵]", "s^-1 K^-5", 0.0, 0.0, 1e12, 1e9,
                param="Gamma_echo", help="ATS rate (Eq. 55); 0: none"),
        Control("tan_phase", "tan(ωΔτ) (Eq. 66)", "1", _e1.tan_phase, -2.0, 2.0, 0.001,
                param="tan_phase"),
        Control("tau12", "τ12 [μs]", "s", 3e-6, 0.2e-6, 20e-6, 0.1e-6, display_scale=1e-6,
                positive=True),
        Control("f_echo", "echo frequency [GHz]", "Hz", _e1.frequency, 0.1e9, 5e9, 0.01e9,
                display_scale=1e9, positive=True),
        Control("orientation", "orientation average", "", "shortcut",
                options=("exact", "shortcut", "none"),
                help="shortcut: the convention of Table 8; the exact average costs ~2× more"),
        Control("B_max", "B range [T]", "T", 0.6, 0.01, 3.0, 0.01, positive=True),
        Control("C2LS", "IEA: C2LS", "1", 1.0, 0.0, 5.0, 0.01, param="C2LS"),
        Control("KATS", "IEA: K_ATS", "1", 0.5, 0.0, 5.0, 0.01, param="KATS"),
        Control("tau_phi3", "IEA: τφ(3) [μs]", "s", GLYCEROL["tau_phi3"], 0.05e-6, 20e-6,
                0.01e-6, display_scale=1e-6, param="tau_phi3"),
        Control("tau_phi2", "IEA: τφ(2) [μs]", "s", GLYCEROL["tau_phi2"], 0.1e-6, 100e-6,
                0.1e-6, display_scale=1e-6, param="tau_phi2"),
        Control("delta_omega", "IEA: Δω [10⁶ rad/s]", "rad/s", GLYCEROL["delta_omega"], -10e6,
                10e6, 0.01e6, display_scale=1e6, param="delta_omega"),
        Control("tau12_lo", "τ12 from [μs]", "s", 0.05e-6, 0.01e-6, 10e-6, 0.01e-6,
                display_scale=1e-6, positive=True),
        Control("tau12_hi", "τ12 to [μs]", "s", 12e-6, 0.5e-6, 100e-6, 0.1e-6,
                display_scale=1e-6, positive=True),
    ),
    plots=(
        Plot("echo_B", "Echo amplitude A(B)/A_2LS (Sec. 6.2)", "B [T]", "A / A_2LS [1]", (
            Curve("echo_B:ATS", "ATS part −W ΔA(B)/ΔA(0)", _echo_ats_part, _ECHO, scale="W"),
            Curve("echo_B:2LS", "2LS (= 1)", lambda s: (_grid(0, s["B_max"]),
                                                        np.ones(N_POINTS)), ("B_max",)),
            Curve("echo_B:total", "A/A_2LS", lambda s: None, (),
                  parts_of=("echo_B:2LS", "echo_B:ATS")),
        )),
        Plot("iea", "Integrated echo amplitude IEA(τ12) at B = 0 (Eq. 87)", "τ12 [μs]",
             "IEA [arb.]", (
                 Curve("iea:2LS", "2LS", _iea(cm.iea_2ls, C2LS="C2LS", tau_phi2="tau_phi2"),
                       _IEA_T + ("C2LS", "tau_phi2")),
                 Curve("iea:ATS", "ATS", _iea(cm.iea_ats, KATS="KATS", tau_phi3="tau_phi3",
                                              delta_omega="delta_omega"),
                       _IEA_T + ("KATS", "tau_phi3", "delta_omega")),
                 Curve("iea:total", "total", lambda s: None, (),
                       parts_of=("iea:2LS", "iea:ATS")))),
    ),
    presets={f"{k} (Table 8)": _echo_preset(r) | (
        {"tau12": r.tau12} if r.tau12 is not None else {}) for k, r in ECHO.items()}
    | {"glycerol-d3 IEA (Fig. 20)": {"tau_phi3": GLYCEROL["tau_phi3"],
                                     "tau_phi2": GLYCEROL["tau_phi2"],
                                     "delta_omega": GLYCEROL["delta_omega"]}},
    note="A(B)/A_2LS = 1 − W ΔA(B)/ΔA(0). Not stated in the paper: W, T and (for AlBaSiO) τ12; "
         "pulses τ2 = 2τ1 = 0.2 μs.",
)


VIEWS: dict[str, View] = {v.key: v for v in (SPECTRUM, HEAT, MAGNETIZATION, DIELECTRIC_VIEW,
                                             ECHO_VIEW)}


def view(key: str) -> View:
    """A view by key (``spectrum``, ``heat``, ``magnetization``, ``dielectric``, ``echo``)."""
    if key not in VIEWS:
        raise InputError(f"no view {key!r}; views: {list(VIEWS)}")
    return VIEWS[key]
