"""Landscape campaigns: many independent search tasks on a Dask cluster, one SQLite catalog.

A campaign of ``n_samples`` glasses is two kinds of independent, deterministic tasks:

``sample/KKKK``
    prepare glass K (:func:`~coldglass.landscape.pipeline.make_glass` with the sample's seed)
``segment/KKKK/JJJJ``
    from glass K, an NVT trajectory at ``t_md`` with its own velocity seed, quenched
    ``n_quench`` times; the pairs of the visited minima chosen by the search's
    ``selection`` are verified (CI-NEB, index-1 saddle, both sides relax back): with
    ``"ml"`` (default) or ``"random"`` every pair is a candidate and ``rounds`` batches are
    chosen (:func:`~coldglass.landscape.rounds.run_rounds`); with ``"consecutive"`` every
    pair of consecutive distinct minima. The soft-mode route explores up to ``n_basins`` of
    the visited minima.

The segments of one glass under ``"ml"``/``"random"`` form a chain: segment J is given the
catalog's labelled pairs of glass K and its last pair selector
(:meth:`~coldglass.landscape.catalog.Catalog.prior`) and is submitted once segment J-1 is
written, so the selector is retrained from where it stopped (also after a resume), a pair
labelled before is merged before it is verified again, and glasses run in parallel.

Every task is a pure function of (model, protocol, seed, the catalog of the tasks before it
in its chain), so the catalog does not depend on how many workers ran it or in what order.
A campaign is extended by resuming it with more ``n_segments``. Workers only compute;
the client writes each finished task and all of its records in one SQLite transaction
(:meth:`~coldglass.landscape.catalog.Catalog.record_task`). Rerunning the same command after an
interruption (SIGKILL included) submits only the tasks that are not in the catalog.

Execution: ``workers=0`` runs the tasks in this process (serial reference); otherwise a Dask
``LocalCluster`` of single-threaded worker processes, or an existing cluster given by its
scheduler address (``dask scheduler`` / ``dask worker --nthreads 1``, or dask-jobqueue).
"""

from __future__ import annotations

import functools
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ..errors import EngineUnavailable, InputError
from .catalog import Catalog, CatalogError
from .engine import LammpsLJ, engine_version
from .features import FEATURES
from .model import BinaryLJ
from .pipeline import PrepareProtocol, SearchProtocol, make_glass
from .rounds import explore, run_rounds
from .saddles import quench, same_structure
from .search import is_transition_candidates, soft_mode_candidates, verify_safely
from .selection import PairSelector
from .units import ARGON, UnitMapping

__all__ = ["CampaignProtocol", "run_campaign", "task_seed", "run_sample", "run_segment"]


@dataclass
class CampaignProtocol:
    """What a campaign computes: ``n_samples`` glasses prepared by ``prepare``, each searched
    by ``n_segments`` independent trajectories of ``search.n_quench`` quenches (the soft-mode
    route explores up to ``search.n_basins`` visited minima per segment). ``seed`` fixes all
    task seeds."""

    n_samples: int = 1
    n_segments: int = 8
    seed: int = 1
    prepare: PrepareProtocol = field(default_factory=PrepareProtocol)
    search: SearchProtocol = field(default_factory=lambda: SearchProtocol(n_quench=100,
                                                                          n_basins=1,
                                                                          n_modes=2))

    def __post_init__(self) -> None:
        if self.n_samples < 1:
            raise InputError(f"n_samples must be >= 1, got {self.n_samples}")
        if self.n_segments < 0:
            raise InputError(f"n_segments must be >= 0, got {self.n_segments}")

    @property
    def n_tasks(self) -> int:
        return self.n_samples * (1 + self.n_segments)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["prepare"]["temperatures"] = list(d["prepare"]["temperatures"])
        d["search"]["routes"] = list(d["search"]["routes"])
        d["n_tasks"] = self.n_tasks
        return d


def task_seed(seed: int, *key: int) -> int:
    """Independent, reproducible seed of a task (NumPy SeedSequence of the campaign seed and
    the task's indices)."""
    return int(np.random.SeedSequence([int(seed), *map(int, key)]).generate_state(1)[0]
               % (2**31 - 1))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _single_threaded(fn):
    """Run a task with one BLAS/OpenMP thread: no oversubscription of the worker's core, and
    the same floating-point reduction order (hence the same result) whether the task runs
    in this process or on any Dask worker."""

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        with threadpool_limits(limits=1):
            return fn(*args, **kw)

    return wrapper


