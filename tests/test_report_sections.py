"""The report's recomputed findings for the spectrum (Figs. 4-6), the dielectric figures
(Figs. 8-11, Tables 5-7), Table 8, and the figure helpers they rely on."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from coldglass.materials import DIELECTRIC, LOSS  # noqa: E402
from coldglass.plotting import FIG5_ENSEMBLE  # noqa: E402
from coldglass.report import dielectric  # noqa: E402
from coldglass.report.echo_field import echo_cutoff_decades  # noqa: E402
from coldglass.report.spectrum import cusp_phases, moved_states  # noqa: E402


@pytest.mark.parametrize("phi", [0.02, 0.2])
def test_a_field_moves_states_up_without_changing_their_number(phi):
    # Fig. 5: ∫(g_φ - g_0) dE = 0 (the states of Eq. 10 are only relabelled in energy) and
    # the moved ones gain energy; quadrature error ~1e-12 of the states moved
    net, moved, gain = moved_states(FIG5_ENSEMBLE, phi)
    assert moved > 0.5
    assert abs(net) < 1e-9 * moved
    assert gain > 0


def test_the_cusp_of_fig6_sits_where_E_equals_Ec2():
    phi = np.linspace(0.0, 0.3, 3001)
    for E in (0.2, 0.3, 0.5):
        found, closed = cusp_phases(FIG5_ENSEMBLE, E, phi)
        assert found == pytest.approx(closed, abs=2 * (phi[1] - phi[0]))


def test_eq45_parts_have_the_signs_the_text_gives():
    # nw = 2 keeps only the D0²φ² term of Eq. (45); with c(3)/c(2) = 3/4 it is the nw = 3
    # curve's peak part, the remainder its (nw - 2)E² part
    B = np.linspace(0.0, 1.0, 41)
    for r in DIELECTRIC["BAS"] + DIELECTRIC["BK7"]:
        total = dielectric._curve(r, B)
        peak = dielectric._curve(r, B, nw=2) * 0.75
        assert peak.min() >= 0 and peak.max() > 0
        assert (total - peak).max() <= 1e-15 and (total - peak).min() < 0


def test_fig8_correction_with_the_magnetization_B_star_is_invisible():
    B = dielectric._field_grid()
    r = DIELECTRIC["BAS"][0]
    y = dielectric._curve(r, B)
    rel = np.abs(dielectric._curve(r, B, B_star=dielectric._b_star("BAS")) - y).max() / np.ptp(y)
    assert rel < 2e-3  # 0.07 % measured
    assert dielectric._visible_b_star(r, B) == 0.2  # 3.4 % at 0.2 T, < 2 % at 0.25 T


def test_fig11_inset_peak_needs_a_frequency_above_1kHz():
    # the distinguishing feature of the inset: at 1 kHz Δtanδ falls from B = 0, at 100 kHz
    # a positive peak of order 1e-8 sits near 10 mT
    B = np.linspace(0.0, 0.05, 201)
    row = LOSS["BAS"][0]
    low = dielectric._curve(row, B, loss=True, f=1e3)
    assert low.max() <= 0 and low[1] < 0
    high = dielectric._curve(row, B, loss=True, f=1e5)
    h, b = dielectric._peak(B, high)
    assert 5e-9 < h < 1e-7
    assert 5e-3 <= b <= 20e-3


def test_table8_cutoffs_lie_one_to_two_decades_below_cp_and_eps():
    dec = echo_cutoff_decades()
    assert set(dec) == {("BAS", "X0min"), ("BAS", "X0max"), ("BK7", "X0min"),
                        ("BK7", "X0max")}
    # D0max: about one order (the paper's statement); D0min: about two
    assert 1.0 < dec[("BAS", "X0max")] < 1.5 and 1.0 < dec[("BK7", "X0max")] < 1.5
    assert 1.5 < dec[("BAS", "X0min")] < 2.5 and 1.5 < dec[("BK7", "X0min")] < 2.5


def test_figs_8_11_claims_name_every_dielectric_item(tmp_path):
    from coldglass.report.coverage import _items_of

    part = dielectric.section_figs_8_11(tmp_path)
    items = {it for c in part.claims for it in _items_of(c.item)}
    assert {"Fig. 8", "Fig. 9", "Fig. 10", "Fig. 11", "Table 5", "Table 6", "Table 7"} <= items
    assert (tmp_path / "fig11_inset_weak_field_loss.png").stat().st_size > 5000
    df = pd.read_csv(tmp_path / "figs8_11_dielectric.csv")
    assert set(df["table"]) == {"Table 5", "Table 6", "Table 7"}


def test_unit_labels_raise_exponents():
    from coldglass.fit.result import _unit_label

    assert _unit_label("A m2/g") == "A m$^{2}$/g"
    assert _unit_label("s^-1") == "s$^{-1}$"
    assert _unit_label("µJ/(g K)") == "µJ/(g K)"
    assert _unit_label("mT") == "mT"


def test_empty_histogram_panel_says_so_instead_of_a_negative_count_axis():
    from coldglass.landscape.statistics import plot_distributions

    df = pd.DataFrame({"route": ["IS", "IS"], "V0_K": [1.0, 5.0], "Delta_K": [0.1, 0.3],
                       "d_A": [0.5, 0.7], "Delta0_exact_K": [np.nan, np.nan],
                       "Delta0_eq4_K": [np.nan, np.nan]})
    fig = plot_distributions(df)
    axes = fig.axes
    assert axes[0].get_ylim()[0] == 0.0
    assert any("no finite" in t.get_text() for t in axes[3].texts)


def test_tex_labels_of_names_and_powers_of_ten():
    from coldglass.plotting import tex_label

    assert tex_label("a-SiO2") == "a-SiO$_2$"
    assert tex_label("SiO2+xCyHz 50 mK") == "SiO$_2$+xC$_y$H$_z$ 50 mK"
    assert tex_label("exact, τ12 1 μs") == r"exact, $\tau_{12}$ 1 $\mu$s"
    assert tex_label("Δω = 0.6e6 rad/s") == r"Δω = 0.6$\times 10^{6}$ rad/s"
    assert tex_label("BK7 15 mK") == "BK7 15 mK"
