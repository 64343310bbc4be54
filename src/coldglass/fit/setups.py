"""The fits of the glass observables, each a :class:`FitProblem` built from the model layer.

* :func:`fit_cp` — C̄p(T, B) = Cp(T, B) - Cp(T, B_ref) (``Cp_bar`` data) or the absolute
  Cp(T, B) (``Cp`` data: phonons γ_ph T³ + 2LS (π²/6)P̄k_B²T + Fe²⁺ + Fe³⁺ + ATS);
* :func:`fit_magnetization` — M(T, B): Fe²⁺ + Fe³⁺ (Eq. 90) + ATS (Eqs. 94-97) + offset;
* :func:`fit_joint` — C̄p and M sharing the Fe²⁺, Fe³⁺ and ATS concentrations;
* :func:`fit_dielectric` — Δε'/ε(T, B) (``deps``) or Δ tan δ(T, B) (``dtand``);
* :func:`fit_echo` — A(B)/A_2LS (``A``) or the integrated echo amplitude IEA(τ12).

Temperatures are grouped by nominal value within a tolerance (``t_tol``, default 2 % and at
least 2 mK; :meth:`coldglass.data.Dataset.temperature_groups`); per-temperature parameters
are named by their group (``ats_Dmin@0.600K``). The orientation convention defaults to the
package's one (exact, :data:`coldglass.ensembles.DEFAULT_ORIENTATION`) and is stated in the
notes of every result. Linear amplitudes (concentrations, offsets) start from a bounded
linear least-squares solve at the starting cutoffs unless the user gives them. With
``run=False`` each function returns the :class:`FitProblem` unfitted (to list or change its
parameters; ``problem.run()`` fits it).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import lsq_linear

from .. import models as cm
from ..data import Dataset
from ..ensembles import FIT_RULE, Orientation
from ..errors import InputError
from ..materials import DIELECTRIC, ECHO, GLYCEROL, LOSS, Material
from ..models.parameters import group_suffix
from .problem import Block, FitError, FitProblem, Term, _weights

__all__ = ["fit_cp", "fit_cp_bar", "fit_magnetization", "fit_joint", "fit_dielectric",
           "fit_echo", "fit_model", "Options"]

Options = dict  # {"fix": {name: value|None}, "vary": [names], "init": {name: value}}


def _pairs(items: list[str], what: str, need_value: bool) -> dict:
    out = {}
    for item in items:
        name, eq, val = item.partition("=")
        name = name.strip()
        if not name:
            raise InputError(f"{what}: empty parameter name in {item!r}")
        if not eq:
            if need_value:
                raise InputError(f"{what} needs NAME=VALUE, got {item!r}")
            out[name] = None
            continue
        try:
            out[name] = float(val)
        except ValueError:
            raise InputError(f"{what} {item!r}: {val!r} is not a number") from None
    return out


def parse_term_options(items: list[str]) -> dict[str, float | str]:
    """Term options of ``fit model`` (``--option NAME=VALUE``): a number where the value
    reads as one, else the text (``orientation=shortcut``)."""
    out: dict[str, float | str] = {}
    for item in items:
        k, eq, v = item.partition("=")
        if not eq or not k.strip():
            raise InputError(f"--option needs NAME=VALUE, got {item!r}")
        try:
            out[k.strip()] = float(v)
        except ValueError:
            out[k.strip()] = v.strip()
    return out


def parse_options(fix: list[str], vary: list[str], init: list[str]) -> Options:
    """The fix/vary/init options of every fit from their text form (the CLI's ``--fix``,
    ``--vary``, ``--init`` and the explorer's fields): ``NAME=VALUE`` or ``NAME`` (fix at
    its start); a malformed item is refused with the option named."""
    return {"fix": _pairs(fix, "--fix", False), "vary": [v.strip() for v in vary],
            "init": _pairs(init, "--init", True)}

_REMEDY_GROUPS = ("The data have {n} temperature groups at the grouping tolerance "
                  "(t_tol / --t-tol {tol}); use shared cutoffs (per_temperature=False, "
                  "--shared-cutoffs), a larger --t-tol, or fix parameters (--fix).")


def _need(ds: Dataset, quantities: tuple[str, ...], what: str) -> None:
    if ds.quantity not in quantities:
        raise InputError(f"{what} needs {' or '.join(quantities)} data, the file has "
                         f"{ds.quantity!r}")


FIT_ORIENTATION_NODES = 8
"""Nodes per c panel of the exact orientation average inside fits (32 in all): ~1e-7
relative for the C̄p, M and Δε'/ε kernels (benchmarks/bench_heat_capacity.py measures
the rules), far below measurement noise. An Orientation object passed in is used as is."""


def _orientation(orientation) -> Orientation:
    if isinstance(orientation, Orientation):
        return orientation
    o = Orientation.of(orientation)
    return Orientation(o.kind, FIT_ORIENTATION_NODES, o.high_field) if o.kind == "exact" else o


def _fit_rule(ds: Dataset):
    return FIT_RULE.with_(energy_scale=60.0 * float(np.max(ds.T)))


def _groups(ds: Dataset, per_temperature: bool, t_tol: float | None):
    """[(suffix, label, mask)] for per-temperature parameters, or one shared group."""
    if not per_temperature:
        return [("", "", np.ones(ds.T.shape, bool))], None
    g = ds.temperature_groups(t_tol)
    return [(group_suffix(g.label(k)), g.label(k), g.members(k)) for k in range(len(g))], g


def _rows_near(rows, T):
    return min(rows, key=lambda r: abs(r.T - T)) if rows else None


def _add_cutoffs(p: FitProblem, prefix: str, suffix: str, start) -> dict[str, str]:
    d, x0, x1 = start
    p.add_parameter(f"{prefix}Dmin{suffix}", d)
    p.add_parameter(f"{prefix}X0min{suffix}", x0)
    p.add_parameter(f"{prefix}X0ratio{suffix}", x1 / x0)
    p.add_parameter(f"{prefix}X0max{suffix}", 0.0,
                    expr=f"{prefix}X0min{suffix}*{prefix}X0ratio{suffix}")
    return {"Dmin": f"{prefix}Dmin{suffix}", "X0min": f"{prefix}X0min{suffix}",
            "X0max": f"{prefix}X0max{suffix}"}


def _ions(p: FitProblem, material: Material | None, source: str) -> None:
    fit = None
    if material is not None:
        fit = getattr(material, source) or material.heat_capacity or material.magnetization
    init = (fit.n_fe2, fit.n_fe3, fit.Pn_ats) if fit else (1e17, 5e16, 5e16)
    for name, v in zip(("fe2_n", "fe3_n", "ats_Pn"), init, strict=True):
        p.add_parameter(name, v)


def _ion_terms(func, which: str = "cp") -> list[Term]:
    return [Term(ion, func, {"n": f"fe{ion[2]}_n"}, {"species": ion})
            for ion in ("Fe2+", "Fe3+")]


CUTOFF_GRID = {"ats_Dmin": [0.05, 0.2, 0.6], "ats_X0min": [5e3, 3e4, 1e5],
               "ats_X0ratio": [2.0, 5.0, 20.0]}
"""Coarse grid for the start of the ATS cutoffs when neither a material nor the user gives
them (27 projected evaluations; every group starts from the same best point)."""


M_GRID = {"ats_Dmin": [0.03, 0.1, 0.3], "ats_X0min": [3e4, 1e5, 3e5],
          "ats_X0ratio": [1.5, 3.0, 10.0]}
"""Coarse grid for the ATS cutoffs of a magnetization fit without a material."""


def _finish(p: FitProblem, options: Options | None, linear: list[str], remedy: str,
            grid: dict | None = None):
    options = options or {}
    given = set()
    for key in ("fix", "init"):
        for name in (options.get(key) or {}):
            given |= set(p._match(name))
    p.apply(fix=options.get("fix"), vary=options.get("vary", ()), init=options.get("init"))
    p.linear = [k for k in linear if k in p.params]
    if grid:
        keys = {k: v for k, v in grid.items()
                if not any(set(p._match(k)) & given for _ in [0])}
        p.check_size(remedy)
        p.grid_start(keys)
    todo = [k for k in linear if k in p.params and p.params[k].vary and k not in given]
    if todo:
        linear_start(p, todo)
    p.remedy = remedy
    return p


def linear_start(p: FitProblem, names: list[str]) -> None:
    """Start the amplitudes ``names`` (the model is linear in them) at the bounded weighted
    linear least-squares solution for the other parameters' starting values."""
    base = p.values()
    for k in names:
        base[k] = 0.0
    order = list(p.datasets)

    def stacked(vals):
        pars = p.params.copy()
        for k, v in vals.items():
            if pars[k].expr is None:
                pars[k].value = v
        ev = p.evaluate(pars)
        return np.concatenate([ev[k] for k in order])

    w = np.concatenate([_weights(k, p.datasets[k])[0] for k in order])
    y = np.concatenate([p.datasets[k].y for k in order])
    try:
        zero = stacked(base)
        cols = []
        for k in names:
            unit = base | {k: p.params[k].value if p.params[k].value != 0 else 1.0}
            cols.append((stacked(unit) - zero) / unit[k])
    except (ValueError, FloatingPointError):
        return  # keep the given starts; the fit itself reports what is wrong
    A = np.column_stack(cols) * w[:, None]
    b = (y - zero) * w
    ok = np.all(np.isfinite(A), axis=1) & np.isfinite(b)
    if ok.sum() < len(names):
        return
    scale = np.maximum(np.abs(A[ok]).max(axis=0), 1e-300)
    lo = np.array([p.params[k].min for k in names]) * scale
    hi = np.array([p.params[k].max for k in names]) * scale
    sol = lsq_linear(A[ok] / scale, b[ok], bounds=(lo, hi))
    x = sol.x / scale
    for k, v in zip(names, x, strict=True):
        if math.isfinite(v):
            pk = p.params[k]
            # strictly inside the bounds, so that the trust region can move it
            span = max(abs(v), abs(pk.value), 1e-30)
            v = min(max(v, pk.min + 1e-6 * span), pk.max - 1e-6 * span)
            pk.value = v


