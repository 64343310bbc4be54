"""Selection rounds: verify the pairs of inherent structures most likely to be TLS.

The search explores a glass once (an NVT trajectory quenched at regular intervals,
:func:`explore`), takes **every** pair of the distinct inherent structures (IS) it visited as
a candidate (:func:`candidate_table`, features of
:func:`~coldglass.landscape.features.pair_features`), and then verifies candidates in rounds
(:func:`run_rounds`): each round selects a batch — at random, or by the
:class:`~coldglass.landscape.selection.PairSelector` retrained on every label so far — and
verifies it (:func:`~coldglass.landscape.search.verify_pair`). A pair is labelled a double
well when a verified double well joins exactly its two minima; its E_qs is that well's. The
double wells found through intermediate minima count as found, and label their own pair
when both of its minima are in the table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError
from .engine import LammpsLJ
from .features import pair_features, transition_counts
from .saddles import StationaryPoint, find_minimum, quench_towards, same_structure
from .search import Candidate, VerifiedWells, verify_safely
from .selection import PairSelector, random_selection
from .units import UnitMapping

__all__ = ["Explored", "RoundsResult", "explore", "candidate_table", "run_rounds",
           "SELECTIONS"]

SELECTIONS = ("random", "ml")
"""How :func:`run_rounds` chooses the next batch."""


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


@dataclass
class Explored:
    """The distinct inherent structures a trajectory visited, in order of first visit, and
    the IS id of every quench (``sequence``); ``cpu_s`` the CPU it took."""

    minima: list[StationaryPoint]
    sequence: list[int]
    cpu_s: float = 0.0

    def id_of(self, model, p: StationaryPoint, e_tol: float = 1e-3) -> int | None:
        """The id of the known IS that ``p`` is (:func:`find_minimum`), or None."""
        return find_minimum(model, self.minima, p, e_tol=e_tol)


def explore(md: LammpsLJ, quencher: LammpsLJ, temperature: float, n_quench: int,
            interval: int, *, seed: int = 0, progress: Callable[[], None] | None = None
            ) -> Explored:
    """Quench an NVT trajectory at ``temperature`` [ε/k_B] every ``interval`` steps
    ``n_quench`` times (``md`` holds the glass; ``quencher`` is a second engine); returns the
    distinct IS visited and the IS id of each quench."""
    if n_quench < 2 or interval < 1:
        raise InputError(f"n_quench must be >= 2 and interval >= 1, got {n_quench}, "
                         f"{interval}")
    t = _cpu()
    model = md.model
    md.velocity_create(temperature, seed)
    out = Explored([], [])
    for k in range(n_quench):
        if k:
            md.run_nvt(interval, temperature)
        # mostly the trajectory is still in the basin of the previous IS: tested first
        prev = [out.minima[out.sequence[-1]]] if out.sequence else []
        p = quench_towards(quencher, md.positions(), prev)
        i = out.id_of(model, p)
        if i is None:
            out.minima.append(p)
            i = len(out.minima) - 1
        out.sequence.append(i)
        if progress is not None:
            progress()
    out.cpu_s = _cpu() - t
    return out


def candidate_table(model, explored: Explored) -> pd.DataFrame:
    """Every pair i < j of the explored IS with its features (and ``n_obs``, the observed
    transitions between them)."""
    X = np.array([m.x for m in explored.minima])
    E = np.array([m.energy for m in explored.minima])
    return pair_features(model, X, E, counts=transition_counts(explored.sequence))


@dataclass
class RoundsResult:
    """What :func:`run_rounds` did: the candidate table with its labels (``status``
    ``"new"``/``"dwp"``/``"rejected"``, ``E_qs_K``, ``round``, ``cost_calls`` the force calls
    a selected pair's verification took), the verified double-well
    records (distinct by their minima and saddle), the selector, the CPU spent, and the
    engine to use next (a fresh one replaces an engine broken by a LAMMPS error)."""

    table: pd.DataFrame
    records: list[dict]
    selector: PairSelector | None
    cpu_s: float
    rounds: int = 0
    stats: dict = field(default_factory=dict)
    e_tls_K: float = 1.0
    engine: LammpsLJ | None = None

    @property
    def n_dwp(self) -> int:
        return len(self.records)

    @property
    def n_tls(self) -> int:
        return _n_tls(self.records, self.e_tls_K)


def _n_tls(records: list[dict], e_tls_K: float) -> int:
    """How many of the double-well records are TLS (E_qs < ``e_tls_K``)."""
    e = np.array([r["E_qs_K"] for r in records], dtype=float)
    return int(np.sum(np.isfinite(e) & (e < e_tls_K)))


def _same_well(model, r: dict, q: dict, e_tol: float = 1e-3) -> bool:
    """Two double-well records are the same well: their saddle energies and their two
    minimum energies (either order) agree within ``e_tol`` ε, and the saddles are the same
    structure (:func:`~coldglass.landscape.saddles.same_structure`, the one predicate)."""
    if abs(r["E_s"] - q["E_s"]) > e_tol:
        return False
    if not ((abs(r["E_a"] - q["E_a"]) <= e_tol and abs(r["E_b"] - q["E_b"]) <= e_tol)
            or (abs(r["E_a"] - q["E_b"]) <= e_tol and abs(r["E_b"] - q["E_a"]) <= e_tol)):
        return False
    return same_structure(model, r["x_s"], q["x_s"], r["E_s"], q["E_s"])


def _label(table: pd.DataFrame, row: int, status: str, e_qs: float, rnd: int) -> None:
    table.loc[row, ["status", "E_qs_K", "round"]] = [status, e_qs, rnd]


def run_rounds(engine: LammpsLJ, units: UnitMapping, explored: Explored, *,
               selection: str = "ml", batch: int = 8, max_rounds: int | None = None,
               cpu_budget_s: float | None = None, selector: PairSelector | None = None,
               e_tls_K: float = 1.0, seed: int = 0, verify_kw: dict | None = None,
               prior: dict | None = None, known: dict | None = None,
               progress: Callable[[int, int, int], None] | None = None) -> RoundsResult:
    """Verify candidates of ``explored`` in rounds of ``batch`` pairs until ``max_rounds``
    rounds or ``cpu_budget_s`` CPU seconds (the round in progress finishes), or every pair
    is labelled.

    ``selection="random"``: each batch uniformly from the unlabelled pairs (seed + round);
    ``"ml"``: by ``selector`` (a fresh :class:`PairSelector` by default), retrained after
    every round on all labels (random until its cold start is reached). ``progress(round,
    n_dwp, n_tls)`` is called after each round.

    Going on from earlier segments (:meth:`~coldglass.landscape.catalog.Catalog.prior`):
    ``prior`` holds the labelled pairs found before (``features`` table, ``is_dwp``,
    ``E_qs_K``, optionally ``cost_calls``), which join every fit; ``known`` maps pairs (i, j)
    of ``explored`` that are among them to their ``(status, E_qs_K)``: they are labelled
    from the start (``known`` column True, round -1) and never verified again. A
    ``selector`` trained before ranks the first batch itself (no cold start). The
    ``trained`` column marks the rows of the last fit.
    """
    if selection not in SELECTIONS:
        raise InputError(f"selection must be one of {SELECTIONS}, got {selection!r}")
    if batch < 1:
        raise InputError(f"batch must be >= 1, got {batch}")
    if max_rounds is None and cpu_budget_s is None:
        raise InputError("give max_rounds or cpu_budget_s (else the rounds run until every "
                         "pair of the table is verified)")
    model = engine.model
    t0 = _cpu()
    table = candidate_table(model, explored)
    table["status"], table["E_qs_K"], table["round"] = "new", np.nan, -1
    table["cost_calls"] = np.nan  # force calls the verification of a selected pair took
    table["known"], table["trained"] = False, False
    index = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(table["i"], table["j"],
                                                                  strict=True))}
    for (i, j), (status, e_qs) in (known or {}).items():
        k = index[(min(i, j), max(i, j))]
        _label(table, k, status, e_qs, -1)
        table.at[k, "known"] = True
    prior = prior or {}
    prior_X = prior.get("features")
    prior_y = np.asarray(prior.get("is_dwp", []), dtype=bool)
    prior_e = np.asarray(prior.get("E_qs_K", []), dtype=float)
    prior_c = np.asarray(prior.get("cost_calls", np.full(len(prior_e), np.nan)), dtype=float)
    if selection == "ml" and selector is None:
        selector = PairSelector(e_tls_K=e_tls_K, seed=seed)
    records: list[dict] = []
    stats: dict = {}
    # the elementary double wells verified so far: a pair split into elementary pairs met
    # before reuses their wells instead of a NEB each (the same NEB would find the same saddle)
    wells = VerifiedWells(model, list(explored.minima))
    rnd = 0
    while True:
        if max_rounds is not None and rnd >= max_rounds:
            break
        if cpu_budget_s is not None and _cpu() - t0 >= cpu_budget_s:
            break
        done = np.flatnonzero(table["status"].to_numpy() != "new")
        if len(done) == len(table):
            break
        if selection == "random":
            pick = random_selection(len(table), batch, exclude=done, seed=seed + rnd)
        else:
            pick = selector.select(table, batch, exclude=done)
        for k in pick:
            if table.at[k, "status"] != "new":
                continue  # labelled meanwhile by a double well found through this batch
            i, j = int(table.at[k, "i"]), int(table.at[k, "j"])
            a, b = explored.minima[i], explored.minima[j]
            # a failing pair (solver breakdown, LAMMPS error) is counted and rejected; after a
            # LAMMPS error a fresh engine replaces the broken one
            calls0 = engine.n_force_calls
            recs, engine = verify_safely(engine, Candidate(a, b, f"pair-{selection}"), units,
                                         stats, restart=a.x, wells=wells,
                                         **(verify_kw or {}))
            _label(table, k, "rejected", np.nan, rnd)
            table.at[k, "cost_calls"] = engine.n_force_calls - calls0  # a fresh engine
            # after a LAMMPS error carries the count on
            stats["verified pairs"] = stats.get("verified pairs", 0) + 1
            stats["double wells (with repeats)"] = (stats.get("double wells (with repeats)", 0)
                                                    + len(recs))
            for r in recs:
                ia = explored.id_of(model, StationaryPoint(r["x_a"], r["E_a"], 0.0))
                ib = explored.id_of(model, StationaryPoint(r["x_b"], r["E_b"], 0.0))
                row = None if ia is None or ib is None or ia == ib else \
                    index[(min(ia, ib), max(ia, ib))]
                if row is not None and not table.at[row, "known"]:
                    # a pair joined by several wells keeps its lowest splitting (the TLS one;
                    # np.fmin passes over an unresolved NaN) and the round it was first
                    # labelled in
                    e_new = float(r["E_qs_K"])
                    if table.at[row, "status"] == "dwp":
                        _label(table, row, "dwp", float(np.fmin(table.at[row, "E_qs_K"], e_new)),
                               int(table.at[row, "round"]))
                    else:
                        _label(table, row, "dwp", e_new, rnd)
                if any(_same_well(model, r, q) for q in records):
                    continue  # this double well was recorded before
                records.append(r)
        rnd += 1
        if selection == "ml":
            lab = (table["status"].to_numpy() != "new") & ~table["known"].to_numpy(bool)
            X, y, e = table[lab], table.loc[lab, "status"].to_numpy() == "dwp", \
                table.loc[lab, "E_qs_K"].to_numpy(float)
            c = table.loc[lab, "cost_calls"].to_numpy(float)
            if prior_X is not None and len(prior_X):
                X = pd.concat([prior_X[list(selector.features)],
                               X[list(selector.features)]], ignore_index=True)
                y, e = np.concatenate([prior_y, y]), np.concatenate([prior_e, e])
                c = np.concatenate([prior_c, c])
            selector.fit(X, y, e, c)
            table["trained"] = lab
        if progress is not None:
            progress(rnd, len(records), _n_tls(records, e_tls_K))
    return RoundsResult(table, records, selector, _cpu() - t0, rnd, stats, e_tls_K, engine)
