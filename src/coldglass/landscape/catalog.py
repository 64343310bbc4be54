"""The landscape catalog: minima, saddles, paths and double wells in one SQLite database.

Following the energy-landscape convention of pele and PATHSAMPLE, a campaign keeps its
stationary points in a database rather than in loose files:

=============  ==============================================================================
``meta``       schema version, application, creation time
``provenance`` the model, unit mapping, engine version and protocols of the campaign
``tasks``      one row per finished task (its key, seed, cost and outcome)
``glasses``    one row per glass sample (its quenched glass is a row of ``minima``)
``is_energies``inherent-structure energy per particle vs parent temperature of each sample
``minima``     distinct minima of each sample (energy, max force, configuration)
``saddles``    distinct index-1 saddles (energy, lowest Hessian eigenvalues, configuration)
``paths``      the CI-NEB path of each double well (images and energies)
``dwps``       verified double wells with every tunnelling parameter
``candidates`` every pair of inherent structures a search segment took as a candidate, with
               its cheap features, its label (``new``, ``dwp``, ``rejected``), E_qs of the
               well joining it, the round it was verified in, how it was selected and
               the force calls its verification took
``models``     the pair selector of each search segment (version, scikit-learn version,
               the candidate ids it was trained on, the pickled trees)
``column_units`` the unit of every numeric column of every table
=============  ==============================================================================

Only the campaign client writes, one transaction per finished task (the task row and all of
its records commit together or not at all), so a campaign killed at any moment -- SIGKILL
included -- leaves a consistent catalog. The catalog itself is created in one explicit
transaction (schema, ``meta`` and ``column_units`` commit together), so a file killed during
its creation holds either nothing (and is completed on the next writing open) or the whole
schema. Every open runs ``PRAGMA integrity_check``; each committed task is checkpointed into
the database file (``-wal`` emptied on close), so a copy of the ``.sqlite`` file alone holds
every committed task. Configurations are stored as compressed ``.npz``
blobs [σ] (a path's blob also holds its 1D profile,
:func:`~coldglass.landscape.tunneling.path_profile`, so that the splitting can be recomputed
under another unit mapping); every inherent structure a search segment visited is a row of
``minima``; a parameter that could not be determined (NaN, e.g. a splitting below the
solver's resolution) is stored as NULL. A minimum (saddle) found twice is merged: same
sample, energies within ``e_tol`` and configurations within ``x_tol`` after the optimal
permutation of identical particles (Hungarian assignment per species, minimum-image distances).

Schema version 2 added ``candidates`` and ``models``, version 3 the column ``cost_calls`` of
``candidates`` (NULL for the pairs of an older catalog); an older catalog is migrated in one
transaction when it is opened for writing (its rows are kept as they are), and read as it is
when opened read-only.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
import urllib.parse
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CatalogError, InputError  # (CatalogError re-exported)
from .features import FEATURE_UNITS, FEATURES
from .identity import minimum_distance
from .model import BinaryLJ
from .tunneling import DWP_UNITS, profile_arrays, profile_from_arrays

__all__ = ["Catalog", "CatalogError", "SCHEMA_VERSION", "pack", "unpack",
           "permutation_distance", "CANDIDATE_STATUS"]

#: bumped whenever the tables change; older versions are migrated, newer ones refused
SCHEMA_VERSION = 3
#: the labels of a candidate pair
CANDIDATE_STATUS = ("new", "dwp", "rejected")
#: ``PRAGMA application_id`` of a coldglass landscape catalog ("cGLS")
APPLICATION_ID = 0x63474C53
_SQLITE_MAGIC = b"SQLite format 3\x00"

#: extra double-well columns beyond :data:`~coldglass.landscape.tunneling.DWP_UNITS`
DWP_EXTRA_UNITS = {
    "saddle_eig_1": "eps/sigma^2", "saddle_eig_2": "eps/sigma^2", "saddle_fmax": "eps/sigma",
    "min_fmax": "eps/sigma", "V_neb_K": "K", "neb_converged": "bool",
    "force_calls": "force calls",
}
DWP_COLUMNS = tuple(DWP_UNITS) + tuple(DWP_EXTRA_UNITS)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE column_units (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
    unit TEXT NOT NULL, PRIMARY KEY (table_name, column_name));
CREATE TABLE provenance (id INTEGER PRIMARY KEY, model TEXT NOT NULL, units TEXT NOT NULL,
    engine TEXT NOT NULL, protocol TEXT NOT NULL, seed INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE tasks (key TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('sample','segment')),
    sample INTEGER NOT NULL, segment INTEGER, seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done','failed')), error TEXT,
    provenance_id INTEGER NOT NULL REFERENCES provenance(id),
    wall_s REAL NOT NULL, force_calls INTEGER NOT NULL, n_dwps INTEGER NOT NULL,
    stats TEXT NOT NULL, worker TEXT, finished TEXT NOT NULL);
CREATE TABLE glasses (sample INTEGER PRIMARY KEY,
    task_key TEXT NOT NULL UNIQUE REFERENCES tasks(key),
    minimum_id INTEGER REFERENCES minima(id), energy_eps REAL NOT NULL);
CREATE TABLE is_energies (id INTEGER PRIMARY KEY,
    sample INTEGER NOT NULL REFERENCES glasses(sample), T_parent REAL NOT NULL,
    configuration INTEGER NOT NULL, e_IS REAL NOT NULL, fmax REAL NOT NULL);
CREATE TABLE minima (id INTEGER PRIMARY KEY, sample INTEGER NOT NULL REFERENCES glasses(sample),
    energy REAL NOT NULL, fmax REAL NOT NULL, config BLOB NOT NULL,
    n_found INTEGER NOT NULL DEFAULT 1, task_key TEXT NOT NULL REFERENCES tasks(key));
CREATE INDEX minima_energy ON minima (sample, energy);
CREATE TABLE saddles (id INTEGER PRIMARY KEY, sample INTEGER NOT NULL REFERENCES glasses(sample),
    energy REAL NOT NULL, eig_1 REAL NOT NULL, eig_2 REAL NOT NULL, fmax REAL NOT NULL,
    config BLOB NOT NULL, n_found INTEGER NOT NULL DEFAULT 1,
    task_key TEXT NOT NULL REFERENCES tasks(key));
CREATE INDEX saddles_energy ON saddles (sample, energy);
CREATE TABLE paths (id INTEGER PRIMARY KEY, saddle_id INTEGER NOT NULL REFERENCES saddles(id),
    min_a INTEGER NOT NULL REFERENCES minima(id), min_b INTEGER NOT NULL REFERENCES minima(id),
    n_images INTEGER NOT NULL, images BLOB NOT NULL);
CREATE TABLE dwps (id INTEGER PRIMARY KEY, sample INTEGER NOT NULL REFERENCES glasses(sample),
    min_a INTEGER NOT NULL REFERENCES minima(id), min_b INTEGER NOT NULL REFERENCES minima(id),
    saddle_id INTEGER NOT NULL REFERENCES saddles(id),
    path_id INTEGER NOT NULL REFERENCES paths(id),
    task_key TEXT NOT NULL REFERENCES tasks(key), route TEXT NOT NULL,
    n_found INTEGER NOT NULL DEFAULT 1,
    {dwp_columns},
    UNIQUE (min_a, min_b, saddle_id));
"""

