"""Fitting heat capacity and magnetization data with lmfit.

* :func:`fit_cp_bar` — C̄p(T, B) = Cp(T, B) - Cp(T, B_ref) at several temperatures jointly:
  Fe²⁺, Fe³⁺ and ATS concentrations shared; tunnelling cutoffs per temperature (as in
  Tables 2 and 4) or shared.
* :func:`fit_magnetization` — M(T, B) (M(T) at fixed B, M(B) at fixed T, or both): Eq. (90)
  for the ions, Eq. (94) with Eqs. (95)-(97) for the ATS, and a diamagnetic offset.
* :func:`fit_joint` — both data sets at once, sharing the Fe²⁺, Fe³⁺ and ATS concentrations
  (the comparison of Tables 12-13 in one step).

Parameters are scaled for the minimizer (concentrations in 1e16 g⁻¹, ``D0|q/e|S`` in
1e4 K·Å², offsets in 1e-6 A m² g⁻¹); :meth:`FitResult.table` reports them in SI with units.
Orientation averaging defaults to the paper's shortcut φ² -> φ²/3, which is the convention
under which the tables' parameters were obtained; ``orientation="exact"`` is available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import lmfit
import numpy as np
import pandas as pd

from .data import Dataset
from .ensembles import ATSEnsemble, Orientation, Rule
from .glass import ATS, DiamagneticOffset, Glass, Paramagnet
from .materials import Material

__all__ = ["FitResult", "fit_cp_bar", "fit_magnetization", "fit_joint", "fit_dielectric",
           "fit_echo", "PARAMETER_UNITS"]

# name prefix -> (scale to SI, unit)
PARAMETER_UNITS: dict[str, tuple[float, str]] = {
    "n_fe2": (1e16, "g^-1"),
    "n_fe3": (1e16, "g^-1"),
    "Pn_ats": (1e16, "g^-1"),
    "Dmin": (1.0, "K"),
    "X0min": (1e4, "K A^2"),
    "X0max": (1e4, "K A^2"),
    "X0ratio": (1.0, "1"),
    "B_star": (1.0, "T"),
    "E0": (1.0, "K"),
    "offset": (1e-6, "A m^2 g^-1"),
    "K": (1e-5, "1"),
    "Kln": (1e-5, "1"),
    "Gamma": (1e9, "s^-1 K^-5"),
    "W": (1.0, "1"),
    "c_ats": (1.0, "(us K)^-1"),
    "p1F0": (1.0, "D kV/m"),
    "tau_phi3": (1e-6, "s"),
    "tau_phi2": (1e-6, "s"),
    "delta_omega": (1e6, "rad/s"),
    "C2LS": (1.0, "1"),
    "KATS": (1.0, "1"),
}
def _fast_rule(T_max: float) -> dict:
    """Quadrature used inside fits: ~1e-6 relative accuracy, far below measurement noise,
    with a node set that depends smoothly on the parameters (fixed panel counts and energy
    scale), as finite-difference Jacobians need."""
    return Rule(n_u=8, n_v=5, v_panels=5, energy_scale=60.0 * T_max)


def _unit(name: str) -> tuple[float, str]:
    for prefix, su in PARAMETER_UNITS.items():
        if name == prefix or name.startswith(prefix + "_"):
            return su
    return 1.0, ""


def _weights(ds: Dataset) -> np.ndarray:
    """1/σ; without σ, 1 % of the largest |y| of that data set (stated in the report)."""
    if ds.sigma is not None:
        return 1.0 / ds.sigma
    return np.full(ds.y.shape, 1.0 / (0.01 * np.max(np.abs(ds.y))))


@dataclass
class FitResult:
    """An lmfit result with the data, the model and the pieces to report and plot it."""

    kind: str
    result: lmfit.minimizer.MinimizerResult
    datasets: dict[str, Dataset]
    models: dict[str, Callable[[lmfit.Parameters, np.ndarray, np.ndarray], dict]]
    notes: list[str] = field(default_factory=list)

    @property
    def params(self) -> lmfit.Parameters:
        return self.result.params

    def value(self, name: str) -> float:
        """A fitted parameter in SI units."""
        return self.params[name].value * _unit(name)[0]

    def stderr(self, name: str) -> float:
        se = self.params[name].stderr
        return np.nan if se is None else se * _unit(name)[0]

    def table(self) -> pd.DataFrame:
        rows = []
        for name, p in self.params.items():
            scale, unit = _unit(name)
            rows.append({"parameter": name, "value": p.value * scale,
                         "stderr": np.nan if p.stderr is None else p.stderr * scale,
                         "unit": unit, "varied": p.vary and p.expr is None})
        return pd.DataFrame(rows)

    def correlations(self, threshold: float = 0.0) -> pd.DataFrame:
        rows = []
        names = [n for n, p in self.params.items() if p.vary]
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                c = (self.params[a].correl or {}).get(b)
                if c is not None and abs(c) >= threshold:
                    rows.append({"a": a, "b": b, "correlation": c})
        return pd.DataFrame(rows, columns=["a", "b", "correlation"])

    def report(self) -> str:
        r = self.result
        lines = [f"{self.kind} fit: {r.nfev} evaluations, chi2 = {r.chisqr:.4g}, "
                 f"reduced chi2 = {r.redchi:.4g}, {r.ndata} points, {r.nvarys} parameters"]
        lines += [f"note: {n}" for n in self.notes]
        tab = self.table()
        for _, row in tab.iterrows():
            se = "" if not np.isfinite(row["stderr"]) else f" ± {row['stderr']:.3g}"
            lines.append(f"  {row['parameter']:<14} {row['value']:.5g}{se} {row['unit']}"
                         f"{'' if row['varied'] else ' (fixed/derived)'}")
        corr = self.correlations(0.7)
        for _, row in corr.iterrows():
            lines.append(f"  correlation {row['a']} - {row['b']}: {row['correlation']:+.3f}")
        return "\n".join(lines)

    def evaluate(self, name: str, T: np.ndarray, B: np.ndarray) -> dict:
        """Model parts and total for data set ``name`` at (T, B), in the data's units."""
        return self.models[name](self.params, np.asarray(T, float), np.asarray(B, float))

    def curves(self, n: int = 200) -> pd.DataFrame:
        """Fitted curves (with components) on a dense grid for each data set."""
        frames = []
        for name, ds in self.datasets.items():
            if ds.tau12 is not None:  # IEA(τ12)
                tau = np.linspace(ds.tau12.min(), ds.tau12.max(), n)
                parts = self.models[name](self.params, ds.T[:1], ds.B[:1], tau=tau)
                df = pd.DataFrame({"dataset": name, "tau12 [s]": tau})
                for k, v in parts.items():
                    df[f"{k} [{ds.unit}]"] = v
                frames.append(df)
                continue
            for T, B in _dense_grid(ds, n):
                parts = self.evaluate(name, T, B)
                df = pd.DataFrame({"dataset": name, "T [K]": T, "B [T]": B})
                for k, v in parts.items():
                    df[f"{k} [{ds.unit}]"] = np.broadcast_to(v, T.shape)
                frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def plot(self, axes=None):
        """Data, fit and components, one panel per data set; returns the axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, len(self.datasets), figsize=(6 * len(self.datasets), 4.2),
                                   layout="constrained", squeeze=False)
            axes = axes[0]
        for ax, (name, ds) in zip(axes, self.datasets.items(), strict=False):
            if ds.tau12 is not None:  # IEA(τ12)
                tau = np.linspace(ds.tau12.min(), ds.tau12.max(), 300)
                parts = self.models[name](self.params, ds.T[:1], ds.B[:1], tau=tau)
                ax.errorbar(ds.tau12 * 1e6, ds.y, yerr=ds.sigma, fmt="o", ms=3, label="data")
                for k, v in parts.items():
                    ax.plot(tau * 1e6, v, "-" if k == "total" else "--", label=k)
                ax.set_xlabel("τ12 [μs]")
                ax.set_ylabel(f"{ds.quantity} [{ds.unit}]")
                ax.set_title(f"{self.kind}" + (" (SYNTHETIC data)" if ds.synthetic else ""),
                             fontsize=9)
                ax.legend(fontsize=7)
                continue
            xvar = _x_variable(ds)
            for k, (T, B) in enumerate(_dense_grid(ds, 200)):
                parts = self.evaluate(name, T, B)
                x = B if xvar == "B" else 1.0 / T
                sel = _group_mask(ds, xvar, T, B)
                xd = ds.B[sel] if xvar == "B" else 1.0 / ds.T[sel]
                lab = f"T = {T[0]:g} K" if xvar == "B" else f"B = {B[0]:g} T"
                ax.errorbar(xd, ds.y[sel], yerr=None if ds.sigma is None else ds.sigma[sel],
                            fmt="o", ms=3, color=f"C{k}", label=f"data, {lab}")
                ax.plot(x, parts["total"], "-", color=f"C{k}")
                styles = ["--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3))]
                for j, (pname, v) in enumerate(p for p in parts.items() if p[0] != "total"):
                    ax.plot(x, np.broadcast_to(v, x.shape), ls=styles[j % len(styles)], lw=0.9,
                            color=f"C{k}", alpha=0.8)
                    if k == 0:
                        ax.plot([], [], ls=styles[j % len(styles)], color="0.3", label=pname)
            ax.set_xlabel("B [T]" if xvar == "B" else "1/T [1/K]")
            ax.set_ylabel(f"{ds.quantity} [{ds.unit}]")
            ax.set_title(f"{self.kind}: {name}" + (" (SYNTHETIC data)" if ds.synthetic else ""),
                         fontsize=9)
            ax.legend(fontsize=7)
        return axes


def _x_variable(ds: Dataset) -> str:
    """Plot against B when there are few temperatures, else against 1/T."""
    return "B" if len(ds.temperatures()) <= len(np.unique(np.round(ds.B, 9))) else "T"


def _group_mask(ds, xvar, T, B):
    if xvar == "B":
        return np.isclose(ds.T, T[0])
    return np.isclose(ds.B, B[0])


def _dense_grid(ds: Dataset, n: int):
    if _x_variable(ds) == "B":
        for T in ds.temperatures():
            b = ds.B[np.isclose(ds.T, T)]
            grid = np.linspace(b.min(), b.max(), n)
            yield np.full(n, T), grid
    else:
        for B in np.unique(np.round(ds.B, 9)):
            t = ds.T[np.isclose(ds.B, B)]
            grid = 1.0 / np.linspace(1.0 / t.max(), 1.0 / t.min(), n)
            yield grid, np.full(n, B)


# ------------------------------------------------------------------------------- models


def _add_concentrations(p: lmfit.Parameters, material: Material | None, source: str) -> None:
    fit = None
    if material is not None:
        fit = getattr(material, source) or material.heat_capacity or material.magnetization
    init = (fit.n_fe2, fit.n_fe3, fit.Pn_ats) if fit else (1e17, 5e16, 5e16)
    for name, v in zip(("n_fe2", "n_fe3", "Pn_ats"), init, strict=True):
        if name not in p:
            p.add(name, value=v / 1e16, min=0.0)


def _ats_ensemble(p, suffix: str, density_name: str = "Pn_ats", B_star: float | None = None):
    return ATSEnsemble(Dmin=p[f"Dmin{suffix}"].value, D0min=p[f"X0min{suffix}"].value * 1e4,
                       D0max=p[f"X0max{suffix}"].value * 1e4,
                       density=p[density_name].value * 1e16, B_star=B_star)


def _cp_setup(p: lmfit.Parameters, ds: Dataset, material: Material | None,
              per_temperature: bool, orientation: Orientation, B_ref: float, tag: str = "cp"):
    """Add the C̄p parameters and return the model function."""
    temps = ds.temperatures()
    rows = material.heat_capacity.rows if material and material.heat_capacity else ()

    def initial(T):
        if not rows:
            return 0.5, 5e4, 3e5
        r = min(rows, key=lambda r: abs(r.T - T))
        return r.Dmin, r.X0min, r.X0max

    groups = [f"_{i}" for i in range(len(temps))] if per_temperature else [""] * len(temps)
    rule = _fast_rule(float(temps.max()))
    for g, T in zip(groups, temps, strict=True):
        if f"Dmin{g}" in p:
            continue
        d, x0, x1 = initial(T)
        p.add(f"Dmin{g}", value=d, min=1e-4)
        p.add(f"X0min{g}", value=x0 / 1e4, min=1e-3)
        p.add(f"X0ratio{g}", value=x1 / x0, min=1.0 + 1e-6)
        p.add(f"X0max{g}", expr=f"X0min{g}*X0ratio{g}")

    def model(params, T, B):
        T, B = np.broadcast_arrays(T, B)
        out: dict[str, np.ndarray] = {}
        for g, Tg in zip(groups, temps, strict=True):
            sel = np.isclose(T, Tg)
            if not np.any(sel):
                continue
            glass = Glass("fit", [
                Paramagnet("Fe2+", params["n_fe2"].value * 1e16),
                Paramagnet("Fe3+", params["n_fe3"].value * 1e16),
                ATS(_ats_ensemble(params, g), orientation=orientation, rule=rule)])
            parts = glass.cp_bar(T[sel], B[sel], B_ref=B_ref, parts=True)
            for k, v in parts.items():
                out.setdefault(k, np.full(T.shape, np.nan))[sel] = v
        return out

    return model


def _m_setup(p: lmfit.Parameters, ds: Dataset, material: Material | None,
             orientation: Orientation, prefactor: str, T0: float | None, high_field: bool):
    mf = material.magnetization if material else None
    init = (dict(Dmin=mf.Dmin, X0min=mf.X0min, X0max=mf.X0max, B_star=mf.B_star, E0=mf.E0,
                 offset=mf.offset, T0=mf.T0) if mf else
            dict(Dmin=0.08, X0min=1.3e5, X0max=2.4e5, B_star=1.0, E0=0.4, offset=0.0, T0=1.0))
    T0 = init["T0"] if T0 is None else T0
    rule = _fast_rule(float(ds.T.max()))
    p.add("Dmin_m", value=init["Dmin"], min=1e-4)
    p.add("X0min_m", value=init["X0min"] / 1e4, min=1e-3)
    p.add("X0ratio_m", value=init["X0max"] / init["X0min"], min=1.0 + 1e-6)
    p.add("X0max_m", expr="X0min_m*X0ratio_m")
    p.add("B_star_m", value=init["B_star"], min=0.05, vary=high_field)
    p.add("E0_m", value=init["E0"])
    p.add("offset_m", value=init["offset"] / 1e-6)

    def model(params, T, B):
        ens = _ats_ensemble(params, "_m", B_star=params["B_star_m"].value)
        glass = Glass("fit", [
            Paramagnet("Fe2+", params["n_fe2"].value * 1e16),
            Paramagnet("Fe3+", params["n_fe3"].value * 1e16),
            ATS(ens, orientation=orientation, high_field=high_field, prefactor=prefactor,
                E0=params["E0_m"].value, T0=T0, rule=rule),
            DiamagneticOffset(params["offset_m"].value * 1e-6)])
        return glass.magnetization(T, B, parts=True)

    return model


def _minimize(kind, params, datasets, models, notes, method="least_squares") -> FitResult:
    weights = {k: _weights(ds) for k, ds in datasets.items()}
    for k, ds in datasets.items():
        if ds.sigma is None:
            notes.append(f"{k}: no sigma column, residuals weighted by 1% of max|y|")

    def residual(pars):
        res = []
        for k, ds in datasets.items():
            model = models[k](pars, ds.T, ds.B)["total"]
            res.append((ds.y - model) * weights[k])
        r = np.concatenate(res)
        return np.where(np.isfinite(r), r, 1e10)

    n_free = sum(p.vary and p.expr is None for p in params.values())
    # least_squares (TRF): parameters scaled by the Jacobian; tolerances 1e-6 (the change of
    # chi² they allow is ~1e-6 chi², far below its statistical spread sqrt(2 N))
    extra = {"x_scale": "jac", "ftol": 1e-6, "xtol": 1e-6} if method == "least_squares" else {}
    result = lmfit.minimize(residual, params, method=method, max_nfev=200 * (n_free + 1),
                            **extra)
    return FitResult(kind, result, datasets, models, notes)


def _need(ds: Dataset, quantities: tuple[str, ...], what: str) -> None:
    if ds.quantity not in quantities:
        raise ValueError(f"{what} needs {' or '.join(quantities)} data, the file has "
                         f"{ds.quantity!r}")


def fit_cp_bar(
    data: Dataset,
    material: Material | None = None,
    *,
    per_temperature: bool = True,
    orientation: Orientation = "shortcut",
    B_ref: float = 8.0,
    fix: tuple[str, ...] = (),
) -> FitResult:
    """Fit C̄p(T, B) at all temperatures of ``data`` jointly (Eqs. 16-19).

    Concentrations of Fe²⁺, Fe³⁺ and P*n_ATS are shared; the cutoffs (Dmin, D0min|q/e|S,
    D0max|q/e|S) are fitted per temperature (``per_temperature=True``, Tables 2 and 4) or
    shared. ``fix`` names parameters held at their initial values (from ``material``).
    """
    _need(data, ("Cp_bar",), "fit_cp_bar")
    p = lmfit.Parameters()
    _add_concentrations(p, material, "heat_capacity")
    model = _cp_setup(p, data, material, per_temperature, orientation, B_ref)
    for name in fix:
        p[name].vary = False
    notes = [f"orientation averaging: {orientation}; B_ref = {B_ref} T"]
    return _minimize("C̄p", p, {"Cp_bar": data}, {"Cp_bar": model}, notes)


def fit_magnetization(
    data: Dataset,
    material: Material | None = None,
    *,
    orientation: Orientation = "shortcut",
    prefactor: str = "derived",
    high_field: bool = True,
    T0: float | None = None,
    fix: tuple[str, ...] = (),
) -> FitResult:
    """Fit M(T, B): Fe²⁺ + Fe³⁺ (Eq. 90) + ATS (Eqs. 94-97) + offset.

    ``T0`` is the reference temperature of Eq. (97) (default: the material's, else 1 K);
    ``prefactor`` of Eq. (94): ``"derived"`` (default) or ``"printed"`` (×2).
    """
    _need(data, ("M",), "fit_magnetization")
    p = lmfit.Parameters()
    _add_concentrations(p, material, "magnetization")
    model = _m_setup(p, data, material, orientation, prefactor, T0, high_field)
    for name in fix:
        p[name].vary = False
    notes = [f"orientation averaging: {orientation}; Eq. (94) prefactor: {prefactor}"]
    return _minimize("M", p, {"M": data}, {"M": model}, notes)


def fit_joint(
    cp_data: Dataset,
    m_data: Dataset,
    material: Material | None = None,
    *,
    per_temperature: bool = True,
    orientation: Orientation = "shortcut",
    prefactor: str = "derived",
    high_field: bool = True,
    B_ref: float = 8.0,
    T0: float | None = None,
    fix: tuple[str, ...] = (),
) -> FitResult:
    """Joint fit of C̄p(T, B) and M(T, B) sharing n_Fe2+, n_Fe3+ and P*n_ATS.

    The tunnelling cutoffs stay separate (the paper's C̄p and magnetization fits find very
    different ones, Tables 2 and 10), so the shared concentrations answer the comparison of
    Tables 12-13 in one fit with one set of uncertainties.
    """
    _need(cp_data, ("Cp_bar",), "fit_joint (first data set)")
    _need(m_data, ("M",), "fit_joint (second data set)")
    p = lmfit.Parameters()
    _add_concentrations(p, material, "heat_capacity")
    cp_model = _cp_setup(p, cp_data, material, per_temperature, orientation, B_ref)
    m_model = _m_setup(p, m_data, material, orientation, prefactor, T0, high_field)
    for name in fix:
        p[name].vary = False
    notes = [f"orientation averaging: {orientation}; Eq. (94) prefactor: {prefactor}; "
             "shared: n_fe2, n_fe3, Pn_ats"]
    return _minimize("C̄p + M", p, {"Cp_bar": cp_data, "M": m_data},
                     {"Cp_bar": cp_model, "M": m_model}, notes)


def fit_dielectric(
    data: Dataset,
    material: str | None = None,
    *,
    per_temperature: bool = True,
    orientation: Orientation = "shortcut",
    nw: int = 3,
    omega: float = 2 * np.pi * 1e3,
    fix: tuple[str, ...] = (),
) -> FitResult:
    """Fit Δε'/ε(T, B) (``deps`` data, Eq. 51) or Δ tan δ(T, B) (``dtand`` data, Eqs. 52-61).

    Parameters per temperature (Tables 5-7) or shared: ``K`` = π x P* p1²/(ε_r ε0) (in
    1e-5), ``Dmin``, ``X0min``, ``X0ratio`` and, for the loss, ``Gamma`` (1e9 s⁻¹ K⁻⁵).
    K and ln(D0max/D0min) are nearly degenerate when the ratio is close to 1 (Tables 5-6), so
    their product ``Kln`` is the fitted amplitude and K is derived from it.
    ``material`` names a row set of :data:`coldglass.materials.DIELECTRIC` (or ``LOSS``)
    for the starting values; ``omega`` is the measuring angular frequency (loss only).
    """
    from .materials import DIELECTRIC, LOSS
    from .observables.dielectric import ats_dielectric

    _need(data, ("deps", "dtand"), "fit_dielectric")
    loss = data.quantity == "dtand"
    table = (LOSS if loss else DIELECTRIC).get(material, ()) if material else ()
    if material and not table:
        raise ValueError(f"no {'loss' if loss else 'dielectric'} parameters for {material!r}; "
                         f"known: {', '.join(LOSS if loss else DIELECTRIC)}")
    temps = data.temperatures()
    groups = [f"_{i}" for i in range(len(temps))] if per_temperature else [""] * len(temps)
    p = lmfit.Parameters()
    for g, T in zip(groups, temps, strict=True):
        if f"K{g}" in p:
            continue
        r = min(table, key=lambda r: abs(r.T - T)) if table else None
        ratio = (r.X0max / r.X0min) if r else 1.5
        # the well-determined amplitude is K ln(D0max/D0min): fitted directly, K derived
        p.add(f"Kln{g}", value=(r.K if r else 1e-5) * np.log(ratio) / 1e-5, min=0.0)
        p.add(f"Dmin{g}", value=r.Dmin if r else 0.02, min=1e-5)
        p.add(f"X0min{g}", value=(r.X0min if r else 2e5) / 1e4, min=1e-3)
        p.add(f"X0ratio{g}", value=ratio, min=1.0 + 1e-6)
        p.add(f"X0max{g}", expr=f"X0min{g}*X0ratio{g}")
        p.add(f"K{g}", expr=f"Kln{g}/log(X0ratio{g})")
        if loss:
            p.add(f"Gamma{g}", value=(r.Gamma if r and r.Gamma else 4e9) / 1e9, min=1e-6)
    for name in fix:
        p[name].vary = False
    rule = _fast_rule(float(temps.max()))

    def model(params, T, B):
        T, B = np.broadcast_arrays(T, B)
        out = {"ATS": np.full(T.shape, np.nan)}
        for g, Tg in zip(groups, temps, strict=True):
            sel = np.isclose(T, Tg)
            if not np.any(sel):
                continue
            ens = ATSEnsemble(Dmin=params[f"Dmin{g}"].value,
                              D0min=params[f"X0min{g}"].value * 1e4,
                              D0max=params[f"X0max{g}"].value * 1e4)
            r = ats_dielectric(T[sel], B[sel], ens, K=params[f"K{g}"].value * 1e-5,
                               omega=omega, nw=nw, orientation=orientation,
                               Gamma=params[f"Gamma{g}"].value * 1e9 if loss else None, rule=rule)
            out["ATS"][sel] = r["loss"] if loss else r["total"]
        out["total"] = out["ATS"]
        return out

    notes = [f"orientation averaging: {orientation}; nw = {nw}"
             + (f"; omega = {omega:.4g} rad/s" if loss else "")]
    return _minimize("Δ tan δ" if loss else "Δε'/ε", p, {data.quantity: data},
                     {data.quantity: model}, notes)


def fit_echo(
    data: Dataset,
    row: str | None = None,
    *,
    tau12: float | None = None,
    frequency: float | None = None,
    tau1: float = 0.1e-6,
    tau2: float = 0.2e-6,
    orientation: Orientation = "shortcut",
    fix: tuple[str, ...] = (),
) -> FitResult:
    """Fit an echo amplitude A(B)/A_2LS (``A`` data) or an integrated echo amplitude
    IEA(τ12) at B = 0 (``IEA`` data, with a ``tau12`` column).

    A(B): ``1 - W ΔA(B)/ΔA(0)`` (:func:`coldglass.observables.echo.echo_relative_amplitude`)
    with W, Dmin, X0min, X0ratio and p1F0 fitted; c_ATS (cancels in the ratio), Γ and
    tan(ωΔτ) held at the
    Table 8 row ``row`` (which also gives the starting values, the frequency and, for BK7,
    τ12). IEA(τ12): Eq. (87) in its derived form with C2LS, KATS, τφ(3), τφ(2) and Δω.
    """
    from .materials import ECHO, GLYCEROL
    from .observables.echo import echo_relative_amplitude, iea_zero_field

    _need(data, ("A", "IEA"), "fit_echo")
    p = lmfit.Parameters()
    if data.quantity == "IEA":
        if data.tau12 is None:
            raise ValueError("IEA data need a 'tau12 [...]' column")
        g = GLYCEROL
        p.add("C2LS", value=float(np.max(np.abs(data.y))), min=0.0)
        p.add("KATS", value=0.5 * float(np.max(np.abs(data.y))), min=0.0)
        p.add("tau_phi3", value=g["tau_phi3"] / 1e-6, min=1e-3)
        p.add("tau_phi2", value=g["tau_phi2"] / 1e-6, min=1e-3)
        p.add("delta_omega", value=g["delta_omega"] / 1e6)
        for name in fix:
            p[name].vary = False

        def iea_model(params, T, B, tau=data.tau12):
            r = iea_zero_field(tau, tau_phi3=params["tau_phi3"].value * 1e-6,
                               delta_omega=params["delta_omega"].value * 1e6,
                               tau_phi2=params["tau_phi2"].value * 1e-6,
                               C2LS=params["C2LS"].value, KATS=params["KATS"].value)
            return {"2LS": r["2LS"], "ATS": r["ATS"], "total": r["total"]}

        return _minimize("IEA(τ12)", p, {"IEA": data}, {"IEA": iea_model},
                         ["Eq. (87), derived form; Δω in rad/s"])

    r = ECHO.get(row) if row else None
    if row and r is None:
        raise ValueError(f"unknown Table 8 row {row!r}; known: {', '.join(ECHO)}")
    tau12 = tau12 if tau12 is not None else (r.tau12 if r and r.tau12 else None)
    if tau12 is None:
        raise ValueError("fit_echo needs tau12 [s] (not in the data or the Table 8 row)")
    freq = frequency or (r.frequency if r else 1e9)
    gamma = r.Gamma if r else None
    tan_phase = r.tan_phase if r else 0.0
    p.add("W", value=0.3, min=0.0)
    p.add("Dmin_e", value=r.Dmin if r else 0.02, min=1e-5)
    p.add("X0min_e", value=(r.X0min if r else 1e3) / 1e4, min=1e-5)
    p.add("X0ratio_e", value=(r.X0max / r.X0min) if r else 10.0, min=1.0 + 1e-6)
    p.add("X0max_e", expr="X0min_e*X0ratio_e")
    # c_ATS (Eq. 79) multiplies every ATS by the same e^{-2τ12 c T} and cancels in A/A_2LS
    # unless the ATS rate of Eq. (55) matters: held fixed by default
    p.add("c_ats", value=r.c_ats if r else 5.0, min=1e-6, vary=False)
    p.add("p1F0", value=r.p1F0_DkV if r else 0.5, min=1e-6)
    for name in fix:
        p[name].vary = False
    from .materials import DEBYE_KV_PER_M_J

    def a_model(params, T, B):
        T, B = np.broadcast_arrays(T, B)
        ens = ATSEnsemble(Dmin=params["Dmin_e"].value, D0min=params["X0min_e"].value * 1e4,
                          D0max=params["X0max_e"].value * 1e4)
        out = np.full(T.shape, np.nan)
        for Tg in np.unique(T):
            sel = T == Tg
            out[sel] = echo_relative_amplitude(
                B[sel], ens, weight=params["W"].value, omega=2 * np.pi * freq, T=Tg,
                p1F0_J=params["p1F0"].value * DEBYE_KV_PER_M_J, tau1=tau1, tau2=tau2,
                tau12=tau12, tau_phi=1.0 / (params["c_ats"].value * 1e6 * Tg), Gamma=gamma,
                tan_phase=tan_phase, orientation=orientation, n=48)
        return {"total": out}

    notes = [f"orientation: {orientation}; tau12 = {tau12:g} s; f = {freq:g} Hz; Γ and "
             "tan(ωΔτ) fixed from Table 8" if r else "Γ omitted, tan(ωΔτ) = 0"]
    return _minimize("A(B)", p, {"A": data}, {"A": a_model}, notes)
