"""The ``coldglass`` command line (typer + rich). Heavy modules are imported lazily."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import ColdglassError, InputError

app = typer.Typer(
    rich_markup_mode=None,  # help texts hold units in brackets, e.g. "[g/mol]": no markup
    help="coldglass: tunnelling systems in glasses at low temperature (energies in kelvin).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
ForceOpt = Annotated[bool, typer.Option(help="overwrite the output files if they exist (without "
                                              "it an existing output is refused)")]


def _fail(msg: str) -> None:
    console.print(f"[red]error:[/red] {escape(msg)}", soft_wrap=True)
    raise typer.Exit(code=2)


@app.command()
def levels(
    e1: float = typer.Option(0.0, help="well asymmetry E1 [K]"),
    e2: float = typer.Option(0.0, help="well asymmetry E2 [K]"),
    e3: float = typer.Option(0.0, help="well asymmetry E3 [K]"),
    d0: float = typer.Option(1.0, help="tunnelling amplitude D0 [K] (Eq. 6)"),
    phi: float = typer.Option(0.0, help="Aharonov-Bohm phase [rad] (Eq. 7)"),
) -> None:
    """Levels of the three-welled potential, Eq. (6): closed form (Eq. 8), numerical
    diagonalization and the effective two-level gap (Eq. 9)."""
    import numpy as np

    from .systems import (
        asymmetry_radius,
        effective_gap,
        effective_parameters,
        ring_levels,
        twp_levels,
    )

    try:
        closed = twp_levels(e1, e2, e3, d0, phi)
        numeric = ring_levels(np.array([e1, e2, e3]), d0, phi)
        D_eff, D0_eff = effective_parameters(asymmetry_radius(e1, e2, e3), d0)
        gap_eff = float(effective_gap(D_eff, D0_eff, phi))
    except ValueError as exc:
        _fail(str(exc))
    table = Table(title=f"TWP levels (E1,E2,E3)=({e1:g},{e2:g},{e3:g}) K, D0={d0:g} K, "
                        f"phi={phi:g} rad")
    table.add_column("level")
    table.add_column("Eq. (8) [K]", justify="right")
    table.add_column("diagonalization [K]", justify="right")
    for k in range(3):
        table.add_row(f"E{k}", f"{closed[k]:.12g}", f"{numeric[k]:.12g}")
    console.print(table)
    eff = (f"{gap_eff:.10g} K" if abs(phi) <= np.pi and np.isfinite(gap_eff) else
           "not shown (Eq. 9 is the expansion for |phi| << 1; the levels are 2π-periodic)")
    console.print(f"gap E1-E0 = {closed[1] - closed[0]:.10g} K; effective 2LS (Eq. 9): {eff}")


@app.command()
def dos(
    dmin: float = typer.Option(..., help="Dmin [K]"),
    d0min: float = typer.Option(..., help="D0min in --unit"),
    d0max: float = typer.Option(..., help="D0max in --unit"),
    field: list[float] = typer.Option([0.0], help="field [T] (or phase [rad] for --unit K);"
                                      " repeat for several"),
    unit: str = typer.Option("K*A^2", help="unit of D0min/D0max: 'K*A^2' (paper) or 'K'"),
    emin: float = typer.Option(0.0, help="lowest gap [K]"),
    emax: float = typer.Option(5.0, help="highest gap [K]"),
    n: int = typer.Option(200, help="number of energies"),
    orientation: str = typer.Option("exact", help="exact | shortcut | none"),
    high_field: bool = typer.Option(False, help="apply Eq. (20) (needs --b-star for K*A^2)"),
    b_star: float = typer.Option(None, help="B* [T] of Eq. (20)"),
    density: float = typer.Option(1.0, help="P* n_ATS (scales the output)"),
    out: Path = typer.Option(Path("dos.csv"), help="CSV output"),
    png: Path = typer.Option(None, help="optional PNG plot"),
    force: ForceOpt = False,
) -> None:
    """ATS density of states g_ATS(E, B) (Eq. 13) on an energy grid, as CSV."""
    import numpy as np
    import pandas as pd

    from .ensembles import ATSEnsemble

    _check_file(out, force, "--out")
    if png is not None:
        _check_file(png, force, "--png")
    if n < 2:
        _fail("--n must be >= 2")
    if not emax > emin >= 0:
        _fail(f"need 0 <= --emin < --emax, got {emin}, {emax}")
    try:
        ens = ATSEnsemble(Dmin=dmin, D0min=d0min, D0max=d0max, density=density,
                          d0_unit=unit, B_star=b_star)
        E = np.linspace(emin, emax, n)
        cols = {"E_K": E}
        fu = ens.field_unit
        for f in field:
            cols[f"g_ATS(field={f:g} {fu}) [1/K]"] = ens.dos(
                E, f, orientation=orientation, high_field=high_field)
    except ValueError as exc:
        _fail(str(exc))
    df = pd.DataFrame(cols)
    df.to_csv(out, index=False)
    console.print(f"wrote {out} ({n} energies × {len(field)} fields)")
    if png is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
        for c in df.columns[1:]:
            ax.plot(E, df[c], label=c)
        ax.set_xlabel("E [K]")
        ax.set_ylabel("g_ATS [1/K]")
        ax.legend(fontsize=7)
        fig.savefig(png, dpi=130)
        console.print(f"wrote {png}")


fit_app = typer.Typer(rich_markup_mode=None,
                      help="Fit measured data (CSV with units in the header) with lmfit.",
                      no_args_is_help=True)
app.add_typer(fit_app, name="fit")

FIX_HELP = ("hold a parameter: NAME=VALUE, or NAME to hold it at its start; NAME may be a group "
            "parameter (ats_Dmin@0.600K) or its base (ats_Dmin: every group); repeatable")
VARY_HELP = "vary a parameter that is held by default (e.g. ats_B_star, c_ats); repeatable"
INIT_HELP = "starting value NAME=VALUE (in the unit of --list-parameters); repeatable"
ORIENT_HELP = "orientation average: exact (default, the package's convention) | shortcut " \
              "(the paper's φ²→φ²/3, the convention of its tables) | none"


# the options every fit command shares
FixOpt = Annotated[list[str], typer.Option(help=FIX_HELP)]
VaryOpt = Annotated[list[str], typer.Option(help=VARY_HELP)]
InitOpt = Annotated[list[str], typer.Option(help=INIT_HELP)]
ListOpt = Annotated[bool, typer.Option(help="list the parameters and exit")]
McmcOpt = Annotated[bool, typer.Option(help="posterior sampling (emcee) and a corner plot")]
StepsOpt = Annotated[int, typer.Option(help="MCMC steps per walker")]
WalkersOpt = Annotated[int | None, typer.Option(help="MCMC walkers (default 4 x free "
                                                     "parameters)")]
SeedOpt = Annotated[int, typer.Option(help="random seed of the MCMC")]
FIT_OUTPUTS = ("params.csv", "correlations.csv", "curve.csv", "fit.png", "corner.png",
               "posterior_samples.csv")


def _material(name: str | None):
    from .materials import get_material

    return None if name is None else get_material(name)


def _options(fix: list[str], vary: list[str], init: list[str]) -> dict:
    from .fit import parse_options

    return parse_options(fix, vary, init)


def _check_out(out: Path, force: bool = False, outputs: tuple[str, ...] = FIT_OUTPUTS,
               option: str = "--out") -> None:
    """The output folder must be creatable and writable and hold none of the files the
    command writes (unless ``force``): checked before any work starts."""
    import os

    if out.exists() and not out.is_dir():
        raise InputError(f"{option} {out} exists and is not a folder")
    parent = out if out.exists() else out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{option} {out}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{option} {out}: {parent} is not writable")
    if out.is_dir() and not force:
        there = [f for f in outputs if (out / f).exists()]
        if there:
            raise InputError(f"{option} {out} already holds {', '.join(there)}: choose another "
                             f"folder, or pass --force to overwrite")


def _check_file(path: Path, force: bool, option: str) -> None:
    """An output file: its folder must exist and be writable; an existing file is refused
    unless ``force`` (checked before any work)."""
    import os

    if path.is_dir():
        raise InputError(f"{option} {path} is a folder, not a file")
    if not path.parent.is_dir():
        raise InputError(f"{option} {path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"{option} {path}: {path.parent} is not writable")
    if path.exists() and not force:
        raise InputError(f"{option} {path} exists: choose another name, or pass --force to "
                         "overwrite")


def _list_parameters(problem) -> None:
    from .models.parameters import display_name, spec

    table = Table(title=f"{problem.kind} fit: parameters (names for --fix/--vary/--init)")
    for col in ("parameter", "start", "varies", "min", "max", "unit", "meaning"):
        table.add_column(col, justify="right" if col in ("start", "min", "max") else "left")
    for k, p in problem.params.items():
        row = spec(k)
        table.add_row(display_name(k), "" if p.expr else f"{p.value:.5g}",
                      "derived" if p.expr else ("yes" if p.vary else "no"),
                      f"{p.min:g}", f"{p.max:g}", row.unit, row.meaning)
    console.print(table)
    for name, text in problem.groups.items():
        console.print(f"temperature groups of {name}: {text}", markup=False)
    console.print(f"{len(problem.free)} free parameters, {problem.n_points} points", markup=False)


def _run_fit(build, out: Path, list_parameters: bool, mcmc: bool, mcmc_steps: int,
             mcmc_walkers: int | None, seed: int, force: bool = False) -> None:
    """Build (refusing bad input before any work), show the groups, fit, report, write."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    try:
        if not list_parameters:
            _check_out(out, force)
        problem = build()
        if list_parameters:
            _list_parameters(problem)
            return
        if problem.blockers:
            _fail("; ".join(problem.blockers))
        for name, text in problem.groups.items():
            console.print(f"temperature groups of {name}: {text}", markup=False)
        console.print(f"fitting {len(problem.free)} free parameters to {problem.n_points} "
                      "points ...", markup=False)
        with console.status("fitting (lmfit least squares) ...") as status:
            res = problem.run(remedy=getattr(problem, "remedy", ""),
                              progress=lambda n: status.update(
                                  f"fitting (lmfit least squares): {n} model evaluations"))
        if mcmc:
            from .fit.mcmc import sample_posterior

            with Progress(TextColumn("MCMC (emcee)"), BarColumn(), TextColumn(
                    "{task.completed}/{task.total} evaluations"), TimeElapsedColumn(),
                    console=console) as bar:
                task = bar.add_task("mcmc", total=None)
                sample_posterior(res, steps=mcmc_steps, burn=mcmc_steps // 3,
                                 nwalkers=mcmc_walkers, seed=seed,
                                 progress=lambda d, t: bar.update(task, completed=d, total=t))
    except KeyError as exc:
        _fail(str(exc.args[0]) if exc.args else "KeyError")
    except (ValueError, OSError) as exc:
        _fail(str(exc))
    _write_fit(res, out)
    fail = res.failure()
    if fail:
        console.print(f"[red]FAILED:[/red] {escape(fail)}", soft_wrap=True)
        raise typer.Exit(code=3)