# -------------------------------------------------------------------------- heat capacity


def _cp_blocks(p: FitProblem, name: str, ds: Dataset, material: Material | None,
               per_temperature: bool, orient: Orientation, t_tol, absolute: bool,
               ats_prefix: str = "ats_") -> None:
    groups, g = _groups(ds, per_temperature, t_tol)
    if g is not None:
        p.groups[name] = g.describe().replace("\n", "; ")
    rows = material.heat_capacity.rows if material and material.heat_capacity else ()
    # no explicit rule: the default route (per-point 1-D energy integral of the closed-form
    # DOS, exact to ~1e-12 and smooth in the cutoffs: finite differences agree from 1e-5 to
    # 1e-8 relative steps) where it applies; the generic average with a fixed-panel rule
    # otherwise (high-field correction)
    rule = _fit_rule(ds) if orient.high_field else None
    opts = {"orientation": orient, "high_field": orient.high_field, "rule": rule}
    if absolute:
        p.add_parameter("gamma_ph", 1e-7)
        p.add_parameter("P_bar", 1e16)
    for suffix, label, mask in groups:
        Tg = float(np.median(ds.T[mask]))
        r = _rows_near(rows, Tg)
        start = (r.Dmin, r.X0min, r.X0max) if r else (0.5, 5e4, 3e5)
        names = _add_cutoffs(p, ats_prefix, suffix, start)
        if absolute:
            terms = [Term("phonons", cm.cp_phonons, {"gamma_ph": "gamma_ph"}),
                     Term("2LS", cm.cp_tls, {"P_bar": "P_bar"})]
            terms += _ion_terms(cm.cp_paramagnet)
            terms.append(Term("ATS", cm.cp_ats, names | {"Pn": "ats_Pn"}, opts))
        else:
            terms = [Term(t.component, cm.cp_bar_paramagnet, t.params,
                          t.options | {"B_ref": p.B_ref})
                     for t in _ion_terms(cm.cp_bar_paramagnet)]
            terms.append(Term("ATS", cm.cp_bar_ats, names | {"Pn": "ats_Pn"},
                              opts | {"B_ref": p.B_ref}))
        p.add_block(Block(name, mask, terms, label))


