"""Statistics of a double-well catalog, the paper's Sec. 8 claims measured, and the loop back
to the tunnelling model (an empirical ensemble and its C(T) and Δε(T)).

Conventions: the catalog is a DataFrame with the columns of
:func:`~coldglass.landscape.tunneling.dwp_parameters` (energies in K, lengths in Å).
``Delta0_K`` is the exact 1D splitting where resolved, else Eq. (4) (``Delta0_source``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.constants as sc
from scipy import stats as st

from ..errors import InputError
from ..observables.heat_capacity import cp_single, cp_stm_constant_dos
from .units import UnitMapping

__all__ = ["with_delta0", "claims", "poisson_interval", "binomial_interval", "tls_statistics",
           "tls_under_mappings", "empirical_ensemble", "heat_capacity",
           "dielectric_shift", "plot_distributions", "plot_fig26_overlay",
           "plot_joint", "plot_loop"]

#: the paper's numbers (Sec. 8)
PAPER_BARRIER_MAX_K = 20.0
PAPER_IS_BARRIER_K = 100.0
PAPER_PARTICLES = (4, 10)


def with_delta0(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``Delta0_K`` (exact 1D where resolved, else Eq. 4), ``E_K`` and the source."""
    df = df.copy()
    exact = df["Delta0_exact_K"].to_numpy(dtype=float)
    ok = np.isfinite(exact)
    df["Delta0_K"] = np.where(ok, exact, df["Delta0_eq4_K"].to_numpy(dtype=float))
    df["Delta0_source"] = np.where(ok, "exact 1D", "Eq. (4)")
    df["E_K"] = np.hypot(df["Delta_K"], df["Delta0_K"])
    return df


def claims(df: pd.DataFrame, n_atoms: int, *, e_tls_K: float = 1.0) -> pd.DataFrame:
    """The paper's Sec. 8 statements next to what the catalog shows.

    Rows: density of two-level systems (E_qs < ``e_tls_K``) per particle found; fraction of
    double wells with V0 < 20 K; particles involved (N·PR, median and fraction in 4-10);
    typical IS-to-IS barrier (median V0 of the IS-transition route); the STM assumptions
    (flat P(Δ) and flat P(ln Δ0), Kolmogorov-Smirnov p-values within the sampled ranges).
    """
    df = with_delta0(df)
    n = len(df)
    rows = []

    def add(q, paper, value, unit, note=""):
        rows.append({"quantity": q, "paper": paper, "measured": value, "unit": unit,
                     "note": note})

    add("double wells in catalog", "-", n, "1")
    tls = int(np.sum(df["E_qs_K"] < e_tls_K))
    add(f"TLS (E_qs < {e_tls_K:g} K) per particle", "-", tls / n_atoms, "1/particle",
        f"{tls} of {n}; counts what this search found, not an exhaustive density")
    add("fraction with V0 < 20 K", "relevant TLS need V0 <~ 20 K",
        float(np.mean(df["V0_K"] < PAPER_BARRIER_MAX_K)) if n else np.nan, "1")
    ne = df["n_eff"].to_numpy(float)
    add("particles involved N·PR (median)", "4-10", float(np.median(ne)) if n else np.nan,
        "particles")
    add("fraction with 4 <= N·PR <= 10", "most", float(np.mean((ne >= 4) & (ne <= 10)))
        if n else np.nan, "1")
    # the IS route: consecutive minima ("is-transition") or selected pairs of the visited
    # minima ("pair-ml", "pair-random"), all joined through inherent structures
    is_route = (df["route"] == "is-transition") | df["route"].astype(str).str.startswith("pair-")
    isr = df[is_route]["V0_K"]
    add("IS-to-IS barrier V0 (median)", "~100 K", float(isr.median()) if len(isr) else np.nan,
        "K", f"{len(isr)} IS-route double wells")
    isa = df[is_route]["V_a_K"] if "V_a_K" in df else isr[:0]
    add("IS-to-IS barrier from the lower minimum V_a (median)", "~100 K",
        float(isa.median()) if len(isa) else np.nan, "K")
    sm = df[df["route"] == "soft-mode"]["V0_K"]
    add("valley barrier V0, soft-mode route (median)", "small", float(sm.median())
        if len(sm) else np.nan, "K", f"{len(sm)} soft-mode double wells")
    if n >= 5:
        D = np.abs(df["Delta_K"].to_numpy(float))
        p_flat = st.kstest(D, "uniform", args=(0, D.max())).pvalue
        l0 = np.log(df["Delta0_K"].to_numpy(float))
        l0 = l0[np.isfinite(l0)]
        p_log = (st.kstest(l0, "uniform", args=(l0.min(), np.ptp(l0))).pvalue
                 if len(l0) >= 5 and np.ptp(l0) > 0 else np.nan)
    else:
        p_flat = p_log = np.nan
    add("P(Δ) flat on [0, Δmax]: KS p-value", "flat (STM)", p_flat, "1")
    add("P(Δ0) ∝ 1/Δ0 (flat in ln Δ0): KS p-value", "∝ 1/Δ0 (STM)", p_log, "1")
    return pd.DataFrame(rows)


