"""The dielectric response (paper Sec. 5): the STM V-curves with T0(ω), Figs. 8-11 from
Tables 5-7, and the zero-field slope ratio as a function of the ATS share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..ensembles import ATSEnsemble
from ..materials import DIELECTRIC, LOSS
from ..observables.dielectric import ats_dielectric, stm_dielectric
from ..observables.relaxation import crossover_temperature
from ._common import Part, check, markdown_table, save_figure

__all__ = ["STM_DEMO", "section_figs_8_11", "section_slope_ratio", "section_stm_vcurves",
           "slope_ratio"]


STM_DEMO = {"C": 3e-4, "A": 1e8, "Delta0_min": 1e-6}
WINDOWS = (0.25, 0.5, 0.7)
"""Widths [decades] of the windows the slopes are fitted on, half a decade from the minimum."""
"""Illustrative STM parameters: C = P̄p²/(ε0εr), A in s⁻¹K⁻³ (order of a-SiO2), Δ0min [K]."""


def slope_ratio(T: np.ndarray, eps: np.ndarray, decades: float = 0.7) -> tuple[float, float,
                                                                              float]:
    """Slopes of ε'(T) vs ln T measured on a computed curve below and above its minimum
    (windows of ``decades`` starting half a decade away from the minimum); returns
    ``(T_min, slope_below, slope_above)`` (NaN slopes if the minimum has no room)."""
    i = int(np.argmin(eps))
    lt = np.log10(T)
    lo = (lt > lt[i] - 0.5 - decades) & (lt < lt[i] - 0.5)
    hi = (lt > lt[i] + 0.5) & (lt < lt[i] + 0.5 + decades)
    if lo.sum() < 3 or hi.sum() < 3:
        return float(T[i]), np.nan, np.nan  # no interior minimum with room on both sides
    s1 = np.polyfit(np.log(T[lo]), eps[lo], 1)[0]
    s2 = np.polyfit(np.log(T[hi]), eps[hi], 1)[0]
    return float(T[i]), float(s1), float(s2)


def section_stm_vcurves(out: Path) -> str:
    import matplotlib.pyplot as plt

    T = np.geomspace(2e-3, 3.0, 240)
    fig, ax = plt.subplots(figsize=(6.5, 4.4), layout="constrained")
    rows, frames = [], []
    for k, f in enumerate((1e2, 1e3, 1e4, 1e5)):
        w = 2 * np.pi * f
        r = stm_dielectric(T, w, **STM_DEMO)
        ax.semilogx(T, r["total"] * 1e4, color=f"C{k}", label=f"{f:g} Hz")
        T0 = float(crossover_temperature(w, STM_DEMO["A"]))
        ax.axvline(T0, color=f"C{k}", ls=":", lw=0.8)
        tmin, s1, s2 = slope_ratio(T, r["total"])
        rows.append((f, T0, tmin, s1 / STM_DEMO["C"], s2 / STM_DEMO["C"], s1 / s2))
        frames.append(pd.DataFrame({"f [Hz]": f, "T [K]": T, "deps_res [1]": r["res"],
                                    "deps_rel [1]": r["rel"], "deps [1]": r["total"],
                                    "tan_delta [1]": r["loss"]}))
    ax.set_xlabel("T [K]")
    ax.set_ylabel(r"$\Delta\varepsilon'/\varepsilon$ [$10^{-4}$] (from T = 0)")
    ax.set_title("STM: V-shaped ε'(T); dotted: T0(ω) of Eq. (38)", fontsize=10)
    ax.legend(fontsize=8)
    save_figure(fig, out / "stm_vcurves.png")
    pd.concat(frames).to_csv(out / "stm_vcurves.csv", index=False)
    df = pd.DataFrame(rows, columns=["f [Hz]", "T0 Eq. 38 [K]", "T at minimum [K]",
                                     "slope below / C", "slope above / C", "ratio"])
    return ("## STM: the V-shaped dielectric constant and T0(ω)\n\n"
            f"C = P̄p²/(ε0εr) = {STM_DEMO['C']:g}, one-phonon coefficient A = "
            f"{STM_DEMO['A']:g} s⁻¹K⁻³ (Eq. 39), Δ0min = {STM_DEMO['Delta0_min']:g} K. Slopes "
            "are fitted on the computed curves half a decade away from the minimum: -2/3 and "
            "+1/3 of C (ratio -2:1, Eqs. 36-37); the minimum sits at a fixed multiple of T0(ω) "
            "∝ ω^{1/3}.\n\n![V-curves](stm_vcurves.png)\n\n" + markdown_table(df) + "\n")


def section_figs_8_11(out: Path) -> str:
    import matplotlib.pyplot as plt

    B = np.linspace(0.0, 1.0, 101)
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), layout="constrained")
    frames = []
    panels = [("Fig. 8: Table 5", [DIELECTRIC["BAS"][0], DIELECTRIC["BK7"][0],
                                     DIELECTRIC["Duran"][0]], False),
              ("Fig. 9: AlBaSiO, Table 5", list(DIELECTRIC["BAS"]), False),
              ("Fig. 10: SiO2+xCyHz, Table 6", list(DIELECTRIC["SiO2+xCyHz"]), False),
              ("Fig. 11: loss, Table 7 (1 kHz)", list(LOSS["BAS"]) + list(LOSS["BK7"]), True)]
    for ax, (title, rows, loss) in zip(axes.ravel(), panels, strict=True):
        for k, r in enumerate(rows):
            out_ = ats_dielectric(r.T, B, r.ensemble(), K=r.K, Gamma=r.Gamma,
                                  omega=2 * np.pi * 1e3, orientation="exact")
            y = out_["loss"] if loss else out_["total"]
            ax.plot(B, y * 1e5, color=f"C{k}", label=f"{r.material} {r.T * 1e3:g} mK")
            frames.append(pd.DataFrame({"figure": title, "material": r.material, "T [K]": r.T,
                                        "B [T]": B, ("dtand [1]" if loss else "deps [1]"): y}))
        ax.set_xlabel("B [T]")
        ax.set_ylabel((r"$\Delta\tan\delta$" if loss else r"$\Delta\varepsilon'/\varepsilon$")
                      + r" [$10^{-5}$]")
        ax.set_title(title, fontsize=9)
        ax.axhline(0, color="0.7", lw=0.6)
        ax.legend(fontsize=7)
    save_figure(fig, out / "figs8_11_dielectric.png")
    pd.concat(frames).to_csv(out / "figs8_11_dielectric.csv", index=False)
    return ("## Figs. 8-11: the magnetodielectric effect and the loss from Tables 5-7\n\n"
            "Δε'/ε(B) = (K/π)[α(T, B) - α(T, 0)] (Eqs. 41-51, nw = 3, exact orientation "
            "average) and Δ tan δ(B) with the ATS rate of Eq. (55) read as "
            "Γ E³(E² - D²/6) coth(E/2k_BT) (Eqs. 52-61). The measuring frequency of the loss "
            "data is not given in the text: 1 kHz is assumed. The weak-field peak comes from the "
            "D0²φ² term of Eq. (45), the depression at larger B from its (nw - 2)E² term. The "
            "'higher order correction' of Fig. 8 needs a B* the tables do not give and is "
            "omitted.\n\n![Figs. 8-11](figs8_11_dielectric.png)\n")


def section_slope_ratio(out: Path) -> str:
    import matplotlib.pyplot as plt

    from ..materials import LOSS
    w = 2 * np.pi * 1e3
    T = np.geomspace(2e-3, 3.0, 200)
    stm = stm_dielectric(T, w, **STM_DEMO)["total"]
    row = LOSS["BK7"][0]
    ens = ATSEnsemble(Dmin=0.03, D0min=row.X0min, D0max=row.X0max)
    ats = ats_dielectric(T, 0.0, ens, K=np.pi, Gamma=row.Gamma, omega=w,
                         relative_to_zero_field=False)["total"]
    ats = ats - ats[0]  # measured from the lowest temperature, like the STM curve
    shares = np.array([0.0, 3e-4, 1e-3, 3e-3, 1e-2])
    rows = []
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for k, s in enumerate(shares):
        total = stm + s * STM_DEMO["C"] * ats
        tmin, s1, s2 = slope_ratio(T, total)
        by_window = [np.divide(*slope_ratio(T, total, decades=d)[1:]) for d in WINDOWS]
        rows.append((s, tmin, s1 / s2, float(np.nanmin(by_window)),
                     float(np.nanmax(by_window))))
        if k % 2 == 0 or k == len(shares) - 1:
            ax1.semilogx(T, total * 1e4, label=f"ATS share {s:g}")
    df = pd.DataFrame(rows, columns=["x_ATS P* p1² / (P̄ p²)", "T at minimum [K]",
                                     "slope ratio below:above",
                                     "ratio, min over windows", "ratio, max over windows"])
    df.to_csv(out / "slope_ratio_vs_ats_share.csv", index=False)
    ax1.set_xlabel("T [K]")
    ax1.set_ylabel(r"$\Delta\varepsilon'/\varepsilon$ [$10^{-4}$]")
    ax1.set_title("STM + ATS at B = 0 (1 kHz)", fontsize=9)
    ax1.legend(fontsize=7)
    ax2.plot(shares, df.iloc[:, 2], "o-")
    ax2.axhline(-2, color="0.6", ls=":")
    ax2.axhline(-1, color="0.6", ls="--")
    ax2.set_xlabel(r"ATS share $x_{ATS}P^*p_1^2/(\bar P p^2)$")
    ax2.set_ylabel("slope ratio below : above T_min")
    ax2.set_title("slope ratio against the ATS share (dotted: STM -2:1; dashed: -1:1 of "
                  "multi-component glasses)", fontsize=8)
    save_figure(fig, out / "slope_ratio_vs_ats_share.png")
    last = df.iloc[-1]
    toward = abs(last.iloc[2] + 1) < abs(last.iloc[2] + 2)
    claims = [check("Sec. 5.1 (slope ratio)", "the ATS move the slope ratio of ε'(T) from the "
                    "STM's -2:1 toward the -1:1 of multi-component glasses",
                    f"ratio {last.iloc[2]:.2f} at ATS share {last.iloc[0]:g} (windows "
                    f"{WINDOWS[0]:g}-{WINDOWS[-1]:g} decades: {last.iloc[3]:.2f} to "
                    f"{last.iloc[4]:.2f}); STM alone {df.iloc[0, 2]:.2f}",
                    bool(toward), bool(abs(last.iloc[4] + 1) < abs(last.iloc[4] + 2)),
                    basis="match if the ratio at the largest share is nearer -1 than -2; "
                    "partial if only for some fit window")]
    return Part("## Zero-field composition effect: the slope ratio of ε'(T)\n\n"
            "STM (parameters above) plus ATS at B = 0 with Dmin = 0.03 K and BK7's Table 7 "
            "D0 cutoffs and Γ; the ATS share is x_ATS P* p1² relative to P̄ p² (K = π C × "
            "share). **Finding:** with the ATS response of Eqs. (41)-(45), (54)-(55) the slope "
            f"ratio goes from {df.iloc[0, 2]:.2f} (STM) to {last.iloc[2]:.2f} at share "
            f"{last.iloc[0]:g}, i.e. "
            + ("toward the -1:1 of multi-component glasses, as the end of Sec. 5.1 says"
               if toward else "to *steeper* ratios, not toward the -1:1 of multi-component "
               "glasses that the end of Sec. 5.1 attributes to the ATS (the resonant ATS term "
               "∝ ∫ tanh(E/2T) dE/E² falls like 1/T above Dmin and steepens the low-T branch)")
            + f". The number depends on the fit window: {last.iloc[3]:.2f} to "
            f"{last.iloc[4]:.2f} for windows of {WINDOWS[0]:g}-{WINDOWS[-1]:g} decades."
            "\n\n![slope ratio](slope_ratio_vs_ats_share.png)\n\n" + markdown_table(df) + "\n",
            claims)