def fit_cp(
    data: Dataset,
    material: Material | None = None,
    *,
    per_temperature: bool | None = None,
    orientation: Orientation | str | None = None,
    B_ref: float = 8.0,
    t_tol: float | None = None,
    options: Options | None = None,
    fix: tuple[str, ...] = (),
    run: bool = True,
):
    """Fit heat-capacity data: C̄p(T, B) (``Cp_bar``) or absolute Cp(T, B) (``Cp``).

    Concentrations of Fe²⁺, Fe³⁺ and ``ats_Pn`` = P*n_ATS are shared; the cutoffs
    (``ats_Dmin``, ``ats_X0min``, ``ats_X0ratio`` -> ``ats_X0max``) are per temperature group
    (Tables 2 and 4; default for C̄p) or shared (default for absolute Cp, where T is usually
    swept). Absolute Cp adds the phonon ``gamma_ph`` [J g⁻¹ K⁻⁴] and 2LS ``P_bar``
    [K⁻¹ g⁻¹] terms. ``options``: ``fix``, ``vary``, ``init`` (see :class:`FitProblem`).
    Returns a :class:`coldglass.fit.FitResult`.
    """
    _need(data, ("Cp_bar", "Cp"), "fit_cp")
    absolute = data.quantity == "Cp"
    if absolute is False and not data.has_field:
        raise InputError("C̄p data need a B column")
    if per_temperature is None:
        per_temperature = not absolute
    orient = _orientation(orientation)
    cm.spec("B_ref").check(B_ref, "B_ref")
    p = FitProblem("Cp" if absolute else "C̄p", {data.quantity: data},
                   [f"orientation averaging: {orient.label()}"
                    + ("" if absolute else f"; B_ref = {B_ref:g} T")])
    p.B_ref = float(B_ref)
    _ions(p, material, "heat_capacity")
    _cp_blocks(p, data.quantity, data, material, per_temperature, orient, t_tol, absolute)
    opts = _merge_fix(options, fix)
    linear = ["fe2_n", "fe3_n", "ats_Pn"] + (["gamma_ph", "P_bar"] if absolute else [])
    groups = len(p.blocks)
    _finish(p, opts, linear, _REMEDY_GROUPS.format(n=groups, tol=t_tol or "default"),
            grid=None if material is not None else CUTOFF_GRID)
    return p.run(remedy=p.remedy) if run else p


