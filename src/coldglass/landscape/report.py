"""``coldglass landscape report``: figures and tables of the glass and its double wells.

One report for every catalog: the SQLite catalog of a ``search`` folder or of a campaign,
and the CSV catalog of a search made by an older coldglass (read as it is), pooled over
independent glasses of the same model. Writes ``OUT/report/landscape.md`` with PNG figures
and CSV tables: inherent-structure energy vs parent temperature, the two-level systems found
(per particle, per inherent structure visited, per NEB, per double well, with Poisson
intervals, under the catalog's unit mapping and others), the DWP parameter distributions,
P(Δ, Δ0), the paper's Fig. 26 with the double wells overlaid, the Sec. 8 claims measured,
and C(T), Δε(T) of the simulated glass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..report import markdown_table, save_figure
from .model import BinaryLJ
from .pipeline import catalog_path, load_catalog, load_prepared
from .statistics import (
    claims,
    dielectric_shift,
    empirical_ensemble,
    heat_capacity,
    plot_distributions,
    plot_fig26_overlay,
    plot_joint,
    plot_loop,
    poisson_interval,
    tls_statistics,
    tls_under_mappings,
    with_delta0,
)
from .units import UnitMapping

__all__ = ["landscape_report", "load_source", "sensitivity_mappings"]


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


def sensitivity_mappings(units: UnitMapping) -> list[UnitMapping]:
    """The catalog's own mapping with the mass unit 4x and 1/4x (ħ* halved and doubled):
    how much the TLS count hangs on ħ*. Always shown beside the catalog's count."""
    return [UnitMapping(units.sigma_A, units.epsilon_K, units.mass_u * f,
                        f"{units.name}, mass x{f:g} (hbar* x{f ** -0.5:g})") for f in (4.0, 0.25)]


#: statistics of a segment that are not rejection reasons
_COUNTS = ("candidates", "candidate pairs", "verified pairs", "known pairs",
           "double wells (with repeats)", "inherent structures", "known well reused")


def _rejections(stats: list[dict]) -> dict:
    out: dict = {}
    for st in stats:
        for k, v in st.items():
            if k not in _COUNTS:
                out[k] = out.get(k, 0) + v
    return out


def _catalog_source(db: Path, label: str) -> dict:
    """What the report needs from an SQLite catalog (search folder or campaign)."""
    from .catalog import Catalog

    with Catalog(db, readonly=True) as cat:
        prov = cat.provenance()
        if prov is None:
            raise InputError(f"{db} holds no search or campaign yet")
        is_df = cat.table("is_energies").rename(columns={
            "T_parent": "T_parent [eps/k_B]", "e_IS": "e_IS [eps/particle]"})
        df = cat.dwps()
        tasks = cat.table("tasks")
        profiles = [cat.path_profile(int(p)) for p in df["path_id"]]
    # the search's denominators and cost: its finished segments (a failed segment stored
    # nothing; the glasses' preparation is not the search's cost)
    seg = tasks[(tasks["kind"] == "segment") & (tasks["status"] == "done")]
    stats = [json.loads(x) for x in seg["stats"]]
    # distinct inherent structures each segment visited (catalogs before this count: n/a)
    n_is = [st.get("inherent structures") for st in stats]
    return {"label": label, "model": prov["model"], "units": prov["units"],
            "engine": prov["engine"], "is_df": is_df, "dwps": df, "profiles": profiles,
            "n_glasses": int(seg["sample"].nunique()) if len(seg) else 0,
            "n_minima": None if None in n_is else int(sum(n_is)),
            "n_neb": sum(st.get("candidates", 0) for st in stats),
            "pairs": sum(st.get("candidate pairs", 0) for st in stats),
            "segments": len(seg), "force_calls": int(seg["force_calls"].sum()),
            "core_s": float(seg["wall_s"].sum()), "rejected": _rejections(stats),
            "n_found": int(df["n_found"].sum()) if len(df) else 0,
            "seed": prov["seed"], "what": f"catalog {db}"}


def _csv_source(out: Path, label: str) -> dict:
    """A search folder of an older coldglass: CSV catalog, configs/ and meta.json runs."""
    from .tunneling import profile_from_arrays

    model, units, _, pmeta = load_prepared(out)
    try:
        df = load_catalog(out)
    except FileNotFoundError:
        df = None
    mpath = out / "search" / "meta.json"
    runs = json.loads(mpath.read_text()).get("runs", []) if mpath.exists() else []
    rejected = _rejections([r.get("rejected", {}) for r in runs])
    def profile(i: int):
        f = out / "search" / "configs" / f"dwp_{int(i):05d}.npz"
        if not f.exists():
            return None
        with np.load(f) as z:
            return profile_from_arrays(dict(z))

    if df is None:
        profiles = []
    elif "dwp_id" in df.columns:
        profiles = [profile(i) for i in df["dwp_id"]]
    else:  # a CSV without dwp_id (e.g. a copied export) has no configs to read
        profiles = [None] * len(df)
    return {"label": label, "model": model.to_dict(), "units": units.to_dict(),
            "engine": pmeta["engine"],
            "is_df": pd.read_csv(out / "prepare" / "is_energies.csv"),
            "dwps": df, "profiles": profiles, "n_glasses": 1, "n_minima": None,
            "n_neb": sum(r.get("candidates", 0) for r in runs) if runs else None,
            "pairs": None, "segments": len(runs),
            "force_calls": sum(r.get("force_calls", 0) for r in runs),
            "core_s": sum(r.get("wall_s", 0.0) for r in runs), "rejected": rejected,
            "n_found": None if df is None else len(df), "seed": pmeta["protocol"]["seed"],
            "what": f"CSV search {out / 'search'} (older coldglass)"}


