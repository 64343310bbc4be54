"""The 2D soft-disk mixture of the paper's Fig. 1 (dynamical heterogeneities), on LAMMPS.

Binary disks with a purely repulsive inverse-twelfth-power potential (Hurley & Harrowell
1995, the source of Fig. 1; Widmer-Cooper & Harrowell 2004)::

    φ_αβ(r) = ε (σ_αβ / r)¹² - φ_αβ(r_c),   r < r_c = cutoff_factor · σ_αβ,

50:50 small (S) and large (L) disks, σ_SS = 1, σ_LL = 1.4, σ_SL = 1.2 (additive),
m_L = 2 m_S, number density ρ = N σ_SS² / A = 0.7, r_c = 2.5 σ_αβ; reduced units (ε, σ_SS,
m_S). For an inverse-power potential the state depends on ρ and T only through
Γ = ρ T^(-1/6) (2D), so cooling at fixed density is compressing at fixed temperature.

LAMMPS runs the model in ``dimension 2`` with ``fix enforce2d``. The pure r⁻¹² term is built
from two native pair styles overlaid, ``lj/cut`` (ε/4, σ_αβ) plus ``buck`` with A = 0 and
C = -σ_αβ⁶, whose r⁻⁶ terms cancel exactly: 4(ε/4)[(σ/r)¹² - (σ/r)⁶] + σ⁶/r⁶ = ε(σ/r)¹²
(2.5x faster than the expression-based ``pair_style lepton``). Both are shifted at r_c.
:func:`allpairs_energy_forces_2d` is the independent numpy check (agreement ~1e-15).

The default cutoff is 2.5 σ_αβ, where φ = 1.7e-5 ε and the force 8e-5 ε/σ (Hurley and
Harrowell cut further out; the difference is far below k_B T at the temperatures studied).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import InputError
from .engine import LammpsInstance

__all__ = ["SoftDisks", "LammpsSoftDisks", "allpairs_energy_forces_2d"]


@dataclass
class SoftDisks:
    """Binary soft disks in a square periodic box (reduced units, see module docstring).

    Parameters
    ----------
    n_atoms : number of disks N (780 in Fig. 1)
    density : number density N σ_SS²/A, > 0
    fraction_large : number fraction of large disks
    sigma_ratio : σ_LL / σ_SS (> 1); σ_SL is the arithmetic mean
    mass_ratio : m_L / m_S
    cutoff_factor : r_c = cutoff_factor · σ_αβ
    """

    n_atoms: int = 780
    density: float = 0.7
    fraction_large: float = 0.5
    sigma_ratio: float = 1.4
    mass_ratio: float = 2.0
    cutoff_factor: float = 2.5
    dimension: int = 2

    def __post_init__(self) -> None:
        if isinstance(self.n_atoms, bool) or int(self.n_atoms) != self.n_atoms or self.n_atoms < 2:
            raise InputError(f"n_atoms must be an integer >= 2, got {self.n_atoms!r}")
        self.n_atoms = int(self.n_atoms)
        if not (np.isfinite(self.density) and self.density > 0):
            raise InputError(f"density must be finite and > 0 (σ⁻²), got {self.density!r}")
        if not 0 <= self.fraction_large <= 1:
            raise InputError(f"fraction_large must be in [0, 1], got {self.fraction_large!r}")
        if not (np.isfinite(self.sigma_ratio) and self.sigma_ratio >= 1):
            raise InputError(f"sigma_ratio must be >= 1, got {self.sigma_ratio!r}")
        if not (np.isfinite(self.mass_ratio) and self.mass_ratio > 0):
            raise InputError(f"mass_ratio must be > 0, got {self.mass_ratio!r}")
        if not (np.isfinite(self.cutoff_factor) and self.cutoff_factor > 1):
            raise InputError(f"cutoff_factor must be > 1, got {self.cutoff_factor!r}")
        if self.dimension != 2:
            raise InputError("SoftDisks is two-dimensional (dimension = 2)")
        rc = self.cutoff_factor * self.sigma_ratio
        if self.box_length <= 2 * rc:
            n_min = int(np.floor((2 * rc) ** 2 * self.density)) + 1
            raise InputError(f"n_atoms = {self.n_atoms} is too small for the cutoff: box "
                             f"length {self.box_length:.3f} σ must exceed twice the largest "
                             f"cutoff ({2 * rc:.3f} σ); use n_atoms >= {n_min}")

    @property
    def box_length(self) -> float:
        return float(np.sqrt(self.n_atoms / self.density))

    @property
    def n_large(self) -> int:
        return int(round(self.fraction_large * self.n_atoms))

    @property
    def types(self) -> np.ndarray:
        """0 = small, 1 = large (large disks last)."""
        t = np.zeros(self.n_atoms, dtype=int)
        t[self.n_atoms - self.n_large:] = 1
        return t

    def sigma_matrix(self) -> np.ndarray:
        s = self.sigma_ratio
        return np.array([[1.0, 0.5 * (1 + s)], [0.5 * (1 + s), s]])

    @property
    def masses(self) -> np.ndarray:
        return np.where(self.types == 1, self.mass_ratio, 1.0)

    def lattice_positions(self, seed: int = 0) -> np.ndarray:
        """Disks on a square lattice filling the box, species shuffled; shape (N, 2)."""
        m = int(np.ceil(np.sqrt(self.n_atoms)))
        a = self.box_length / m
        g = (np.stack(np.meshgrid(np.arange(m), np.arange(m), indexing="ij"), -1)
             .reshape(-1, 2)[: self.n_atoms] + 0.5) * a
        return g[np.random.default_rng(seed).permutation(self.n_atoms)]

    def to_dict(self) -> dict:
        return asdict(self)


def allpairs_energy_forces_2d(model: SoftDisks, x: np.ndarray) -> tuple[float, np.ndarray]:
    """Potential energy [ε] and forces [ε/σ] by a plain all-pairs sum (independent check)."""
    x = np.asarray(x, dtype=float)
    L = model.box_length
    d = x[:, None, :] - x[None, :, :]
    d -= L * np.round(d / L)
    r = np.sqrt((d**2).sum(-1))
    t = model.types
    sig = model.sigma_matrix()[t[:, None], t[None, :]]
    rc = model.cutoff_factor * sig
    np.fill_diagonal(r, np.inf)
    inside = r < rc
    u = np.where(inside, (sig / r) ** 12 - (1 / model.cutoff_factor) ** 12, 0.0)
    dudr = np.where(inside, -12 * (sig / r) ** 12 / r, 0.0)
    f = -(dudr / r)[:, :, None] * d
    return 0.5 * float(u.sum()), f.sum(axis=1)


class LammpsSoftDisks(LammpsInstance):
    """The soft-disk mixture in a serial 2D LAMMPS instance (the state, force and dynamics
    methods of :class:`~coldglass.landscape.engine.LammpsInstance`; positions are (N, 2))."""

    dim = 2

    def __init__(self, model: SoftDisks, positions: np.ndarray | None = None, *,
                 timestep: float = 0.005, skin: float = 0.3, seed: int = 0) -> None:
        self._start(model, timestep)
        lmp = self.lmp
        L = model.box_length
        lmp.commands_list([
            "units lj", "dimension 2", "atom_style atomic", "boundary p p p",
            "atom_modify map array sort 0 0.0",
            f"region box block 0 {L!r} 0 {L!r} -0.5 0.5", "create_box 2 box"])
        x0 = model.lattice_positions(seed) if positions is None else np.asarray(positions)
        self._check_shape(x0)
        n = model.n_atoms
        x3 = np.zeros((n, 3))
        x3[:, :2] = np.mod(x0, L)
        lmp.create_atoms(n, list(range(1, n + 1)), (model.types + 1).tolist(),
                         x3.ravel().tolist())
        sig = model.sigma_matrix()
        rc_max = float(model.cutoff_factor * sig.max())
        cmds = ["mass 1 1.0", f"mass 2 {model.mass_ratio!r}",
                f"pair_style hybrid/overlay lj/cut {rc_max!r} buck {rc_max!r}"]
        for i in range(2):
            for j in range(i, 2):
                s, rc = float(sig[i, j]), float(model.cutoff_factor * sig[i, j])
                cmds += [f"pair_coeff {i + 1} {j + 1} lj/cut 0.25 {s!r} {rc!r}",
                         f"pair_coeff {i + 1} {j + 1} buck 0.0 1.0 {-s**6!r} {rc!r}"]
        cmds += ["pair_modify shift yes", f"neighbor {skin!r} bin",
                 "neigh_modify every 1 delay 0 check yes", "fix cg2d all enforce2d",
                 "thermo_modify norm no", f"timestep {timestep!r}", "thermo 0"]
        lmp.commands_list(cmds)
