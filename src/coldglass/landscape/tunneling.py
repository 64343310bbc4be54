"""Tunnelling parameters of a double-well potential (DWP) found in the landscape.

From two minima a, b (energies E_a <= E_b after ordering), the index-1 saddle s between them
and the minimum-energy path, in mass-weighted coordinates ``q_i = sqrt(m_i/m) x_i``:

* asymmetry ``Δ = E_b - E_a`` and barriers ``V_a = E_s - E_a``, ``V_b = E_s - E_b``; the
  barrier of the symmetric DWP entering Eqs. (3)-(4) is ``V0 = E_s - (E_a + E_b)/2``;
* distance ``d = |q_b - q_a|`` (minimum image, translation removed);
* participation ratio ``PR = (Σ|u_i|²)² / (N Σ|u_i|⁴)`` of the displacements u_i, the
  effective number of moving particles ``N·PR``, the number moving more than 10 % of the
  largest displacement, and the largest single-particle displacement;
* single-well energies ``ħΩ_a,b = ħ sqrt(k_a,b / m)`` from the curvature of V(s) along the
  path at each minimum (Hessian projected on the path tangent);
* the tunnel splitting by three routes: Eq. (4) (two parabolic wells, with ħΩ the mean of
  both wells), the WKB form Eq. (3) (``ħΩ exp(-d sqrt(2 m V0)/ħ)``) and exact diagonalization
  of ``H = -(ħ²/2m) d²/ds² + V(s)`` along the path (:func:`schrodinger_1d`), with
  ``Δ0 = sqrt(E_qs² - Δ_q²)`` (:func:`two_level_1d`): Δ0 the minimum gap of the avoided
  crossing when a bias tunes the wells to resonance, Δ_q the asymmetry of the localized
  ground states; a Δ0 below the numerical resolution of the eigenvalues (~1e-9 of ħΩ) is
  reported as NaN (unresolved).
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import BPoly
from scipy.linalg import eigh_tridiagonal

from ..errors import InputError
from ..systems import delta0_parabolic, delta0_wkb
from .model import BinaryLJ, minimum_image
from .units import UnitMapping

__all__ = ["schrodinger_1d", "lowest_levels_1d", "two_level_1d", "path_profile", "potential",
           "path_potential", "splitting", "profile_arrays", "profile_from_arrays",
           "participation", "dwp_parameters", "DWP_UNITS"]

#: units of every column of a double-well record
DWP_UNITS = {
    "E_a": "eps", "E_b": "eps", "E_s": "eps", "Delta_K": "K", "V0_K": "K", "V_a_K": "K",
    "V_b_K": "K", "d_A": "Angstrom", "d_sigma": "sigma", "path_length_sigma": "sigma",
    "participation_ratio": "1", "n_eff": "particles", "n_moving": "particles",
    "max_disp_A": "Angstrom", "hbar_omega_a_K": "K", "hbar_omega_b_K": "K",
    "hbar_omega_K": "K", "E_qs_K": "K", "Delta0_exact_K": "K", "Delta0_eq4_K": "K",
    "Delta0_wkb_K": "K", "Delta_q_K": "K",
}


def lowest_levels_1d(V: np.ndarray, h: float, hbar: float, n: int = 2,
                     vectors: bool = False):
    """Lowest ``n`` levels of ``-(ħ²/2) ψ'' + V ψ`` (unit mass) on a uniform grid of spacing h,
    Dirichlet ends; second-order finite differences, tridiagonal eigen-solver."""
    t = hbar**2 / (2 * h**2)
    d = np.asarray(V, dtype=float) + 2 * t
    e = -t * np.ones(len(d) - 1)
    return eigh_tridiagonal(d, e, eigvals_only=not vectors, select="i",
                            select_range=(0, n - 1))


def schrodinger_1d(V, s_min: float, s_max: float, hbar: float, *, n_points: int = 4000,
                   n_levels: int = 2) -> dict:
    """Levels of ``H = -(ħ²/2) d²/ds² + V(s)`` (unit mass, s mass-weighted) on [s_min, s_max].

    ``V`` is a vectorized callable. Two grids (h and h/2) are combined by Richardson
    extrapolation (error O(h⁴)). Returns ``levels`` and ``resolution`` (the smallest level
    difference the finite-precision solve resolves, ~1e3 machine-ε times the kinetic scale).
    """
    if not s_max > s_min:
        raise InputError(f"s_max ({s_max}) must exceed s_min ({s_min})")
    if not hbar > 0:
        raise InputError(f"hbar must be > 0, got {hbar}")
    out = []
    for n in (n_points, 2 * n_points):
        s = np.linspace(s_min, s_max, n + 2)[1:-1]
        out.append(lowest_levels_1d(V(s), s[1] - s[0], hbar, n_levels))
    levels = out[1] + (out[1] - out[0]) / 3.0
    kinetic = hbar**2 / (2 * ((s_max - s_min) / (2 * n_points)) ** 2)
    return {"levels": levels, "resolution": 1e3 * np.finfo(float).eps * 4 * kinetic}


def two_level_1d(V, s_min: float, s_max: float, s_barrier: float, hbar: float, *,
                 n_points: int = 8000, switch_width: float | None = None) -> dict:
    """Δ0 and the quantum asymmetry of a 1D double well ``-(ħ²/2) ψ'' + V ψ`` (unit mass).

    Δ0 is the minimum gap of the avoided crossing (the definition of the 2LS tunnelling
    parameter, Eq. 1): a bias ``c·g(s)`` (g a smooth step from 0 in well a to 1 in well b
    across the barrier, ``g = [1 + tanh((s - s_barrier)/w)]/2``) is tuned to resonance, where
    the two lowest levels are ``E0,1 = ∓Δ0/2`` relative to their mean. Near resonance
    ``(E1 - E0)² = β²(c - c*)² + Δ0²`` exactly in the two-level picture; three-point
    parabola fits of the squared gap, with the spread shrinking to a few Δ0, give c* and
    Δ0² to machine precision. ``Δ_q = -c* (<g>_b - <g>_a)`` is the asymmetry of the
    localized ground states (zero-point and anharmonic energies included; <g> in the
    localized states); ``E_qs = sqrt(Δ_q² + Δ0²)``. When Δ is comparable to the barrier the
    bias reshapes the barrier and the 2LS parametrization itself becomes ambiguous.
    The start is ``c = -(ε_b - ε_a)`` from the ground states of each well with the other
    side flattened at the barrier top.
    """
    if not s_min < s_barrier < s_max:
        raise InputError("need s_min < s_barrier < s_max")
    sg = np.linspace(s_min, s_max, n_points + 2)[1:-1]
    h = sg[1] - sg[0]
    Vs = np.asarray(V(sg), dtype=float)
    Vb = float(V(np.array([s_barrier]))[0])
    w = switch_width if switch_width is not None else 0.05 * (s_max - s_min)
    g = 0.5 * (1.0 + np.tanh((sg - s_barrier) / w))
    ea, pa = lowest_levels_1d(np.where(sg > s_barrier, np.maximum(Vs, Vb), Vs), h, hbar, 1,
                              vectors=True)
    eb, pb = lowest_levels_1d(np.where(sg < s_barrier, np.maximum(Vs, Vb), Vs), h, hbar, 1,
                              vectors=True)
    ea, eb = ea[0], eb[0]
    # the bias acts on the localized ground states with weights <g>_a ≈ 0, <g>_b ≈ 1
    g_ab = float(pb[:, 0] ** 2 @ g - pa[:, 0] ** 2 @ g)
    zp = min(ea, eb) - float(Vs.min())  # ≈ ħΩ/2

    def gap2(c):
        lv = lowest_levels_1d(Vs + c * g, h, hbar, 2)
        return (lv[1] - lv[0]) ** 2

    c0 = -(eb - ea) / g_ab
    delta = 0.2 * zp
    D = np.nan
    for _ in range(20):
        y = np.array([gap2(c0 - delta), gap2(c0), gap2(c0 + delta)])
        A = (y[0] + y[2] - 2 * y[1]) / (2 * delta**2)
        if not A > 0:
            break  # the spread is below what the eigenvalues resolve: keep the last fit
        shift = (y[0] - y[2]) / (4 * A * delta)
        c0, D = c0 + shift, y[1] - A * shift**2
        # shrink the spread (the fit is exact for a two-level system; other levels add
        # O(spread³/ħΩ)) down to a few Δ0
        target = 3.0 * np.sqrt(max(D, 0.0))
        if delta <= target and abs(shift) < delta:
            break
        delta = max(delta / 10.0, target, 1e-14 * zp)
    kinetic = hbar**2 / (2 * h**2)
    resolution = 1e3 * np.finfo(float).eps * 4 * kinetic
    D0 = float(np.sqrt(D)) if D > resolution**2 else np.nan
    Dq = -c0 * g_ab
    return {"Delta0": D0, "Delta_q": Dq, "E_qs": float(np.hypot(Dq, D0)) if D0 == D0 else
            abs(Dq), "eps_a": ea, "eps_b": eb, "resolution": resolution}


def participation(u: np.ndarray) -> dict:
    """Participation of a displacement field u (N, 3): ratio, effective number, count above
    10 % of the largest displacement, largest displacement."""
    r2 = np.einsum("ij,ij->i", u, u)
    n = len(r2)
    pr = r2.sum() ** 2 / (n * np.sum(r2**2)) if r2.sum() > 0 else np.nan
    r = np.sqrt(r2)
    return {"participation_ratio": float(pr), "n_eff": float(pr * n),
            "n_moving": int(np.sum(r > 0.1 * r.max())), "max_disp": float(r.max())}


def _mw(model: BinaryLJ, x: np.ndarray) -> np.ndarray:
    return (np.sqrt(model.particle_masses)[:, None] * x).ravel()


def path_profile(model: BinaryLJ, path_x: np.ndarray, energies: np.ndarray,
                 forces: np.ndarray, k_a: float, k_b: float, i_saddle: int | None = None,
                 k_s: float | None = None) -> dict:
    """The 1D potential of a path as a few numbers per image, in reduced units and
    independent of the unit mapping: arc length ``s`` of the images [mass-weighted σ],
    energies ``E`` [ε], slopes ``dVds = -F·τ`` (τ the unit tangent; 0 at the ends and at the
    saddle image), curvatures ``k_a``, ``k_b`` at the ends and ``k_s`` (NaN if not given) at
    the saddle image ``i_s`` (-1 if none). :func:`potential` turns it into V(s); the catalog
    stores it with each path so that the splitting can be recomputed under another unit
    mapping (:func:`splitting`) without the configurations or an engine."""
    X = np.asarray(path_x)
    x0 = X[0]
    Q = np.array([_mw(model, x0 + minimum_image(xi - x0, model.box_length)) for xi in X])
    seg = np.linalg.norm(np.diff(Q, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    M = len(X)
    w = 1.0 / np.sqrt(np.repeat(model.particle_masses, 3))
    slope = np.zeros(M)
    for i in range(1, M - 1):
        if i != i_saddle:
            tau = Q[i + 1] - Q[i - 1]
            tau /= np.linalg.norm(tau)
            # dV/ds = -F·dx/ds with dx/ds = τ / sqrt(m)
            slope[i] = float(-(forces[i].ravel() * w) @ tau)
    return {"s": s, "E": np.asarray(energies, dtype=float).copy(), "dVds": slope,
            "k": np.array([k_a, k_b, np.nan if k_s is None else k_s], dtype=float),
            "i_s": np.array(-1 if i_saddle is None else int(i_saddle))}


_PROFILE_PREFIX = "profile_"


def profile_arrays(profile: dict | None) -> dict[str, np.ndarray]:
    """A :func:`path_profile` as named arrays (``profile_s``, ``profile_E``, ...) to save
    beside a path's images in one ``.npz``; empty for None."""
    return {_PROFILE_PREFIX + k: v for k, v in (profile or {}).items()}


