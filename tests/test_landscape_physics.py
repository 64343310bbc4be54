"""Landscape physics that needs no engine: units, the model's validation, the 1D Schrödinger
splittings against independent references, and the catalog statistics."""

import numpy as np
import pandas as pd
import pytest
import scipy.constants as sc

from coldglass.landscape.model import BinaryLJ, allpairs_energy_forces
from coldglass.landscape.statistics import claims, empirical_ensemble, heat_capacity, with_delta0
from coldglass.landscape.tunneling import participation, schrodinger_1d, two_level_1d
from coldglass.landscape.units import ARGON, UnitMapping, unit_preset
from coldglass.observables.heat_capacity import cp_stm_constant_dos
from coldglass.systems import delta0_parabolic


# ----------------------------------------------------------------------------- units
def test_argon_reduced_units():
    # issue: ħ* = ħ/(σ sqrt(mε)) ≈ 0.0296 and 1 K ≈ 0.00835 ε for argon
    assert ARGON.hbar_star == pytest.approx(0.0296, abs=5e-5)
    assert float(ARGON.to_eps(1.0)) == pytest.approx(0.00835, abs=5e-6)
    assert float(ARGON.to_K(ARGON.to_eps(3.7))) == pytest.approx(3.7, rel=1e-15)
    # time unit of argon: 2.16 ps (standard LJ literature value)
    assert ARGON.time_s == pytest.approx(2.16e-12, rel=5e-3)
    assert float(ARGON.volume_m3(1.0)) == pytest.approx((3.405e-10) ** 3, rel=1e-12)


def test_unit_errors():
    with pytest.raises(ValueError, match="unknown unit preset"):
        unit_preset("krypton-ish")
    with pytest.raises(ValueError, match="sigma_A"):
        UnitMapping(sigma_A=-1.0)


# ----------------------------------------------------------------------------- model
def test_kob_andersen_defaults():
    m = BinaryLJ(1000)
    assert m.counts == [800, 200]
    assert m.box_length == pytest.approx((1000 / 1.2) ** (1 / 3))
    assert m.cutoff(("A", "B")) == pytest.approx(2.0)
    assert m.epsilon[("A", "B")] == 1.5 and m.sigma[("B", "B")] == 0.88
    assert BinaryLJ.from_dict(m.to_dict()).to_dict() == m.to_dict()


@pytest.mark.parametrize("kw, match", [
    ({"n_atoms": 100}, "too small for the cutoff"),
    ({"density": -1.2}, "density must be"),
    ({"composition": {"A": 0.8, "C": 0.2}}, "unknown species 'B'"),
    ({"sigma": {("A", "A"): 1.0, ("A", "B"): 0.8, ("B", "B"): 0.88, ("A", "Z"): 1.0}},
     "unknown species 'Z' in sigma"),
    ({"composition": {"A": 0.7, "B": 0.2}}, "sum to 1"),
    ({"epsilon": {("A", "A"): 1.0, ("A", "B"): 1.5}}, "no entry for species pair B-B"),
    ({"masses": {"A": 1.0, "B": 1.0, "Z": 2.0}}, "unknown species 'Z'"),
    ({"n_atoms": 2.5}, "integer"),
    ({"truncation": "smooth"}, "truncation must be"),
])
def test_model_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        BinaryLJ(**kw)


@pytest.mark.parametrize("truncation", ["shift", "force-shift"])
def test_allpairs_reference_is_a_gradient(truncation):
    """The all-pairs reference itself: forces = -∇E by central differences."""
    m = BinaryLJ(160, truncation=truncation)
    x = m.lattice_positions() + np.random.default_rng(0).normal(0, 0.05, (160, 3))
    e, f = allpairs_energy_forces(m, x)
    h = 1e-6
    for i, k in [(0, 0), (57, 2), (150, 1)]:
        xp, xm = x.copy(), x.copy()
        xp[i, k] += h
        xm[i, k] -= h
        fd = -(allpairs_energy_forces(m, xp)[0] - allpairs_energy_forces(m, xm)[0]) / (2 * h)
        assert fd == pytest.approx(f[i, k], rel=1e-6, abs=1e-6)
    np.testing.assert_allclose(f.sum(0), 0, atol=1e-9)  # Newton's third law


