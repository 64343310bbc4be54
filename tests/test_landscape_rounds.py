"""Selection rounds on a small glass: every pair of visited minima a candidate, labels from
the verified double wells, random and learned selection, and the CPU budget."""

import numpy as np
import pytest

from conftest import require_lammps, small_glass

engine = require_lammps()

from coldglass.errors import InputError  # noqa: E402
from coldglass.landscape.rounds import explore, run_rounds  # noqa: E402
from coldglass.landscape.saddles import same_structure  # noqa: E402
from coldglass.landscape.selection import PairSelector  # noqa: E402
from coldglass.landscape.units import ARGON  # noqa: E402


@pytest.fixture(scope="module")
def explored():
    m, md = small_glass(160, seed=7, vseed=3, t_end=0.45)
    q = engine.LammpsLJ(m, md.positions())
    ex = explore(md, q, 0.45, 24, 40, seed=1)
    return m, q, ex


def test_explore_keeps_distinct_minima_and_the_visit_sequence(explored):
    m, _, ex = explored
    assert len(ex.sequence) == 24 and len(ex.minima) >= 4
    assert sorted(set(ex.sequence)) == list(range(len(ex.minima)))
    for i in range(len(ex.minima)):
        for j in range(i):
            a, b = ex.minima[i], ex.minima[j]
            assert not same_structure(m, a.x, b.x, a.energy, b.energy)


def test_rounds_label_pairs_by_the_wells_that_join_them(explored):
    m, q, ex = explored
    res = run_rounds(q, ARGON, ex, selection="random", batch=3, max_rounds=2, seed=0)
    t = res.table
    K = len(ex.minima)
    assert len(t) == K * (K - 1) // 2 and res.rounds == 2
    labelled = t[t["status"] != "new"]
    assert 6 <= len(labelled)  # the 6 selected, and pairs labelled by wells found on the way
    for r in res.records:  # every recorded well whose minima are both known labels its pair
        ia = ex.id_of(m, type(ex.minima[0])(r["x_a"], r["E_a"], 0.0))
        ib = ex.id_of(m, type(ex.minima[0])(r["x_b"], r["E_b"], 0.0))
        if ia is not None and ib is not None:
            row = t[(t["i"] == min(ia, ib)) & (t["j"] == max(ia, ib))].iloc[0]
            assert row["status"] == "dwp"
    # the records are distinct wells
    keys = {(round(r["E_s"], 3), round(min(r["E_a"], r["E_b"]), 3)) for r in res.records}
    assert len(keys) == len(res.records)


def test_learned_rounds_retrain_and_refuse_bad_options(explored):
    m, q, ex = explored
    sel = PairSelector(cold_start=4, seed=0)
    res = run_rounds(q, ARGON, ex, selection="ml", batch=3, max_rounds=2, selector=sel)
    assert sel.version == 2 and sel.n_labelled >= 6  # retrained after each round
    assert res.selector is sel
    with pytest.raises(InputError, match="selection"):
        run_rounds(q, ARGON, ex, selection="best", max_rounds=1)
    with pytest.raises(InputError, match="max_rounds or cpu_budget_s"):
        run_rounds(q, ARGON, ex)
    res0 = run_rounds(q, ARGON, ex, selection="random", cpu_budget_s=0.0)
    assert res0.rounds == 0 and (res0.table["status"] == "new").all()
    assert np.isfinite(res.cpu_s)


def test_known_elementary_wells_are_reused_not_verified_again(explored):
    # the same candidates verified with and without the search's record of verified wells:
    # the same distinct double wells (minima and saddle energies to 1e-9 ε), fewer force calls;
    # a candidate verified twice costs no force call the second time
    from coldglass.landscape.rounds import candidate_table
    from coldglass.landscape.search import Candidate, VerifiedWells, verify_pair

    m, q, ex = explored
    t = candidate_table(m, ex).sort_values("d").head(8)
    wells = VerifiedWells(m, list(ex.minima))

    def distinct(recs):
        keys = []
        for r in recs:
            k = (r["E_s"], *sorted((r["E_a"], r["E_b"])))
            if not any(np.allclose(k, o, rtol=0, atol=1e-9) for o in keys):
                keys.append(k)
        return sorted(keys)

    plain, reused, calls = [], [], {False: 0, True: 0}
    stats = {}
    for i, j in zip(t["i"], t["j"], strict=True):
        c = Candidate(ex.minima[int(i)], ex.minima[int(j)], "test")
        for use in (False, True):
            n0 = q.n_force_calls
            recs = verify_pair(q, c, ARGON, wells=wells if use else None,
                               stats=stats if use else None)
            calls[use] += q.n_force_calls - n0
            (reused if use else plain).extend(recs)
    assert plain and len(distinct(plain)) == len(distinct(reused))
    assert np.allclose(distinct(plain), distinct(reused), rtol=0, atol=1e-9)
    assert calls[True] <= calls[False]
    assert sum(len(v) for v in wells.wells.values()) == len(distinct(plain))
    c = Candidate(ex.minima[int(t["i"].iloc[0])], ex.minima[int(t["j"].iloc[0])], "test")
    first = verify_pair(q, c, ARGON, wells=wells)
    n0, st = q.n_force_calls, {}
    again = verify_pair(q, c, ARGON, wells=wells, stats=st)
    assert [r["E_s"] for r in again] == [r["E_s"] for r in first]
    if wells.known(c.a, c.b):  # the pair is one elementary double well: nothing recomputed
        assert q.n_force_calls == n0 and st == {"known well reused": 1}
