"""Benchmark: verifying candidate double wells — CPU per verified double well, same answers.

On the committed N = 1000 glass (``results/landscape_n1000/glass1``, force-shifted
Kob-Andersen), an NVT run at T = 0.4 is quenched every ``--interval`` steps; the consecutive
distinct inherent structures are the candidate pairs. Each candidate is verified twice in the
same run, on the same candidates and in the same order:

* **reference**: the previous verification, the strongest route this package had — LAMMPS
  re-initialised on every force call (``run 0``), one engine shared by the NEB images, the
  gentle (FIRE, then CG) relaxation off every saddle, an unbounded FIRE after a CG stall.
  It shares two later changes that cannot be switched off (the exact position check of the
  ASE calculator, the inexact-Newton saddle polish), so the speedup understates the change;
* **ours**: the persistent engine (``run 1 pre no``), one engine per NEB image, a plain CG
  relaxation off the saddle with the gentle one only where CG does not find the path ends,
  at most 3000 fallback steps after a CG stall and a Newton finish.

The answers are compared: the verified double wells (by their minima and saddle energies),
their asymmetry Δ, barrier V0 and tunnelling splitting Δ0. ``speedup`` = reference CPU /
our CPU per verified double well (process CPU time of each route).

Usage: python benchmarks/bench_verify.py [--quenches Q] [--interval I] [--seed S]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from coldglass.landscape import saddles
from coldglass.landscape.engine import LammpsLJ
from coldglass.landscape.pipeline import load_prepared
from coldglass.landscape.search import is_transition_candidates, verify_pair

GLASS = Path(__file__).resolve().parents[1] / "results" / "landscape_n1000" / "glass1"


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def verify_all(model, units, cands, *, reference: bool) -> tuple[list, float, dict]:
    default = saddles.QUENCH_FALLBACK_ITER
    saddles.QUENCH_FALLBACK_ITER = 200000 if reference else default
    eng = LammpsLJ(model, cands[0].a.x, persistent=not reference)
    stats, routes, recs = {}, {}, []
    try:
        t = cpu()
        for c in cands:
            rr = verify_pair(eng, c, units, n_images=5, neb_fmax=0.01, stats=stats,
                             routes=routes, cheap_connect=not reference,
                             per_image_engines=not reference)
            recs.append(rr)
        dt = cpu() - t
    finally:
        saddles.QUENCH_FALLBACK_ITER = default
        eng.close()
    return recs, dt, {**stats, **routes}


def main() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # CPU per double well on one core (BLAS and OpenMP pinned)
    ap = argparse.ArgumentParser()
    ap.add_argument("--quenches", type=int, default=40)
    ap.add_argument("--interval", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    model, units, x_glass, _ = load_prepared(GLASS)
    md, q = LammpsLJ(model, x_glass), LammpsLJ(model, x_glass)
    t = cpu()
    _, cands = is_transition_candidates(md, q, 0.4, a.quenches, a.interval, seed=a.seed)
    t_cand = cpu() - t
    print(f"{len(cands)} candidate pairs from {a.quenches} quenches ({t_cand:.0f} CPU s)")
    ours, t_ours, s_ours = verify_all(model, units, cands, reference=False)
    ref, t_ref, s_ref = verify_all(model, units, cands, reference=True)
    n_ours, n_ref = sum(map(len, ours)), sum(map(len, ref))
    print(f"reference: {n_ref} double wells, {t_ref:.0f} CPU s, {s_ref}")
    print(f"ours:      {n_ours} double wells, {t_ours:.0f} CPU s, {s_ours}")
    # the same answers: per candidate, the same double wells with the same parameters
    same, worst = 0, {"Delta_K": 0.0, "V0_K": 0.0, "log10_Delta0": 0.0}
    for ro, rr in zip(ours, ref, strict=True):
        key = sorted(round(r["V0_K"], 3) for r in rr)
        if sorted(round(r["V0_K"], 3) for r in ro) == key:
            same += 1
            for r1, r2 in zip(sorted(ro, key=lambda r: r["V0_K"]),
                              sorted(rr, key=lambda r: r["V0_K"]), strict=True):
                worst["Delta_K"] = max(worst["Delta_K"], abs(r1["Delta_K"] - r2["Delta_K"]))
                worst["V0_K"] = max(worst["V0_K"], abs(r1["V0_K"] - r2["V0_K"]))
                d1, d2 = r1.get("Delta0_exact_K", np.nan), r2.get("Delta0_exact_K", np.nan)
                if np.isfinite(d1) and np.isfinite(d2) and d1 > 0 and d2 > 0:
                    worst["log10_Delta0"] = max(worst["log10_Delta0"],
                                                abs(np.log10(d1 / d2)))
    print(f"same double wells for {same} of {len(cands)} candidates; largest differences: "
          + ", ".join(f"{k} {v:.2g}" for k, v in worst.items()))
    per_ours = t_ours / max(n_ours, 1)
    per_ref = t_ref / max(n_ref, 1)
    print(f"RESULT verify speedup={per_ref / per_ours:.2f} reference=run0_shared_gentle "
          f"cpu_s_per_dwp={per_ours:.2f} cpu_s_per_dwp_reference={per_ref:.2f} "
          f"dwp={n_ours} dwp_reference={n_ref} same_candidates={same}/{len(cands)}")


if __name__ == "__main__":
    main()
