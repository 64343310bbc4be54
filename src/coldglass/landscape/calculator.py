"""The bridge to ASE and matscipy: an ASE calculator backed by LAMMPS, the analytic sparse
Hessian (matscipy's pair-potential calculator with the same shifted Lennard-Jones pairs) and
its lowest normal modes (``scipy.sparse.linalg.eigsh``).

Particles of species k carry atomic number k + 1 in the ASE ``Atoms`` (a label only: all
quantities stay in reduced units σ, ε, m).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from scipy.sparse.linalg import eigsh

from ..errors import InputError
from .engine import LammpsLJ
from .model import BinaryLJ

__all__ = ["to_atoms", "LammpsCalculator", "hessian", "lowest_modes", "translation_basis"]


def to_atoms(model: BinaryLJ, x: np.ndarray) -> Atoms:
    """ASE ``Atoms`` of the model glass at positions ``x`` [σ] (periodic cubic cell)."""
    L = model.box_length
    atoms = Atoms(numbers=model.types + 1, positions=np.asarray(x, float), cell=[L, L, L],
                  pbc=True)
    atoms.set_masses(model.particle_masses)
    return atoms


class LammpsCalculator(Calculator):
    """ASE calculator returning LAMMPS energies [ε] and forces [ε/σ] of the model glass.

    One LAMMPS instance may be shared by several ``Atoms`` (NEB images): every call sends the
    positions of the asking ``Atoms``. ``engine.n_force_calls`` counts the calls.
    """

    implemented_properties = ["energy", "free_energy", "forces"]

    def __init__(self, engine: LammpsLJ, **kwargs) -> None:
        super().__init__(**kwargs)
        self.engine = engine

    def check_state(self, atoms, tol=1e-15):
        """What changed since the last calculation: exact comparison of the positions (the
        images of a glass never change their cell, periodicity or species). ASE's generic
        test compares every array with ``np.allclose`` on every property request, which cost
        15 % of a double-well verification at N = 1000; for positions a difference below
        ASE's ``tol`` of 1e-15 σ can only mean a recomputation, never a stale result."""
        old = self.atoms
        if old is None or len(old) != len(atoms):
            return list(all_changes)
        if not np.array_equal(atoms.positions, old.positions):
            return ["positions"]
        if not (np.array_equal(atoms.numbers, old.numbers)
                and np.array_equal(atoms.cell.array, old.cell.array)
                and np.array_equal(atoms.pbc, old.pbc)):
            return list(all_changes)
        return []

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        e, f = self.engine.energy_forces(self.atoms.positions)
        self.results = {"energy": e, "free_energy": e, "forces": f}


def _matscipy_calc(model: BinaryLJ):
    from matscipy.calculators.pair_potential import (
        LennardJonesCut,
        LennardJonesLinear,
        PairPotential,
    )

    form = LennardJonesCut if model.truncation == "shift" else LennardJonesLinear
    pots = {}
    for a, b in model.pairs:
        i, j = model.species.index(a) + 1, model.species.index(b) + 1
        pots[(i, j)] = form(model.epsilon[(a, b)], model.sigma[(a, b)],
                                       model.cutoff((a, b)))
    return PairPotential(pots)


def hessian(model: BinaryLJ, x: np.ndarray, *, mass_weighted: bool = False) -> sp.csr_matrix:
    """Analytic Hessian ∂²U/∂x_i∂x_j [ε/σ²] as a sparse (3N, 3N) matrix (matscipy).

    ``mass_weighted=True`` returns the dynamical matrix ``H_ij / sqrt(m_i m_j)``.
    """
    atoms = to_atoms(model, x)
    H = _matscipy_calc(model).get_hessian(atoms, "sparse").tocsr()
    if mass_weighted:
        w = 1.0 / np.sqrt(np.repeat(model.particle_masses, 3))
        H = sp.diags(w) @ H @ sp.diags(w)
    return sp.csr_matrix(H)


def translation_basis(model: BinaryLJ, mass_weighted: bool = False) -> np.ndarray:
    """Orthonormal basis (3N, 3) of the three uniform translations (zero modes)."""
    n = model.n_atoms
    w = np.sqrt(model.particle_masses) if mass_weighted else np.ones(n)
    T = np.zeros((3 * n, 3))
    for k in range(3):
        T[k::3, k] = w
    return T / np.linalg.norm(T, axis=0)


def lowest_modes(model: BinaryLJ, x: np.ndarray, k: int = 6, *, mass_weighted: bool = True,
                 H: sp.spmatrix | None = None, keep_translations: bool = False,
                 tol: float = 1e-8, v0: np.ndarray | None = None,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` lowest eigenvalues and eigenvectors (3N, k) of the (mass-weighted) Hessian.

    The three uniform translations are lifted out of the way (projected to a large positive
    value) unless ``keep_translations``; eigenvalues in ε/(σ² m), sorted ascending.
    ``tol``: ARPACK's relative accuracy; ``v0``: a start vector (e.g. the previous mode).
    Without ``v0`` a fixed pseudo-random start vector is used, not ARPACK's own (whose
    generator state persists in the process), so that a result does not depend on what the
    process computed before -- campaign tasks are reproducible on any worker.
    """
    n3 = 3 * model.n_atoms
    if not 1 <= k < n3 - 3:
        raise InputError(f"k must be in [1, {n3 - 4}], got {k}")
    if H is None:
        H = hessian(model, x, mass_weighted=mass_weighted)
    T = translation_basis(model, mass_weighted)
    shift = 0.0 if keep_translations else 10.0 * float(abs(H).sum(axis=1).max())

    def mv(v):
        v = np.asarray(v).reshape(n3, -1)
        return (H @ v + shift * (T @ (T.T @ v))).reshape(np.shape(v))

    # largest eigenvalues of (c I - H) are the lowest of H; Gershgorin bound for c
    c = float(abs(H).sum(axis=1).max()) + shift
    op = sp.linalg.LinearOperator((n3, n3), matvec=lambda v: c * v - mv(v).ravel(),
                                  dtype=float)
    if v0 is None:
        v0 = np.random.default_rng(12345).standard_normal(n3)
    vals, vecs = eigsh(op, k=k, which="LA", tol=tol, ncv=max(2 * k + 1, 40), v0=v0)
    vals = c - vals
    order = np.argsort(vals)
    return vals[order], vecs[:, order]
