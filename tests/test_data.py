"""CSV data: units in the header (parsed by pint), clear errors naming the line."""

import numpy as np
import pytest

from coldglass.data import (
    UNITS,
    Dataset,
    TemperatureGroups,
    group_temperatures,
    read_csv,
    unit_registry,
    write_csv,
)
from coldglass.synthetic import synthetic_cp_bar, synthetic_iea


def _write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
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
    assert ds.has_field and ds.frequency is None and ds.comments == ["measured somewhere"]


@pytest.mark.parametrize("column, unit, value, expected", [
    ("Cp_bar", "µJ/(g K)", 2.0, 2e-6),   # micro sign U+00B5
    ("Cp_bar", "μJ/(g K)", 2.0, 2e-6),   # Greek mu U+03BC
    ("Cp_bar", "uJ/(g K)", 2.0, 2e-6),
    ("Cp", "J/(kg K)", 2.0, 2e-3),
    ("Cp", "J g-1 K-1", 2.0, 2.0),
    ("Cp", "J·g⁻¹·K⁻¹", 2.0, 2.0),
    ("M", "emu/g", 2.0, 2e-3),
    ("M", "A m2/kg", 2.0, 2e-3),
    ("M", "A m^2/g", 2.0, 2.0),
    ("deps", "ppm", 2.0, 2e-6),
    ("dtand", "1e-5", 2.0, 2e-5),
    ("eps", "1", 2.0, 2.0),
    ("tand", "%", 2.0, 2e-2),
    ("A", "1", 0.5, 0.5),
])
def test_measured_column_units(tmp_path, column, unit, value, expected):
    ds = read_csv(_write(tmp_path, f"T [K],B [T],{column} [{unit}]\n1,0.5,{value}\n"))
    assert ds.quantity == column
    np.testing.assert_allclose(ds.y, [expected], rtol=1e-12)


def test_coordinate_units(tmp_path):
    ds = read_csv(_write(tmp_path, "T [mK],B [mT],tau12 [µs],f [kHz],IEA [1]\n"
                                   "600,50,3,2.5,0.7\n15,0,0.2,1000,0.6\n"))
    np.testing.assert_allclose(ds.T, [0.6, 0.015])
    np.testing.assert_allclose(ds.B, [0.05, 0.0])
    np.testing.assert_allclose(ds.tau12, [3e-6, 0.2e-6])
    np.testing.assert_allclose(ds.frequency, [2.5e3, 1e6])
    ds = read_csv(_write(tmp_path, "T [K],B [G],tau12 [us],f [GHz],A [1]\n1,1000,1,1,0.5\n"))
    np.testing.assert_allclose([ds.B[0], ds.tau12[0], ds.frequency[0]], [0.1, 1e-6, 1e9])


def test_example_units_agree_with_pint(tmp_path):
    """The UNITS table (documentation) gives the factors pint gives."""
    columns = {"T": "T", "B": "B", "Cp": "Cp", "M": "M", "rel": "deps", "tau12": "tau12",
               "f": "f"}
    for kind, units in UNITS.items():
        for unit, factor in units.items():
            name = columns.get(kind, kind)  # a registered kind is named by its column
            head = ["T [K]", "B [T]", "deps [1]"] if kind in ("T", "B", "tau12", "f") else \
                ["T [K]", "B [T]"]
            head = [h for h in head if not h.startswith(name + " ")] + [f"{name} [{unit}]"]
            vals = ["1"] * len(head)
            ds = read_csv(_write(tmp_path, ",".join(head) + "\n" + ",".join(vals) + "\n"))
            got = {"T": ds.T, "B": ds.B, "tau12": ds.tau12, "f": ds.frequency}.get(name, ds.y)
            assert got[0] == pytest.approx(factor, rel=1e-12), (kind, unit)


def test_molar_units_need_the_molar_mass(tmp_path):
    p = _write(tmp_path, "T [K],B [T],Cp_bar [mJ/(mol K)],sigma [mJ/(mol K)]\n1,0.5,6,0.3\n")
    ds = read_csv(p, molar_mass=60.0)
    np.testing.assert_allclose(ds.y, [1e-4])
    np.testing.assert_allclose(ds.sigma, [5e-6])
    with pytest.raises(ValueError, match=r"d.csv:1: unit 'mJ/\(mol K\)' of column 'Cp_bar' "
                                         r"is per mole.*molar_mass=.*--material.*--molar-mass"):
        read_csv(p)
    p = _write(tmp_path, "T [K],Cp [J/(mol K)]\n1,2\n")
    with pytest.raises(ValueError, match=r"d.csv:1: .*molar_mass="):
        read_csv(p)
    with pytest.raises(ValueError, match="molar_mass must be"):
        read_csv(p, molar_mass=-1.0)


