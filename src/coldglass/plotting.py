"""Figures of the paper recomputed from its formulas (matplotlib; every function returns the axes).

Each ``fig*`` function takes an optional ``ax`` and draws one panel; axes labels carry units.
"""

from __future__ import annotations

import numpy as np

from .ensembles import ATSEnsemble
from .systems import delta0_parabolic, ring_levels, twp_levels

__all__ = [
    "FIG5_ENSEMBLE",
    "fig4_spectrum",
    "fig5_dos_vs_energy",
    "fig6_dos_vs_phase",
    "fig26_delta0_isolines",
    "orientation_comparison",
    "montecarlo_comparison",
]

FIG5_ENSEMBLE = ATSEnsemble(Dmin=0.1, D0min=1.0, D0max=5.0, d0_unit="K")
"""Illustrative ensemble of Figs. 5-6 in D0 = 1 units (the paper gives no numbers)."""


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.5, 4.0), layout="constrained")
    return ax


def fig4_spectrum(ax=None, asymmetries=((0.0, 0.0, 0.0), (0.3, -0.1, -0.2))):
    """Fig. 4: the three levels of Eq. (6) vs the A-B phase (D0 = 1), Eq. (8) lines and
    numerical diagonalization (dots). Asymmetries open gaps at the level crossings."""
    ax = _axes(ax)
    phi = np.linspace(-2 * np.pi, 2 * np.pi, 801)
    for i, (e1, e2, e3) in enumerate(asymmetries):
        lv = twp_levels(e1, e2, e3, 1.0, phi)
        ax.plot(phi / np.pi, lv, "-" if i == 0 else "--", color=f"C{i}", lw=1.4)
        ax.plot([], [], "-" if i == 0 else "--", color=f"C{i}",
                label=f"$(E_1,E_2,E_3)=({e1:g},{e2:g},{e3:g})\\,D_0$")
        sparse = phi[::40]
        num = ring_levels(np.tile([e1, e2, e3], (len(sparse), 1)), 1.0, sparse)
        ax.plot(sparse / np.pi, num, ".", color="k", ms=3)
    ax.set_xlabel(r"A-B phase $\varphi/\pi$")
    ax.set_ylabel(r"$E_k / D_0$")
    ax.set_title("Fig. 4: TWP spectrum (lines Eq. 8, dots: diagonalization)", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def fig5_dos_vs_energy(ax=None, ens: ATSEnsemble = FIG5_ENSEMBLE,
                       phis=(0.0, 0.02, 0.05, 0.1, 0.2), orientation="none"):
    """Fig. 5: magnetic ATS DOS (Eq. 13, n_ATS P* = 1) vs gap E for several phases φ."""
    ax = _axes(ax)
    E = np.linspace(0.0, 1.5, 1501)
    for p in phis:
        ax.plot(E, ens.dos(E, p, orientation=orientation), label=rf"$\varphi={p:g}$")
    ax.set_xlabel(r"gap $E$ [K] ($D_0$ units)")
    ax.set_ylabel(r"$g_{ATS}(E,\varphi)$ [K$^{-1}$]")
    ax.set_title(f"Fig. 5: ATS DOS, Dmin={ens.Dmin:g}, D0=[{ens.D0min:g},{ens.D0max:g}]")
    ax.legend(fontsize=8)
    return ax


def fig6_dos_vs_phase(ax=None, ens: ATSEnsemble = FIG5_ENSEMBLE,
                      energies=(0.12, 0.2, 0.3, 0.5), orientation="none"):
    """Fig. 6: magnetic ATS DOS (Eq. 13) vs phase φ ∝ B for several gaps E."""
    ax = _axes(ax)
    phi = np.linspace(0.0, 0.3, 1201)
    for e in energies:
        ax.plot(phi, ens.dos(e, phi, orientation=orientation), label=f"E={e:g} K")
    ax.set_xlabel(r"A-B phase $\varphi$ [rad] ($\propto B$)")
    ax.set_ylabel(r"$g_{ATS}(E,\varphi)$ [K$^{-1}$]")
    ax.set_title("Fig. 6: ATS DOS vs phase (cusps at E = Ec2)")
    ax.legend(fontsize=8)
    return ax


def fig26_delta0_isolines(ax=None, band=(1e-6, 1e-3), V0_max: float = 30.0,
                          hw_range: tuple[float, float] = (0.1, 10.0)):
    """Fig. 26: iso-lines of Δ0 (Eq. 4) in the (V0, ħΩ) plane; bold red: the band
    10⁻⁶ K < Δ0 < 10⁻³ K (solid: derived Eq. 4, dashed: printed Eq. 4). The paper's window
    is V0 <= 30 K, 0.1 K <= ħΩ <= 10 K; ``V0_max``, ``hw_range`` widen it for overlays."""
    ax = _axes(ax)
    V0 = np.linspace(0.01, V0_max, 600)
    hw = np.logspace(np.log10(hw_range[0]), np.log10(hw_range[1]), 400)
    VV, HH = np.meshgrid(V0, hw)
    with np.errstate(divide="ignore"):
        logd = np.log10(delta0_parabolic(HH, VV))
        logp = np.log10(delta0_parabolic(HH, VV, form="printed"))
    levels = np.arange(-12, 1, 1.0)
    cs = ax.contour(VV, HH, logd, levels=levels, colors="0.6", linewidths=0.7,
                    linestyles="solid")
    ax.clabel(cs, fmt=lambda v: f"1e{int(v)}", fontsize=6)
    lb = np.log10(band)
    ax.contour(VV, HH, logd, levels=lb, colors="red", linewidths=2.2, linestyles="solid")
    ax.contour(VV, HH, np.nan_to_num(logp, nan=-99), levels=lb, colors="red",
               linewidths=1.2, linestyles="--")
    ax.set_yscale("log")
    ax.set_xlabel(r"barrier $V_0$ [K]")
    ax.set_ylabel(r"single-well energy $\hbar\Omega$ [K]")
    ax.set_title(r"Fig. 26: iso-$\Delta_0$ [K]; red: $10^{-6}$ and $10^{-3}$ K")
    return ax


def orientation_comparison(ax=None, ens: ATSEnsemble | None = None, E=0.8,
                           fields=None):
    """ATS DOS vs field: exact orientation average (φ -> φ cos β) against the paper's
    shortcut φ² -> φ²/3 and the unaveraged form, for BAS-like cutoffs (Table 2)."""
    ax = _axes(ax)
    if ens is None:
        ens = ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5)
    B = np.linspace(0.0, 4.0, 401) if fields is None else np.asarray(fields)
    for o, ls in (("exact", "-"), ("shortcut", "--"), ("none", ":")):
        ax.plot(B, ens.dos(E, B, orientation=o), ls, label=o)
    ax.set_xlabel("B [T]")
    ax.set_ylabel(r"$g_{ATS}(E,B)$ [K$^{-1}$ per $P^*n_{ATS}$]")
    ax.set_title(f"Orientation averaging at E = {E:g} K (BAS, Table 2)")
    ax.legend(fontsize=8)
    return ax