#: the confidence level of the Poisson intervals (one Gaussian standard deviation)
CL_1SIGMA = 0.682689492137


def poisson_interval(n, cl: float = CL_1SIGMA) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) central confidence interval of a Poisson mean from ``n`` counts:
    ``[χ²_{α/2}(2n)/2, χ²_{1-α/2}(2n+2)/2]`` with α = 1 - ``cl`` (lower limit 0 for n = 0).
    At the default 68.27 % these are Gehrels' (ApJ 303, 336 (1986)) 84.13 % one-sided limits:
    n = 0 → [0, 1.841], n = 1 → [0.173, 3.300], n = 10 → [6.891, 14.27]. Honest for the few
    counts of a search, where ``n ± √n`` reaches below zero or gives no error at n = 0."""
    n = np.asarray(n, dtype=float)
    if np.any(n < 0) or np.any(n != np.floor(n)):
        raise InputError(f"n must be counts (integers >= 0), got {n}")
    if not 0 < cl < 1:
        raise InputError(f"cl must be in (0, 1), got {cl}")
    a = 1.0 - cl
    lo = np.where(n > 0, st.chi2.ppf(a / 2, 2 * np.maximum(n, 1)) / 2, 0.0)
    hi = st.chi2.ppf(1 - a / 2, 2 * n + 2) / 2
    return lo, hi


def tls_statistics(df: pd.DataFrame, *, n_particles: int, n_minima: int | None,
                   n_neb: int | None, e_tls_K: float = 1.0) -> pd.DataFrame:
    """Two-level systems found (distinct double wells with ``E_qs_K`` < ``e_tls_K``) per
    particle searched, per inherent structure visited (``n_minima``, the distinct minima
    each segment visited, summed), per NEB verification (``n_neb``, candidate pairs
    verified) and per verified double well.

    Every row gives the count n, the denominator, n/denominator and its 68 % interval: from
    the Poisson interval of n (:func:`poisson_interval`; the denominators are exact counts),
    for the fraction of double wells the binomial one (:func:`binomial_interval`).
    A denominator the catalog did not record (None) gives NaN. ``E_qs_K`` NaN (unresolved
    splitting) is not a TLS."""
    if not (np.isfinite(e_tls_K) and e_tls_K > 0):
        raise InputError(f"e_tls_K must be > 0 K, got {e_tls_K!r}")
    n = int(np.sum(df["E_qs_K"].to_numpy(dtype=float) < e_tls_K)) if len(df) else 0
    lo, hi = (float(v) for v in poisson_interval(n))
    rows = []
    for what, denom, unit in (("TLS per particle", n_particles, "1/particle"),
                              ("TLS per inherent structure visited", n_minima, "1/IS"),
                              ("TLS per NEB verification", n_neb, "1/NEB"),
                              ("TLS per double well", len(df), "1")):
        ok = denom is not None and denom > 0
        d = float(denom) if ok else np.nan
        a, b = (lo / d, hi / d) if unit != "1" or not ok else binomial_interval(n, int(denom))
        rows.append({"quantity": what, "TLS": n, "denominator": denom if ok else np.nan,
                     "value": n / d, "low (68 %)": a, "high (68 %)": b, "unit": unit})
    return pd.DataFrame(rows)


def binomial_interval(k: int, n: int, cl: float = CL_1SIGMA) -> tuple[float, float]:
    """Exact (Clopper–Pearson) central confidence interval of a fraction from ``k`` of
    ``n`` trials: ``[B_{α/2}(k, n-k+1), B_{1-α/2}(k+1, n-k)]`` (Beta quantiles, α = 1 -
    ``cl``; 0 at k = 0 and 1 at k = n). For the TLS fraction of the double wells, which
    cannot exceed 1 (a Poisson interval of k/n can)."""
    if not (0 <= k <= n) or int(k) != k or int(n) != n:
        raise InputError(f"k and n must be counts with 0 <= k <= n, got k={k}, n={n}")
    a = 1.0 - cl
    lo = float(st.beta.ppf(a / 2, k, n - k + 1)) if k > 0 else 0.0
    hi = float(st.beta.ppf(1 - a / 2, k + 1, n - k)) if k < n else 1.0
    return lo, hi


def tls_under_mappings(profiles: list, mappings: list, *, e_tls_K: float = 1.0,
                       n_points: int = 3000) -> pd.DataFrame:
    """The TLS count of a catalog under other reduced-to-physical unit mappings.

    The path's 1D profile V(s) (stored in reduced units with every path) does not depend on
    the mapping; its splitting does, through ħ* = ħ/(σ√(mε)), and the threshold does,
    through ε: a double well is a TLS of mapping u if ``E_qs(ħ*_u) · ε_u/k_B < e_tls_K``
    (:func:`~coldglass.landscape.tunneling.splitting`). ``profiles``: the stored profiles
    (None for a path stored without one: not counted, and said in ``no_profile``).
    """
    from .tunneling import splitting

    have = [p for p in profiles if p is not None]
    rows = []
    for u in mappings:
        e = np.array([splitting(p, u.hbar_star, n_points=n_points)["E_qs"] for p in have])
        e_K = e * u.epsilon_K
        n = int(np.sum(e_K < e_tls_K))
        rows.append({"mapping": u.name, "sigma [A]": u.sigma_A, "epsilon/k_B [K]": u.epsilon_K,
                     "mass [u]": u.mass_u, "hbar*": u.hbar_star,
                     "threshold [eps]": e_tls_K / u.epsilon_K, "TLS": n,
                     "double wells": len(have), "no_profile": len(profiles) - len(have),
                     "median E_qs [K]": float(np.nanmedian(e_K)) if len(e_K) else np.nan})
    return pd.DataFrame(rows)


def empirical_ensemble(df: pd.DataFrame, n_atoms: int, units: UnitMapping, *,
                       density: float, Delta_max_K: float = 10.0,
                       band: tuple[float, float] = (1e-6, 1e-3)) -> dict:
    """An STM-like ensemble from the catalog: two-level systems per unit volume and mass.

    ``P̄ = n(|Δ| < Δmax, Δ0 in band) / (Δmax · ln(band ratio) · V)`` [K⁻¹ m⁻³] (Eq. 2's
    density), also per gram of the model glass (``m_u`` per particle). ``density`` is the
    number density [σ⁻³]; ``V = N/ρ`` the volume of one configuration of the catalog.
    """
    df = with_delta0(df)
    V = units.volume_m3(n_atoms / density)
    mass_g = n_atoms * units.mass_u * sc.atomic_mass * 1e3
    sel = (np.abs(df["Delta_K"]) < Delta_max_K) & (df["Delta0_K"] > band[0]) & (
        df["Delta0_K"] < band[1])
    n_sel = int(sel.sum())
    norm = Delta_max_K * np.log(band[1] / band[0])
    return {"n_selected": n_sel, "P_bar_per_m3": n_sel / (norm * V),
            "P_bar_per_g": n_sel / (norm * mass_g), "volume_m3": V, "mass_g": mass_g,
            "Delta_max_K": Delta_max_K, "band_K": band}


def heat_capacity(df: pd.DataFrame, T: np.ndarray, n_atoms: int, units: UnitMapping,
                  ) -> np.ndarray:
    """Tunnelling heat capacity of the simulated glass, ``Σ_i C_p0(E_i, T)`` (Eq. 15) per gram
    of glass [J K⁻¹ g⁻¹] (each catalog DWP a two-level system of gap E = sqrt(Δ² + Δ0²))."""
    df = with_delta0(df)
    E = df["E_K"].to_numpy(float)
    mass_g = n_atoms * units.mass_u * sc.atomic_mass * 1e3
    T = np.asarray(T, dtype=float)
    return cp_single(E[:, None], T[None, :]).sum(axis=0) / mass_g


def dielectric_shift(df: pd.DataFrame, T: np.ndarray, n_atoms: int, units: UnitMapping, *,
                     density: float, dipole_D: float = 1.0, eps_r: float = 4.0,
                     T_ref: float | None = None) -> np.ndarray:
    """Resonant dielectric shift Δε'/ε(T) (quasi-static Eq. 32, orientation averaged):
    ``(1/ε0 εr V) Σ_i (2p²/3)(Δ0_i²/E_i³) tanh(E_i/2k_BT)``, from ``T_ref`` (default: the
    largest T). The dipole p [Debye] is not computed by the simulation: an explicit input."""
    df = with_delta0(df)
    E = df["E_K"].to_numpy(float) * sc.k
    D0 = df["Delta0_K"].to_numpy(float) * sc.k
    p = dipole_D * 3.33564e-30
    V = units.volume_m3(n_atoms / density)
    T = np.asarray(T, dtype=float)
    per = (2 * p**2 / 3) * (D0**2 / E**3)[:, None] * np.tanh(E[:, None] / (2 * sc.k * T))
    chi = per.sum(axis=0) / (sc.epsilon_0 * eps_r * V)
    ref = T.max() if T_ref is None else T_ref
    chi_ref = ((2 * p**2 / 3) * (D0**2 / E**3) * np.tanh(E / (2 * sc.k * ref))).sum() / (
        sc.epsilon_0 * eps_r * V)
    return chi - chi_ref


# ----------------------------------------------------------------------------- figures
def plot_distributions(df: pd.DataFrame):
    """Histograms of V0, Δ, d and Δ0 (log), split by route."""
    import matplotlib.pyplot as plt

    df = with_delta0(df)
    fig, axs = plt.subplots(2, 2, figsize=(9, 7))
    spec = [("V0_K", r"$V_0$ [K]", False), ("Delta_K", r"$\Delta$ [K]", False),
            ("d_A", r"$d$ [Å]", False), ("Delta0_K", r"$\Delta_0$ [K]", True)]
    for ax, (col, lab, log) in zip(axs.ravel(), spec, strict=True):
        drawn = 0
        for route, g in df.groupby("route"):
            v = g[col].to_numpy(float)
            v = v[np.isfinite(v) & ((v > 0) if log else True)]
            if len(v) == 0:
                continue
            bins = (np.logspace(np.log10(v.min()), np.log10(v.max()) + 1e-9, 25) if log
                    else 25)
            ax.hist(v, bins=bins, histtype="step", label=f"{route} ({len(v)})")
            drawn += 1
        ax.set_xlabel(lab)
        ax.set_ylabel("count")
        if drawn:
            if log:
                from matplotlib.ticker import LogLocator

                ax.set_xscale("log")
                # Δ0 spans tens of decades: at most ~6 labelled decades, so labels never collide
                ax.xaxis.set_major_locator(LogLocator(numticks=7))
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=7)
        else:  # say so instead of an empty frame with a meaningless (negative) count axis
            ax.set_yticks([])
            ax.set_xticks([])
            ax.text(0.5, 0.5, f"no finite {lab} in the catalog", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9, color="0.4")
    fig.suptitle("Double wells of the simulated glass")
    fig.tight_layout()
    return fig


def plot_joint(df: pd.DataFrame):
    """Joint distribution of (Δ, Δ0), the STM's P̄/Δ0 is flat in (Δ, ln Δ0)."""
    import matplotlib.pyplot as plt

    df = with_delta0(df)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for src, g in df.groupby("Delta0_source"):
        ax.scatter(np.abs(g["Delta_K"]), g["Delta0_K"], s=10, label=src)
    ax.set_yscale("log")
    ax.set_xlabel(r"$|\Delta|$ [K]")
    ax.set_ylabel(r"$\Delta_0$ [K]")
    ax.set_title(r"$P(\Delta, \Delta_0)$; STM: uniform in $(\Delta, \ln\Delta_0)$")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_fig26_overlay(df: pd.DataFrame):
    """The paper's Fig. 26 (iso-Δ0 lines, band 1e-6 K < Δ0 < 1e-3 K) with the double wells."""
    import matplotlib.pyplot as plt

    from ..plotting import fig26_delta0_isolines, legend_outside

    fig, ax = plt.subplots(figsize=(9.5, 5), layout="constrained")
    hw = df["hbar_omega_K"].to_numpy(float)
    v_max = max(30.0, float(np.nanmax(df["V0_K"])) * 1.05) if len(df) else 30.0
    hw_range = (min(0.1, hw.min() / 1.5), max(10.0, hw.max() * 1.5)) if len(hw) else (0.1, 10)
    fig26_delta0_isolines(ax, V0_max=v_max, hw_range=hw_range)
    for route, g in df.groupby("route"):
        ax.scatter(g["V0_K"], g["hbar_omega_K"], s=12, label=route, zorder=5)
    v0 = df["V0_K"].to_numpy(float)
    v0 = v0[np.isfinite(v0) & (v0 > 0)]
    ax.set_xlim(min(1e-2, v0.min() / 2) if len(v0) else 1e-2, v_max)  # log axis: no zero
    ax.set_ylim(*hw_range)
    legend_outside(ax)
    return fig


