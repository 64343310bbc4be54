"""Stationary points of the potential energy landscape: minima, index-1 saddles and paths.

* :func:`quench` – inherent structure by LAMMPS conjugate gradient (max force < 1e-8 ε/σ).
* :func:`refine_stationary` – Newton steps on the analytic sparse Hessian (translations
  projected out) that polish a minimum or a saddle to machine-level forces.
* :func:`hessian_index` – number of negative Hessian eigenvalues (the saddle order).
* :func:`follow_mode` – eigenvector following (P-RFO with the analytic Hessian) uphill along
  a soft normal mode of a minimum to an index-1 saddle;
* :func:`dimer_saddle` – the dimer method (``ase.mep.dimer``), which needs only forces;
  used to polish a climbing image and to cross-check saddles.
* :func:`connect_saddle` – relax down both sides of a saddle along its negative mode.
* :func:`neb_path` – climbing-image nudged elastic band (``ase.mep.NEB``) between two minima,
  split recursively at intermediate minima into elementary double wells.

Distances between configurations use the minimum-image convention and remove the uniform
translation (the centre-of-mass drift is a zero mode).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.linalg import LinearOperator, minres

from ..errors import InputError
from .calculator import LammpsCalculator, hessian, lowest_modes, to_atoms, translation_basis
from .engine import LammpsLJ
from .identity import same_minimum
from .model import BinaryLJ, minimum_image

__all__ = ["StationaryPoint", "Path", "quench", "QUENCH_FALLBACK_ITER", "NEWTON_FMAX",
           "LOOSE_FMAX", "in_basin", "quench_towards",
           "displacement", "same_structure", "find_minimum",
           "refine_stationary", "hessian_index", "classify", "dimer_saddle", "follow_mode",
           "connect_saddle", "neb_path", "elementary_paths"]


@dataclass
class StationaryPoint:
    """A minimum (index 0) or saddle (index 1) of the landscape, reduced units."""

    x: np.ndarray
    energy: float
    fmax: float
    index: int | None = None
    lowest_eigs: np.ndarray | None = None
    lowest_mode: np.ndarray | None = None  # mass-weighted eigenvector of lowest_eigs[0]


@dataclass
class Path:
    """A minimum-energy path: images (M, N, 3) [σ], energies (M,) [ε], forces (M, N, 3)."""

    x: np.ndarray
    energies: np.ndarray
    forces: np.ndarray
    n_force_calls: int = 0
    meta: dict = field(default_factory=dict)


def displacement(model: BinaryLJ, xa: np.ndarray, xb: np.ndarray) -> np.ndarray:
    """Particle displacements b - a (N, 3) [σ]: minimum image, uniform translation removed
    (mass-weighted centre of mass)."""
    d = minimum_image(np.asarray(xb) - np.asarray(xa), model.box_length)
    m = model.particle_masses
    return d - (m[:, None] * d).sum(0) / m.sum()


def same_structure(model: BinaryLJ, xa, xb, ea: float, eb: float, *, e_tol: float = 1e-3,
                   x_tol: float = 1e-2) -> bool:
    """The package's one "same minimum" predicate (:func:`coldglass.landscape.identity.
    same_minimum`: energies within ``e_tol`` ε, permutation- and translation-aware distance
    below ``x_tol`` σ); kept under this name for the searches."""
    return same_minimum(model, xa, xb, ea, eb, e_tol=e_tol, x_tol=x_tol)


def find_minimum(model: BinaryLJ, minima: list[StationaryPoint], p: StationaryPoint, *,
                 e_tol: float = 1e-3) -> int | None:
    """Index in ``minima`` of the first that is the same minimum as ``p``
    (:func:`same_structure`; energies compared first, within ``e_tol`` ε), or None."""
    for k, m in enumerate(minima):
        if abs(m.energy - p.energy) <= e_tol and same_structure(model, m.x, p.x, m.energy,
                                                                p.energy, e_tol=e_tol):
            return k
    return None


#: FIRE/CG iterations a quench spends after a CG stall before it polishes by Newton
QUENCH_FALLBACK_ITER = 3000
#: the largest atomic force [ε/σ] from which a stalled quench is finished by Newton: well
#: inside the quadratic basin (from larger forces Newton can reach a neighbouring minimum)
NEWTON_FMAX = 1e-4
#: the largest single-particle move [σ] a Newton finish may make: inside the quadratic basin
#: of the minimum LAMMPS was approaching it moves far less; a longer move means another
#: stationary point
NEWTON_MAX_MOVE = 0.05


def quench(engine: LammpsLJ, x: np.ndarray, fmax: float = 1e-8, *,
           gentle: bool = False, max_iter: int = 200000,
           fallback_iter: int | None = None) -> StationaryPoint:
    """Inherent structure reached from ``x`` (LAMMPS CG; ``gentle``: FIRE first, to stay on
    the steepest-descent path).

    A stalled CG gets at most ``fallback_iter`` (default :data:`QUENCH_FALLBACK_ITER`, read
    at call time) FIRE and CG steps
    (:meth:`~coldglass.landscape.engine.LammpsLJ.minimize`). If that leaves every atomic
    force below :data:`NEWTON_FMAX`, Newton (:func:`refine_stationary`) finishes, accepted if
    it reaches ``fmax`` without raising the energy and without moving any particle by
    :data:`NEWTON_MAX_MOVE` (the same minimum, quadratically).
    Otherwise the unbounded fallback runs on from where LAMMPS stopped, and Newton polishes
    what it leaves.
    """
    engine.set_positions(x)
    fb = QUENCH_FALLBACK_ITER if fallback_iter is None else fallback_iter
    r = engine.minimize(fmax=fmax, gentle=gentle, max_iter=max_iter, fallback_iter=fb)
    xm = engine.positions()
    if not r["converged"] and r["fmax"] < NEWTON_FMAX:
        sp = refine_stationary(engine, xm)
        moved = float(np.max(np.linalg.norm(minimum_image(sp.x - xm, engine.model.box_length),
                                            axis=1)))
        if (sp.fmax < fmax and sp.energy <= r["energy"] + 1e-12 * abs(r["energy"])
                and moved < NEWTON_MAX_MOVE):
            return StationaryPoint(x=sp.x, energy=sp.energy, fmax=sp.fmax, index=0)
    if not r["converged"]:
        engine.set_positions(xm)
        r = engine.minimize(fmax=fmax, max_iter=max_iter)
        xm = engine.positions()
    if not r["converged"]:
        xm = refine_stationary(engine, xm).x
        e, f = engine.energy_forces(xm)
        r = {"energy": e, "fmax": float(np.max(np.linalg.norm(f, axis=1)))}
    return StationaryPoint(x=xm, energy=r["energy"], fmax=r["fmax"], index=0)


#: the largest atomic force [ε/σ] down to which :func:`quench_towards` runs CG before it tests
#: whether the configuration is already in the harmonic basin of a minimum it expects
LOOSE_FMAX = 2e-4
#: relative residual |f + H·Δ| / |f| below which the forces at a configuration are those of
#: the harmonic basin of a minimum at displacement -Δ (:func:`in_basin`)
BASIN_RTOL = 0.1


def in_basin(engine: LammpsLJ, x: np.ndarray, energy: float, forces: np.ndarray,
             p: StationaryPoint) -> bool:
    """Whether ``x`` (energy [ε], forces [ε/σ] at x) lies in the harmonic basin of the
    minimum ``p``, so that a quench from x ends in p.

    With Δ = x − x_p (minimum image, uniform translation removed) the harmonic basin has
    forces f = −H·Δ (H the Hessian, here at x: in the harmonic region H(x) ≈ H(x_p)); x is
    in it when no particle is :data:`NEWTON_MAX_MOVE` σ or more from p, the energy is not
    below E_p, and |f + H·Δ| ≤ :data:`BASIN_RTOL` · |f| (2-norms; + 1e-9 ε/σ for a point at
    p itself). A configuration in the basin of another minimum m close to p fails: its
    forces point to m, while −H·Δ points to p. One sparse Hessian (~50 ms at N = 1000)
    instead of the quench's last, slow, CG iterations on the soft modes. On a potential
    with a force jump at the cutoff (``truncation="shift"``) the basins are not harmonic at
    these forces and the test admits (rightly) almost nothing: the quench then runs in full.
    """
    model = engine.model
    d = displacement(model, p.x, x)
    if (float(np.max(np.linalg.norm(d, axis=1))) >= NEWTON_MAX_MOVE
            or energy < p.energy - 1e-9 * max(1.0, abs(p.energy))):
        return False
    f = np.asarray(forces, dtype=float).ravel()
    r = f + hessian(model, x) @ d.ravel()
    return bool(np.linalg.norm(r) <= BASIN_RTOL * np.linalg.norm(f) + 1e-9)


def quench_towards(engine: LammpsLJ, x: np.ndarray, expected, fmax: float = 1e-8, *,
                   gentle: bool = False) -> StationaryPoint:
    """:func:`quench` from ``x`` where the minimum it reaches is likely one of ``expected``
    (the two ends of a NEB path relaxing off its saddle, the previous inherent structure of
    a trajectory): CG down to atomic forces below :data:`LOOSE_FMAX`; if that configuration
    is in the harmonic basin of one of ``expected`` (:func:`in_basin`), that minimum (the
    same object) is returned, else the quench runs on to ``fmax`` from there.

    The answer is the minimum the full quench finds (the basin test only admits a point
    from which CG goes on into that minimum); what is saved is the slow end of CG on the
    soft modes: from a saddle pushed off along its unstable mode, the last decades of force
    took about half of a quench's ~1.4 s at N = 1000. ``gentle``: FIRE first, on the
    steepest-descent path (:func:`quench`), then the same.
    """
    engine.set_positions(x)
    engine.minimize(fmax=LOOSE_FMAX, fallback_iter=QUENCH_FALLBACK_ITER, gentle=gentle)
    e, f = engine.energy_forces()
    xm = engine.positions()
    for p in expected:
        if in_basin(engine, xm, e, f, p):
            return p
    return quench(engine, xm, fmax)


def refine_stationary(engine: LammpsLJ, x: np.ndarray, *, fmax: float = 1e-10,
                      max_iter: int = 20, max_step: float = 0.05,
                      rtol: float | None = None) -> StationaryPoint:
    """Newton-Raphson on the gradient with the analytic Hessian (translations projected out).

    Converges quadratically to the stationary point (of any index) nearest to ``x``; used to
    polish dimer/NEB saddles and stalled minima. Steps longer than ``max_step`` σ per
    particle are scaled down. Each Newton system is solved by MINRES to the relative
    residual ``rtol``; the default is an inexact-Newton forcing term
    η = min(1e-6, max(1e-12, |g|)) (Eisenstat and Walker), which keeps the quadratic
    convergence and spends fewer iterations on the first, far steps (25-40 % less time on
    N = 1000 saddles; η up to 1e-2 left saddles unconverged after 20 steps).
    """
    model = engine.model
    n3 = 3 * model.n_atoms
    T = translation_basis(model)
    x = np.array(x, dtype=float)
    e, f = engine.energy_forces(x)
    for _ in range(max_iter):
        fm = float(np.max(np.linalg.norm(f, axis=1)))
        if fm < fmax:
            break
        H = hessian(model, x)
        g = -f.ravel()
        g = g - T @ (T.T @ g)
        # Newton step -H⁻¹g on the complement of the translations span(T) (lifted to a large
        # eigenvalue): MINRES handles the indefinite Hessian of a saddle without fill-in
        lift = 10.0 * float(abs(H).sum(axis=1).max())
        op = LinearOperator((n3, n3), dtype=float,
                            matvec=lambda y, H=H, lift=lift: H @ y + lift * (T @ (T.T @ y)))
        eta = rtol if rtol is not None else min(1e-6, max(1e-12, float(np.linalg.norm(g))))
        dx, _ = minres(op, -g, rtol=eta, maxiter=2000)
        dx = dx - T @ (T.T @ dx)
        step = np.max(np.linalg.norm(dx.reshape(-1, 3), axis=1))
        if step > max_step:
            dx *= max_step / step
        x = x + dx.reshape(-1, 3)
        e, f = engine.energy_forces(x)
    fm = float(np.max(np.linalg.norm(f, axis=1)))
    return StationaryPoint(x=x, energy=e, fmax=fm)


def hessian_index(model: BinaryLJ, x: np.ndarray, *, k: int = 4, tol: float = 1e-6,
                  ) -> tuple[int, np.ndarray]:
    """Number of negative eigenvalues of the (mass-weighted) Hessian below ``-tol`` and the
    ``k`` lowest eigenvalues (translations excluded) [ε/(σ² m)]."""
    vals, _ = lowest_modes(model, x, k)
    return int(np.sum(vals < -tol)), vals


def classify(model: BinaryLJ, sp_: StationaryPoint, *, k: int = 4, tol: float = 1e-6,
             ) -> StationaryPoint:
    """Set the Hessian index, lowest eigenvalues and lowest mode of a stationary point from
    one sparse eigen-solve (the mode is reused by :func:`connect_saddle`)."""
    vals, vecs = lowest_modes(model, sp_.x, k)
    sp_.index, sp_.lowest_eigs, sp_.lowest_mode = int(np.sum(vals < -tol)), vals, vecs[:, 0]
    return sp_


def dimer_saddle(engine: LammpsLJ, x_min: np.ndarray, mode: np.ndarray, *,
                 amplitude: float = 0.3, fmax: float = 5e-3, max_steps: int = 800,
                 ) -> StationaryPoint | None:
    """Index-1 saddle by the dimer method from a minimum displaced along ``mode``.

    ``mode`` (3N,) is a (soft) normal mode; the start is ``x_min + amplitude · mode/|mode|``
    [σ] and the dimer is oriented along it. The dimer climbs along its lowest-curvature
    direction (ASE ``MinModeTranslate``) until the max force is below ``fmax``; the result is
    polished by :func:`refine_stationary` and its Hessian index computed. Returns ``None``
    when no stationary point is reached.
    """
    from ase.mep.dimer import DimerControl, MinModeAtoms, MinModeTranslate

    model = engine.model
    v = np.asarray(mode, dtype=float).reshape(-1, 3)
    v = v / np.linalg.norm(v)
    atoms = to_atoms(model, np.asarray(x_min) + amplitude * v)
    atoms.calc = LammpsCalculator(engine)
    control = DimerControl(logfile=None, initial_eigenmode_method="displacement",
                           displacement_method="vector", dimer_separation=1e-3,
                           maximum_translation=0.05, f_rot_min=0.01, f_rot_max=0.5,
                           max_num_rot=2)
    d_atoms = MinModeAtoms(atoms, control, eigenmodes=[v.copy()])
    opt = MinModeTranslate(d_atoms, logfile=None, trajectory=None)
    try:
        converged = opt.run(fmax=fmax, steps=max_steps)
    except (RuntimeError, ValueError, FloatingPointError, np.linalg.LinAlgError):
        return None  # "Dimer calculation diverged"
    if not converged:
        return None
    sp_ = refine_stationary(engine, atoms.positions)
    if sp_.fmax > 1e-6:
        return None
    return classify(model, sp_)


def follow_mode(engine: LammpsLJ, x_min: np.ndarray, mode: np.ndarray, *,
                n_track: int = 8, trust: float = 0.03, fmax: float = 1e-9,
                max_steps: int = 100, max_climb: float = 5.0, kick: float = 0.02,
                trace: list | None = None) -> StationaryPoint | None:
    """Index-1 saddle by eigenvector following (Cerjan-Miller / Baker's P-RFO) up a mode.

    Each step uses the analytic sparse Hessian: among its ``n_track`` lowest modes the one
    with the largest overlap with the previously followed direction is maximized with the
    rational-function step ``Δ_v = 2 g_v / (-b + sqrt(b² + 4 g_v²))`` (b its eigenvalue,
    g_v the gradient along it), and the energy is minimized in the orthogonal complement by a
    Newton step ``-(P H P)⁻¹ P g`` (MINRES on the projected Hessian, translations lifted).
    The step is capped at ``trust`` σ for the largest particle. Converges quadratically
    once the followed mode has negative curvature; returns ``None`` if ``max_steps`` pass,
    the energy climbs more than ``max_climb`` ε above the minimum (the walk has left the
    low-lying landscape the paper is after) or the followed mode is lost.
    """
    model = engine.model
    n3 = 3 * model.n_atoms
    T = translation_basis(model)
    v_prev = np.asarray(mode, dtype=float).ravel()
    v_prev = v_prev - T @ (T.T @ v_prev)
    v_prev /= np.linalg.norm(v_prev)
    x = np.array(x_min, dtype=float)
    e_min = engine.energy_forces(x)[0]
    # leave the minimum along the mode (the gradient vanishes there): ``kick`` σ for the
    # particle that moves most (0 when starting near a saddle, e.g. from a climbing image)
    x = x + kick * (v_prev / np.max(np.abs(v_prev))).reshape(-1, 3)
    for _ in range(max_steps):
        e, f = engine.energy_forces(x)
        if e - e_min > max_climb:
            return None
        g = -f.ravel()
        H = hessian(model, x)
        vals, vecs = lowest_modes(model, x, n_track, mass_weighted=False, H=H, v0=v_prev)
        overlap = np.abs(vecs.T @ v_prev)
        j = int(np.argmax(overlap))
        if trace is not None:  # diagnostics: energy above the start, curvature, overlap
            trace.append((e - e_min, float(vals[j]), float(overlap[j])))
        if overlap[j] < 0.1:
            return None
        b, v = float(vals[j]), vecs[:, j] * np.sign(vecs[:, j] @ v_prev)
        fm = float(np.max(np.linalg.norm(f, axis=1)))
        if fm < fmax and b < 0:
            break
        gv = float(g @ v)
        # uphill along v: sign of gv (at the start gv ~ 0: keep moving along v)
        if abs(gv) < 1e-12:
            dv = trust
        else:
            dv = 2.0 * gv / (-b + np.sqrt(b * b + 4.0 * gv * gv))
        g_perp = g - v * gv
        g_perp = g_perp - T @ (T.T @ g_perp)
        lift = 10.0 * float(abs(H).sum(axis=1).max())
        # rational-function shift: keep the complement positive definite (>= 0.1) so that
        # the step there always descends, even in an index-2 region
        others = np.delete(vals, j)
        shift = max(0.0, 0.1 - float(others.min())) if len(others) else 0.0

        def mv(y, H=H, v=v, lift=lift, shift=shift):
            y = y - v * (v @ y)
            y = y - T @ (T.T @ y)
            out = H @ y + shift * y
            out = out - v * (v @ out)
            out = out - T @ (T.T @ out)
            return out + lift * (v * (v @ y) + T @ (T.T @ y))

        op = LinearOperator((n3, n3), matvec=mv, dtype=float)
        d_perp, _ = minres(op, -g_perp, rtol=1e-10, maxiter=500)
        step = dv * v + d_perp - v * (v @ d_perp)
        big = np.max(np.linalg.norm(step.reshape(-1, 3), axis=1))
        if big > trust:
            step *= trust / big
        x = x + step.reshape(-1, 3)
        v_prev = v
    else:
        return None
    sp_ = classify(model, StationaryPoint(x=x, energy=e, fmax=fm))
    return sp_ if sp_.index == 1 else None


def connect_saddle(engine: LammpsLJ, saddle: StationaryPoint, *, push: float = 0.02,
                   expected: tuple[StationaryPoint, StationaryPoint] | None = None,
                   counts: dict | None = None) -> tuple[StationaryPoint, StationaryPoint]:
    """The two minima connected to an index-1 saddle: quench from ``x_s ∓ push · v`` with v
    the negative-curvature mode, normalised so that the largest particle moves ``push`` σ.

    The careful route quenches gently (FIRE first, on the steepest-descent path; CG line
    searches can jump over a low barrier into a minimum further on). With ``expected`` (the
    two minima the saddle should connect, e.g. the ends of its NEB path) a plain CG quench
    is tried first and kept if it finds exactly those two; only where it does not is the
    careful route run. On both routes a side stops early once it is in the harmonic basin of
    one of ``expected`` (:func:`quench_towards`; the same minimum the full quench reaches),
    and the cheap route does not quench the second side when the first reached neither
    end. ``counts`` (optional dict) counts which route answered
    (``"connect: cheap"``, ``"connect: careful"``).
    """
    counts = {} if counts is None else counts
    model = engine.model
    mode = saddle.lowest_mode
    if mode is None:
        mode = lowest_modes(model, saddle.x, 1)[1][:, 0]
    v = mode.reshape(-1, 3) / np.sqrt(model.particle_masses)[:, None]
    v /= np.max(np.linalg.norm(v, axis=1))
    if expected is not None:
        # each side is tested against the two ends (:func:`quench_towards`); a side that
        # reaches neither sends the saddle to the careful route without quenching the other
        a = quench_towards(engine, saddle.x - push * v, expected)
        if any(a is p for p in expected):
            b = quench_towards(engine, saddle.x + push * v, [p for p in expected if p is not a])
            if any(b is p for p in expected):
                counts["connect: cheap"] = counts.get("connect: cheap", 0) + 1
                return a, b
    counts["connect: careful"] = counts.get("connect: careful", 0) + 1
    ends = () if expected is None else expected  # a side that reaches an end stops early
    a = quench_towards(engine, saddle.x - push * v, ends, gentle=True)
    b = quench_towards(engine, saddle.x + push * v, ends, gentle=True)
    return a, b


def neb_path(engine: LammpsLJ, xa: np.ndarray, xb: np.ndarray, *, n_images: int = 5,
             via: np.ndarray | None = None,
             fmax: float = 0.02, max_steps: int = 300, climb: bool = True,
             spring: float = 1.0, per_image_engines: bool = True) -> Path:
    """Climbing-image NEB (ASE, improved tangent) between two configurations.

    ``xb`` is first brought next to ``xa`` (minimum image, same translation); ``n_images``
    movable images are interpolated linearly, through ``via`` (a known saddle, then the
    middle image) if given. The band is relaxed until the max NEB force
    is below ``fmax`` ε/σ (ASE's adaptive ODE integrator of the NEB forces, which needed
    an order of magnitude fewer force calls than FIRE on the Kob-Andersen glass).
    Returns all images with their energies and true forces.

    ``per_image_engines`` (default) gives every movable image its own persistent LAMMPS
    engine (:meth:`LammpsLJ.image_engines`); ``False`` shares ``engine`` among the images.
    """
    from ase.mep import NEB
    from ase.mep.neb import NEBOptimizer

    model = engine.model
    if n_images < 1:
        raise InputError(f"n_images must be >= 1, got {n_images}")
    xa = np.asarray(xa, dtype=float)
    xb = xa + minimum_image(np.asarray(xb) - xa, model.box_length)
    calls0 = engine.n_force_calls
    if via is None:
        frames = [(1 - t) * xa + t * xb for t in np.linspace(0, 1, n_images + 2)]
    else:
        xv = xa + minimum_image(np.asarray(via) - xa, model.box_length)
        xb = xv + minimum_image(xb - xv, model.box_length)
        n1 = n_images // 2
        frames = ([(1 - t) * xa + t * xv for t in np.linspace(0, 1, n1 + 2)[:-1]]
                  + [(1 - t) * xv + t * xb for t in np.linspace(0, 1, n_images - n1 + 1)])
    images = [to_atoms(model, f) for f in frames]
    for im in images:
        # the band is one continuous (unwrapped) chain of configurations and each image's
        # engine applies the periodic boundaries itself: without ``pbc`` ASE's springs and
        # tangents take the image differences as they are instead of searching the minimum
        # image of every particle's difference at every step (~15 % of a NEB at N = 1000)
        im.pbc = False
    # one calculator per image: ASE keeps each image's last result, so the fixed endpoints
    # are computed once instead of at every NEB step; each movable image on its own engine,
    # whose neighbour list then follows that image only (no rebuild per call)
    pool = engine.image_engines(len(images) - 2) if per_image_engines else []
    pool_calls0 = [e.n_force_calls for e in pool]
    for k, im in enumerate(images):
        movable = 0 < k < len(images) - 1
        im.calc = LammpsCalculator(pool[k - 1] if movable and pool else engine)
    neb = NEB(images, k=spring, climb=climb, method="improvedtangent")
    opt = NEBOptimizer(neb, method="ode", logfile=None)  # ~10x fewer calls than FIRE here
    try:
        try:
            converged = bool(opt.run(fmax=fmax, steps=max_steps))
        except (RuntimeError, ValueError, FloatingPointError):
            converged = False
        X = np.array([im.positions for im in images])
        # the band's final energies and true forces, from the NEB's own calculators
        EF = [(float(im.get_potential_energy()), np.array(im.get_forces())) for im in images]
    finally:  # the image engines' calls count as the engine's, also when the NEB fails
        engine.n_force_calls += sum(e.n_force_calls - c for e, c in zip(pool, pool_calls0,
                                                                        strict=True))
    return Path(x=X, energies=np.array([e for e, _ in EF]), forces=np.array([f for _, f in EF]),
                n_force_calls=engine.n_force_calls - calls0,
                meta={"converged": bool(converged), "n_images": n_images, "fmax": fmax,
                      "climb": climb, "spring": spring})


def elementary_paths(engine: LammpsLJ, a: StationaryPoint, b: StationaryPoint, *,
                     depth: int = 2, known=None, **neb_kw
                     ) -> list[tuple[StationaryPoint, StationaryPoint, Path | None]]:
    """CI-NEB between minima a and b, split at intermediate minima into elementary paths.

    If an interior image is a local energy minimum of the band, it is quenched; a new,
    distinct minimum splits the path into (a, m) and (m, b), each treated recursively up to
    ``depth`` levels. Returns (minimum, minimum, path) triples, each with a single barrier.
    ``known(p, q)`` (optional): True for a pair whose elementary path is settled already;
    such a pair gets no NEB and comes back with path ``None``.
    """
    model = engine.model
    if known is not None and known(a, b):
        return [(a, b, None)]
    path = neb_path(engine, a.x, b.x, **neb_kw)
    E = path.energies
    interior = [i for i in range(1, len(E) - 1) if E[i] < E[i - 1] and E[i] < E[i + 1]]
    if depth > 0 and interior:
        i = min(interior, key=lambda j: E[j])
        m = quench_towards(engine, path.x[i], (a, b))  # an end again: no split
        if m is not a and m is not b and not (same_structure(model, m.x, a.x, m.energy, a.energy)
                or same_structure(model, m.x, b.x, m.energy, b.energy)):
            return (elementary_paths(engine, a, m, depth=depth - 1, known=known, **neb_kw)
                    + elementary_paths(engine, m, b, depth=depth - 1, known=known, **neb_kw))
    return [(a, b, path)]
