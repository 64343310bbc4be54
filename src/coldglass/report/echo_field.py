"""The polarization echo in a magnetic field (paper Sec. 6.2): Figs. 16-17 from Table 8.

The paper leaves open what the curves need besides Table 8: the unit of the Γ⁻¹ column, τ12
for AlBaSiO, the temperatures, the ATS share W, and the orientation average (the missing
Eqs. 73 and 76). :data:`ECHO_READINGS` lists the readings computed side by side; every curve
is ``A(B)/A_2LS = 1 - W(T) ΔA(B)/ΔA(0)`` of
:func:`coldglass.observables.echo.echo_relative_amplitude` (the physics: the Rabi frequency of
Eq. 72, the finite-pulse echo term of Eq. 77 over the full detuning window, the ATS rate of
Eq. 55 in the decay of Eq. 78, the dephasing difference c_ATS - c_2LS of Eq. 79 in W(T), the
orientation average) — nothing smoothed. :func:`curve_features` measures what the paper
describes, and the claims are decided from those numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..materials import ECHO
from ..observables.echo import echo_relative_amplitude
from ..plotting import tex_label
from ._common import Claim, Part, check, legend_outside, markdown_table, save_figure

__all__ = ["ECHO_ASSUMPTIONS", "ECHO_READINGS", "ECHO_DEFAULT", "echo_curve", "curve_features",
           "reading_features", "plot_fig16", "plot_fig17", "plot_readings",
           "section_figs_16_17"]


ECHO_ASSUMPTIONS = {
    "T_BAS": (0.010, 0.015, 0.020),  # "three temperatures" (Fig. 16): not stated; 10-20 mK
    "T_BK7": 0.012,  # Fig. 13(b): the BK7 echo data were taken at 12 mK
    "weight": 0.3,  # ATS share |ΔA(0)|/A_2LS at weight_T: not in Table 8 (a fit amplitude)
    "weight_T_BAS": 0.015,  # W is the share at the middle temperature
    "tau1": 0.1e-6, "tau2": 0.2e-6,  # τ2 = 2τ1 = 0.2 μs (captions of Figs. 16-17)
    "B_star_BK7": 1.30,  # T, BK7 magnetization fit (Table 14): the inset's B*
}
"""What Figs. 16-17 need but Table 8 does not give, and why each value."""

ECHO_READINGS: dict[str, dict] = {
    "shortcut, Γ inverse, W const (old)": dict(
        orientation="shortcut", gamma="inverse", share="constant", tau12_BAS=3e-6,
        why="the previous default: the paper's φ²→φ²/3, Γ⁻¹ read in μs K⁵ (no phonon "
            "damping), W the same at every T"),
    "exact, Γ inverse, W const": dict(
        orientation="exact", gamma="inverse", share="constant", tau12_BAS=2e-6,
        why="the exact orientation average alone"),
    "exact, Γ inverse, W(T)": dict(
        orientation="exact", gamma="inverse", share="T", tau12_BAS=2e-6,
        why="plus W(T) from the dephasing difference c_ATS - c_2LS (Eq. 79)"),
    "shortcut, Γ printed, W(T), τ12 1 μs": dict(
        orientation="shortcut", gamma="printed", share="T", tau12_BAS=1e-6,
        why="the default's physics with the paper's orientation shortcut"),
    "exact, Γ printed, W(T), τ12 2 μs": dict(
        orientation="exact", gamma="printed", share="T", tau12_BAS=2e-6,
        why="τ12 = 2 μs for AlBaSiO from the caption of Fig. 13(a) ('2 ms' read as μs)"),
    "exact, Γ printed, W(T), τ12 1 μs": dict(
        orientation="exact", gamma="printed", share="T", tau12_BAS=1e-6,
        why="default: every mechanism the derivation implies, at the AlBaSiO τ12 that keeps "
            "the single minimum of Fig. 16 (at 2 μs the printed Γ of sample 1 damps the "
            "resonant large-A ATS so strongly that A(B) no longer dips below A(0))"),
}
"""The readings computed side by side. ``orientation``: exact average over the loop normal or
the paper's shortcut φ²→φ²/3; ``gamma``: Table 8's Γ⁻¹ column read with its printed unit
(rate coefficient value·1e6 s⁻¹K⁻⁵, as Eq. 55 prints Γ in the denominator) or inverted
(:meth:`coldglass.materials.EchoRow.gamma`); ``share``: W fixed, or W(T) from Eq. (79) with
W given at ``weight_T``; ``tau12_BAS``: AlBaSiO's τ12 (not given). The tan(ωΔτ) mixing of
Eq. (66) is always Table 8's (its effect is below 1e-4, shown in the section)."""

