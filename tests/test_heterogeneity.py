"""Dynamical heterogeneity (paper Sec. 2, Fig. 1): the 2D soft-disk engine and the analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coldglass.landscape.heterogeneity import (
    cluster_statistics,
    clusters,
    heterogeneity_report,
    like_neighbour_excess,
    msd_alpha2,
    neighbours,
    run_heterogeneity,
    slow_fast,
    unwrap,
)
from coldglass.landscape.softdisks import LammpsSoftDisks, SoftDisks, allpairs_energy_forces_2d


def test_soft_disk_potential_matches_all_pairs_reference():
    """lj/cut + buck overlaid is exactly ε(σ/r)¹² (shifted): 1e-12 relative against numpy."""
    m = SoftDisks(n_atoms=300)
    eng = LammpsSoftDisks(m)
    x = m.lattice_positions(3) + np.random.default_rng(0).normal(0, 0.08, (300, 2))
    e, f = eng.energy_forces(x)
    e_ref, f_ref = allpairs_energy_forces_2d(m, x)
    assert e == pytest.approx(e_ref, rel=1e-12)
    assert np.abs(f - f_ref).max() <= 1e-12 * np.abs(f_ref).max()
    # the pair energy is the inverse twelfth power: two disks at r = 1.1 σ_SS
    two = SoftDisks(n_atoms=2, density=2 / (7.0**2 + 0.1), fraction_large=0.0,
                    cutoff_factor=2.5, sigma_ratio=1.0)
    e2, f2 = allpairs_energy_forces_2d(two, np.array([[1.0, 1.0], [2.1, 1.0]]))
    assert e2 == pytest.approx(1.1**-12 - 2.5**-12, rel=1e-13)
    assert f2[0, 0] == pytest.approx(-12 * 1.1**-13, rel=1e-13)
    eng.close()


def test_soft_disk_nve_conserves_energy():
    """Velocity Verlet: the total energy fluctuates by O(dt²) and does not drift. Halving dt
    must cut the largest deviation about fourfold (> 2.5x allows for sampling noise), and at
    dt = 0.005 it stays below 1e-3 k_B T per particle."""
    m = SoftDisks(n_atoms=300)
    dev = {}
    for dt in (0.005, 0.0025):
        eng = LammpsSoftDisks(m, seed=2, timestep=dt)
        eng.velocity_create(1.0, 5)
        eng.run_nvt(int(10 / dt), 1.0)
        eng.run_nve(0)
        e0 = eng.thermo("etotal")
        e = []
        for _ in range(20):
            eng.run_nve(int(0.5 / dt))
            e.append(eng.thermo("etotal"))
        dev[dt] = np.abs(np.array(e) - e0).max() / m.n_atoms
        eng.close()
    assert dev[0.005] < 1e-3
    assert dev[0.005] / dev[0.0025] > 2.5


def test_soft_disk_bad_input(tmp_path):
    with pytest.raises(ValueError, match="too small for the cutoff"):
        SoftDisks(n_atoms=20)
    with pytest.raises(ValueError, match="density"):
        SoftDisks(density=-0.7)
    with pytest.raises(ValueError, match="sigma_ratio"):
        SoftDisks(sigma_ratio=0.5)
    with pytest.raises(ValueError, match="system"):
        run_heterogeneity(tmp_path, system="1d")
    with pytest.raises(ValueError, match="descending"):
        run_heterogeneity(tmp_path, temperatures=(0.5, 1.0))
    with pytest.raises(ValueError, match="> 0"):
        run_heterogeneity(tmp_path, temperatures=(1.0, -0.5))
    assert list(tmp_path.iterdir()) == []  # refused before any work or output


def test_unwrap_and_gaussian_statistics():
    """A Gaussian random walk: unwrapping recovers it, ⟨Δr²⟩ = d s² lag and α₂ = 0."""
    rng = np.random.default_rng(1)
    L, n, steps, s = 10.0, 4000, 20, 0.3
    walk = np.cumsum(rng.normal(0, s, (steps, n, 2)), axis=0) + 5.0
    traj = unwrap(np.mod(walk, L), L)
    np.testing.assert_allclose(traj - traj[0], walk - walk[0], atol=1e-12)
    lags, msd, a2 = msd_alpha2(traj, max_lag=10)
    np.testing.assert_allclose(msd, 2 * s**2 * lags, rtol=0.03)  # ~1 % sampling error
    assert np.all(np.abs(a2) < 0.05)
    # a mixture of mobile and immobile particles is non-Gaussian
    walk[:, : n // 2] = walk[:1, : n // 2]
    _, _, a2m = msd_alpha2(walk, max_lag=5)
    assert np.all(a2m > 0.5)  # exactly 1 for a 50:50 mixture of frozen and Gaussian


def test_slow_fast_and_clusters():
    mob = np.arange(100.0)
    slow, fast = slow_fast(mob)
    assert slow.sum() == fast.sum() == 40 and not np.any(slow & fast)
    assert np.all(mob[slow] < mob[fast].min())
    # a 10 x 10 square lattice of spacing 1: two 2-column stripes are one cluster each, and
    # the periodic boundary joins the stripes at x = 0 and x = 9 into one
    g = np.stack(np.meshgrid(np.arange(10.0), np.arange(10.0), indexing="ij"), -1).reshape(-1, 2)
    types = np.zeros(100, int)
    sigma = np.ones((1, 1))
    member = (g[:, 0] == 0) | (g[:, 0] == 9) | (g[:, 0] == 4)
    lab = clusters(g, types, 10.0, sigma, member, lam=1.1)
    st = cluster_statistics(lab)
    assert sorted(st["sizes"]) == [10, 20]
    assert st["S_w"] == pytest.approx((100 + 400) / 30)
    assert st["largest"] == 20 and np.all(lab[~member] == -1)
    # like-neighbour excess = (member ends of member-member bonds) / (bonds of members) /
    # member fraction. Stripes: 30 vertical bonds + 10 across the periodic x boundary
    i, j = neighbours(g, types, 10.0, sigma, lam=1.1)
    assert len(i) == 200  # 4 neighbours each on the periodic square lattice
    assert like_neighbour_excess(i, j, member) == pytest.approx(2 * 40 / (30 * 4) / 0.3)
    half = g[:, 0] < 5  # a compact half: 50 vertical + 40 horizontal bonds inside
    assert like_neighbour_excess(i, j, half) == pytest.approx(2 * 90 / (50 * 4) / 0.5)
    rand = np.random.default_rng(0).random(100) < 0.5
    assert abs(like_neighbour_excess(i, j, rand) - 1) < 0.3


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("het")
    kw = dict(n_atoms=200, n_equil=500, n_run=2000, stride=50, seed=3)
    df = run_heterogeneity(out, "2d", (1.0, 0.6), **kw)
    return out, df, kw


def test_heterogeneity_run_writes_and_resumes(small_run):
    out, df, kw = small_run
    d = out / "heterogeneity" / "2d"
    assert list(df["T [eps/k_B]"]) == [1.0, 0.6]
    assert np.all(df["S_w_random [particles]"] > 0) and np.all(df["t_star [tau]"] > 0)
    # mobility slows on cooling
    assert df["msd_end [sigma^2]"].iloc[1] < df["msd_end [sigma^2]"].iloc[0]
    assert (d / "T_0.6000.npz").exists() and (d / "state.npz").exists()
    # rerun with one more temperature: the two finished ones are kept, not recomputed
    df2 = run_heterogeneity(out, "2d", (1.0, 0.6, 0.5), **kw)
    assert list(df2["T [eps/k_B]"]) == [1.0, 0.6, 0.5]
    pd.testing.assert_frame_equal(df2.iloc[:2].reset_index(drop=True), df)
    md = heterogeneity_report(out, "2d")
    assert md.exists() and (d / "fig1.png").exists() and (d / "growth.png").exists()
    assert "Do the slow regions grow on cooling?" in md.read_text()
    with pytest.raises(ValueError, match="another model"):
        run_heterogeneity(out, "2d", (0.4,), n_atoms=300, n_equil=10, n_run=200, stride=50)


def test_heterogeneity_3d_slices(tmp_path):
    df = run_heterogeneity(tmp_path, "3d", (1.0,), n_atoms=256, n_equil=200, n_run=800,
                           stride=40, seed=1)
    assert len(df) == 1 and df["S_w_slow [particles]"].iloc[0] > 0
    heterogeneity_report(tmp_path, "3d")
    assert (tmp_path / "heterogeneity" / "3d" / "fig1.png").exists()


def test_propensity_from_iso_configurational_runs(tmp_path):
    df = run_heterogeneity(tmp_path, "2d", (0.8,), n_atoms=200, n_equil=200, n_run=600,
                           stride=50, n_iso=3, seed=2)
    assert df["mobility"].iloc[0] == "propensity" and df["n_windows"].iloc[0] == 1
    with np.load(tmp_path / "heterogeneity" / "2d" / "T_0.8000.npz") as z:
        prop = z["mobility"]
    # mean-squared displacement per particle over t*: positive, spread out (heterogeneous)
    assert np.all(prop >= 0) and prop.std() > 0.1 * prop.mean()
