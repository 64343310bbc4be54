"""The explorer without a browser: its curves against the public model API, the cache's
bookkeeping, refusals, and uploads/fits against the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coldglass.models as cm
from coldglass.app import fitting, views
from coldglass.app.views import (
    HEAT,
    MAGNETIZATION,
    VIEWS,
    Evaluator,
    default_state,
    preset_state,
    reference_evaluate,
)
from coldglass.ensembles import Rule
from coldglass.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


@pytest.mark.parametrize("key", list(VIEWS))
def test_every_preset_draws_finite_curves_of_200_points(key):
    v = VIEWS[key]
    ev = Evaluator()
    for name in ["(defaults)", *v.presets]:
        s = default_state(v) if name == "(defaults)" else preset_state(v, name)
        curves, errors = ev.evaluate(v, s)
        assert errors == {}, (name, errors)
        assert len(curves) == sum(len(p.curves) for p in v.plots)
        for k, (x, y) in curves.items():
            assert x.shape == y.shape == (views.N_POINTS,), k
            assert np.all(np.isfinite(y)), (name, k)


@pytest.mark.parametrize("key,presets", [
    ("heat", ["BAS (Tables 1-2, 0.6 K)", "Duran (Tables 3-4, 1.36 K)", "exact"]),
    ("magnetization", ["BAS (Table 10)", "BK7 (Table 14)", "exact"]),
    ("dielectric", ["BAS Δε' (Table 5, 50 mK)", "BAS loss (Table 7, 77 mK)",
                    "BK7 loss (Table 7, 15 mK)", "exact"]),
])
def test_display_rules_are_within_1e_3_of_the_default_rule(key, presets, monkeypatch):
    """The display rules and orientation nodes against the package's defaults (~1e-8): 1e-3
    of each curve's largest value, what a 400-pixel plot cannot show (2.5e-3 per pixel).
    "exact": the view's defaults with the exact orientation average."""
    v = VIEWS[key]
    for name in presets:
        s = (default_state(v) | {"orientation": "exact"} if name == "exact"
             else preset_state(v, name))
        fast = reference_evaluate(v, s)
        monkeypatch.setattr(views, "VIEW_RULE", Rule())
        monkeypatch.setattr(views, "LOSS_RULE", Rule())
        monkeypatch.setattr(views, "VIEW_ORIENTATION_NODES", 12)
        exact = reference_evaluate(v, s)
        monkeypatch.undo()
        for k, (_x, y) in exact.items():
            scale = np.max(np.abs(y))
            assert np.max(np.abs(fast[k][1] - y)) <= 1e-3 * scale, (name, k)


def test_a_change_recomputes_only_the_curves_that_read_it():
    ev = Evaluator()
    s = default_state(HEAT)
    ev.evaluate(HEAT, s)
    n0 = ev.computed
    assert n0 == 8  # 5 parts of Cp(T) + 3 of C̄p(B); the totals are sums
    ev.evaluate(HEAT, s | {"T": 0.9})  # T reads only the C̄p(B) parts
    assert ev.computed - n0 == 3
    ev.evaluate(HEAT, s | {"T": 0.9, "Pn": 2 * s["Pn"], "n_fe2": 3e17})  # amplitudes: free
    assert ev.computed - n0 == 3
    ev.evaluate(HEAT, s)  # back to the start: cached
    assert ev.computed - n0 == 3


def test_amplitude_factoring_and_totals_agree_with_the_public_api():
    """Curves computed at unit amplitude and scaled equal the model at that amplitude, and the
    total is the sum of the model terms (the public API called directly)."""
    ev = Evaluator()
    s = default_state(HEAT) | {"Pn": 7.3e16, "n_fe2": 2.2e17, "n_fe3": 4e16, "T": 0.8}
    curves, _ = ev.evaluate(HEAT, s)
    B = curves["cpbar_B:total"][0]
    ats = dict(Pn=s["Pn"], Dmin=s["Dmin"], X0min=s["X0min"], X0max=s["X0max"],
               orientation=s["orientation"])
    want = (cm.cp_bar_paramagnet(0.8, B, n=s["n_fe2"], species="Fe2+")
            + cm.cp_bar_paramagnet(0.8, B, n=s["n_fe3"], species="Fe3+")
            + cm.cp_bar_ats(0.8, B, **ats))
    np.testing.assert_allclose(curves["cpbar_B:total"][1], want, rtol=0,
                               atol=1e-4 * np.abs(want).max())
    np.testing.assert_allclose(curves["cpbar_B:ATS"][1], cm.cp_bar_ats(0.8, B, **ats),
                               rtol=0, atol=1e-4 * np.abs(want).max())


