"""Dynamical heterogeneity in the supercooled liquid: the origin of the cellular model
(paper Sec. 2, Fig. 1).

For each temperature of a cooling run:

1. NVT molecular dynamics; positions every ``stride`` steps are unwrapped by accumulating
   minimum-image increments;
2. mean-squared displacement ⟨Δr²(t)⟩ and non-Gaussian parameter
   α₂(t) = d⟨Δr⁴⟩ / ((d+2)⟨Δr²⟩²) - 1 (d = dimension); the mobility window t* is the time of
   the α₂ maximum, where displacements are most heterogeneous (Kob et al. 1997);
3. per-particle mobility: the displacement |Δr_i(t*)| from the first frame, or, with
   ``n_iso > 0``, the propensity ⟨Δr_i²(t*)⟩ over an iso-configurational ensemble (same
   positions, Maxwell-Boltzmann velocities from ``n_iso`` seeds; Widmer-Cooper & Harrowell);
4. the slowest 40 % and fastest 40 % of the particles (Fig. 1's black and gray);
5. clusters of slow (fast) particles: two are neighbours when closer than λ·σ_αβ (λ = 1.4,
   about the first minimum of g(r)); the cluster-size distribution n(s), the weight-average
   size S_w = Σ s² n(s) / Σ s n(s) and the largest cluster, averaged over the independent
   windows [k t*, (k+1) t*] of the run (up to 10; standard error from their scatter). The
   same statistics for a random 40 % of the particles (averaged over shuffles) is the null
   model: S_w / S_w,random
   > 1 is real clustering, and its growth on cooling is what the paper's picture of
   regions of enhanced regularity assumes. In 3D a 40 % set percolates (one cluster spans
   the box) and S_w carries no information; the like-neighbour excess (the fraction of the
   neighbours of slow particles that are slow, over 0.4) does, and is reported for both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..errors import InputError

__all__ = ["unwrap", "msd_alpha2", "mobility_window", "slow_fast", "neighbours",
           "like_neighbour_excess", "clusters",
           "cluster_statistics", "run_heterogeneity", "plot_map", "plot_growth"]

SLOW_FAST_FRACTION = 0.4


def unwrap(frames: np.ndarray, box_length: float) -> np.ndarray:
    """Unwrapped trajectory from wrapped frames (n_frames, N, d), assuming no particle
    moves more than half a box between frames."""
    frames = np.asarray(frames, dtype=float)
    inc = np.diff(frames, axis=0)
    inc -= box_length * np.round(inc / box_length)
    return np.concatenate([frames[:1], frames[:1] + np.cumsum(inc, axis=0)])


def msd_alpha2(traj: np.ndarray, max_lag: int | None = None) -> tuple[np.ndarray, ...]:
    """⟨Δr²⟩ and α₂ against lag (in frames), averaged over particles and time origins.

    α₂ = d⟨Δr⁴⟩/((d+2)⟨Δr²⟩²) - 1 is 0 for Gaussian (diffusive or harmonic) motion."""
    n_frames, _, dim = traj.shape
    max_lag = n_frames - 1 if max_lag is None else min(max_lag, n_frames - 1)
    lags = np.arange(1, max_lag + 1)
    msd = np.empty(len(lags))
    a2 = np.empty(len(lags))
    for k, lag in enumerate(lags):  # loop over lags only; origins and particles vectorized
        dr2 = ((traj[lag:] - traj[:-lag]) ** 2).sum(-1)
        m2, m4 = dr2.mean(), (dr2**2).mean()
        msd[k] = m2
        a2[k] = dim * m4 / ((dim + 2) * m2**2) - 1.0
    return lags, msd, a2


def mobility_window(lags: np.ndarray, alpha2: np.ndarray) -> int:
    """The lag (frames) of the maximum of α₂."""
    return int(lags[int(np.argmax(alpha2))])


def slow_fast(mobility: np.ndarray, fraction: float = SLOW_FAST_FRACTION
              ) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the slowest and fastest ``fraction`` of the particles."""
    if not 0 < fraction <= 0.5:
        raise InputError(f"fraction must be in (0, 0.5], got {fraction}")
    order = np.argsort(mobility, kind="stable")
    n = int(round(fraction * len(mobility)))
    slow = np.zeros(len(mobility), bool)
    fast = np.zeros(len(mobility), bool)
    slow[order[:n]] = True
    fast[order[len(mobility) - n:]] = True
    return slow, fast