def profile_from_arrays(arrays: dict[str, np.ndarray]) -> dict | None:
    """The :func:`path_profile` among arrays saved with :func:`profile_arrays`; None if they
    hold none (a path saved by an older coldglass)."""
    prof = {k[len(_PROFILE_PREFIX):]: v for k, v in arrays.items()
            if k.startswith(_PROFILE_PREFIX)}
    return prof or None


def potential(profile: dict):
    """V(s) [ε] of a :func:`path_profile`: a piecewise polynomial through the image energies
    with their slopes, zero slope and curvature k at the minima (and at the saddle image,
    curvature k_s), and the harmonic continuation ``V_a + k_a s²/2`` beyond the ends."""
    s, E, slope = profile["s"], profile["E"], profile["dVds"]
    k_a, k_b, k_s = (float(v) for v in profile["k"])
    i_s = int(profile["i_s"])
    M = len(s)
    data = []
    for i in range(M):
        if i == 0:
            data.append([E[0], 0.0, k_a])
        elif i == M - 1:
            data.append([E[-1], 0.0, k_b])
        elif i == i_s:
            data.append([E[i], 0.0] + ([k_s] if np.isfinite(k_s) else []))
        else:
            data.append([E[i], slope[i]])
    poly = BPoly.from_derivatives(s, data)
    S = s[-1]

    def V(t):
        t = np.asarray(t, dtype=float)
        inside = poly(np.clip(t, 0.0, S))
        left = E[0] + 0.5 * k_a * t**2
        right = E[-1] + 0.5 * k_b * (t - S) ** 2
        return np.where(t < 0, left, np.where(t > S, right, inside))

    return V