def test_a_refusal_blanks_only_its_plot():
    ev = Evaluator()
    s = default_state(MAGNETIZATION) | {"T": 0.3, "B_max": 8.0}  # B* scaled far below 8 T
    curves, errors = ev.evaluate(MAGNETIZATION, s)
    assert set(errors) == {"m_B"} and "high-field" in errors["m_B"]
    assert "m_T:total" in curves and not any(k.startswith("m_B") for k in curves)
    s = default_state(HEAT) | {"X0min": 4e5}  # above X0max
    curves, errors = ev.evaluate(HEAT, s)
    assert set(errors) == {"cp_T", "cpbar_B"} and "X0max" in errors["cp_T"]


def test_controls_refuse_values_outside_their_domain_by_name():
    c = HEAT.control("Dmin")
    with pytest.raises(InputError, match=r"Dmin.*\[1e-06, 1000\] K"):
        c.check(-0.2)
    with pytest.raises(InputError, match="not a number"):
        c.check("abc")
    with pytest.raises(InputError, match="finite"):
        c.check(float("nan"))
    assert c.check("0.3") == 0.3
    with pytest.raises(InputError, match="not one of"):
        HEAT.control("orientation").check("sideways")
    with pytest.raises(InputError, match="no control"):
        HEAT.control("Dmax")
    with pytest.raises(InputError, match="no preset"):
        preset_state(HEAT, "Pyrex")


def test_upload_messages_name_the_uploaded_file_not_a_temporary_one():
    with pytest.raises(InputError, match=r"^mine\.csv:1: unknown column 'Cpp'"):
        fitting.read_upload("mine.csv", b"T [K],B [T],Cpp [J/(g K)]\n0.6,1,1e-6\n")
    with pytest.raises(InputError, match=r"mine\.csv:3"):
        fitting.read_upload("mine.csv", b"T [K],B [T],Cp_bar [J/(g K)]\n0.6,1,1e-6\n0.6,x,1\n")
    with pytest.raises(InputError, match="empty"):
        fitting.read_upload("mine.csv", b"")
    with pytest.raises(InputError, match="material 'BK7' has no starting values"):
        fitting.FitRequest("cp", "BK7")
    with pytest.raises(InputError, match="--frequency-hz"):
        fitting.FitRequest("dielectric", frequency_Hz=-1.0)


def test_the_app_fit_is_the_cli_fit(tmp_path):
    """Same file, same options: the parameter table the app offers for download equals the
    params.csv of ``coldglass fit cp``."""
    src = DATA / "bas_cp_bar_synthetic.csv"
    out = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "coldglass.cli", "fit", "cp", str(src), "--material",
                    "BAS", "--orientation", "shortcut", "--fix", "ats_Dmin", "--out", str(out)],
                   check=True, capture_output=True)
    cli = pd.read_csv(out / "params.csv", comment="#")
    ds = fitting.read_upload(src.name, src.read_bytes())
    got = fitting.run_fit(fitting.build_fit(ds, fitting.FitRequest(
        "cp", "BAS", orientation="shortcut", fix=("ats_Dmin",))))
    app = pd.read_csv(__import__("io").StringIO(got.params_csv()), comment="#")
    assert list(app["parameter"]) == list(cli["parameter"])
    np.testing.assert_allclose(app["value"], cli["value"], rtol=1e-9)
    curve = pd.read_csv(out / "curve.csv", comment="#")
    np.testing.assert_allclose(got.curves.select_dtypes("number").to_numpy(),
                               curve.select_dtypes("number").to_numpy(), rtol=1e-9)