def fit_cp_bar(data: Dataset, material: Material | None = None, **kw):
    """:func:`fit_cp` for C̄p data (kept for the 0.1 API)."""
    _need(data, ("Cp_bar",), "fit_cp_bar")
    return fit_cp(data, material, **kw)


def _merge_fix(options: Options | None, fix) -> Options:
    opts = dict(options or {})
    if fix:
        f = dict(opts.get("fix") or {})
        f.update({n: None for n in fix})
        opts["fix"] = f
    return opts


# --------------------------------------------------------------------------- magnetization


def _m_block(p: FitProblem, name: str, ds: Dataset, material: Material | None,
             orient: Orientation, prefactor: str, T0: float | None, high_field: bool,
             prefix: str = "ats_") -> None:
    mf = material.magnetization if material else None
    init = (dict(Dmin=mf.Dmin, X0min=mf.X0min, X0max=mf.X0max, B_star=mf.B_star, E0=mf.E0,
                 offset=mf.offset, T0=mf.T0) if mf else
            dict(Dmin=0.08, X0min=1.3e5, X0max=2.4e5, B_star=1.0, E0=0.0, offset=0.0,
                 T0=float(np.min(ds.T))))
    T0 = init["T0"] if T0 is None else float(T0)
    names = _add_cutoffs(p, prefix, "", (init["Dmin"], init["X0min"], init["X0max"]))
    orient = Orientation.of(orient, high_field=high_field)
    # E0 >= 0: N(T) = N0 exp(-E0/T) of Eq. (96) grows with T. Below T0, B* shrinks as
    # exp(2 E0 (1/T0 - 1/T)) (Eq. 97), so E0 is capped where that halves B* at the lowest
    # temperature of the data; then the expansion of Eqs. (20, 95) in B/B* stays valid for
    # every E0 in its range when B* >= |B|max / sqrt(limit) / (worst scaling).
    Tmin = float(np.min(ds.T))
    e0_hi = cm.spec("E0").max if Tmin >= T0 else min(
        cm.spec("E0").max, np.log(2.0) / (2.0 * (1.0 / Tmin - 1.0 / T0)))
    # strictly inside [0, e0_hi]: lmfit's bound transformation has zero slope on a bound
    init["E0"] = min(max(init["E0"], 1e-3), 0.5 * e0_hi)
    b_lo = cm.spec("B_star").min
    if high_field:
        worst = 1.0 if Tmin >= T0 else 0.5
        b_lo = float(np.max(np.abs(ds.B))) / np.sqrt(orient.limit) / worst * 1.001
        # our default start (not a user's value) is moved inside the domain
        init["B_star"] = max(init["B_star"], 1.2 * b_lo)
    p.add_parameter(f"{prefix}B_star", init["B_star"], vary=high_field, min=b_lo)
    p.add_parameter(f"{prefix}E0", init["E0"], vary=True, min=0.0, max=e0_hi)
    p.add_parameter("M0", init["offset"])
    rule = FIT_RULE.with_(energy_scale=max(60.0 * float(np.max(ds.T)), 1e3 * init["Dmin"]))
    terms = _ion_terms(cm.m_paramagnet)
    terms.append(Term("ATS", cm.m_ats, names | {"Pn": "ats_Pn", "B_star": f"{prefix}B_star",
                                                "E0": f"{prefix}E0"},
                      {"T0": T0, "orientation": orient, "high_field": high_field,
                       "prefactor": prefactor, "rule": rule}))
    terms.append(Term("offset", cm.m_offset, {"M0": "M0"}))
    p.add_block(Block(name, np.ones(ds.T.shape, bool), terms))


