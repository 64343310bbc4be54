"""Reliability of the landscape catalog side (no LAMMPS needed: tasks, glasses and searches
are stand-ins).

* creation in one transaction: an interrupted creation leaves an empty file that the next
  writer completes, never a half-created catalog; concurrent creators do not collide; a
  SIGKILL at random moments of creation and of the first task leaves an openable catalog
  or a clear :class:`CatalogError`;
* ``PRAGMA integrity_check`` on open; each task checkpointed, so a copy of the ``.sqlite``
  file alone holds it;
* the campaign's lock file removed on every exit path; an unreachable scheduler refused
  before anything is created;
* ``prepare`` refuses a folder holding another glass's search unless ``force``; double-well
  ids from a sequence, never from a row count.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from coldglass.errors import CatalogError, EngineUnavailable
from coldglass.landscape import catalog as catalog_mod
from coldglass.landscape.catalog import Catalog
from coldglass.landscape.model import BinaryLJ
from coldglass.landscape.units import ARGON

MODEL = BinaryLJ(n_atoms=160)


def _sample_result(k: int = 0) -> dict:
    x = MODEL.random_positions(k + 1)
    return {"key": f"sample/{k:04d}", "kind": "sample", "sample": k, "seed": k,
            "wall_s": 0.01, "force_calls": 0, "x": x, "energy": -1000.0 - k, "fmax": 0.0,
            "is_energies": [{"T_parent": 1.0, "configuration": 0, "e_IS": -6.0,
                             "fmax": 0.0}]}


def _filled(path, n: int = 3):
    with Catalog(path) as c:
        pid = c.bind(MODEL.to_dict(), ARGON.to_dict(), "test", {"n_tasks": 1}, 0)
        for k in range(n):
            c.record_task(_sample_result(k), pid)
    return path


def _consistent(path, readonly: bool = True) -> set[str]:
    """Open, assert a complete and consistent catalog, return its finished tasks."""
    with Catalog(path, readonly=readonly) as c:
        assert c.check() == []
        meta = dict(c.db.execute("SELECT key, value FROM meta").fetchall())
        assert meta["schema_version"] == str(catalog_mod.SCHEMA_VERSION)
        c.summary()
        return c.finished_tasks()


def _refused_untouched(path, match: str) -> None:
    """Opening ``path`` read-only and for writing both raise a CatalogError matching
    ``match``, and the file is byte for byte what it was."""
    before = path.read_bytes()
    for ro in (True, False):
        with pytest.raises(CatalogError, match=match):
            Catalog(path, readonly=ro)
    assert path.read_bytes() == before


# ------------------------------------------------------------------ 0. schema versions
def _as_version_1(path) -> None:
    """Turn a catalog back into what coldglass wrote before schema 2 (no candidates, no
    models, version 1 in meta and user_version)."""
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE candidates; DROP TABLE models; "
                     "DELETE FROM column_units WHERE table_name IN ('candidates', 'models'); "
                     "UPDATE meta SET value = '1' WHERE key = 'schema_version'; "
                     "PRAGMA user_version = 1;")
    db.close()


def test_a_version_1_catalog_is_read_as_it_is_and_migrated_by_a_writer(tmp_path):
    path = _filled(tmp_path / "v1.sqlite")
    _as_version_1(path)
    before = path.read_bytes()
    with Catalog(path, readonly=True) as c:  # a reader changes nothing
        assert c.schema_version == 1 and c.check() == []
        assert c.candidates().empty and c.models().empty and c.latest_model(0) is None
        assert c.finished_tasks() == {"sample/0000", "sample/0001", "sample/0002"}
    assert path.read_bytes() == before
    with Catalog(path) as c:  # a writer migrates in one transaction, keeping every row
        assert c.schema_version == catalog_mod.SCHEMA_VERSION
        meta = dict(c.db.execute("SELECT key, value FROM meta").fetchall())
        assert "migrated_from_1" in meta
        assert c.prior(0)["ids"] == [] and c.prior(0)["model"] is None
    assert _consistent(path) == {"sample/0000", "sample/0001", "sample/0002"}


def _segment_result(cost) -> dict:
    """A stand-in search segment of sample 0: two visited minima, one labelled pair."""
    from coldglass.landscape.features import FEATURES

    xs = [MODEL.random_positions(s) for s in (10, 11)]
    cand = {"i": 0, "j": 1, **{f: 0.5 for f in FEATURES}, "status": "dwp", "E_qs_K": 0.4,
            "round": 0, "trained": True, "cost_calls": cost}
    return {"key": "segment/0000/0000", "kind": "segment", "sample": 0, "segment": 0,
            "seed": 0, "wall_s": 0.01, "force_calls": 0, "selection": "ml",
            "minima": [{"x": x, "energy": -900.0 - k, "fmax": 0.0} for k, x in enumerate(xs)],
            "candidates": [cand]}


def test_a_version_2_catalog_gains_the_cost_column(tmp_path):
    # version 3 stores the force calls each verified pair cost (the cost-aware selection
    # learns from them); a version-2 catalog is read as it is and migrated by a writer, its
    # pairs' costs unknown (NaN), a new pair's cost stored
    path = _filled(tmp_path / "v2.sqlite", n=1)
    with Catalog(path) as c:
        pid = c.db.execute("SELECT id FROM provenance").fetchone()[0]
        c.record_task(_segment_result(1234.0), pid)
        assert c.prior(0)["cost_calls"].tolist() == [1234.0]
    db = sqlite3.connect(path)
    db.executescript("ALTER TABLE candidates DROP COLUMN cost_calls; "
                     "DELETE FROM column_units WHERE column_name = 'cost_calls'; "
                     "UPDATE meta SET value = '2' WHERE key = 'schema_version'; "
                     "PRAGMA user_version = 2;")
    db.close()
    before = path.read_bytes()
    with Catalog(path, readonly=True) as c:
        assert c.schema_version == 2 and c.check() == []
        assert np.isnan(c.prior(0)["cost_calls"]).all() and len(c.candidates()) == 1
    assert path.read_bytes() == before
    with Catalog(path) as c:
        assert c.schema_version == catalog_mod.SCHEMA_VERSION == 3
        meta = dict(c.db.execute("SELECT key, value FROM meta").fetchall())
        assert "migrated_from_2" in meta and meta["schema_version"] == "3"
        units = dict(c.db.execute("SELECT column_name, unit FROM column_units WHERE "
                                  "table_name = 'candidates'").fetchall())
        assert units["cost_calls"] == "force calls"
        assert np.isnan(c.prior(0)["cost_calls"]).all()  # the old row: cost unknown
        assert c.prior(0)["E_qs_K"].tolist() == [0.4]  # its label kept
    assert _consistent(path) == {"sample/0000", "segment/0000/0000"}


def test_a_catalog_of_a_newer_schema_is_refused_untouched(tmp_path):
    path = _filled(tmp_path / "v9.sqlite")
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 9")
    db.close()
    _refused_untouched(path, "schema version 9.*upgrade")


# ------------------------------------------------------------------ 1. atomic creation
def test_interrupted_creation_leaves_nothing_and_is_completed(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite"
    monkeypatch.setattr(catalog_mod, "_SCHEMA", catalog_mod._SCHEMA + "CREATE TABLE broken (;")
    with pytest.raises((CatalogError, sqlite3.Error)):
        Catalog(path)
    monkeypatch.undo()
    db = sqlite3.connect(path)  # everything rolled back: no table, no application id
    assert db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0
    db.close()
    with pytest.raises(CatalogError, match="holds no catalog yet.*run the campaign"):
        Catalog(path, readonly=True)
    assert _consistent(path, readonly=False) == set()  # the next writer completes it
    assert _consistent(path) == set()


def test_empty_and_header_only_files_are_completed(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    header = tmp_path / "header.sqlite"
    db = sqlite3.connect(header)
    db.execute("PRAGMA journal_mode = WAL")  # what a kill right after that leaves
    db.close()
    for f in (empty, header):
        with pytest.raises(CatalogError, match="holds no catalog yet"):
            Catalog(f, readonly=True)
        assert _consistent(f, readonly=False) == set()


def test_half_created_catalogs_are_completed_or_refused_with_a_remedy(tmp_path):
    # created by an older coldglass, killed before its meta rows committed
    no_meta = tmp_path / "no_meta.sqlite"
    Catalog(no_meta).close()
    with sqlite3.connect(no_meta) as db:
        db.execute("DELETE FROM meta")
        db.execute("DELETE FROM column_units")
    db.close()
    with pytest.raises(CatalogError, match="half-created.*run the campaign"):
        Catalog(no_meta, readonly=True)
    assert _consistent(no_meta, readonly=False) == set()
    assert _consistent(no_meta) == set()
    # killed within an older coldglass's executescript: some tables, no application id
    partial = tmp_path / "partial.sqlite"
    with sqlite3.connect(partial) as db:
        for st in catalog_mod._schema_statements()[:3]:
            db.execute(st)
    db.close()
    _refused_untouched(partial, "interrupted.*delete it")


def test_hot_journal_is_rolled_back_by_a_writer_and_explained_to_a_reader(tmp_path):
    src = _filled(tmp_path / "src.sqlite", 1)
    with sqlite3.connect(src) as db:
        db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    db = sqlite3.connect(src, isolation_level=None)
    db.execute("PRAGMA cache_size = 1")  # spill pages to the file before the commit
    db.execute("BEGIN IMMEDIATE")
    for k in range(100):
        db.execute("INSERT INTO meta VALUES (?, randomblob(4000))", (f"junk{k}",))
    hot = tmp_path / "hot.sqlite"  # the state a kill at this moment leaves
    shutil.copy(src, hot)
    shutil.copy(src.with_name(src.name + "-journal"), hot.with_name(hot.name + "-journal"))
    db.execute("ROLLBACK")
    db.close()
    with pytest.raises(CatalogError, match="interrupted write.*run the campaign"):
        Catalog(hot, readonly=True)
    assert _consistent(hot, readonly=False) == {"sample/0000"}  # rolled back, nothing lost
    with Catalog(hot, readonly=True) as c:
        assert c.db.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'junk%'"
                            ).fetchone()[0] == 0


# A process that imports the catalog once, then forks one child per request: the children
# start at once (no 2 s import), so that a kill after 0-50 ms lands inside the creation.
_ZYGOTE = r"""
import os, sys
from coldglass.landscape.catalog import Catalog
from coldglass.landscape.model import BinaryLJ
from coldglass.landscape.units import ARGON
m = BinaryLJ(n_atoms=160)
x = m.random_positions(1)