@_single_threaded
def run_sample(model_d: dict, prepare_d: dict, sample: int, seed: int) -> dict:
    """Task: prepare glass ``sample`` (returns its configuration and IS energy table)."""
    t0 = time.perf_counter()
    model = BinaryLJ.from_dict(model_d)
    proto = PrepareProtocol(**{**prepare_d, "seed": seed})
    out = {"key": f"sample/{sample:04d}", "kind": "sample", "sample": sample, "seed": seed,
           "worker": _worker_name(), "force_calls": 0}
    try:
        glass, rows = make_glass(model, proto)
    except Exception as exc:  # noqa: BLE001 - bookkept as a failed task, never lost
        return {**out, "error": f"{type(exc).__name__}: {exc}",
                "wall_s": time.perf_counter() - t0}
    return {**out, "x": glass.x, "energy": glass.energy, "fmax": glass.fmax,
            "is_energies": [{"T_parent": r["T_parent [eps/k_B]"], "configuration": r["sample"],
                             "e_IS": r["e_IS [eps/particle]"], "fmax": r["fmax [eps/sigma]"]}
                            for r in rows],
            "wall_s": time.perf_counter() - t0}


def _known_pairs(model: BinaryLJ, minima: list, prior: dict) -> dict:
    """The pairs (i, j) of the visited ``minima`` that the catalog has labelled already
    (both IS are catalog minima, :func:`same_structure`, and that pair is labelled):
    ``(i, j) -> (status, E_qs_K)``. They are merged before verification."""
    ids = {}
    for k, m in enumerate(minima):
        for mid, (e, x) in prior.get("minima", {}).items():
            if same_structure(model, m.x, x, m.energy, e):
                ids[k] = mid
                break
    known = {}
    for i in ids:
        for j in ids:
            key = (min(ids[i], ids[j]), max(ids[i], ids[j]))
            if i < j and key in prior.get("pairs", {}):
                known[(i, j)] = prior["pairs"][key]
    return known


def _selection_rounds(q: LammpsLJ, md: LammpsLJ, units: UnitMapping, proto: SearchProtocol,
                      seed: int, prior: dict | None, stats: dict,
                      tick: Callable[[str], None]) -> tuple[dict, LammpsLJ]:
    """The IS route with pair selection: explore, take every pair of the visited IS, verify
    ``proto.rounds`` batches chosen by ``proto.selection`` (:func:`run_rounds`), going on
    from the catalog's labels and selector (``prior``). Returns the task's additions (the
    visited minima, the candidate rows, the selector, the records) and the engine."""
    model = q.model
    explored = explore(md, q, proto.t_md, proto.n_quench, proto.interval, seed=seed,
                       progress=lambda: tick("quench"))
    prior = prior or {}
    stats["candidate pairs"] = len(explored.minima) * (len(explored.minima) - 1) // 2
    out = {"minima": [{"x": m.x, "energy": m.energy, "fmax": m.fmax}
                      for m in explored.minima],
           "candidates": [], "selection": proto.selection, "visited": explored.minima,
           "records": []}
    if len(explored.minima) < 2:  # the trajectory stayed in one basin: no pair to verify
        return out, q
    selector = None
    if proto.selection == "ml":
        selector = (PairSelector.loads(prior["model"]) if prior.get("model") else
                    PairSelector(e_tls_K=proto.e_tls_K, cold_start=proto.cold_start,
                                 seed=seed))
    known = _known_pairs(model, explored.minima, prior)
    res = run_rounds(q, units, explored, selection=proto.selection, batch=proto.batch,
                     max_rounds=proto.rounds, selector=selector, e_tls_K=proto.e_tls_K,
                     seed=seed, prior=prior, known=known,
                     verify_kw={"n_images": proto.n_images, "neb_fmax": proto.neb_fmax},
                     progress=lambda r, n, n_tls: tick(f"round {r}: {n} DWPs, {n_tls} TLS"))
    for k, v in res.stats.items():
        stats[k] = stats.get(k, 0) + v
    stats["candidates"] = stats.get("candidates", 0) + int(res.stats.get("verified pairs", 0))
    stats["known pairs"] = len(known)
    tab = res.table[~res.table["known"]]
    rows = tab[["i", "j", *FEATURES, "status", "E_qs_K", "round", "cost_calls", "trained"]].to_dict(
        "records")
    out.update(candidates=rows, records=res.records,
               prior_ids=list(prior.get("ids", [])) if selector is not None else [])
    if selector is not None and selector.version > 0:
        import sklearn

        out["model"] = {"version": selector.version, "sklearn": sklearn.__version__,
                        "blob": selector.dumps()}
    return out, res.engine


