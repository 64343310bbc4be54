"""The energy landscape (paper Sec. 8): Fig. 26, the barrier range of tunnelling systems, and
Fig. 27, a double well of the landscape drawn from a real catalog.

* :func:`section_fig26` -- the iso-Δ0 lines of Eq. (4) over the paper's full ħΩ range
  (10⁻⁵ K to 10 K), both readings of Eq. (4), the band 10⁻⁶ K < Δ0 < 10⁻³ K, the example
  catalog's double wells; its claim is the "maximum barrier ≈ 20 K".
* :func:`fig27_well` computes, :func:`fig27_landscape` draws and :func:`section_fig27` reports
  one double well of the packaged example catalog
  (:data:`~coldglass.app.landscape_view.EXAMPLE_CATALOG`): the energy along its stored CI-NEB
  path (:meth:`~coldglass.app.landscape_view.CatalogView.well`), the two minima and the saddle,
  and the soft-mode valley through each minimum: the LAMMPS energy along the lowest non-zero
  eigenvector of the **mass-weighted** Hessian (the dynamical matrix, translations removed,
  :func:`~coldglass.landscape.calculator.lowest_modes`), against the harmonic parabola of its
  eigenvalue. Coordinates along the path and along the modes are the same mass-weighted
  length [σ·√m]; energies in K through the catalog's unit mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..systems import delta0_parabolic
from ._common import Claim, Part, check, compare, legend_outside, markdown_table, save_figure

__all__ = ["section_fig26", "section_fig27", "band_edge_V0", "fig27_well", "fig27_landscape",
           "Fig27Well", "Valley", "PAPER_BARRIER_MAX_K", "PAPER_HW_RANGE_K", "PAPER_BAND_K",
           "CURVATURE_RTOL", "CURVATURE_STEP", "INDEX_TOL"]

#: the paper's Sec. 8 numbers: the Δ0 band, the ħΩ range [K] and the maximum barrier [K]
PAPER_BAND_K = (1e-6, 1e-3)
PAPER_HW_RANGE_K = (1e-5, 10.0)
PAPER_BARRIER_MAX_K = 20.0
#: the step [σ·√m] of the central difference that measures a valley's curvature at its
#: minimum, and the relative tolerance against the Hessian eigenvalue (the difference's
#: truncation error is ~ h² E''''/12 ~ 1e-5 relative here, its round-off ~ 1e-7)
CURVATURE_STEP = 1e-3
CURVATURE_RTOL = 1e-4
#: eigenvalues below ``-INDEX_TOL`` [ε/(σ² m)] count as negative (the saddle index)
INDEX_TOL = 1e-6


# ---------------------------------------------------------------------------- Fig. 26
def band_edge_V0(hbar_omega_K: float, delta0_K: float, form: str = "derived") -> float:
    """The barrier V0 [K] at which Eq. (4) gives Δ0 = ``delta0_K`` for the single-well energy
    ``hbar_omega_K`` [K], on the branch where Δ0 falls with V0
    (:data:`~coldglass.plotting.EQ4_BRANCH`); NaN where that branch never reaches
    ``delta0_K`` (Δ0 > ħΩ f(x) for every x on it). Root of ``ln f(x) = ln(Δ0/ħΩ)`` in
    ``x = V0/ħΩ`` by Brent's method (f falls monotonically on the branch)."""
    from scipy.optimize import brentq

    from ..plotting import EQ4_BRANCH

    lo, hi = EQ4_BRANCH[form]
    target = np.log(delta0_K / hbar_omega_K)

    def g(x):
        f = float(delta0_parabolic(1.0, x, form=form))
        return (np.log(f) if f > 0 and np.isfinite(f) else -1e3) - target

    if g(lo) < 0:
        return float("nan")
    if form == "derived":
        top = 1.0
        while g(top) > 0:
            top *= 2.0
    else:
        top = hi * (1.0 - 1e-15)
    return float(brentq(g, lo, top, xtol=1e-14, rtol=1e-13) * hbar_omega_K)


def _catalog_table():
    from ..app.landscape_view import EXAMPLE_CATALOG, CatalogView

    return CatalogView(EXAMPLE_CATALOG, verify=False).table