def create(path, full=True):
    c = Catalog(path)
    if not full:
        problems = c.check()
        c.close()
        return problems
    pid = c.bind(m.to_dict(), ARGON.to_dict(), "test", {"n_tasks": 1}, 0)
    if "sample/0000" not in c.finished_tasks():
        c.record_task({"key": "sample/0000", "kind": "sample", "sample": 0, "seed": 0,
                       "wall_s": 0.0, "force_calls": 0, "x": x, "energy": -1.0,
                       "fmax": 0.0, "is_energies": []}, pid)
    problems = c.check()
    c.close()
    return problems

print("ready", flush=True)
for line in sys.stdin:
    cmd, path, n = line.split()
    if cmd == "kill":  # one child; the test kills it
        pid = os.fork()
        if pid == 0:
            try:
                create(path)
            finally:
                os._exit(0)
        print(pid, flush=True)
        print(os.waitpid(pid, 0)[1], flush=True)
    else:  # race: n children released at the same instant, each reports its outcome
        r, w = os.pipe()
        res_r, res_w = os.pipe()
        kids = []
        for i in range(int(n)):
            pid = os.fork()
            if pid == 0:
                os.close(w)
                os.read(r, 1)  # blocks until the parent closes the write end
                try:
                    out = "ok" if create(path, full=False) == [] else "inconsistent"
                except BaseException as exc:
                    out = f"{type(exc).__name__}: {exc}".replace("\n", " ")
                os.write(res_w, (out + "\n").encode())
                os._exit(0)
            kids.append(pid)
        os.close(r)
        os.close(w)  # go
        for pid in kids:
            os.waitpid(pid, 0)
        os.close(res_w)
        with os.fdopen(res_r) as fh:
            print(" | ".join(fh.read().splitlines()), flush=True)