def fit_magnetization(
    data: Dataset,
    material: Material | None = None,
    *,
    orientation: Orientation | str | None = None,
    prefactor: str = "derived",
    high_field: bool = True,
    T0: float | None = None,
    options: Options | None = None,
    fix: tuple[str, ...] = (),
    run: bool = True,
):
    """Fit M(T, B): Fe²⁺ + Fe³⁺ (Eq. 90) + ATS (Eqs. 94-97) + offset ``M0``.

    ``T0`` is the reference temperature of Eq. (97) (default: the material's, else the
    lowest temperature of the data); ``prefactor`` of Eq. (94): ``"derived"`` (default) or
    ``"printed"`` (×2). ``ats_B_star`` varies when ``high_field``.
    """
    _need(data, ("M",), "fit_magnetization")
    if not data.has_field:
        raise InputError("magnetization data need a B column")
    orient = _orientation(orientation)
    p = FitProblem("M", {"M": data}, [f"orientation averaging: {orient.label()}; Eq. (94) "
                                      f"prefactor: {prefactor}; high-field Eq. (95): "
                                      f"{'on' if high_field else 'off'}"])
    if T0 is not None:
        cm.spec("T0").check(T0, "T0")
    _ions(p, material, "magnetization")
    _m_block(p, "M", data, material, orient, prefactor, T0, high_field)
    grid = None
    if material is None:
        b_lo = p.params["ats_B_star"].min
        grid = M_GRID | ({"ats_B_star": [1.3 * b_lo, 2.5 * b_lo, 5.0 * b_lo]}
                         if high_field else {})
    _finish(p, _merge_fix(options, fix), ["fe2_n", "fe3_n", "ats_Pn", "M0"],
            "Fix some parameters (--fix), e.g. the Fe concentrations from a Cp fit.",
            grid=grid)
    return p.run(remedy=p.remedy) if run else p


def fit_joint(
    cp_data: Dataset,
    m_data: Dataset,
    material: Material | None = None,
    *,
    per_temperature: bool = True,
    orientation: Orientation | str | None = None,
    prefactor: str = "derived",
    high_field: bool = True,
    B_ref: float = 8.0,
    T0: float | None = None,
    t_tol: float | None = None,
    options: Options | None = None,
    fix: tuple[str, ...] = (),
    run: bool = True,
):
    """Joint fit of C̄p(T, B) and M(T, B) sharing ``fe2_n``, ``fe3_n`` and ``ats_Pn``.

    The tunnelling cutoffs stay separate (``ats_*`` for C̄p, ``atsm_*`` for M: the paper's
    C̄p and magnetization fits find very different ones, Tables 2 and 10), so the shared
    concentrations answer the comparison of Tables 12-13 in one fit.
    """
    _need(cp_data, ("Cp_bar",), "fit_joint (first data set)")
    _need(m_data, ("M",), "fit_joint (second data set)")
    orient = _orientation(orientation)
    p = FitProblem("C̄p + M", {"Cp_bar": cp_data, "M": m_data},
                   [f"orientation averaging: {orient.label()}; Eq. (94) prefactor: "
                    f"{prefactor}; B_ref = {B_ref:g} T; shared: fe2_n, fe3_n, ats_Pn"])
    p.B_ref = float(B_ref)
    _ions(p, material, "heat_capacity")
    _cp_blocks(p, "Cp_bar", cp_data, material, per_temperature, orient, t_tol, False)
    _m_block(p, "M", m_data, material, orient, prefactor, T0, high_field, prefix="atsm_")
    _finish(p, _merge_fix(options, fix), ["fe2_n", "fe3_n", "ats_Pn", "M0"],
            _REMEDY_GROUPS.format(n=len(p.blocks) - 1, tol=t_tol or "default"))
    return p.run(remedy=p.remedy) if run else p


# ------------------------------------------------------------------------------ dielectric


