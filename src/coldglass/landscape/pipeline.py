"""The stages of the landscape pipeline, each writing files a user can reload.

``prepare`` (glass preparation and inherent structures)::

    DIR/prepare/meta.json         model, unit mapping, engine version, seed, protocol
    DIR/prepare/is_energies.csv   parent temperature vs inherent-structure energy per particle
    DIR/prepare/glass.npz         the quenched glass (positions [σ], energy [ε], types)

``search`` (a campaign run in this process on the prepared glass; one pipeline with
``coldglass landscape campaign``)::

    DIR/search/catalog.sqlite     the catalog (:class:`~coldglass.landscape.catalog.Catalog`):
                                  minima, saddles, paths, double wells, candidate pairs and
                                  pair selectors, units in its ``column_units`` table
    DIR/search/catalog.csv        export: one row per distinct double well, units in the
                                  headers (rewritten after every search; a hand-edited
                                  export is moved aside, never overwritten)
    DIR/search/meta.json          one entry per search run, and the export's checksum

Each finished segment is written to the catalog in one transaction, so an interrupted search
keeps every finished segment; rerunning ``search`` with the same protocol adds segments.
A search belongs to one glass: ``prepare`` refuses a folder that already holds a glass or a
search unless asked to move them aside (``force``), and ``search`` refuses a catalog of
another glass. A ``search`` folder of an older coldglass (``catalog.csv`` and ``configs/``,
no SQLite catalog) is read by ``landscape report`` as it is.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CatalogError, InputError
from .engine import LammpsLJ, engine_version
from .model import BinaryLJ
from .saddles import StationaryPoint, quench
from .units import UnitMapping

__all__ = ["PrepareProtocol", "SearchProtocol", "make_glass", "prepare", "search",
           "load_prepared", "load_catalog", "catalog_path"]

#: the search's catalog in DIR/search
CATALOG_NAME = "catalog.sqlite"
#: how a search segment chooses the pairs of inherent structures it verifies
SELECTIONS = ("ml", "random", "consecutive")


@dataclass
class PrepareProtocol:
    """Glass preparation (reduced units; time step 0.005).

    Melt at ``t_melt`` for ``n_melt`` steps, then cool stepwise through ``temperatures``
    (descending), equilibrating ``n_equil`` steps (Nosé-Hoover NVT) at each; at each
    temperature ``n_samples`` configurations ``n_spacing`` steps apart are quenched to
    inherent structures. The glass is the inherent structure of the last configuration at
    the lowest temperature.
    """

    temperatures: Sequence[float] = (2.0, 1.0, 0.8, 0.6, 0.5, 0.45)
    t_melt: float = 2.0
    n_melt: int = 10000
    n_equil: int = 20000
    n_samples: int = 5
    n_spacing: int = 2000
    seed: int = 1

    def __post_init__(self) -> None:
        T = np.asarray(self.temperatures, dtype=float)
        if T.size == 0 or np.any(~np.isfinite(T)) or np.any(T <= 0):
            raise InputError(f"temperatures must be finite and > 0 (ε/k_B), got {T}")
        if not self.t_melt > 0:
            raise InputError(f"t_melt must be > 0, got {self.t_melt}")
        for k in ("n_melt", "n_equil", "n_spacing"):
            if getattr(self, k) < 0:
                raise InputError(f"{k} must be >= 0")
        if self.n_samples < 1:
            raise InputError("n_samples must be >= 1")
        self.temperatures = tuple(sorted((float(t) for t in T), reverse=True))


@dataclass
class SearchProtocol:
    """Double-well search by the two routes of Sec. 8 (reduced units).

    IS route: NVT MD at ``t_md`` quenched every ``interval`` steps, ``n_quench`` times;
    which pairs of the visited inherent structures are verified is ``selection``:

    * ``"ml"`` (default): every pair is a candidate; ``rounds`` rounds of ``batch`` pairs
      chosen by the pair selector (:class:`~coldglass.landscape.selection.PairSelector`,
      retrained each round, carried from segment to segment through the catalog), random
      until ``cold_start`` pairs are labelled; ``e_tls_K`` the TLS threshold it aims at;
    * ``"random"``: the same rounds with uniformly random batches (the unbiased reference);
    * ``"consecutive"``: every pair of consecutive distinct minima of the trajectory (the
      observed transitions), all verified.

    Soft-mode route: from up to ``n_basins`` distinct inherent structures, follow the
    ``n_modes`` softest modes in both directions (eigenvector following, abandoned above
    ``max_climb`` ε). NEB: ``n_images`` movable images, max NEB force ``neb_fmax``.
    """

    t_md: float = 0.4
    n_quench: int = 200
    interval: int = 20
    n_basins: int = 10
    n_modes: int = 4
    max_climb: float = 5.0
    n_images: int = 5
    neb_fmax: float = 0.01
    seed: int = 7
    routes: Sequence[str] = ("is-transition", "soft-mode")
    selection: str = "ml"
    batch: int = 8
    rounds: int = 4
    cold_start: int = 30
    e_tls_K: float = 1.0

    def __post_init__(self) -> None:
        if self.selection not in SELECTIONS:
            raise InputError(f"selection must be one of {SELECTIONS}, got {self.selection!r}")
        if self.batch < 1 or self.rounds < 1:
            raise InputError(f"batch and rounds must be >= 1, got {self.batch}, {self.rounds}")
        if self.cold_start < 2:
            raise InputError(f"cold_start must be >= 2 labelled pairs, got {self.cold_start}")
        if not (np.isfinite(self.e_tls_K) and self.e_tls_K > 0):
            raise InputError(f"e_tls_K must be > 0 K, got {self.e_tls_K!r}")
        if not self.t_md > 0:
            raise InputError(f"t_md must be > 0 (ε/k_B), got {self.t_md}")
        if self.n_quench < 2 or self.interval < 1:
            raise InputError("n_quench must be >= 2 and interval >= 1")
        bad = set(self.routes) - {"is-transition", "soft-mode"}
        if bad or not self.routes:
            raise InputError(f"routes must be among 'is-transition', 'soft-mode'; got "
                             f"{list(self.routes)}")
        self.routes = tuple(self.routes)


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str))
    tmp.replace(path)


def make_glass(model: BinaryLJ, protocol: PrepareProtocol, *,
               progress: Callable[[str, int], None] | None = None,
               on_rows: Callable[[list], None] | None = None) -> tuple[StationaryPoint, list]:
    """Run a :class:`PrepareProtocol`: returns the glass (its inherent structure) and the
    rows of the inherent-structure energy table. ``on_rows`` receives the rows after each
    temperature (so that finished work can be saved)."""
    rng = np.random.default_rng(protocol.seed)
    md = LammpsLJ(model, model.random_positions(int(rng.integers(2**31))))
    q = LammpsLJ(model, md.positions())
    md.minimize(fmax=1e-2)  # remove overlaps of the random start
    md.velocity_create(protocol.t_melt, int(rng.integers(2**31)))
    md.run_nvt(protocol.n_melt, protocol.t_melt)
    rows: list[dict] = []
    glass = None
    for T in protocol.temperatures:
        md.run_nvt(protocol.n_equil, T)
        for k in range(protocol.n_samples):
            if k:
                md.run_nvt(protocol.n_spacing, T)
            glass = quench(q, md.positions())
            rows.append({"T_parent [eps/k_B]": T, "sample": k,
                         "e_IS [eps/particle]": glass.energy / model.n_atoms,
                         "fmax [eps/sigma]": glass.fmax})
            if progress is not None:
                progress(f"T = {T}", 1)
        if on_rows is not None:
            on_rows(rows)
    md.close()
    q.close()
    return glass, rows


def _glass_id(x: np.ndarray) -> str:
    """Fingerprint of a glass: SHA-256 of its positions [σ] (float64, C order)."""
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float64).tobytes()).hexdigest()


def _previous_outputs(out: Path) -> list[Path]:
    """The files of an earlier finished ``prepare`` or of any ``search`` in ``out`` (the
    partial IS-energy table of an interrupted ``prepare`` is not one: it is redone)."""
    out = Path(out)
    found = [f for f in (out / "prepare" / "glass.npz", out / "prepare" / "meta.json",
                         out / "search" / CATALOG_NAME, out / "search" / "catalog.csv",
                         out / "search" / "meta.json")
             if f.exists()]
    configs = out / "search" / "configs"
    if configs.is_dir() and any(configs.iterdir()):
        found.append(configs)
    return found


def _move_aside(out: Path) -> Path:
    """Move ``out``/prepare, search and report into a new ``out``/superseded-<time>/."""
    out = Path(out)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dest = out / f"superseded-{stamp}"
    k = 1
    while dest.exists():
        k += 1
        dest = out / f"superseded-{stamp}-{k}"
    dest.mkdir(parents=True)
    for name in ("prepare", "search", "report"):
        if (out / name).exists():
            (out / name).replace(dest / name)
    return dest


def prepare(out: Path, model: BinaryLJ, units: UnitMapping,
            protocol: PrepareProtocol | None = None, *,
            progress: Callable[[str, int], None] | None = None, force: bool = False) -> dict:
    """Equilibrate, cool and quench (see :class:`PrepareProtocol`); write DIR/prepare/.

    Parameters
    ----------
    out : the folder DIR
    model, units : the glass former and the reduced-to-physical unit mapping
    protocol : the preparation (default :class:`PrepareProtocol`)
    progress : called with (message, 1) after each inherent structure
    force : if DIR already holds a prepared glass or a search, move DIR/prepare, DIR/search
        and DIR/report aside into DIR/superseded-<time>/ (nothing is deleted) and prepare
        anew

    Returns the IS-energy table, the glass energy [ε], the folder DIR/prepare (``dir``) and
    the folder the old outputs were moved to (``superseded``; None if none).

    Raises
    ------
    CatalogError : DIR holds a glass or a search and ``force`` is False (a new glass under
        the old search would mix the double wells of two glasses); nothing is written
    """
    protocol = protocol or PrepareProtocol()
    old = _previous_outputs(out)
    superseded = None
    if old:
        if not force:
            what = ", ".join(str(f.relative_to(Path(out))) for f in old)
            raise CatalogError(
                f"{out} already holds a glass or a search ({what}); preparing again would "
                "put a new glass under the old search and mix the double wells of two "
                "glasses. Choose another --out, or pass --force (force=True) to move the old "
                f"outputs aside into {Path(out) / 'superseded-<time>'}")
        superseded = _move_aside(out)
    d = Path(out) / "prepare"
    d.mkdir(parents=True, exist_ok=True)
    meta = {"model": model.to_dict(), "units": units.to_dict(), "engine": engine_version(),
            "protocol": asdict(protocol), "units_of": {"positions": "sigma", "energy": "eps",
                                                      "temperature": "eps/k_B"},
            "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    rows_path = d / "is_energies.csv"
    t0 = time.perf_counter()
    glass, rows = make_glass(
        model, protocol, progress=progress,
        on_rows=lambda rows: pd.DataFrame(rows).to_csv(rows_path, index=False))
    np.savez_compressed(d / "glass.npz", positions=glass.x, energy=glass.energy,
                        types=model.types, box_length=model.box_length)
    meta["glass_sha256"] = _glass_id(glass.x)
    meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    meta["wall_s"] = time.perf_counter() - t0
    _write_json(d / "meta.json", meta)
    return {"is_energies": pd.DataFrame(rows), "glass_energy": glass.energy, "dir": d,
            "superseded": superseded}


def load_prepared(out: Path) -> tuple[BinaryLJ, UnitMapping, np.ndarray, dict]:
    """Model, unit mapping, glass positions [σ] and metadata of a finished ``prepare``."""
    d = Path(out) / "prepare"
    if not (d / "meta.json").exists() or not (d / "glass.npz").exists():
        raise FileNotFoundError(f"{d} holds no finished `coldglass landscape prepare` run")
    meta = json.loads((d / "meta.json").read_text())
    model = BinaryLJ.from_dict(meta["model"])
    units = UnitMapping(**meta["units"])
    with np.load(d / "glass.npz") as z:
        x = z["positions"]
    return model, units, x, meta


def catalog_path(out: Path) -> Path:
    """The SQLite catalog of the search in ``out``: ``out/search/catalog.sqlite``."""
    return Path(out) / "search" / CATALOG_NAME


def load_catalog(out: Path) -> pd.DataFrame:
    """The double wells of the search in ``out`` with plain column names (units in
    :data:`~coldglass.landscape.tunneling.DWP_UNITS`): from its SQLite catalog, or from the
    CSV catalog of a search made by coldglass before the catalog (read as it is)."""
    db = catalog_path(out)
    if db.exists():
        from .catalog import Catalog

        with Catalog(db, readonly=True) as cat:
            return cat.dwps()
    path = Path(out) / "search" / "catalog.csv"
    if not path.exists():
        raise FileNotFoundError(f"{db} does not exist; run `coldglass landscape search`")
    df = pd.read_csv(path)
    return df.rename(columns=lambda c: c.split(" [")[0])


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _export(d: Path, meta: dict) -> tuple[Path, Path | None]:
    """Write the CSV export ``d/catalog.csv`` of the catalog. An export that differs from
    the one written last (edited by hand) is first moved aside to
    ``catalog.edited-<time>.csv``, never overwritten. Returns (export, moved-aside file)."""
    from .catalog import Catalog

    csv = d / "catalog.csv"
    moved = None
    if csv.exists() and _sha256(csv) != meta.get("export_sha256"):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved = d / f"catalog.edited-{stamp}.csv"
        k = 1
        while moved.exists():
            k += 1
            moved = d / f"catalog.edited-{stamp}-{k}.csv"
        csv.replace(moved)
    with Catalog(d / CATALOG_NAME) as cat:
        cat.to_csv(csv)
    meta["export_sha256"] = _sha256(csv)
    return csv, moved


def _prepared_glass(out: Path, x: np.ndarray, pmeta: dict) -> dict:
    """The glass of a ``prepare`` folder as a campaign's sample record (positions, energy,
    fmax and the IS-energy rows, the preparation seed and its wall time)."""
    d = Path(out) / "prepare"
    with np.load(d / "glass.npz") as z:
        energy = float(z["energy"])
    rows = pd.read_csv(d / "is_energies.csv")
    wall = pmeta.get("wall_s")
    if wall is None and pmeta.get("started") and pmeta.get("finished"):
        fmt = "%Y-%m-%dT%H:%M:%S"
        wall = (time.mktime(time.strptime(pmeta["finished"], fmt))
                - time.mktime(time.strptime(pmeta["started"], fmt)))
    return {"x": x, "energy": energy, "fmax": float(rows["fmax [eps/sigma]"].iloc[-1]),
            "seed": int(pmeta["protocol"]["seed"]), "wall_s": float(wall or 0.0),
            "is_energies": [{"T_parent": float(r["T_parent [eps/k_B]"]),
                             "configuration": int(r["sample"]),
                             "e_IS": float(r["e_IS [eps/particle]"]),
                             "fmax": float(r["fmax [eps/sigma]"])}
                            for _, r in rows.iterrows()]}


def search(out: Path, protocol: SearchProtocol | None = None, *, n_segments: int = 1,
           progress: Callable[[str, int], None] | None = None) -> dict:
    """Search the prepared glass of ``out``: ``n_segments`` more segments of a campaign run
    in this process into ``out/search/catalog.sqlite``
    (:func:`~coldglass.landscape.campaign.run_campaign` with ``workers=0`` and the prepared
    glass as its one sample), then the CSV export ``out/search/catalog.csv``.

    The campaign's seed is ``protocol.seed``: segment J of the search runs with the seed
    :func:`~coldglass.landscape.campaign.task_seed` (seed, 0, J + 1), exactly as segment J
    of ``coldglass landscape campaign --seed SEED`` on the same glass, so both give the same
    catalog. A rerun with the same protocol adds ``n_segments`` segments (the pair selector
    goes on from the catalog); a rerun with another protocol is refused. Every finished
    segment is in the catalog at once: an interrupted search loses only the segment running.

    Parameters
    ----------
    out : the folder of a finished ``prepare``
    protocol : the search (default :class:`SearchProtocol`)
    n_segments : segments to add, >= 1
    progress : called with (message, 1) after every quench and selection round

    Returns the search's bookkeeping (``meta.json``'s last run): segments added and in
    total, new double wells, the catalog's double wells, wall time, the export paths.

    Raises
    ------
    FileNotFoundError : ``out`` holds no finished ``prepare``
    CatalogError : ``out/search`` holds a search of another glass or protocol, or a CSV
        search of an older coldglass (it is read by ``landscape report``, never appended to)
    InputError : ``n_segments`` < 1
    """
    from .campaign import CampaignProtocol, run_campaign

    protocol = protocol or SearchProtocol()
    if int(n_segments) != n_segments or n_segments < 1:
        raise InputError(f"n_segments must be an integer >= 1, got {n_segments!r}")
    model, units, x_glass, pmeta = load_prepared(out)
    d = Path(out) / "search"
    db = d / CATALOG_NAME
    if not db.exists() and ((d / "catalog.csv").exists() or (d / "configs").is_dir()):
        raise CatalogError(
            f"{d} holds a search of an older coldglass (catalog.csv and configs/, no "
            f"{CATALOG_NAME}); `coldglass landscape report` reads it as it is, but it is not "
            "appended to. Search in a new folder, or prepare this one again with --force "
            "(the old outputs are moved aside)")
    d.mkdir(parents=True, exist_ok=True)
    meta_path = d / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    from .catalog import Catalog

    planned, recorded, n_before = 0, set(), 0
    if db.exists():
        with Catalog(db, readonly=True, verify=False) as cat:  # (the campaign checks it)
            prov = cat.provenance()
            planned = (prov or {}).get("protocol", {}).get("n_segments", 0)
            n_before = len(cat.dwps())
            x_old = cat.glass(0)
            tasks = cat.table("tasks", ["key", "kind"])
            recorded = set(tasks.loc[tasks["kind"] == "segment", "key"])
        if x_old is not None and not np.array_equal(x_old, x_glass):
            raise CatalogError(f"{db} holds a search of another glass than "
                               f"{Path(out) / 'prepare'}; appending would mix the double wells "
                               "of two glasses. Search in a new folder, or prepare this one "
                               "again with --force")
    prep = PrepareProtocol(**pmeta["protocol"])
    # n_segments more than the segments recorded; an interrupted search had planned more
    # (its plan cannot shrink), and those run first
    camp = CampaignProtocol(n_samples=1, n_segments=max(planned, len(recorded) + int(n_segments)),
                            seed=protocol.seed, prepare=prep, search=protocol)
    glass = _prepared_glass(out, x_glass, pmeta)

    def tick(msg: str) -> None:
        if progress is not None:
            progress(msg, 1 if msg in ("quench",) or msg.startswith("round") else 0)

    try:
        res = run_campaign(db, camp, model, units, workers=0, glasses={0: glass},
                           task_progress=tick)
    except CatalogError as exc:  # the campaign's advice, in the words of this command
        msg = re.sub(r"search\.(\w+)", lambda m: "--" + m[1].replace("_", "-"), str(exc))
        raise CatalogError(msg.replace("start a new --catalog",
                                       "search in a new --out folder")) from None
    csv, moved = _export(d, meta)
    meta["catalog"] = CATALOG_NAME
    _write_json(meta_path, meta)  # the export's checksum at once: it is not an edit
    with Catalog(db, verify=False) as cat:  # (a writable close removes the -shm/-wal files)
        n_dwps = len(cat.dwps())
        tasks = cat.table("tasks")
    seg = tasks[tasks["kind"] == "segment"]
    ran = seg[~seg["key"].isin(recorded)]
    failed = ran.loc[ran["status"] == "failed", "key"].tolist()
    run = {"segments_added": len(ran), "segments": len(seg),
           "new_dwps": n_dwps - n_before, "n_catalog": n_dwps, "tasks_run": res["tasks_run"],
           "failed": failed, "wall_s": res["wall_s"], "glass_sha256": _glass_id(x_glass),
           "finished": time.strftime("%Y-%m-%dT%H:%M:%S")}
    meta["runs"] = [*meta.get("runs", []), run]
    _write_json(meta_path, meta)
    return {**run, "catalog": db, "export": csv, "edited_export": moved}
