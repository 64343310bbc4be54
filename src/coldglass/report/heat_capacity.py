"""The heat capacity in a field (paper Sec. 4): Fig. 7 and Fig. 23 from Tables 1-4."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import ppm_to_per_gram
from ..glass import Glass, Paramagnet
from ..materials import get_material
from ._common import markdown_table, save_figure

__all__ = ["section_fig23", "section_fig7"]


_B = np.linspace(0.02, 4.0, 200)


def section_fig7(out: Path) -> str:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    frames = []
    for ax, name in zip(axes, ("BAS", "Duran"), strict=True):
        cpfit = get_material(name).heat_capacity
        for k, row in enumerate(cpfit.rows):
            paper = cpfit.glass(row.T).cp_bar(row.T, _B)
            exact = cpfit.glass(row.T, orientation="exact").cp_bar(row.T, _B)
            ax.plot(_B, paper * 1e6, "-", color=f"C{k}", label=f"T = {row.T} K")
            ax.plot(_B, exact * 1e6, "--", color=f"C{k}", lw=0.9)
            frames.append(pd.DataFrame({"material": name, "T [K]": row.T, "B [T]": _B,
                                        "Cp_bar shortcut [J/(g K)]": paper,
                                        "Cp_bar exact [J/(g K)]": exact}))
        ax.set_xlabel("B [T]")
        ax.set_ylabel(r"$\bar C_p = C_p(B) - C_p(8\,T)$ [$\mu$J g$^{-1}$ K$^{-1}$]")
        ax.set_title(f"Fig. 7{'a' if name == 'BAS' else 'b'}: {name} (Tables "
                     f"{'1-2' if name == 'BAS' else '3-4'}); dashed: exact orientation", fontsize=9)
        ax.legend(fontsize=8)
    save_figure(fig, out / "fig7_cp_bar.png")
    pd.concat(frames).to_csv(out / "fig7_cp_bar.csv", index=False)
    peaks = []
    for name in ("BAS", "Duran"):
        cpfit = get_material(name).heat_capacity
        for row in cpfit.rows:
            y = cpfit.glass(row.T).cp_bar(row.T, _B)
            peaks.append((name, row.T, float(_B[np.argmax(y)]), float(y.max()),
                          float(y[0])))
    df = pd.DataFrame(peaks, columns=["material", "T [K]", "B at peak [T]",
                                      "peak Cp_bar [J/(g K)]", "Cp_bar(0.02 T) [J/(g K)]"])
    return ("## Fig. 7: field-subtracted heat capacity from Tables 1-4\n\n"
            "C̄p(B) = Cp(B) - Cp(8 T) from Fe²⁺ + Fe³⁺ (Eq. 16) and the ATS (Eqs. 17-19) with the "
            "paper's orientation shortcut φ → φ/√3 (solid) and the exact orientation average "
            "(dashed). No data points exist in the paper; the curves are the model at the "
            "tabulated parameters. Note the non-zero C̄p at B → 0 that only the ATS term "
            "produces (Sec. 4.2).\n\n![Fig. 7](fig7_cp_bar.png)\n\n" + markdown_table(df) + "\n")


def section_fig23(out: Path) -> str:
    import matplotlib.pyplot as plt

    duran = get_material("Duran")
    T = 1.23
    parts = duran.heat_capacity.glass(T).cp_bar(T, _B, parts=True)
    nominal = Glass("nominal", [Paramagnet("Fe3+", float(ppm_to_per_gram(126, "Duran")))])
    nom = nominal.cp_bar(T, _B)
    fig, ax = plt.subplots(figsize=(6, 4.2), layout="constrained")
    for k in ("Fe2+", "Fe3+", "ATS"):
        ax.plot(_B, parts[k] * 1e6, label=k)
    ax.plot(_B, (parts["Fe2+"] + parts["Fe3+"]) * 1e6, label="C_param = Fe2+ + Fe3+")
    ax.plot(_B, parts["total"] * 1e6, "g-", lw=2, label="total (fit of Tables 3-4)")
    ax.plot(_B, nom * 1e6, "k--", label="Langevin only, nominal 126 ppm Fe3+")
    ax.set_xlabel("B [T]")
    ax.set_ylabel(r"$\bar C_p$ [$\mu$J g$^{-1}$ K$^{-1}$]")
    ax.set_title(f"Fig. 23: contributions to C̄p of Duran at T = {T} K", fontsize=10)
    ax.legend(fontsize=8)
    save_figure(fig, out / "fig23_duran_cp_parts.png")
    pd.DataFrame({"B [T]": _B} | {f"{k} [J/(g K)]": v for k, v in parts.items()}
                 | {"nominal 126 ppm Fe3+ [J/(g K)]": nom}).to_csv(
        out / "fig23_duran_cp_parts.csv", index=False)
    return ("## Fig. 23: the parts of C̄p for Duran, and the nominal Fe concentration\n\n"
            f"At T = {T} K. The dashed curve is the Langevin (Schottky) term alone with the "
            f"nominal 126 ppm = {float(ppm_to_per_gram(126, 'Duran')):.3g} g⁻¹ of Fe³⁺ "
            "(Eq. 100): it has the wrong shape and size, and vanishes at B → 0 where the data "
            "of the paper do not.\n\n![Fig. 23](fig23_duran_cp_parts.png)\n")