def section_fig26(out: Path) -> Part:
    from ..plotting import fig26_delta0_isolines

    table = _catalog_table()
    pick = int(table.loc[table["E_qs_K"].idxmin(), "id"])
    save_figure(fig26_delta0_isolines(catalog=table, highlight=pick),
                out / "fig26_delta0_isolines.png")
    rows = []
    for hw in (1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 3.0, 10.0):
        for form in ("derived", "printed"):
            rows.append((hw, form, band_edge_V0(hw, PAPER_BAND_K[1], form),
                         band_edge_V0(hw, PAPER_BAND_K[0], form)))
    df = pd.DataFrame(rows, columns=["hbar_Omega_K", "Eq. 4 form", "V0_K at Delta0=1e-3 K",
                                     "V0_K at Delta0=1e-6 K"])
    df.to_csv(out / "fig26_band_edges.csv", index=False)
    hw_max = PAPER_HW_RANGE_K[1]
    # V0 on the band's upper edge (Δ0 = 1e-6 K) rises monotonically with ħΩ: its largest
    # value over the paper's ħΩ range is at the range's top
    vmax = {f: band_edge_V0(hw_max, PAPER_BAND_K[0], f) for f in ("derived", "printed")}
    from scipy.optimize import brentq

    hw20 = {f: brentq(lambda h, f=f: band_edge_V0(h, PAPER_BAND_K[0], f) - PAPER_BARRIER_MAX_K,
                      0.01, 100.0) for f in ("derived", "printed")}
    claims = [compare("Fig. 26", f"maximum barrier of tunnelling systems ≈ "
                      f"{PAPER_BARRIER_MAX_K:g} K (band 1e-6 K < Δ0 < 1e-3 K, "
                      f"ħΩ ≤ {hw_max:g} K), {f} Eq. (4)", vmax[f], PAPER_BARRIER_MAX_K,
                      rtol=0.25, partial_rtol=1.0, unit="K")
              for f in ("derived", "printed")]
    claims.append(check(
        "Fig. 26", f"the band edge reaches ≈ {PAPER_BARRIER_MAX_K:g} K inside the paper's "
        f"ħΩ range {PAPER_HW_RANGE_K[0]:g}-{hw_max:g} K",
        ", ".join(f"ħΩ = {hw20[f]:.3g} K ({f})" for f in hw20),
        all(PAPER_HW_RANGE_K[0] <= h <= hw_max for h in hw20.values()),
        basis="ħΩ where V0(Δ0 = 1e-6 K) = 20 K, both readings, inside the stated range"))
    tls = table[table["E_qs_K"] < 1.0]
    md = ("## Fig. 26: the barrier range of tunnelling systems\n\n"
          "Both axes logarithmic, over the paper's full range 10⁻⁵ K < ħΩ < 10 K (the shaded "
          "strip above is beyond it, kept for the catalog's double wells). Bold red: the band "
          "10⁻⁶ K < Δ0 < 10⁻³ K, solid (and filled) for the derived double-oscillator "
          "splitting Δ0 = ħΩ sqrt(8V0/πħΩ) exp(-2V0/ħΩ), dashed for the printed Eq. (4), "
          "whose bracket [3 - sqrt(8V0/πħΩ)] vanishes at V0 = 9πħΩ/8 (purple dotted), so its "
          "band hugs that line. Both readings are scale-free, Δ0 = ħΩ f(V0/ħΩ), so each "
          "iso-line is drawn as the parametric curve ħΩ = Δ0/f(x), V0 = xħΩ on the branch "
          "where Δ0 falls with the barrier (derived: x ≥ 1/4, dotted where x < 1, outside "
          "V0 ≫ ħΩ). The former contour plot of a gridded Δ0 also drew the derived form's "
          "rising branch x < 1/4 (the asymptotic form tends to 0 as V0 → 0 instead of to the "
          "harmonic gap ħΩ): that was the spike near V0 ≈ 0.5 K of the 1 K iso-line.\n\n"
          f"The band's upper edge rises with ħΩ; at ħΩ = {hw_max:g} K it sits at "
          f"V0 = {vmax['derived']:.3g} K (derived) and {vmax['printed']:.3g} K (printed). "
          f"It reaches the paper's '≈ {PAPER_BARRIER_MAX_K:g} K maximum barrier' at "
          f"ħΩ = {hw20['derived']:.3g} K (derived) and {hw20['printed']:.3g} K (printed).\n\n"
          f"Points: the {len(table)} double wells of the packaged example catalog "
          f"(Kob-Andersen, N = 160, argon units; ħΩ the mean of the two wells' path "
          f"curvatures); stars: its {len(tls)} TLS (E_qs < 1 K), ringed: the double well of "
          f"Fig. 27 (id {pick}). They sit at ħΩ ≈ 4-17 K and far above the band in Δ0 "
          "(argon is light and these wells are not selected for the band).\n\n"
          "![Fig. 26](fig26_delta0_isolines.png)\n\n" + markdown_table(df) + "\n")
    return Part(md, claims)