@_single_threaded
def run_segment(model_d: dict, units_d: dict, search_d: dict, x_glass: np.ndarray,
                sample: int, segment: int, seed: int, prior: dict | None = None, *,
                progress: Callable[[str], None] | None = None) -> dict:
    """Task: one trajectory segment of the search in glass ``sample`` (see module doc);
    ``prior`` (:meth:`~coldglass.landscape.catalog.Catalog.prior`) what the catalog knows of
    this glass, for the ``"ml"`` and ``"random"`` selections. ``progress`` (in-process runs
    only) is called with a message after every quench, selection round and candidate."""
    t0 = time.perf_counter()

    def tick(msg: str) -> None:
        if progress is not None:
            progress(msg)

    model = BinaryLJ.from_dict(model_d)
    units = UnitMapping(**units_d)
    proto = SearchProtocol(**search_d)
    out = {"key": f"segment/{sample:04d}/{segment:04d}", "kind": "segment", "sample": sample,
           "segment": segment, "seed": seed, "worker": _worker_name()}
    stats: dict = {}
    records: list[dict] = []
    extra: dict = {}
    md = LammpsLJ(model, x_glass)
    q = LammpsLJ(model, x_glass)
    try:
        visited, pairs = [], []
        if "is-transition" in proto.routes:
            if proto.selection == "consecutive":
                visited, pairs = is_transition_candidates(
                    md, q, proto.t_md, proto.n_quench, proto.interval, seed=seed,
                    progress=lambda: tick("quench"))
            else:
                extra, q = _selection_rounds(q, md, units, proto, seed, prior, stats, tick)
                visited, records = extra.pop("visited"), extra.pop("records")
        distinct: list = []  # (the consecutive route's visits may return to a minimum)
        for v in visited or []:
            if not any(same_structure(model, v.x, b.x, v.energy, b.energy) for b in distinct):
                distinct.append(v)
        cands = list(pairs)
        if "soft-mode" in proto.routes:
            basins = distinct[:proto.n_basins] if distinct else [quench(q, x_glass)]
            distinct = distinct or basins
            for b in basins:
                cands += soft_mode_candidates(q, b, proto.n_modes, max_climb=proto.max_climb)
        # the denominator of "TLS per inherent structure": the distinct IS visited
        stats["inherent structures"] = len(distinct)
        stats["candidates"] = stats.get("candidates", 0) + len(cands)
        for c in cands:
            recs, q = verify_safely(q, c, units, stats, n_images=proto.n_images,
                                    neb_fmax=proto.neb_fmax, restart=x_glass)
            records += recs
            tick(f"{len(records)} DWPs")
    except Exception as exc:  # noqa: BLE001 - bookkept as a failed task, never lost
        out["error"] = f"{type(exc).__name__}: {exc}"
        records, extra = [], {}
    finally:
        out["force_calls"] = md.n_force_calls + q.n_force_calls
        md.close()
        q.close()
    return {**out, **extra, "dwps": records, "stats": stats,
            "wall_s": time.perf_counter() - t0}


def _imported(glass: dict, sample: int) -> dict:
    """The sample task of a glass prepared before (``run_campaign(glasses=...)``)."""
    return {"key": f"sample/{sample:04d}", "kind": "sample", "sample": sample,
            "seed": int(glass["seed"]), "worker": _worker_name(), "force_calls": 0,
            "x": glass["x"], "energy": float(glass["energy"]), "fmax": float(glass["fmax"]),
            "is_energies": glass["is_energies"], "wall_s": float(glass.get("wall_s", 0.0))}