#: the tables version 2 added (created by a new catalog and by the migration of version 1)
_SCHEMA_V2 = """
CREATE TABLE candidates (id INTEGER PRIMARY KEY,
    sample INTEGER NOT NULL REFERENCES glasses(sample),
    task_key TEXT NOT NULL REFERENCES tasks(key),
    min_a INTEGER NOT NULL REFERENCES minima(id), min_b INTEGER NOT NULL REFERENCES minima(id),
    {feature_columns},
    status TEXT NOT NULL CHECK (status IN ('new','dwp','rejected')),
    E_qs_K REAL, round INTEGER NOT NULL, selected_by TEXT NOT NULL, cost_calls REAL,
    CHECK (min_a < min_b), UNIQUE (sample, min_a, min_b));
CREATE TABLE models (id INTEGER PRIMARY KEY, sample INTEGER NOT NULL REFERENCES glasses(sample),
    task_key TEXT NOT NULL UNIQUE REFERENCES tasks(key), version INTEGER NOT NULL,
    sklearn TEXT NOT NULL, n_train INTEGER NOT NULL, training TEXT NOT NULL,
    blob BLOB NOT NULL)
"""

_UNITS = {
    "provenance": {"seed": "1"},
    "tasks": {"seed": "1", "wall_s": "s", "force_calls": "force calls", "n_dwps": "1",
              "sample": "1", "segment": "1"},
    "glasses": {"sample": "1", "energy_eps": "eps"},
    "is_energies": {"sample": "1", "T_parent": "eps/k_B", "configuration": "1",
                    "e_IS": "eps/particle", "fmax": "eps/sigma"},
    "minima": {"sample": "1", "energy": "eps", "fmax": "eps/sigma", "config": "sigma (npz)",
               "n_found": "1"},
    "saddles": {"sample": "1", "energy": "eps", "eig_1": "eps/sigma^2", "eig_2": "eps/sigma^2",
                "fmax": "eps/sigma", "config": "sigma (npz)", "n_found": "1"},
    "paths": {"n_images": "1", "images": "sigma, eps (npz)"},
    "dwps": {"sample": "1", "n_found": "1", **DWP_UNITS, **DWP_EXTRA_UNITS},
    "candidates": {"sample": "1", **FEATURE_UNITS, "E_qs_K": "K", "round": "1",
                   "cost_calls": "force calls"},
    "models": {"sample": "1", "version": "1", "n_train": "pairs",
               "blob": "pickled PairSelector"},
}
#: the tables whose units versions 2 and 3 added
_UNITS_V2 = ("candidates", "models")
#: version 3: the cost (force calls) of each verified candidate (a version-2 table gains the column)
_V3_STATEMENTS = ("ALTER TABLE candidates ADD COLUMN cost_calls REAL",)