ECHO_DEFAULT = "exact, Γ printed, W(T), τ12 1 μs"
"""The reading the report draws: the one with the most features of Figs. 16-17 (see the
features table of the section); all of its ingredients are physics the derivation implies."""

_B = np.linspace(0.0, 0.6, 121)  # 5 mT steps: the features' grid
_B_INSET = np.linspace(0.0, 3.0, 121)


_CACHE: dict = {}


def echo_curve(key: str, B, T: float, reading: str = ECHO_DEFAULT, B_star: float | None = None,
               tan_phase: float | None = None) -> np.ndarray:
    """A(B)/A_2LS of Table 8's row ``key`` at temperature T [K] under ``reading`` (cached:
    the section draws and measures the same curves)."""
    B = np.asarray(B, float)
    tag = (key, B.tobytes(), float(T), reading, B_star, tan_phase)
    if tag not in _CACHE:
        _CACHE[tag] = _echo_curve(key, B, T, reading, B_star, tan_phase)
    return _CACHE[tag].copy()


def _echo_curve(key, B, T, reading, B_star, tan_phase):
    r, rd, a = ECHO[key], ECHO_READINGS[reading], ECHO_ASSUMPTIONS
    bas = r.tau12 is None
    tau12 = rd["tau12_BAS"] if bas else r.tau12
    share = {}
    if rd["share"] == "T":
        share = dict(weight_T=a["weight_T_BAS"] if bas else a["T_BK7"],
                     dephasing_excess=r.c_ats * 1e6)
    return echo_relative_amplitude(
        np.asarray(B, float), r.ensemble(), weight=a["weight"], omega=2 * np.pi * r.frequency,
        T=T, p1F0_J=r.p1F0_J, tau1=a["tau1"], tau2=a["tau2"], tau12=tau12,
        tau_phi=1.0 / (r.c_ats * 1e6 * T), Gamma=r.gamma(rd["gamma"]),
        tan_phase=r.tan_phase if tan_phase is None else tan_phase,
        orientation=rd["orientation"], B_star=B_star, **share)