def _write_fit(result, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    header = result.status_header()
    with open(out / "params.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        result.table().to_csv(fh, index=False)
    result.correlations().to_csv(out / "correlations.csv", index=False)
    with open(out / "curve.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        result.curves().to_csv(fh, index=False)
    fig = result.plot()
    fig.savefig(out / "fit.png", dpi=130)
    plt.close(fig)
    written = ["params.csv", "correlations.csv", "curve.csv", "fit.png"]
    if result.chain is not None:
        from .fit.mcmc import corner_plot

        fig = corner_plot(result, out / "corner.png")
        plt.close(fig)
        result.chain.to_csv(out / "posterior_samples.csv", index=False)
        written += ["corner.png", "posterior_samples.csv"]
    console.print(result.report(), markup=False)
    console.print(f"wrote {out}/" + ", ".join(written), markup=False)


def _load(path: Path, material: str | None = None, molar_mass: float | None = None):
    from .data import read_csv

    if molar_mass is None and material is not None:
        molar_mass = _material(material).molar_mass
    ds = read_csv(path, molar_mass=molar_mass)
    if ds.synthetic:
        console.print(f"[cyan]note:[/cyan] {escape(str(path))} holds SYNTHETIC data")
    return ds


@fit_app.command("cp")
def fit_cp(
    data: Path = typer.Argument(..., help="CSV with T [K], B [T] and Cp_bar [J/(g K)] "
                                "(field-subtracted) or Cp [J/(g K)] (absolute) (, sigma)"),
    material: str = typer.Option(None, help="starting values and molar mass: BAS, Duran"),
    molar_mass: float = typer.Option(None, help="molar mass [g/mol] for per-mole units"),
    shared_cutoffs: bool = typer.Option(None, "--shared-cutoffs/--per-temperature",
                                        help="one set of ATS cutoffs for all temperatures "
                                        "(default: per temperature for C̄p, shared for Cp)"),
    t_tol: float = typer.Option(None, help="temperature grouping tolerance [K] (default "
                                "2 %, at least 2 mK)"),
    orientation: str = typer.Option("exact", help=ORIENT_HELP),
    b_ref: float = typer.Option(8.0, help="reference field of C̄p = Cp(B) - Cp(B_ref) [T]"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_cp"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit C̄p(T, B) or the absolute Cp(T, B): phonons, 2LS, Fe²⁺, Fe³⁺, ATS (Eqs. 14-20)."""
    from .fit import fit_cp as run

    def build():
        return run(_load(data, material, molar_mass), _material(material),
                   per_temperature=None if shared_cutoffs is None else not shared_cutoffs,
                   orientation=orientation, B_ref=b_ref, t_tol=t_tol,
                   options=_options(fix, vary, init), run=False)

    _run_fit(build, out, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("magnetization")
def fit_m(
    data: Path = typer.Argument(..., help="CSV with T [K], B [T], M [A m2/g] (, sigma)"),
    material: str = typer.Option(None, help="starting values from a material: BAS, Duran, BK7"),
    molar_mass: float = typer.Option(None, help="molar mass [g/mol] for per-mole units"),
    orientation: str = typer.Option("exact", help=ORIENT_HELP),
    prefactor: str = typer.Option("derived", help="Eq. (94) prefactor: derived | printed"),
    high_field: bool = typer.Option(True, help="high-field correction Eq. (95) with B*"),
    t0: float = typer.Option(None, help="reference temperature T0 of Eq. (97) [K]"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_magnetization"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit M(T, B): Fe²⁺ + Fe³⁺ (Eq. 90) + ATS (Eqs. 94-97) + diamagnetic offset."""
    from .fit import fit_magnetization as run

    def build():
        return run(_load(data, material, molar_mass), _material(material),
                   orientation=orientation, prefactor=prefactor, high_field=high_field, T0=t0,
                   options=_options(fix, vary, init), run=False)

    _run_fit(build, out, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("joint")
def fit_both(
    cp_data: Path = typer.Argument(..., help="C̄p CSV"),
    m_data: Path = typer.Argument(..., help="magnetization CSV"),
    material: str = typer.Option(None, help="starting values from a material"),
    molar_mass: float = typer.Option(None, help="molar mass [g/mol] for per-mole units"),
    t_tol: float = typer.Option(None, help="temperature grouping tolerance [K]"),
    shared_cutoffs: bool = typer.Option(False, help="one set of C̄p cutoffs for all T"),
    orientation: str = typer.Option("exact", help=ORIENT_HELP),
    prefactor: str = typer.Option("derived", help="Eq. (94) prefactor: derived | printed"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_joint"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Joint fit of C̄p and M sharing the Fe²⁺, Fe³⁺ and ATS concentrations."""
    from .fit import fit_joint as run

    def build():
        return run(_load(cp_data, material, molar_mass), _load(m_data, material, molar_mass),
                   _material(material), per_temperature=not shared_cutoffs,
                   orientation=orientation, prefactor=prefactor, t_tol=t_tol,
                   options=_options(fix, vary, init), run=False)

    _run_fit(build, out, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("dielectric")
def fit_diel(
    data: Path = typer.Argument(..., help="CSV with T [K], B [T], deps [1] or dtand [1]"
                                " (, f [Hz], sigma)"),
    material: str = typer.Option(None, help="starting values: BAS, BK7, Duran, SiO2+xCyHz"),
    shared_cutoffs: bool = typer.Option(False, help="one parameter set for all temperatures"),
    t_tol: float = typer.Option(None, help="temperature grouping tolerance [K]"),
    orientation: str = typer.Option("exact", help=ORIENT_HELP),
    nw: int = typer.Option(3, help="wells of the ATS polygon (Eq. 45), >= 2"),
    frequency_hz: float = typer.Option(None, help="measuring frequency [Hz] (the loss needs "
                                       "it unless the data have an f column)"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_dielectric"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit the magnetodielectric effect Δε'/ε(T, B) or the loss Δ tan δ(T, B) (Eqs. 51-61)."""
    from .fit import fit_dielectric as run

    def build():
        return run(_load(data), material, per_temperature=not shared_cutoffs,
                   orientation=orientation, nw=nw, frequency_Hz=frequency_hz, t_tol=t_tol,
                   options=_options(fix, vary, init), run=False)

    _run_fit(build, out, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("echo")
def fit_echo_cmd(
    data: Path = typer.Argument(..., help="CSV with T [K], B [T], A [1]; or with tau12 [us], "
                                "IEA [1]"),
    row: str = typer.Option(None, help="Table 8 row for A(B): 'BAS sample 1', 'BAS sample 2',"
                            " 'BK7 1.5us', 'BK7 6us'"),
    tau12_us: float = typer.Option(None, help="pulse separation τ12 [μs] of A(B) data"),
    frequency_hz: float = typer.Option(None, help="echo frequency [Hz] (default: the row's)"),
    orientation: str = typer.Option("exact", help=ORIENT_HELP),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_echo"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit the echo amplitude A(B)/A_2LS (Sec. 6.2) or the integrated amplitude IEA(τ12)."""
    from .fit import fit_echo as run

    def build():
        return run(_load(data), row, tau12=None if tau12_us is None else tau12_us * 1e-6,
                   frequency=frequency_hz, orientation=orientation,
                   options=_options(fix, vary, init), run=False)

    _run_fit(build, out, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


ACOUSTIC_MATERIAL_HELP = "starting values from the acoustic table: a-SiO2 (SiO2, Suprasil), BK7"
POL_HELP = "polarization of the wave: t (transverse) or l (longitudinal); picks C_t or C_l"


def _acoustic_fit(run, data: Path, out: Path, kw: dict, fix, vary, init, list_parameters,
                  mcmc, mcmc_steps, mcmc_walkers, seed, force) -> None:
    def build():
        return run(_load(data), options=_options(fix, vary, init), run=False, **kw)

    _run_fit(build, out, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("sound-velocity")
def fit_sound_velocity_cmd(
    data: Path = typer.Argument(..., help="CSV with T [K], dv_v [1] (Δv/v, any reference) "
                                "(, f [Hz], sigma)"),
    material: str = typer.Option(None, help=ACOUSTIC_MATERIAL_HELP),
    polarization: str = typer.Option("t", help=POL_HELP),
    frequency_hz: float = typer.Option(None, help="measuring frequency [Hz] (unless the data "
                                       "have an f column)"),
    t_tol: float = typer.Option(None, help="temperature grouping tolerance [K]"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_sound_velocity"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit the STM sound-velocity change Δv/v(T, ω): tunnelling strength C, one-phonon
    coefficient A and an offset (resonant + relaxational parts, one polarization)."""
    from .fit import fit_sound_velocity as run

    _acoustic_fit(run, data, out, dict(material=material, polarization=polarization,
                                       frequency_Hz=frequency_hz, t_tol=t_tol),
                  fix, vary, init, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("internal-friction")
def fit_internal_friction_cmd(
    data: Path = typer.Argument(..., help="CSV with T [K], Qinv [1] (, f [Hz], sigma)"),
    material: str = typer.Option(None, help=ACOUSTIC_MATERIAL_HELP),
    polarization: str = typer.Option("t", help=POL_HELP),
    frequency_hz: float = typer.Option(None, help="measuring frequency [Hz] (unless the data "
                                       "have an f column)"),
    t_tol: float = typer.Option(None, help="temperature grouping tolerance [K]"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_internal_friction"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit the STM internal friction Q⁻¹(T, ω): C (plateau πC/2), A and a background."""
    from .fit import fit_internal_friction as run

    _acoustic_fit(run, data, out, dict(material=material, polarization=polarization,
                                       frequency_Hz=frequency_hz, t_tol=t_tol),
                  fix, vary, init, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("thermal-conductivity")
def fit_thermal_conductivity_cmd(
    data: Path = typer.Argument(..., help="CSV with T [K], kappa [W/(m K)] (, sigma)"),
    material: str = typer.Option(None, help=ACOUSTIC_MATERIAL_HELP + " (v_l, v_t, C)"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_thermal_conductivity"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit κ(T) limited by resonant scattering on tunnelling systems plus boundary scattering
    (Casimir length L_boundary, held unless --vary L_boundary); C_l = C_t unless given."""
    from .fit import fit_thermal_conductivity as run

    _acoustic_fit(run, data, out, dict(material=material), fix, vary, init, list_parameters,
                  mcmc, mcmc_steps, mcmc_walkers, seed, force)


@fit_app.command("model")
def fit_any(
    data: Path = typer.Argument(..., help="CSV of any observable of the model layer (its "
                                "column names the observable: Cp, Cp_bar, M, eps, tand, "
                                "deps, dtand, A, IEA, ...)"),
    term: list[str] = typer.Option([], help="a model term of the data's observable, e.g. "
                                   "eps_stm (repeatable; default: all its terms)"),
    per_temperature: list[str] = typer.Option([], help="parameter with one value per "
                                              "temperature group (repeatable)"),
    option: list[str] = typer.Option([], help="term option NAME=VALUE, e.g. "
                                     "orientation=shortcut (repeatable)"),
    frequency_hz: float = typer.Option(None, help="measuring frequency [Hz] for terms that "
                                       "need one (unless the data have an f column)"),
    t_tol: float = typer.Option(None, help="temperature grouping tolerance [K]"),
    molar_mass: float = typer.Option(None, help="molar mass [g/mol] for per-mole units"),
    fix: FixOpt = [],
    vary: VaryOpt = [],
    init: InitOpt = [],
    list_parameters: ListOpt = False,
    mcmc: McmcOpt = False,
    mcmc_steps: StepsOpt = 600,
    mcmc_walkers: WalkersOpt = None,
    seed: SeedOpt = 0,
    out: Path = typer.Option(Path("fit_model"), help="output folder"),
    force: ForceOpt = False,
) -> None:
    """Fit the model terms of any observable (a new observable of the model layer fits here
    with no code of its own): parameters from the terms' signatures and the table."""
    from .fit import fit_model as run

    def build():
        from .fit import parse_term_options

        opts = parse_term_options(option)
        if frequency_hz is not None:
            opts["frequency_Hz"] = frequency_hz
        return run(_load(data, None, molar_mass), list(term) or None,
                   per_temperature=tuple(per_temperature), t_tol=t_tol,
                   options=_options(fix, vary, init), term_options=opts, run=False)

    _run_fit(build, out, list_parameters, mcmc, mcmc_steps, mcmc_walkers, seed, force)


@app.command()
def explore(
    port: int = typer.Option(5006, help="port of the local web server"),
    address: str = typer.Option("localhost", help="address to listen on (localhost: this "
                                "machine only)"),
    show: bool = typer.Option(False, help="open the page in the default browser"),
    catalog: Path = typer.Option(None, help="landscape catalog (.sqlite) to open in its tab"),
) -> None:
    """Start the interactive explorer in the browser (needs the extra: pip install
    'coldglass[app]'): the models with sliders, your CSV with the fits of `coldglass fit`,
    and a landscape-catalog browser. Prints the address; Ctrl-C stops it."""
    from .app import serve

    def ready(url: str) -> None:
        console.print(f"coldglass explorer at {url}  (Ctrl-C stops it)", markup=False)

    try:
        serve(port, address=address, show=show, catalog=catalog, ready=ready)
    except KeyboardInterrupt:
        console.print("explorer stopped", markup=False)


@app.command()
def reproduce(
    out: Path = typer.Option(Path("report"), help="report folder"),
    force: ForceOpt = False,
) -> None:
    """Recompute the paper's figures and checks into OUT/report.md (+ PNG, CSV). An existing
    report is refused unless --force (then its files are rewritten)."""
    from .report import COMPLETE
    from .report import reproduce as run

    rep = out / "report.md"
    if rep.is_file() and not force and COMPLETE not in rep.read_text(encoding="utf-8",
                                                                       errors="replace"):
        _fail(f"--out {out} holds an interrupted report (report.md without its last "
              "section): pass --force to redo it, or choose another folder")
    _check_out(out, force, ("report.md",))

    path = run(out)
    console.print(f"report written to [bold]{escape(str(path))}[/bold]")


landscape_app = typer.Typer(rich_markup_mode=None,
                            help="Tunnelling states in a simulated Lennard-Jones glass "
                            "(paper Sec. 8): prepare, search, report.", no_args_is_help=True)
app.add_typer(landscape_app, name="landscape")


class _Bar:
    """A rich progress bar fed by the pipeline's progress(message, n) callback; ``rate``
    adds a free-text rate column, set through :meth:`set`."""

    def __init__(self, total: int | None, what: str, *, rate: bool = False) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        cols = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        if rate:
            cols.append(TextColumn("{task.fields[rate]}"))
        self.p = Progress(*cols, TimeElapsedColumn(), TimeRemainingColumn(), console=console)
        self.task = self.p.add_task(what, total=total, rate="")

    def __enter__(self):
        self.p.__enter__()
        return self

    def __exit__(self, *exc):
        return self.p.__exit__(*exc)

    def __call__(self, msg: str, n: int) -> None:
        self.p.update(self.task, advance=n, description=msg)

    def set(self, **kw) -> None:
        """Absolute update (``completed``, ``description``, ``rate``)."""
        self.p.update(self.task, **kw)


@landscape_app.command("prepare")
def landscape_prepare(
    out: Path = typer.Option(Path("landscape"), help="output folder"),
    n_atoms: int = typer.Option(256, help="number of particles N"),
    density: float = typer.Option(1.2, help="number density [sigma^-3]"),
    temperatures: str = typer.Option("2.0,1.0,0.8,0.6,0.5,0.45",
                                     help="parent temperatures [eps/k_B], comma separated"),
    n_equil: int = typer.Option(20000, help="MD steps at each temperature (dt = 0.005)"),
    n_samples: int = typer.Option(5, help="inherent structures per temperature"),
    seed: int = typer.Option(1, help="random seed"),
    units: str = typer.Option("argon", help="reduced-to-physical unit preset"),
    truncation: str = typer.Option("shift", help="'shift' (energy) or 'force-shift' "
                                   "(energy and force) at the cutoff"),
    force: bool = typer.Option(False, help="OUT already holds a glass or a search: move them "
                               "aside into OUT/superseded-<time>/ and prepare anew (without "
                               "it such a folder is refused)"),
) -> None:
    """Equilibrate, cool and quench a Kob-Andersen glass; inherent-structure energies."""
    from .landscape.model import BinaryLJ
    from .landscape.pipeline import PrepareProtocol, prepare
    from .landscape.units import unit_preset

    try:
        Ts = [float(t) for t in temperatures.split(",") if t.strip()]
        model = BinaryLJ(n_atoms=n_atoms, density=density, truncation=truncation)
        proto = PrepareProtocol(temperatures=Ts, n_equil=n_equil, n_samples=n_samples,
                                seed=seed)
        um = unit_preset(units)
    except ValueError as exc:
        _fail(str(exc))
    from .landscape.engine import EngineUnavailable

    try:
        with _Bar(len(proto.temperatures) * proto.n_samples, "preparing") as bar:
            res = prepare(out, model, um, proto, progress=bar, force=force)
    except EngineUnavailable as exc:
        _fail(str(exc))
    if res.get("superseded"):
        console.print(f"the previous glass and search were moved to "
                      f"{escape(str(res['superseded']))}")
    tab = Table("T_parent [eps/k_B]", "e_IS [eps/particle]")
    g = res["is_energies"].groupby("T_parent [eps/k_B]")["e_IS [eps/particle]"].mean()
    for T, e in g.sort_index(ascending=False).items():
        tab.add_row(f"{T:g}", f"{e:.4f}")
    console.print(tab)
    console.print(f"glass written to [bold]{escape(str(res['dir']))}[/bold]")


@landscape_app.command("search")
def landscape_search(
    out: Path = typer.Option(Path("landscape"), help="folder of a finished prepare"),
    n_segments: int = typer.Option(1, help="trajectory segments to add to the search"),
    t_md: float = typer.Option(0.4, help="MD temperature of the IS route [eps/k_B]"),
    n_quench: int = typer.Option(200, help="quenches along each segment's MD trajectory"),
    interval: int = typer.Option(20, help="MD steps between quenches"),
    n_basins: int = typer.Option(10, help="minima per segment explored by soft-mode "
                                 "following"),
    n_modes: int = typer.Option(4, help="softest modes followed per minimum (both ways)"),
    routes: str = typer.Option("is-transition,soft-mode", help="routes, comma separated"),
    selection: str = typer.Option("ml", help="pairs verified per segment: 'ml' (learned "
                                  "ranking of every pair), 'random', 'consecutive'"),
    batch: int = typer.Option(8, help="pairs verified per selection round"),
    rounds: int = typer.Option(4, help="selection rounds per segment"),
    seed: int = typer.Option(7, help="random seed (segment J runs with the seed of segment "
                             "J of `landscape campaign --seed SEED`)"),
) -> None:
    """Find double wells in the prepared glass, verify them (CI-NEB, index-1 saddle) and
    catalog them in OUT/search/catalog.sqlite (a campaign run in this process), exported
    to OUT/search/catalog.csv. Rerun with the same options to add --n-segments more."""
    from .landscape.catalog import CatalogError
    from .landscape.pipeline import SearchProtocol, search

    try:
        proto = SearchProtocol(t_md=t_md, n_quench=n_quench, interval=interval,
                               n_basins=n_basins, n_modes=n_modes, seed=seed,
                               routes=[r.strip() for r in routes.split(",") if r.strip()],
                               selection=selection, batch=batch, rounds=rounds)
        if n_segments < 1:
            raise InputError(f"--n-segments must be >= 1, got {n_segments}")
        # ticks per segment: every quench after the first (consecutive), or every quench
        # and selection round (ml, random); the soft-mode route alone does not tick
        per = 0 if "is-transition" not in proto.routes else (
            proto.n_quench - 1 if proto.selection == "consecutive"
            else proto.n_quench + proto.rounds)
        with _Bar(n_segments * per or None, "searching") as bar:
            run = search(out, proto, n_segments=n_segments, progress=bar)
    except (ValueError, FileNotFoundError, CatalogError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        console.print(f"interrupted: the finished segments are in "
                      f"{escape(str(out / 'search' / 'catalog.sqlite'))}; rerun the same "
                      "command to go on")
        raise typer.Exit(code=130) from None
    if run["failed"]:
        console.print(f"[red]failed segments:[/red] {', '.join(run['failed'])} (see the "
                      "catalog's tasks table for the error)")
    def n(k: int, word: str) -> str:
        return f"{k} {word}{'' if k == 1 else 's'}"

    console.print(f"{n(run['new_dwps'], 'new double well')} from "
                  f"{n(run['segments_added'], 'segment')} in {run['wall_s']:.0f} s; "
                  f"{run['n_catalog']} distinct in [bold]{escape(str(run['catalog']))}[/bold] "
                  f"({n(run['segments'], 'segment')}), exported to "
                  f"{escape(str(run['export']))}")
    if run["edited_export"] is not None:
        console.print(f"the edited export was moved to {escape(str(run['edited_export']))}")


def _unit_mapping(text: str):
    """``NAME:SIGMA_A,EPSILON_K,MASS_U`` (or a preset name) as a UnitMapping."""
    from .landscape.units import UnitMapping, unit_preset

    try:
        if ":" not in text:
            return unit_preset(text)
        name, _, vals = text.partition(":")
        try:
            sigma, eps, mass = (float(v) for v in vals.split(","))
        except ValueError:
            raise InputError("expected NAME:SIGMA_A,EPSILON_K,MASS_U (σ [Å], ε/k_B [K], "
                             "m [u]), e.g. 'mine:2.2,934,58.7'") from None
        return UnitMapping(sigma, eps, mass, name.strip() or "custom")
    except InputError as exc:  # name the option the value came from
        raise InputError(f"--also-units {text!r}: {exc}") from None


@landscape_app.command("report")
def landscape_report_cmd(
    out: Path = typer.Option(Path("landscape"), help="output folder; also the catalog's "
                             "folder (prepare and search) unless --catalog is given"),
    catalog: Path | None = typer.Option(None, help="report on this SQLite catalog (a "
                                        "campaign's) instead of OUT's search"),
    include: list[Path] = typer.Option([], help="further catalogs (folders or .sqlite) of "
                                       "independent glasses of the same model to pool "
                                       "(repeatable)"),
    also_units: list[str] = typer.Option([], help="another unit mapping to count the TLS "
                                         "under, NAME:SIGMA_A,EPSILON_K,MASS_U "
                                         "[Angstrom, K, u] or a preset (repeatable)"),
    e_tls: float = typer.Option(1.0, help="TLS threshold on the quantum splitting [K]"),
    dipole: float = typer.Option(1.0, help="assumed TLS dipole moment for Δε [Debye]"),
) -> None:
    """Figures and tables: IS energies, TLS found (with Poisson intervals, under several
    unit mappings), DWP statistics, Fig. 26 overlay, C(T), Δε(T)."""
    from .landscape.catalog import CatalogError
    from .landscape.report import landscape_report

    try:
        maps = [_unit_mapping(t) for t in also_units]
        path = landscape_report(out, catalog=catalog, include=include, also_units=maps,
                                e_tls_K=e_tls, dipole_D=dipole)
    except (ValueError, FileNotFoundError, CatalogError) as exc:
        _fail(str(exc))
    console.print(f"report written to [bold]{escape(str(path))}[/bold]")


@landscape_app.command("campaign")
def landscape_campaign(
    catalog: Path = typer.Option(Path("campaign.sqlite"), help="SQLite catalog (created, or "
                                 "resumed if it exists)"),
    workers: int | None = typer.Option(None, help="LocalCluster workers (default: all "
                                       "cores; 0: run in this process)"),
    scheduler: str | None = typer.Option(None, help="address of a running Dask scheduler, e.g. "
                                  "tcp://host:8786 (overrides --workers)"),
    n_samples: int = typer.Option(1, help="glass samples"),
    n_segments: int = typer.Option(8, help="search segments (trajectories) per sample"),
    n_atoms: int = typer.Option(1000, help="number of particles N"),
    density: float = typer.Option(1.2, help="number density [sigma^-3]"),
    truncation: str = typer.Option("force-shift", help="'shift' or 'force-shift'"),
    temperatures: str = typer.Option("2.0,1.0,0.8,0.6,0.5,0.45",
                                     help="parent temperatures [eps/k_B], comma separated"),
    n_equil: int = typer.Option(10000, help="MD steps at each parent temperature"),
    t_md: float = typer.Option(0.4, help="MD temperature of the IS route [eps/k_B]"),
    n_quench: int = typer.Option(100, help="quenches per segment"),
    interval: int = typer.Option(20, help="MD steps between quenches"),
    n_basins: int = typer.Option(1, help="minima per segment explored by soft-mode following"),
    n_modes: int = typer.Option(2, help="softest modes followed per minimum (both ways)"),
    routes: str = typer.Option("is-transition,soft-mode", help="routes, comma separated"),
    seed: int = typer.Option(1, help="campaign seed (fixes every task's seed)"),
    units: str = typer.Option("argon", help="reduced-to-physical unit preset"),
    selection: str = typer.Option("ml", help="pairs verified per segment: 'ml' (learned "
                                  "ranking of every pair), 'random', 'consecutive'"),
    batch: int = typer.Option(8, help="pairs verified per selection round"),
    rounds: int = typer.Option(4, help="selection rounds per segment"),
) -> None:
    """Search many glasses for double wells on a Dask cluster into one SQLite catalog.

    Kill it at any moment and rerun the same command: it continues where it stopped."""
    from .landscape.campaign import CampaignProtocol, run_campaign
    from .landscape.catalog import CatalogError
    from .landscape.engine import EngineUnavailable
    from .landscape.model import BinaryLJ
    from .landscape.pipeline import PrepareProtocol, SearchProtocol
    from .landscape.units import unit_preset

    try:
        if workers is not None and workers < 0:
            raise InputError(f"--workers must be >= 0, got {workers}")
        model = BinaryLJ(n_atoms=n_atoms, density=density, truncation=truncation)
        proto = CampaignProtocol(
            n_samples=n_samples, n_segments=n_segments, seed=seed,
            prepare=PrepareProtocol(temperatures=[float(t) for t in temperatures.split(",")
                                                  if t.strip()], n_equil=n_equil,
                                    n_samples=1),
            search=SearchProtocol(t_md=t_md, n_quench=n_quench, interval=interval,
                                  n_basins=n_basins, n_modes=n_modes,
                                  routes=[r.strip() for r in routes.split(",") if r.strip()],
                                  selection=selection, batch=batch, rounds=rounds))
        um = unit_preset(units)
    except ValueError as exc:
        _fail(str(exc))
    bar = _Bar(proto.n_tasks, "tasks", rate=True)
    t0 = time.perf_counter()

    def started(plan: dict) -> None:
        bar.set(completed=plan["already_done"])
        where = scheduler or (f"{plan['workers']} local workers" if plan["workers"]
                              else "this process")
        console.print(f"campaign [bold]{escape(str(catalog))}[/bold]: {plan['already_done']} of "
                      f"{plan['total']} tasks already done, running on {where}")
        if plan["dashboard"]:
            console.print(f"Dask dashboard: {plan['dashboard']}")

    def advance(d: dict) -> None:
        rate = d["dwps"] / max(time.perf_counter() - t0, 1e-9) * 3600
        bar.set(completed=d["done"], description=f"{d['dwps']} new DWPs",
                rate=f"{rate:.0f} DWP/h")

    try:
        with bar:
            res = run_campaign(catalog, proto, model, um, workers=workers, scheduler=scheduler,
                               progress=advance, on_start=started)
    except (CatalogError, EngineUnavailable, FileNotFoundError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        console.print(f"interrupted: the finished tasks are in {escape(str(catalog))}; rerun "
                      "the same command to continue")
        raise typer.Exit(code=130) from None
    console.print(f"{res['tasks_run']} tasks ({res['failed']} failed, {res['lost']} lost to "
                  f"workers) in {res['wall_s']:.0f} s wall, {res['compute_s']:.0f} s compute; "
                  f"{res['new_dwps']} new double wells; catalog writes "
                  f"{100 * res['overhead']:.2f} % of compute")


@landscape_app.command("status")
def landscape_status(catalog: Path = typer.Argument(..., help="SQLite catalog")) -> None:
    """Summary of a campaign catalog: tasks, records, cost, throughput, consistency."""
    from .landscape.catalog import Catalog, CatalogError

    try:
        with Catalog(catalog, readonly=True) as cat:
            s = cat.summary()
            problems = cat.check()
    except (CatalogError, FileNotFoundError) as exc:
        _fail(str(exc))
    prov = s["provenance"] or {}
    tab = Table("quantity", "value", title=f"catalog {catalog}")
    tab.add_row("schema version", str(s["schema_version"]))
    if prov:
        m = prov["model"]
        tab.add_row("model", f"N = {m['n_atoms']}, density {m['density']}, "
                    f"{m.get('truncation', 'shift')}")
        tab.add_row("engine", prov["engine"])
        tab.add_row("campaign seed", str(prov["seed"]))
    done, failed = s["tasks"].get("done", 0), s["tasks"].get("failed", 0)
    tab.add_row("tasks done / failed / planned",
                f"{done} / {failed} / {s['planned_tasks'] or '?'}")
    for k, v in s["counts"].items():
        tab.add_row(k, str(v))
    tab.add_row("compute (core-hours)", f"{s['compute_s'] / 3600:.3f}")
    tab.add_row("force calls", str(s["force_calls"]))
    if s["dwps_per_core_hour"] is not None:
        tab.add_row("double wells per core-hour", f"{s['dwps_per_core_hour']:.1f}")
    tab.add_row("first / last task finished", f"{s['first_finished']} / {s['last_finished']}")
    tab.add_row("consistency", "ok" if not problems else "; ".join(problems))
    console.print(tab)


@landscape_app.command("heterogeneity")
def landscape_heterogeneity(
    out: Path = typer.Option(Path("landscape"), help="output folder"),
    system: str = typer.Option("2d", help="'2d' (soft disks, Fig. 1) or '3d' (Kob-Andersen, "
                               "maps as slices)"),
    temperatures: str = typer.Option("1.0,0.7,0.5,0.42",
                                     help="descending temperatures [eps/k_B]"),
    n_atoms: int | None = typer.Option(None, help="particles (default 780 in 2D, 1000 in 3D)"),
    n_equil: int = typer.Option(20000, help="equilibration steps per temperature"),
    n_run: int = typer.Option(40000, help="analysed steps per temperature"),
    stride: int = typer.Option(100, help="steps between stored frames"),
    n_iso: int = typer.Option(0, help="iso-configurational runs for the propensity (0: "
                              "single-trajectory displacements)"),
    seed: int = typer.Option(1, help="random seed"),
) -> None:
    """Dynamical heterogeneity on cooling: slowest/fastest 40 %, their clusters, Fig. 1 maps.

    Finished temperatures are kept; rerun the same command to continue an interrupted run."""
    from .landscape.heterogeneity import heterogeneity_report, run_heterogeneity

    try:
        Ts = [float(t) for t in temperatures.split(",") if t.strip()]
        with _Bar(len(Ts), "cooling") as bar:
            df = run_heterogeneity(out, system, Ts, n_atoms=n_atoms, n_equil=n_equil,
                                   n_run=n_run, stride=stride, n_iso=n_iso, seed=seed,
                                   progress=bar)
        path = heterogeneity_report(out, system)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))
    tab = Table("T (eps/k_B)", "t* (tau)", "alpha2 max", "S_w slow", "S_w random",
                "slow clustering", "slow-slow neighbours")
    for _, r in df.iterrows():
        tab.add_row(f"{r['T [eps/k_B]']:g}", f"{r['t_star [tau]']:.3g}",
                    f"{r['alpha2_max']:.3f}", f"{r['S_w_slow [particles]']:.1f}",
                    f"{r['S_w_random [particles]']:.1f}",
                    f"{r['slow_clustering [S_w/S_w_random]']:.2f} ± "
                    f"{r['slow_clustering_err']:.2f}",
                    f"{r['slow_like_neighbours [excess]']:.2f} ± "
                    f"{r['slow_like_neighbours_err']:.2f}")
    console.print(tab)
    text = path.read_text()
    console.print(text[text.index("**Do the slow"):text.index("\n\n|")])
    console.print(f"maps and report in [bold]{escape(str(path.parent))}[/bold]")



# ------------------------------------------------------------------------- error handling


def _guarded(fn):
    """Run a command so that every refusal of the package (ColdglassError, ValueError) and
    every OS or SQLite error reaches the user as one line and exit code 2, not a traceback."""
    import functools
    import sqlite3

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except (ColdglassError, ValueError, KeyError, OSError, sqlite3.Error) as exc:
            msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in msg:
                msg = f"{exc.filename}: {msg}"
            _fail(msg.strip() or type(exc).__name__)

    return wrapper


def _guard_all(t: typer.Typer) -> None:
    for cmd in t.registered_commands:
        cmd.callback = _guarded(cmd.callback)
    for group in t.registered_groups:
        _guard_all(group.typer_instance)


_guard_all(app)


if __name__ == "__main__":  # pragma: no cover
    app()