def pack(**arrays: np.ndarray) -> bytes:
    """Arrays as a compressed ``.npz`` blob."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def unpack(blob: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(blob)) as z:
        return {k: z[k] for k in z.files}


def permutation_distance(model: BinaryLJ, x: np.ndarray, y: np.ndarray) -> float:
    """Largest matched single-particle distance [σ] (translation removed, identical particles
    permuted): :func:`coldglass.landscape.identity.minimum_distance`, the one predicate."""
    return minimum_distance(model, x, y)


def _changed(a: dict, b: dict, prefix: str = "") -> list[str]:
    """The keys (dotted into nested dicts) whose values differ between ``a`` and ``b``."""
    out = []
    for k in sorted(set(a) | set(b)):
        u, v = a.get(k), b.get(k)
        if isinstance(u, dict) and isinstance(v, dict):
            out += _changed(u, v, f"{prefix}{k}.")
        elif u != v:
            out.append(f"{prefix}{k}")
    return out


def _check_file(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head != _SQLITE_MAGIC:
        raise CatalogError(f"{path} is not an SQLite database (a corrupt or foreign file); "
                           "it is left untouched -- choose another --catalog")


def _v2_statements() -> list[str]:
    """The statements of :data:`_SCHEMA_V2` (the tables version 2 added)."""
    cols = ",\n    ".join(f'"{c}" REAL NOT NULL' for c in FEATURES)
    return [st.strip() for st in _SCHEMA_V2.format(feature_columns=cols).split(";")
            if st.strip()]


def _schema_statements() -> list[str]:
    """The statements of :data:`_SCHEMA` and :data:`_SCHEMA_V2`, one by one (no statement
    holds a semicolon)."""
    cols = ",\n    ".join(f'"{c}" REAL' for c in DWP_COLUMNS)
    return [st.strip() for st in _SCHEMA.format(dwp_columns=cols).split(";")
            if st.strip()] + _v2_statements()


#: the tables and indices of the schema (an older coldglass's interrupted creation has some)
_SCHEMA_NAMES = frozenset(st.split()[2] for st in _schema_statements())
_SCHEMA_TABLES = frozenset(st.split()[2] for st in _schema_statements()
                           if st.startswith("CREATE TABLE"))
#: seconds a writer waits for another process's write lock (e.g. a concurrent creation)
BUSY_TIMEOUT_S = 30.0


@contextmanager
def _immediate(db: sqlite3.Connection):
    """One explicit write transaction: ``BEGIN IMMEDIATE`` (the write lock first, waiting up
    to :data:`BUSY_TIMEOUT_S` for another writer), the statements of the block, ``COMMIT``;
    rolled back on any exception, KeyboardInterrupt included."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the connection is closed by the caller; SQLite rolls back then
        raise


def _meta_rows() -> list[tuple[str, str]]:
    return [("application", "coldglass landscape catalog"),
            ("schema_version", str(SCHEMA_VERSION)),
            ("created", time.strftime("%Y-%m-%dT%H:%M:%S"))]


def _unit_rows(tables=None) -> list[tuple[str, str, str]]:
    return [(t, c, u) for t, cu in _UNITS.items() for c, u in cu.items()
            if tables is None or t in tables]