def curve_features(B: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """What the paper describes, measured on one curve y(B) (B uniform from 0):

    ``n_extrema`` (sign changes of the slope, steps below 1e-9 of the range ignored);
    ``B_min``, ``y_min`` (the lowest point); ``width`` (the field range over which the dip is
    below its half-depth level ``(min(y(0), y(B_end)) + y_min)/2``; NaN if it does not come
    back up to it); ``cusp`` (the jump of the slope across the minimum over one step, divided
    by that over ten steps: ~0.1 for a smooth minimum, where the jump grows with the span,
    ~1 for a cusp with two one-sided slopes; NaN at an end); ``remaining`` (``(1 - y(B_end))
    / (1 - y(0))``: the fraction of the zero-field ATS deficit still there at the last field;
    0 when saturated); ``exponent`` (``-d ln(1 - y)/d ln B`` at the last field: 2 for the B⁻²
    law); ``linear_r2`` (R² of a straight line through the recovery from B_min to B_end).
    """
    B, y = np.asarray(B, float), np.asarray(y, float)
    d = np.diff(y)
    s = np.sign(np.where(np.abs(d) > 1e-9 * max(np.ptp(y), 1e-300), d, 0.0))
    s = s[s != 0]
    i = int(np.argmin(y))
    half = 0.5 * (min(y[0], y[-1]) + y[i])
    left, right = B[:i + 1][y[:i + 1] >= half], B[i:][y[i:] >= half]
    width = (right[0] - left[-1]) if len(left) and len(right) else np.nan
    h = B[1] - B[0]
    cusp = np.nan
    if 10 <= i <= len(B) - 11:
        def jump(k):
            return ((y[i + k] - y[i]) - (y[i] - y[i - k])) / (k * h)
        cusp = jump(1) / jump(10) if jump(10) != 0 else np.nan
    lnq = np.log(np.abs(1.0 - y[-3:]))
    exponent = -np.gradient(lnq, np.log(B[-3:]))[-1]
    r2 = np.nan
    if len(B) - i >= 10:
        c = np.polyfit(B[i:], y[i:], 1)
        res = y[i:] - np.polyval(c, B[i:])
        r2 = 1.0 - np.sum(res**2) / np.sum((y[i:] - y[i:].mean()) ** 2)
    return {"n_extrema": float(np.count_nonzero(np.diff(s) != 0)), "B_min": float(B[i]),
            "y_min": float(y[i]), "width": float(width), "cusp": float(cusp),
            "remaining": float((1.0 - y[-1]) / (1.0 - y[0])), "exponent": float(exponent),
            "linear_r2": float(r2)}


def reading_features(reading: str) -> dict[str, float]:
    """The features of Figs. 16-17 under one reading: AlBaSiO sample 1 at the middle
    temperature (minimum, width, cusp, remaining deficit, exponent, linearity), the spread
    between the lowest and highest temperature (largest |Δy| over 0-0.6 T, both samples),
    the largest number of extrema of any Fig. 16 curve, of the two BK7 curves below 0.6 T,
    and of the BK7 inset (with B*) between 0.6 and 3 T."""
    a = ECHO_ASSUMPTIONS
    T = a["T_BAS"]
    ys = {(k, t): echo_curve(k, _B, t, reading) for k in ("BAS sample 1", "BAS sample 2")
          for t in T}
    out = curve_features(_B, ys[("BAS sample 1", T[1])])
    out["n_extrema_fig16"] = max(curve_features(_B, y)["n_extrema"] for y in ys.values())
    out["T_split"] = max(float(np.max(np.abs(ys[(k, T[0])] - ys[(k, T[-1])])))
                         for k in ("BAS sample 1", "BAS sample 2"))
    bk = [echo_curve(k, _B, a["T_BK7"], reading) for k in ("BK7 1.5us", "BK7 6us")]
    out["n_extrema_bk7"] = max(curve_features(_B, y)["n_extrema"] for y in bk)
    hi = _B_INSET >= 0.6
    inset = [echo_curve(k, _B_INSET, a["T_BK7"], reading, B_star=a["B_star_BK7"])
             for k in ("BK7 1.5us", "BK7 6us")]
    out["n_extrema_inset"] = max(curve_features(_B_INSET[hi], y[hi])["n_extrema"]
                                 for y in inset)
    return out


# ------------------------------------------------------------------------------- plotting

_COLOURS = {("BAS sample 1", 0): "#1f4e9c", ("BAS sample 1", 1): "#3d8bd9",
            ("BAS sample 1", 2): "#8ec3f0", ("BAS sample 2", 0): "#a1282b",
            ("BAS sample 2", 1): "#e0603a", ("BAS sample 2", 2): "#f2a66b"}


def _axes(ax):
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(5, 3.6), layout="constrained")[1] if ax is None else ax


