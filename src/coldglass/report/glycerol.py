"""Amorphous glycerol and the isotope effect (paper Sec. 6.3): Figs. 19 and 20."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import HBAR_K
from ..ensembles import ATSEnsemble
from ..materials import GLYCEROL
from ..observables.echo import iea_ats, iea_zero_field
from ._common import markdown_table, save_figure

__all__ = ["section_fig19", "section_fig20"]


def section_fig19(out: Path) -> str:
    import matplotlib.pyplot as plt

    w = GLYCEROL["omega"]
    hw = w * HBAR_K
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
    B = np.linspace(0.0, 0.3, 61)
    rows = []
    for k, (label, dmin) in enumerate((("a) Dmin < ħω", 0.7 * hw), ("b) Dmin > ħω", 1.3 * hw))):
        ens = ATSEnsemble(Dmin=dmin, D0min=2e3, D0max=2e4)
        E = np.linspace(0.5 * hw, 2.0 * hw, 600)
        ax = axes[k]
        for B_ in (0.0, 0.05, 0.15, 0.3):
            ax.plot(E / hw, ens.dos(E, B_, orientation="shortcut"), label=f"B = {B_} T")
        chi_w = 0.03 * hw  # illustrative width of the delimiter, for the picture only
        ax2 = ax.twinx()
        ax2.plot(E / hw, chi_w / (np.pi * (chi_w**2 + (E - hw) ** 2)), "k:", lw=1)
        ax2.set_yticks([])
        ax.set_xlabel("E / ħω")
        ax.set_ylabel("g_ATS(E, B) [1/K per P*]")
        ax.set_title(f"Fig. 19{label}: DOS and χ(E) (dotted)", fontsize=9)
        ax.legend(fontsize=7)
        iea = iea_ats(2e-6, B, ens, omega=w, T=GLYCEROL["T"], tau_phi3=GLYCEROL["tau_phi3"])
        if k == 0:
            norm = abs(iea[0])
        axes[2].plot(B, iea / norm, label=label)
        rows.append((label, float(iea[0] / norm), float(np.ptp(iea) / norm)))
    axes[2].set_xlabel("B [T]")
    axes[2].set_ylabel("ΔIEA(B) / |ΔIEA_a(0)| (τ12 = 2 μs)")
    axes[2].set_title("field effect on the ATS IEA", fontsize=9)
    axes[2].legend(fontsize=7)
    save_figure(fig, out / "fig19_isotope.png")
    df = pd.DataFrame(rows, columns=["regime", "ΔIEA(0) / |ΔIEA_a(0)|",
                                     "change over 0-0.3 T / |ΔIEA_a(0)|"])
    df.to_csv(out / "fig19_isotope.csv", index=False)
    return ("## Fig. 19: the isotope effect as a DOS-edge effect\n\n"
            "The ATS integrated echo amplitude is the DOS convolved with the narrow spectral "
            "delimiter χ(E) (Eqs. 80-82). If Dmin < ħω the field moves the DOS through the "
            "resonance and the echo changes strongly; if Dmin > ħω (lighter isotope: Dmin ∝ "
            "M^-1/2, Eq. 83, `isotope_scaled`) the DOS has no states at ħω and the field effect "
            "is tiny. Illustrative cutoffs D0|q/e|S = 2e3-2e4 K·Å², shortcut orientation.\n\n"
            "![Fig. 19](fig19_isotope.png)\n\n" + markdown_table(df) + "\n")


def section_fig20(out: Path) -> str:
    import matplotlib.pyplot as plt

    g = GLYCEROL
    t = np.linspace(0.05e-6, 12e-6, 600)
    base = dict(tau_phi2=g["tau_phi2"], C2LS=1.0, KATS=0.5)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    r = iea_zero_field(t, tau_phi3=g["tau_phi3"], delta_omega=g["delta_omega"], **base)
    for k, v in r.items():
        axes[0].plot(t * 1e6, v, label=k)
    axes[0].set_title("Fig. 20a: τφ(3) = 1.0 μs, τφ(2) = 10 μs, Δω = 0.6e6 rad/s", fontsize=9)
    for tp3, dw, lab in ((1.0e-6, 0.6e6, "as (a)"), (0.3e-6, 0.6e6, "τφ(3) = 0.3 μs"),
                         (1.0e-6, 2.4e6, "Δω ×4"), (1.0e-6, -0.6e6, "Δω < 0")):
        axes[1].plot(t * 1e6, iea_zero_field(t, tau_phi3=tp3, delta_omega=dw, **base)["total"],
                     label=lab)
    axes[1].set_title("Fig. 20b: the oscillations fade", fontsize=9)
    for ax in axes:
        ax.set_xlabel("τ12 [μs]")
        ax.set_ylabel("IEA [arb.]")
        ax.legend(fontsize=7)
    save_figure(fig, out / "fig20_iea.png")
    pd.DataFrame({"tau12 [s]": t} | {k: v for k, v in r.items()}).to_csv(
        out / "fig20_iea.csv", index=False)
    return ("## Fig. 20: oscillations of the integrated echo amplitude at B = 0\n\n"
            "Eq. (87) in its derived form: IEA = C2LS e^{-2τ12/τφ(2)} - K[e^{-a}/2 + (a/π) "
            "I(a, b)], a = 2τ12/τφ(3), b = 2τ12 Δω, with I(a, b) = ∫_0^b cos x/(x² + a²) dx "
            "in closed form. The printed Eq. (86) does not hold with the principal branch of "
            "Ei (tested); the identity used is I = [e^{a} Im E1(a - ib) + e^{-a} Im Ei(a + ib)]"
            "/2a. Δω = 0.6 MHz is read as an angular frequency (it is defined as ω - Dmin/ħ); "
            "the oscillation period in τ12 is π/Δω = 5.2 μs. C2LS = 1, K = 0.5 (the paper's "
            "constants are not given).\n\n![Fig. 20](fig20_iea.png)\n")
