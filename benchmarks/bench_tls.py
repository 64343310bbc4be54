"""Benchmark: tunnelling systems per core-hour — random against machine-learned selection.

On the committed N = 1000 glass (``results/landscape_n1000/glass1``), one NVT trajectory at
``--t-md`` is quenched ``--quenches`` times every ``--interval`` steps
(:func:`coldglass.landscape.rounds.explore`); every pair of the distinct inherent structures
it visited is a candidate. Then, in the same run and from the same candidates, two arms get
the same CPU budget (``--budget`` seconds each):

* **random** (the reference): batches drawn uniformly from the unlabelled pairs;
* **ML**: batches ranked by :class:`~coldglass.landscape.selection.PairSelector` (gradient-
  boosted classifier "is a double well", regressors for log10 E_qs and for the log10 force
  calls a verification costs; ranked by predicted TLS per force call, ``--objective``),
  retrained after every round on all labels, random among the observed transitions until
  ``--cold-start`` labels.

Each arm's cost is end to end: the exploration (MD and quenches, counted in full for each
arm), the selection and training, the NEBs, saddles, relaxations and the Schrödinger
solutions. A TLS is a verified double well with E_qs < 1 K under the argon mapping.
``speedup`` = ML TLS per core-hour over random TLS per core-hour (nan when the random arm
found none: the counts ``tls_ml``, ``tls_random`` are printed; they are Poisson counts, so
a ratio of small counts is uncertain by ~1/sqrt(count)). One core: BLAS and OpenMP pinned
to one thread.

The exploration runs at T = 0.3 ε/k_B (below the glass transition of this glass, T_g ≈ 0.43)
every 50 steps: there the trajectory moves by localized rearrangements, and consecutive
minima are 0.2-1.5 σ apart and mostly joined by one or two double wells, many with E_qs of
0.02-3 K. At T = 0.45 every 100 steps (the earlier default) the minima of one trajectory are
a median 3.5 σ apart, each verification splits into several NEBs, and 0 of the first 18 wells
found were TLS. 40 quenches gave 24 distinct minima, so ~23 observed transitions (4-30 CPU s
each) before the arms must go on to pairs that cost 50-140 s; 100 quenches (the default) give
the cost-aware ranking more of the cheap pairs, for ~1.5 CPU min more of exploration.

Usage: python benchmarks/bench_tls.py [--budget S] [--quenches Q] [--interval I] [--t-md T]
       [--objective tls_per_cost|tls]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from coldglass.landscape.engine import LammpsLJ
from coldglass.landscape.pipeline import load_prepared
from coldglass.landscape.rounds import explore, run_rounds
from coldglass.landscape.selection import OBJECTIVES, PairSelector

GLASS = Path(__file__).resolve().parents[1] / "results" / "landscape_n1000" / "glass1"


def main() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # core-hours of one core (BLAS and the trees' OpenMP pinned)
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=float, default=900.0, help="CPU s per arm")
    ap.add_argument("--quenches", type=int, default=100)
    ap.add_argument("--interval", type=int, default=50)
    ap.add_argument("--t-md", type=float, default=0.3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--cold-start", type=int, default=8,
                    help="labels before the first model (one batch)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--objective", default="tls_per_cost", choices=OBJECTIVES,
                    help="what the ML arm ranks by")
    a = ap.parse_args()
    model, units, x_glass, _ = load_prepared(GLASS)
    md, q = LammpsLJ(model, x_glass), LammpsLJ(model, x_glass)
    ex = explore(md, q, a.t_md, a.quenches, a.interval, seed=a.seed)
    K = len(ex.minima)
    print(f"exploration: {K} distinct inherent structures from {a.quenches} quenches, "
          f"{K * (K - 1) // 2} candidate pairs, {ex.cpu_s:.0f} CPU s")
    out = {}
    for arm in ("random", "ml"):
        sel = (PairSelector(cold_start=a.cold_start, seed=a.seed, objective=a.objective)
               if arm == "ml" else None)
        res = run_rounds(q, units, ex, selection=arm, batch=a.batch, cpu_budget_s=a.budget,
                         selector=sel, seed=a.seed,
                         progress=lambda r, n, t, arm=arm: print(
                             f"  {arm} round {r}: {n} double wells, {t} TLS", flush=True))
        hours = (res.cpu_s + ex.cpu_s) / 3600.0
        out[arm] = {"tls": res.n_tls / hours, "dwp": res.stats.get(
            "double wells (with repeats)", 0) / hours, "distinct": res.n_dwp / hours,
            "n_tls": res.n_tls, "n_dwp": res.n_dwp, "pairs": res.stats.get("verified pairs", 0),
            "hours": hours}
        print(f"{arm}: {res.stats.get('verified pairs', 0)} pairs verified, {res.n_dwp} "
              f"distinct double wells, {res.n_tls} TLS in {hours * 3600:.0f} CPU s")
    r, m = out["random"], out["ml"]
    # with no TLS in the random arm the ratio has no value: nan, and the counts say why
    speed = m["tls"] / r["tls"] if r["tls"] > 0 else float("nan")
    print(f"RESULT tls speedup={speed:.3g} reference=random_selection "
          f"tls_per_core_hour={m['tls']:.3g} dwp_per_core_hour={m['dwp']:.3g} "
          f"distinct_dwp_per_core_hour={m['distinct']:.3g} "
          f"random_tls_per_core_hour={r['tls']:.3g} "
          f"random_distinct_dwp_per_core_hour={r['distinct']:.3g} tls_ml={m['n_tls']} "
          f"tls_random={r['n_tls']} budget_s={a.budget:g} quenches={a.quenches} "
          f"objective={a.objective}")


if __name__ == "__main__":
    main()