class Catalog:
    """An open landscape catalog (see the module docstring).

    Parameters
    ----------
    path : the database file; created with the current schema if it does not exist (or is
        an empty file, e.g. left by a creation killed before its commit)
    readonly : open without write access (``coldglass landscape status``)
    e_tol : energy tolerance [ε] of the duplicate test
    x_tol : largest permutation-aware single-particle distance [σ] of the duplicate test
    verify : run ``PRAGMA integrity_check`` on open (reads the whole file)

    Raises
    ------
    CatalogError : the file is damaged, foreign, of another schema version, or half-created
        and not writable here; the message names the file and the remedy. The file is left
        untouched.
    FileNotFoundError : ``readonly`` and the file does not exist
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, e_tol: float = 1e-3,
                 x_tol: float = 0.01, verify: bool = True) -> None:
        self.path = Path(path)
        self.readonly = bool(readonly)
        self.e_tol, self.x_tol = float(e_tol), float(x_tol)
        self.model: BinaryLJ | None = None
        self._closed = False
        exists = self.path.exists()
        if readonly and not exists:
            raise FileNotFoundError(f"catalog {self.path} does not exist")
        journal = self.path.with_name(self.path.name + "-journal")
        hot = journal.exists() and journal.stat().st_size > 0
        if exists and self.path.stat().st_size > 0 and not hot:
            _check_file(self.path)  # (a hot journal is SQLite's own: it restores the file)
        if readonly:
            if exists and self.path.stat().st_size == 0 and not hot:
                raise CatalogError(self._empty_message())
            uri = "file:" + urllib.parse.quote(str(self.path.absolute())) + "?mode=ro"
            self.db = sqlite3.connect(uri, uri=True)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self._create()
            self._validate(verify)
            if not readonly:
                self._migrate()
                self._use_wal()
        except sqlite3.Error as exc:
            self.db.close()
            raise self._error(exc) from None
        except BaseException:
            self.db.close()
            raise

    # ---------------------------------------------------------------- schema
    def _empty_message(self) -> str:
        return (f"{self.path} holds no catalog yet (an empty file: its creation was "
                "interrupted or is just starting); run the campaign on it to create it, or "
                "delete it")

    def _error(self, exc: sqlite3.Error) -> CatalogError:
        """A clear :class:`CatalogError` for an SQLite error met while opening."""
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_READONLY_ROLLBACK":
            return CatalogError(
                f"{self.path} has an interrupted write (hot journal {self.path.name}-journal) "
                "that only a writer can roll back; run the campaign on it again (that rolls "
                "it back and resumes), then retry")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return CatalogError(f"{self.path} is locked by another process (for more than "
                                f"{BUSY_TIMEOUT_S:g} s); retry when it is done")
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or not name:
            return CatalogError(
                f"{self.path} is a damaged SQLite file ({exc}); it is left untouched -- "
                "restore it from a copy, or salvage what is readable with "
                f"`sqlite3 {self.path} .recover | sqlite3 recovered.sqlite`")
        return CatalogError(f"{self.path} cannot be opened as a catalog ({name}: {exc})")

    def _is_empty(self) -> bool:
        """No schema at all: a new, empty or header-only file (nothing of anyone's in it)."""
        q = self.db.execute
        return (q("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
                and q("PRAGMA application_id").fetchone()[0] == 0
                and q("PRAGMA user_version").fetchone()[0] == 0)

    def _create(self) -> bool:
        """Write the schema, ``meta`` and ``column_units`` into an empty database in one
        transaction (statement by statement, no implicit commit): a kill at any moment
        leaves either the empty file or the complete catalog. Returns False (and writes
        nothing) if the database is not empty -- an existing catalog, or one that a
        concurrent process created while this one waited for the write lock."""
        if not self._is_empty():
            return False
        with _immediate(self.db):
            if not self._is_empty():  # created by another process meanwhile: open it
                return False
            for statement in _schema_statements():
                self.db.execute(statement)
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", _meta_rows())
            self.db.executemany("INSERT INTO column_units VALUES (?, ?, ?)", _unit_rows())
        return True

    def _validate(self, verify: bool) -> None:
        """Refuse a foreign, other-version, damaged or half-created file (CatalogError);
        complete the ``meta`` rows of a catalog whose creation an older coldglass left
        unfinished (writable opens only)."""
        q = self.db.execute
        app = q("PRAGMA application_id").fetchone()[0]
        ver = q("PRAGMA user_version").fetchone()[0]
        if app != APPLICATION_ID:
            names = {r[0] for r in q("SELECT name FROM sqlite_master WHERE name NOT LIKE "
                                     "'sqlite\\_%' ESCAPE '\\'")}
            if not names:
                raise CatalogError(self._empty_message())
            if names <= _SCHEMA_NAMES and all(q(f"SELECT COUNT(*) FROM {n}").fetchone()[0] == 0
                                              for n in names & _SCHEMA_TABLES):
                raise CatalogError(f"{self.path} holds the empty tables of a catalog creation "
                                   "interrupted by an older coldglass, and no data; delete it "
                                   "and run the campaign again")
            raise CatalogError(f"{self.path} is an SQLite database of another application "
                               f"(application_id {app:#x}); it is left untouched")
        if ver > SCHEMA_VERSION or ver < 1:
            raise CatalogError(f"{self.path} has catalog schema version {ver}; this coldglass "
                               f"reads versions 1 to {SCHEMA_VERSION} (a newer coldglass "
                               "wrote it: upgrade)")
        self.schema_version = ver
        if verify:
            rows = [r[0] for r in q("PRAGMA integrity_check(10)")]
            if rows != ["ok"]:
                raise CatalogError(
                    f"{self.path} is damaged (SQLite integrity check: {'; '.join(rows[:3])}"
                    f"{' ...' if len(rows) > 3 else ''}); it is left untouched -- restore it "
                    "from a copy, or salvage what is readable with "
                    f"`sqlite3 {self.path} .recover | sqlite3 recovered.sqlite`")
        keys = {r[0] for r in q("SELECT key FROM meta")}
        if not {"application", "schema_version"} <= keys:
            if self.readonly:
                raise CatalogError(f"{self.path} is a half-created catalog (no meta rows: an "
                                   "older coldglass was interrupted creating it); run the "
                                   "campaign on it once (that completes it), or delete it")
            with _immediate(self.db):
                self.db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", _meta_rows())
                self.db.executemany("INSERT OR IGNORE INTO column_units VALUES (?, ?, ?)",
                                    _unit_rows())

    def _migrate(self) -> None:
        """Bring an older catalog to the current schema in one transaction: from version 1
        the tables ``candidates`` and ``models``, from version 2 the column
        ``candidates.cost_calls``; their units, the version in ``meta`` and ``user_version``.
        The rows already there are not touched; a kill during the migration leaves the
        older catalog."""
        if self.schema_version >= SCHEMA_VERSION:
            return
        with _immediate(self.db):
            ver = self.db.execute("PRAGMA user_version").fetchone()[0]
            if ver >= SCHEMA_VERSION:  # migrated by another process meanwhile
                self.schema_version = ver
                return
            for statement in _v2_statements() if ver < 2 else _V3_STATEMENTS:
                self.db.execute(statement)
            self.db.executemany("INSERT OR IGNORE INTO column_units VALUES (?, ?, ?)",
                                _unit_rows(_UNITS_V2))
            self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                            (str(SCHEMA_VERSION),))
            self.db.execute("INSERT INTO meta VALUES (?, ?)",
                            (f"migrated_from_{ver}", time.strftime("%Y-%m-%dT%H:%M:%S")))
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.schema_version = SCHEMA_VERSION

    def _use_wal(self) -> None:
        """Write-ahead logging (readers such as ``status`` never block the writer); switched
        on after the creation commit, a no-op once set (it is stored in the file)."""
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass  # busy: a reader holds the file; it stays in the (atomic) rollback mode

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        """Copy the committed transactions of the ``-wal`` file into the database file
        (``PRAGMA wal_checkpoint``), so that a copy of the ``.sqlite`` file alone holds
        them. ``mode``: ``PASSIVE`` (never waits; after each task) or ``TRUNCATE`` (also
        empties the ``-wal`` file; on close). A no-op for a read-only catalog."""
        if mode not in ("PASSIVE", "FULL", "RESTART", "TRUNCATE"):
            raise InputError(f"checkpoint mode must be PASSIVE, FULL, RESTART or TRUNCATE, "
                             f"got {mode!r}")
        if self.readonly or self._closed:
            return
        try:
            self.db.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.OperationalError:
            pass  # busy: the transactions stay safe in the -wal file until the next one

    def close(self) -> None:
        """Checkpoint (``TRUNCATE``, waiting at most 2 s for a reader in mid-query) and
        close; SQLite removes the ``-wal`` and ``-shm`` files when the last connection
        closes. Safe to call twice."""
        if self._closed:
            return
        try:
            if not self.readonly:
                self.db.execute("PRAGMA busy_timeout = 2000")
                self.checkpoint("TRUNCATE")
        finally:
            self._closed = True
            self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- provenance
    def provenance(self) -> dict | None:
        row = self.db.execute("SELECT id, model, units, engine, protocol, seed, created FROM "
                              "provenance ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        return {"id": row[0], "model": json.loads(row[1]), "units": json.loads(row[2]),
                "engine": row[3], "protocol": json.loads(row[4]), "seed": row[5],
                "created": row[6]}

    def bind(self, model: dict, units: dict, engine: str, protocol: dict, seed: int) -> int:
        """Record the campaign's provenance, or check that a resumed campaign matches it
        (one write transaction: two processes binding a new catalog at once record one
        provenance). Returns its id."""
        new = {"model": model, "units": units, "protocol": protocol, "seed": int(seed)}
        prov = self.provenance()
        if prov is None and not self.readonly:
            with _immediate(self.db):
                prov = self.provenance()  # re-read under the write lock
                if prov is None:
                    self.db.execute(
                        "INSERT INTO provenance (model, units, engine, protocol, seed, "
                        "created) VALUES (?, ?, ?, ?, ?, ?)",
                        (json.dumps(model), json.dumps(units), engine, json.dumps(protocol),
                         int(seed), time.strftime("%Y-%m-%dT%H:%M:%S")))
            if prov is None:
                self.model = BinaryLJ.from_dict(model)
                return self.provenance()["id"]
        if prov is None:
            raise CatalogError(f"{self.path} has no campaign provenance yet (opened read-only)")
        old = {k: prov[k] for k in new}
        new = json.loads(json.dumps(new))
        growing = ("n_segments", "n_tasks")  # a campaign may be extended by more segments

        def core(d):
            return {**d, "protocol": {k: v for k, v in d["protocol"].items()
                                      if k not in growing}}

        if core(new) != core(old):
            diff = [k for k in new if core(new)[k] != core(old)[k]]
            if "protocol" in diff:  # name the parameters, e.g. protocol (search.n_quench)
                keys = _changed(core(new)["protocol"], core(old)["protocol"])
                diff[diff.index("protocol")] = f"protocol ({', '.join(keys)})"
            raise CatalogError(f"{self.path} belongs to a campaign with different "
                               f"{', '.join(diff)}; resume it with the same parameters or "
                               "start a new --catalog")
        n_old = old["protocol"].get("n_segments", 0)
        n_new = new["protocol"].get("n_segments", 0)
        if n_new < n_old:
            raise CatalogError(f"{self.path} holds a campaign of {n_old} segments per glass; "
                               f"it cannot shrink to {n_new}: resume it with n_segments >= "
                               f"{n_old}")
        if n_new > n_old and not self.readonly:
            with _immediate(self.db):  # extended: the provenance states the new plan
                self.db.execute("UPDATE provenance SET protocol = ? WHERE id = ?",
                                (json.dumps(new["protocol"]), prov["id"]))
        self.model = BinaryLJ.from_dict(model)
        return prov["id"]

    # ---------------------------------------------------------------- tasks
    def finished_tasks(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT key FROM tasks")}

    def glass(self, sample: int) -> np.ndarray | None:
        row = self.db.execute("SELECT m.config FROM glasses g JOIN minima m ON "
                              "g.minimum_id = m.id WHERE g.sample = ?", (sample,)).fetchone()
        return None if row is None else unpack(row[0])["x"]

    def glass_minimum_id(self, sample: int) -> int | None:
        row = self.db.execute("SELECT minimum_id FROM glasses WHERE sample = ?",
                              (sample,)).fetchone()
        return None if row is None else row[0]

    def record_task(self, result: dict, provenance_id: int) -> int:
        """Write one finished task and all of its records in a single transaction, then
        checkpoint it into the database file (:meth:`checkpoint`).

        Returns the number of new double wells (duplicates merged)."""
        n_new = 0
        with self.db:  # one transaction: all or nothing
            self.db.execute(
                "INSERT INTO tasks (key, kind, sample, segment, seed, status, error, "
                "provenance_id, wall_s, force_calls, n_dwps, stats, worker, finished) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (result["key"], result["kind"], result["sample"], result.get("segment"),
                 result["seed"], "failed" if result.get("error") else "done",
                 result.get("error"), provenance_id, result["wall_s"],
                 result["force_calls"], len(result.get("dwps", [])),
                 json.dumps(result.get("stats", {})), result.get("worker"),
                 time.strftime("%Y-%m-%dT%H:%M:%S")))
            if result["kind"] == "sample" and not result.get("error"):
                self.db.execute("INSERT INTO glasses (sample, task_key, energy_eps) "
                                "VALUES (?, ?, ?)", (result["sample"], result["key"],
                                                     result["energy"]))
                mid = self._minimum(result["sample"], result["x"], result["energy"],
                                    result["fmax"], result["key"])
                self.db.execute("UPDATE glasses SET minimum_id = ? WHERE sample = ?",
                                (mid, result["sample"]))
                self.db.executemany(
                    "INSERT INTO is_energies (sample, T_parent, configuration, e_IS, fmax) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(result["sample"], r["T_parent"], r["configuration"], r["e_IS"],
                      r["fmax"]) for r in result["is_energies"]])
            for rec in result.get("dwps", []):
                n_new += self._dwp(result["sample"], rec, result["key"])
            if result.get("minima"):
                self._candidates(result)
        self.checkpoint("PASSIVE")  # a copy of the .sqlite file alone holds this task
        return n_new

    # ---------------------------------------------------------------- records
    def _find(self, table: str, sample: int, x: np.ndarray, energy: float) -> int | None:
        rows = self.db.execute(f"SELECT id, config FROM {table} WHERE sample = ? AND energy "
                               "BETWEEN ? AND ?", (sample, energy - self.e_tol,
                                                   energy + self.e_tol)).fetchall()
        for rid, blob in rows:
            if permutation_distance(self.model, x, unpack(blob)["x"]) < self.x_tol:
                return rid
        return None

    def _minimum(self, sample: int, x, energy: float, fmax: float, task_key: str) -> int:
        rid = self._find("minima", sample, x, energy)
        if rid is not None:
            self.db.execute("UPDATE minima SET n_found = n_found + 1 WHERE id = ?", (rid,))
            return rid
        cur = self.db.execute("INSERT INTO minima (sample, energy, fmax, config, task_key) "
                              "VALUES (?, ?, ?, ?, ?)",
                              (sample, float(energy), float(fmax), pack(x=x), task_key))
        return cur.lastrowid

    def _saddle(self, sample: int, rec: dict, task_key: str) -> int:
        rid = self._find("saddles", sample, rec["x_s"], rec["E_s"])
        if rid is not None:
            self.db.execute("UPDATE saddles SET n_found = n_found + 1 WHERE id = ?", (rid,))
            return rid
        cur = self.db.execute(
            "INSERT INTO saddles (sample, energy, eig_1, eig_2, fmax, config, task_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sample, float(rec["E_s"]), float(rec["saddle_eig_1"]), float(rec["saddle_eig_2"]),
             float(rec["saddle_fmax"]), pack(x=rec["x_s"]), task_key))
        return cur.lastrowid

    def _candidates(self, result: dict) -> None:
        """The inherent structures a segment visited (as minima), its candidate pairs and
        its pair selector. A pair already in the catalog (the same two minima) keeps its
        row; a label found now replaces an unlabelled row, and the observed transitions add
        up. The selector's training set is the catalog's labelled pairs it was given
        (``prior_ids``) and the pairs of this segment labelled before its last fit."""
        sample, key = result["sample"], result["key"]
        ids = [self._minimum(sample, m["x"], m["energy"], m["fmax"], key)
               for m in result["minima"]]
        cols = ", ".join(f'"{c}"' for c in FEATURES)
        marks = ", ".join("?" for _ in FEATURES)
        trained = list(result.get("prior_ids", []))
        for c in result.get("candidates", []):
            a, b = ids[int(c["i"])], ids[int(c["j"])]
            if a == b:
                continue  # two visited IS the catalog holds as one minimum
            a, b = min(a, b), max(a, b)
            e_qs = c["E_qs_K"] if np.isfinite(c["E_qs_K"]) else None
            cost = c.get("cost_calls", np.nan)
            cost = float(cost) if np.isfinite(cost) else None
            row = self.db.execute("SELECT id, status FROM candidates WHERE sample = ? AND "
                                  "min_a = ? AND min_b = ?", (sample, a, b)).fetchone()
            if row is None:
                cid = self.db.execute(
                    f"INSERT INTO candidates (sample, task_key, min_a, min_b, {cols}, status, "
                    f"E_qs_K, round, selected_by, cost_calls) VALUES (?, ?, ?, ?, {marks}, ?, "
                    "?, ?, ?, ?)",
                    [sample, key, a, b, *(float(c[f]) for f in FEATURES), c["status"], e_qs,
                     int(c["round"]), result["selection"], cost]).lastrowid
            else:
                cid = row[0]
                self.db.execute('UPDATE candidates SET n_obs = n_obs + ? WHERE id = ?',
                                (float(c["n_obs"]), cid))
                if row[1] == "new" and c["status"] != "new":
                    self.db.execute("UPDATE candidates SET status = ?, E_qs_K = ?, round = ?, "
                                    "task_key = ?, selected_by = ?, cost_calls = ? WHERE id = ?",
                                    (c["status"], e_qs, int(c["round"]), key,
                                     result["selection"], cost, cid))
            if c.get("trained"):
                trained.append(cid)
        model = result.get("model")
        if model is not None:
            self.db.execute("INSERT INTO models (sample, task_key, version, sklearn, n_train, "
                            "training, blob) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (sample, key, int(model["version"]), model["sklearn"],
                             len(trained), json.dumps(sorted(set(trained))), model["blob"]))

    def _dwp(self, sample: int, rec: dict, task_key: str) -> int:
        a = self._minimum(sample, rec["x_a"], rec["E_a"], rec["min_fmax"], task_key)
        b = self._minimum(sample, rec["x_b"], rec["E_b"], rec["min_fmax"], task_key)
        s = self._saddle(sample, rec, task_key)
        lo, hi = min(a, b), max(a, b)
        row = self.db.execute("SELECT id FROM dwps WHERE ((min_a = ? AND min_b = ?) OR "
                              "(min_a = ? AND min_b = ?)) AND saddle_id = ?",
                              (lo, hi, hi, lo, s)).fetchone()
        if row is not None:
            self.db.execute("UPDATE dwps SET n_found = n_found + 1 WHERE id = ?", (row[0],))
            return 0
        path = self.db.execute(
            "INSERT INTO paths (saddle_id, min_a, min_b, n_images, images) "
            "VALUES (?, ?, ?, ?, ?)", (s, a, b, len(rec["path_x"]),
                                       pack(x=rec["path_x"], **profile_arrays(
                                           rec.get("profile"))))).lastrowid
        cols = ", ".join(f'"{c}"' for c in DWP_COLUMNS)
        marks = ", ".join("?" for _ in DWP_COLUMNS)
        vals = [float(rec[c]) for c in DWP_COLUMNS]
        self.db.execute(f"INSERT INTO dwps (sample, min_a, min_b, saddle_id, path_id, task_key, "
                        f"route, {cols}) VALUES (?, ?, ?, ?, ?, ?, ?, {marks})",
                        [sample, a, b, s, path, task_key, rec["route"], *vals])
        return 1

    # ---------------------------------------------------------------- reading
    def table(self, name: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """A table without its configuration blobs, as a DataFrame."""
        if name not in _UNITS and name not in ("meta", "provenance", "column_units"):
            raise InputError(f"unknown table {name!r}")
        cols = "*" if columns is None else ", ".join(f'"{c}"' for c in columns)
        df = pd.read_sql_query(f"SELECT {cols} FROM {name}", self.db)
        return df.drop(columns=[c for c in ("config", "images") if c in df.columns])

    def dwps(self) -> pd.DataFrame:
        """The double wells with the plain column names of the CSV catalog (units in
        :data:`~coldglass.landscape.tunneling.DWP_UNITS`)."""
        return self.table("dwps")

    def configuration(self, table: str, rid: int) -> np.ndarray:
        """The stored configuration [σ] of a minimum, saddle or path (images)."""
        col = {"minima": "config", "saddles": "config", "paths": "images"}[table]
        row = self.db.execute(f"SELECT {col} FROM {table} WHERE id = ?", (rid,)).fetchone()
        if row is None:
            raise KeyError(f"no {table} record with id {rid}")
        return unpack(row[0])["x"]

    def candidates(self, sample: int | None = None) -> pd.DataFrame:
        """The candidate pairs (one row per pair of minima; empty for a version-1
        catalog), optionally of one sample."""
        if self.schema_version < 2:
            return pd.DataFrame(columns=["id", "sample", "task_key", "min_a", "min_b",
                                         *FEATURES, "status", "E_qs_K", "round",
                                         "selected_by", "cost_calls"])
        q = "SELECT * FROM candidates" + ("" if sample is None else " WHERE sample = ?")
        df = pd.read_sql_query(q + " ORDER BY id", self.db,
                               params=() if sample is None else (int(sample),))
        if "cost_calls" not in df.columns:  # a version-2 catalog opened read-only
            df["cost_calls"] = np.nan
        return df

    def models(self) -> pd.DataFrame:
        """The stored pair selectors (without their blobs; empty for a version-1 catalog)."""
        if self.schema_version < 2:
            return pd.DataFrame(columns=["id", "sample", "task_key", "version", "sklearn",
                                         "n_train", "training"])
        return pd.read_sql_query("SELECT id, sample, task_key, version, sklearn, n_train, "
                                 "training FROM models ORDER BY id", self.db)

    def latest_model(self, sample: int) -> tuple[int, bytes] | None:
        """``(id, blob)`` of the last pair selector stored for ``sample``, or None."""
        if self.schema_version < 2:
            return None
        row = self.db.execute("SELECT id, blob FROM models WHERE sample = ? ORDER BY id DESC "
                              "LIMIT 1", (int(sample),)).fetchone()
        return None if row is None else (row[0], row[1])

    def prior(self, sample: int) -> dict:
        """What a search segment of ``sample`` needs from the catalog to go on where the
        last one stopped: the labelled candidate pairs (``ids``, ``features`` table,
        ``is_dwp``, ``E_qs_K``, and the pairs as minima ids ``pairs``), the energies and
        configurations of their minima (``minima``: id -> (energy, x)), the force calls each
        labelled pair's verification took (``cost_calls``, NaN where not recorded) and the last pair
        selector's blob (``model``, None if none)."""
        lab = self.candidates(sample)
        lab = lab[lab["status"] != "new"].reset_index(drop=True)
        ids = sorted(set(lab["min_a"]) | set(lab["min_b"]))
        minima = {}
        for mid in ids:
            e, blob = self.db.execute("SELECT energy, config FROM minima WHERE id = ?",
                                      (int(mid),)).fetchone()
            minima[int(mid)] = (float(e), unpack(blob)["x"])
        model = self.latest_model(sample)
        return {"ids": [int(i) for i in lab["id"]],
                "features": lab[list(FEATURES)].reset_index(drop=True),
                "is_dwp": (lab["status"] == "dwp").to_numpy(),
                "E_qs_K": lab["E_qs_K"].to_numpy(dtype=float),
                "cost_calls": lab["cost_calls"].to_numpy(dtype=float),
                "pairs": {(int(a), int(b)): (st, float(e) if e == e else np.nan)
                          for a, b, st, e in zip(lab["min_a"], lab["min_b"], lab["status"],
                                                 lab["E_qs_K"].astype(float), strict=True)},
                "minima": minima, "model": None if model is None else model[1]}

    def path_profile(self, path_id: int) -> dict | None:
        """The 1D profile stored with a path
        (:func:`~coldglass.landscape.tunneling.path_profile`), or None for a path stored by
        an older coldglass."""
        row = self.db.execute("SELECT images FROM paths WHERE id = ?", (int(path_id),)
                              ).fetchone()
        if row is None:
            raise KeyError(f"no paths record with id {path_id}")
        return profile_from_arrays(unpack(row[0]))

    def to_csv(self, path: str | Path) -> Path:
        """The double wells as a CSV file with the unit of every column in its header
        (``V0_K [K]``), one row per distinct well; configurations stay in the catalog.
        Written to a temporary file and moved into place."""
        units = _UNITS["dwps"]
        df = self.dwps().rename(columns=lambda c: f"{c} [{units[c]}]" if c in units else c)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        df.to_csv(tmp, index=False)
        tmp.replace(path)
        return path

    def summary(self) -> dict:
        """Counts, cost and throughput of the campaign so far."""
        q = self.db.execute
        n = {t: q(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
             for t in ("glasses", "minima", "saddles", "paths", "dwps")}
        tasks = dict(q("SELECT status, COUNT(*) FROM tasks GROUP BY status").fetchall())
        wall, calls = q("SELECT COALESCE(SUM(wall_s), 0), COALESCE(SUM(force_calls), 0) "
                        "FROM tasks").fetchone()
        span = q("SELECT MIN(finished), MAX(finished) FROM tasks").fetchone()
        prov = self.provenance()
        return {"catalog": str(self.path), "schema_version": self.schema_version,
                "counts": n, "tasks": tasks, "planned_tasks": (prov or {}).get(
                    "protocol", {}).get("n_tasks"),
                "compute_s": float(wall), "force_calls": int(calls),
                "dwps_per_core_hour": (n["dwps"] / (wall / 3600.0)) if wall > 0 else None,
                "first_finished": span[0], "last_finished": span[1],
                "provenance": prov}

    def check(self) -> list[str]:
        """Consistency problems (empty if none): SQLite integrity, the ``meta`` and
        ``column_units`` rows of a complete creation, foreign keys, and that every task's
        double-well count is in the catalog."""
        problems = []
        if self.db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("SQLite integrity check failed")
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema_version") != str(self.schema_version) or "application" not in meta:
            problems.append("meta rows missing (an interrupted creation)")
        n_units = self.db.execute("SELECT COUNT(*) FROM column_units").fetchone()[0]
        expected = len(_unit_rows(None if self.schema_version >= 2 else
                                  set(_UNITS) - set(_UNITS_V2)))
        expected -= self.schema_version == 2  # version 3 added the unit of cost_calls
        if n_units != expected:
            problems.append(f"column_units holds {n_units} of {expected} units")
        fk = self.db.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"{len(fk)} broken foreign keys")
        n_tasks = self.db.execute("SELECT COALESCE(SUM(n_dwps), 0) FROM tasks").fetchone()[0]
        n_rows = self.db.execute("SELECT COALESCE(SUM(n_found), 0) FROM dwps").fetchone()[0]
        if n_tasks != n_rows:
            problems.append(f"tasks report {n_tasks} double wells, catalog holds {n_rows}")
        missing = self.db.execute("SELECT COUNT(*) FROM glasses WHERE minimum_id IS NULL"
                                  ).fetchone()[0]
        if missing:
            problems.append(f"{missing} glasses without their minimum")
        return problems
