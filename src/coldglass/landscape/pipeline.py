"""The three stages of the landscape pipeline, each writing files a user can reload.

``prepare`` (glass preparation and inherent structures)::

    DIR/prepare/meta.json         model, unit mapping, engine version, seed, protocol
    DIR/prepare/is_energies.csv   parent temperature vs inherent-structure energy per particle
    DIR/prepare/glass.npz         the quenched glass (positions [σ], energy [ε], types)

``search`` (double wells by both routes, verified)::

    DIR/search/meta.json          search parameters, counts of candidates and rejections
    DIR/search/catalog.csv        one row per verified DWP, units in the column headers
    DIR/search/configs/dwp_NNNNN.npz  minima, saddle and path of each DWP [σ]

The catalog is appended to after every verified DWP, so an interrupted search keeps every
finished double well; rerunning ``search`` continues the numbering (the next id is one past
the largest id in the catalog and in ``configs/``, never a count of rows, so a row removed
by hand cannot make a new double well overwrite another's configuration file). A search
belongs to one glass: ``prepare`` refuses a folder that already holds a glass or a search
unless asked to move them aside (``force``), and ``search`` refuses to append to a catalog of
another glass.
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
from .saddles import StationaryPoint, quench, same_structure
from .search import is_transition_candidates, soft_mode_candidates, verify_safely
from .tunneling import DWP_UNITS, profile_arrays
from .units import UnitMapping

__all__ = ["PrepareProtocol", "SearchProtocol", "make_glass", "prepare", "search",
           "load_prepared", "load_catalog"]

CONFIG_KEYS = ("x_a", "x_b", "x_s", "path_x")
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
                         out / "search" / "catalog.csv", out / "search" / "meta.json")
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
    glass, rows = make_glass(
        model, protocol, progress=progress,
        on_rows=lambda rows: pd.DataFrame(rows).to_csv(rows_path, index=False))
    np.savez_compressed(d / "glass.npz", positions=glass.x, energy=glass.energy,
                        types=model.types, box_length=model.box_length)
    meta["glass_sha256"] = _glass_id(glass.x)
    meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
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


def _header(col: str) -> str:
    return f"{col} [{DWP_UNITS[col]}]" if col in DWP_UNITS else col


def load_catalog(out: Path) -> pd.DataFrame:
    """The DWP catalog with plain column names (units are in :data:`DWP_UNITS`)."""
    path = Path(out) / "search" / "catalog.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; run `coldglass landscape search`")
    df = pd.read_csv(path)
    return df.rename(columns=lambda c: c.split(" [")[0])


_CONFIG_NAME = re.compile(r"dwp_(\d+)\.npz")


def _next_dwp_id(d: Path) -> int:
    """The next free double-well id of the search folder ``d``: one past the largest id in
    its catalog and among its ``configs/dwp_NNNNN.npz`` files (0 if none). A sequence, never
    a count of rows: a row removed from the catalog leaves a gap, not a collision."""
    ids = [-1]
    cat_path = d / "catalog.csv"
    if cat_path.exists() and cat_path.stat().st_size > 0:
        df = pd.read_csv(cat_path)
        if "dwp_id" in df.columns:
            known = pd.to_numeric(df["dwp_id"], errors="coerce").dropna()
            if len(known):
                ids.append(int(known.max()))
    for f in (d / "configs").glob("dwp_*.npz"):
        m = _CONFIG_NAME.fullmatch(f.name)
        if m:
            ids.append(int(m.group(1)))
    return max(ids) + 1


def _stored_wells(d: Path) -> list[tuple[float, float, np.ndarray, np.ndarray]]:
    """The minima of the double wells already in ``d/catalog.csv`` (energies from the
    catalog, configurations from ``configs/dwp_NNNNN.npz``), for the duplicate merge."""
    cat_path = d / "catalog.csv"
    if not (cat_path.exists() and cat_path.stat().st_size):
        return []
    df = pd.read_csv(cat_path)
    cols = {c.split(" [")[0]: c for c in df.columns}
    out = []
    for _, row in df.iterrows():
        f = d / "configs" / f"dwp_{int(row[cols['dwp_id']]):05d}.npz"
        if f.exists():
            with np.load(f) as z:
                out.append((float(row[cols["E_a"]]), float(row[cols["E_b"]]), z["x_a"],
                            z["x_b"]))
    return out


def search(out: Path, protocol: SearchProtocol | None = None, *,
           progress: Callable[[str, int], None] | None = None) -> dict:
    """Find and verify double wells in the prepared glass; append them to the catalog.

    Raises
    ------
    FileNotFoundError : DIR holds no finished ``prepare``
    CatalogError : DIR/search holds a search of another glass
    """
    protocol = protocol or SearchProtocol()
    model, units, x_glass, pmeta = load_prepared(out)
    glass_id = _glass_id(x_glass)
    d = Path(out) / "search"
    runs = []
    if (d / "meta.json").exists():
        runs = json.loads((d / "meta.json").read_text()).get("runs", [])
    other = {r["glass_sha256"] for r in runs if r.get("glass_sha256")} - {glass_id}
    if other:
        raise CatalogError(f"{d} holds a search of another glass than {Path(out) / 'prepare'};"
                           " appending would mix the double wells of two glasses. Search in "
                           "a new folder, or prepare this one again with --force")
    (d / "configs").mkdir(parents=True, exist_ok=True)
    cat_path = d / "catalog.csv"
    n_rows = len(pd.read_csv(cat_path)) if cat_path.exists() and cat_path.stat().st_size else 0
    next_id = _next_dwp_id(d)
    stats: dict = {}
    counts = {"candidates": 0, "verified": 0, "duplicates": 0}
    known = _stored_wells(d)  # (E_a, E_b, x_a, x_b) of the wells already in the catalog

    def duplicate(rec) -> bool:
        """The same pair of minima as a stored well (either way round): same_minimum."""
        for ea, eb, xa, xb in known:
            if ((same_structure(model, rec["x_a"], xa, rec["E_a"], ea)
                 and same_structure(model, rec["x_b"], xb, rec["E_b"], eb))
                    or (same_structure(model, rec["x_a"], xb, rec["E_a"], eb)
                        and same_structure(model, rec["x_b"], xa, rec["E_b"], ea))):
                return True
        return False
    md = LammpsLJ(model, x_glass)
    q = LammpsLJ(model, x_glass)
    calls0 = time.perf_counter()
    engine_v = engine_version()

    def write_meta(finished: bool) -> dict:
        meta = {"protocol": asdict(protocol), "units": units.to_dict(),
                "model": model.to_dict(), "engine": engine_v,
                "candidates": counts["candidates"], "verified": counts["verified"],
                "duplicates_merged": counts["duplicates"],
                "rejected": dict(stats), "force_calls": q.n_force_calls + md.n_force_calls,
                "wall_s": time.perf_counter() - calls0, "n_catalog": n_rows,
                "next_dwp_id": next_id, "glass_sha256": glass_id, "finished": finished}
        _write_json(d / "meta.json", {"runs": runs + [meta]})
        return meta

    def tick(msg):
        if progress is not None:
            progress(msg, 1)

    def store(cands):
        nonlocal next_id, n_rows, q
        for c in cands:
            counts["candidates"] += 1
            recs, q = verify_safely(q, c, units, stats, n_images=protocol.n_images,
                                    neb_fmax=protocol.neb_fmax, restart=x_glass)
            for rec in recs:
                if duplicate(rec):  # merged before it is written: one row per double well
                    counts["duplicates"] += 1
                    continue
                known.append((rec["E_a"], rec["E_b"], rec["x_a"], rec["x_b"]))
                rec["dwp_id"] = next_id
                # the configurations and the path's 1D profile go to the npz, the
                # parameters to the catalog row
                np.savez_compressed(d / "configs" / f"dwp_{next_id:05d}.npz",
                                    **{k: rec.pop(k) for k in CONFIG_KEYS},
                                    **profile_arrays(rec.pop("profile", None)))
                row = pd.DataFrame([{_header(k): v for k, v in rec.items()}])
                row.to_csv(cat_path, mode="a", header=not cat_path.exists()
                           or not cat_path.stat().st_size, index=False)
                next_id += 1
                n_rows += 1
                counts["verified"] += 1
            write_meta(False)  # the bookkeeping of an interrupted run survives too
            tick(f"{counts['verified']} DWPs")

    seed = protocol.seed + next_id  # a rerun explores new trajectories
    basins: list = []

    def explore_soft_modes(minima) -> None:
        """Soft-mode route from the next not yet explored distinct minimum."""
        for v in minima:
            if len(basins) >= protocol.n_basins:
                return
            if any(same_structure(model, v.x, b.x, v.energy, b.energy) for b in basins):
                continue
            basins.append(v)
            store(soft_mode_candidates(q, v, protocol.n_modes, max_climb=protocol.max_climb,
                                       progress=lambda: tick("mode")))
            return

    soft = "soft-mode" in protocol.routes
    if "is-transition" in protocol.routes:
        # chunks of quenches, each verified and cataloged before the trajectory goes on; the
        # soft-mode route explores one new basin after each chunk (the routes interleave)
        done, chunk, first = 1, 25, True
        while done < protocol.n_quench:
            n = min(chunk, protocol.n_quench - done) + 1
            vis, pairs = is_transition_candidates(
                md, q, protocol.t_md, n, protocol.interval,
                seed=seed if first else None, progress=lambda: tick("quench"))
            first = False
            store(pairs)
            if soft:
                explore_soft_modes(vis)
            done += n - 1
    if soft:
        explore_soft_modes([quench(q, x_glass)])
    meta = write_meta(True)
    md.close()
    q.close()
    return meta