class _Serial:
    """In-process stand-in for a Dask client (``workers=0``): tasks run when submitted."""

    dashboard_link = None

    def submit(self, fn, *args, **kw):
        kw.pop("key", None)
        kw.pop("pure", None)
        return fn(*args)

    def close(self) -> None:
        pass


#: seconds to reach a Dask scheduler given by its address before the campaign is refused
SCHEDULER_TIMEOUT_S = 5.0


def _connect(scheduler: str, timeout: float | None = None):
    """A Dask client of the running scheduler at ``scheduler`` (e.g. ``tcp://host:8786``).

    Raises
    ------
    EngineUnavailable : the address is malformed, nothing answers there within ``timeout``
        seconds (default :data:`SCHEDULER_TIMEOUT_S`), or it is not a Dask scheduler; the
        message names the address
    """
    timeout = SCHEDULER_TIMEOUT_S if timeout is None else float(timeout)
    try:
        from dask.distributed import Client
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError as exc:
        raise EngineUnavailable(f"--scheduler {scheduler} needs Dask distributed ({exc}); "
                                "pip install distributed") from None
    fix = ("start it (`dask scheduler`, then `dask worker ADDRESS --nthreads 1`) or give "
           "the address it prints")
    try:
        scheme, loc = parse_address(scheduler, strict=False)
        host, port = parse_host_port(loc)
    except ValueError as exc:
        raise EngineUnavailable(f"--scheduler {scheduler!r} is not a Dask scheduler address "
                                f"({exc}); expected e.g. tcp://host:8786") from None
    if scheme in ("tcp", "tls", "ws", "wss"):
        # a plain TCP probe first: a refused or unroutable address fails here, quickly and
        # without the noise of a half-built Client
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as exc:
            raise EngineUnavailable(f"no Dask scheduler answers at {scheduler} (within "
                                    f"{timeout:g} s: {exc}); {fix}") from None
    try:
        return Client(scheduler, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the same refusal
        raise EngineUnavailable(f"cannot connect to the Dask scheduler at {scheduler} "
                                f"({type(exc).__name__}: {exc}); {fix}") from None


def _client(workers: int | None, scheduler: str | None):
    """A Dask client: to ``scheduler`` if given (:func:`_connect`), else a LocalCluster of
    ``workers`` single-threaded worker processes (all cores when None). Returns
    ``(client, cluster)``; ``cluster`` is None for a scheduler given by its address."""
    if scheduler:
        return _connect(scheduler), None
    import importlib.util

    import dask
    from dask.distributed import Client, LocalCluster

    n = workers if workers else (os.cpu_count() or 1)
    dash = ":0" if importlib.util.find_spec("bokeh") is not None else None
    # the tasks are long, pure-Python-plus-LAMMPS compute: the workers' statistical profiler
    # and GIL monitor (sampling every 10 ms / 1 ms) only take time from them
    with dask.config.set({"distributed.worker.profile.enabled": False,
                          "distributed.admin.system-monitor.gil.enabled": False}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=dash, silence_logs=40)
    try:
        return Client(cluster), cluster
    except BaseException:
        cluster.close()
        raise


def _close_client(client, cluster) -> None:
    """Close a Dask client and its LocalCluster (either may be None)."""
    try:
        if client is not None:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


class _Lock:
    """The held lock of :func:`_lock`; :meth:`close` removes ``<catalog>.lock`` and releases
    it (also as a context manager)."""

    def __init__(self, fh, path: Path) -> None:
        self.fh, self.path = fh, path

    def close(self) -> None:
        """Remove the lock file (while still holding it, so that no other client can hold
        the removed file) and release it. Safe to call twice."""
        if self.fh is None:
            return
        try:
            if os.path.samestat(os.fstat(self.fh.fileno()), os.stat(self.path)):
                self.path.unlink()
        except OSError:
            pass  # already removed
        finally:
            self.fh.close()
            self.fh = None

    def __enter__(self) -> _Lock:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _lock(path: Path) -> _Lock:
    """An exclusive lock on ``<catalog>.lock``: one client per catalog (the operating system
    releases it when the client dies, SIGKILL included; the file is removed on every
    ordinary exit).

    Raises
    ------
    CatalogError : another running campaign holds it
    """
    import fcntl

    path = Path(path)
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fh = open(lock_path, "a")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise CatalogError(f"{path} is in use by another running campaign (lock "
                               f"{lock_path.name}); wait for it to finish") from None
        try:
            if os.path.samestat(os.fstat(fh.fileno()), os.stat(lock_path)):
                fh.truncate(0)
                fh.write(f"{_worker_name()}\n")
                fh.flush()
                return _Lock(fh, lock_path)
        except FileNotFoundError:
            pass
        fh.close()  # its holder removed the file between our open and flock: lock the new one


def run_campaign(catalog: str | os.PathLike, protocol: CampaignProtocol,
                 model: BinaryLJ, units: UnitMapping = ARGON, *, workers: int | None = None,
                 scheduler: str | None = None,
                 progress: Callable[[dict], None] | None = None,
                 on_start: Callable[[dict], None] | None = None,
                 glasses: dict[int, dict] | None = None,
                 task_progress: Callable[[str], None] | None = None) -> dict:
    """Run (or resume) a campaign into an SQLite catalog.

    Parameters
    ----------
    catalog : path of the catalog database (created, or resumed if it exists)
    protocol : what to compute (:class:`CampaignProtocol`)
    model, units : the glass former and the reduced-to-physical unit mapping
    workers : 0 runs in this process; n >= 1 a LocalCluster of n single-threaded workers;
        None all cores
    scheduler : address of an existing Dask scheduler (overrides ``workers``)
    progress : called with a dict (done, total, dwps) after every finished task
    on_start : called once with the plan (tasks to run, already done, dashboard address)
    glasses : glasses prepared before (sample -> ``x`` [σ], ``energy`` [ε], ``fmax``,
        ``is_energies`` rows, ``seed``, ``wall_s``), recorded as those samples' tasks
        instead of preparing them (``coldglass landscape search`` on a ``prepare`` folder);
        a catalog that holds another glass for such a sample is refused
    task_progress : with ``workers=0``, called with a message after every quench, selection
        round and verified candidate inside a segment (a progress bar within the tasks)

    Returns a summary: tasks run, new double wells, wall time, cluster start-up time, summed
    compute time of the tasks, client time spent writing the catalog (``write_s``) and its
    fraction of the compute time (``overhead``).

    Raises
    ------
    InputError : ``workers`` < 0
    EngineUnavailable : ``scheduler`` cannot be reached within :data:`SCHEDULER_TIMEOUT_S`;
        raised before the catalog or its lock are created
    CatalogError : the catalog is in use by another campaign, damaged, foreign, or of a
        campaign with other parameters

    The order is: scheduler connection, ``<catalog>.lock``, catalog (created in one
    transaction), cluster, tasks. The lock file and the Dask client and cluster are removed
    on every exit (normal end, exception, KeyboardInterrupt); the catalog is checkpointed
    after each task and on close.
    """
    if workers is not None and workers < 0:
        raise InputError(f"workers must be >= 0, got {workers}")
    t_start = time.perf_counter()
    path = Path(catalog)
    client = cluster = None
    t_client = 0.0
    if scheduler:  # refused before the catalog or its lock exist
        t_client = time.perf_counter()
        client = _connect(scheduler)
        t_client = time.perf_counter() - t_client
    try:
        with _lock(path), Catalog(path) as cat:  # the lock before the schema is written
            if client is None:
                t_client = time.perf_counter()
                client, cluster = (_Serial(), None) if workers == 0 else \
                    _client(workers, None)
                t_client = time.perf_counter() - t_client
            stats = _run(cat, client, protocol, model, units, progress, on_start, glasses,
                         task_progress)
            stats["startup_s"] = t_client
    finally:
        _close_client(client, cluster)
    stats["wall_s"] = time.perf_counter() - t_start
    stats["overhead"] = stats["write_s"] / max(stats["compute_s"], 1e-12)
    return stats


def _run(cat: Catalog, client, protocol: CampaignProtocol, model: BinaryLJ,
         units: UnitMapping, progress: Callable[[dict], None] | None,
         on_start: Callable[[dict], None] | None, glasses: dict[int, dict] | None = None,
         task_progress: Callable[[str], None] | None = None) -> dict:
    """The campaign's task loop on an open catalog and a connected client."""
    model_d, units_d, proto_d = model.to_dict(), units.to_dict(), protocol.to_dict()
    prov_id = cat.bind(model_d, units_d, engine_version(), proto_d, protocol.seed)
    done = cat.finished_tasks()
    prep_d, search_d = proto_d["prepare"], proto_d["search"]
    seed = protocol.seed

    # the "ml" and "random" selections go on from the catalog's labels (and selector): the
    # segments of one glass run one after the other, each given what the last one left
    chained = protocol.search.selection != "consecutive"

    def segment_task(k: int, j: int, x: np.ndarray) -> tuple:
        prior = cat.prior(k) if chained else None
        return (f"segment/{k:04d}/{j:04d}", run_segment,
                (model_d, units_d, search_d, x, k, j, task_seed(seed, k, j + 1), prior))

    def segment_tasks(k: int, x: np.ndarray, after: int = -1) -> list:
        js = [j for j in range(after + 1, protocol.n_segments)
              if f"segment/{k:04d}/{j:04d}" not in done]
        return [segment_task(k, j, x) for j in (js[:1] if chained else js)]

    todo = []
    for k in range(protocol.n_samples):
        key = f"sample/{k:04d}"
        if key not in done:
            if glasses and k in glasses:
                todo.append((key, _imported, (glasses[k], k)))
            else:
                todo.append((key, run_sample, (model_d, prep_d, k, task_seed(seed, k, 0))))
        else:
            x = cat.glass(k)
            if x is not None and glasses and k in glasses and \
                    not np.array_equal(x, glasses[k]["x"]):
                raise CatalogError(f"{cat.path} holds a search of another glass than the one "
                                   "given; appending would mix the double wells of two "
                                   "glasses. Search in a new folder")
            if x is not None:  # a failed sample has no glass and no segments
                todo += segment_tasks(k, x)
    n_pending = len(todo) + sum(protocol.n_segments for key, *_ in todo
                                if key.startswith("sample/"))
    stats = {"tasks_run": 0, "failed": 0, "lost": 0, "new_dwps": 0, "compute_s": 0.0,
             "write_s": 0.0, "startup_s": 0.0, "already_done": len(done),
             "total": protocol.n_tasks,
             "dashboard": getattr(client, "dashboard_link", None),
             "workers": 0 if isinstance(client, _Serial) else
             len(client.scheduler_info().get("workers", {}))}
    if on_start is not None:
        on_start({**stats, "pending": n_pending})

    def finish(res: dict) -> list:
        t0 = time.perf_counter()
        stats["new_dwps"] += cat.record_task(res, prov_id)
        done.add(res["key"])
        stats["write_s"] += time.perf_counter() - t0
        stats["tasks_run"] += 1
        stats["compute_s"] += res["wall_s"]
        stats["failed"] += bool(res.get("error"))
        if progress is not None:
            progress({"done": stats["already_done"] + stats["tasks_run"],
                      "total": protocol.n_tasks,
                      "dwps": stats["new_dwps"], "key": res["key"]})
        if res["kind"] == "sample" and not res.get("error"):
            return segment_tasks(res["sample"], res["x"])
        if res["kind"] == "segment" and chained:
            return segment_tasks(res["sample"], cat.glass(res["sample"]), res["segment"])
        return []

    if isinstance(client, _Serial):
        queue = list(todo)
        while queue:
            key, fn, args = queue.pop(0)
            res = (fn(*args, progress=task_progress)
                   if task_progress is not None and fn is run_segment else fn(*args))
            queue = finish(res) + queue  # depth first, like a worker pool
        return stats
    from dask.distributed import as_completed

    run_id = uuid.uuid4().hex[:8]  # Dask keys unique on a shared scheduler

    def submit(key, fn, args):
        return client.submit(fn, *args, key=f"coldglass-{run_id}-{key}", pure=False)

    ac = as_completed()
    for key, fn, args in todo:
        ac.add(submit(key, fn, args))
    for fut in ac:
        try:
            res = fut.result()
        except Exception:  # noqa: BLE001 - a lost worker: rerun it next time
            stats["lost"] += 1
            continue
        finally:
            fut.release()
        for key, fn, args in finish(res):
            ac.add(submit(key, fn, args))
    return stats
