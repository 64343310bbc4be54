"""The model glass: a binary Lennard-Jones mixture (Kob-Andersen 80:20 by default), paper Sec. 8.

Pair potential, cut at ``r_c = cutoff_factor · σ_αβ`` and shifted to zero there:

    φ_αβ(r) = 4 ε_αβ [(σ_αβ/r)¹² - (σ_αβ/r)⁶] - φ_αβ(r_c),   r < r_c.

Kob & Andersen (1995): ε_AA = 1, σ_AA = 1, ε_AB = 1.5, σ_AB = 0.8, ε_BB = 0.5, σ_BB = 0.88,
r_c = 2.5 σ_αβ, number density ρ = 1.2, equal masses. All quantities in reduced units.

``truncation="force-shift"`` also shifts the force to zero at r_c,
``φ_sf(r) = φ(r) - φ(r_c) - (r - r_c) φ'(r_c)`` (LAMMPS ``lj/smooth/linear``): the plain shift
leaves a force jump φ'(r_c) ≈ -0.039 ε/σ (AA) at the cutoff, i.e. kinks in the landscape
where pairs cross r_c, on which saddle searches can stall.
:func:`allpairs_energy_forces` is the independent all-pairs numpy evaluation the engine and
the Hessian are checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np

from ..errors import InputError

__all__ = ["BinaryLJ", "allpairs_energy_forces", "minimum_image"]


def _ka_eps() -> dict[tuple[str, str], float]:
    return {("A", "A"): 1.0, ("A", "B"): 1.5, ("B", "B"): 0.5}


def _ka_sigma() -> dict[tuple[str, str], float]:
    return {("A", "A"): 1.0, ("A", "B"): 0.8, ("B", "B"): 0.88}


@dataclass
class BinaryLJ:
    """A Lennard-Jones mixture in a cubic periodic box (reduced units).

    Parameters
    ----------
    n_atoms : number of particles N
    density : number density ρ [σ⁻³], > 0
    composition : species -> number fraction (sums to 1); species are numbered in this order
        (LAMMPS types 1, 2, ...), particles of the first species first
    epsilon, sigma : pair parameters ε_αβ [ε], σ_αβ [σ] for every unordered species pair
    cutoff_factor : r_c = cutoff_factor · σ_αβ, potential shifted to zero at r_c
    masses : species -> mass [m]
    truncation : ``"shift"`` (energy shifted, the Kob-Andersen convention) or
        ``"force-shift"`` (energy and force shifted)
    """

    n_atoms: int = 256
    density: float = 1.2
    composition: dict[str, float] = field(default_factory=lambda: {"A": 0.8, "B": 0.2})
    epsilon: dict[tuple[str, str], float] = field(default_factory=_ka_eps)
    sigma: dict[tuple[str, str], float] = field(default_factory=_ka_sigma)
    cutoff_factor: float = 2.5
    masses: dict[str, float] = field(default_factory=lambda: {"A": 1.0, "B": 1.0})
    truncation: str = "shift"

    def __post_init__(self) -> None:
        if self.truncation not in ("shift", "force-shift"):
            raise InputError(f"truncation must be 'shift' or 'force-shift', got "
                             f"{self.truncation!r}")
        if isinstance(self.n_atoms, bool) or int(self.n_atoms) != self.n_atoms or self.n_atoms < 2:
            raise InputError(f"n_atoms must be an integer >= 2, got {self.n_atoms!r}")
        self.n_atoms = int(self.n_atoms)
        if not (np.isfinite(self.density) and self.density > 0):
            raise InputError(f"density must be finite and > 0 (σ⁻³), got {self.density!r}")
        if not self.composition:
            raise InputError("composition must name at least one species")
        frac = np.array(list(self.composition.values()), dtype=float)
        if np.any(~np.isfinite(frac)) or np.any(frac < 0) or abs(frac.sum() - 1) > 1e-9:
            raise InputError(f"composition fractions must be >= 0 and sum to 1, got "
                             f"{self.composition!r}")
        if not (np.isfinite(self.cutoff_factor) and self.cutoff_factor > 1.0):
            raise InputError(f"cutoff_factor must be > 1, got {self.cutoff_factor!r}")
        self.epsilon = self._pair_table("epsilon", self.epsilon)
        self.sigma = self._pair_table("sigma", self.sigma)
        for sp in self.masses:
            self._check_species(sp, "masses")
        for sp in self.species:
            if sp not in self.masses:
                raise InputError(f"masses has no entry for species {sp!r}")
            if not self.masses[sp] > 0:
                raise InputError(f"mass of {sp!r} must be > 0, got {self.masses[sp]!r}")
        half = 0.5 * self.box_length
        if self.max_cutoff >= half:
            n_min = int(np.ceil(self.density * (2 * self.max_cutoff) ** 3)) + 1
            raise InputError(
                f"n_atoms = {self.n_atoms} is too small for the cutoff: box length "
                f"{self.box_length:.3f} σ must exceed twice the largest cutoff "
                f"({2 * self.max_cutoff:.3f} σ); use n_atoms >= {n_min} at density "
                f"{self.density}")

    # ---------------------------------------------------------------- species and pairs
    @property
    def species(self) -> list[str]:
        return list(self.composition)

    def _check_species(self, sp: str, where: str) -> None:
        if sp not in self.composition:
            raise InputError(f"unknown species {sp!r} in {where}; species are {self.species}")

    def _pair_table(self, name, table) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = {}
        for key, val in dict(table).items():
            a, b = key.split("-") if isinstance(key, str) else key
            self._check_species(a, name)
            self._check_species(b, name)
            if not (np.isfinite(val) and val > 0):
                raise InputError(f"{name}[{a}-{b}] must be finite and > 0, got {val!r}")
            out[tuple(sorted((a, b), key=self.species.index))] = float(val)
        for pair in self.pairs:
            if pair not in out:
                raise InputError(f"{name} has no entry for species pair {pair[0]}-{pair[1]}")
        return out

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(combinations_with_replacement(self.species, 2))

    def pair_matrix(self, name: str) -> np.ndarray:
        """``epsilon`` or ``sigma`` as a symmetric (species x species) array, indexed by
        :attr:`types`."""
        table = {"epsilon": self.epsilon, "sigma": self.sigma}[name]
        ns = len(self.species)
        m = np.zeros((ns, ns))
        for a, b in self.pairs:
            i, j = self.species.index(a), self.species.index(b)
            m[i, j] = m[j, i] = table[(a, b)]
        return m

    def cutoff(self, pair: tuple[str, str]) -> float:
        return self.cutoff_factor * self.sigma[pair]

    @property
    def max_cutoff(self) -> float:
        return max(self.cutoff(p) for p in self.pairs)

    # ---------------------------------------------------------------- particles and box
    @property
    def counts(self) -> list[int]:
        """Particles per species (largest-remainder rounding of N × fraction)."""
        raw = np.array(list(self.composition.values())) * self.n_atoms
        n = np.floor(raw).astype(int)
        for i in np.argsort(-(raw - n))[: self.n_atoms - n.sum()]:
            n[i] += 1
        return n.tolist()

    @property
    def types(self) -> np.ndarray:
        """Species index (0-based) of every particle, first species first."""
        return np.repeat(np.arange(len(self.species)), self.counts)

    @property
    def particle_masses(self) -> np.ndarray:
        return np.array([self.masses[s] for s in self.species])[self.types]

    @property
    def box_length(self) -> float:
        return float((self.n_atoms / self.density) ** (1.0 / 3.0))

    @property
    def volume(self) -> float:
        return self.n_atoms / self.density

    def random_positions(self, seed: int | None = None) -> np.ndarray:
        """Uniform random positions in the box, shape (N, 3) [σ] (start of a melt)."""
        rng = np.random.default_rng(seed)
        return rng.uniform(0.0, self.box_length, size=(self.n_atoms, 3))

    def lattice_positions(self) -> np.ndarray:
        """Simple-cubic lattice filling the box, shape (N, 3) [σ] (no overlaps at ρ = 1.2)."""
        m = int(np.ceil(self.n_atoms ** (1 / 3)))
        g = (np.arange(m) + 0.5) * self.box_length / m
        grid = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3)
        return grid[: self.n_atoms].copy()

    # ---------------------------------------------------------------- provenance
    def to_dict(self) -> dict:
        return {"n_atoms": self.n_atoms, "density": self.density,
                "composition": dict(self.composition),
                "epsilon": {f"{a}-{b}": v for (a, b), v in self.epsilon.items()},
                "sigma": {f"{a}-{b}": v for (a, b), v in self.sigma.items()},
                "cutoff_factor": self.cutoff_factor, "masses": dict(self.masses),
                "truncation": self.truncation}

    @classmethod
    def from_dict(cls, d: dict) -> BinaryLJ:
        return cls(**d)


def minimum_image(dr: np.ndarray, box_length: float) -> np.ndarray:
    """Minimum-image convention for separation vectors in a cubic box."""
    return dr - box_length * np.round(dr / box_length)


def allpairs_energy_forces(model: BinaryLJ, positions: np.ndarray) -> tuple[float, np.ndarray]:
    """Potential energy [ε] and forces [ε/σ] by a plain all-pairs sum (independent reference).

    O(N²) memory and time: for checks on up to a few thousand particles.
    """
    x = np.asarray(positions, dtype=float)
    if x.shape != (model.n_atoms, 3):
        raise InputError(f"positions must have shape ({model.n_atoms}, 3), got {x.shape}")
    eps, sig = model.pair_matrix("epsilon"), model.pair_matrix("sigma")
    t = model.types
    iu, ju = np.triu_indices(model.n_atoms, k=1)
    dr = minimum_image(x[iu] - x[ju], model.box_length)
    r2 = np.einsum("ij,ij->i", dr, dr)
    e_p, s_p = eps[t[iu], t[ju]], sig[t[iu], t[ju]]
    rc2 = (model.cutoff_factor * s_p) ** 2
    inside = r2 < rc2
    sr6 = (s_p**2 / r2) ** 3
    src6 = (s_p**2 / rc2) ** 3
    phi = 4 * e_p * (sr6 * sr6 - sr6) - 4 * e_p * (src6 * src6 - src6)
    # -dφ/dr / r
    fr = 24 * e_p * (2 * sr6 * sr6 - sr6) / r2
    if model.truncation == "force-shift":
        rc = np.sqrt(rc2)
        f_c = 24 * e_p * (2 * src6 * src6 - src6) / rc  # -φ'(r_c)
        r = np.sqrt(r2)
        phi = phi + (r - rc) * f_c
        fr = fr - f_c / r
    phi = np.where(inside, phi, 0.0)
    fr = np.where(inside, fr, 0.0)
    fvec = fr[:, None] * dr
    forces = np.zeros_like(x)
    np.add.at(forces, iu, fvec)
    np.add.at(forces, ju, -fvec)
    return float(phi.sum()), forces