def path_potential(model: BinaryLJ, path_x: np.ndarray, energies: np.ndarray,
                   forces: np.ndarray, k_a: float, k_b: float, i_saddle: int | None = None,
                   k_s: float | None = None):
    """V(s) along a path of images (M, N, 3): :func:`potential` of its
    :func:`path_profile` (arc length s in mass-weighted σ). Returns (callable V, s of
    images)."""
    prof = path_profile(model, path_x, energies, forces, k_a, k_b, i_saddle, k_s)
    return potential(prof), prof["s"]


def splitting(profile: dict, hbar_star: float, *, n_points: int = 3000) -> dict:
    """The two-level parameters of a path's 1D double well (:func:`two_level_1d` on
    :func:`potential`, energies from the lower minimum) for the reduced quantum of action
    ``hbar_star`` = ħ/(σ sqrt(m ε)) of a unit mapping. Returns ``E_qs``, ``Delta_q``,
    ``Delta0`` [ε] and the single-well energies ``hw_a``, ``hw_b`` [ε]. The grid reaches
    10 zero-point lengths beyond the ends with >= 40 points per length."""
    hb = float(hbar_star)
    if not (np.isfinite(hb) and hb > 0):
        raise InputError(f"hbar_star must be finite and > 0, got {hbar_star!r}")
    s, E = profile["s"], profile["E"]
    k_a, k_b = float(profile["k"][0]), float(profile["k"][1])
    i_s = int(profile["i_s"]) if int(profile["i_s"]) >= 0 else int(np.argmax(E))
    V = potential(profile)
    wa, wb = np.sqrt(hb / np.sqrt(k_a)), np.sqrt(hb / np.sqrt(k_b))
    lo, hi = -10 * wa, s[-1] + 10 * wb
    npts = max(n_points, int(40 * (hi - lo) / min(wa, wb)))
    sol = two_level_1d(lambda t: V(t) - E[0], lo, hi, float(s[i_s]), hb, n_points=npts,
                       switch_width=0.1 * float(s[-1]))
    return {"E_qs": sol["E_qs"], "Delta_q": sol["Delta_q"], "Delta0": sol["Delta0"],
            "hw_a": hb * np.sqrt(k_a), "hw_b": hb * np.sqrt(k_b)}