class _Recorder(dict):
    """A state that records which keys are read."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.read: set[str] = set()

    def __getitem__(self, k):
        self.read.add(k)
        return super().__getitem__(k)


@pytest.mark.parametrize("key", list(VIEWS))
def test_every_curve_declares_what_it_reads(key):
    """A key a curve reads but does not declare would leave a stale curve in the cache (the
    ``scale`` key may be read: the evaluator sets it to 1 and multiplies)."""
    v = VIEWS[key]
    for p in v.plots:
        for c in p.curves:
            if c.parts_of:
                continue
            s = _Recorder(default_state(v) | ({c.scale: 1.0} if c.scale else {}))
            c.compute(s)
            assert s.read <= set(c.depends) | {c.scale}, (c.key, s.read - set(c.depends))


@pytest.mark.parametrize("key", list(VIEWS))
def test_scaled_curves_are_linear_in_their_amplitude(key):
    """Computed at amplitude 1 and multiplied equals the curve computed at the amplitude
    itself (which the reference evaluation and the benchmark's reference do)."""
    v = VIEWS[key]
    s = default_state(v) | ({"relax": True} if key == "dielectric" else {})
    ev = Evaluator()
    for p in v.plots:
        for c in p.curves:
            if c.scale is None:
                continue
            a = 3.7 * s[c.scale] if s[c.scale] else 3.7
            direct = c.compute(s | {c.scale: a})
            cached = ev.curve(c, s | {c.scale: a})
            np.testing.assert_allclose(cached[1], direct[1], rtol=1e-12, atol=0,
                                       err_msg=c.key)
            assert np.any(direct[1] != c.compute(s | {c.scale: 2 * a})[1]), c.key


def test_presets_are_the_tables_of_materials():
    from coldglass.materials import DIELECTRIC, ECHO, LOSS, MATERIALS

    bas = MATERIALS["BAS"].heat_capacity
    s = preset_state(HEAT, "BAS (Tables 1-2, 0.9 K)")
    r = bas.row(0.9)
    assert (s["T"], s["Dmin"], s["X0min"], s["X0max"]) == (0.9, r.Dmin, r.X0min, r.X0max)
    assert (s["n_fe2"], s["n_fe3"], s["Pn"], s["orientation"]) == (
        bas.n_fe2, bas.n_fe3, bas.Pn_ats, "shortcut")
    m = MATERIALS["Duran"].magnetization
    s = preset_state(MAGNETIZATION, "Duran (Table 11)")
    assert (s["B_star"], s["E0"], s["T0"], s["M0"], s["Pn"]) == (
        m.B_star, m.E0, m.T0, m.offset, m.Pn_ats)
    # the published curves use the printed Eq. (94) prefactor (materials.MagnetizationFit)
    assert s["prefactor"] == "printed" and s["high_field"] is True
    d = views.DIELECTRIC_VIEW
    row = DIELECTRIC["BAS"][1]
    s = preset_state(d, "BAS Δε' (Table 5, 94 mK)")
    assert (s["T"], s["K"], s["Dmin"], s["X0min"], s["relax"]) == (
        row.T, row.K, row.Dmin, row.X0min, False)
    row = LOSS["BK7"][0]
    s = preset_state(d, "BK7 loss (Table 7, 15 mK)")
    assert (s["Gamma"], s["relax"], s["X0max"]) == (row.Gamma, True, row.X0max)
    row = ECHO["BK7 6us"]
    s = preset_state(views.ECHO_VIEW, "BK7 6us (Table 8)")
    assert (s["tau12"], s["f_echo"], s["p1F0"], s["Dmin"]) == (
        row.tau12, row.frequency, row.p1F0_DkV, row.Dmin)


def test_dielectric_parts_add_up_and_the_resonant_part_is_the_gamma_free_model():
    d = views.DIELECTRIC_VIEW
    s = preset_state(d, "BAS loss (Table 7, 77 mK)")
    curves, errors = Evaluator().evaluate(d, s)
    assert errors == {}
    B, res = curves["deps_B:resonant"]
    ats = dict(Dmin=s["Dmin"], X0min=s["X0min"], X0max=s["X0max"])
    want_res = cm.deps_ats(s["T"], B, K=s["K"], Gamma=0.0, orientation="shortcut", **ats)
    want_all = cm.deps_ats(s["T"], B, K=s["K"], Gamma=s["Gamma"], frequency_Hz=s["f"],
                           orientation="shortcut", **ats)
    scale = np.abs(want_all).max()
    np.testing.assert_allclose(res, want_res, rtol=0, atol=1e-3 * scale)
    np.testing.assert_allclose(curves["deps_B:total"][1], want_all, rtol=0, atol=1e-3 * scale)
    assert np.abs(curves["deps_B:relaxational"][1]).max() > 1e-2 * scale  # it matters here


def test_range_and_whole_number_controls_refuse_by_name():
    with pytest.raises(InputError, match="T from"):
        HEAT.control("T_lo").check(0.0)
    with pytest.raises(InputError, match="whole number"):
        views.DIELECTRIC_VIEW.control("nw").check(3.7)
    curves, errors = Evaluator().evaluate(HEAT, default_state(HEAT) | {"T_lo": 2.0,
                                                                       "T_hi": 1.0})
    assert "cp_T" in errors and "T range must run upwards: from 2 K to 1 K" in errors["cp_T"]
    assert "cpbar_B:total" in curves


def test_the_app_model_fit_with_term_options_is_the_cli_fit(tmp_path):
    """``coldglass fit model`` with --option and --init against the app's model fit."""
    src = DATA / "sio2_dv_synthetic.csv"
    out = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "coldglass.cli", "fit", "model", str(src),
                    "--option", "resonant=auto", "--init", "A=2e8", "--out", str(out)],
                   check=True, capture_output=True)
    cli = pd.read_csv(out / "params.csv", comment="#")
    ds = fitting.read_upload(src.name, src.read_bytes())
    got = fitting.run_fit(fitting.build_fit(ds, fitting.FitRequest(
        "model", term_options=("resonant=auto",), init=("A=2e8",))))
    assert list(got.table["parameter"]) == list(cli["parameter"])
    np.testing.assert_allclose(got.table["value"], cli["value"], rtol=1e-9)
