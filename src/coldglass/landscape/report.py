"""``coldglass landscape report``: figures and tables of the glass and its double wells.

Writes ``DIR/report/landscape.md`` with PNG figures and CSV tables: inherent-structure energy
vs parent temperature, the DWP parameter distributions, P(Δ, Δ0), the paper's Fig. 26 with
the double wells overlaid, the Sec. 8 claims measured, and C(T), Δε(T) of the simulated glass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..report import markdown_table, save_figure
from .pipeline import load_catalog, load_prepared
from .statistics import (
    claims,
    dielectric_shift,
    empirical_ensemble,
    heat_capacity,
    plot_distributions,
    plot_fig26_overlay,
    plot_joint,
    plot_loop,
    with_delta0,
)

__all__ = ["landscape_report", "campaign_report"]


def _is_section(df: pd.DataFrame, rep: Path) -> str:
    """``df``: columns ``T_parent [eps/k_B]`` and ``e_IS [eps/particle]``."""
    import matplotlib.pyplot as plt

    g = df.groupby("T_parent [eps/k_B]")["e_IS [eps/particle]"].agg(["mean", "std", "count"])
    g = g.reset_index().sort_values("T_parent [eps/k_B]", ascending=False)
    g.to_csv(rep / "is_energy_vs_T.csv", index=False)
    fig, ax = plt.subplots(figsize=(5, 3.8))
    ax.errorbar(g["T_parent [eps/k_B]"], g["mean"], yerr=g["std"].fillna(0), fmt="o-")
    ax.set_xlabel(r"parent temperature $T$ [$\epsilon/k_B$]")
    ax.set_ylabel(r"$e_{IS}$ [$\epsilon$/particle]")
    ax.set_title("Inherent-structure energy")
    fig.tight_layout()
    save_figure(fig, rep / "is_energy_vs_T.png")
    tab = g.rename(columns={"T_parent [eps/k_B]": "T [eps/k_B]", "mean": "e_IS [eps]",
                            "std": "std", "count": "samples"})
    return ("## Inherent structures\n\nReference (issue): N = 256, ρ = 1.2: about −7.54 at "
            "T = 2 down to −7.66 at T = 0.45.\n\n" + markdown_table(tab)
            + "\n\n![IS energy](is_energy_vs_T.png)\n")


def landscape_report(out: Path, *, T_min: float = 0.01, T_max: float = 10.0,
                     dipole_D: float = 1.0, eps_r: float = 4.0,
                     include: Sequence[Path] = ()) -> Path:
    """Write the landscape report for a finished prepare (and search, if present).

    ``include``: further prepare/search folders of independent glasses of the same model and
    unit mapping; their double wells are pooled with those of ``out`` and per-particle
    quantities are normalised by the particles of all the glasses searched."""
    out = Path(out)
    model, units, _, pmeta = load_prepared(out)
    folders = [out]
    for other in include:
        if any(Path(other).resolve() == f.resolve() for f in folders):
            raise InputError(f"{other} is pooled twice; include each glass once")
        m2, u2, _, _ = load_prepared(other)
        if m2.to_dict() != model.to_dict() or u2.to_dict() != units.to_dict():
            raise InputError(f"{other} holds a glass of another model or unit mapping than "
                             f"{out}; only glasses of the same model can be pooled")
        folders.append(Path(other))
    n_glasses = len(folders)
    n_particles = model.n_atoms * n_glasses
    rep = out / "report"
    rep.mkdir(parents=True, exist_ok=True)
    parts = ["# Landscape of the simulated glass\n",
             f"Model: {json.dumps(model.to_dict())}  \nUnits: {json.dumps(units.to_dict())}"
             f" (ħ* = {units.hbar_star:.5f})  \nEngine: {pmeta['engine']}\n",
             _is_section(pd.read_csv(out / "prepare" / "is_energies.csv"), rep)]
    frames, smeta = [], []
    for f in folders:
        try:
            frames.append(load_catalog(f).assign(glass=str(f)))
        except FileNotFoundError:
            continue
        mpath = f / "search" / "meta.json"
        smeta += json.loads(mpath.read_text())["runs"] if mpath.exists() else []
    df = pd.concat(frames, ignore_index=True) if frames else None
    if df is not None and len(df):
        df = with_delta0(df)
        calls = sum(r["force_calls"] for r in smeta)
        wall = sum(r["wall_s"] for r in smeta)
        cand = sum(r["candidates"] for r in smeta)
        rejected: dict = {}
        for r in smeta:
            for k, v in r["rejected"].items():
                rejected[k] = rejected.get(k, 0) + v
        pooled = ""
        if n_glasses > 1:
            counts = df.groupby("glass").size()
            pooled = (f"Pooled catalogs of {n_glasses} independent glasses of N = "
                      f"{model.n_atoms} ({n_particles} particles searched): "
                      + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ". ")
        book = (f"{pooled}{len(df)} verified double wells; the bookkept runs examined {cand} "
                f"candidate pairs ({calls} force calls, {wall / 3600:.2f} h); rejected: "
                f"{rejected}.")
        parts += _dwp_sections(df, model, units, rep, n_particles, book, T_min=T_min,
                               T_max=T_max, dipole_D=dipole_D, eps_r=eps_r)
    else:
        parts.append("## Double wells\n\nNo catalog yet: run `coldglass landscape search`.\n")
    path = rep / "landscape.md"
    path.write_text("\n".join(parts))
    return path


def _dwp_sections(df: pd.DataFrame, model, units, rep: Path, n_particles: int, book: str, *,
                  T_min: float, T_max: float, dipole_D: float, eps_r: float) -> list[str]:
    """Double-well statistics, the paper's claims and the loop C(T), Δε(T)."""
    parts = [f"## Double wells\n\n{book}\n\n"
             "Every double well: CI-NEB path, saddle with exactly one negative Hessian "
             "eigenvalue, both sides relax back to its minima.\n"]
    cols = ["V0_K", "Delta_K", "d_A", "hbar_omega_K", "n_eff", "max_disp_A", "E_qs_K",
            "Delta0_K", "Delta0_eq4_K", "Delta0_wkb_K"]
    summ = df[cols].describe(percentiles=[0.1, 0.5, 0.9]).T.reset_index()
    summ = summ.rename(columns={"index": "parameter"})
    summ.to_csv(rep / "dwp_summary.csv", index=False)
    parts.append(markdown_table(summ[["parameter", "count", "10%", "50%", "90%"]]))
    save_figure(plot_distributions(df), rep / "dwp_distributions.png")
    save_figure(plot_joint(df), rep / "dwp_joint_delta_delta0.png")
    save_figure(plot_fig26_overlay(df), rep / "fig26_overlay.png")
    parts.append("\n![distributions](dwp_distributions.png)\n\n"
                 "![P(Δ,Δ0)](dwp_joint_delta_delta0.png)\n\n"
                 "![Fig. 26 with the double wells](fig26_overlay.png)\n")
    cl = claims(df, n_particles)
    cl.to_csv(rep / "claims.csv", index=False)
    parts.append("## The paper's claims, measured\n\n" + markdown_table(cl) + "\n")
    ens = empirical_ensemble(df, n_particles, units, density=model.density)
    T = np.logspace(np.log10(T_min), np.log10(T_max), 60)
    C = heat_capacity(df, T, n_particles, units)
    de = dielectric_shift(df, T, n_particles, units, density=model.density,
                          dipole_D=dipole_D, eps_r=eps_r)
    pd.DataFrame({"T [K]": T, "C [J/(K g)]": C, "deps/eps": de}).to_csv(
        rep / "loop_C_deps.csv", index=False)
    save_figure(plot_loop(T, C, de, ens["P_bar_per_g"], ens["band_K"]),
                rep / "loop_C_deps.png")
    parts.append(
        "## Closing the loop\n\n"
        f"Empirical ensemble: {ens['n_selected']} double wells with |Δ| < "
        f"{ens['Delta_max_K']} K and Δ0 in {ens['band_K']} K → P̄ = "
        f"{ens['P_bar_per_m3']:.3g} K⁻¹ m⁻³ = {ens['P_bar_per_g']:.3g} K⁻¹ g⁻¹. "
        f"C(T) sums the two-level heat capacity (Eq. 15) of every double well per gram "
        f"of glass; Δε(T) is the resonant shift (Eq. 32) with an assumed dipole "
        f"p = {dipole_D} D, ε_r = {eps_r}.\n\n![loop](loop_C_deps.png)\n")
    return parts