# ----------------------------------------------------------------------------- 1D splitting
def _quartic_ho_reference(lam, a, n_basis):
    """Spectral reference: H = p²/2 + λ(x² - a²)² in a harmonic-oscillator basis (ħ = m = 1),
    exponentially convergent in the basis size (independent of any grid)."""
    w = np.sqrt(8 * lam * a * a)
    n = np.arange(n_basis + 6)
    X = np.diag(np.sqrt(n[1:] / (2 * w)), 1)
    X = X + X.T
    X2 = X @ X
    H = (np.diag(w * (n + 0.5)) - 0.5 * w * w * X2
         + lam * (X2 @ X2 - 2 * a * a * X2 + a**4 * np.eye(len(n))))
    ev = np.linalg.eigvalsh(H[:n_basis, :n_basis])
    return ev[1] - ev[0]


def test_splitting_against_quartic_double_well():
    lam, a = 1.0, 1.5
    ref = _quartic_ho_reference(lam, a, 260)
    assert ref == pytest.approx(_quartic_ho_reference(lam, a, 320), rel=1e-10)  # converged

    def V(s):
        return lam * (s * s - a * a) ** 2

    # Richardson-extrapolated grid (O(h⁴)): 1e-8; single grid of two_level_1d (O(h²)): 1e-6
    lev = schrodinger_1d(V, -a - 4, a + 4, 1.0, n_points=4000)["levels"]
    assert lev[1] - lev[0] == pytest.approx(ref, rel=1e-8)
    tl = two_level_1d(V, -a - 4, a + 4, 0.0, 1.0, n_points=8000)
    assert tl["Delta0"] == pytest.approx(ref, rel=1e-6)
    assert abs(tl["Delta_q"]) < 1e-8 * ref  # symmetric


@pytest.mark.parametrize("ratio", [2.0, 4.0, 6.0, 8.0])
def test_splitting_against_eq4_in_its_regime(ratio):
    """Two parabolic wells: Eq. (4) is the leading term, corrections O(ħΩ/V0)."""
    hb, k = ARGON.hbar_star, 2.0
    hw = hb * np.sqrt(k)
    V0 = ratio * hw
    a = np.sqrt(2 * V0 / k)
    wz = np.sqrt(hb / np.sqrt(k))
    tl = two_level_1d(lambda s: 0.5 * k * (np.abs(s) - a) ** 2, -a - 12 * wz, a + 12 * wz, 0.0,
                      hb, n_points=8000)
    assert tl["Delta0"] / float(delta0_parabolic(hw, V0)) - 1 == pytest.approx(
        0, abs=0.2 / ratio)


def test_avoided_crossing_recovers_delta0_of_asymmetric_well():
    """An asymmetry Δ >> Δ0 must not change the extracted Δ0 (it changes only Δ_q)."""
    hb, k = ARGON.hbar_star, 2.0
    hw = hb * np.sqrt(k)
    a = np.sqrt(2 * 6 * hw / k)
    wz = np.sqrt(hb / np.sqrt(k))
    out = []
    for asym in (0.0, 0.5 * hw, 2.5 * hw):
        def V(s, asym=asym):
            # bias flat over each well, switched on at the barrier top
            return 0.5 * k * (np.abs(s) - a) ** 2 + asym * 0.5 * (1 + np.tanh(s / (0.05 * a)))
        tl = two_level_1d(V, -a - 12 * wz, a + 12 * wz, 0.0, hb, n_points=8000)
        out.append((tl["Delta0"], tl["Delta_q"]))
    d0 = np.array([o[0] for o in out])
    assert np.ptp(d0) / d0[0] < 0.05  # the switch reshapes the barrier top slightly
    assert out[2][1] == pytest.approx(2.5 * hw, rel=1e-3)
    assert out[1][1] == pytest.approx(0.5 * hw, rel=1e-3)


