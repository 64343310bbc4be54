"""Which pairs of inherent structures to verify next: random, or machine-learned.

Verification (NEB, saddle, relaxation) is the expensive step of a search; most pairs of
inherent structures are not double wells, and most double wells are not two-level systems
(TLS: quantum splitting E_qs below ``e_tls_K``, 1 K). Following Ciarella et al.,
Nat. Commun. 14, 4229 (2023), :class:`PairSelector` learns from the pairs already verified:

* a **classifier** for "verifies as a double well" (gradient-boosted trees,
  :class:`sklearn.ensemble.HistGradientBoostingClassifier`), trained on every verified and
  rejected pair;
* a **regressor** for log10(E_qs/K) (:class:`~sklearn.ensemble.HistGradientBoostingRegressor`),
  trained on the verified double wells;

and ranks the unverified pairs by the predicted probability of being a TLS,

    score = P(double well) · Φ((log10 e_tls − μ) / s),

μ the regressor's prediction and s its residual spread (out-of-fold where there are enough
wells; Φ the normal distribution function). With ``objective="tls_per_cpu"`` (the default) a
third regressor predicts the CPU seconds c a pair's verification costs (log10 c, trained on
the verified pairs' own costs) and the pairs are ranked by score / c, the expected TLS per CPU
second: on an N = 1000 glass a pair costs 4-140 s, and a far pair (split into several NEBs)
mostly yields wells with E_qs of 10-300 K, so ranking by probability alone spent most of the
budget on a few far pairs (``objective="tls"`` keeps that ranking). Until ``cold_start`` pairs
are labelled, or while one class is missing, it selects at random (:func:`random_selection`),
which also stays available as the unbiased reference; with ``cold_start_from="observed"`` (the
default) the cold-start batches are drawn at random from the pairs observed as direct
transitions (``n_obs`` > 0, the candidates of the inherent-structure route) first: on an N =
1000 glass those cost ~5-30 CPU s each to verify and mostly are double wells, while a
uniformly random pair of a trajectory's minima (median distance ~3 σ) costs 50-120 s and
splits into many NEBs, so a random cold start spent most of a 15-minute budget before the
first model. :meth:`PairSelector.fit` is run again each round on all labels so far
(``version`` counts the rounds); :meth:`PairSelector.dumps` / :meth:`PairSelector.loads` carry
the model with the catalog so that a resumed campaign continues with the same model instead of
retraining from scratch.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError
from .features import FEATURES

__all__ = ["PairSelector", "random_selection", "OBJECTIVES"]

OBJECTIVES = ("tls_per_cpu", "tls")
"""What :meth:`PairSelector.select` ranks by (module docstring)."""


def random_selection(n_candidates: int, n: int, *, exclude=(), seed: int = 0) -> np.ndarray:
    """``n`` indices drawn without replacement from ``range(n_candidates)`` minus
    ``exclude``: the unbiased selection."""
    pool = np.setdiff1d(np.arange(int(n_candidates)), np.asarray(list(exclude), dtype=int))
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(pool, size=min(int(n), len(pool)), replace=False))


@dataclass
class PairSelector:
    """Learned ranking of candidate pairs (module docstring).

    Parameters
    ----------
    e_tls_K : E_qs below which a double well counts as a TLS [K]
    cold_start : labelled pairs needed before the first model (random selection until then)
    seed : seed of the trees and of the random selection
    features : the columns of the candidate table the model reads
    cold_start_from : ``"observed"`` (cold-start batches from the observed transitions first,
        module docstring) or ``"all"`` (uniformly from every unlabelled pair)
    objective : ``"tls_per_cpu"`` (rank by predicted TLS probability over predicted CPU
        cost, once 5 costs are known) or ``"tls"`` (by the probability alone)
    """

    e_tls_K: float = 1.0
    cold_start: int = 30
    seed: int = 0
    features: tuple[str, ...] = FEATURES
    cold_start_from: str = "observed"
    objective: str = "tls_per_cpu"
    version: int = 0
    n_labelled: int = 0
    residual: float = float("nan")
    _clf: object = field(default=None, repr=False)
    _reg: object = field(default=None, repr=False)
    _p_const: float | None = field(default=None, repr=False)
    _cost: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not (np.isfinite(self.e_tls_K) and self.e_tls_K > 0):
            raise InputError(f"e_tls_K must be > 0 K, got {self.e_tls_K!r}")
        if int(self.cold_start) < 2:
            raise InputError(f"cold_start must be >= 2 labelled pairs, got {self.cold_start!r}")
        if self.cold_start_from not in ("observed", "all"):
            raise InputError(f"cold_start_from must be 'observed' or 'all', got "
                             f"{self.cold_start_from!r}")
        if self.objective not in OBJECTIVES:
            raise InputError(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")

    @property
    def trained(self) -> bool:
        return self._clf is not None or self._p_const is not None

    def _matrix(self, table: pd.DataFrame) -> np.ndarray:
        missing = [f for f in self.features if f not in table.columns]
        if missing:
            raise InputError(f"the candidate table lacks the feature columns {missing}; "
                             f"it has {list(table.columns)}")
        return table[list(self.features)].to_numpy(dtype=float)

    def fit(self, table: pd.DataFrame, is_dwp, E_qs_K, cost_calls=None) -> PairSelector:
        """Train on the labelled pairs: ``is_dwp`` (bool, one per row of ``table``),
        ``E_qs_K`` (the verified wells' splitting [K], NaN elsewhere) and ``cost_calls`` (CPU
        seconds each pair's verification took, NaN where not known, e.g. pairs of an older
        catalog; default all unknown). Returns self."""
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
        from sklearn.model_selection import cross_val_predict

        X = self._matrix(table)
        y = np.asarray(is_dwp, dtype=bool)
        e = np.asarray(E_qs_K, dtype=float)
        c = np.full(len(X), np.nan) if cost_calls is None else np.asarray(cost_calls, dtype=float)
        if y.shape != (len(X),) or e.shape != (len(X),) or c.shape != (len(X),):
            raise InputError("is_dwp, E_qs_K and cost_calls need one value per row of the table")
        self.n_labelled = len(X)
        self.version += 1
        self._clf = self._reg = self._cost = None
        self._p_const = None
        self.residual = float("nan")
        if len(X) < self.cold_start:
            return self
        # trees with leaves of >= 20 samples (the default) cannot split below 40 labels:
        # every pair would score alike; leaves shrink with the training set instead
        def leaf(n):
            return max(2, min(20, n // 10))

        if y.all() or not y.any():
            self._p_const = float(y.mean())  # one class only: a constant probability
        else:
            self._clf = HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.1, min_samples_leaf=leaf(len(X)),
                random_state=self.seed).fit(X, y)
        ok = y & np.isfinite(e) & (e > 0)
        if ok.sum() >= 5:
            t = np.log10(e[ok])
            reg = HistGradientBoostingRegressor(max_iter=200, learning_rate=0.1,
                                                min_samples_leaf=leaf(int(ok.sum())),
                                                random_state=self.seed)
            folds = min(5, int(ok.sum()))
            pred = cross_val_predict(reg, X[ok], t, cv=folds)
            self.residual = float(max(np.std(t - pred), 0.1))
            self._reg = reg.fit(X[ok], t)
        known = np.isfinite(c) & (c > 0)
        if self.objective == "tls_per_cpu" and known.sum() >= 5:
            self._cost = HistGradientBoostingRegressor(
                max_iter=200, learning_rate=0.1, min_samples_leaf=leaf(int(known.sum())),
                random_state=self.seed).fit(X[known], np.log10(c[known]))
        return self

    def p_dwp(self, table: pd.DataFrame) -> np.ndarray:
        """Predicted probability that each pair verifies as a double well."""
        X = self._matrix(table)
        if self._clf is not None:
            return self._clf.predict_proba(X)[:, 1]
        return np.full(len(X), 0.5 if self._p_const is None else self._p_const)

    def p_tls(self, table: pd.DataFrame) -> np.ndarray:
        """Predicted probability that each pair is a TLS (module docstring)."""
        from scipy.stats import norm

        p = self.p_dwp(table)
        if self._reg is None:
            return p
        mu = self._reg.predict(self._matrix(table))
        return p * norm.cdf((np.log10(self.e_tls_K) - mu) / self.residual)

    def cost(self, table: pd.DataFrame) -> np.ndarray:
        """Predicted CPU seconds to verify each pair (NaN before 5 costs are known)."""
        model = getattr(self, "_cost", None)  # None in a selector pickled before costs
        if model is None:
            return np.full(len(table), np.nan)
        return 10.0 ** model.predict(self._matrix(table))

    def score(self, table: pd.DataFrame) -> np.ndarray:
        """What the pairs are ranked by: :meth:`p_tls`, divided by :meth:`cost` for the
        ``"tls_per_cpu"`` objective once costs are predicted (TLS per CPU second)."""
        p = self.p_tls(table)
        if (getattr(self, "objective", "tls") == "tls_per_cpu"
                and getattr(self, "_cost", None) is not None):
            return p / self.cost(table)
        return p

    def select(self, table: pd.DataFrame, n: int, *, exclude=()) -> np.ndarray:
        """Indices (rows of ``table``) of the ``n`` pairs to verify next, not in ``exclude``:
        the best-scored once a model separates the pairs, random before (cold start, or one
        class only and no regressor; seed ``seed + version``). Ties are broken at random."""
        rng_seed = self.seed + self.version
        if self._clf is None and self._reg is None:
            if self.cold_start_from == "observed" and "n_obs" in table.columns:
                # the observed transitions first (at random among them), then any other pair
                excl = np.asarray(list(exclude), dtype=int)
                unseen = np.flatnonzero(table["n_obs"].to_numpy() <= 0)
                first = random_selection(len(table), n, seed=rng_seed,
                                         exclude=np.union1d(unseen, excl))
                rest = random_selection(len(table), int(n) - len(first), seed=rng_seed,
                                        exclude=np.union1d(first, excl))
                return np.sort(np.concatenate([first, rest]).astype(int))
            return random_selection(len(table), n, exclude=exclude, seed=rng_seed)
        s = self.score(table).astype(float)
        s[np.asarray(list(exclude), dtype=int)] = -np.inf
        tie = np.random.default_rng(rng_seed).random(len(s))
        order = np.lexsort((tie, -s))  # by score, then at random
        order = order[np.isfinite(s[order])]
        return order[: int(n)]

    # ------------------------------------------------------------------ persistence
    def dumps(self) -> bytes:
        """The selector as bytes: the scikit-learn version, then the pickled fitted trees
        (a pickle runs code when loaded: load only a catalog you made)."""
        import sklearn

        return pickle.dumps({"sklearn": sklearn.__version__, "blob": pickle.dumps(self)})

    @staticmethod
    def loads(blob: bytes) -> PairSelector:
        """A selector from :meth:`dumps`; refuses one pickled by another scikit-learn before
        unpickling its trees."""
        import sklearn

        d = pickle.loads(blob)  # noqa: S301 - a dict of a str and bytes
        if d.get("sklearn") != sklearn.__version__:
            raise InputError(f"the stored pair selector was trained with scikit-learn "
                             f"{d.get('sklearn')}, this is {sklearn.__version__}: retrain it")
        return pickle.loads(d["blob"])  # noqa: S301 - the campaign's own catalog
