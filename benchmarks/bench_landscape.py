"""Benchmark: the landscape search — cost per force call in the path methods and double
wells found per core-hour.

1. Force calls as the NEB/dimer see them (ASE calculator interface, positions in, energy and
   forces out, a sequence of nearby configurations as one NEB image visits them) on a
   Kob-Andersen glass of N = 1000: ours (the persistent engine behind ``LammpsCalculator``)
   against the reference, the strongest straightforward route: a persistent LAMMPS instance
   driven directly (positions written into LAMMPS' array, ``run 1 pre no post no``, energy
   and forces read back; no ASE). Timed in the same run over the same configurations, with
   two more routes for scale: the re-initialising ``run 0`` per call (the previous engine)
   and matscipy's pair-potential calculator on the same potential.
   ``speedup`` = reference time / our time per call (< 1: the cost of the ASE layer);
   ``force_diff`` the largest force difference from matscipy (same potential to ~1e-12).
2. Double wells per core-hour: a short glass preparation, then one segment of
   ``landscape search`` on the inherent-structure route (``--quenches`` quenches at T = 0.4,
   its default ML pair selection), on one core; the rates are distinct verified double
   wells and TLS (E_qs < 1 K, argon) per CPU hour of the search. ``bench_tls.py`` compares
   the selections.

Usage: python benchmarks/bench_landscape.py [--n-atoms N] [--quenches Q] [--calls C]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from coldglass.landscape.calculator import LammpsCalculator, _matscipy_calc, to_atoms
from coldglass.landscape.catalog import Catalog
from coldglass.landscape.engine import LammpsLJ
from coldglass.landscape.model import BinaryLJ
from coldglass.landscape.pipeline import PrepareProtocol, SearchProtocol, prepare, search
from coldglass.landscape.units import ARGON


def force_calls(model: BinaryLJ, n_calls: int) -> dict:
    eng = LammpsLJ(model, model.random_positions(5))
    eng.minimize(fmax=1e-3)
    x0 = eng.positions()
    rng = np.random.default_rng(0)
    frames = [x0 + rng.normal(0, 0.01, x0.shape) for _ in range(n_calls)]
    atoms = to_atoms(model, x0)
    out = {}
    routes = {"ours": LammpsCalculator(LammpsLJ(model, x0)),
              "run0": LammpsCalculator(LammpsLJ(model, x0, persistent=False)),
              "matscipy": _matscipy_calc(model)}
    for name, calc in routes.items():
        atoms.calc = calc
        atoms.get_forces()
        t = time.perf_counter()
        for x in frames:
            atoms.positions = x
            f = atoms.get_forces()
        out[name] = (time.perf_counter() - t) / n_calls
        out[f"f_{name}"] = f
    # the reference: one persistent LAMMPS instance driven directly (set up by the same
    # commands; after the first `run 0`, `run 1 pre no post no` per call)
    raw = LammpsLJ(model, x0)
    lmp, n = raw.lmp, model.n_atoms
    lmp.command("run 0 post no")
    t = time.perf_counter()
    for x in frames:
        lmp.numpy.extract_atom("x")[:n] = x
        lmp.command("run 1 pre no post no")
        e = lmp.get_thermo("pe")
        f = np.array(lmp.numpy.extract_atom("f")[:n])
    out["ref"] = (time.perf_counter() - t) / n_calls
    out["f_ref"] = f
    del e
    out["force_diff"] = float(np.max(np.abs(out["f_ours"] - out["f_matscipy"])))
    out["ref_diff"] = float(np.max(np.abs(out["f_ours"] - out["f_ref"])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-atoms", type=int, default=1000)
    ap.add_argument("--quenches", type=int, default=60)
    ap.add_argument("--calls", type=int, default=300)
    a = ap.parse_args()
    model = BinaryLJ(a.n_atoms)
    fc = force_calls(model, a.calls)
    print(f"force call, N = {a.n_atoms}: ours {fc['ours'] * 1e3:.3f} ms, raw persistent "
          f"LAMMPS {fc['ref'] * 1e3:.3f} ms, run 0 per call {fc['run0'] * 1e3:.3f} ms, "
          f"matscipy {fc['matscipy'] * 1e3:.3f} ms; max |ΔF| vs matscipy "
          f"{fc['force_diff']:.2g}, vs raw {fc['ref_diff']:.2g}")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        prepare(out, model, ARGON, PrepareProtocol(temperatures=(1.0, 0.5), n_melt=2000,
                                                   n_equil=4000, n_samples=1))
        t_cpu = os.times()
        run = search(out, SearchProtocol(t_md=0.4, n_quench=a.quenches,
                                          routes=("is-transition",)))
        t_cpu2 = os.times()
        with Catalog(run["catalog"], readonly=True) as cat:
            tasks = cat.table("tasks")
            n_neb = sum(json.loads(st or "{}").get("candidates", 0) for st in tasks["stats"])
            n_tls = int((cat.dwps()["E_qs_K"] < 1.0).sum())
            n_calls = int(tasks["force_calls"].sum())
    cpu_h = ((t_cpu2.user - t_cpu.user) + (t_cpu2.system - t_cpu.system)) / 3600
    rate = run["new_dwps"] / cpu_h if cpu_h > 0 else float("nan")
    tls_rate = n_tls / cpu_h if cpu_h > 0 else float("nan")
    print(f"search: {run['new_dwps']} distinct verified double wells ({n_tls} TLS, E_qs < 1 K) "
          f"from {n_neb} NEB verifications, {n_calls} force calls, "
          f"{cpu_h * 3600:.0f} CPU s")
    print(f"RESULT landscape speedup={fc['ref'] / fc['ours']:.3f} reference=raw_persistent_lammps "
          f"ms_per_force_call={fc['ours'] * 1e3:.3f} vs_run0={fc['run0'] / fc['ours']:.2f} "
          f"vs_matscipy={fc['matscipy'] / fc['ours']:.2f} force_diff={fc['force_diff']:.2g} "
          f"dwp_per_core_hour={rate:.3g} tls_per_core_hour={tls_rate:.3g}")


if __name__ == "__main__":
    main()