# ---------------------------------------------------------------------------- Fig. 27
@dataclass(frozen=True, eq=False)
class Valley:
    """The soft-mode valley through one minimum.

    Attributes
    ----------
    name : "a" or "b" (the catalog's minimum a has the lower energy)
    minimum_id : the ``minima.id`` of the catalog
    t : (n,) displacement along the mode [σ·√m] (mass-weighted: the configuration is
        ``x + t u/sqrt(m_i)`` with u the unit eigenvector), t > 0 towards the path's next image
    E_K : (n,) LAMMPS energy along the mode relative to minimum a [K]
    E_min_K : the minimum's energy relative to minimum a [K]
    eig : the lowest non-zero eigenvalue λ1 of the mass-weighted Hessian [ε/(σ² m)]
    eigs : the four lowest eigenvalues (translations excluded) [ε/(σ² m)]
    curvature_fd : central-difference curvature of the LAMMPS energy along the mode at t = 0,
        step :data:`CURVATURE_STEP` [ε/(σ² m)]
    hbar_omega_soft_K : ħ*·sqrt(λ1) in K, the harmonic quantum of the soft mode
    cos_tangent : |cos| of the angle between the soft mode and the path's tangent at the
        minimum (mass-weighted)
    cos_chord : |cos| of the angle between the soft mode and the chord a -> b
    index : number of eigenvalues below ``-INDEX_TOL`` (0 for a minimum)
    x : (N, 3) the stored minimum structure [σ]
    mode : (3N,) the unit mass-weighted eigenvector of λ1 (sign: towards the path)
    """

    name: str
    minimum_id: int
    t: np.ndarray
    E_K: np.ndarray
    E_min_K: float
    eig: float
    eigs: np.ndarray
    curvature_fd: float
    hbar_omega_soft_K: float
    cos_tangent: float
    cos_chord: float
    index: int
    x: np.ndarray
    mode: np.ndarray

    def harmonic_K(self, t, epsilon_K: float) -> np.ndarray:
        """The parabola ``E_min + λ1 t²/2`` [K] at displacements t [σ·√m]."""
        return self.E_min_K + 0.5 * self.eig * np.asarray(t) ** 2 * epsilon_K


@dataclass(frozen=True, eq=False)
class Fig27Well:
    """Everything Fig. 27 draws and checks (energies relative to minimum a [K]).

    ``well``: the :class:`~coldglass.app.landscape_view.Well` (V(s), images, levels);
    ``rule``: how the double well was chosen; ``valleys``: the two :class:`Valley`;
    ``saddle_index``, ``saddle_eigs``: the saddle's Hessian index and lowest eigenvalues
    [ε/(σ² m)]; ``distinct``: the two minima are not the same minimum
    (:func:`~coldglass.landscape.identity.same_minimum`); ``min_distance_sigma``: their
    :func:`~coldglass.landscape.identity.minimum_distance` [σ]; ``E_stored_K`` and
    ``E_lammps_K``: the stored (catalog) and LAMMPS-recomputed energies of the stored minimum
    and saddle structures (a, b, s); ``epsilon_K``: the unit mapping's ε/k_B.
    """

    well: object
    rule: str
    valleys: tuple[Valley, Valley]
    saddle_index: int
    saddle_eigs: np.ndarray
    distinct: bool
    min_distance_sigma: float
    E_stored_K: dict
    E_lammps_K: dict
    epsilon_K: float

    @property
    def row(self) -> dict:
        return self.well.row


