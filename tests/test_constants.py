"""Units and constants: the paper's own numbers (Eqs. 99-100, Fe moments) and round trips."""

import numpy as np
import pytest
import scipy.constants as sc

from coldglass import constants as C


def test_eq99_eq100_nominal_fe3_concentrations():
    # The paper prints three significant digits; the computed values must round to them.
    assert f"{float(C.ppm_to_per_gram(102, 'BAS')):.3g}" == "7.63e+17"
    assert f"{float(C.ppm_to_per_gram(126, 'Duran')):.3g}" == "1.23e+18"
    # same numbers from the molar masses given as floats
    assert C.ppm_to_per_gram(102, 80.530) == pytest.approx(102e-6 * sc.N_A / 80.530, rel=1e-15)


def test_ppm_round_trip_and_tables():
    n = np.array([1.06e17, 5.00e16, 3.21e17])
    for mat in ("BAS", "Duran", "BK7"):
        np.testing.assert_allclose(C.ppm_to_per_gram(C.per_gram_to_ppm(n, mat), mat), n,
                                   rtol=1e-14)
    # Table 14 (BK7, sum xi Ai = 63.530): 6.69e15 g^-1 = 0.71 ppm, 3.43e15 = 0.36 ppm (2 digits)
    assert round(float(C.per_gram_to_ppm(6.69e15, "BK7")), 2) == 0.71
    assert round(float(C.per_gram_to_ppm(3.43e15, "BK7")), 2) == 0.36


def test_fe_moments():
    assert C.effective_moment(**C.FE_IONS["Fe2+"]) == pytest.approx(2 * np.sqrt(6), rel=1e-15)
    assert C.effective_moment(**C.FE_IONS["Fe3+"]) == pytest.approx(np.sqrt(35), rel=1e-15)


def test_phase_energy_constant_matches_design_and_definition():
    # docs/architecture.md §3: D0 phi [K] = 1.5193e-5 X[K A^2] B[T] (5 significant digits)
    assert f"{C.PHASE_ENERGY_PER_KA2_T:.5g}" == "1.5193e-05"
    # independent route: phi = 2 pi Phi / Phi0 with Phi0 = h/e, times D0 = X/S
    S, X, B = 37.0, 4.77e4, 0.8
    phi = 2 * np.pi * B * S * 1e-20 / (sc.h / sc.e)
    assert C.phase(B, S) == pytest.approx(phi, rel=1e-14)
    assert C.phase_energy(X, B) == pytest.approx(X / S * phi, rel=1e-14)


def test_energy_unit_conversions():
    # 1 GHz of photon energy is h*1e9/k_B kelvin = 47.99 mK
    assert C.to_kelvin(1.0, "GHz") == pytest.approx(sc.h * 1e9 / sc.k, rel=1e-15)
    assert C.kelvin_to(C.to_kelvin(3.3, "meV"), "meV") == pytest.approx(3.3, rel=1e-15)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: C.ppm_to_per_gram(10, "Pyrex"), "unknown material 'Pyrex'"),
        (lambda: C.ppm_to_per_gram(-1, "BAS"), "ppm must be >= 0"),
        (lambda: C.ppm_to_per_gram(np.nan, "BAS"), "ppm must be finite"),
        (lambda: C.ppm_to_per_gram(1, -3.0), "molar mass must be > 0"),
        (lambda: C.to_kelvin(1.0, "furlong"), "unknown energy unit 'furlong'"),
        (lambda: C.effective_moment(0.7), "positive half-integer"),
        (lambda: C.phase(1.0, -2.0), "area_A2 must be >= 0"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