def montecarlo_comparison(ax=None, ens: ATSEnsemble | None = None, phi=0.02, n=400_000,
                          rng=0, bins=None):
    """Monte Carlo over the exact 3×3 Hamiltonian (histogram of E1 - E0) vs the effective
    2LS closed form Eq. (13), for one orientation (field along the loop normal)."""
    ax = _axes(ax)
    if ens is None:
        ens = ATSEnsemble(Dmin=0.01, D0min=1.0, D0max=5.0, Dmax=0.1, d0_unit="K")
    s = ens.sample(n, phi, orientation="none", rng=rng)
    gap = s.exact_gap()
    if bins is None:
        bins = np.linspace(0.0, 1.2 * max(ens.Dmax, float(np.percentile(gap, 99))), 81)
    hist, edges = np.histogram(gap, bins=bins)
    centres = 0.5 * (edges[1:] + edges[:-1])
    dens = hist * s.weight / np.diff(edges)
    err = np.sqrt(hist) * s.weight / np.diff(edges)
    ax.errorbar(centres, dens, yerr=err, fmt=".", ms=3, label="MC, exact 3×3 (Eq. 6)")
    E = np.linspace(edges[0], edges[-1], 600)
    ax.plot(E, ens.dos(E, phi, orientation="none"), "-", label="Eq. (13), effective 2LS")
    ax.set_xlabel("gap E [K] (D0 units)")
    ax.set_ylabel(r"$g(E)$ [K$^{-1}$]")
    ax.set_title(f"Dmin={ens.Dmin:g}, Dmax={ens.Dmax:g}, D0=[{ens.D0min:g},{ens.D0max:g}],"
                 f" φ={phi:g}", fontsize=9)
    ax.legend(fontsize=8)
    return ax