@pytest.mark.parametrize("header, match", [
    ("T [K],B [T],M [J/(g K)]", r"d.csv:1: unit 'J/\(g K\)' of column 'M' has dimension .*: "
                                r"expected a unit of magnetic moment per mass, e\.g\. A m2/g"),
    ("T [s],B [T],M [A m2/g]", r"d.csv:1: unit 's' of column 'T' .*expected a unit of "
                               r"temperature, e\.g\. K, mK"),
    ("T [K],B [T],M [furlongs]", r"d.csv:1: unit 'furlongs' of column 'M' .*expected a unit"),
    ("T [K],B [T],M [xyzzy]", r"d.csv:1: unit 'xyzzy' of column 'M' is not understood"),
    ("T [K],B [T],deps [mK]", r"unit 'mK' of column 'deps' .*dimensionless number"),
    ("T [K],B [T],f [rad/s],deps [1]", r"unit 'rad/s' of column 'f' is an angle.*ω/2π"),
    ("T [K],B [T],Cp [J/(cm3 K)]", r"per-volume unit"),
    ("T [K],B [T],Cp [J/(g K)],sigma [A m2/g]", r"unit 'A m2/g' of column 'sigma' .*heat"),
])
def test_wrong_unit_is_refused_with_file_and_line(tmp_path, header, match):
    with pytest.raises(ValueError, match=match):
        read_csv(_write(tmp_path, f"{header}\n1,2,3,4\n"))


def test_unit_error_line_number_counts_comments(tmp_path):
    with pytest.raises(ValueError, match=r"d.csv:3: unit 'furlongs'"):
        read_csv(_write(tmp_path, "# one\n# two\nT [furlongs],M [A m2/g]\n1,2\n"))