def load_source(path: Path) -> dict:
    """The report's view of one catalog: an SQLite catalog file, a folder whose search has
    one (``DIR/search/catalog.sqlite``), or a folder with an older CSV search (or with a
    prepared glass only)."""
    path = Path(path)
    if path.is_file():
        return _catalog_source(path, str(path))
    if catalog_path(path).exists():
        src = _catalog_source(catalog_path(path), str(path))
        if not len(src["is_df"]):  # the glass's IS table lives in prepare/ as well
            src["is_df"] = pd.read_csv(path / "prepare" / "is_energies.csv")
        return src
    return _csv_source(path, str(path))


def _fmt_interval(v: float, lo: float, hi: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.3g} [{lo:.3g}, {hi:.3g}]"


def _tls_section(df: pd.DataFrame, srcs: list[dict], units: UnitMapping, rep: Path,
                 n_particles: int, also: list[UnitMapping], e_tls_K: float) -> str:
    """TLS per particle / IS / NEB / double well with Poisson intervals, and the count
    under other unit mappings from the stored path profiles."""
    n_minima = (None if any(s["n_minima"] is None for s in srcs)
                else sum(s["n_minima"] for s in srcs))
    n_neb = None if any(s["n_neb"] is None for s in srcs) else sum(s["n_neb"] for s in srcs)
    tab = tls_statistics(df, n_particles=n_particles, n_minima=n_minima, n_neb=n_neb,
                         e_tls_K=e_tls_K)
    tab.to_csv(rep / "tls_statistics.csv", index=False)
    core_h = sum(s["core_s"] for s in srcs) / 3600
    n_tls = int(tab["TLS"].iloc[0])
    lo, hi = (float(v) for v in poisson_interval(n_tls))
    show = tab.assign(**{"value [68 % interval]": [
        _fmt_interval(v, a, b) for v, a, b in zip(tab["value"], tab["low (68 %)"],
                                                   tab["high (68 %)"], strict=True)]})
    show = show[["quantity", "TLS", "denominator", "value [68 % interval]", "unit"]]
    text = (f"## Two-level systems found\n\nA TLS is a distinct verified double well with "
            f"quantum splitting E_qs < {e_tls_K:g} K under the catalog's unit mapping "
            f"({units.name}: σ = {units.sigma_A} Å, ε/k_B = {units.epsilon_K} K, m = "
            f"{units.mass_u} u, ħ* = {units.hbar_star:.5f}). Intervals: exact (Garwood) "
            f"68 % Poisson interval of the count, n = {n_tls} → [{lo:.3g}, {hi:.3g}]; the "
            "denominators are exact counts (particles of every glass searched, distinct "
            "inherent structures each finished segment visited, candidate pairs verified by "
            "NEB, distinct double wells); the fraction of double wells has the exact "
            "(Clopper–Pearson) binomial interval. These are what the search found, not an "
            "exhaustive density.\n\n" + markdown_table(show)
            + (f"\n\nCost: {core_h:.3g} core-hours → {n_tls / core_h:.3g} TLS and "
               f"{len(df) / core_h:.3g} distinct double wells per core-hour."
               if core_h > 0 else "") + "\n")
    profiles = [p for s in srcs for p in s["profiles"]]
    maps = [units, *also, *sensitivity_mappings(units)]
    um = tls_under_mappings(profiles, maps, e_tls_K=e_tls_K)
    um.to_csv(rep / "tls_unit_mappings.csv", index=False)
    cols = ["mapping", "hbar*", "threshold [eps]", "TLS", "double wells", "no_profile",
            "median E_qs [K]"]
    text += ("\nThe same double wells under other mappings: the 1D profile of each path is "
             "stored in reduced units, so E_qs is recomputed from it with each mapping's ħ* "
             f"= ħ/(σ√(mε)), and the threshold is {e_tls_K:g} K in that mapping's ε. The first row "
             "recomputes the catalog's own mapping (it equals the count above where every "
             "profile is stored); the rows with 4× and ¼× its mass unit show how much the "
             "count hangs on ħ*. A second material's mapping (for Ni80P20, the original "
             "Kob–Andersen parametrisation) is given with `--also-units`; coldglass ships no "
             "NiP preset because no sourced σ, ε, m were at hand.\n\n"
             + markdown_table(um[cols]) + "\n")
    return text


