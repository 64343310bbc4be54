"""Tunnelling systems: Eq. (8) against diagonalization, Eq. (9) as a limit, Eqs. (1)-(4)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import eigh_tridiagonal

from coldglass import systems as S

finite = st.floats(-10, 10, allow_nan=False)


def _ring(e, d0, phi):
    return np.linalg.eigvalsh(S.ring_hamiltonian(np.asarray(e, float), d0, phi))


# -------------------------------------------------------------------------------- Eq. (8)


@settings(max_examples=300, deadline=None)
@given(e1=finite, e2=finite, e3=finite,
       d0=st.floats(0.01, 5) | st.floats(-5, -0.01),
       phi=st.floats(-20, 20, allow_nan=False))
def test_eq8_matches_numerical_diagonalization(e1, e2, e3, d0, phi):
    closed = S.twp_levels(e1, e2, e3, d0, phi)
    exact = _ring([e1, e2, e3], d0, phi)
    scale = max(1.0, abs(d0), abs(e1), abs(e2), abs(e3))
    # eigvalsh is backward stable: errors ~ 1e-15 of the matrix norm; the closed form loses
    # up to sqrt(eps) * D / D0 where two asymmetries are degenerate (docstring), < 1e-9 here
    np.testing.assert_allclose(closed, exact, rtol=0, atol=1e-9 * scale)


@settings(max_examples=100, deadline=None)
@given(e1=finite, e2=finite, e3=finite, d0=st.sampled_from([0.0, 1e-300, 1e-150, -1e-200]),
       phi=st.floats(-20, 20, allow_nan=False))
def test_eq8_without_tunnelling_gives_the_well_energies(e1, e2, e3, d0, phi):
    """D0 -> 0 (including underflow): the levels are the sorted asymmetries."""
    closed = S.twp_levels(e1, e2, e3, d0, phi)
    scale = max(1.0, abs(e1), abs(e2), abs(e3))
    np.testing.assert_allclose(closed, np.sort([e1, e2, e3]), rtol=0, atol=1e-7 * scale)


@pytest.mark.parametrize("phi", [0.0, 1e-9, 1e-6, 1e-3, np.pi, np.pi - 1e-7, 2 * np.pi])
@pytest.mark.parametrize("D", [0.0, 1e-9, 1e-5, 1e-2])
def test_eq8_near_degenerate_keeps_relative_accuracy_of_the_gap(phi, D):
    """Near-degenerate levels (φ -> 0, D -> 0, φ = π): the small gap must be accurate
    *relative to itself*, which a naive arccos would lose."""
    chi = 0.3
    e = np.sqrt(2 / 3) * D * np.cos(chi + 2 * np.pi * np.arange(3) / 3)
    gap = float(S.twp_gap(*e, 1.0, phi))
    # reference: the 2x2 problem in the degenerate ring subspace plus numerical diag.
    # at high precision via the characteristic polynomial solved in extended precision
    H = S.ring_hamiltonian(e.astype(np.clongdouble).real.astype(float), 1.0, phi)
    ref = np.diff(np.linalg.eigvalsh(H))[0]
    if ref > 1e-6:
        assert gap == pytest.approx(ref, rel=1e-9)
    else:
        # eigvalsh resolves small gaps only to ~1e-15 absolute; use perturbation theory:
        # ΔE = sqrt(12 sin²(φ/3) + (2/3) D²) is exact to O(D²) absolute, here < 1e-17.
        pt = np.sqrt(12 * np.sin(phi / 3) ** 2 + 2 / 3 * D**2) if phi < 1 else None
        if pt is not None and pt > 0:
            assert gap == pytest.approx(pt, rel=1e-6)
        assert abs(gap - ref) < 1e-14


def test_levels_are_2pi_periodic_in_phi():
    rng = np.random.default_rng(3)
    e = rng.normal(size=(200, 3))
    d0 = rng.uniform(0.1, 2, 200)
    phi = rng.uniform(-10, 10, 200)
    a = S.twp_levels(*e.T, d0, phi)
    for k in (-2, 1, 3):
        np.testing.assert_allclose(S.twp_levels(*e.T, d0, phi + 2 * np.pi * k), a, atol=1e-12)


def test_trace_and_sum_of_squares_invariants():
    """Σ E_k = tr H and Σ E_k² = tr H² hold for the closed form (an independent identity)."""
    rng = np.random.default_rng(4)
    e = rng.normal(size=(500, 3))
    d0, phi = rng.uniform(0.1, 3, 500), rng.uniform(0, 7, 500)
    lv = S.twp_levels(*e.T, d0, phi)
    np.testing.assert_allclose(lv.sum(-1), e.sum(-1), atol=1e-12)
    np.testing.assert_allclose((lv**2).sum(-1), (e**2).sum(-1) + 6 * d0**2, rtol=1e-12)


# -------------------------------------------------------------------- rings and polyhedra


@pytest.mark.parametrize("nw", [2, 3, 4, 5, 6])
def test_symmetric_ring_spectrum(nw):
    """Bloch theorem: a clean ring has E_k = 2 D0 cos((φ + 2πk)/nw)."""
    phi = 0.37
    num = S.ring_levels(np.zeros(nw), 0.8, phi)
    k = np.arange(nw)
    ana = np.sort(2 * 0.8 * np.cos((phi + 2 * np.pi * k) / nw))
    np.testing.assert_allclose(num, ana, atol=1e-13)


def test_ring_of_three_is_eq6():
    e, d0, phi = np.array([0.1, -0.3, 0.2]), 0.7, 0.9
    H = S.ring_hamiltonian(e, d0, phi)
    w = np.exp(1j * phi / 3)
    H6 = np.array([[e[0], d0 * w, d0 / w], [d0 / w, e[1], d0 * w], [d0 * w, d0 / w, e[2]]])
    np.testing.assert_allclose(H, H6, atol=1e-15)


def test_tetrahedron_flux_and_gauge_invariance():
    """Each face loop carries the flux b·S_face; translating the wells (a gauge change)
    leaves the spectrum unchanged."""
    r = S.tetrahedron_positions()
    b = np.array([0.3, -1.1, 0.7])
    H = S.polyhedron_hamiltonian(r, [0.0, 0.1, -0.05, 0.02], 1.0, b)
    for face in ([0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]):
        i, j, k = face
        loop = H[i, j] * H[j, k] * H[k, i]
        area = 0.5 * np.cross(r[j] - r[i], r[k] - r[i])
        assert np.angle(loop) == pytest.approx(np.angle(np.exp(1j * b @ area)), abs=1e-12)
    shifted = S.polyhedron_hamiltonian(r + np.array([2.0, -1.0, 5.0]),
                                       [0.0, 0.1, -0.05, 0.02], 1.0, b)
    np.testing.assert_allclose(S.levels(H), S.levels(shifted), atol=1e-12)
    # zero field: the regular tetrahedron has levels 3 D0 and -D0 (three-fold)
    np.testing.assert_allclose(S.levels(S.polyhedron_hamiltonian(r, np.zeros(4), 1.0,
                                                                 np.zeros(3))),
                               [-1, -1, -1, 3], atol=1e-13)


# --------------------------------------------------------------------------- Eq. (9), (20)


def _gap_errors(xs, only):
    rng = np.random.default_rng(0)
    errs = []
    for x in xs:
        chi = rng.uniform(0, 2 * np.pi, 400)
        D = x if only == "D" else 0.0
        phi = 0.0 if only == "D" else x * rng.uniform(0.5, 1, 400)
        e = np.sqrt(2 / 3) * D * np.cos(chi[:, None] + 2 * np.pi * np.arange(3) / 3)
        exact = S.twp_gap(*e.T, 1.0, phi)
        De, D0e = S.effective_parameters(S.asymmetry_radius(*e.T), 1.0)
        errs.append(np.max(np.abs(S.effective_gap(De, D0e, phi) / exact - 1)))
    return np.array(errs)


def test_eq9_is_the_limit_with_first_order_error_in_D_over_D0():
    xs = np.array([1e-1, 3e-2, 1e-2, 3e-3, 1e-3])
    err = _gap_errors(xs, "D")
    slope = np.polyfit(np.log(xs), np.log(err), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.05)
    assert err[-1] < 1e-3  # -> 0 in the limit


def test_eq9_is_the_limit_with_second_order_error_in_phi():
    xs = np.array([3e-1, 1e-1, 3e-2, 1e-2])
    err = _gap_errors(xs, "phi")
    slope = np.polyfit(np.log(xs), np.log(err), 1)[0]
    assert slope == pytest.approx(2.0, abs=0.05)
    # coefficient: 1 - 3 sin(phi/3)/phi = phi²/54 + O(phi⁴)
    assert err[-1] == pytest.approx(xs[-1] ** 2 / 54, rel=0.01)


def test_eq20_high_field_correction_improves_the_gap():
    """φ² -> φ²(1 - φ²/27) is the expansion of 9 sin²(φ/3): the error drops from O(φ²)
    to O(φ⁴)."""
    phi = np.array([0.4, 0.2, 0.1])
    exact = S.twp_gap(0, 0, 0, 1.0, phi)
    plain = S.effective_gap(0.0, 2 / np.sqrt(3), phi)
    hf = S.effective_gap(0.0, 2 / np.sqrt(3), phi, high_field=True)
    e_plain, e_hf = np.abs(plain / exact - 1), np.abs(hf / exact - 1)
    assert np.all(e_hf < e_plain / 20)
    assert np.polyfit(np.log(phi), np.log(e_hf), 1)[0] == pytest.approx(4.0, abs=0.1)
    # orientation-averaged form: <c²(1 - φ²c²/27)> over c uniform = (1/3)(1 - φ²/45)
    c = np.linspace(0, 1, 200001)
    for p in (0.5, 1.5):
        avg = np.trapezoid(p**2 * c**2 * (1 - p**2 * c**2 / 27), c)
        assert S.high_field_phase2(p, "shortcut") == pytest.approx(avg, rel=1e-8)


# ----------------------------------------------------------------------- 2LS, Eqs. (1)-(4)


def test_tls_levels_match_diagonalization():
    rng = np.random.default_rng(1)
    D, D0 = rng.normal(size=50), rng.uniform(0, 2, 50)
    np.testing.assert_allclose(S.tls_levels(D, D0),
                               np.linalg.eigvalsh(S.tls_hamiltonian(D, D0)), atol=1e-14)


def _double_oscillator_splitting(V0):
    """Exact splitting of V = ½(|x| - a)² (ħ = m = Ω = 1) by finite differences."""
    a = np.sqrt(2 * V0)
    x = np.linspace(-(a + 10), a + 10, 8000)
    h = x[1] - x[0]
    V = 0.5 * (np.abs(x) - a) ** 2
    w = eigh_tridiagonal(1 / h**2 + V, -0.5 / h**2 * np.ones(len(x) - 1), select="i",
                         select_range=(0, 1), eigvals_only=True)
    return w[1] - w[0]


def test_eq4_derived_against_schroedinger_equation():
    """The derived Eq. (4) is the leading asymptotic term: relative error < 0.1 ħΩ/V0 and
    shrinking with V0; the printed bracket is off by a large factor."""
    V0s = [2.0, 4.0, 8.0]
    errs = []
    for V0 in V0s:
        exact = _double_oscillator_splitting(V0)
        errs.append(abs(S.delta0_parabolic(1.0, V0) / exact - 1))
        assert errs[-1] < 0.1 / V0
        printed = S.delta0_parabolic(1.0, V0, form="printed")
        assert not np.isfinite(printed) or abs(printed / exact - 1) > 0.5
    assert errs[0] > errs[1] > errs[2]


def test_eq3_wkb_has_the_exponent_of_the_double_oscillator():
    """For V = ½mΩ²(|x| - a)², the WKB action with d = a is mΩa²/ħ = 2V0/ħΩ, the exponent
    of Eq. (4): the ratio of the two routes is the prefactor alone."""
    import scipy.constants as sc

    m_u, hw_K, a_A = 20.0, 2.0, 0.4
    m = m_u * sc.atomic_mass
    omega = hw_K * sc.k / sc.hbar
    V0_K = 0.5 * m * omega**2 * (a_A * 1e-10) ** 2 / sc.k
    ratio = S.delta0_wkb(hw_K, V0_K, a_A, m_u) / S.delta0_parabolic(hw_K, V0_K)
    assert ratio == pytest.approx(1 / np.sqrt(8 * V0_K / (np.pi * hw_K)), rel=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.twp_levels(np.nan, 0, 0, 1, 0), "E1 must be finite"),
        (lambda: S.twp_levels(0, 0, 0, 1, np.inf), "phi must be finite"),
        (lambda: S.delta0_parabolic(-1.0, 2.0), "hbar_omega_K must be > 0"),
        (lambda: S.delta0_parabolic(1.0, -2.0), "V0_K must be >= 0"),
        (lambda: S.delta0_parabolic(1.0, 2.0, form="typo"), "form must be"),
        (lambda: S.delta0_wkb(1.0, 1.0, 1.0, 0.0), "mass_u must be > 0"),
        (lambda: S.ring_hamiltonian([1.0], 1.0, 0.0), "nw >= 2"),
        (lambda: S.multiwell_hamiltonian([0, 0, 0], [[0, 3]], 1.0), "bonds must join"),
        (lambda: S.high_field_phase2(0.1, "sideways"), "orientation must be"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