def fit_dielectric(
    data: Dataset,
    material: str | None = None,
    *,
    per_temperature: bool = True,
    orientation: Orientation | str | None = None,
    nw: int = 3,
    frequency_Hz: float | None = None,
    t_tol: float | None = None,
    options: Options | None = None,
    fix: tuple[str, ...] = (),
    run: bool = True,
):
    """Fit Δε'/ε(T, B) (``deps`` data, Eq. 51) or Δ tan δ(T, B) (``dtand``, Eqs. 52-61).

    Per temperature group (Tables 5-7) or shared: ``Kln`` = K ln(X0max/X0min) (the
    well-determined amplitude; ``K`` = π x P* p1²/(ε_r ε0) is derived from it), ``Dmin``,
    ``X0min``, ``X0ratio`` and, for the loss, ``Gamma`` [s⁻¹ K⁻⁵]. The loss needs the
    measuring frequency: an ``f`` column in the data or ``frequency_Hz``.
    """
    _need(data, ("deps", "dtand"), "fit_dielectric")
    loss = data.quantity == "dtand"
    table = (LOSS if loss else DIELECTRIC).get(material, ()) if material else ()
    if material and not table:
        raise InputError(f"no {'loss' if loss else 'dielectric'} parameters for {material!r}; "
                         f"known: {', '.join(LOSS if loss else DIELECTRIC)}")
    if loss and frequency_Hz is None and data.frequency is None:
        raise InputError("the loss Δ tan δ needs the measuring frequency: an 'f [Hz]' column "
                         "or frequency_Hz (--frequency-hz)")
    if frequency_Hz is not None and not (math.isfinite(frequency_Hz) and frequency_Hz > 0):
        raise InputError(f"frequency_Hz must be a finite frequency > 0 Hz, got {frequency_Hz!r}")
    cm.spec("nw").check(nw, "nw")
    orient = _orientation(orientation)
    if orient.high_field:
        raise InputError("the dielectric model has no high-field correction")
    p = FitProblem("Δ tan δ" if loss else "Δε'/ε", {data.quantity: data},
                   [f"orientation averaging: {orient.label()}; nw = {nw}"
                    + (f"; f = {frequency_Hz:g} Hz" if frequency_Hz else "")])
    groups, g = _groups(data, per_temperature, t_tol)
    if g is not None:
        p.groups[data.quantity] = g.describe().replace("\n", "; ")
    rule = FIT_RULE.with_(energy_scale=max(60.0 * float(np.max(data.T)), 1.0))
    func = cm.dtand_ats if loss else cm.deps_ats
    for suffix, label, mask in groups:
        r = _rows_near(table, float(np.median(data.T[mask])))
        ratio = (r.X0max / r.X0min) if r else 1.5
        start = (r.Dmin, r.X0min, r.X0max) if r else (0.02, 2e5, 2e5 * ratio)
        names = _add_cutoffs(p, "ats_", suffix, start)
        p.add_parameter(f"ats_Kln{suffix}", (r.K if r else 1e-5) * math.log(ratio))
        p.add_parameter(f"ats_K{suffix}", 0.0,
                        expr=f"ats_Kln{suffix}/log(ats_X0ratio{suffix})")
        params = names | {"K": f"ats_K{suffix}"}
        if loss:
            p.add_parameter(f"ats_Gamma{suffix}", r.Gamma if r and r.Gamma else 4e9)
            params["Gamma"] = f"ats_Gamma{suffix}"
        opts = {"nw": int(nw), "orientation": orient, "rule": rule}
        if frequency_Hz is not None:
            opts["frequency_Hz"] = float(frequency_Hz)
        p.add_block(Block(data.quantity, mask, [Term("ATS", func, params, opts)], label))
    linear = [k for k in p.params if k.startswith("ats_Kln")]
    _finish(p, _merge_fix(options, fix), linear,
            _REMEDY_GROUPS.format(n=len(groups), tol=t_tol or "default"))
    return p.run(remedy=p.remedy) if run else p


# ------------------------------------------------------------------------------------ echo