def curvature_along(model: BinaryLJ, H, direction: np.ndarray) -> float:
    """``τ·D·τ`` for the unit mass-weighted direction τ and dynamical matrix D [ε/(σ² m)]."""
    tau = np.asarray(direction, dtype=float).ravel()
    tau = tau / np.linalg.norm(tau)
    return float(tau @ (H @ tau))


def dwp_parameters(model: BinaryLJ, units: UnitMapping, path_x: np.ndarray,
                   energies: np.ndarray, forces: np.ndarray, *, H_a=None, H_b=None,
                   k_s: float | None = None, n_points: int = 3000) -> dict:
    """All tunnelling parameters of the DWP described by a path from minimum a (first image)
    over a single saddle (highest image) to minimum b (last image).

    ``H_a``, ``H_b``: mass-weighted Hessians at the minima (computed if None). The path is
    reversed if needed so that ``E_a <= E_b``. Energies in ε on input; the record carries
    physical units (see :data:`DWP_UNITS`).
    """
    from .calculator import hessian

    X, E, F = np.asarray(path_x), np.asarray(energies, float), np.asarray(forces)
    if E[-1] < E[0]:
        X, E, F = X[::-1], E[::-1], F[::-1]
        H_a, H_b = H_b, H_a
    if H_a is None:
        H_a = hessian(model, X[0], mass_weighted=True)
    if H_b is None:
        H_b = hessian(model, X[-1], mass_weighted=True)
    i_s = int(np.argmax(E))
    Ea, Eb, Es = E[0], E[-1], E[i_s]
    L = model.box_length
    qa, qb = _mw(model, X[0]), _mw(model, X[0] + minimum_image(X[-1] - X[0], L))
    u = (X[0] + minimum_image(X[-1] - X[0], L)) - X[0]
    m = model.particle_masses
    u = u - (m[:, None] * u).sum(0) / m.sum()
    d = float(np.linalg.norm(qb - qa))
    # curvature along the path at both ends: tangent towards the neighbouring image
    t_a = _mw(model, X[0] + minimum_image(X[1] - X[0], L)) - qa
    t_b = _mw(model, X[0] + minimum_image(X[-2] - X[0], L)) - qb
    k_a = curvature_along(model, H_a, t_a)
    k_b = curvature_along(model, H_b, t_b)
    prof = path_profile(model, X, E, F, k_a, k_b, i_saddle=i_s, k_s=k_s)
    sol = splitting(prof, units.hbar_star, n_points=n_points)
    hw_a, hw_b = sol["hw_a"], sol["hw_b"]
    Delta = Eb - Ea
    E_qs, Delta_q = sol["E_qs"], sol["Delta_q"]
    V0 = Es - 0.5 * (Ea + Eb)
    hw = 0.5 * (hw_a + hw_b)
    K = units.epsilon_K
    part = participation(u)
    rec = {
        "E_a": Ea, "E_b": Eb, "E_s": Es,
        "Delta_K": Delta * K, "V0_K": V0 * K, "V_a_K": (Es - Ea) * K, "V_b_K": (Es - Eb) * K,
        "d_sigma": d, "d_A": d * units.sigma_A, "path_length_sigma": float(prof["s"][-1]),
        "participation_ratio": part["participation_ratio"], "n_eff": part["n_eff"],
        "n_moving": part["n_moving"], "max_disp_A": part["max_disp"] * units.sigma_A,
        "hbar_omega_a_K": hw_a * K, "hbar_omega_b_K": hw_b * K, "hbar_omega_K": hw * K,
        "E_qs_K": E_qs * K, "Delta_q_K": Delta_q * K,
        "Delta0_exact_K": sol["Delta0"] * K,
        "Delta0_eq4_K": float(delta0_parabolic(hw * K, max(V0, 0.0) * K)),
        "Delta0_wkb_K": float(delta0_wkb(hw * K, max(V0, 0.0) * K, d * units.sigma_A,
                                         units.mass_u)),
        "profile": prof,
    }
    return rec
