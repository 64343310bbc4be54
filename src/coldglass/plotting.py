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
    "delta0_isoline",
    "FIG26_LEVELS",
    "EQ4_BRANCH",
    "orientation_comparison",
    "montecarlo_comparison",
    "legend_outside",
    "tex_label",
    "component_label",
]

FIG5_ENSEMBLE = ATSEnsemble(Dmin=0.1, D0min=1.0, D0max=5.0, d0_unit="K")
"""Illustrative ensemble of Figs. 5-6 in D0 = 1 units (the paper gives no numbers)."""


_COMPONENT_LABELS = {"Fe2+": r"Fe$^{2+}$", "Fe3+": r"Fe$^{3+}$"}


def component_label(name: str) -> str:
    """A component's name as a plot label (mathtext for the ions: ``Fe2+`` -> Fe²⁺)."""
    return _COMPONENT_LABELS.get(name, name)


_TEX_WORDS = (("SiO2", r"SiO$_2$"), ("xCyHz", r"xC$_y$H$_z$"), ("τ12", r"$\tau_{12}$"),
              ("μs", r"$\mu$s"))


def tex_label(text: str) -> str:
    """Plain names in a plot label as mathtext: ``SiO2`` -> SiO$_2$, ``xCyHz``, ``τ12``,
    ``μs``, and powers of ten written ``0.6e6`` -> 0.6×10⁶."""
    import re

    for plain, tex in _TEX_WORDS:
        text = text.replace(plain, tex)
    return re.sub(r"(\d+(?:\.\d+)?)e(\d+)", r"\1$\\times 10^{\2}$", text)


def legend_outside(ax, *handles_labels, **kw) -> None:
    """A legend to the right of the axes, never over the data (``handles, labels`` and
    keywords as :meth:`matplotlib.axes.Axes.legend`)."""
    kw.setdefault("fontsize", 7)
    ax.legend(*handles_labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
              **kw)