def fit_echo(
    data: Dataset,
    row: str | None = None,
    *,
    tau12: float | None = None,
    frequency: float | None = None,
    tau1: float = 0.1e-6,
    tau2: float = 0.2e-6,
    orientation: Orientation | str | None = None,
    options: Options | None = None,
    fix: tuple[str, ...] = (),
    run: bool = True,
):
    """Fit an echo amplitude A(B)/A_2LS (``A`` data) or an integrated echo amplitude
    IEA(τ12) at B = 0 (``IEA`` data, with a ``tau12`` column).

    A(B): ``1 - W ΔA(B)/ΔA(0)`` (:func:`coldglass.models.echo_ats`) with ``W``,
    ``ats_Dmin``, ``ats_X0min``, ``ats_X0ratio`` and ``p1F0`` fitted; ``c_ats``, ``Gamma_echo``
    and ``tan_phase`` held at the Table 8 row ``row`` (which also gives the starting values,
    the frequency and, for BK7, τ12); ``--vary`` frees them. IEA(τ12): Eq. (87) in its derived
    form with ``C2LS``, ``KATS``, ``tau_phi3``, ``tau_phi2`` and ``delta_omega`` [rad/s].
    """
    _need(data, ("A", "IEA"), "fit_echo")
    opts = _merge_fix(options, fix)
    if data.quantity == "IEA":
        if data.tau12 is None:
            raise InputError("IEA data need a 'tau12 [...]' column")
        if np.any(data.B != 0):
            raise InputError("the IEA(τ12) model is the zero-field one (Eqs. 85-88): the data "
                             f"have B up to {np.abs(data.B).max():g} T")
        if len(data.temperature_groups()) > 1:
            raise InputError("the IEA(τ12) model is for one temperature; the data span "
                             f"{data.T.min():g}-{data.T.max():g} K: fit each separately")
        g = GLYCEROL
        p = FitProblem("IEA(τ12)", {"IEA": data}, ["Eq. (87), derived form; Δω in rad/s"])
        ymax = float(np.max(np.abs(data.y)))
        p.add_parameter("C2LS", ymax)
        p.add_parameter("KATS", 0.5 * ymax)
        p.add_parameter("tau_phi3", g["tau_phi3"])
        p.add_parameter("tau_phi2", g["tau_phi2"])
        p.add_parameter("delta_omega", g["delta_omega"])
        terms = [Term("2LS", cm.iea_2ls, {"C2LS": "C2LS", "tau_phi2": "tau_phi2"}),
                 Term("ATS", cm.iea_ats, {"KATS": "KATS", "tau_phi3": "tau_phi3",
                                          "delta_omega": "delta_omega"})]
        p.add_block(Block("IEA", np.ones(data.T.shape, bool), terms))
        _finish(p, opts, ["C2LS", "KATS"], "Fix some parameters (--fix).")
        return p.run(remedy=p.remedy) if run else p if run else p

    r = ECHO.get(row) if row else None
    if row and r is None:
        raise InputError(f"unknown Table 8 row {row!r}; known: {', '.join(ECHO)}")
    tau12 = tau12 if tau12 is not None else (r.tau12 if r and r.tau12 else None)
    if tau12 is None:
        raise InputError("fit_echo needs tau12 [s] (not in the data or the Table 8 row)")
    if not (math.isfinite(tau12) and tau12 > 0):
        raise InputError(f"tau12 must be a finite time > 0 s, got {tau12!r}")
    freq = frequency if frequency is not None else (r.frequency if r else None)
    if freq is None:
        raise InputError("fit_echo needs the echo frequency [Hz] (frequency= or a Table 8 row)")
    if not (math.isfinite(freq) and freq > 0):
        raise InputError(f"frequency must be a finite frequency > 0 Hz, got {freq!r}")
    orient = _orientation(orientation)
    p = FitProblem("A(B)", {"A": data}, [
        f"orientation averaging: {orient.label()}; tau12 = {tau12:g} s; f = {freq:g} Hz; "
        + ("c_ats, Gamma and tan(ωΔτ) from Table 8 " + repr(row) if r
           else "Γ omitted, tan(ωΔτ) = 0")])
    p.add_parameter("W", 0.3)
    names = _add_cutoffs(p, "ats_", "", (r.Dmin, r.X0min, r.X0max) if r else (0.02, 1e3, 1e4))
    p.add_parameter("c_ats", r.c_ats if r else 5.0)
    p.add_parameter("p1F0", r.p1F0_DkV if r else 0.5)
    p.add_parameter("Gamma_echo", r.Gamma if r else 0.0)
    p.add_parameter("tan_phase", r.tan_phase if r else 0.0)
    params = names | {"W": "W", "c_ats": "c_ats", "p1F0": "p1F0", "Gamma_echo": "Gamma_echo",
                      "tan_phase": "tan_phase"}
    p.add_block(Block("A", np.ones(data.T.shape, bool), [Term("ATS", cm.echo_ats, params, {
        "tau12_s": float(tau12), "frequency_Hz": float(freq), "tau1_s": float(tau1),
        "tau2_s": float(tau2), "orientation": orient})]))
    _finish(p, opts, [], "Fix some parameters (--fix).")
    return p.run(remedy=p.remedy) if run else p


# ------------------------------------------------------------------------ any observable


