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


def test_the_cost_aware_ranking_prefers_cheap_pairs_of_equal_promise():
    # two halves of one synthetic table with the same fates; the second half costs 20x more
    # to verify. Ranked by TLS per force call the cheap half comes first; by TLS probability
    # alone both halves are picked alike
    t, dwp, eqs = _synthetic(1200, 6)
    t["n_obs"] = np.r_[np.zeros(600), np.ones(600)]  # a feature that tells the halves apart
    cost = np.where(t["n_obs"] > 0, 100.0, 5.0) * np.exp(np.random.default_rng(0).normal(
        0, 0.1, len(t)))
    lab = random_selection(len(t), 400, seed=1)
    per_cpu = PairSelector(cold_start=30).fit(t.iloc[lab], dwp[lab], eqs[lab], cost[lab])
    plain = PairSelector(cold_start=30, objective="tls").fit(t.iloc[lab], dwp[lab], eqs[lab],
                                                              cost[lab])
    c = per_cpu.cost(t)
    assert np.median(c[t["n_obs"] == 0]) == pytest.approx(5.0, rel=0.2)
    assert np.median(c[t["n_obs"] > 0]) == pytest.approx(100.0, rel=0.2)
    assert np.all(np.isnan(plain.cost(t)))  # the "tls" objective trains no cost model
    cheap = (t["n_obs"] == 0).to_numpy()
    tls = dwp & (eqs < 1.0)
    a, b = per_cpu.select(t, 20, exclude=lab), plain.select(t, 20, exclude=lab)
    assert cheap[a].mean() > 0.9 and 0.2 < cheap[b].mean() < 0.8
    # what it is for: more TLS per force call spent on the picks (here ~10x)
    assert tls[a].sum() / cost[a].sum() > 3 * tls[b].sum() / cost[b].sum()
    np.testing.assert_allclose(per_cpu.score(t), per_cpu.p_tls(t) / c)
    # unknown costs (an older catalog's pairs) are left out of the cost model; fewer than 5
    # known costs: no cost model, the probability alone
    few = np.full(len(lab), np.nan)
    few[:4] = cost[lab][:4]
    sel = PairSelector(cold_start=30).fit(t.iloc[lab], dwp[lab], eqs[lab], few)
    assert np.all(np.isnan(sel.cost(t))) and np.array_equal(sel.score(t), sel.p_tls(t))
    with pytest.raises(InputError, match="objective"):
        PairSelector(objective="fastest")
    with pytest.raises(InputError, match="cost_calls"):
        per_cpu.fit(t.iloc[lab], dwp[lab], eqs[lab], cost[:10])


def test_a_selector_pickled_before_costs_ranks_by_probability():
    # a selector stored by an older coldglass has neither ``objective`` nor a cost model
    t, dwp, eqs = _synthetic(500, 7)
    sel = PairSelector(cold_start=30, objective="tls").fit(t.iloc[:200], dwp[:200], eqs[:200])
    del sel.__dict__["objective"], sel.__dict__["_cost"]
    back = PairSelector.loads(sel.dumps())
    assert np.array_equal(back.score(t), back.p_tls(t))
    assert np.all(np.isnan(back.cost(t)))