def _axes(ax, figsize=(5.5, 4.0)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def fig4_spectrum(ax=None, asymmetries=((0.0, 0.0, 0.0), (0.3, -0.1, -0.2))):
    """Fig. 4: the three levels of Eq. (6) vs the A-B phase (D0 = 1), Eq. (8) lines and
    numerical diagonalization (dots). Asymmetries open gaps at the level crossings."""
    ax = _axes(ax, figsize=(8.6, 4.4))
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
    legend_outside(ax, fontsize=8)
    return ax


def fig5_dos_vs_energy(ax=None, ens: ATSEnsemble = FIG5_ENSEMBLE,
                       phis=(0.0, 0.02, 0.05, 0.1, 0.2), orientation="none"):
    """Fig. 5: magnetic ATS DOS (Eq. 13, n_ATS P* = 1) vs gap E for several phases φ."""
    ax = _axes(ax)
    E = np.linspace(0.0, 1.5, 1501)
    for p in phis:
        ax.plot(E, ens.dos(E, p, orientation=orientation), label=rf"$\varphi={p:g}$")
    ax.set_xlabel(r"gap $E$ [K] (with $D_0$ in K)")
    ax.set_ylabel(r"$g_{\mathrm{ATS}}(E,\varphi)$ [K$^{-1}$]")
    ax.set_title(rf"Fig. 5: ATS DOS, $D_{{\min}}$ = {ens.Dmin:g} K, $D_0$ = {ens.D0min:g}-"
                 rf"{ens.D0max:g} K", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def fig6_dos_vs_phase(ax=None, ens: ATSEnsemble = FIG5_ENSEMBLE,
                      energies=(0.12, 0.2, 0.3, 0.5), orientation="none"):
    """Fig. 6: magnetic ATS DOS (Eq. 13) vs phase φ ∝ B for several gaps E."""
    ax = _axes(ax)
    phi = np.linspace(0.0, 0.3, 1201)
    for e in energies:
        ax.plot(phi, ens.dos(e, phi, orientation=orientation), label=f"$E$ = {e:g} K")
    ax.set_xlabel(r"A-B phase $\varphi$ [rad] ($\propto B$)")
    ax.set_ylabel(r"$g_{ATS}(E,\varphi)$ [K$^{-1}$]")
    ax.set_title(r"Fig. 6: ATS DOS vs phase (cusps at $E = E_{c2}$)", fontsize=10)
    ax.legend(fontsize=8)
    return ax


#: the iso-Δ0 levels drawn grey in Fig. 26 [K] (the band's two levels are drawn red)
FIG26_LEVELS = (1e-12, 1e-9, 1e-1)
#: where Eq. (4)'s two readings stop decreasing with the barrier: ``x = V0/ħΩ`` on the
#: physical branch is ``>= 1/4`` (derived; below it the asymptotic form falls to 0 at
#: V0 = 0 instead of rising to the harmonic gap ħΩ) and ``< 9π/8`` (printed; beyond it the
#: bracket [3 - sqrt(8V0/πħΩ)] is negative)
EQ4_BRANCH = {"derived": (0.25, np.inf), "printed": (0.0, 9.0 * np.pi / 8.0)}


def delta0_isoline(delta0_K: float, form: str = "derived", n: int = 2000
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The iso-line Δ0(V0, ħΩ) = ``delta0_K`` of Eq. (4) as a parametric curve.

    Both readings of Eq. (4) are scale-free, ``Δ0 = ħΩ f(V0/ħΩ)``
    (``f(x) = delta0_parabolic(1, x, form)``), so the iso-line is
    ``ħΩ = Δ0 / f(x)``, ``V0 = x ħΩ`` with x on the branch where Δ0 falls with the barrier
    (:data:`EQ4_BRANCH`). No grid and no contouring: a contour of a gridded Δ0 also draws
    the derived form's rising branch x < 1/4 (an artifact of the asymptotic form: it tends
    to 0 as V0 -> 0 instead of to ħΩ), which returns to V0 -> 0 at large ħΩ, and the
    printed form's NaN boundary x = 9π/8 where its bracket changes sign.

    Returns (V0 [K], ħΩ [K], x = V0/ħΩ), ordered by increasing ħΩ (and V0).
    """
    lo, hi = EQ4_BRANCH[form]
    if form == "derived":
        x = lo + np.geomspace(1e-6, 60.0, n)
    else:
        # geometric in x from 0 to hi/2, then in u = 1 - x/hi towards the bracket's zero,
        # down to u = 1e-10 (there ħΩ = Δ0/f is ~1e7 Δ0/K, beyond any axes, and the bracket
        # still has six correct digits; it cancels to round-off at u ~ 1e-16)
        x = hi * np.concatenate([np.geomspace(1e-9, 0.5, n // 2, endpoint=False),
                                 1.0 - np.geomspace(0.5, 1e-10, n - n // 2)])
    f = delta0_parabolic(1.0, x, form=form)
    ok = np.isfinite(f) & (f > 0)
    x, f = x[ok], f[ok]
    hw = delta0_K / f
    return x * hw, hw, x


#: the ``gid`` of the iso-line labels of Fig. 26 (to find them among ``ax.texts``)
FIG26_LABEL_GID = "fig26-isoline-label"


def _label_on_line(ax, V0, hw, y, text, color, fontsize=7):
    """Text ``text`` on the curve (V0, hw) where ħΩ = y, rotated along it, with a thin white
    outline (no box, so it hides no neighbouring line)."""
    from matplotlib import patheffects
    i = int(np.clip(np.searchsorted(hw, y), 1, len(hw) - 1))
    x0 = np.exp(np.interp(np.log(y), np.log(hw), np.log(V0)))
    p = ax.transData.transform(np.column_stack([V0[i - 1:i + 1], hw[i - 1:i + 1]]))
    ang = float(np.degrees(np.arctan2(p[1, 1] - p[0, 1], p[1, 0] - p[0, 0])))
    ang = (ang + 90.0) % 180.0 - 90.0
    return ax.text(x0, y, text, color=color, fontsize=fontsize, rotation=ang,
                   rotation_mode="anchor", ha="center", va="bottom", zorder=6,
                   gid=FIG26_LABEL_GID,
                   path_effects=[patheffects.withStroke(linewidth=2.0, foreground="white")])


def fig26_delta0_isolines(ax=None, band=(1e-6, 1e-3), V0_max: float = 300.0,
                          hw_range: tuple[float, float] = (1e-5, 20.0), *,
                          V0_min: float = 1e-5, levels=FIG26_LEVELS, catalog=None,
                          highlight: int | None = None, paper_hw_max: float = 10.0):
    """Fig. 26: iso-lines of Δ0 (Eq. 4) in the (V0, ħΩ) plane, both axes logarithmic.

    Bold red: the band ``band`` (10⁻⁶ K < Δ0 < 10⁻³ K), solid for the derived Eq. (4)
    (:func:`~coldglass.systems.delta0_parabolic`, ``form="derived"``), dashed for the printed
    one; grey: the derived iso-lines of ``levels``, dotted where V0 < ħΩ (outside the
    asymptotic regime V0 >> ħΩ of Eq. 4). Lines from :func:`delta0_isoline` (no contouring
    of a grid, hence no spurious branch; see there). Thin dotted: the printed bracket's zero
    V0 = 9πħΩ/8. The paper's window 10⁻⁵ K < ħΩ < ``paper_hw_max`` is unshaded.

    ``catalog``: an optional DataFrame of double wells (``V0_K``, ``hbar_omega_K``,
    ``E_qs_K``, ``id``) overplotted (TLS, E_qs < 1 K, as filled stars); ``highlight`` the
    ``id`` of one of them to ring. The labels sit on their lines inside the axes.
    Returns the axes.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.6, 5.0), layout="constrained")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(V0_min, V0_max)
    ax.set_ylim(*hw_range)
    ylo, yhi = np.log(hw_range[0]), np.log(hw_range[1])
    if paper_hw_max < hw_range[1]:
        ax.axhspan(paper_hw_max, hw_range[1], color="0.92", zorder=0, lw=0)
        ax.text(V0_min * 2, np.sqrt(paper_hw_max * hw_range[1]),
                rf"beyond the paper's $\hbar\Omega \leq {paper_hw_max:g}$ K", fontsize=7,
                va="center", color="0.35")
    hw_line = np.geomspace(*hw_range, 50)
    ax.plot(9 * np.pi / 8 * hw_line, hw_line, ":", color="C4", lw=1.0,
            label=r"printed Eq. (4) ends (bracket zero): $V_0 = 9\pi\hbar\Omega/8$")
    curves = {}
    for d0 in sorted(set(levels) | set(band)):
        curves[d0] = delta0_isoline(d0, "derived")
    # the derived band, filled: between its two lines; below the tip of the upper line
    # (ħΩ < Δ0max/f(1/4)) every V0 on the branch has Δ0 < Δ0max, so the band reaches down
    # to the branch's end V0 = ħΩ/4
    up, dn = curves[band[1]], curves[band[0]]
    hw_f = np.geomspace(max(dn[1][0], hw_range[0]), hw_range[1], 300)
    v_hi = np.exp(np.interp(np.log(hw_f), np.log(dn[1]), np.log(dn[0])))
    v_lo = np.where(hw_f < up[1][0], EQ4_BRANCH["derived"][0] * hw_f,
                    np.exp(np.interp(np.log(hw_f), np.log(up[1]), np.log(up[0]))))
    ax.fill_betweenx(hw_f, v_lo, v_hi, color="C3", alpha=0.12, lw=0, zorder=1,
                     label=r"band, derived Eq. (4)")
    edge = hw_f < up[1][0]
    if edge.any():  # the band's left edge below the tip of the upper line: the branch's end
        ax.plot(v_lo[edge], hw_f[edge], "-.", color="C3", lw=0.9, zorder=3,
                label=r"band edge: branch end $V_0 = \hbar\Omega/4$")
    for d0 in levels:
        V0, hw, x = curves[d0]
        valid = x >= 1.0
        ax.plot(np.where(valid, V0, np.nan), hw, "-", color="0.5", lw=0.8)
        ax.plot(np.where(valid, np.nan, V0), hw, ":", color="0.5", lw=0.8)
    ax.plot([], [], "-", color="0.5", lw=0.8, label=r"iso-$\Delta_0$, derived Eq. (4)")
    ax.plot([], [], ":", color="0.5", lw=0.8, label=r"same, $V_0 < \hbar\Omega$")
    for j, d0 in enumerate(band):
        for form, ls, lw in (("derived", "-", 2.2), ("printed", "--", 1.4)):
            V0, hw, _ = delta0_isoline(d0, form)
            lab = None
            if j == 0:
                lab = (rf"$\Delta_0 = 10^{{{int(round(np.log10(band[0])))}}}$, "
                       rf"$10^{{{int(round(np.log10(band[1])))}}}$ K, {form} Eq. (4)")
            ax.plot(V0, hw, ls, color="C3", lw=lw, label=lab, zorder=4)
    # labels: on the derived lines, at heights staggered with Δ0 so that no two meet, each
    # above the point where its line enters V0 >= ħΩ (or the axes)
    ax.figure.canvas.draw()  # final axes size, for the rotation of the labels
    labelled = sorted(curves)
    fr = np.linspace(0.18, 0.86, len(labelled))
    for k, d0 in enumerate(labelled):
        V0, hw, x = curves[d0]
        start = (np.log(hw[np.argmax(x >= 1.0)]) - ylo) / (yhi - ylo)
        f = max(fr[k], start + 0.06)
        if f > 0.95:
            continue
        _label_on_line(
            ax, V0, hw, np.exp(ylo + f * (yhi - ylo)),
            rf"$10^{{{int(round(np.log10(d0)))}}}$", "C3" if d0 in band else "0.3")
    if catalog is not None and len(catalog):
        tls = catalog["E_qs_K"].to_numpy(float) < 1.0
        ax.scatter(catalog["V0_K"][~tls], catalog["hbar_omega_K"][~tls], s=14, color="C0",
                   zorder=5, label=r"catalog double wells ($E_{qs} \geq 1$ K)")
        ax.scatter(catalog["V0_K"][tls], catalog["hbar_omega_K"][tls], s=60, marker="*",
                   color="C2", ec="k", lw=0.5, zorder=6,
                   label=r"catalog TLS ($E_{qs} < 1$ K)")
        if highlight is not None:
            r = catalog[catalog["id"] == highlight]
            ax.scatter(r["V0_K"], r["hbar_omega_K"], s=160, facecolors="none",
                       edgecolors="k", lw=1.0, zorder=7, label=f"Fig. 27 well (id {highlight})")
    ax.set_xlabel(r"barrier $V_0$ [K]")
    ax.set_ylabel(r"single-well energy $\hbar\Omega$ [K]")
    ax.set_title(r"Fig. 26: iso-$\Delta_0$ lines [K] of Eq. (4)", fontsize=10)
    legend_outside(ax)
    return ax


def orientation_comparison(ax=None, ens: ATSEnsemble | None = None, E=0.8,
                           fields=None):
    """ATS DOS vs field: exact orientation average (φ -> φ cos β) against the paper's
    shortcut φ² -> φ²/3 and the unaveraged form, for BAS-like cutoffs (Table 2)."""
    ax = _axes(ax)
    if ens is None:
        from .materials import get_material

        r = get_material("BAS").heat_capacity.rows[0]
        ens = ATSEnsemble(Dmin=r.Dmin, D0min=r.X0min, D0max=r.X0max)
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
    ax.set_xlabel(r"gap $E$ [K]")
    ax.set_ylabel(r"$g(E)$ [K$^{-1}$]")
    ax.set_title(rf"$D_{{\min}}$ = {ens.Dmin:g} K, $D_{{\max}}$ = {ens.Dmax:g} K, $D_0$ = "
                 rf"{ens.D0min:g}-{ens.D0max:g} K, $\varphi$ = {phi:g}", fontsize=9)
    ax.legend(fontsize=8)
    return ax