def plot_fig16(ax=None, reading: str = ECHO_DEFAULT, B=None):
    """Fig. 16: AlBaSiO samples 1 and 2 at the three temperatures; returns the axes."""
    ax = _axes(ax)
    B = _B if B is None else B
    for k in ("BAS sample 1", "BAS sample 2"):
        for j, T in enumerate(ECHO_ASSUMPTIONS["T_BAS"]):
            ax.plot(B, echo_curve(k, B, T, reading), color=_COLOURS[(k, j)],
                    ls=("-", "--", ":")[j], label=rf"{k.replace('BAS', 'AlBaSiO')}, "
                    rf"$T = {T * 1e3:g}$ mK")
    ax.set_xlabel(r"$B$ [T]")
    ax.set_ylabel(r"$A(B)/A_{\mathrm{2LS}}$")
    tau = ECHO_READINGS[reading]["tau12_BAS"] * 1e6
    ax.set_title(rf"Fig. 16: AlBaSiO, 1 GHz, $\tau_{{12}} = {tau:g}\,\mu$s", fontsize=9)
    return ax


def plot_fig17(ax=None, reading: str = ECHO_DEFAULT, B=None, B_star: float | None = None):
    """Fig. 17 (or, with ``B`` to 3 T and ``B_star``, its inset): BK7 at τ12 = 1.5 and 6 μs."""
    ax = _axes(ax)
    B = _B if B is None else B
    for k, c in (("BK7 1.5us", "#2a7f3f"), ("BK7 6us", "#8a3fa0")):
        ax.plot(B, echo_curve(k, B, ECHO_ASSUMPTIONS["T_BK7"], reading, B_star=B_star),
                color=c, label=rf"BK7, $\tau_{{12}} = {ECHO[k].tau12 * 1e6:g}\,\mu$s")
    ax.set_xlabel(r"$B$ [T]")
    ax.set_ylabel(r"$A(B)/A_{\mathrm{2LS}}$")
    T = ECHO_ASSUMPTIONS["T_BK7"] * 1e3
    ax.set_title(("Fig. 17 inset: with $B^* = 1.30$ T" if B_star else "Fig. 17: BK7")
                 + rf", 0.9 GHz, $T = {T:g}$ mK", fontsize=9)
    return ax