"""


def _read_line(proc) -> str:
    return proc.stdout.readline().strip()


@pytest.fixture(scope="module")
def zygote():
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", _ZYGOTE], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, bufsize=1)
    assert proc.stdout.readline().strip() == "ready"

    def ask(*words) -> str:
        proc.stdin.write(" ".join(map(str, words)) + "\n")
        proc.stdin.flush()
        return proc.stdout.readline().strip()

    yield proc, ask
    proc.stdin.close()
    proc.wait(timeout=30)


def test_concurrent_creation_opens_the_same_catalog(zygote, tmp_path):
    _, ask = zygote
    for trial in range(3):
        path = tmp_path / f"race{trial}" / "c.sqlite"  # a new folder too
        outcomes = ask("race", path, 4).split(" | ")
        assert outcomes == ["ok"] * 4, outcomes
        assert _consistent(path) == set()


def test_sigkill_at_random_moments_of_creation(zygote, tmp_path):
    """SIGKILL after a random delay (0-50 ms, at most 0.9 times the shortest of three
    unkilled runs, so that the kills land during the work even when the machine is loaded)
    from the start of create + bind + first task: every leftover file opens as a complete,
    consistent catalog, or a reader gets a clear CatalogError with a remedy; the next writer
    completes it."""
    proc, ask = zygote
    durations = []  # of an unkilled child here, to spread the kills over its whole work
    for i in range(3):
        ask("kill", tmp_path / f"calibrate{i}.sqlite", 0)
        t0 = time.perf_counter()
        _read_line(proc)
        durations.append(time.perf_counter() - t0)
    rng = np.random.default_rng(20240607)
    delays = rng.uniform(0.0, min(0.05, 0.9 * float(np.min(durations))), 20)
    outcomes = {"absent": 0, "refused": 0, "complete": 0, "with task": 0}
    killed = 0
    for i, delay in enumerate(delays):
        path = tmp_path / f"k{i:02d}.sqlite"
        proc_pid = int(ask("kill", path, 0))
        time.sleep(delay)
        try:
            os.kill(proc_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = int(_read_line(proc))
        killed += os.WIFSIGNALED(status)
        if not path.exists():
            outcomes["absent"] += 1
            continue
        try:
            tasks = _consistent(path)  # what `coldglass landscape status` does
            outcomes["with task" if tasks else "complete"] += 1
        except CatalogError as exc:
            assert str(path) in str(exc) and ("run the campaign" in str(exc)
                                              or "delete" in str(exc)), exc
            outcomes["refused"] += 1
        # what rerunning the campaign does: open for writing, bind, record what is missing
        with Catalog(path) as c:
            pid = c.bind(MODEL.to_dict(), ARGON.to_dict(), "test", {"n_tasks": 1}, 0)
            if "sample/0000" not in c.finished_tasks():
                c.record_task(_sample_result(0), pid)
        assert _consistent(path) == {"sample/0000"}
    print(f"{killed} of {len(delays)} killed; leftover files: {outcomes}")
    assert killed >= 8, (killed, outcomes)


# ------------------------------------------------------------------ 2. integrity check
def test_damaged_catalog_is_refused_on_open(tmp_path):
    path = _filled(tmp_path / "c.sqlite", 6)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    n_pages = len(data) // page
    assert n_pages >= 8
    mid = (n_pages // 2) * page
    data[mid:mid + 16] = b"\xa5" * 16  # a few bytes in the middle of the file
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    for ro in (True, False):
        with pytest.raises(CatalogError, match="damaged") as err:
            Catalog(path, readonly=ro)
        assert str(path) in str(err.value) and "recover" in str(err.value)
    assert path.read_bytes() == before  # left untouched


# ------------------------------------------------------------------ 3. checkpoints
def test_copy_of_the_sqlite_file_alone_holds_committed_tasks(tmp_path):
    path = tmp_path / "c.sqlite"
    reader = Catalog(_filled(path, 0), readonly=True)  # a `status` keeps the -wal alive
    try:
        with Catalog(path) as c:
            pid = c.bind(MODEL.to_dict(), ARGON.to_dict(), "test", {"n_tasks": 1}, 0)
            c.record_task(_sample_result(0), pid)
            mid = tmp_path / "mid.sqlite"
            shutil.copy(path, mid)  # mid-campaign, the writer still open
            c.record_task(_sample_result(1), pid)
        after = tmp_path / "after.sqlite"
        shutil.copy(path, after)  # after the close, a reader still open
    finally:
        reader.close()
    assert _consistent(mid) == {"sample/0000"}
    assert _consistent(after) == {"sample/0000", "sample/0001"}


# ------------------------------------------------------------------ 4. campaign exits
def _fake_tasks(monkeypatch, *, fail_at: str | None = None, exc=KeyboardInterrupt,
                sleep: float = 0.0):
    from coldglass.landscape import campaign

    def run_sample(model_d, prepare_d, sample, seed):
        time.sleep(sleep)
        return {**_sample_result(sample), "seed": seed, "worker": "test"}

    def run_segment(model_d, units_d, search_d, x, sample, segment, seed, prior=None):
        key = f"segment/{sample:04d}/{segment:04d}"
        if key == fail_at:
            raise exc("stopped here")
        time.sleep(sleep)
        return {"key": key, "kind": "segment", "sample": sample, "segment": segment,
                "seed": seed, "worker": "test", "dwps": [], "stats": {}, "force_calls": 0,
                "wall_s": 0.01}

    monkeypatch.setattr(campaign, "run_sample", run_sample)
    monkeypatch.setattr(campaign, "run_segment", run_segment)
    monkeypatch.setattr(campaign, "engine_version", lambda: "LAMMPS (stand-in)")


def _protocol(n_segments: int = 3):
    from coldglass.landscape.campaign import CampaignProtocol

    return CampaignProtocol(n_samples=1, n_segments=n_segments, seed=3)


def test_lock_and_scratch_files_removed_on_every_exit(tmp_path, monkeypatch):
    from coldglass.landscape.campaign import _lock, run_campaign

    path = tmp_path / "c.sqlite"

    def leftovers() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if p != path)

    _fake_tasks(monkeypatch, fail_at="segment/0000/0001")
    with pytest.raises(KeyboardInterrupt):
        run_campaign(path, _protocol(), MODEL, workers=0)
    assert leftovers() == []
    assert _consistent(path) == {"sample/0000", "segment/0000/0000"}

    def boom(d):
        raise RuntimeError("progress display failed")

    _fake_tasks(monkeypatch)
    with pytest.raises(RuntimeError, match="display"):
        run_campaign(path, _protocol(), MODEL, workers=0, progress=boom)
    assert leftovers() == []

    assert _consistent(path, readonly=False) == {"sample/0000", "segment/0000/0000",
                                                 "segment/0000/0001"}  # recorded, then raised
    res = run_campaign(path, _protocol(), MODEL, workers=0)
    assert res["tasks_run"] == 1 and res["already_done"] == 3  # resumed where it stopped
    assert leftovers() == []
    assert len(_consistent(path)) == 4
    with pytest.raises(CatalogError, match="shrink"):  # a refused resume cleans up too
        run_campaign(path, _protocol(2), MODEL, workers=0)
    assert leftovers() == []
    _lock(path).close()  # free again


def test_campaign_checkpoints_every_task(tmp_path, monkeypatch):
    from coldglass.landscape.campaign import run_campaign

    path = tmp_path / "c.sqlite"
    copies = []

    def copy(d):
        dest = tmp_path / f"copy{d['done']}.sqlite"
        shutil.copy(path, dest)  # only the .sqlite, mid-campaign
        copies.append((dest, d["done"]))

    _fake_tasks(monkeypatch)
    run_campaign(path, _protocol(), MODEL, workers=0, progress=copy)
    assert [n for _, n in copies] == [1, 2, 3, 4]
    for dest, n in copies:
        assert len(_consistent(dest)) == n


def test_second_campaign_on_a_new_catalog_is_refused_not_crashed(tmp_path, monkeypatch):
    from coldglass.landscape.campaign import run_campaign

    _fake_tasks(monkeypatch, sleep=0.5)
    path = tmp_path / "new" / "c.sqlite"
    go = threading.Barrier(2)
    results: list = []

    def start():
        go.wait()
        try:
            results.append(run_campaign(path, _protocol(1), MODEL, workers=0))
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            results.append(exc)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) == 2 and len(errors) == 1, results
    assert isinstance(errors[0], CatalogError) and "in use" in str(errors[0])
    assert sorted(p.name for p in path.parent.iterdir()) == ["c.sqlite"]
    assert _consistent(path) == {"sample/0000", "segment/0000/0000"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_refused_before_the_catalog_exists(tmp_path, monkeypatch):
    from coldglass.landscape import campaign

    monkeypatch.setattr(campaign, "SCHEDULER_TIMEOUT_S", 2.0, raising=False)
    path = tmp_path / "sub" / "c.sqlite"
    for address in (f"tcp://127.0.0.1:{_free_port()}", "no-port-here"):
        t0 = time.perf_counter()
        with pytest.raises(EngineUnavailable) as err:
            campaign.run_campaign(path, _protocol(), MODEL, scheduler=address)
        assert time.perf_counter() - t0 < 10
        assert address in str(err.value)
        assert not (tmp_path / "sub").exists()  # neither the catalog nor its lock


# ------------------------------------------------------------------ 5, 6. prepare, export
def _fake_engine(monkeypatch):
    """Stand-ins for LAMMPS under ``prepare`` and ``search`` (a campaign segment with the
    consecutive selection): three distinct double wells per segment, numbered on."""
    from coldglass.landscape import campaign, pipeline
    from coldglass.landscape.catalog import DWP_COLUMNS

    def make_glass(model, protocol, *, progress=None, on_rows=None):
        x = model.random_positions(protocol.seed)
        rows = [{"T_parent [eps/k_B]": T, "sample": 0, "e_IS [eps/particle]": -7.0,
                 "fmax [eps/sigma]": 0.0} for T in protocol.temperatures]
        if on_rows is not None:
            on_rows(rows)
        return SimpleNamespace(x=x, energy=-7.0 * model.n_atoms, fmax=0.0), rows

    class Engine:
        n_force_calls = 0

        def __init__(self, model, x):
            self.x = x

        def close(self):
            pass

    made = {"n": 0}

    def candidates(md, q, t_md, n, interval, seed=None, progress=None):
        return [], [object(), object(), object()]

    def verify(q, cand, units, stats, **kw):
        made["n"] += 1
        k = made["n"]
        if k == made.get("interrupt_at"):
            raise KeyboardInterrupt  # Ctrl-C during this verification
        x = np.full((MODEL.n_atoms, 3), float(k))
        rec = {c: 1.0 for c in DWP_COLUMNS}
        rec.update({"route": "is-transition", "E_a": -k, "E_b": -k + 0.1, "E_s": -k + 0.5,
                    "V0_K": 10.0 * k, "saddle_eig_1": -1.0, "x_a": x, "x_b": x + 0.1,
                    "x_s": x + 0.05, "path_x": np.stack([x, x + 0.05, x + 0.1])})
        return [rec], q

    monkeypatch.setattr(pipeline, "make_glass", make_glass)
    monkeypatch.setattr(pipeline, "engine_version", lambda: "LAMMPS (stand-in)")
    monkeypatch.setattr(campaign, "engine_version", lambda: "LAMMPS (stand-in)")
    monkeypatch.setattr(campaign, "LammpsLJ", Engine)
    monkeypatch.setattr(campaign, "is_transition_candidates", candidates)
    monkeypatch.setattr(campaign, "verify_safely", verify)
    return made


def _search_protocol():
    from coldglass.landscape.pipeline import SearchProtocol

    return SearchProtocol(n_quench=2, routes=["is-transition"], selection="consecutive")


def _snapshot(folder) -> dict:
    """Every file under ``folder`` and its bytes; SQLite's shared-memory index and empty
    write-ahead log (``-shm``, ``-wal``: made and removed by readers) are not the user's."""
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-shm", "-wal"))}