def test_two_level_bad_input():
    with pytest.raises(ValueError, match="s_barrier"):
        two_level_1d(lambda s: s**2, 0.0, 1.0, 2.0, 0.03)
    with pytest.raises(ValueError, match="hbar"):
        schrodinger_1d(lambda s: s**2, 0.0, 1.0, -0.03)


def test_participation():
    u = np.zeros((100, 3))
    u[:5, 0] = 1.0  # five particles move equally
    p = participation(u)
    assert p["n_eff"] == pytest.approx(5.0)
    assert p["n_moving"] == 5 and p["max_disp"] == 1.0


# ----------------------------------------------------------------------------- statistics
def _stm_catalog(n, rng, Dmax=10.0, band=(1e-6, 1e-3)):
    """Double wells drawn from the STM distribution P̄/Δ0 (uniform Δ, uniform ln Δ0)."""
    D = rng.uniform(0, Dmax, n)
    D0 = np.exp(rng.uniform(np.log(band[0]), np.log(band[1]), n))
    return pd.DataFrame({
        "Delta_K": D, "Delta0_exact_K": D0, "Delta0_eq4_K": D0, "V0_K": rng.uniform(0, 40, n),
        "E_qs_K": np.hypot(D, D0), "n_eff": rng.uniform(2, 12, n), "route": "soft-mode"})


def test_catalog_heat_capacity_matches_stm_closed_form():
    """Monte Carlo (a catalog drawn from P̄/Δ0) against C = (π²/6) P̄ ln(Δ0max/Δ0min) k_B² T
    for Δ0max << T << Δmax; 40000 systems: MC error ~1 %, tolerance 4 %."""
    rng = np.random.default_rng(4)
    n_atoms, density = 1000, 1.2
    df = _stm_catalog(40000, rng)
    ens = empirical_ensemble(df, n_atoms, ARGON, density=density)
    assert ens["n_selected"] == len(df)
    T = np.array([0.05, 0.1, 0.3])
    C = heat_capacity(df, T, n_atoms, ARGON)
    dos = ens["P_bar_per_g"] * np.log(1e3)
    np.testing.assert_allclose(C, cp_stm_constant_dos(T, dos), rtol=0.04)
    mass_g = n_atoms * ARGON.mass_u * sc.atomic_mass * 1e3
    assert ens["mass_g"] == pytest.approx(mass_g)


def test_claims_table():
    rng = np.random.default_rng(1)
    df = _stm_catalog(200, rng)
    df.loc[:49, "route"] = "is-transition"
    cl = claims(df, 1000).set_index("quantity")
    frac = cl.loc["fraction with V0 < 20 K", "measured"]
    assert frac == pytest.approx(np.mean(df["V0_K"] < 20))
    assert cl.loc["IS-to-IS barrier V0 (median)", "measured"] == pytest.approx(
        df["V0_K"][:50].median())
    # pairs of visited minima chosen by a selection are IS-route wells too
    df.loc[50:79, "route"] = "pair-ml"
    cl2 = claims(df, 1000).set_index("quantity")
    assert cl2.loc["IS-to-IS barrier V0 (median)", "measured"] == pytest.approx(
        df["V0_K"][:80].median())
    assert cl2.loc["IS-to-IS barrier V0 (median)", "note"] == "80 IS-route double wells"
    # a catalog drawn from the STM passes the STM's flatness tests
    assert cl.loc["P(Δ) flat on [0, Δmax]: KS p-value", "measured"] > 1e-3
    assert cl.loc["P(Δ0) ∝ 1/Δ0 (flat in ln Δ0): KS p-value", "measured"] > 1e-3


