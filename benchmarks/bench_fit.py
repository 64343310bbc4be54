"""Benchmark: a full joint C̄p + M fit of the synthetic BAS data set, and the cost of one model
evaluation against a straightforward nested-quad implementation of the same formulas.

* ``fit_seconds``: wall time of ``fit_joint`` (lmfit, 18 parameters, 130 points) from generic
  starting values (not the truth), T0 of Table 10.
* ``speedup``: one evaluation of the joint model at all data points (C̄p: Fe²⁺ + Fe³⁺ + ATS
  at the points and at 8 T; M: Fe²⁺ + Fe³⁺ + ATS + offset), ours against a reference that
  integrates the ATS terms with ``scipy.integrate.quad`` over E (Eq. 17 for C̄p, Eq. 93 for
  M, shortcut orientation as in the fit), measured in the same run. ``accuracy``: largest
  difference between the two evaluations relative to each data set's largest value.

Usage: python benchmarks/bench_fit.py
"""

from __future__ import annotations

import time

import lmfit
import numpy as np
from scipy import integrate

from coldglass.constants import K_B
from coldglass.ensembles import ATSEnsemble, ats_dos_closed
from coldglass.fitting import _add_concentrations, _cp_setup, _m_setup, fit_joint
from coldglass.materials import get_material
from coldglass.observables import ats_parameters_at, cp_paramagnet, magnetization_paramagnet
from coldglass.synthetic import synthetic_cp_bar, synthetic_magnetization

BAS = get_material("BAS")
CP = synthetic_cp_bar("BAS")
M = synthetic_magnetization("BAS")


def reference_cp_ats(T, B, ens):
    a1, a2 = (float(x) / np.sqrt(3) for x in ens.phase_energies(B))
    ec1, ec2 = np.hypot(ens.Dmin, a1), np.hypot(ens.Dmin, a2)
    lr = np.log(ens.D0max / ens.D0min)

    def f(e):
        x = e / (2 * T)
        return float(ats_dos_closed(e, ens.Dmin, a1, a2, lr)) * x * x / np.cosh(x) ** 2

    v = integrate.quad(f, ec1, ec2, epsrel=1e-10)[0] if ec2 > ec1 else 0.0
    v += integrate.quad(f, ec2, ec2 + 80 * T, epsrel=1e-10, limit=200)[0]
    return ens.density * K_B * v


def reference_m_ats(T, B, ens, E0, T0):
    sD, sD0, sB = (float(s) for s in ats_parameters_at(T, E0, T0))
    x = B / (ens.B_star * sB)
    beff = B * np.sqrt(1 - x**2 / 45) / np.sqrt(3)
    dbeff = (1 - 2 * x**2 / 45) / np.sqrt(1 - x**2 / 45) / np.sqrt(3)
    a1, a2 = (float(v) * sD0 / B * beff for v in ens.phase_energies(B))
    D = ens.Dmin * sD
    ec1, ec2 = np.hypot(D, a1), np.hypot(D, a2)
    i1 = integrate.quad(lambda e: np.tanh(e / (2 * T)) * np.log((e * e - a1 * a1) / D**2),
                        ec1, ec2, epsrel=1e-10)[0]
    i2 = integrate.quad(lambda e: np.tanh(e / (2 * T)) * np.log((e * e - a1 * a1)
                                                                 / (e * e - a2 * a2)),
                        ec2, np.inf, epsrel=1e-10, limit=200)[0]
    return ens.density * K_B * np.pi / (2 * beff) * (i1 + i2) * dbeff


def reference_model(p, cp_model_groups):
    out_cp = np.empty_like(CP.y)
    n2, n3 = p["n_fe2"].value * 1e16, p["n_fe3"].value * 1e16
    for g, Tg in cp_model_groups:
        sel = np.isclose(CP.T, Tg)
        ens = ATSEnsemble(Dmin=p[f"Dmin{g}"].value, D0min=p[f"X0min{g}"].value * 1e4,
                          D0max=p[f"X0max{g}"].value * 1e4, density=p["Pn_ats"].value * 1e16)
        ref8 = reference_cp_ats(Tg, 8.0, ens)
        for i in np.flatnonzero(sel):
            b = CP.B[i]
            para = sum(cp_paramagnet(Tg, b, n, J) - cp_paramagnet(Tg, 8.0, n, J)
                       for n, J in ((n2, 2.0), (n3, 2.5)))
            out_cp[i] = reference_cp_ats(Tg, b, ens) - ref8 + para
    ens = ATSEnsemble(Dmin=p["Dmin_m"].value, D0min=p["X0min_m"].value * 1e4,
                      D0max=p["X0max_m"].value * 1e4, density=p["Pn_ats"].value * 1e16,
                      B_star=p["B_star_m"].value)
    out_m = np.array([reference_m_ats(t, b, ens, p["E0_m"].value, BAS.magnetization.T0)
                      + magnetization_paramagnet(t, b, n2, 2.0)
                      + magnetization_paramagnet(t, b, n3, 2.5) + p["offset_m"].value * 1e-6
                      for t, b in zip(M.T, M.B, strict=True)])
    return out_cp, out_m


def main() -> None:
    p = lmfit.Parameters()
    _add_concentrations(p, BAS, "heat_capacity")
    cp_model = _cp_setup(p, CP, BAS, True, "shortcut", 8.0)
    m_model = _m_setup(p, M, BAS, "shortcut", "derived", None, True)
    t0 = time.perf_counter()
    for _ in range(20):
        ours_cp = cp_model(p, CP.T, CP.B)["total"]
        ours_m = m_model(p, M.T, M.B)["total"]
    t_ours = (time.perf_counter() - t0) / 20
    groups = [(f"_{i}", T) for i, T in enumerate(CP.temperatures())]
    t0 = time.perf_counter()
    ref_cp, ref_m = reference_model(p, groups)
    t_ref = time.perf_counter() - t0
    # relative to the largest value of each data set (M crosses zero where the ATS term and
    # the diamagnetic offset cancel)
    acc = max(np.max(np.abs(ours_cp - ref_cp)) / np.max(np.abs(ref_cp)),
              np.max(np.abs(ours_m - ref_m)) / np.max(np.abs(ref_m)))

    t0 = time.perf_counter()
    res = fit_joint(CP, M, None, T0=BAS.magnetization.T0)
    t_fit = time.perf_counter() - t0
    print(f"one joint-model evaluation ({CP.y.size} C̄p + {M.y.size} M points): ours "
          f"{t_ours * 1e3:.2f} ms, nested quad {t_ref:.2f} s")
    print(f"joint fit: {t_fit:.2f} s, {res.result.nfev} evaluations, reduced chi2 "
          f"{res.result.redchi:.2f}, converged: {res.result.success}")
    print(f"RESULT fit speedup={t_ref / t_ours:.0f} fit_seconds={t_fit:.2f} accuracy={acc:.1e} "
          f"nfev={res.result.nfev}")


if __name__ == "__main__":
    main()