def test_prepare_refuses_a_folder_holding_another_glass_search(tmp_path, monkeypatch):
    from coldglass.landscape.pipeline import PrepareProtocol, load_catalog, prepare, search

    _fake_engine(monkeypatch)
    out = tmp_path / "ls"
    first = prepare(out, MODEL, ARGON, PrepareProtocol(seed=1))
    assert first.get("superseded") is None
    search(out, _search_protocol())
    assert len(load_catalog(out)) == 3
    before = _snapshot(out)
    with pytest.raises(CatalogError, match="already holds.*--force"):
        prepare(out, MODEL, ARGON, PrepareProtocol(seed=2))
    assert _snapshot(out) == before  # nothing of the user's touched
    res = prepare(out, MODEL, ARGON, PrepareProtocol(seed=2), force=True)
    old = res["superseded"]
    assert old is not None and old.parent == out
    assert _snapshot(old) == before  # moved aside whole (the SQLite catalog too)
    assert (old / "search" / "catalog.sqlite").exists()
    assert not (out / "search").exists()
    search(out, _search_protocol())  # a fresh search of the new glass only
    assert len(load_catalog(out)) == 3
    # a search folder of another glass put back by hand is refused, not appended to
    shutil.rmtree(out / "search")
    shutil.copytree(old / "search", out / "search")
    kept = _snapshot(out / "search")
    with pytest.raises(CatalogError, match="another glass"):
        search(out, _search_protocol())
    assert _snapshot(out / "search") == kept


