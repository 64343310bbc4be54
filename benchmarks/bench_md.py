"""Benchmark: molecular-dynamics throughput of coldglass's LAMMPS driver against plain LAMMPS.

Ours: ``LammpsLJ`` (model set-up, ``run_nvt``) on a Kob-Andersen glass, N = 1000, ρ = 1.2.
Reference: the same system and the same Nosé-Hoover run typed as plain LAMMPS commands into a
bare ``lammps.lammps`` instance, without our driver, in the same process and run. Both are
timed over the same number of steps after a warm-up; ``speedup`` is ours/reference in
throughput (target >= 0.9: the driver must not slow LAMMPS down). ``energy_diff`` checks that
both ran the same physics (same start, same seed).

Usage: python benchmarks/bench_md.py [--n-atoms N] [--steps S]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from coldglass.landscape.engine import LammpsLJ, load_lammps
from coldglass.landscape.model import BinaryLJ


def plain_lammps(model: BinaryLJ, x: np.ndarray):
    lmp = load_lammps().lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    L = model.box_length
    lmp.commands_list(["units lj", "atom_style atomic", "boundary p p p",
                       "atom_modify map array sort 0 0.0",
                       f"region box block 0 {L!r} 0 {L!r} 0 {L!r}", "create_box 2 box"])
    n = model.n_atoms
    lmp.create_atoms(n, list(range(1, n + 1)), (model.types + 1).tolist(),
                     np.mod(x, L).ravel().tolist())
    lmp.commands_list(["mass 1 1.0", "mass 2 1.0", "pair_style lj/cut 2.5",
                       "pair_coeff 1 1 1.0 1.0 2.5", "pair_coeff 1 2 1.5 0.8 2.0",
                       "pair_coeff 2 2 0.5 0.88 2.2", "pair_modify shift yes",
                       "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes",
                       "thermo_modify norm no", "timestep 0.005", "thermo 0"])
    return lmp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-atoms", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=4000)
    a = ap.parse_args()
    model = BinaryLJ(a.n_atoms)
    prep = LammpsLJ(model, model.random_positions(3))
    prep.minimize(fmax=1e-2)
    x0 = prep.positions()
    prep.close()

    ours = LammpsLJ(model, x0)
    ref = plain_lammps(model, x0)
    for eng in ("ours", "ref"):  # warm-up: neighbour lists, allocation
        if eng == "ours":
            ours.velocity_create(0.8, 42)
            ours.run_nvt(200, 0.8)
        else:
            ref.command("velocity all create 0.8 43 mom yes rot no dist gaussian")
            ref.commands_list(["fix t all nvt temp 0.8 0.8 0.5", "run 200 post no", "unfix t"])
    best = {"ours": np.inf, "ref": np.inf}
    for _ in range(3):
        t = time.perf_counter()
        ours.run_nvt(a.steps, 0.8)
        best["ours"] = min(best["ours"], time.perf_counter() - t)
        t = time.perf_counter()
        ref.commands_list(["fix t all nvt temp 0.8 0.8 0.5", f"run {a.steps} post no",
                           "unfix t"])
        best["ref"] = min(best["ref"], time.perf_counter() - t)
    e_ours = ours.thermo("pe") / a.n_atoms
    e_ref = float(ref.get_thermo("pe")) / a.n_atoms
    tp_ours = a.steps * a.n_atoms / best["ours"]
    tp_ref = a.steps * a.n_atoms / best["ref"]
    print(f"N = {a.n_atoms}, {a.steps} NVT steps, best of 3")
    print(f"plain LAMMPS : {best['ref']:.3f} s  ({tp_ref:.3g} atom-steps/s), pe/N = {e_ref:.4f}")
    print(f"coldglass    : {best['ours']:.3f} s  ({tp_ours:.3g} atom-steps/s), pe/N = {e_ours:.4f}")
    print(f"RESULT md speedup={tp_ours / tp_ref:.3f} atom_steps_per_s={tp_ours:.3g} "
          f"energy_diff={abs(e_ours - e_ref):.2g}")


if __name__ == "__main__":
    main()
