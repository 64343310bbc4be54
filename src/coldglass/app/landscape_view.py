"""The computation layer of the explorer's landscape catalog browser (no Panel, no bokeh).

:class:`CatalogView` opens an SQLite landscape catalog (:class:`~coldglass.landscape.catalog.
Catalog`, read-only) and serves what a browser shows:

* :attr:`CatalogView.table` -- the double wells, one row each, with every tunnelling parameter
  (units in the column names and in :attr:`CatalogView.units`);
* :meth:`CatalogView.filter` -- the rows inside closed intervals of V0, Δ, E_qs, PR, ...;
* :meth:`CatalogView.well` -- one double well in detail (:class:`Well`): the 1D potential
  V(s) along its CI-NEB path, the lowest levels and wavefunctions of
  ``-(ħ*²/2) ψ'' + V ψ = E ψ`` in the same mass-weighted coordinate as
  :func:`~coldglass.landscape.tunneling.dwp_parameters`, its point (V0, ħΩ) on the plane of
  the paper's Fig. 26, and the particle displacements a -> b.

Coordinates along the path: the arc length ``s`` is mass-weighted in reduced units,
``ds² = Σ_i (m_i/m) |dx_i|²`` with x in σ and masses in the mass unit m, i.e. s is in
**σ·√m** (multiply by ``σ_A·sqrt(mass_u)`` of :attr:`CatalogView.unit_mapping` for Å·√u).
Energies are in K (ε/k_B times ``epsilon_K``), positions and displacements in Å.

:func:`make_example_catalog` regenerates ``coldglass/app/data/landscape_small.sqlite`` (a real
tiny campaign, seed :data:`EXAMPLE_SEED`).
"""

from __future__ import annotations

import numbers
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CatalogError, EngineUnavailable, InputError
from ..landscape.catalog import DWP_COLUMNS, Catalog
from ..landscape.model import BinaryLJ, allpairs_energy_forces, minimum_image
from ..landscape.tunneling import lowest_levels_1d, path_potential
from ..landscape.units import UnitMapping

__all__ = ["CatalogView", "Well", "EXAMPLE_CATALOG", "TLS_E_QS_MAX_K", "S_UNIT", "MAX_LEVELS",
           "ENERGY_TOL_EPS",
           "EXAMPLE_SEED", "example_protocol", "example_model", "make_example_catalog"]

#: a double well counts as a two-level system (TLS) in :meth:`CatalogView.summary` when its
#: E_qs is below this [K] (the paper's Sec. 8 criterion, as in
#: :func:`coldglass.landscape.statistics.claims`)
TLS_E_QS_MAX_K = 1.0
#: the unit of the arc length ``s`` of :class:`Well` (mass-weighted reduced length)
S_UNIT = "sigma*sqrt(m)"
#: largest ``n_levels`` :meth:`CatalogView.well` solves for
MAX_LEVELS = 64
#: largest |E_recomputed - E_stored| [ε] of the path's end and saddle images that
#: :meth:`CatalogView.well` accepts (the same configurations, the same potential)
ENERGY_TOL_EPS = 1e-6

#: the browser's leading columns, in this order (the other catalog columns follow)
_LEADING = ("id", "sample", "V0_K", "Delta_K", "E_qs_K", "Delta0_exact_K", "hbar_omega_K",
            "participation_ratio", "n_eff", "n_moving", "d_A", "max_disp_A")
_INTEGER = ("id", "sample", "min_a", "min_b", "saddle_id", "path_id", "n_found", "n_moving",
            "force_calls")
_FILTERS = ("V0_K", "Delta_K", "E_qs_K", "participation_ratio")


def _as_path(path: Any) -> Path:
    if isinstance(path, bytes) or not isinstance(path, str | os.PathLike):
        raise InputError(f"catalog path must be a str or os.PathLike, got {path!r}")
    return Path(path)


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


