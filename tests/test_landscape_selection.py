"""Features of all pairs of inherent structures and the learned pair selection."""

import numpy as np
import pandas as pd
import pytest

from coldglass.errors import InputError
from coldglass.landscape.features import FEATURES, pair_features, transition_counts
from coldglass.landscape.model import BinaryLJ
from coldglass.landscape.selection import PairSelector, random_selection
from coldglass.landscape.tunneling import participation


@pytest.fixture(scope="module")
def model():
    return BinaryLJ(160)


def test_features_of_known_displacements(model):
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0, model.box_length, (model.n_atoms, 3))
    x1 = x0 + np.array([0.3, -0.2, 0.1])  # a pure translation: no displacement
    x2 = x0.copy()
    x2[7] += [0.0, 0.0, 0.8]  # one particle moves 0.8 σ (others shift by the mass-weighted mean)
    x3 = np.mod(x0 + rng.normal(0, 0.05, x0.shape) + model.box_length * 0.5, model.box_length)
    X = np.array([x0, x1, x2, x3])
    E = np.array([-7.0, -7.0, -6.5, -6.9])
    counts = transition_counts([0, 2, 2, 0, 3, 0])
    assert counts == {(0, 2): 2, (0, 3): 2}
    df = pair_features(model, X, E, counts=counts, block=2).set_index(["i", "j"])
    assert len(df) == 6 and tuple(df.columns) == FEATURES
    assert df.loc[(0, 1), "d"] < 1e-12
    r = df.loc[(0, 2)]
    assert r["dE"] == pytest.approx(0.5) and r["E_low"] == pytest.approx(0.0)
    assert r["u1"] == pytest.approx(0.8 * (1 - 1 / model.n_atoms), rel=1e-9)
    assert r["n_obs"] == 2 and df.loc[(1, 2), "n_obs"] == 0
    assert r["pr"] < 2.0 / model.n_atoms  # one particle carries it (PR -> 1/N)
    # the participation ratio against the tunnelling module's own, on a random pair
    u = x3 - x0
    u -= model.box_length * np.round(u / model.box_length)
    u -= u.mean(0)
    assert df.loc[(0, 3), "pr"] == pytest.approx(participation(u)["participation_ratio"],
                                                 rel=1e-12)
    assert df.loc[(0, 3), "d"] == pytest.approx(np.linalg.norm(u), rel=1e-12)


def test_features_refuse_bad_input(model):
    X = np.zeros((3, model.n_atoms, 3))
    with pytest.raises(InputError, match="shape"):
        pair_features(model, X[:, :10], np.zeros(3))
    with pytest.raises(InputError, match="energies"):
        pair_features(model, X, np.array([0.0, np.nan, 1.0]))
    with pytest.raises(InputError, match="at least 2"):
        pair_features(model, X[:1], np.zeros(1))


def _synthetic(n, seed):
    """Pairs whose fate depends on their features: a double well if 0.5 < d < 1.5 and
    dE < 0.3; log10 E_qs rising with d, so that the TLS are the short, symmetric ones."""
    rng = np.random.default_rng(seed)
    t = pd.DataFrame({"dE": rng.exponential(0.5, n), "E_low": rng.uniform(0, 2, n),
                      "d": rng.uniform(0.1, 4.0, n), "pr": rng.uniform(0.01, 0.3, n),
                      "u1": rng.uniform(0.1, 1.5, n), "u2": rng.uniform(0.1, 1.0, n),
                      "u3": rng.uniform(0.1, 0.8, n), "n_obs": rng.integers(0, 3, n)})
    dwp = (t["d"] > 0.5) & (t["d"] < 1.5) & (t["dE"] < 0.3)
    eqs = np.where(dwp, 10 ** (2.0 * (t["d"] - 1.0) + rng.normal(0, 0.2, n)), np.nan)
    return t, dwp.to_numpy(), eqs