def campaign_report(catalog: Path, out: Path, *, T_min: float = 0.01, T_max: float = 10.0,
                    dipole_D: float = 1.0, eps_r: float = 4.0) -> Path:
    """The landscape report (:func:`landscape_report`) of a campaign catalog: all its glasses
    pooled, per-particle quantities normalised by the particles of all glasses searched.
    Written to ``OUT/report/``."""
    from .catalog import Catalog
    from .model import BinaryLJ
    from .units import UnitMapping

    with Catalog(catalog, readonly=True) as cat:
        prov = cat.provenance()
        if prov is None:
            raise InputError(f"{catalog} holds no campaign yet")
        model = BinaryLJ.from_dict(prov["model"])
        units = UnitMapping(**prov["units"])
        is_df = cat.table("is_energies").rename(columns={
            "T_parent": "T_parent [eps/k_B]", "e_IS": "e_IS [eps/particle]"})
        df = cat.dwps()
        tasks = cat.table("tasks")
        glasses = cat.table("glasses")
    n_glasses = len(glasses)
    rep = Path(out) / "report"
    rep.mkdir(parents=True, exist_ok=True)
    parts = ["# Landscape of the simulated glass (campaign)\n",
             f"Catalog: {catalog}  \nModel: {json.dumps(model.to_dict())}  \n"
             f"Units: {json.dumps(units.to_dict())} (ħ* = {units.hbar_star:.5f})  \n"
             f"Engine: {prov['engine']}  \nCampaign seed: {prov['seed']}\n"]
    if len(is_df):
        parts.append(_is_section(is_df, rep))
    if len(df) == 0:
        parts.append("## Double wells\n\nNo double wells in the catalog yet.\n")
    else:
        seg = tasks[tasks["kind"] == "segment"]
        stats = [json.loads(x) for x in seg["stats"]]
        cand = sum(st.get("candidates", 0) for st in stats)
        rejected: dict = {}
        for st in stats:
            for k, v in st.items():
                if k != "candidates":
                    rejected[k] = rejected.get(k, 0) + v
        n_particles = model.n_atoms * max(n_glasses, 1)
        book = (f"{len(df)} distinct verified double wells (found {int(df['n_found'].sum())} "
                f"times) in {n_glasses} glasses of N = {model.n_atoms}; {len(seg)} search "
                f"segments examined {cand} candidate pairs ({int(tasks['force_calls'].sum())}"
                f" force calls, {tasks['wall_s'].sum() / 3600:.2f} core-hours); rejected: "
                f"{rejected}.")
        parts += _dwp_sections(with_delta0(df), model, units, rep, n_particles, book,
                               T_min=T_min, T_max=T_max, dipole_D=dipole_D, eps_r=eps_r)
    path = rep / "landscape.md"
    path.write_text("\n".join(parts))
    return path
