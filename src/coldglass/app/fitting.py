"""The explorer's "Your data" tab without the browser: an uploaded CSV read by the same
reader as ``coldglass fit`` and fitted by the same public functions the CLI commands call
(:mod:`coldglass.fit`), with the same refusals before any work starts."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import fit as cf
from ..data import Dataset, read_csv
from ..errors import InputError
from ..materials import ACOUSTIC, DIELECTRIC, ECHO, MATERIALS, get_material

__all__ = ["FIT_KINDS", "KIND_OF_QUANTITY", "read_upload", "data_table", "FitRequest",
           "build_fit", "FitOutcome", "run_fit", "materials_for"]

FIT_KINDS = ("cp", "magnetization", "dielectric", "echo", "sound-velocity",
             "internal-friction", "thermal-conductivity", "model")
"""The fit commands of ``coldglass fit``, by the same names."""

KIND_OF_QUANTITY = {"Cp": "cp", "Cp_bar": "cp", "M": "magnetization", "deps": "dielectric",
                    "dtand": "dielectric", "A": "echo", "IEA": "echo", "dv_v": "sound-velocity",
                    "Qinv": "internal-friction", "kappa": "thermal-conductivity"}
"""The named fit a data column suggests (any column also fits with ``model``)."""

def materials_for(kind: str) -> tuple[str, ...]:
    """Materials whose table values start the fit ``kind`` (the CLI's ``--material``)."""
    acoustic = tuple(ACOUSTIC)
    return {"cp": tuple(k for k, m in MATERIALS.items() if m.heat_capacity is not None),
            "magnetization": tuple(MATERIALS), "dielectric": tuple(DIELECTRIC),
            "sound-velocity": acoustic, "internal-friction": acoustic,
            "thermal-conductivity": acoustic}.get(kind, ())


def molar_mass_for(kind: str, material: str | None, molar_mass: float | None) -> float | None:
    """The molar mass the CLI reads per-mole units with: the one given, else (``cp``,
    ``magnetization``) the material's."""
    if molar_mass is None and material is not None and kind in ("cp", "magnetization"):
        return get_material(material).molar_mass
    return molar_mass


def read_upload(name: str, content: bytes, *, molar_mass: float | None = None) -> Dataset:
    """Read uploaded CSV bytes with :func:`coldglass.data.read_csv`; messages name the
    uploaded file (``mydata.csv:4: ...``), not a temporary path."""
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        name = "upload.csv"
    if not content:
        raise InputError(f"{name}: the file is empty")
    with tempfile.TemporaryDirectory(prefix="coldglass-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            ds = read_csv(path, molar_mass=molar_mass)
        except (InputError, ValueError) as exc:
            raise type(exc)(str(exc).replace(str(path), name)) from None
    ds.source = name
    return ds


def data_table(ds: Dataset) -> pd.DataFrame:
    """The points in the file's own units (for the plot and a glance at the table)."""
    cols = {}
    for key, values in (("T", ds.T), ("B", ds.B if ds.has_field else None),
                        ("f", ds.frequency), ("tau12", ds.tau12), ("y", ds.y),
                        ("sigma", ds.sigma)):
        if values is None:
            continue
        unit, factor = ds.display("y" if key == "sigma" else key)
        label = ds.quantity if key == "y" else key
        cols[f"{label} [{unit}]"] = np.asarray(values) * factor
    return pd.DataFrame(cols)


@dataclass(frozen=True)
class FitRequest:
    """What the CLI's options say, as values, with the CLI's defaults (None: the command's
    own default). Each field is the option of the same name of ``coldglass fit <kind>``;
    options another kind does not take are ignored there, as the CLI has none."""

    kind: str
    material: str | None = None
    orientation: str = "exact"
    frequency_Hz: float | None = None
    row: str | None = None
    tau12_us: float | None = None
    fix: tuple[str, ...] = ()
    vary: tuple[str, ...] = ()
    init: tuple[str, ...] = ()
    t_tol: float | None = None
    shared_cutoffs: bool | None = None
    """cp: None (per temperature for C̄p, shared for Cp); dielectric: None means False."""
    B_ref: float = 8.0
    prefactor: str = "derived"
    high_field: bool = True
    T0: float | None = None
    nw: int = 3
    polarization: str = "t"
    molar_mass: float | None = None
    terms: tuple[str, ...] = ()
    """model: the terms (``--term``; empty: all terms of the data's observable)."""
    per_temperature: tuple[str, ...] = ()
    """model: parameters with one value per temperature group (``--per-temperature``)."""
    term_options: tuple[str, ...] = ()
    """model: ``NAME=VALUE`` term options (``--option``)."""

    def __post_init__(self) -> None:
        if self.kind not in FIT_KINDS:
            raise InputError(f"fit {self.kind!r} is not one of {list(FIT_KINDS)}")
        if self.material is not None and self.material not in materials_for(self.kind):
            raise InputError(f"material {self.material!r} has no starting values for the "
                             f"{self.kind} fit; choose one of {list(materials_for(self.kind))}")
        if self.row is not None and self.row not in ECHO:
            raise InputError(f"echo row {self.row!r} is not one of {list(ECHO)}")
        for name, option in (("frequency_Hz", "--frequency-hz"), ("tau12_us", "--tau12-us"),
                             ("t_tol", "--t-tol"), ("T0", "--t0"),
                             ("molar_mass", "--molar-mass")):
            v = getattr(self, name)
            if v is not None and not (np.isfinite(v) and v > 0):
                raise InputError(f"{option} must be a finite number > 0, got {v!r}")
        if self.prefactor not in ("derived", "printed"):
            raise InputError(f"prefactor must be 'derived' or 'printed', got {self.prefactor!r}")
        if self.polarization not in ("t", "l"):
            raise InputError(f"polarization must be 't' or 'l', got {self.polarization!r}")
        if not (np.isfinite(self.B_ref) and self.B_ref >= 0):
            raise InputError(f"B_ref must be a finite field >= 0 T, got {self.B_ref!r}")


def build_fit(ds: Dataset, req: FitRequest):
    """The :class:`coldglass.fit.FitProblem` the CLI command ``coldglass fit <kind>`` builds
    for the same data and options (refusals included); not yet run."""
    opts = cf.parse_options(list(req.fix), list(req.vary), list(req.init))
    k, m = req.kind, req.material
    if k == "cp":
        return cf.fit_cp(ds, None if m is None else get_material(m),
                         per_temperature=(None if req.shared_cutoffs is None
                                          else not req.shared_cutoffs),
                         orientation=req.orientation, B_ref=req.B_ref, t_tol=req.t_tol,
                         options=opts, run=False)
    if k == "magnetization":
        return cf.fit_magnetization(ds, None if m is None else get_material(m),
                                    orientation=req.orientation, prefactor=req.prefactor,
                                    high_field=req.high_field, T0=req.T0, options=opts,
                                    run=False)
    if k == "dielectric":
        return cf.fit_dielectric(ds, m, per_temperature=not req.shared_cutoffs,
                                 orientation=req.orientation, nw=req.nw,
                                 frequency_Hz=req.frequency_Hz, t_tol=req.t_tol, options=opts,
                                 run=False)
    if k == "echo":
        return cf.fit_echo(ds, req.row, tau12=None if req.tau12_us is None
                           else req.tau12_us * 1e-6, frequency=req.frequency_Hz,
                           orientation=req.orientation, options=opts, run=False)
    if k in ("sound-velocity", "internal-friction"):
        run = cf.fit_sound_velocity if k == "sound-velocity" else cf.fit_internal_friction
        return run(ds, m, polarization=req.polarization, frequency_Hz=req.frequency_Hz,
                   t_tol=req.t_tol, options=opts, run=False)
    if k == "thermal-conductivity":
        return cf.fit_thermal_conductivity(ds, m, options=opts, run=False)
    term_options = cf.parse_term_options(list(req.term_options))
    if req.frequency_Hz is not None:
        term_options["frequency_Hz"] = req.frequency_Hz
    return cf.fit_model(ds, list(req.terms) or None, per_temperature=tuple(req.per_temperature),
                        t_tol=req.t_tol, options=opts, term_options=term_options, run=False)


@dataclass
class FitOutcome:
    """A finished fit, ready for the page: the parameter table with units, the warnings,
    the fitted curves in the file's units, the plot the CLI saves as ``fit.png`` (a
    matplotlib ``Figure``, None unless asked for), and the two files the CLI writes."""

    result: object
    table: pd.DataFrame
    warnings: list[str]
    failure: str | None
    report: str
    curves: pd.DataFrame
    series: list[dict]
    figure: object = None

    def params_csv(self) -> str:
        """``params.csv`` exactly as ``coldglass fit`` writes it."""
        buf = io.StringIO()
        buf.write(self.result.status_header())
        self.table.to_csv(buf, index=False)
        return buf.getvalue()

    def curve_csv(self) -> str:
        """``curve.csv`` exactly as ``coldglass fit`` writes it."""
        buf = io.StringIO()
        buf.write(self.result.status_header())
        self.curves.to_csv(buf, index=False)
        return buf.getvalue()


def run_fit(problem, progress: Callable[[int], None] | None = None, *,
            figure: bool = False) -> FitOutcome:
    """Run a built problem (refusing its blockers first) and collect what the page shows;
    with ``figure`` also the CLI's ``fit.png`` plot, drawn on a pyplot-free ``Figure`` (safe
    in a worker thread, nothing left open)."""
    if problem.blockers:
        raise InputError("; ".join(problem.blockers))
    res = problem.run(remedy=getattr(problem, "remedy", ""), progress=progress)
    fig = None
    if figure:
        from matplotlib.figure import Figure

        n = len({(s["dataset"], s["x"]) for s in res.series()})
        fig = res.plot(Figure(figsize=(8.6 * n, 5.6), layout="constrained"))
    return FitOutcome(res, res.table(), res.warnings(), res.failure(), res.report(),
                      res.curves(), res.series(), fig)