def test_learned_selection_finds_tls_far_above_the_random_rate():
    t, dwp, eqs = _synthetic(3000, 1)
    tls = dwp & (eqs < 1.0)
    labelled = random_selection(len(t), 300, seed=2)
    sel = PairSelector(cold_start=30, seed=0).fit(t.iloc[labelled], dwp[labelled],
                                                  eqs[labelled])
    assert sel.trained and sel.version == 1 and np.isfinite(sel.residual)
    pick = sel.select(t, 100, exclude=labelled)
    assert not set(pick) & set(labelled)
    rate_random = tls[np.setdiff1d(np.arange(len(t)), labelled)].mean()
    rate_ml = tls[pick].mean()
    assert rate_random < 0.1  # ~4 % of the pairs are TLS
    assert rate_ml > 5 * rate_random


def test_cold_start_and_one_class_fall_back(model):
    t, dwp, eqs = _synthetic(200, 3)
    sel = PairSelector(cold_start=50, cold_start_from="all").fit(t.iloc[:20], dwp[:20],
                                                                 eqs[:20])
    assert not sel.trained  # too few labels: random selection
    a, b = sel.select(t, 10), random_selection(len(t), 10, seed=sel.seed + sel.version)
    assert np.array_equal(a, b)
    # the default cold start: the observed transitions first, at random among them, then
    # the other pairs at random
    t2 = t.copy()
    t2["n_obs"] = 0
    seen = np.array([3, 17, 40, 41, 99, 150])
    t2.loc[seen, "n_obs"] = 1
    obs = PairSelector(cold_start=50)
    few, many = obs.select(t2, 4, exclude=[17]), obs.select(t2, 9, exclude=[17])
    assert len(few) == 4 and set(few) <= set(seen) - {17}
    assert len(many) == 9 and set(seen) - {17} <= set(many) and 17 not in many
    assert not (t2["n_obs"] > 0).all() and np.array_equal(few, obs.select(t2, 4, exclude=[17]))
    with pytest.raises(InputError, match="cold_start_from"):
        PairSelector(cold_start_from="close")
    sel = PairSelector(cold_start=5, cold_start_from="all").fit(
        t.iloc[:40], np.zeros(40, bool), np.full(40, np.nan))
    assert np.all(sel.p_dwp(t) == 0.0)  # one class only: nothing to rank by, random
    assert np.array_equal(sel.select(t, 10, exclude=range(40)),
                          random_selection(len(t), 10, exclude=range(40),
                                           seed=sel.seed + sel.version))
    with pytest.raises(InputError, match="feature columns"):
        sel.p_dwp(t.drop(columns="pr"))
    with pytest.raises(InputError, match="cold_start"):
        PairSelector(cold_start=1)


def test_a_small_training_set_still_separates_the_pairs():
    # 24 labels (both classes): the trees must split (leaves shrink with the set), so the
    # scores differ and the selection is not the table's order
    t, dwp, eqs = _synthetic(600, 5)
    lab = np.concatenate([np.flatnonzero(dwp)[:8], np.flatnonzero(~dwp)[:16]])
    sel = PairSelector(cold_start=10).fit(t.iloc[lab], dwp[lab], eqs[lab])
    assert len(np.unique(sel.p_dwp(t))) > 10
    pick = sel.select(t, 20, exclude=lab)
    assert not np.array_equal(pick, np.setdiff1d(np.arange(len(t)), lab)[:20])
    assert dwp[pick].mean() > 2 * dwp.mean()


def test_a_stored_selector_continues_with_the_same_model():
    t, dwp, eqs = _synthetic(800, 4)
    sel = PairSelector(cold_start=30).fit(t.iloc[:200], dwp[:200], eqs[:200])
    back = PairSelector.loads(sel.dumps())
    assert back.version == sel.version == 1
    assert np.array_equal(back.score(t), sel.score(t))
    assert np.array_equal(back.select(t, 25, exclude=range(200)),
                          sel.select(t, 25, exclude=range(200)))