def landscape_report(out: Path, *, catalog: Path | None = None, include: Sequence[Path] = (),
                     also_units: Sequence[UnitMapping] = (), e_tls_K: float = 1.0,
                     T_min: float = 0.01, T_max: float = 10.0, dipole_D: float = 1.0,
                     eps_r: float = 4.0) -> Path:
    """Write the landscape report of one or more catalogs into ``out/report/``.

    Parameters
    ----------
    out : the output folder; also the first catalog's folder unless ``catalog`` is given
        (a ``prepare``/``search`` folder: its SQLite catalog, or the CSV catalog of an older
        search)
    catalog : an SQLite catalog (a campaign's) to report on instead of ``out``'s search
    include : further catalogs (files or folders) of independent glasses of the same model
        and unit mapping, pooled; per-particle quantities are normalised by the particles of
        all the glasses searched
    also_units : unit mappings to count the TLS under besides the catalog's own
    e_tls_K : TLS threshold on E_qs [K]

    Raises
    ------
    InputError : a catalog is pooled twice, or holds another model or unit mapping
    FileNotFoundError : ``out`` holds no prepared glass and no catalog is given
    """
    out = Path(out)
    if not (np.isfinite(e_tls_K) and e_tls_K > 0):
        raise InputError(f"e_tls_K (--e-tls) must be finite and > 0 K, got {e_tls_K!r}")
    if catalog is not None and not Path(catalog).is_file():
        raise FileNotFoundError(f"--catalog {catalog}: no such catalog file")
    first = catalog if catalog is not None else out
    paths = [Path(first), *map(Path, include)]
    seen: list[Path] = []
    for p in paths:  # a folder is its search's catalog: the same file is pooled once
        key = (catalog_path(p) if p.is_dir() and catalog_path(p).exists() else p).resolve()
        if key in seen:
            raise InputError(f"{p} is pooled twice (the catalog {key}); include each glass "
                             "once")
        seen.append(key)
    srcs = [load_source(p) for p in paths]
    model_d, units_d = srcs[0]["model"], srcs[0]["units"]
    for s in srcs[1:]:
        if s["model"] != model_d or s["units"] != units_d:
            raise InputError(f"{s['label']} holds a glass of another model or unit mapping "
                             f"than {srcs[0]['label']}; only glasses of the same model can be "
                             "pooled")
    model, units = BinaryLJ.from_dict(model_d), UnitMapping(**units_d)
    n_glasses = sum(s["n_glasses"] for s in srcs)
    n_particles = model.n_atoms * max(n_glasses, 1)
    rep = out / "report"
    rep.mkdir(parents=True, exist_ok=True)
    parts = ["# Landscape of the simulated glass\n",
             "Catalogs: " + "; ".join(s["what"] for s in srcs)
             + f"  \nModel: {json.dumps(model_d)}  \nUnits: {json.dumps(units_d)} "
             f"(ħ* = {units.hbar_star:.5f})  \nEngine: {srcs[0]['engine']}\n"]
    is_df = pd.concat([s["is_df"] for s in srcs], ignore_index=True)
    if len(is_df):
        parts.append(_is_section(is_df, rep))
    frames = [s["dwps"].assign(glass=s["label"]) for s in srcs
              if s["dwps"] is not None and len(s["dwps"])]
    df = pd.concat(frames, ignore_index=True) if frames else None
    if df is None:
        parts.append(_tls_section(pd.DataFrame({"E_qs_K": []}), srcs, units, rep, n_particles,
                                  list(also_units), e_tls_K))
        parts.append("## Double wells\n\nNo double wells in the catalog yet: run "
                     "`coldglass landscape search`.\n")
    else:
        rejected = _rejections([s["rejected"] for s in srcs])
        pooled = ""
        if len(srcs) > 1:
            counts = df.groupby("glass").size()
            pooled = (f"Pooled catalogs of {n_glasses} independent glasses of N = "
                      f"{model.n_atoms} ({n_particles} particles searched): "
                      + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ". ")
        found = [s["n_found"] for s in srcs]
        times = (f" (found {sum(found)} times)" if None not in found
                 and sum(found) != len(df) else "")
        neb = [s["n_neb"] for s in srcs]
        book = (f"{pooled}{len(df)} distinct verified double wells{times} in {n_glasses} "
                f"glass{'es' if n_glasses != 1 else ''} of N = {model.n_atoms}; "
                f"{sum(s['segments'] for s in srcs)} search segments ran "
                + (f"{sum(neb)} NEB verifications (candidate pairs)" if None not in neb
                   else "NEBs")
                + f" ({sum(s['force_calls'] for s in srcs)} force calls, "
                f"{sum(s['core_s'] for s in srcs) / 3600:.2f} core-hours); rejected: "
                f"{rejected}.")
        parts.append(_tls_section(df, srcs, units, rep, n_particles, list(also_units),
                                  e_tls_K))
        parts += _dwp_sections(with_delta0(df), model, units, rep, n_particles, book,
                               T_min=T_min, T_max=T_max, dipole_D=dipole_D, eps_r=eps_r)
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