def test_prepare_redoes_an_interrupted_prepare_without_force(tmp_path, monkeypatch):
    from coldglass.landscape.pipeline import PrepareProtocol, load_prepared, prepare

    _fake_engine(monkeypatch)
    out = tmp_path / "ls"
    (out / "prepare").mkdir(parents=True)
    (out / "prepare" / "is_energies.csv").write_text("T_parent [eps/k_B],sample\n2.0,0\n")
    prepare(out, MODEL, ARGON, PrepareProtocol(seed=1))
    assert load_prepared(out)[2].shape == (MODEL.n_atoms, 3)


def test_search_adds_segments_and_moves_an_edited_export_aside(tmp_path, monkeypatch):
    """The CSV is an export of the catalog: rewritten after every search, but an export the
    user edited is moved aside first, never overwritten; a rerun adds segments, another
    protocol is refused naming the parameter, and a folder of the old CSV format is read by
    load_catalog but never appended to."""
    from coldglass.landscape.pipeline import (
        PrepareProtocol,
        SearchProtocol,
        load_catalog,
        prepare,
        search,
    )

    _fake_engine(monkeypatch)
    out = tmp_path / "ls"
    prepare(out, MODEL, ARGON, PrepareProtocol(seed=1))
    run = search(out, _search_protocol())
    csv = out / "search" / "catalog.csv"
    assert run["segments"] == 1 and run["new_dwps"] == 3 and run["edited_export"] is None
    assert "V0_K [K]" in csv.read_text().splitlines()[0]
    edited = csv.read_text().replace("-1.0", "-1.5")  # a user fixes a number by hand
    csv.write_text(edited)
    run = search(out, _search_protocol(), n_segments=2)
    assert run["segments"] == 3 and run["new_dwps"] == 6
    assert run["edited_export"].read_text() == edited  # kept, under another name
    assert len(pd.read_csv(csv)) == len(load_catalog(out)) == 9
    run = search(out, _search_protocol())  # an unedited export is simply rewritten
    assert run["edited_export"] is None and len(pd.read_csv(csv)) == 12
    kept = _snapshot(out / "search")
    with pytest.raises(CatalogError, match=r"protocol \(--n-quench\)"):
        search(out, SearchProtocol(n_quench=5, routes=["is-transition"],
                                   selection="consecutive"))
    with pytest.raises(ValueError, match="n_segments"):
        search(out, _search_protocol(), n_segments=0)
    assert _snapshot(out / "search") == kept
    # an older coldglass's CSV search: read as it is, not appended to
    legacy = tmp_path / "legacy"
    shutil.copytree(out / "prepare", legacy / "prepare")
    (legacy / "search" / "configs").mkdir(parents=True)
    pd.read_csv(csv).rename(columns={"id": "dwp_id"}).to_csv(legacy / "search" / "catalog.csv",
                                                             index=False)
    assert len(load_catalog(legacy)) == 12
    with pytest.raises(CatalogError, match="older coldglass"):
        search(legacy, _search_protocol())
    assert not (legacy / "search" / "catalog.sqlite").exists()
    # ... and reported on: its TLS statistics, with the denominators it did not record n/a
    from coldglass.landscape.report import landscape_report

    md = landscape_report(legacy).read_text()
    assert "## Two-level systems found" in md and "n/a" in md
    tls = pd.read_csv(legacy / "report" / "tls_statistics.csv").set_index("quantity")
    n_tls = int((load_catalog(legacy)["E_qs_K"] < 1.0).sum())
    assert (tls["TLS"] == n_tls).all()
    assert np.isnan(tls.loc["TLS per inherent structure visited", "value"])
    assert not (legacy / "search" / "catalog.sqlite").exists()


def test_an_interrupted_search_goes_on_with_the_segments_asked_for(tmp_path, monkeypatch):
    """Ctrl-C in segment 2 of ``--n-segments 3``: segment 1 is in the catalog; rerunning
    with ``--n-segments 2`` runs two segments (3 in all, as planned), and says so."""
    from coldglass.landscape.pipeline import PrepareProtocol, load_catalog, prepare, search

    made = _fake_engine(monkeypatch)
    out = tmp_path / "ls"
    prepare(out, MODEL, ARGON, PrepareProtocol(seed=1))
    made["interrupt_at"] = 5  # the second of segment 2's three verifications
    with pytest.raises(KeyboardInterrupt):
        search(out, _search_protocol(), n_segments=3)
    assert len(load_catalog(out)) == 3  # segment 1, kept
    made.pop("interrupt_at")
    run = search(out, _search_protocol(), n_segments=2)
    assert (run["segments_added"], run["segments"], run["new_dwps"]) == (2, 3, 6)
    run = search(out, _search_protocol())
    assert (run["segments_added"], run["segments"], run["n_catalog"]) == (1, 4, 12)