@dataclass(frozen=True, eq=False)
class Well:
    """One double well in detail (arrays read-only).

    Attributes
    ----------
    dwp_id : the ``dwps.id`` of the catalog row
    s : (n,) grid of the 1D problem, arc length along the path [σ·√m] (mass-weighted, see the
        module docstring); s = 0 at minimum a, ``s_images[-1]`` at minimum b, and the grid
        runs 10 zero-point lengths ``sqrt(ħ*/sqrt(k))`` beyond both ends (harmonic
        continuation ``k s²/2``), exactly the grid on which
        :func:`~coldglass.landscape.tunneling.dwp_parameters` computed the catalog's E_qs
    V_K : (n,) potential V(s) - E_a on ``s`` [K]
    s_images, E_images_K : (M,) arc length of the M path images [σ·√m] and their energies
        relative to minimum a [K] (first image minimum a, last minimum b, highest the saddle)
    i_saddle, s_saddle : index of the saddle image and its arc length [σ·√m]
    levels_K : (n_levels,) lowest eigenvalues of ``-(ħ*²/2) d²ψ/ds² + V ψ`` relative to E_a [K]
    psi : (n_levels, n) eigenfunctions on ``s``, normalised ``Σ ψ² Δs = 1`` [(σ·√m)^-1/2];
        the sign of each makes its largest-magnitude value positive
    V0_K, hbar_omega_K : the point of this well on the (V0, ħΩ) plane of the paper's Fig. 26 [K]
    positions_A : (N, 3) positions of minimum a, wrapped into the box [0, L) [Å]
    displacement_A : (N, 3) displacements a -> b [Å] (minimum image, centre-of-mass motion
        removed, as for the catalog's participation ratio)
    com_shift_A : (3,) the removed centre-of-mass shift [Å] (``d_A`` of the catalog is the
        mass-weighted norm of ``displacement_A + com_shift_A``)
    species : (N,) species name of each particle ("A", "B")
    moving : (N,) particles moving more than 10 % of the largest displacement (the rule of
        the catalog's ``n_moving``)
    box_length_A : edge of the cubic periodic box [Å]
    hbar_star : ħ* = ħ / (σ sqrt(m ε)) of the unit mapping (dimensionless)
    forces_from : "lammps" or "allpairs": what recomputed the energies and forces of the images
    row : the catalog row of this double well (column -> value; NaN where NULL)
    potential_K : the callable behind ``V_K``: s [σ·√m] (array) -> V(s) - E_a [K], defined
        for every s (harmonic beyond the ends); picklable (it keeps the path and rebuilds
        the interpolant after unpickling), so a Well can cross process boundaries
    """

    dwp_id: int
    s: np.ndarray
    V_K: np.ndarray
    s_images: np.ndarray
    E_images_K: np.ndarray
    i_saddle: int
    s_saddle: float
    levels_K: np.ndarray
    psi: np.ndarray
    V0_K: float
    hbar_omega_K: float
    positions_A: np.ndarray
    displacement_A: np.ndarray
    com_shift_A: np.ndarray
    species: np.ndarray
    moving: np.ndarray
    box_length_A: float
    hbar_star: float
    forces_from: str
    row: dict = field(repr=False)
    potential_K: Callable[[np.ndarray], np.ndarray] = field(repr=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                v.flags.writeable = False

    def __repr__(self) -> str:
        return (f"Well(dwp_id={self.dwp_id}, V0_K={self.V0_K:.4g}, "
                f"hbar_omega_K={self.hbar_omega_K:.4g}, levels_K={np.round(self.levels_K, 4)}, "
                f"n_grid={len(self.s)}, n_moving={int(self.moving.sum())})")


class _PathPotential:
    """V(s) - E_a [K] along a path: :func:`~coldglass.landscape.tunneling.path_potential` of
    the images (M, N, 3) [σ], their energies [ε] and forces [ε/σ] and the curvatures
    [ε/(σ² m)]; picklable (the interpolant is rebuilt on first use after unpickling)."""

    def __init__(self, model: BinaryLJ, X: np.ndarray, E: np.ndarray, F: np.ndarray,
                 k_a: float, k_b: float, i_saddle: int, k_s: float | None,
                 epsilon_K: float) -> None:
        self._args = (model, X, E, F, k_a, k_b, i_saddle, k_s)
        self._e0, self._K = float(E[0]), float(epsilon_K)
        self._build()

    def _build(self) -> None:
        model, X, E, F, k_a, k_b, i_s, k_s = self._args
        self._V, s = path_potential(model, X, E, F, k_a, k_b, i_saddle=i_s, k_s=k_s)
        self.s_images = np.asarray(s, dtype=float)

    def eps(self, s: np.ndarray) -> np.ndarray:
        """V(s) - E_a [ε] at arc lengths s [σ·√m]."""
        if self._V is None:
            self._build()
        return self._V(s) - self._e0

    def __call__(self, s: np.ndarray) -> np.ndarray:
        """V(s) - E_a [K] at arc lengths s [σ·√m]."""
        return self.eps(s) * self._K

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_V": None}


class CatalogView:
    """A read-only view of a landscape catalog for the browser.

    Parameters
    ----------
    path : the catalog's SQLite file (as written by
        :func:`~coldglass.landscape.campaign.run_campaign`)
    verify : run SQLite's integrity check on open (reads the whole file; the default)

    Everything but the path images is read on open and the file is closed again: no
    connection is held between calls (Panel may call from several threads), and nothing is
    written. A catalog still being extended by a running campaign shows the double wells
    committed when it was opened.

    A catalog written by a campaign is in SQLite's WAL mode: a read-only open of such a file
    leaves empty ``-wal``/``-shm`` files beside it (SQLite's, not its content); the file
    itself is never modified. The example catalog is stored in rollback mode and leaves none.

    Raises
    ------
    InputError : the path is not a path, does not exist or cannot be read
    CatalogError : the file is not a landscape catalog (foreign, damaged, of another schema
        version), holds no campaign, or holds no double wells; the one-line message names
        the file
    """

    def __init__(self, path: str | os.PathLike, *, verify: bool = True) -> None:
        self.path = _as_path(path)
        try:
            cat = Catalog(self.path, readonly=True, verify=bool(verify))
        except FileNotFoundError:
            raise InputError(f"{self.path}: no such landscape catalog (file not found)"
                             ) from None
        except sqlite3.Error as exc:
            raise CatalogError(f"{self.path} cannot be opened as a landscape catalog "
                               f"({exc})") from None
        except OSError as exc:
            raise InputError(f"{self.path} cannot be read as a landscape catalog "
                             f"({exc.strerror or exc})") from None
        try:
            with cat:
                self._load(cat)
        except sqlite3.Error as exc:
            raise CatalogError(f"{self.path} cannot be read as a landscape catalog ({exc})"
                               ) from None

    # ---------------------------------------------------------------- loading
    def _load(self, cat: Catalog) -> None:
        prov = cat.provenance()
        if prov is None:
            raise CatalogError(f"{self.path} holds no campaign yet (no provenance row); "
                               "nothing to browse")
        try:
            self._model = BinaryLJ.from_dict(prov["model"])
            self._units = UnitMapping(**prov["units"])
        except (TypeError, ValueError, KeyError) as exc:
            raise CatalogError(f"{self.path} has an unreadable model or unit mapping in its "
                               f"provenance ({exc})") from None
        self._provenance = prov
        df = cat.dwps()
        if len(df) == 0:
            raise CatalogError(f"{self.path} holds no double wells yet (the campaign found "
                               "none so far); nothing to browse")
        self._table = self._tidy(df)
        cu = cat.table("column_units")
        known = dict(zip(cu.loc[cu["table_name"] == "dwps", "column_name"],
                         cu.loc[cu["table_name"] == "dwps", "unit"], strict=True))
        self._units_by_column = {c: known.get(c, "") for c in self._table.columns}
        q = cat.db.execute
        self._counts = {t: int(q(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
                        for t in ("glasses", "minima", "saddles", "paths", "dwps")}
        ids = self._table["id"].to_numpy()
        self._row_of = {int(i): k for k, i in enumerate(ids)}

    @staticmethod
    def _tidy(df: pd.DataFrame) -> pd.DataFrame:
        """Numeric columns as float (NULL -> NaN, also in an all-NULL column), counts and ids
        as integers, ``neb_converged`` as bool; the leading columns first."""
        df = df.copy()
        for c in DWP_COLUMNS:
            if c in df.columns:
                df[c] = df[c].astype(float)
        for c in _INTEGER:
            if c in df.columns and df[c].notna().all():
                df[c] = df[c].astype(np.int64)
        if "neb_converged" in df.columns and df["neb_converged"].notna().all():
            df["neb_converged"] = df["neb_converged"].astype(bool)
        lead = [c for c in _LEADING if c in df.columns]
        df = df[lead + [c for c in df.columns if c not in lead]]
        return df.sort_values("id", kind="stable").reset_index(drop=True)

    # ---------------------------------------------------------------- the catalog
    @property
    def table(self) -> pd.DataFrame:
        """The double wells (a copy), one row each, sorted by ``id``.

        Columns: ``id``, ``sample`` (glass), ``V0_K``, ``Delta_K``, ``E_qs_K``,
        ``Delta0_exact_K``, ``hbar_omega_K`` [K], ``participation_ratio`` [1], ``n_eff``,
        ``n_moving`` [particles], ``d_A``, ``max_disp_A`` [Å], then every other column of the
        catalog's ``dwps`` table (units in :attr:`units`). A value the campaign could not
        determine (e.g. a Δ0 below the solver's resolution) is NaN.
        """
        return self._table.copy()

    @property
    def units(self) -> dict[str, str]:
        """Column of :attr:`table` -> its unit, from the catalog's ``column_units`` ("" for the
        ids, text columns and others the catalog gives no unit)."""
        return dict(self._units_by_column)

    @property
    def unit_mapping(self) -> UnitMapping:
        """The reduced-to-physical unit mapping recorded in the catalog's provenance."""
        return self._units

    @property
    def model(self) -> BinaryLJ:
        """The Lennard-Jones model recorded in the catalog's provenance."""
        return self._model

    @property
    def provenance(self) -> dict:
        """The campaign's provenance: model, units, engine, protocol, seed, created."""
        return dict(self._provenance)

    def summary(self) -> dict[str, Any]:
        """Counts of the catalog as opened.

        Returns
        -------
        dict with ``catalog`` (path), ``samples`` (glasses), ``minima``, ``saddles``,
        ``paths``, ``dwps`` (distinct double wells), ``tls`` (double wells with
        E_qs < :data:`TLS_E_QS_MAX_K`), ``tls_E_qs_max_K``, ``n_atoms``, ``units`` (the unit
        mapping's name), ``engine`` and ``seed`` of the campaign.
        """
        e_qs = self._table["E_qs_K"].to_numpy(dtype=float)
        c = self._counts
        return {"catalog": str(self.path), "samples": c["glasses"], "minima": c["minima"],
                "saddles": c["saddles"], "paths": c["paths"], "dwps": c["dwps"],
                "tls": int(np.sum(e_qs < TLS_E_QS_MAX_K)), "tls_E_qs_max_K": TLS_E_QS_MAX_K,
                "n_atoms": self._model.n_atoms, "units": self._units.name,
                "engine": self._provenance["engine"], "seed": self._provenance["seed"]}

    # ---------------------------------------------------------------- filtering
    def filter(self, *, V0_K: tuple | None = None, Delta_K: tuple | None = None,
               E_qs_K: tuple | None = None, participation_ratio: tuple | None = None,
               **bounds: tuple | None) -> pd.DataFrame:
        """The double wells inside closed intervals ``lo <= value <= hi`` of their columns.

        Parameters
        ----------
        V0_K, Delta_K, E_qs_K : (lo, hi) bounds [K] on the barrier V0, the asymmetry Δ and
            the level splitting E_qs
        participation_ratio : (lo, hi) bounds [1]
        **bounds : (lo, hi) bounds on any other numeric column of :attr:`table`, in its unit
            (e.g. ``hbar_omega_K=(5, 15)``, ``n_moving=(None, 20)``)

        A bound of None is open; a filter of None (or ``(None, None)``) is no filter. All
        filters apply together (AND). NaN (NULL) values, e.g. an E_qs or Δ0 below the
        solver's resolution, are kept unless a bound on that column is set: then they are
        dropped (a NaN is not inside any interval).

        Returns
        -------
        DataFrame : the selected rows of :attr:`table` (a copy, same columns, new index)

        Raises
        ------
        InputError : a filter on an unknown or non-numeric column, a bound that is not a
            (lo, hi) pair of real numbers or None (NaN and bools refused), or lo > hi; the
            message names the filter
        """
        given = {"V0_K": V0_K, "Delta_K": Delta_K, "E_qs_K": E_qs_K,
                 "participation_ratio": participation_ratio, **bounds}
        t = self._table
        keep = np.ones(len(t), dtype=bool)
        for name, b in given.items():
            if b is None:
                continue
            lo, hi = self._bounds(name, b)
            if lo is None and hi is None:
                continue
            v = t[name].to_numpy(dtype=float)
            inside = ~np.isnan(v)
            if lo is not None:
                inside &= v >= lo
            if hi is not None:
                inside &= v <= hi
            keep &= inside
        return t[keep].reset_index(drop=True)

    def _bounds(self, name: str, b: Any) -> tuple[float | None, float | None]:
        numeric = [c for c in self._table.columns if c != "id"
                   and pd.api.types.is_numeric_dtype(self._table[c])
                   and not pd.api.types.is_bool_dtype(self._table[c])]
        if name not in numeric:
            raise InputError(f"filter {name}: not a numeric column of the double-well table; "
                             f"filterable: {', '.join(numeric)}")
        if isinstance(b, str | bytes) or not hasattr(b, "__len__") or len(b) != 2:
            raise InputError(f"filter {name}: expected a (lo, hi) pair (None for an open "
                             f"side), got {b!r}")
        out = []
        for side, x in zip(("lower", "upper"), b, strict=True):
            if x is None:
                out.append(None)
                continue
            if isinstance(x, bool | np.bool_) or not isinstance(x, numbers.Real) \
                    or np.isnan(float(x)):
                raise InputError(f"filter {name}: the {side} bound must be a real number or "
                                 f"None, got {x!r}")
            out.append(float(x))
        if out[0] is not None and out[1] is not None and out[0] > out[1]:
            raise InputError(f"filter {name}: lower bound {out[0]:g} exceeds upper bound "
                             f"{out[1]:g} [{self._units_by_column.get(name, '')}]")
        return out[0], out[1]

    # ---------------------------------------------------------------- one double well
    def _row(self, dwp_id: Any) -> pd.Series:
        ids = self._table["id"]
        valid = (f"valid ids are {int(ids.min())}..{int(ids.max())}"
                 + ("" if len(ids) == int(ids.max()) - int(ids.min()) + 1 else
                    f" ({len(ids)} of them)"))
        if not _is_int(dwp_id):
            raise InputError(f"dwp_id must be an integer id of a double well of {self.path}; "
                             f"got {dwp_id!r}; {valid}")
        k = self._row_of.get(int(dwp_id))
        if k is None:
            raise InputError(f"no double well with id {int(dwp_id)} in {self.path}; {valid}")
        return self._table.iloc[k]

    def _path_images(self, path_id: int) -> np.ndarray:
        """The stored CI-NEB images (M, N, 3) [σ] of one path (a short read-only open)."""
        try:
            with Catalog(self.path, readonly=True, verify=False) as cat:
                return cat.configuration("paths", int(path_id))
        except (sqlite3.Error, KeyError, OSError) as exc:
            raise CatalogError(f"{self.path}: path {path_id} cannot be read ({exc})") from None

    def _energies_forces(self, X: np.ndarray, engine: str) -> tuple[np.ndarray, np.ndarray,
                                                                      str]:
        """Energies [ε] and forces [ε/σ] of the images: LAMMPS (the campaign's engine), or the
        all-pairs numpy reference of the model."""
        model = self._model
        if engine in ("auto", "lammps"):
            try:
                from ..landscape.engine import LammpsLJ

                eng = LammpsLJ(model, X[0])
            except EngineUnavailable:
                if engine == "lammps":
                    raise
            else:
                try:
                    ef = [eng.energy_forces(x) for x in X]
                finally:
                    eng.close()
                return (np.array([e for e, _ in ef]), np.array([f for _, f in ef]),
                        "lammps")
        ef = [allpairs_energy_forces(model, x) for x in X]
        return np.array([e for e, _ in ef]), np.array([f for _, f in ef]), "allpairs"

    def well(self, dwp_id: int, n_levels: int = 4, *, engine: str = "auto") -> Well:
        """One double well in detail: V(s), its levels and wavefunctions, the displacements.

        Parameters
        ----------
        dwp_id : the ``id`` of a row of :attr:`table`
        n_levels : number of lowest levels (and wavefunctions), 1..:data:`MAX_LEVELS`
        engine : what recomputes the energies and forces of the path images: ``"lammps"``
            (the campaign's engine), ``"allpairs"`` (the model's numpy all-pairs sum, the
            independent reference; about 0.1 s per image at N = 1000) or ``"auto"`` (LAMMPS,
            the all-pairs sum if LAMMPS cannot be loaded)

        Returns
        -------
        Well

        Notes
        -----
        The catalog's ``paths`` blob stores the images' configurations only (``x``, [σ]),
        not their energies or forces. They are recomputed here for the M (≈ 7) images, on
        exactly the configurations :func:`~coldglass.landscape.tunneling.dwp_parameters` was
        given by the campaign (first and last image the two minima, highest image the
        polished saddle); the recomputed end and saddle energies must match the row's
        ``E_a``, ``E_b``, ``E_s`` within :data:`ENERGY_TOL_EPS` ε. V(s) is then built by the
        same route as the catalog's: :func:`~coldglass.landscape.tunneling.path_potential`
        (piecewise polynomial through the image energies with slopes -F·τ), with the
        curvatures along the path at the minima taken back from the row
        (``k_a,b = (ħΩ_a,b / ε / ħ*)²``, so no Hessian is recomputed) and at the saddle the
        row's ``saddle_eig_1``. The levels are the eigenvalues of
        :func:`~coldglass.landscape.tunneling.lowest_levels_1d` (second-order finite
        differences, Dirichlet ends, unit mass, ħ* = ``unit_mapping.hbar_star``) on the
        grid of ``dwp_parameters``; without a bias their lowest gap is ``sqrt(Δ_q² + Δ0²)``,
        the catalog's E_qs, wherever the two lowest levels are the two wells' ground
        states (E_qs well below ħΩ).

        Raises
        ------
        InputError : an unknown id (the message gives the valid range), n_levels or engine
            out of range
        EngineUnavailable : ``engine="lammps"`` and LAMMPS cannot be loaded
        CatalogError : the path cannot be read, or its recomputed energies do not match the
            row (a catalog of another potential)
        """
        row = self._row(dwp_id)
        if not _is_int(n_levels) or not 1 <= n_levels <= MAX_LEVELS:
            raise InputError(f"n_levels must be an integer in 1..{MAX_LEVELS}, got "
                             f"{n_levels!r}")
        if engine not in ("auto", "lammps", "allpairs"):
            raise InputError(f"engine must be 'auto', 'lammps' or 'allpairs', got {engine!r}")
        model, units = self._model, self._units
        K, hb = units.epsilon_K, units.hbar_star
        X = self._path_images(int(row["path_id"]))
        if X.ndim != 3 or X.shape[1:] != (model.n_atoms, 3) or len(X) < 3:
            raise CatalogError(f"{self.path}: path {int(row['path_id'])} of double well "
                               f"{int(row['id'])} has images of shape {X.shape}, expected "
                               f"(M >= 3, {model.n_atoms}, 3)")
        E, F, used = self._energies_forces(X, engine)
        i_s = int(np.argmax(E))
        dev = max(abs(E[0] - row["E_a"]), abs(E[-1] - row["E_b"]), abs(E[i_s] - row["E_s"]))
        if not dev <= ENERGY_TOL_EPS:
            raise CatalogError(
                f"{self.path}: double well {int(row['id'])}: the stored path does not "
                f"reproduce the row's energies (largest deviation {dev:.3g} ε with "
                f"{used}); the catalog belongs to another potential or is inconsistent")
        k_a = (row["hbar_omega_a_K"] / K / hb) ** 2
        k_b = (row["hbar_omega_b_K"] / K / hb) ** 2
        k_s = float(row["saddle_eig_1"])
        if not (np.isfinite(k_a) and k_a > 0 and np.isfinite(k_b) and k_b > 0):
            raise CatalogError(f"{self.path}: double well {int(row['id'])} has no finite "
                               "single-well energies hbar_omega_a_K, hbar_omega_b_K")
        pot = _PathPotential(model, X, E, F, k_a, k_b, i_s,
                             k_s if np.isfinite(k_s) else None, K)
        s_img = pot.s_images
        # the grid of dwp_parameters (10 zero-point lengths beyond the ends, >= 40 points
        # per zero-point length)
        wa, wb = np.sqrt(hb / np.sqrt(k_a)), np.sqrt(hb / np.sqrt(k_b))
        lo, hi = -10 * wa, s_img[-1] + 10 * wb
        npts = max(3000, int(40 * (hi - lo) / min(wa, wb)))
        s = np.linspace(lo, hi, npts + 2)[1:-1]
        h = s[1] - s[0]
        Vs = pot.eps(s)  # V(s) - E_a [ε]
        levels, vecs = lowest_levels_1d(Vs, h, hb, n_levels, vectors=True)
        psi = vecs.T / np.sqrt(h)
        flip = psi[np.arange(n_levels), np.argmax(np.abs(psi), axis=1)] < 0
        psi[flip] *= -1.0
        L = model.box_length
        dx = minimum_image(X[-1] - X[0], L)
        m = model.particle_masses
        com = (m[:, None] * dx).sum(0) / m.sum()
        u = dx - com
        r = np.linalg.norm(u, axis=1)
        sa = units.sigma_A
        return Well(
            dwp_id=int(row["id"]), s=s, V_K=Vs * K, s_images=s_img.copy(),
            E_images_K=(E - E[0]) * K, i_saddle=i_s, s_saddle=float(s_img[i_s]),
            levels_K=np.asarray(levels) * K, psi=psi, V0_K=float(row["V0_K"]),
            hbar_omega_K=float(row["hbar_omega_K"]), positions_A=np.mod(X[0], L) * sa,
            displacement_A=u * sa, com_shift_A=com * sa,
            species=np.asarray(model.species)[model.types], moving=r > 0.1 * r.max(),
            box_length_A=L * sa, hbar_star=hb, forces_from=used, row=row.to_dict(),
            potential_K=pot)


# -------------------------------------------------------------------- the example catalog
#: campaign seed of ``coldglass/app/data/landscape_small.sqlite``
EXAMPLE_SEED = 8
EXAMPLE_CATALOG = Path(__file__).resolve().parent / "data" / "landscape_small.sqlite"
"""The small example catalog shipped with the package (package data, in every install),
made by :func:`make_example_catalog` with :data:`EXAMPLE_SEED`."""


def example_model() -> BinaryLJ:
    """The model of the example catalog: Kob-Andersen, N = 160, ρ = 1.2, force-shifted."""
    return BinaryLJ(n_atoms=160, truncation="force-shift")


def example_protocol(seed: int = EXAMPLE_SEED):
    """The campaign of the example catalog (a :class:`~coldglass.landscape.campaign.
    CampaignProtocol`)."""
    from ..landscape.campaign import CampaignProtocol
    from ..landscape.pipeline import PrepareProtocol, SearchProtocol

    return CampaignProtocol(
        n_samples=12, n_segments=1, seed=seed,
        prepare=PrepareProtocol(temperatures=[1.0, 0.6, 0.45], n_equil=2000, n_samples=1),
        search=SearchProtocol(t_md=0.5, n_quench=16, interval=20, n_basins=1, n_modes=2,
                              routes=["is-transition", "soft-mode"], selection="consecutive"))


def make_example_catalog(path: str | os.PathLike, *, seed: int = EXAMPLE_SEED,
                         workers: int = 0) -> dict:
    """Run the example campaign (:func:`example_protocol`, :func:`example_model`, argon
    units) into a new catalog at ``path`` and store it in SQLite's rollback-journal mode, so
    that read-only opens leave no ``-wal``/``-shm`` files beside it.

    ``workers``: as for :func:`~coldglass.landscape.campaign.run_campaign` (0: in this
    process; the result is the same for any number). Returns the campaign's summary.
    With ``workers > 0`` call it from a ``if __name__ == "__main__":`` block (Dask starts
    worker processes).

    Raises
    ------
    InputError : ``path`` exists already (it is never overwritten or resumed)
    """
    from ..landscape.campaign import run_campaign

    path = _as_path(path)
    if path.exists():
        raise InputError(f"{path} exists; make_example_catalog writes a new file only")
    res = run_campaign(path, example_protocol(seed), example_model(), workers=workers)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("VACUUM")
    finally:
        db.close()
    with Catalog(path, readonly=True) as cat:
        problems = cat.check()
    if problems:
        raise CatalogError(f"{path}: the example campaign left problems: {problems}")
    return res