def plot_loop(T, C, dε, P_bar_per_g, band=(1e-6, 1e-3)):
    """C(T) of the catalog against the STM's γT with the empirical P̄ (DOS
    ``P̄ ln(Δ0max/Δ0min)`` inside the band), and Δε(T)."""
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.loglog(T, np.where(C > 0, C, np.nan), label="catalog: Σ C_p0(E_i, T)")
    if np.any(C > 0):
        a1.set_ylim(np.max(C) * 1e-8, np.max(C) * 3)
    if P_bar_per_g > 0:
        dos = P_bar_per_g * np.log(band[1] / band[0])
        a1.loglog(T, cp_stm_constant_dos(T, dos), "--",
                  label=r"STM $(\pi^2/6)\bar P \ln(\Delta_0^{max}/\Delta_0^{min}) k_B^2 T$")
    a1.set_xlabel("T [K]")
    a1.set_ylabel(r"$C$ [J K$^{-1}$ g$^{-1}$]")
    a1.legend(fontsize=7)
    a2.semilogx(T, dε)
    a2.set_xlabel("T [K]")
    a2.set_ylabel(r"$\Delta\varepsilon'/\varepsilon$ (resonant)")
    fig.suptitle("Closing the loop: the simulated glass as a tunnelling ensemble")
    fig.tight_layout()
    return fig