def _pick(table: pd.DataFrame) -> tuple[int, str]:
    i = int(table.loc[table["E_qs_K"].idxmin(), "id"])
    return i, ("the double well of lowest E_qs (level splitting) in the catalog, "
               f"id {i}" + (" (its only TLS, E_qs < 1 K)"
                            if int(np.sum(table["E_qs_K"] < 1.0)) == 1 else ""))


def fig27_well(catalog=None, dwp_id: int | None = None, *, n_valley: int = 41,
               valley_reach: float = 1.5) -> Fig27Well:
    """Compute Fig. 27 from a double well of a landscape catalog (LAMMPS engine).

    Parameters
    ----------
    catalog : the SQLite catalog (default: the packaged example catalog)
    dwp_id : the double well; None picks the one of lowest E_qs (the stated rule)
    n_valley : points per valley scan
    valley_reach : each valley is scanned over |t| <= t_max with the harmonic energy
        ``λ1 t_max²/2`` equal to ``valley_reach`` times the barrier seen from that minimum

    The path, its images and V(s) come from
    :meth:`~coldglass.app.landscape_view.CatalogView.well`; the minima and the saddle are the
    structures stored in the catalog's ``minima`` and ``saddles`` tables; their Hessians are
    the analytic mass-weighted ones of :func:`~coldglass.landscape.calculator.lowest_modes`,
    the energies along the modes LAMMPS's.
    """
    from ..app.landscape_view import EXAMPLE_CATALOG, CatalogView
    from ..landscape.calculator import lowest_modes
    from ..landscape.catalog import Catalog
    from ..landscape.engine import LammpsLJ
    from ..landscape.identity import minimum_distance, same_minimum
    from ..landscape.model import minimum_image
    from ..landscape.saddles import hessian_index

    path = EXAMPLE_CATALOG if catalog is None else catalog
    view = CatalogView(path, verify=False)
    if dwp_id is None:
        dwp_id, rule = _pick(view.table)
    else:
        rule = f"double well id {int(dwp_id)} (given)"
    well = view.well(int(dwp_id), n_levels=2, engine="lammps")
    row = well.row
    model, units = view.model, view.unit_mapping
    K = units.epsilon_K
    with Catalog(path, readonly=True, verify=False) as cat:
        xa = cat.configuration("minima", int(row["min_a"]))
        xb = cat.configuration("minima", int(row["min_b"]))
        xs = cat.configuration("saddles", int(row["saddle_id"]))
        X = cat.configuration("paths", int(row["path_id"]))
        stored = cat.table("minima", ["id", "energy"]).set_index("id")["energy"]
        stored_s = cat.table("saddles", ["id", "energy"]).set_index("id")["energy"]
    # the path runs from minimum a to b (dwp_parameters orders it so); the stored minima
    # are in the row's order
    if minimum_distance(model, X[0], xa) > minimum_distance(model, X[0], xb):
        X = X[::-1]
    L = model.box_length
    sqm = np.sqrt(model.particle_masses)[:, None]

    def mw(d):
        return (sqm * d).ravel()

    chord = mw(minimum_image(X[-1] - X[0], L))
    chord /= np.linalg.norm(chord)
    eng = LammpsLJ(model, xa)
    try:
        E = {k: eng.energy_forces(x)[0] for k, x in (("a", xa), ("b", xb), ("s", xs))}
        e0 = E["a"]
        valleys = []
        for name, x, nxt, mid in (("a", xa, X[1], int(row["min_a"])),
                                  ("b", xb, X[-2], int(row["min_b"]))):
            vals, vecs = lowest_modes(model, x, 4)
            lam, v = float(vals[0]), vecs[:, 0]
            tan = mw(minimum_image(nxt - x, L))
            tan /= np.linalg.norm(tan)
            if v @ tan < 0:
                v = -v
            u = v.reshape(-1, 3) / sqm
            h = CURVATURE_STEP
            ep, em = eng.energy_forces(x + h * u)[0], eng.energy_forces(x - h * u)[0]
            curv = (ep + em - 2.0 * E[name]) / h**2
            barrier = E["s"] - E[name]
            tmax = np.sqrt(2.0 * valley_reach * barrier / lam)
            t = np.linspace(-tmax, tmax, n_valley)
            Et = np.array([eng.energy_forces(x + ti * u)[0] for ti in t])
            valleys.append(Valley(
                name=name, minimum_id=mid, t=t, E_K=(Et - e0) * K, E_min_K=(E[name] - e0) * K,
                eig=lam, eigs=np.asarray(vals), curvature_fd=float(curv),
                hbar_omega_soft_K=float(units.hbar_star * np.sqrt(lam) * K),
                cos_tangent=float(abs(v @ tan)), cos_chord=float(abs(v @ chord)),
                index=int(np.sum(vals < -INDEX_TOL)), x=np.asarray(x), mode=v))
    finally:
        eng.close()
    s_index, s_eigs = hessian_index(model, xs, k=4, tol=INDEX_TOL)
    return Fig27Well(
        well=well, rule=rule, valleys=tuple(valleys), saddle_index=int(s_index),
        saddle_eigs=np.asarray(s_eigs),
        distinct=not same_minimum(model, xa, xb, E["a"], E["b"]),
        min_distance_sigma=float(minimum_distance(model, xa, xb)),
        E_stored_K={"a": float(stored[int(row["min_a"])] - stored[int(row["min_a"])]) * K,
                    "b": float(stored[int(row["min_b"])] - stored[int(row["min_a"])]) * K,
                    "s": float(stored_s[int(row["saddle_id"])] - stored[int(row["min_a"])]) * K},
        E_lammps_K={k: (E[k] - E["a"]) * K for k in E}, epsilon_K=K)


