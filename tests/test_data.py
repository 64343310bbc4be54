"""CSV data: units in the header, clear errors naming the line."""

import numpy as np
import pytest

from coldglass.data import read_csv, write_csv
from coldglass.synthetic import synthetic_cp_bar


def _write(tmp_path, text):
    p = tmp_path / "d.csv"
    p.write_text(text)
    return p


def test_units_are_converted(tmp_path):
    p = _write(tmp_path, "# measured somewhere\nT [mK],B [mT],M [emu/g],sigma [emu/g]\n"
                         "500,100,2.0,0.1\n1500,2000,3.0,0.1\n")
    ds = read_csv(p)
    np.testing.assert_allclose(ds.T, [0.5, 1.5])
    np.testing.assert_allclose(ds.B, [0.1, 2.0])
    np.testing.assert_allclose(ds.y, [2e-3, 3e-3])
    np.testing.assert_allclose(ds.sigma, [1e-4, 1e-4])
    assert ds.quantity == "M" and ds.unit == "A m2/g" and not ds.synthetic


def test_round_trip_keeps_synthetic_label(tmp_path):
    ds = synthetic_cp_bar("BAS", n_fields=5)
    write_csv(tmp_path / "s.csv", ds)
    back = read_csv(tmp_path / "s.csv")
    assert back.synthetic and back.quantity == "Cp_bar"
    np.testing.assert_allclose(back.y, ds.y, rtol=1e-6)


@pytest.mark.parametrize("text, match", [
    ("T [K],B [T],M [A m2/g]\n1,2,nan\n", r"d.csv:2: NaN"),
    ("T [K],B [T],M [A m2/g]\n1,2,3\n1,2\n", r"d.csv:3: expected 3 values"),
    ("T [K],B [T],M [A m2/g]\n1,2,abc\n", r"d.csv:2: not a number"),
    ("T [K],B [T],M [A m2/g]\n-1,2,3\n", r"d.csv:2: temperature must be > 0"),
    ("T,B,M\n1,2,3\n", r"must look like 'name \[unit\]'"),
    ("T [K],B [T],M [furlongs]\n1,2,3\n", r"unknown unit 'furlongs' for M"),
    ("T [K],M [A m2/g]\n1,2\n", r"missing column 'B"),
    ("T [K],B [T],X [K]\n1,2,3\n", r"need exactly one measured column"),
    ("T [K],B [T],M [A m2/g]\n", r"no data rows"),
    ("T [K],B [T],M [A m2/g],sigma [A m2/g]\n1,2,3,0\n", r"d.csv:2: sigma must be > 0"),
    ("T [K],T [mK],B [T],M [A m2/g]\n1,2,3,4\n", r"d.csv:1: duplicate column\(s\) \['T'\]"),
])
def test_malformed_files_name_the_line(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        read_csv(_write(tmp_path, text))


def test_missing_file():
    with pytest.raises(ValueError, match="does not exist"):
        read_csv("/nonexistent/file.csv")
