"""Command line: levels, dos, reproduce, and clear errors."""

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from coldglass.cli import app
from coldglass.ensembles import ATSEnsemble

runner = CliRunner()


def test_levels_prints_closed_form_and_diagonalization():
    res = runner.invoke(app, ["levels", "--e1", "0.01", "--e2", "-0.005", "--phi", "0.1"])
    assert res.exit_code == 0, res.output
    assert "Eq. (8)" in res.output and "diagonalization" in res.output and "Eq. 9" in res.output


def test_dos_writes_csv_matching_the_library(tmp_path):
    out = tmp_path / "dos.csv"
    png = tmp_path / "dos.png"
    res = runner.invoke(app, ["dos", "--dmin", "0.49", "--d0min", "4.77e4", "--d0max", "3.09e5",
                              "--field", "0", "--field", "0.5", "--emax", "3", "--n", "50",
                              "--out", str(out), "--png", str(png)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["E_K", "g_ATS(field=0 T) [1/K]", "g_ATS(field=0.5 T) [1/K]"]
    ens = ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5)
    np.testing.assert_allclose(df.iloc[:, 2], ens.dos(df["E_K"].to_numpy(), 0.5), rtol=1e-12)
    assert png.stat().st_size > 1000


def test_dos_refuses_bad_input_with_a_clear_message(tmp_path):
    res = runner.invoke(app, ["dos", "--dmin", "0.5", "--d0min", "5", "--d0max", "2",
                              "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    assert "must exceed D0min" in res.output
    res = runner.invoke(app, ["dos", "--dmin", "0.5", "--d0min", "1", "--d0max", "2",
                              "--unit", "eV", "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "unknown d0_unit" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_reproduce_writes_the_report(tmp_path):
    res = runner.invoke(app, ["reproduce", "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "rep" / "report.md").read_text()
    for fig in ("fig4_spectrum.png", "fig5_dos_vs_energy.png", "fig6_dos_vs_phase.png",
                "fig26_delta0_isolines.png", "montecarlo_dos.png", "orientation_dos.png",
                "stm_acoustics.png", "stm_thermal_conductivity.png", "stm_slow_relaxation.png",
                "fig27_landscape.png", "fig11_inset_weak_field_loss.png"):
        assert fig in text
        assert (tmp_path / "rep" / fig).stat().st_size > 5000
    coverage = pd.read_csv(tmp_path / "rep" / "coverage.csv")
    assert len(coverage) == 27 + 14
    assert "missing" not in set(coverage["verdict"]), coverage[coverage["verdict"] == "missing"]
    checks = pd.read_csv(tmp_path / "rep" / "unit_checks.csv")
    assert np.all(np.abs(checks["rel. diff"]) < 5e-3)


EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples" / "data"


def test_fit_commands_write_their_outputs(tmp_path):
    for args in (["fit", "cp", str(EXAMPLES / "bas_cp_bar_synthetic.csv"), "--material", "BAS"],
                 ["fit", "magnetization", str(EXAMPLES / "bk7_magnetization_synthetic.csv"),
                  "--material", "BK7", "--fix", "fe3_n", "--orientation", "shortcut"],
                 ["fit", "dielectric", str(EXAMPLES / "bas_deps_synthetic.csv"),
                  "--material", "BAS"],
                 ["fit", "echo", str(EXAMPLES / "glycerol_iea_synthetic.csv")]):
        out = tmp_path / args[1]
        res = runner.invoke(app, args + ["--out", str(out)])
        assert res.exit_code == 0, res.output
        assert "SYNTHETIC" in res.output
        params = pd.read_csv(out / "params.csv", comment="#")
        assert {"parameter", "value", "stderr", "unit", "meaning"} <= set(params.columns)
        head = (out / "params.csv").read_text().splitlines()
        assert head[0].startswith("# status: ok; chi2 = ")
        assert any("orientation" in h for h in head[:4]) or args[1] == "echo"
        assert (out / "fit.png").stat().st_size > 5000
        assert len(pd.read_csv(out / "curve.csv", comment="#")) > 10


def test_fit_refuses_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("T [K],B [T],Cp_bar [J/(g K)]\n0.6,0.1,1e-6\n0.6,abc,2e-6\n")
    res = runner.invoke(app, ["fit", "cp", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "bad.csv:3: not a number" in res.output
    assert not (tmp_path / "o").exists()