def fit_model(
    data: Dataset,
    terms: list | None = None,
    *,
    per_temperature: tuple[str, ...] = (),
    t_tol: float | None = None,
    options: Options | None = None,
    term_options: dict | None = None,
    linear: tuple[str, ...] = (),
    grid: dict[str, list[float]] | None = None,
    ties: dict[str, str] | None = None,
    run: bool = True,
):
    """Fit any observable of the model layer: the sum of ``terms`` (model functions of
    :mod:`coldglass.models`, or their names; default: every registered term of the data's
    observable) with each term's parameters as global parameters (prefix ``<term>_`` when
    there is more than one term), bounds from the parameter table and starting values from
    the functions' defaults (``options["init"]``). Parameters named in ``per_temperature``
    (e.g. ``("Dmin",)`` or ``("ats_Dmin",)``) get one value per temperature group.
    ``term_options``: options bound to the terms (e.g. ``{"orientation": "shortcut"}``),
    applied to every term that has them. A new observable fits here with no code of its own.
    A fit built on this one may name the amplitudes the model is linear in (``linear``:
    solved by linear least squares at every step), a coarse ``grid`` of starting values for
    nonlinear parameters, and ``ties`` (``{"C_l": "C_t"}``: a parameter held equal to an
    expression) that hold unless ``options`` fix, vary or start the tied parameter.
    """
    from ..models.core import OBSERVABLES, observable_of_column, parameter_names

    obs = observable_of_column(data.quantity)
    if terms is None:
        terms = list(OBSERVABLES[obs]["terms"])
    funcs = []
    for t in terms:
        f = getattr(cm, t, None) if isinstance(t, str) else t
        if f is None or getattr(f, "observable", None) != obs:
            known = [g.__name__ for g in OBSERVABLES[obs]["terms"]]
            raise InputError(f"{t!r} is not a model term of {obs!r} ({data.quantity} data); "
                             f"its terms: {', '.join(known)}")
        funcs.append(f)
    names = [f.__name__ for f in funcs]
    if len(set(names)) != len(names):
        raise InputError(f"each term once: got {names}")
    prefix = {f.__name__: (f"{f.__name__}_" if len(funcs) > 1 else "") for f in funcs}
    per = set(per_temperature)
    known = {prefix[f.__name__] + n for f in funcs for n in parameter_names(f)} | {
        n for f in funcs for n in parameter_names(f)}
    if per - known:
        raise InputError(f"per_temperature names {sorted(per - known)} are not parameters of "
                         f"the terms: {sorted(known)}")
    groups, g = _groups(data, bool(per), t_tol)
    topts = dict(term_options or {})
    p = FitProblem(f"{data.quantity} ({' + '.join(names)})", {data.quantity: data},
                   [f"terms: {', '.join(names)}"]
                   + ([f"options: {topts}"] if topts else []))
    if g is not None:
        p.groups[data.quantity] = g.describe().replace("\n", "; ")
    sig_defaults = {}
    for f in funcs:
        import inspect

        sig = inspect.signature(f).parameters
        for n in parameter_names(f):
            sig_defaults[prefix[f.__name__] + n] = float(sig[n].default)
    for suffix, label, mask in groups:
        block_terms = []
        for f in funcs:
            mapping = {}
            for n in parameter_names(f):
                full = prefix[f.__name__] + n
                grouped = full in per or n in per
                gname = full + (suffix if grouped else "")
                p.add_parameter(gname, sig_defaults[full])
                mapping[n] = gname
            opts = {k: v for k, v in topts.items() if k in getattr(f, "options", {})
                    or k in cm.full_signature(f).parameters}
            block_terms.append(Term(f.__name__, f, mapping, opts))
        p.add_block(Block(data.quantity, mask, block_terms, label))
    unused = set(topts) - {k for f in funcs for k in getattr(f, "options", {})} - {
        "frequency_Hz"}
    if unused:
        raise InputError(f"no term takes the options {sorted(unused)}")
    named = {n for key in ("fix", "init") for n in ((options or {}).get(key) or {})} | set(
        (options or {}).get("vary") or ())
    for name, expr in (ties or {}).items():
        if name in p.params and name not in named:
            p.params[name].set(expr=expr)
            p.notes.append(f"{name} = {expr} (tied; --fix/--init/--vary {name} unties it)")
    remedy = (_REMEDY_GROUPS.format(n=len(groups), tol="default" if t_tol is None else t_tol)
              if per else "Fix some parameters (--fix), or measure more points.")
    _finish(p, options, list(linear), remedy, grid)
    return p.run(remedy=p.remedy) if run else p


__all__ += ["FitError", "linear_start"]
