"""Finding double-well potentials by the two routes of paper Sec. 8.

* **Inherent-structure transitions** (Heuer and co-workers): a low-temperature MD trajectory
  is quenched at short intervals; consecutive distinct minima are candidate pairs
  (:func:`is_transition_candidates`).
* **Soft-mode exploration inside a basin** (the "valleys" of Fig. 27): from a minimum, the
  lowest normal modes are followed uphill by the dimer method to index-1 saddles, and both
  sides are relaxed to the connected minima (:func:`soft_mode_candidates`).

Every candidate pair is then verified (:func:`verify_pair`): a climbing-image NEB (seeded
through the dimer saddle when there is one), split into elementary double wells at
intermediate minima; the highest image of each elementary path is polished to a saddle
(Newton on the analytic Hessian, or the dimer method if Newton leaves the basin), which must
have exactly one negative Hessian eigenvalue and relax back to the two minima on either side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ..errors import InputError
from .calculator import hessian, lowest_modes
from .engine import LammpsLJ
from .model import minimum_image
from .saddles import (
    Path,
    StationaryPoint,
    classify,
    connect_saddle,
    elementary_paths,
    find_minimum,
    follow_mode,
    neb_path,
    quench,
    refine_stationary,
    same_structure,
)
from .tunneling import dwp_parameters
from .units import UnitMapping

__all__ = ["Candidate", "VerifiedWells", "is_transition_candidates", "soft_mode_candidates",
           "verify_pair", "verify_safely"]


@dataclass
class Candidate:
    """A candidate pair of minima, optionally with the saddle that connects them."""

    a: StationaryPoint
    b: StationaryPoint
    route: str
    saddle: StationaryPoint | None = None


@dataclass
class VerifiedWells:
    """The double wells a search has verified, by the two minima they join directly.

    Far-apart candidate pairs are split at intermediate minima into elementary paths
    (:func:`~coldglass.landscape.saddles.elementary_paths`), and overlapping candidates split
    into the same elementary pairs again and again (in a search of close pairs about a third
    of the wells found were such repeats). An elementary pair (a, b) of minima whose double
    well was verified before is not verified again: its NEB from a to b would start from the
    same two minima and relax to the same saddle, so :func:`verify_pair` returns the stored
    record instead (counted as ``"known well reused"`` in its ``stats``). Likewise an
    elementary path that was rejected (``failed``, with the splitting depth it had) is not
    verified again at that depth or less (``"known rejection reused"``). Minima are told
    apart by the one predicate :func:`~coldglass.landscape.saddles.same_structure`.
    """

    model: object
    minima: list = field(default_factory=list)
    wells: dict = field(default_factory=dict)  # (id_a, id_b), id_a < id_b -> [record, ...]
    failed: dict = field(default_factory=dict)  # (id_a, id_b) -> (depth, reason)

    def id_of(self, p: StationaryPoint, e_tol: float = 1e-3) -> int:
        """The id of minimum ``p`` (registered now if it is new)."""
        k = find_minimum(self.model, self.minima, p, e_tol=e_tol)
        if k is None:
            self.minima.append(p)
            k = len(self.minima) - 1
        return k

    def key(self, a: StationaryPoint, b: StationaryPoint) -> tuple[int, int]:
        ia, ib = self.id_of(a), self.id_of(b)
        return (min(ia, ib), max(ia, ib))

    def known(self, a: StationaryPoint, b: StationaryPoint) -> list[dict]:
        """The verified double wells joining minima a and b directly ([] if none is known)."""
        return self.wells.get(self.key(a, b), [])

    def add(self, a: StationaryPoint, b: StationaryPoint, record: dict) -> None:
        self.wells.setdefault(self.key(a, b), []).append(record)

    def reject(self, a: StationaryPoint, b: StationaryPoint, depth: int, reason: str) -> None:
        """Record that the plain NEB path a -> b was rejected with ``depth`` levels of
        splitting left (with less depth it is rejected too)."""
        key = self.key(a, b)
        if key not in self.wells and self.failed.get(key, (-1, ""))[0] < depth:
            self.failed[key] = (depth, reason)

    def settled(self, a: StationaryPoint, b: StationaryPoint, depth: int | None) -> bool:
        """A verified well joins a and b, or their plain path was rejected at ``depth`` or
        more (``depth=None``: a path through a given saddle, settled only by a well)."""
        key = self.key(a, b)
        return key in self.wells or (depth is not None
                                     and self.failed.get(key, (-1, ""))[0] >= depth)


def is_transition_candidates(md: LammpsLJ, quencher: LammpsLJ, temperature: float,
                             n_quench: int, interval: int, *, seed: int | None = 0,
                             equilibrate: int = 0, progress=None) -> tuple[list, list]:
    """Quench an NVT trajectory at ``temperature`` every ``interval`` steps ``n_quench`` times.

    ``md`` holds the glass (its current positions are the start); ``quencher`` is a second
    engine used for the quenches so that the trajectory is not disturbed. Returns the list of
    inherent structures visited and the candidate pairs (consecutive distinct minima).
    ``seed=None`` continues the trajectory with the current velocities (chunked runs).
    """
    if n_quench < 2 or interval < 1:
        raise InputError("n_quench must be >= 2 and interval >= 1")
    model = md.model
    if seed is not None:
        md.velocity_create(temperature, seed)
    if equilibrate:
        md.run_nvt(equilibrate, temperature)
    prev = quench(quencher, md.positions())
    visited, pairs = [prev], []
    for _ in range(n_quench - 1):
        md.run_nvt(interval, temperature)
        cur = quench(quencher, md.positions())
        if not same_structure(model, prev.x, cur.x, prev.energy, cur.energy):
            pairs.append(Candidate(prev, cur, "is-transition"))
            visited.append(cur)
        prev = cur
        if progress is not None:
            progress()
    return visited, pairs


def soft_mode_candidates(engine: LammpsLJ, minimum: StationaryPoint, n_modes: int = 4, *,
                         max_climb: float = 5.0, progress=None) -> list[Candidate]:
    """Follow the ``n_modes`` softest normal modes (both directions) of a minimum uphill to
    index-1 saddles (eigenvector following) and relax down both sides."""
    model = engine.model
    _, vecs = lowest_modes(model, minimum.x, n_modes, mass_weighted=False)
    out = []
    for k in range(n_modes):
        for sign in (1.0, -1.0):
            s = follow_mode(engine, minimum.x, sign * vecs[:, k], max_climb=max_climb)
            if progress is not None:
                progress()
            if s is None or s.index != 1:
                continue
            a, b = connect_saddle(engine, s)
            if same_structure(model, a.x, b.x, a.energy, b.energy):
                continue
            out.append(Candidate(a, b, "soft-mode", saddle=s))
    return out


#: steps of the eigenvector-following fallback of the saddle polish (~0.8 CPU s each at
#: N = 1000: a Hessian and its 8 lowest modes per step). On the N = 1000 glass the fallbacks
#: that reached a saddle took 9-11 steps (one 30, and its saddle did not join the path's
#: ends); those that did not reach one spent all of the former 40 steps, ~30 s each
POLISH_FALLBACK_STEPS = 20


def _polish_saddle(engine: LammpsLJ, path: Path) -> StationaryPoint | None:
    """Saddle from the climbing image: Newton, falling back to eigenvector following along
    the path tangent."""
    model = engine.model
    E = path.energies
    i = int(np.argmax(E))
    L = model.box_length
    if i in (0, len(E) - 1):
        # the band rises to an end: the barrier hides in the last segment (a shallow minimum
        # just past a small ridge). Start from the highest of 9 points on that segment.
        j = 1 if i == 0 else len(E) - 2
        x0, x1 = path.x[j], path.x[j] + minimum_image(path.x[i] - path.x[j], L)
        ts = np.linspace(0.1, 0.9, 9)
        es = [engine.energy_forces((1 - t) * x0 + t * x1)[0] for t in ts]
        k = int(np.argmax(es))
        if es[k] <= E[i]:
            return None
        start = (1 - ts[k]) * x0 + ts[k] * x1
        tangent = x1 - x0
        s = follow_mode(engine, start, tangent.ravel(), kick=0.0,
                         max_steps=POLISH_FALLBACK_STEPS)
        return s
    s = refine_stationary(engine, path.x[i])
    if s.fmax < 1e-8 and classify(model, s).index == 1:
        return s
    # eigenvector following from the climbing image along the mode closest to the tangent
    tangent = minimum_image(path.x[i + 1] - path.x[i - 1], model.box_length)
    return follow_mode(engine, path.x[i], tangent.ravel(), kick=0.0,
                         max_steps=POLISH_FALLBACK_STEPS)


def _record(engine, units, route, pa, pb, s, path, calls0) -> dict:
    """Tunnelling parameters of the verified DWP (pa, s, pb) on its NEB path."""
    model = engine.model
    L = model.box_length
    X, E, Fo = path.x.copy(), path.energies.copy(), path.forces.copy()
    i = int(np.argmax(E))
    # endpoints: the exact minima; highest image: the polished saddle
    X[0] = pa.x
    X[i] = pa.x + minimum_image(s.x - pa.x, L)
    X[-1] = X[i] + minimum_image(pb.x - X[i], L)
    for j in (0, i, len(X) - 1):
        E[j], Fo[j] = engine.energy_forces(X[j])
    Ha = hessian(model, pa.x, mass_weighted=True)
    Hb = hessian(model, pb.x, mass_weighted=True)
    rec = dwp_parameters(model, units, X, E, Fo, H_a=Ha, H_b=Hb, k_s=float(s.lowest_eigs[0]))
    flipped = E[-1] < E[0]
    rec.update({
        "route": route,
        "saddle_eig_1": float(s.lowest_eigs[0]), "saddle_eig_2": float(s.lowest_eigs[1]),
        "saddle_fmax": s.fmax, "min_fmax": max(pa.fmax, pb.fmax),
        "V_neb_K": float((path.energies.max() - min(E[0], E[-1])) * units.epsilon_K),
        "neb_converged": bool(path.meta["converged"]),
        "force_calls": engine.n_force_calls - calls0,
        "x_a": (pb.x if flipped else pa.x), "x_b": (pa.x if flipped else pb.x),
        "x_s": s.x, "path_x": X[::-1] if flipped else X,
    })
    return rec


def verify_pair(engine: LammpsLJ, cand: Candidate, units: UnitMapping, *, n_images: int = 5,
                neb_fmax: float = 0.01, max_steps: int = 300, depth: int = 2,
                stats: dict | None = None, cheap_connect: bool = True,
                routes: dict | None = None, per_image_engines: bool = True,
                reuse_connected: bool = True, wells: VerifiedWells | None = None
                ) -> list[dict]:
    """Verified elementary double wells between the two minima of a candidate.

    1. CI-NEB a -> b (through the dimer saddle when the candidate has one), split at
       intermediate minima (:func:`~coldglass.landscape.saddles.elementary_paths`);
    2. the highest image is polished to a stationary point, which must be an index-1 saddle;
    3. both sides of the saddle are relaxed along its negative mode (``cheap_connect``: a
       plain CG quench first, the gentle steepest-descent one only where CG does not find
       the two path ends; :func:`~coldglass.landscape.saddles.connect_saddle`): if they are
       the two path ends, the DWP is verified; if one is an end and the other a new minimum m, the
       DWP (end, m) is verified on a fresh CI-NEB through the saddle and (m, other end) is
       examined in turn (up to ``depth`` levels).

    Returns one record per verified DWP (the parameters of
    :func:`~coldglass.landscape.tunneling.dwp_parameters` plus ``route``, the saddle's lowest
    Hessian eigenvalues, barriers, force calls and the configurations ``x_a``, ``x_b``,
    ``x_s``, ``path_x``). ``stats`` (optional dict) counts the reasons for rejections,
    ``routes`` (optional dict) which relaxation route connected each saddle.
    ``reuse_connected``: a saddle reached again through its own NEB (a soft-mode candidate,
    a split item) keeps the two minima it was connected to instead of being relaxed again.
    """
    routes = {} if routes is None else routes
    model = engine.model
    stats = {} if stats is None else stats

    def reject(why):
        stats[why] = stats.get(why, 0) + 1

    def same(p, q):
        return same_structure(model, p.x, q.x, p.energy, q.energy)

    calls0 = engine.n_force_calls
    kw = dict(n_images=n_images, fmax=neb_fmax, max_steps=max_steps,
              per_image_engines=per_image_engines)
    records: list[dict] = []
    work = [(cand.a, cand.b, cand.saddle, depth)]
    while work:
        a, b, via, lev = work.pop()
        # a pair settled before (``wells``) gets no NEB: the same two minima, the same band,
        # the same saddle (a path through a given saddle is settled only by a verified well)
        known = None if wells is None else partial(wells.settled,
                                                    depth=lev if via is None else None)
        if known is not None and known(a, b):
            segments = [(a, b, None)]
        elif via is not None:
            segments = [(a, b, neb_path(engine, a.x, b.x, via=via.x, **kw))]
        else:
            segments = elementary_paths(engine, a, b, depth=lev, known=known, **kw)
        for pa, pb, path in segments:
            if path is None:
                if found := wells.known(pa, pb):  # a count, not a rejection
                    records.extend(found)
                    stats["known well reused"] = stats.get("known well reused", 0) + 1
                else:
                    reject("known rejection reused")
                continue

            def refuse(why, pa=pa, pb=pb, lev=lev, via=via):
                reject(why)
                if wells is not None and via is None:
                    wells.reject(pa, pb, lev, why)

            s = _polish_saddle(engine, path)
            if s is None:
                refuse("no index-1 saddle on the path")
                continue
            if reuse_connected and via is not None and same(s, via):
                # the path's saddle is the one the item came from, whose two minima a, b were
                # found by relaxing off it (soft-mode candidates, split items): not again
                u, v = a, b
                routes["connect: known"] = routes.get("connect: known", 0) + 1
            else:
                u, v = connect_saddle(engine, s, expected=(pa, pb) if cheap_connect else None,
                                      counts=routes)
            if same(u, pb) or same(v, pa):
                u, v = v, u
            if same(u, pa) and same(v, pb):
                records.append(_record(engine, units, cand.route, pa, pb, s, path, calls0))
                calls0 = engine.n_force_calls
                if wells is not None:
                    wells.add(pa, pb, records[-1])
            elif lev > 0 and (same(u, pa) or same(v, pb)) and not same(u, v):
                # the saddle connects one end to an intermediate minimum m
                end, m, other = (pa, v, pb) if same(u, pa) else (pb, u, pa)
                work.append((end, m, s, 0))
                work.append((m, other, None, lev - 1))
            else:
                refuse("saddle does not connect the path ends")
    return records


def verify_safely(engine: LammpsLJ, cand: Candidate, units: UnitMapping, stats: dict, *,
                  restart: np.ndarray, **kw) -> tuple[list[dict], LammpsLJ]:
    """:func:`verify_pair` for campaigns: a failing candidate (non-finite optimizer step,
    solver breakdown, LAMMPS error) is counted in ``stats`` and skipped, never the end of the
    search. After a LAMMPS error the instance may be inconsistent, so a fresh engine (at
    positions ``restart``) replaces it; returns the records and the engine to use next."""
    try:
        return verify_pair(engine, cand, units, stats=stats, **kw), engine
    except (ValueError, RuntimeError, FloatingPointError, np.linalg.LinAlgError) as exc:
        key = f"error: {type(exc).__name__}"
        stats[key] = stats.get(key, 0) + 1
        return [], engine
    except Exception as exc:  # noqa: BLE001 - LAMMPS raises bare Exception
        if "ERROR" not in str(exc):
            raise
        stats["error: LAMMPS"] = stats.get("error: LAMMPS", 0) + 1
        calls = engine.n_force_calls
        engine.close()
        fresh = engine.copy(restart)  # the same model and engine options
        fresh.n_force_calls = calls
        return [], fresh
