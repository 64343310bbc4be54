"""Benchmark: the echo amplitude A(B) of the ATS at 200 fields with the orientation average
(the paper's shortcut) for AlBaSiO sample 1 of Table 8, 1 GHz, τ2 = 2τ1 = 0.2 μs, T = 15 mK,
τ12 = 3 μs.

Ours: ``ats_echo_amplitude`` (Gauss-Legendre in ln D0 and detuning, vectorized over fields).
Reference: the same integrand by nested ``scipy.integrate.quad`` (outer over ln D0, inner over
the detuning, split at the resonance window and the DOS edge), on a random subset of fields
(``--points``, default 4) scaled linearly to the 200. Accuracy: largest difference relative to
ΔA(0).

Usage: python benchmarks/bench_echo.py [--points N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from coldglass.observables.echo import ats_echo_amplitude  # noqa: E402


def main() -> None:
    from test_echo import _bas_kw  # the same parameters as the test suite

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=4)
    args = ap.parse_args()
    ens, kw = _bas_kw()
    B = np.linspace(0.0, 0.6, 200)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        got = ats_echo_amplitude(B, ens, **kw)
        times.append(time.perf_counter() - t0)
    t_ours = min(times)
    import test_echo

    rng = np.random.default_rng(2)
    picks = np.sort(rng.choice(len(B), size=args.points, replace=False))
    ref_fn = test_echo._reference_echo(ens, kw)
    t0 = time.perf_counter()
    ref = np.array([ref_fn(B[i]) for i in picks])
    t_sample = time.perf_counter() - t0
    t_ref = t_sample / len(picks) * len(B)
    acc = float(np.max(np.abs(got[picks] - ref)) / abs(got[0]))
    print(f"{len(B)} fields, shortcut orientation average")
    print(f"ours:      {t_ours:8.3f} s (best of 3)")
    print(f"reference: {t_sample:8.2f} s for {len(picks)} fields -> {t_ref:.0f} s for 200")
    print(f"max difference / ΔA(0): {acc:.1e}")
    print(f"RESULT echo speedup={t_ref / t_ours:.0f} accuracy={acc:.1e} ref_points={len(picks)}")


if __name__ == "__main__":
    main()