def _pairs(x: np.ndarray, box_length: float, cutoff: float) -> np.ndarray:
    tree = cKDTree(np.mod(x, box_length), boxsize=box_length)
    return tree.query_pairs(cutoff, output_type="ndarray")


def neighbours(x: np.ndarray, types: np.ndarray, box_length: float, sigma: np.ndarray,
               lam: float = 1.4) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour pairs (i < j) closer than ``lam`` σ_αβ, periodic."""
    pairs = _pairs(x, box_length, lam * float(sigma.max()))
    i, j = pairs[:, 0], pairs[:, 1]
    d = x[i] - x[j]
    d -= box_length * np.round(d / box_length)
    r = np.sqrt((d**2).sum(-1))
    keep = r < lam * sigma[types[i], types[j]]
    return i[keep], j[keep]


def like_neighbour_excess(i: np.ndarray, j: np.ndarray, member: np.ndarray) -> float:
    """Fraction of the neighbours of members that are members, over the member fraction:
    1 for members placed at random, > 1 for clustered members. Unlike cluster sizes it
    stays informative when the member set percolates (40 % of a 3D packing always does)."""
    bonds_out = np.bincount(np.concatenate([i, j]), minlength=len(member))[member].sum()
    like = 2 * np.count_nonzero(member[i] & member[j])
    return float(like / bonds_out / member.mean()) if bonds_out else float("nan")


def _labels(i: np.ndarray, j: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Cluster labels of the members (-1 elsewhere) on the neighbour graph (i, j)."""
    keep = member[i] & member[j]
    n = len(member)
    g = coo_matrix((np.ones(keep.sum()), (i[keep], j[keep])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    return np.where(member, labels, -1)


def clusters(x: np.ndarray, types: np.ndarray, box_length: float, sigma: np.ndarray,
             member: np.ndarray, lam: float = 1.4) -> np.ndarray:
    """Cluster label of every member particle (-1 for non-members): members closer than
    ``lam`` σ_αβ (periodic) are connected."""
    return _labels(*neighbours(x, types, box_length, sigma, lam), member)


def cluster_statistics(labels: np.ndarray) -> dict:
    """Sizes of the clusters, the weight-average size S_w and the largest cluster."""
    lab = labels[labels >= 0]
    sizes = np.bincount(np.unique(lab, return_inverse=True)[1]) if lab.size else np.zeros(0)
    s_w = float((sizes**2).sum() / sizes.sum()) if sizes.size else 0.0
    return {"sizes": sizes, "S_w": s_w, "largest": int(sizes.max()) if sizes.size else 0,
            "n_clusters": int(sizes.size)}


def _random_null(i, j, n, n_member, rng, n_shuffle=5) -> float:
    """S_w of ``n_member`` of ``n`` particles chosen at random, averaged over shuffles."""
    out = []
    for _ in range(n_shuffle):
        m = np.zeros(n, bool)
        m[rng.choice(n, n_member, replace=False)] = True
        out.append(cluster_statistics(_labels(i, j, m))["S_w"])
    return float(np.mean(out))


def _engine(system: str, n_atoms: int | None, seed: int):
    if system == "2d":
        from .softdisks import LammpsSoftDisks, SoftDisks

        model = SoftDisks(**({} if n_atoms is None else {"n_atoms": n_atoms}))
        return model, LammpsSoftDisks(model, seed=seed), model.sigma_matrix()
    if system == "3d":
        from .engine import LammpsLJ
        from .model import BinaryLJ

        model = BinaryLJ(n_atoms=1000 if n_atoms is None else n_atoms)
        e = LammpsLJ(model, model.random_positions(seed))
        e.minimize(fmax=1e-2)
        return model, e, model.pair_matrix("sigma")
    raise InputError(f"unknown system {system!r}")


def run_heterogeneity(out: str | Path, system: str = "2d",
                      temperatures: Sequence[float] = (1.0, 0.7, 0.5), *,
                      n_atoms: int | None = None, n_equil: int = 20000, n_run: int = 20000,
                      stride: int = 100, n_iso: int = 0, lam: float = 1.4, seed: int = 1,
                      progress: Callable[[str, int], None] | None = None) -> pd.DataFrame:
    """Cool through ``temperatures`` (descending) and analyse the dynamical heterogeneity at
    each (see module docstring). Writes ``OUT/heterogeneity/{system}/``: ``summary.csv``
    (one row per temperature, units in the headers), ``T_<T>.npz`` (positions [σ],
    mobility, slow/fast masks, cluster labels, MSD and α₂ curves) and ``state.npz`` (the
    positions and velocities to continue from). Every finished temperature is written at
    once; a rerun skips the temperatures already done and continues the cooling.

    ``n_equil`` / ``n_run``: MD steps (dt = 0.005) of equilibration and of the analysed run
    at each temperature; ``stride``: steps between stored frames.
    """
    if system not in ("2d", "3d"):
        raise InputError(f"system must be '2d' (soft disks, Fig. 1) or '3d' (Kob-Andersen), "
                         f"got {system!r}")
    T = np.asarray(temperatures, dtype=float)
    if T.size == 0 or np.any(~np.isfinite(T)) or np.any(T <= 0):
        raise InputError(f"temperatures must be finite and > 0 (ε/k_B), got {list(T)}")
    if np.any(np.diff(T) >= 0):
        raise InputError("temperatures must be strictly descending (a cooling run)")
    if n_equil < 0:
        raise InputError(f"n_equil must be >= 0, got {n_equil}")
    for name, v in (("n_run", n_run), ("stride", stride)):
        if v < 1:
            raise InputError(f"{name} must be >= 1, got {v}")
    if n_run // stride < 4:
        raise InputError(f"n_run / stride = {n_run // stride} frames; need at least 4")
    if n_iso < 0:
        raise InputError(f"n_iso must be >= 0, got {n_iso}")
    if not lam > 1:
        raise InputError(f"lam must be > 1 (neighbour distance in σ_αβ), got {lam}")
    d = Path(out) / "heterogeneity" / system
    d.mkdir(parents=True, exist_ok=True)
    model, eng, sigma = _engine(system, n_atoms, seed)
    L, types = model.box_length, model.types
    sum_path = d / "summary.csv"
    done = pd.read_csv(sum_path) if sum_path.exists() else pd.DataFrame()
    if len(done):
        meta = json.loads((d / "meta.json").read_text())
        if meta["model"] != model.to_dict():
            eng.close()
            raise InputError(f"{d} holds a run of another model; use another --out")
    rng = np.random.default_rng(seed)
    state = d / "state.npz"
    if state.exists() and len(done):
        with np.load(state) as z:
            eng.set_positions(z["x"])
            eng.set_velocities(z["v"])
    else:
        eng.velocity_create(2.0 * float(T[0]), seed)
        eng.run_nvt(max(n_equil, 2000), 2.0 * float(T[0]))  # melt above the first T
    _write = (d / "meta.json").write_text
    _write(json.dumps({"model": model.to_dict(), "system": system, "lam": lam,
                       "stride": stride, "n_equil": n_equil, "n_run": n_run,
                       "n_iso": n_iso, "seed": seed, "timestep": 0.005}, indent=2))
    rows = done.to_dict("records") if len(done) else []
    done_T = {round(float(t), 9) for t in done.get("T [eps/k_B]", [])}
    dt = 0.005
    try:
        for t in T:
            if round(float(t), 9) in done_T:
                continue
            t0 = time.perf_counter()
            eng.run_nvt(n_equil, float(t))
            frames = [eng.positions()]
            for _ in range(n_run // stride):
                eng.run_nvt(stride, float(t))
                frames.append(eng.positions())
            x_end, v_end = eng.positions(), eng.velocities()
            traj = unwrap(np.array(frames), L)
            lags, msd, a2 = msd_alpha2(traj, max_lag=len(frames) // 2)
            lag = mobility_window(lags, a2)
            if n_iso:
                x0 = frames[0]
                prop = np.zeros(model.n_atoms)
                for _ in range(n_iso):
                    eng.set_positions(x0)
                    eng.velocity_create(float(t), int(rng.integers(1, 2**31)))
                    eng.run_nve(lag * stride)
                    dr = eng.positions() - x0
                    dr -= L * np.round(dr / L)  # t* is short: no particle crosses L/2
                    prop += (dr**2).sum(-1) / n_iso
                mob = prop
                eng.set_positions(x_end)
                eng.set_velocities(v_end)
            else:
                mob = np.sqrt(((traj[lag] - traj[0]) ** 2).sum(-1))
            # cluster statistics averaged over independent windows [k t*, (k+1) t*] of the
            # run (displacement mobility), each against its own random-label null model; the
            # first window (origin 0, the mobility ``mob``) is also the one mapped and stored
            S = {"slow": [], "fast": [], "null": [], "like_slow": [], "like_fast": []}
            origins = list(range(0, len(frames) - lag, lag)) if not n_iso else [0]
            origins = [origins[i] for i in np.unique(np.linspace(
                0, len(origins) - 1, min(len(origins), 10)).astype(int))]
            for o in origins:
                m_o = mob if o == 0 else np.sqrt(((traj[o + lag] - traj[o]) ** 2).sum(-1))
                sl, fa = slow_fast(m_o)
                bi, bj = neighbours(frames[o], types, L, sigma, lam)
                lab_sl, lab_fa = _labels(bi, bj, sl), _labels(bi, bj, fa)
                st_sl, st_fa = cluster_statistics(lab_sl), cluster_statistics(lab_fa)
                if o == 0:
                    slow, fast, lab_s, lab_f, st_s, st_f = sl, fa, lab_sl, lab_fa, st_sl, st_fa
                S["slow"].append(st_sl["S_w"])
                S["fast"].append(st_fa["S_w"])
                S["null"].append(_random_null(bi, bj, len(sl), int(sl.sum()), rng))
                S["like_slow"].append(like_neighbour_excess(bi, bj, sl))
                S["like_fast"].append(like_neighbour_excess(bi, bj, fa))
            S = {k: np.array(v) for k, v in S.items()}
            null = float(S["null"].mean())
            k_half = min(len(msd) - 1, int(np.searchsorted(lags, len(frames) // 2)))
            rows.append({
                "T [eps/k_B]": float(t), "t_star [tau]": lag * stride * dt,
                "msd_t_star [sigma^2]": float(msd[lags == lag][0]),
                "msd_end [sigma^2]": float(msd[k_half]),
                "alpha2_max": float(a2.max()),
                "mobility": "propensity" if n_iso else "displacement",
                "n_windows": len(S["slow"]),
                "S_w_slow [particles]": float(S["slow"].mean()),
                "largest_slow [particles]": st_s["largest"],
                "S_w_fast [particles]": float(S["fast"].mean()),
                "largest_fast [particles]": st_f["largest"],
                "S_w_random [particles]": null,
                "slow_clustering [S_w/S_w_random]": float((S["slow"] / S["null"]).mean()),
                "slow_clustering_err": float((S["slow"] / S["null"]).std(ddof=1) /
                                             np.sqrt(len(S["slow"])))
                if len(S["slow"]) > 1 else float("nan"),
                "fast_clustering [S_w/S_w_random]": float((S["fast"] / S["null"]).mean()),
                "slow_like_neighbours [excess]": float(S["like_slow"].mean()),
                "slow_like_neighbours_err": float(S["like_slow"].std(ddof=1) /
                                                  np.sqrt(len(S["like_slow"])))
                if len(S["like_slow"]) > 1 else float("nan"),
                "fast_like_neighbours [excess]": float(S["like_fast"].mean()),
                "percolating": bool(null > 0.5 * slow.sum()),
                "wall [s]": time.perf_counter() - t0})
            np.savez_compressed(d / f"T_{t:.4f}.npz", x=frames[0], types=types, mobility=mob,
                                slow=slow, fast=fast, labels_slow=lab_s, labels_fast=lab_f,
                                sizes_slow=st_s["sizes"], sizes_fast=st_f["sizes"],
                                lags_tau=lags * stride * dt, msd=msd, alpha2=a2,
                                box_length=L)
            np.savez_compressed(state, x=x_end, v=v_end)
            pd.DataFrame(rows).to_csv(sum_path, index=False)  # finished work survives
            if progress is not None:
                progress(f"T = {t:g}", 1)
    finally:
        eng.close()
    return pd.DataFrame(rows)


def plot_map(npz: str | Path, ax=None, *, z_slab: float = 0.6):
    """Fig. 1-style map: slowest 40 % black, fastest 40 % gray, the rest unfilled; 3D
    systems are shown as the slab |z - L/2| < ``z_slab`` σ."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Circle

    with np.load(npz) as z:
        x, types, slow, fast, L = z["x"], z["types"], z["slow"], z["fast"], float(
            z["box_length"])
    x = np.mod(x, L)
    sel = np.ones(len(x), bool)
    if x.shape[1] == 3:
        sel = np.abs(x[:, 2] - L / 2) < z_slab
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    radius = np.where(types == 1, 0.7, 0.5) if x.shape[1] == 2 else np.where(
        types == 1, 0.44, 0.5)
    for mask, face in ((~slow & ~fast, "white"), (fast, "0.6"), (slow, "black")):
        m = mask & sel
        pc = PatchCollection([Circle(p[:2], r) for p, r in zip(x[m], radius[m], strict=True)],
                             facecolor=face, edgecolor="black", linewidth=0.4)
        ax.add_collection(pc)
    ax.set_xlim(0, L)
    ax.set_ylim(0, L)
    ax.set_aspect("equal")
    ax.set_xlabel("x [σ]")
    ax.set_ylabel("y [σ]")
    return ax


def plot_growth(summary: pd.DataFrame, ax=None):
    """Clustering of slow and fast particles (S_w over its random-label value) against T."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.6))
    T = summary["T [eps/k_B]"]
    ax.plot(T, summary["slow_clustering [S_w/S_w_random]"], "ko-", label="slowest 40 %")
    ax.plot(T, summary["fast_clustering [S_w/S_w_random]"], "s--", color="0.5",
            label="fastest 40 %")
    ax.axhline(1.0, color="0.8", lw=1)
    ax.set_xlabel("T [ε/k_B]")
    ax.set_ylabel("S_w / S_w(random 40 %)")
    ax.legend()
    return ax


def heterogeneity_report(out: str | Path, system: str = "2d") -> Path:
    """Figures and verdict of a finished :func:`run_heterogeneity`:
    ``OUT/heterogeneity/{system}/`` gets ``map_T_<T>.png`` (Fig. 1-style maps),
    ``fig1.png`` (the map at the lowest temperature beside the highest),
    ``cluster_sizes.png``, ``growth.png`` and ``heterogeneity.md``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.stats import spearmanr

    from ..report import markdown_table

    d = Path(out) / "heterogeneity" / system
    if not (d / "summary.csv").exists():
        raise FileNotFoundError(f"{d / 'summary.csv'} does not exist; run "
                                "`coldglass landscape heterogeneity` first")
    df = pd.read_csv(d / "summary.csv").sort_values("T [eps/k_B]", ascending=False)
    files = {float(t): d / f"T_{t:.4f}.npz" for t in df["T [eps/k_B]"]}
    for t, f in files.items():
        fig, ax = plt.subplots(figsize=(5, 5))
        plot_map(f, ax)
        ax.set_title(f"T = {t:g} ε/k_B: slowest 40 % black, fastest 40 % gray")
        fig.tight_layout()
        fig.savefig(d / f"map_T_{t:.4f}.png", dpi=120)
        plt.close(fig)
    T_hi, T_lo = max(files), min(files)
    fig, axs = plt.subplots(1, 2, figsize=(10, 5))
    for ax, t in zip(axs, (T_hi, T_lo), strict=True):
        plot_map(files[t], ax)
        ax.set_title(f"T = {t:g} ε/k_B")
    fig.suptitle("Fig. 1 analogue: slowest 40 % black, fastest 40 % gray, rest unfilled")
    fig.tight_layout()
    fig.savefig(d / "fig1.png", dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for t, f in files.items():
        with np.load(f) as z:
            sizes = z["sizes_slow"]
        s, n = np.unique(sizes, return_counts=True)
        ax.loglog(s, n, "o-", ms=3, label=f"T = {t:g}")
    ax.set_xlabel("cluster size s (slow particles)")
    ax.set_ylabel("number of clusters n(s)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(d / "cluster_sizes.png", dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(5, 3.6))
    plot_growth(df, ax)
    fig.tight_layout()
    fig.savefig(d / "growth.png", dpi=120)
    plt.close(fig)
    T = df["T [eps/k_B]"].to_numpy()
    verdicts = []
    for key, what in (("slow_clustering", "cluster size of the slowest 40 % (S_w over its "
                       "random-label value)"),
                      ("slow_like_neighbours", "excess of slow neighbours around slow "
                       "particles (1 for random labels)")):
        col = next(c for c in df.columns if c.startswith(key + " ["))
        if col not in df or f"{key}_err" not in df:
            continue
        c, err = df[col].to_numpy(), df[f"{key}_err"].to_numpy()
        rho = spearmanr(T, c).statistic if len(T) > 2 else float("nan")
        diff = c[-1] - c[0]  # lowest minus highest T
        sig = np.sqrt(np.nansum([err[-1] ** 2, err[0] ** 2]))
        grows = bool(diff > 2 * sig and (np.isnan(rho) or rho < 0))
        useless = key == "slow_clustering" and bool(df.get("percolating", pd.Series(
            [False])).any())
        verdicts.append(
            f"- by the {what}: **{'grows' if grows else 'growth not resolved'}** "
            f"({c[0]:.2f} ± {err[0]:.2f} at T = {T[0]:g} to {c[-1]:.2f} ± {err[-1]:.2f} at "
            f"T = {T[-1]:g}, change {diff:+.2f} ± {sig:.2f}; Spearman rank correlation with "
            f"T {rho:+.2f})" + ("; *uninformative: the 40 % sets percolate (one cluster "
                                "spans the box)*" if useless else "") + ".")
    verdict = "**Do the slow regions grow on cooling?**\n\n" + "\n".join(verdicts)
    meta = json.loads((d / "meta.json").read_text())
    lines = [f"# Dynamical heterogeneity ({system}; paper Sec. 2, Fig. 1)", "",
             f"Model: `{json.dumps(meta['model'])}`; mobility: "
             f"{df['mobility'].iloc[0]} over the window t* of the α₂ maximum; neighbours "
             f"closer than {meta['lam']} σ_αβ.", "", verdict, "",
             markdown_table(df.drop(columns=["mobility"])), "",
             "![Fig. 1 analogue](fig1.png)", "", "![growth](growth.png)", "",
             "![cluster sizes](cluster_sizes.png)", ""]
    (d / "heterogeneity.md").write_text("\n".join(lines))
    return d / "heterogeneity.md"