def test_bom_and_latin1_files(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbfT [K],B [T],Cp_bar [\xc2\xb5J/(g K)]\r\n1,2,3\r\n")
    ds = read_csv(p)
    np.testing.assert_allclose([ds.T[0], ds.y[0]], [1.0, 3e-6])
    p = tmp_path / "latin1.csv"  # µ as the single byte 0xB5: not valid UTF-8
    p.write_bytes(b"# Messung bei 600 mK, Probe \xb0 2\nT [mK],tau12 [\xb5s],IEA [1]\n"
                  b"600,2,0.5\n")
    ds = read_csv(p)
    np.testing.assert_allclose([ds.T[0], ds.tau12[0]], [0.6, 2e-6])
    assert ds.comments == ["Messung bei 600 mK, Probe ° 2"]


def test_field_column_is_optional(tmp_path):
    ds = read_csv(_write(tmp_path, "T [K],eps [ppm],sigma [ppm]\n0.1,-3,0.1\n0.2,-1,0.1\n"))
    assert not ds.has_field and ds.quantity == "eps"
    np.testing.assert_array_equal(ds.B, [0.0, 0.0])
    np.testing.assert_allclose(ds.y, [-3e-6, -1e-6])
    sub = ds.select(ds.T > 0.15)
    assert not sub.has_field and len(sub.T) == 1


@pytest.mark.parametrize("header, suggestion", [
    ("T [K],b [T],M [A m2/g]", "did you mean 'B'"),
    ("T [K],B [T],Cpbar [J/(g K)]", "did you mean 'Cp_bar'"),
    ("T [K],B [T],Tand [1]", "did you mean 'tand'"),
    ("T [K],B [T],sigmaa [1],deps [1]", "did you mean 'sigma'"),
])
def test_typo_in_column_name_gives_suggestion(tmp_path, header, suggestion):
    with pytest.raises(ValueError, match=rf"d.csv:1: unknown column .*{suggestion}.*allowed: "
                                         r"T, B, tau12, f, Cp, Cp_bar"):
        read_csv(_write(tmp_path, f"{header}\n1,2,3,4\n"))


@pytest.mark.parametrize("rows, match", [
    ("1,0\n600000,0\n", r"d.csv:3: T = 600000 K on line 3 is above 1000 K — is the unit mK\?"),
    ("0,0\n", r"d.csv:2: T = 0 K on line 2: temperature must be > 0"),
    ("1,0\n1,500\n", r"d.csv:3: B = 500 T on line 3: \|B\| above 100 T — is the unit mT\?"),
    ("1,-150\n", r"d.csv:2: B = -150 T"),
])
def test_absurd_values_name_the_line(tmp_path, rows, match):
    with pytest.raises(ValueError, match=match):
        read_csv(_write(tmp_path, "T [K],B [T],M [A m2/g]\n" + "\n".join(
            f"{r},1" for r in rows.strip().split("\n")) + "\n"))


@pytest.mark.parametrize("text, match", [
    ("T [K],B [T],M [A m2/g]\n1,2,nan\n", r"d.csv:2: NaN"),
    ("T [K],B [T],M [A m2/g]\n1,2,inf\n", r"d.csv:2: NaN or inf"),
    ("T [K],B [T],M [A m2/g]\n1,2,3\n1,2\n", r"d.csv:3: expected 3 values"),
    ("T [K],B [T],M [A m2/g]\n1,2,3\n1,2,3,4\n", r"d.csv:3: expected 3 values"),
    ("T [K],B [T],M [A m2/g]\n1,2,abc\n", r"d.csv:2: not a number"),
    ("T [K],B [T],M [A m2/g]\n-1,2,3\n", r"d.csv:2: .*temperature must be > 0"),
    ("T,B,M\n1,2,3\n", r"d.csv:1: header cell 'T' has no unit: write 'T \[K\]'"),
    ("Temp,B,M\n1,2,3\n", r"d.csv:1: header cell 'Temp' must look like 'name \[unit\]'"),
    ("B [T],M [A m2/g]\n1,2\n", r"d.csv:1: missing column 'T"),
    ("T [K],B [T],X [K]\n1,2,3\n", r"d.csv:1: unknown column 'X'; allowed"),
    ("T [K],B [T],sigma [1]\n1,2,3\n", r"d.csv:1: need exactly one measured column"),
    ("T [K],M [A m2/g],deps [1]\n1,2,3\n", r"d.csv:1: need exactly one measured column"),
    ("T [K],B [T],M [A m2/g]\n", r"d.csv:1: no data rows"),
    ("# only a comment\n", r"d.csv:1: no header line"),
    ("", r"d.csv:1: the file is empty"),
    ("\n  \n", r"d.csv:1: the file is empty"),
    ("T [K],B [T],M [A m2/g],sigma [A m2/g]\n1,2,3,0\n", r"d.csv:2: sigma must be > 0"),
    ("T [K],B [T],tau12 [s],IEA [1]\n1,0,-1e-6,0.5\n", r"d.csv:2: tau12 must be >= 0"),
    ("T [K],f [Hz],tand [1]\n1,0,1e-5\n", r"d.csv:2: f must be > 0 Hz"),
    ("T [K],T [mK],B [T],M [A m2/g]\n1,2,3,4\n", r"d.csv:1: duplicate column\(s\) \['T'\]"),
])
def test_malformed_files_name_the_line(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        read_csv(_write(tmp_path, text))


def test_missing_file():
    with pytest.raises(ValueError, match="does not exist"):
        read_csv("/nonexistent/file.csv")


def test_one_registry_with_emu_and_ppm():
    ureg = unit_registry()
    assert ureg is unit_registry()
    assert ureg.Quantity(1, "emu").to("A m**2").magnitude == pytest.approx(1e-3)
    assert ureg.Quantity(1, "ppm").to("").magnitude == pytest.approx(1e-6)


# ------------------------------------------------------------------------ temperature groups


def test_drifting_temperatures_form_three_groups():
    rng = np.random.default_rng(0)
    centres = np.repeat([0.6, 0.9, 1.36], 20)
    T = rng.permutation(centres + rng.uniform(-5e-4, 5e-4, centres.size))
    ds = Dataset("Cp_bar", T, np.ones_like(T), np.ones_like(T))
    assert len(ds.temperatures()) == T.size  # distinct floats: useless as groups
    g = ds.temperature_groups()
    assert isinstance(g, TemperatureGroups) and len(g) == 3
    np.testing.assert_allclose(g.nominal, [0.6, 0.9, 1.36])
    assert [g.label(k) for k in range(3)] == ["0.600K", "0.900K", "1.36K"]
    assert g.index.shape == T.shape and g.index.dtype.kind == "i"
    for k, c in enumerate([0.6, 0.9, 1.36]):
        m = g.members(k)
        assert m.sum() == 20 and np.all(np.abs(T[m] - c) <= 5e-4)
        assert len(ds.select(m).T) == 20
    assert g.tol == pytest.approx(2e-3) and g.rel == pytest.approx(0.02)
    lines = g.describe().splitlines()
    assert len(lines) == 3 and lines[0].startswith("0.600K: 20 points, T = 0.5")
    with pytest.raises(IndexError):
        g.members(3)


def test_slow_sweep_chains_into_one_group():
    """1 % steps are below the default 2 % tolerance everywhere: single linkage chains the
    whole 0.1-5 K sweep into one group. With tol = 10 mK only the gaps above 1 K (1 % of
    T > 10 mK) separate: the points up to the first gap above 1 K form one group, each point
    after it its own."""
    T = 0.1 * 1.01 ** np.arange(394)
    assert T[-1] < 5.0 < T[-1] * 1.01
    g = group_temperatures(T)
    assert len(g) == 1 and g.members(0).all()
    g = group_temperatures(T, tol=0.01)
    first_split = int(np.flatnonzero(np.diff(T) > 0.01)[0])  # lower point of the first gap
    assert T[first_split] > 1.0 > T[first_split - 1]
    assert g.members(0).sum() == first_split + 1
    assert len(g) == 1 + (T.size - 1 - first_split)
    assert np.all(np.diff(g.nominal) > 0)
    assert g.label(len(g) - 1) == "4.99K"


def test_floor_of_two_millikelvin():
    # at 50 mK, 2 % is 1 mK: the 2 mK floor applies
    assert len(group_temperatures(0.05 + 1.5e-3 * np.arange(5))) == 1
    assert len(group_temperatures(0.05 + 2.5e-3 * np.arange(5))) == 5
    # at 1 K the 2 % (20 mK) applies
    assert len(group_temperatures(1.0 + 1.5e-2 * np.arange(5))) == 1
    assert len(group_temperatures([1.0, 1.03])) == 2


def test_labels_get_more_digits_only_when_needed():
    g = group_temperatures([1.0, 1.0004, 1.0008, 2.0], tol=1e-4)
    labels = [g.label(k) for k in range(len(g))]
    assert len(set(labels)) == 4 and len(set(g.nominal)) == 4
    assert labels[-1] == "2.00K"
    assert labels[1] == "1.0004K"


@pytest.mark.parametrize("tol", [0.0, -1e-3, float("nan"), float("inf")])
def test_non_positive_tol_is_refused(tol):
    with pytest.raises(ValueError, match="tol must be"):
        group_temperatures([0.5, 0.6], tol=tol)


# --------------------------------------------------------------------------------- writing


def test_round_trip_keeps_synthetic_label(tmp_path):
    ds = synthetic_cp_bar("BAS", n_fields=5)
    write_csv(tmp_path / "s.csv", ds)
    back = read_csv(tmp_path / "s.csv")
    assert back.synthetic and back.quantity == "Cp_bar" and back.has_field
    np.testing.assert_allclose(back.y, ds.y, rtol=1e-6)
    np.testing.assert_allclose(back.sigma, ds.sigma, rtol=1e-3)
    np.testing.assert_allclose(back.B, ds.B, rtol=1e-8)


def test_round_trip_tau12_frequency_and_no_field(tmp_path):
    ds = synthetic_iea()
    write_csv(tmp_path / "iea.csv", ds)
    back = read_csv(tmp_path / "iea.csv")
    np.testing.assert_allclose(back.tau12, ds.tau12, rtol=1e-8)
    T = np.array([0.0995, 0.2004, 0.3])
    ds = Dataset("tand", T, None, np.array([1e-5, 2e-5, 3e-5]), np.full(3, 1e-7),
                 ["measured"], "lab", frequency=np.array([1e3, 1e3, 2e4]))
    assert not ds.has_field
    write_csv(tmp_path / "t.csv", ds)
    text = (tmp_path / "t.csv").read_text()
    assert "B [T]" not in text and "f [Hz]" in text
    back = read_csv(tmp_path / "t.csv")
    assert not back.has_field and back.quantity == "tand" and back.comments == ["measured"]
    np.testing.assert_allclose(back.T, T, rtol=1e-8)
    np.testing.assert_allclose(back.frequency, ds.frequency)
    np.testing.assert_allclose(back.y, ds.y, rtol=1e-6)