def test_delta0_fallback_to_eq4():
    df = pd.DataFrame({"Delta_K": [1.0, 2.0], "Delta0_exact_K": [np.nan, 1e-4],
                       "Delta0_eq4_K": [3e-5, 9.0]})
    out = with_delta0(df)
    assert list(out["Delta0_K"]) == [3e-5, 1e-4]
    assert list(out["Delta0_source"]) == ["Eq. (4)", "exact 1D"]


def test_poisson_interval_gives_gehrels_limits():
    """Garwood 68.27 % central intervals equal Gehrels' (ApJ 303, 336 (1986), Tables 1-2)
    84.13 % one-sided limits (tolerance: half a unit of the last printed digit)."""
    from coldglass.errors import InputError
    from coldglass.landscape.statistics import poisson_interval

    lo, hi = poisson_interval([0, 1, 2, 10])
    assert np.all(np.abs(lo - [0.0, 0.173, 0.708, 6.891]) <= [1e-12, 5e-4, 5e-4, 5e-4])
    assert np.all(np.abs(hi - [1.841, 3.300, 4.638, 14.27]) <= [5e-4, 5e-4, 5e-4, 5e-3])
    # large n: tends to n ± sqrt(n) (within 1 % at n = 1e4)
    lo, hi = poisson_interval(10_000)
    assert lo == pytest.approx(9900, rel=1e-3) and hi == pytest.approx(10100, rel=1e-3)
    for bad in (-1, 1.5):
        with pytest.raises(InputError, match="n must be counts"):
            poisson_interval(bad)
    with pytest.raises(InputError, match="cl"):
        poisson_interval(3, cl=1.0)


def test_tls_statistics_counts_and_refusals():
    """A TLS is E_qs_K below the threshold; NaN (unresolved) is not one; an empty catalog
    gives 0 with the n = 0 upper limit 1.841/denominator."""
    from coldglass.errors import InputError
    from coldglass.landscape.statistics import tls_statistics

    df = pd.DataFrame({"E_qs_K": [0.1, 0.5, np.nan, 2.0, 0.99]})
    tab = tls_statistics(df, n_particles=1000, n_minima=50, n_neb=20).set_index("quantity")
    assert (tab["TLS"] == 3).all()
    assert tab.loc["TLS per NEB verification", "value"] == pytest.approx(3 / 20)
    assert tab.loc["TLS per double well", "value"] == pytest.approx(3 / 5)
    empty = tls_statistics(df.iloc[:0], n_particles=1000, n_minima=0, n_neb=None)
    assert empty["TLS"].iloc[0] == 0
    assert empty["high (68 %)"].iloc[0] == pytest.approx(1.841 / 1000, rel=1e-3)
    assert empty["value"].iloc[1:].isna().all()  # no minima, no NEB, no wells: NaN
    with pytest.raises(InputError, match="e_tls_K"):
        tls_statistics(df, n_particles=10, n_minima=1, n_neb=1, e_tls_K=0)


def test_binomial_interval_against_scipy_clopper_pearson():
    """The TLS fraction's interval equals scipy's exact binomial (Clopper-Pearson) interval
    at 68.27 % (1e-9), stays inside [0, 1] (k = n = 1: [0.1587, 1]), and refuses k > n."""
    from scipy.stats import binomtest

    from coldglass.errors import InputError
    from coldglass.landscape.statistics import CL_1SIGMA, binomial_interval

    for k, n in ((0, 5), (1, 1), (3, 40), (13, 321)):
        ci = binomtest(k, n).proportion_ci(confidence_level=CL_1SIGMA, method="exact")
        np.testing.assert_allclose(binomial_interval(k, n), (ci.low, ci.high), rtol=1e-9,
                                   atol=1e-12)
    assert binomial_interval(1, 1) == pytest.approx((0.158655, 1.0), abs=1e-6)
    with pytest.raises(InputError, match="0 <= k <= n"):
        binomial_interval(3, 2)
