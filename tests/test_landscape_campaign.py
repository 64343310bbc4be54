"""Landscape campaigns: Dask execution, the SQLite catalog, kill-and-resume (issue 7).

A tiny campaign (N = 160 at ρ = 1.2, one glass, three short trajectory segments at
T = 0.8) is run serially in this process, on a 2-worker LocalCluster, killed with SIGKILL
from the command line and resumed, and on a separately started scheduler with workers. Every
task is deterministic, so all four catalogs must hold the same minima, saddles and double
wells (energies to 1e-9 ε: LAMMPS is run single-threaded with the same inputs, so the only
differences allowed are the order of inserts).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from coldglass.landscape.catalog import (
    DWP_COLUMNS,
    Catalog,
    CatalogError,
    pack,
    permutation_distance,
    unpack,
)
from coldglass.landscape.model import BinaryLJ

ARGS = ["--n-atoms", "160", "--n-samples", "1", "--n-segments", "3", "--temperatures",
        "1.0,0.5", "--n-equil", "1000", "--t-md", "0.8", "--n-quench", "8", "--routes",
        "is-transition", "--seed", "3"]


def _protocol():
    from coldglass.landscape.campaign import CampaignProtocol
    from coldglass.landscape.pipeline import PrepareProtocol, SearchProtocol

    # exactly what `coldglass landscape campaign` builds from ARGS
    return CampaignProtocol(
        n_samples=1, n_segments=3, seed=3,
        prepare=PrepareProtocol(temperatures=[1.0, 0.5], n_equil=1000, n_samples=1),
        search=SearchProtocol(t_md=0.8, n_quench=8, interval=20, n_basins=1, n_modes=2,
                              routes=["is-transition"]))


MODEL = BinaryLJ(n_atoms=160, truncation="force-shift")


def _fingerprint(path) -> dict:
    """Content of a catalog independent of insertion order."""
    with Catalog(path, readonly=True) as c:
        d = c.dwps()
        tasks = c.table("tasks")
        return {
            "tasks": sorted(zip(tasks["key"], tasks["status"], tasks["n_dwps"],
                                tasks["force_calls"], strict=False)),
            "minima": np.sort(c.table("minima")["energy"].to_numpy()),
            "saddles": np.sort(c.table("saddles")["energy"].to_numpy()),
            "dwps": np.array(sorted(zip(d["E_s"], d["E_a"] + d["E_b"], d["V0_K"],
                                        d["n_found"], strict=False))),
            "candidates": sorted(zip(c.candidates()["status"], c.candidates()["round"],
                                     np.round(c.candidates()["E_qs_K"].fillna(-1), 9),
                                     strict=True)),
            "models": sorted(zip(c.models()["task_key"], c.models()["version"],
                                 c.models()["n_train"], strict=True)),
            "problems": c.check(),
        }


def _same(f, g) -> None:
    assert f["problems"] == [] and g["problems"] == []
    assert f["tasks"] == g["tasks"]
    assert f["candidates"] == g["candidates"] and f["models"] == g["models"]
    for k in ("minima", "saddles", "dwps"):
        assert f[k].shape == g[k].shape, k
        np.testing.assert_allclose(f[k], g[k], rtol=0, atol=1e-9, err_msg=k)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    from coldglass.landscape.campaign import run_campaign

    path = tmp_path_factory.mktemp("serial") / "serial.sqlite"
    res = run_campaign(path, _protocol(), MODEL, workers=0)
    assert res["tasks_run"] == 4 and res["failed"] == 0
    return path


def test_serial_catalog_is_complete_and_has_units(serial):
    fp = _fingerprint(serial)
    assert fp["problems"] == []
    assert len(fp["tasks"]) == 4
    assert len(fp["dwps"]) >= 1, "the tiny campaign should find at least one double well"
    db = sqlite3.connect(serial)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    units = {(t, c) for t, c in db.execute("SELECT table_name, column_name FROM column_units")}
    for table in ("tasks", "glasses", "is_energies", "minima", "saddles", "paths", "dwps",
                  "candidates", "models"):
        for _cid, name, typ, *_ in db.execute(f"PRAGMA table_info({table})"):
            numeric = typ in ("REAL", "BLOB") or (typ == "INTEGER" and name != "id"
                                                  and not name.startswith(("min_", "saddle_id",
                                                                           "path_id",
                                                                           "minimum_id",
                                                                           "provenance_id")))
            if numeric:
                assert (table, name) in units, f"{table}.{name} has no unit"
    # every double-well parameter is there, with its unit
    cols = {r[1] for r in db.execute("PRAGMA table_info(dwps)")}
    assert set(DWP_COLUMNS) <= cols
    # foreign keys are enforced: a double well pointing nowhere is refused
    db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO paths (saddle_id, min_a, min_b, n_images, images) "
                   "VALUES (999, 999, 999, 1, x'00')")
    db.close()
    with Catalog(serial, readonly=True) as c:
        d = c.dwps()
        assert np.all(d["V0_K"] > 0) and np.all(d["saddle_eig_1"] < 0)
        i = int(d["min_a"].iloc[0])
        x = c.configuration("minima", i)
        assert x.shape == (160, 3)
        prov = c.provenance()
        assert prov["model"]["n_atoms"] == 160 and prov["units"]["name"] == "argon"
        assert prov["engine"].startswith("LAMMPS")


def test_two_workers_give_the_serial_catalog(serial, tmp_path):
    from coldglass.landscape.campaign import run_campaign

    path = tmp_path / "two.sqlite"
    res = run_campaign(path, _protocol(), MODEL, workers=2)
    assert res["workers"] == 2 and res["tasks_run"] == 4
    assert res["overhead"] < 0.05
    _same(_fingerprint(path), _fingerprint(serial))
    # a finished campaign rerun does nothing
    again = run_campaign(path, _protocol(), MODEL, workers=0)
    assert again["tasks_run"] == 0 and again["already_done"] == 4


def _cli(*args):
    return [sys.executable, "-m", "coldglass.cli", "landscape", *args]


def test_sigkill_and_resume_lose_nothing(serial, tmp_path):
    path = tmp_path / "killed.sqlite"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(_cli("campaign", "--catalog", str(path), "--workers", "2", *ARGS),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    try:
        deadline = time.time() + 300
        n = 0
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
            try:
                with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                    n = db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
            except sqlite3.Error:
                continue
            if n >= 2:  # the glass and one segment are in, two segments are running
                break
        assert proc.poll() is None, "campaign finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the client, scheduler and workers
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    with Catalog(path, readonly=True) as c:
        assert c.check() == []
        n_killed = len(c.finished_tasks())
    assert 2 <= n_killed < 4
    out = subprocess.run(_cli("campaign", "--catalog", str(path), "--workers", "0", *ARGS),
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{n_killed} of 4 tasks already done" in " ".join(out.stdout.split())
    _same(_fingerprint(path), _fingerprint(serial))
    st = subprocess.run(_cli("status", str(path)), capture_output=True, text=True)
    assert st.returncode == 0 and "consistency" in st.stdout and "ok" in st.stdout


def test_separately_started_scheduler_and_workers(serial, tmp_path):
    pytest.importorskip("distributed")
    from coldglass.landscape.campaign import run_campaign

    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                              "--scheduler-file", str(sched_file), "--port", "0",
                              "--dashboard-address", ":0"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    worker = None
    try:
        for _ in range(200):
            if sched_file.exists() and sched_file.stat().st_size:
                break
            time.sleep(0.1)
        import json

        address = json.loads(sched_file.read_text())["address"]
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                   address, "--nworkers", "2", "--nthreads", "1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        from dask.distributed import Client

        with Client(address) as c:
            c.wait_for_workers(2, timeout=120)
        path = tmp_path / "remote.sqlite"
        res = run_campaign(path, _protocol(), MODEL, scheduler=address)
        assert res["workers"] == 2 and res["tasks_run"] == 4
        _same(_fingerprint(path), _fingerprint(serial))
    finally:
        for p in (worker, sched):
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)


def test_resume_with_other_parameters_is_refused(serial, tmp_path):
    from dataclasses import replace

    from coldglass.landscape.campaign import run_campaign

    before = serial.read_bytes()
    proto = _protocol()
    with pytest.raises(CatalogError, match="different protocol"):
        run_campaign(serial, replace(proto, search=replace(proto.search, n_quench=9)), MODEL,
                     workers=0)
    with pytest.raises(CatalogError, match="cannot shrink to 2"):  # (more segments extend)
        run_campaign(serial, replace(proto, n_segments=2), MODEL, workers=0)
    with pytest.raises(CatalogError, match="different model"):
        run_campaign(serial, _protocol(), BinaryLJ(n_atoms=200, truncation="force-shift"),
                     workers=0)
    assert serial.read_bytes() == before


def test_one_client_per_catalog(serial):
    from coldglass.landscape.campaign import _lock, run_campaign

    held = _lock(serial)
    try:
        with pytest.raises(CatalogError, match="in use"):
            run_campaign(serial, _protocol(), MODEL, workers=0)
    finally:
        held.close()


def test_corrupt_and_foreign_files_are_refused_and_left_alone(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 10)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (a INTEGER)")
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 500)
    for f, what in ((junk, "not an SQLite"), (other, "another application"),
                    (damaged, "damaged")):
        before = f.read_bytes()
        with pytest.raises(CatalogError, match=what):
            Catalog(f)
        assert f.read_bytes() == before
    out = subprocess.run(_cli("status", str(junk)), capture_output=True, text=True)
    assert out.returncode != 0 and "not an SQLite" in " ".join(out.stdout.split() +
                                                               out.stderr.split())
    with pytest.raises(FileNotFoundError):
        Catalog(tmp_path / "missing.sqlite", readonly=True)


def test_bad_campaign_input():
    from coldglass.landscape.campaign import CampaignProtocol, run_campaign

    with pytest.raises(ValueError, match="n_samples"):
        CampaignProtocol(n_samples=0)
    with pytest.raises(ValueError, match="workers"):
        run_campaign("unused.sqlite", CampaignProtocol(), MODEL, workers=-1)
    out = subprocess.run(_cli("campaign", "--n-atoms", "20"), capture_output=True, text=True)
    assert out.returncode != 0 and "too small" in " ".join(out.stdout.split() +
                                                           out.stderr.split())


def test_permutation_aware_duplicates():
    model = BinaryLJ(n_atoms=160)
    x = model.random_positions(1)
    perm = np.arange(160)
    a = np.flatnonzero(model.types == 0)
    perm[a[:20]] = a[:20][::-1]  # swap identical A particles
    assert permutation_distance(model, x, x[perm]) < 1e-12
    y = x.copy()
    y[5] += [0.3, 0.0, 0.0]
    m = model.particle_masses  # the uniform translation is removed: m_5/M of the move
    assert permutation_distance(model, x, y) == pytest.approx(0.3 * (1 - m[5] / m.sum()),
                                                              abs=1e-9)
    # swapping an A and a B particle is a different configuration
    b = np.flatnonzero(model.types == 1)[0]
    z = x.copy()
    z[[a[0], b]] = z[[b, a[0]]]
    assert permutation_distance(model, x, z) > 0.1
    blob = pack(x=x)
    np.testing.assert_array_equal(unpack(blob)["x"], x)


def test_duplicate_minima_are_merged(tmp_path):
    model = BinaryLJ(n_atoms=160)
    x = model.random_positions(2)
    perm = np.arange(160)
    a = np.flatnonzero(model.types == 0)
    perm[a[:2]] = a[:2][::-1]
    with Catalog(tmp_path / "c.sqlite") as c:
        pid = c.bind(model.to_dict(), {"name": "argon"}, "test", {"n_tasks": 1}, 0)
        c.record_task({"key": "sample/0000", "kind": "sample", "sample": 0, "seed": 0,
                       "wall_s": 0.0, "force_calls": 0, "x": x, "energy": -1.0, "fmax": 0.0,
                       "is_energies": []}, pid)
        with c.db:
            c.db.execute("INSERT INTO tasks (key, kind, sample, seed, status, provenance_id, "
                         "wall_s, force_calls, n_dwps, stats, finished) VALUES "
                         "('t', 'segment', 0, 0, 'done', ?, 0, 0, 0, '{}', 'now')", (pid,))
            same = c._minimum(0, x[perm], -1.0 + 1e-5, 0.0, "t")
            moved = x.copy()
            moved[:10] += 0.2  # (a uniform translation x + 0.2 would be the same minimum)
            other = c._minimum(0, moved, -1.0, 0.0, "t")
            translated = c._minimum(0, x + 0.2, -1.0, 0.0, "t")
        assert same == c.glass_minimum_id(0)
        assert other != same and translated == same
        assert c.table("minima")["n_found"].tolist() == [3, 1]


def test_campaign_report(serial, tmp_path):
    out = subprocess.run(_cli("report", "--catalog", str(serial), "--out", str(tmp_path)),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    md = (tmp_path / "report" / "landscape.md").read_text()
    assert "distinct verified double wells" in md and "in 1 glass of N = 160" in md
    for f in ("claims.csv", "loop_C_deps.csv", "fig26_overlay.png", "is_energy_vs_T.png"):
        assert (tmp_path / "report" / f).exists()


def test_extended_campaign_goes_on_with_its_stored_selector(serial, tmp_path):
    """One more segment on a copy of the finished campaign: it is given the catalog's labels
    and its last pair selector, so the selector's version goes on from the stored one and it
    is trained on every pair labelled before plus the new ones; the pairs the catalog had
    labelled are not verified again."""
    import json
    import shutil
    from dataclasses import replace

    from coldglass.landscape.campaign import run_campaign

    path = tmp_path / "extended.sqlite"
    shutil.copy(serial, path)
    with Catalog(path, readonly=True) as c:
        models0, cand0 = c.models(), c.candidates()
    assert len(models0) >= 1, "the ML campaign stores a selector per segment"
    last = models0.iloc[-1]
    res = run_campaign(path, replace(_protocol(), n_segments=4), MODEL, workers=0)
    assert res["tasks_run"] == 1 and res["failed"] == 0
    with Catalog(path, readonly=True) as c:
        models, cand = c.models(), c.candidates()
        st = json.loads(c.table("tasks").set_index("key").loc["segment/0000/0003", "stats"])
        prov = c.provenance()
        assert c.check() == []
    assert prov["protocol"]["n_segments"] == 4  # the provenance states the extended plan
    new = models[models["task_key"] == "segment/0000/0003"]
    if len(new):  # (a segment that stayed in one basin has nothing to train on)
        n_fits = st.get("verified pairs", 0) > 0
        assert int(new["version"].iloc[0]) > int(last["version"]) or not n_fits
        assert set(json.loads(last["training"])) <= set(json.loads(new["training"].iloc[0]))
    # no pair of the catalog got a second row, and labels were only added
    assert not cand.duplicated(["sample", "min_a", "min_b"]).any()
    old = cand0.set_index("id")["status"]
    now = cand.set_index("id")["status"].loc[old.index]
    assert ((old == now) | (old == "new")).all()


def test_stored_profiles_give_the_splitting_under_any_unit_mapping(serial):
    """The 1D profile stored with each path reproduces the catalog's E_qs under the
    campaign's own mapping (same numbers through the stored route, 1e-9 relative), and a
    heavier mass unit (ħ* halved) lowers the tunnel splitting Δ0."""
    from coldglass.landscape.tunneling import splitting
    from coldglass.landscape.units import ARGON, UnitMapping

    heavy = UnitMapping(ARGON.sigma_A, ARGON.epsilon_K, 4 * ARGON.mass_u, "argon x4 mass")
    assert heavy.hbar_star == pytest.approx(ARGON.hbar_star / 2, rel=1e-12)
    with Catalog(serial, readonly=True) as c:
        d = c.dwps()
        assert len(d)
        for _, row in d.iterrows():
            prof = c.path_profile(int(row["path_id"]))
            e = splitting(prof, ARGON.hbar_star)["E_qs"] * ARGON.epsilon_K
            assert e == pytest.approx(row["E_qs_K"], rel=1e-9)
            d0, d0_heavy = (splitting(prof, u.hbar_star)["Delta0"] for u in (ARGON, heavy))
            if np.isfinite(d0_heavy):  # (NaN: below the eigenvalue resolution, even smaller)
                assert d0_heavy < d0


def test_csv_export_carries_every_double_well_with_its_units(serial, tmp_path):
    """``Catalog.to_csv``: one row per distinct double well, the unit of every parameter in
    its header (the column_units of the catalog), the same numbers as the catalog."""
    import pandas as pd

    with Catalog(serial, readonly=True) as c:
        d = c.dwps()
        units = dict(c.db.execute("SELECT column_name, unit FROM column_units WHERE "
                                  "table_name = 'dwps'").fetchall())
        path = c.to_csv(tmp_path / "wells.csv")
    df = pd.read_csv(path)
    assert len(df) == len(d) and not (tmp_path / "wells.csv.tmp").exists()
    for col in DWP_COLUMNS:
        header = f"{col} [{units[col]}]"
        assert header in df.columns, header
        np.testing.assert_array_equal(df[header].to_numpy(float), d[col].to_numpy(float))


def test_search_and_campaign_give_the_same_catalog(serial, tmp_path):
    """``landscape prepare`` + ``landscape search --n-segments 3`` with the glass the campaign
    prepares as its sample 0 (its seed, task_seed(3, 0, 0)) is the same campaign run in this
    process: the same minima, saddles, double wells, candidate labels and selectors, bit for
    bit up to 1e-9 (the same LAMMPS calls in the same order)."""
    from coldglass.landscape.campaign import task_seed
    from coldglass.landscape.pipeline import PrepareProtocol, SearchProtocol, prepare, search
    from coldglass.landscape.units import ARGON

    prepare(tmp_path, MODEL, ARGON, PrepareProtocol(temperatures=[1.0, 0.5], n_equil=1000,
                                                    n_samples=1, seed=task_seed(3, 0, 0)))
    res = search(tmp_path, SearchProtocol(t_md=0.8, n_quench=8, interval=20, n_basins=1,
                                          n_modes=2, routes=["is-transition"], seed=3),
                 n_segments=3)
    f, g = _fingerprint(tmp_path / "search" / "catalog.sqlite"), _fingerprint(serial)
    # the sample task: the campaign quenched it, the search imported the prepared glass
    f["tasks"] = [t for t in f["tasks"] if not t[0].startswith("sample/")]
    g["tasks"] = [t for t in g["tasks"] if not t[0].startswith("sample/")]
    _same(f, g)
    assert res["catalog"] == tmp_path / "search" / "catalog.sqlite"


def test_tls_counts_of_a_catalog_under_unit_mappings(serial):
    """``tls_under_mappings`` from the stored profiles: under the catalog's own mapping it
    counts what the catalog's E_qs_K column counts (threshold between two stored values, so
    the count is exact); a mapping with σ doubled and m quartered has the same ħ* and ε, so
    the same count and median; a heavier mass counts the profiles whose splitting at its ħ*
    is below the threshold (not monotonic in ħ*: the zero-point energies enter the
    asymmetry); tls_statistics divides that count by its denominators."""
    from coldglass.landscape.statistics import tls_statistics, tls_under_mappings
    from coldglass.landscape.tunneling import splitting
    from coldglass.landscape.units import ARGON, UnitMapping

    with Catalog(serial, readonly=True) as c:
        d = c.dwps()
        profiles = [c.path_profile(int(p)) for p in d["path_id"]]
    e = np.sort(d["E_qs_K"].dropna().to_numpy())
    assert len(e) >= 1
    k = len(e) // 2 if len(e) >= 2 else 1
    thr = 0.5 * (e[k - 1] + e[k]) if len(e) >= 2 else 1.01 * e[0]
    same = UnitMapping(2 * ARGON.sigma_A, ARGON.epsilon_K, ARGON.mass_u / 4, "same hbar*")
    heavy = UnitMapping(ARGON.sigma_A, ARGON.epsilon_K, 4 * ARGON.mass_u, "heavy")
    um = tls_under_mappings(profiles, [ARGON, same, heavy], e_tls_K=thr).set_index("mapping")
    assert um.loc["argon", "TLS"] == k == int(np.sum(d["E_qs_K"] < thr))
    assert um.loc["same hbar*", "TLS"] == k
    assert um.loc["same hbar*", "median E_qs [K]"] == pytest.approx(
        um.loc["argon", "median E_qs [K]"], rel=1e-12)
    e_heavy = np.array([splitting(p, heavy.hbar_star)["E_qs"] for p in profiles])
    assert um.loc["heavy", "TLS"] == int(np.sum(e_heavy * heavy.epsilon_K < thr))
    assert (um["no_profile"] == 0).all()
    tab = tls_statistics(d, n_particles=160, n_minima=40, n_neb=None, e_tls_K=thr)
    tab = tab.set_index("quantity")
    assert (tab["TLS"] == k).all()
    assert tab.loc["TLS per particle", "value"] == pytest.approx(k / 160, rel=1e-12)
    assert tab.loc["TLS per inherent structure visited", "value"] == pytest.approx(k / 40)
    assert np.isnan(tab.loc["TLS per NEB verification", "value"])  # not recorded: NaN
    assert tab.loc["TLS per double well", "value"] == pytest.approx(k / len(d))