def fig27_landscape(ax=None, data: Fig27Well | None = None, **kw):
    """Fig. 27 from a real double well: (left) the energy along the CI-NEB path -- images as
    markers, the interpolated V(s) as a line, the two minima (IS a, IS b) and the saddle (SP)
    marked and labelled with their energies, the two lowest levels of the 1D problem; (right)
    the soft-mode valley through each minimum -- LAMMPS energies along the lowest eigenvector
    of the mass-weighted Hessian (markers) against the parabola of its eigenvalue (dashed).

    ``ax``: None (a new figure) or a pair of axes; ``data``: a :class:`Fig27Well` (computed by
    :func:`fig27_well` with ``**kw`` if None). Returns the pair of axes.
    """
    import matplotlib.pyplot as plt

    d = fig27_well(**kw) if data is None else data
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(10.5, 4.2), layout="constrained",
                             gridspec_kw={"width_ratios": [1.15, 1.0]})
    a1, a2 = ax
    w, K = d.well, d.epsilon_K
    S = float(w.s_images[-1])
    m = (w.s >= -0.12 * S) & (w.s <= 1.12 * S)
    a1.plot(w.s[m], w.V_K[m], "-", color="C0", lw=1.5, label="V(s): interpolation (slopes -F·τ)")
    a1.plot(w.s_images, w.E_images_K, "o", color="C0", mfc="white", ms=5,
            label="CI-NEB images (LAMMPS)")
    va, vb = d.valleys
    pts = ((0.0, va.E_min_K, "IS a", "C2", "v"), (S, vb.E_min_K, "IS b", "C1", "v"),
           (w.s_saddle, float(w.E_images_K[w.i_saddle]), "SP", "C3", "^"))
    for s, e, name, c, mk in pts:
        a1.plot([s], [e], mk, color=c, ms=9, mec="k", zorder=5)
        a1.annotate(f"{name}: {e:.3f} K", (s, e), textcoords="offset points",
                    xytext=(0, -16 if mk == "v" else 9), ha="center", fontsize=8, color=c)
    for k, (lv, ls) in enumerate(zip(w.levels_K[:2], ("-", "--"), strict=True)):
        a1.axhline(lv, color="0.4", lw=0.8, ls=ls, label=f"level $E_{k}$ = {lv:.3f} K")
    top = max(float(np.max(w.E_images_K)), float(w.levels_K[1]))
    a1.set_ylim(-0.22 * top, 1.25 * top)
    a1.set_xlim(w.s[m][0], w.s[m][-1])
    a1.set_xlabel(r"arc length along the path $s$ [$\sigma\sqrt{m}$]")
    a1.set_ylabel(r"$E - E_a$ [K]")
    a1.set_title(f"double well {w.dwp_id}: energy along the path", fontsize=10)
    a1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7,
              frameon=False)
    for v, c in ((va, "C2"), (vb, "C1")):
        tt = np.linspace(v.t[0], v.t[-1], 200)
        a2.plot(v.t, v.E_K, "o", color=c, ms=3.5,
                label=rf"IS {v.name}: LAMMPS, $\lambda_1$ = {v.eig:.3f} $\epsilon/\sigma^2 m$")
        a2.plot(tt, v.harmonic_K(tt, K), "--", color=c, lw=1.0,
                label=rf"IS {v.name}: harmonic $E_{v.name} + \lambda_1 t^2/2$")
    a2.axhline(float(w.E_images_K[w.i_saddle]), color="C3", lw=0.8, ls=":",
               label="saddle energy")
    a2.set_xlabel(r"displacement along the soft mode $t$ [$\sigma\sqrt{m}$]")
    a2.set_ylim(top=1.08 * max(float(np.max(v.E_K)) for v in (va, vb)))
    a2.set_ylabel(r"$E - E_a$ [K]")
    a2.set_title("soft-mode valleys (mass-weighted Hessian)", fontsize=10)
    legend_outside(a2)
    return ax