def plot_readings(axes=None, key: str = "BAS sample 1"):
    """One row's curve (middle temperature; lowest and highest as thin lines) under every
    reading, and BK7 6 μs below; returns the two axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        axes = plt.subplots(2, 1, figsize=(9, 7.6), layout="constrained")[1]
    cols = ["#000000", "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#cc79a7"]
    T = ECHO_ASSUMPTIONS["T_BAS"]
    drawn: list[list[tuple[str, np.ndarray]]] = [[], []]
    for c, name in zip(cols, ECHO_READINGS, strict=True):
        curves = (echo_curve(key, _B, T[1], name),
                  echo_curve("BK7 6us", _B, ECHO_ASSUMPTIONS["T_BK7"], name))
        for j, (ax, y) in enumerate(zip(axes, curves, strict=True)):
            # a reading that gives the curve of one drawn before it is drawn dashed on top
            # and says so, so no legend entry is left without a visible line
            same = next((n for n, y0 in drawn[j] if np.max(np.abs(y - y0)) < 2e-3), None)
            ax.plot(_B, y, color=c, lw=1.8, ls=(0, (4, 3)) if same else "-",
                    label=tex_label(name) + (f" (= {tex_label(same)})" if same else ""))
            drawn[j].append((name, y))
        for t, ls in ((T[0], ":"), (T[-1], "--")):
            axes[0].plot(_B, echo_curve(key, _B, t, name), color=c, lw=0.7, ls=ls, alpha=0.8)
    axes[0].set_title(rf"AlBaSiO sample 1, thick: $T = {T[1] * 1e3:g}$ mK, thin dotted: "
                      rf"{T[0] * 1e3:g} mK, thin dashed: {T[-1] * 1e3:g} mK", fontsize=9)
    axes[1].set_title(r"BK7, $\tau_{12} = 6\,\mu$s, $T = T_W = 12$ mK", fontsize=9)
    for ax in axes:
        ax.set_xlabel(r"$B$ [T]")
        ax.set_ylabel(r"$A(B)/A_{\mathrm{2LS}}$")
        legend_outside(ax, title="reading")
    return axes


# -------------------------------------------------------------------------------- section

_FEATURE_COLUMNS = {
    "n_extrema_fig16": "extrema, Fig. 16", "B_min": "B_min [T]", "width": "FWHM [T]",
    "cusp": "cusp index", "T_split": "T spread", "remaining": "deficit left at 0.6 T",
    "exponent": "−dln(1−A)/dlnB at 0.6 T", "linear_r2": "R² linear recovery",
    "n_extrema_bk7": "extrema, BK7 <0.6 T", "n_extrema_inset": "extrema, inset 0.6-3 T"}

# what each paper feature requires of the measured number, and the looser "partial" bound
_RULES = [
    ("Fig. 16", "one minimum in A(B) below 0.6 T", "n_extrema_fig16",
     lambda v: v == 1, lambda v: False, "the most extrema of any Fig. 16 curve = 1"),
    ("Fig. 16", "the minimum is rounded", "cusp",
     lambda v: v < 0.3, lambda v: v < 0.6,
     "cusp index (slope jump over 1 step / over 10 steps) < 0.3 (smooth ≈ 0.1, cusp ≈ 1); "
     "partial < 0.6"),
    ("Fig. 16", "visibly different curves at the three temperatures", "T_split",
     lambda v: v > 0.01, lambda v: v > 1e-3, "largest |A(10 mK) − A(20 mK)| > 0.01; partial "
     "> 1e-3"),
    ("Fig. 16", "roughly linear recovery after the minimum", "linear_r2",
     lambda v: v > 0.97, lambda v: v > 0.9, "R² of a line from B_min to 0.6 T > 0.97; "
     "partial > 0.9"),
    ("Fig. 16", "saturation toward the high-field value within 0.6 T", "remaining",
     lambda v: v < 0.1, lambda v: v < 0.5, "deficit left at 0.6 T < 0.1 of A_2LS − A(0); "
     "partial < 0.5"),
    ("Fig. 16", "B⁻² approach to saturation", "exponent",
     lambda v: abs(v - 2) < 0.5, lambda v: abs(v - 2) < 1.0, "local exponent at 0.6 T "
     "within 2 ± 0.5; partial ± 1"),
    ("Fig. 17", "two maxima and two minima below 0.6 T", "n_extrema_bk7",
     lambda v: v >= 3, lambda v: v == 2, "extrema of a BK7 curve ≥ 3; partial 2"),
    ("Fig. 17 inset", "new features above ~600 mT (with B*)", "n_extrema_inset",
     lambda v: v >= 1, lambda v: False, "≥ 1 extremum between 0.6 and 3 T"),
]


def _fmt(v: float) -> str:
    return "nan" if not np.isfinite(v) else f"{v:.3g}"


def _far_tail(reading: str = ECHO_DEFAULT) -> tuple[float, float]:
    """The shortcut's far off-resonant tail (no ATS resonant any more, 10-30 T, no phonon
    damping): its size relative to the zero-field deficit and its local exponent."""
    B = np.array([10.0, 20.0, 30.0])
    rd = ECHO_READINGS["shortcut, Γ inverse, W const (old)"]
    r = ECHO["BAS sample 1"]
    y = echo_relative_amplitude(
        B, r.ensemble(), weight=1.0, omega=2 * np.pi * r.frequency, T=0.015,
        p1F0_J=r.p1F0_J, tau1=ECHO_ASSUMPTIONS["tau1"], tau2=ECHO_ASSUMPTIONS["tau2"],
        tau12=rd["tau12_BAS"], tau_phi=1.0, Gamma=None, tan_phase=r.tan_phase,
        orientation="shortcut")
    q = np.abs(1.0 - y)
    return float(q[0]), float(-np.log(q[2] / q[1]) / np.log(B[2] / B[1]))


def echo_cutoff_decades() -> dict[tuple[str, str], float]:
    """How many decades Table 8's D0 cutoffs lie below those of the Cp (Tables 2, 4) and ε
    (Table 5) fits of the same glass: ``{(glass, "X0min"|"X0max"): log10(geometric mean of
    the Cp and ε values / geometric mean of the echo values)}``."""
    from ..materials import DIELECTRIC, get_material

    out = {}
    for glass in ("BAS", "BK7"):
        echo = [r for r in ECHO.values() if r.material == glass]
        cp = get_material(glass).heat_capacity
        other = list(DIELECTRIC[glass]) + (list(cp.rows) if cp is not None else [])
        for name in ("X0min", "X0max"):
            lo = np.mean([np.log10(getattr(r, name)) for r in echo])
            hi = np.mean([np.log10(getattr(r, name)) for r in other])
            out[(glass, name)] = float(hi - lo)
    return out


def section_figs_16_17(out: Path) -> Part:
    import matplotlib.pyplot as plt

    a = ECHO_ASSUMPTIONS
    # the figures at the default reading
    fig, grid = plt.subplots(2, 2, figsize=(13, 8.4), layout="constrained")
    grid[1, 1].set_axis_off()
    axes = [grid[0, 0], grid[0, 1], grid[1, 0]]
    plot_fig16(axes[0])
    plot_fig17(axes[1])
    plot_fig17(axes[2], B=_B_INSET, B_star=a["B_star_BK7"])
    for ax in axes:
        legend_outside(ax)
    fig.suptitle(f"reading: {tex_label(ECHO_DEFAULT)}", fontsize=9)
    save_figure(fig, out / "figs16_17_echo.png")
    frames = [pd.DataFrame({"curve": f"{k} {T * 1e3:g} mK", "B [T]": _B,
                            "A/A_2LS": echo_curve(k, _B, T)})
              for k in ("BAS sample 1", "BAS sample 2") for T in a["T_BAS"]]
    frames += [pd.DataFrame({"curve": f"{k} {a['T_BK7'] * 1e3:g} mK B*", "B [T]": _B_INSET,
                             "A/A_2LS": echo_curve(k, _B_INSET, a["T_BK7"],
                                                   B_star=a["B_star_BK7"])})
               for k in ("BK7 1.5us", "BK7 6us")]
    pd.concat(frames).to_csv(out / "figs16_17_echo.csv", index=False)
    # the readings side by side
    plot_readings()
    save_figure(plt.gcf(), out / "figs16_17_readings.png")
    feats = {name: reading_features(name) for name in ECHO_READINGS}
    table = pd.DataFrame([{"reading": n} | {lab: _fmt(f[c]) for c, lab in _FEATURE_COLUMNS.items()}
                          for n, f in feats.items()])
    table.to_csv(out / "figs16_17_features.csv", index=False)
    why = "\n".join(f"- **{n}**: {ECHO_READINGS[n]['why']}; reproduces: "
                    + (", ".join(f"{i} '{p}'" for i, p, c, ok, _, _ in _RULES if ok(feats[n][c]))
                       or "none of the features") for n in ECHO_READINGS)
    # the claims, at the default reading
    f = feats[ECHO_DEFAULT]
    claims: list[Claim] = []
    for item, paper, col, ok, part, basis in _RULES:
        others = [n for n in ECHO_READINGS if ok(feats[n][col])]
        claims.append(check(item, paper, f"{_FOOT.get(col, col)} = {_fmt(f[col])}",
                            ok(f[col]), part(f[col]) or bool(others),
                            basis + ("; other readings that get it: " + ", ".join(others)
                                     if others and not ok(f[col]) else "")))
    tail, n_tail = _far_tail()
    claims.append(check("Sec. 6.2", "the non-resonant tails give the B⁻² saturation",
                        f"far-tail deficit at 10 T = {tail:.2g} of the zero-field one, "
                        f"exponent {n_tail:.2f} (20-30 T)", tail > 1e-3 and abs(n_tail - 2) < .5,
                        False, "tail > 1e-3 of ΔA(0) and exponent within 2 ± 0.5"))
    dec = echo_cutoff_decades()
    claims.append(check(
        "Table 8 (Sec. 6.3)", "the echo fits' D0 cutoffs are about one order of magnitude "
        "lower than those of the Cp and ε fits", "; ".join(
            f"{g} {n.replace('X0', 'D0')}: {d:.2f} decades lower" for (g, n), d in dec.items()),
        all(0.5 <= d <= 1.5 for d in dec.values()),
        any(0.5 <= d <= 1.5 for d in dec.values()) and all(d > 0 for d in dec.values()),
        basis="geometric means of Table 8 against Tables 2 (BAS Cp) and 5 (ε); 'about one "
        "order' = 0.5-1.5 decades; partial if all are lower and some by about one order"))
    y0 = echo_curve("BAS sample 1", _B, a["T_BAS"][1])
    y1 = echo_curve("BAS sample 1", _B, a["T_BAS"][1], tan_phase=0.0)
    d_tan = float(np.max(np.abs(y0 - y1)))
    return Part(
        "## Figs. 16-17: echo amplitude in a magnetic field (Table 8)\n\n"
        "A(B)/A_2LS = 1 − W(T) ΔA(B)/ΔA(0): the ATS echo of Eqs. (72)-(79) — Rabi frequency of "
        "Eq. (72), the finite-pulse echo term of one effective 2LS (Eq. 77, τ2 = 2τ1 = 0.2 μs) "
        "over the whole detuning window, decay e^{−2τ12 w} with the ATS rate of Eq. (55) "
        "(w of Eq. 78), the share W(T) = W e^{−2τ12 (c_ATS − c_2LS)(T − T_W)} × (ATS phonon "
        "damping and polarization at T over those at T_W), the quadrature mixing tan(ωΔτ) of "
        "Eq. (66) and an orientation average over the loop normal. "
        f"Not in the paper and assumed: W = {a['weight']} at T_W = "
        f"{a['weight_T_BAS'] * 1e3:g} mK (AlBaSiO) and {a['T_BK7'] * 1e3:g} mK (BK7); "
        f"T = {', '.join(f'{t * 1e3:g}' for t in a['T_BAS'])} mK for AlBaSiO, "
        f"{a['T_BK7'] * 1e3:g} mK for BK7 (Fig. 13b); B* = {a['B_star_BK7']} T for the inset "
        "(BK7 magnetization, Table 14).\n\n"
        f"![Figs. 16-17](figs16_17_echo.png)\n\n"
        "**The readings side by side** (`ECHO_READINGS`; thin lines: the lowest and highest "
        "temperature):\n\n![readings](figs16_17_readings.png)\n\n"
        + markdown_table(table) + "\n\n" + why + "\n\n"
        f"Default: **{ECHO_DEFAULT}**. What no reading gets, and why (each pinned by "
        "`tests/test_echo_field.py`): *saturation within 0.6 T* — A(B) recovers only as the "
        "lower phase cutoff D0min φ approaches ħω, and Table 8's D0min (0.9-1.1×10³ K Å²) puts "
        "D0min φ(0.6 T) at ≤ 0.22 ħω, so at least half the zero-field deficit is left at 0.6 T "
        "in every reading; *the B⁻² law* — the exact average approaches saturation as B⁻¹ (the "
        "loops nearly parallel to B stay resonant), the shortcut through a cusp at "
        "D0min φ/√3 = ħω, and the far off-resonant tails (the claim above) are 1e-7 of the "
        "effect; *two minima for BK7* — A(B) turns only where a cutoff energy Ec2 or Ec1 "
        "crosses ħω, and Ec1's crossing lies above 2.8 T for both BK7 rows (a kink in a "
        "rising curve there, no extremum), so one minimum below 0.6 T in every reading. "
        f"The tan(ωΔτ) mixing changes A/A_2LS by {d_tan:.1g} at "
        "most (the odd quadrature ℘− cancels across the symmetric window).\n", claims)


_FOOT = {"n_extrema_fig16": "extrema", "cusp": "cusp index", "T_split": "max |ΔA/A_2LS|",
         "linear_r2": "R²", "remaining": "deficit left", "exponent": "exponent",
         "n_extrema_bk7": "extrema", "n_extrema_inset": "extrema 0.6-3 T"}