def section_fig27(out: Path) -> Part:
    """Fig. 27 from the example catalog, with its claims checked on the computed numbers."""
    d = fig27_well()
    save_figure(fig27_landscape(data=d)[0], out / "fig27_landscape.png")
    w, row, K = d.well, d.row, d.epsilon_K
    va, vb = d.valleys
    pd.DataFrame({"s_sigma_sqrt_m": w.s_images, "E_minus_Ea_K": w.E_images_K}).to_csv(
        out / "fig27_path_images.csv", index=False)
    pd.concat([pd.DataFrame({"minimum": v.name, "t_sigma_sqrt_m": v.t, "E_minus_Ea_K": v.E_K,
                             "harmonic_K": v.harmonic_K(v.t, K)}) for v in d.valleys]
              ).to_csv(out / "fig27_valleys.csv", index=False)
    curv = [abs(v.curvature_fd / v.eig - 1.0) for v in d.valleys]
    claims: list[Claim] = [
        check("Fig. 27", "two local minima (inherent structures IS1, IS2)",
              f"Hessian index {va.index} and {vb.index}; distance "
              f"{d.min_distance_sigma:.3g} σ, ΔE = {d.E_lammps_K['b']:.3f} K; "
              f"same_minimum: {not d.distinct}",
              va.index == 0 and vb.index == 0 and d.distinct,
              basis=f"no eigenvalue below -{INDEX_TOL:g} ε/(σ²m) at either, and not the same "
                    "minimum by the catalog's predicate (same_minimum)"),
        check("Fig. 27", "connected by a first-order saddle point (SP)",
              f"index {d.saddle_index}; lowest eigenvalues "
              + ", ".join(f"{x:.3f}" for x in d.saddle_eigs[:3]) + " ε/(σ²m)",
              d.saddle_index == 1,
              basis=f"exactly one eigenvalue of the mass-weighted Hessian below -{INDEX_TOL:g}"),
        check("Fig. 27", "the immediate surrounding of the IS is still harmonic "
              "(the soft-mode valley's curvature is the lowest Hessian eigenvalue)",
              ", ".join(f"IS {v.name}: {v.curvature_fd:.5g} vs λ1 = {v.eig:.5g}"
                        for v in d.valleys),
              max(curv) <= CURVATURE_RTOL,
              basis=f"central difference (step {CURVATURE_STEP:g} σ√m) of the LAMMPS energy "
                    f"along the mode; |ratio - 1| = {max(curv):.1g} ≤ {CURVATURE_RTOL:g}"),
        check("Fig. 27", "no guarantee that following the softest mode leads to the saddle",
              ", ".join(f"IS {v.name}: |cos(mode, path tangent)| = {v.cos_tangent:.2f}, "
                        f"|cos(mode, chord a→b)| = {v.cos_chord:.2f}" for v in d.valleys),
              min(v.cos_tangent for v in d.valleys) < 0.9,
              partly=min(v.cos_tangent for v in d.valleys) < 0.99,
              basis="holds when the soft mode leaves the path's direction at one minimum at "
                    "least: |cos| < 0.9 (partial < 0.99)"),
        check("Fig. 27", "the transition involves only a small number of particles, "
              "on the order of 4-10", f"N·PR = {row['n_eff']:.3g} (PR = "
              f"{row['participation_ratio']:.3g}, N = 160)",
              4.0 <= row["n_eff"] <= 10.0, partly=2.0 <= row["n_eff"] <= 20.0,
              basis="match for 4 ≤ N·PR ≤ 10, partial within 2-20; this one double well"),
    ]
    de = max(abs(d.E_lammps_K[k] - d.E_stored_K[k]) for k in "abs")
    dev_path = max(abs(float(w.E_images_K[0]) - d.E_stored_K["a"]),
                   abs(float(w.E_images_K[-1]) - d.E_stored_K["b"]),
                   abs(float(w.E_images_K[w.i_saddle]) - d.E_stored_K["s"]))
    tab = pd.DataFrame([
        ("IS a", int(row["min_a"]), d.E_stored_K["a"], va.eig, va.hbar_omega_soft_K,
         float(row["hbar_omega_a_K"]), va.cos_tangent),
        ("IS b", int(row["min_b"]), d.E_stored_K["b"], vb.eig, vb.hbar_omega_soft_K,
         float(row["hbar_omega_b_K"]), vb.cos_tangent),
        ("SP", int(row["saddle_id"]), d.E_stored_K["s"], float(d.saddle_eigs[0]), np.nan,
         np.nan, np.nan)],
        columns=["point", "catalog id", "E - E_a [K]", "lowest eigenvalue [eps/(sigma^2 m)]",
                 "hbar omega soft mode [K]", "hbar Omega along path [K]",
                 "|cos(soft mode, tangent)|"])
    md = ("## Fig. 27: a double well of the landscape, from the example catalog\n\n"
          f"The paper's Fig. 27 is a drawing; here it is a real double well: {d.rule} of the "
          f"packaged example catalog (Kob-Andersen binary LJ, N = 160, argon units "
          f"ε/k_B = {K:g} K). Left: the energy along its stored CI-NEB path (images "
          f"recomputed with {w.forces_from}; V(s) the catalog's interpolation), the two minima "
          "and the saddle with their energies relative to IS a, and the two lowest levels of "
          f"the 1D problem along the path (splitting {w.levels_K[1] - w.levels_K[0]:.3f} K, "
          f"the catalog's E_qs = {row['E_qs_K']:.3f} K). Right: the soft-mode valleys: the "
          "LAMMPS energy along the lowest non-zero eigenvector of the mass-weighted Hessian "
          "(translations removed) through each stored minimum, against the parabola "
          "λ1 t²/2; t > 0 points towards the path. Both valleys are harmonic near their "
          "minimum and soften or stiffen away from it, asymmetrically.\n\n"
          f"Checks: the stored structures' LAMMPS energies equal the catalog's to "
          f"{de:.1e} K, the path's end and highest images equal the stored minima and saddle "
          f"to {dev_path:.1e} K (barrier V_a = {d.E_stored_K['s']:.3f} K, "
          f"V0 = {row['V0_K']:.3f} K, Δ = {row['Delta_K']:.3f} K).\n\n"
          "![Fig. 27](fig27_landscape.png)\n\n" + markdown_table(tab) + "\n")
    return Part(md, claims)
