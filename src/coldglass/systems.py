"""Tunnelling systems: the two-level system and multi-welled potentials in a magnetic field.

Paper Sec. 3. Energies in kelvin (k_B = 1); phases in radians.

* 2LS Hamiltonian, Eq. (1), levels ``±½ sqrt(Δ² + Δ0²)``;
* tunnelling parameter from WKB, Eq. (3), and from two superimposed parabolic wells, Eq. (4);
* one tight-binding Hamiltonian on any graph of wells with Peierls phases
  (:func:`multiwell_hamiltonian`); the ring of ``nw`` wells threaded by a flux
  (:func:`ring_hamiltonian`, Eq. (6) for nw = 3) and the tetrahedral four-welled potential
  (:func:`polyhedron_hamiltonian` with :func:`tetrahedron_positions`) are special cases;
* the exact three-well spectrum in closed form, Eq. (8) (:func:`twp_levels`, :func:`twp_gap`);
* the effective two-level gap of the weak-field, near-degenerate limit, Eq. (9), and its
  high-field correction, Eqs. (20) and (95) (:func:`effective_gap`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.constants as sc
from numpy.typing import ArrayLike

from .errors import InputError
from .validation import finite, nonnegative, positive

__all__ = [
    "tls_hamiltonian",
    "tls_levels",
    "delta0_wkb",
    "delta0_parabolic",
    "multiwell_hamiltonian",
    "ring_hamiltonian",
    "ring_levels",
    "tetrahedron_positions",
    "polyhedron_hamiltonian",
    "levels",
    "twp_levels",
    "twp_gap",
    "asymmetry_radius",
    "effective_parameters",
    "effective_gap",
    "high_field_phase2",
]


# ----------------------------------------------------------------------------- 2LS, Eqs. 1-4


def tls_hamiltonian(Delta: ArrayLike, Delta0: ArrayLike) -> np.ndarray:
    """2LS Hamiltonian in the well basis, ``H = -½ [[Δ, Δ0], [Δ0, -Δ]]`` (Eq. 1) [K].

    Broadcasts over ``Delta`` and ``Delta0``; returns shape ``(..., 2, 2)``.
    """
    D, D0 = np.broadcast_arrays(finite("Delta", Delta), finite("Delta0", Delta0))
    H = np.empty(D.shape + (2, 2))
    H[..., 0, 0] = -0.5 * D
    H[..., 1, 1] = 0.5 * D
    H[..., 0, 1] = H[..., 1, 0] = -0.5 * D0
    return H


def tls_levels(Delta: ArrayLike, Delta0: ArrayLike) -> np.ndarray:
    """Levels ``E_{0,1} = ∓½ sqrt(Δ² + Δ0²)`` of Eq. (1) [K], shape ``(..., 2)``."""
    E = np.hypot(finite("Delta", Delta), finite("Delta0", Delta0))
    return np.stack([-0.5 * E, 0.5 * E], axis=-1)


def delta0_wkb(
    hbar_omega_K: ArrayLike, V0_K: ArrayLike, d_A: ArrayLike, mass_u: ArrayLike
) -> np.ndarray:
    """WKB tunnelling parameter ``Δ0 ≈ ħΩ exp(-(d/ħ) sqrt(2 m V0))`` (Eq. 3) [K].

    Parameters
    ----------
    hbar_omega_K : single-well energy ħΩ [K]
    V0_K : barrier height [K]
    d_A : tunnelling distance [Å]
    mass_u : mass of the tunnelling particle [u]
    """
    hw = positive("hbar_omega_K", hbar_omega_K)
    V0 = nonnegative("V0_K", V0_K)
    d = nonnegative("d_A", d_A)
    m = positive("mass_u", mass_u)
    action = d * sc.angstrom / sc.hbar * np.sqrt(2.0 * m * sc.atomic_mass * V0 * sc.k)
    return hw * np.exp(-action)


def delta0_parabolic(
    hbar_omega_K: ArrayLike,
    V0_K: ArrayLike,
    form: Literal["derived", "printed"] = "derived",
) -> np.ndarray:
    """Tunnel splitting of two superimposed parabolic wells (Eq. 4) [K].

    ``V(x) = ½ m Ω² (|x| - a)²`` with barrier ``V0 = ½ m Ω² a²``.

    ``form="derived"`` (default): the leading asymptotic splitting of this double oscillator,
    ``Δ0 = ħΩ sqrt(8 V0 / (π ħΩ)) exp(-2 V0 / ħΩ)``. Derivation: for x > 0 the solutions are
    parabolic-cylinder functions ``D_ν(√2 (x - a)/x0)`` with ``E = ħΩ(ν + ½)``; the odd
    (even) state needs ``D_ν(-z) = 0`` (``D_ν'(-z) = 0``) at ``z = √2 a / x0 = 2 sqrt(V0/ħΩ)``.
    For large z, ``D_ν(-z) ≈ e^{-z²/4} - ν √(2π) e^{z²/4}/z`` gives
    ``ν = ± z e^{-z²/2}/√(2π)`` and the splitting above, with relative corrections of
    order ħΩ/V0. Tested against exact diagonalization of the 1D Schrödinger equation.

    ``form="printed"``: the text's ``(ħΩ/2)[3 - sqrt(8V0/(πħΩ))] exp(-2V0/ħΩ)``, which turns
    negative for ``V0/ħΩ > 9π/8`` (the regime of Fig. 26), so it is offered only to compare
    with the printed paper; negative values are returned as NaN.
    """
    hw = positive("hbar_omega_K", hbar_omega_K)
    V0 = nonnegative("V0_K", V0_K)
    root = np.sqrt(8.0 * V0 / (np.pi * hw))
    if form == "derived":
        return hw * root * np.exp(-2.0 * V0 / hw)
    if form == "printed":
        val = 0.5 * hw * (3.0 - root) * np.exp(-2.0 * V0 / hw)
        return np.where(val > 0, val, np.nan)
    raise InputError(f"form must be 'derived' or 'printed', got {form!r}")


# ------------------------------------------------------------ multi-well tight binding, Eq. 6


def multiwell_hamiltonian(
    energies: ArrayLike,
    bonds: ArrayLike,
    D0: ArrayLike,
    peierls: ArrayLike = 0.0,
) -> np.ndarray:
    """Tight-binding Hamiltonian of wells on a graph, with Peierls phases [K].

    ``H_ii = E_i``; for every bond ``(i, j)`` with phase ``θ``: ``H_ij += D0 e^{iθ}`` and
    ``H_ji += D0 e^{-iθ}``. The loop product of the hoppings around a closed path carries the
    Aharonov-Bohm phase ``φ`` of the flux it encloses (Eq. 7).

    Parameters
    ----------
    energies : (..., nw) well energies E_i [K]
    bonds : (nb, 2) integer pairs of wells
    D0 : tunnelling amplitude [K], scalar or broadcastable to (..., nb)
    peierls : Peierls phase per bond [rad], broadcastable to (..., nb)

    Returns
    -------
    complex array of shape (..., nw, nw)
    """
    E = finite("energies", energies)
    if E.ndim < 1 or E.shape[-1] < 2:
        raise InputError("energies must have at least 2 wells along the last axis")
    nw = E.shape[-1]
    b = np.asarray(bonds, dtype=int)
    if b.ndim != 2 or b.shape[1] != 2:
        raise InputError("bonds must have shape (n_bonds, 2)")
    if np.any(b < 0) or np.any(b >= nw) or np.any(b[:, 0] == b[:, 1]):
        raise InputError(f"bonds must join two different wells among 0..{nw - 1}")
    D0 = finite("D0", D0)
    theta = finite("peierls", peierls)
    batch = np.broadcast_shapes(E.shape[:-1], np.shape(D0)[:-1] if np.ndim(D0) else (),
                                np.shape(theta)[:-1] if np.ndim(theta) else ())
    hop = np.broadcast_to(D0 * np.exp(1j * theta), batch + (len(b),))
    H = np.zeros(batch + (nw, nw), dtype=complex)
    idx = np.arange(nw)
    H[..., idx, idx] = np.broadcast_to(E, batch + (nw,))
    for k, (i, j) in enumerate(b):
        H[..., i, j] += hop[..., k]
        H[..., j, i] += np.conj(hop[..., k])
    return H


def ring_hamiltonian(energies: ArrayLike, D0: ArrayLike, phi: ArrayLike) -> np.ndarray:
    """Ring of ``nw >= 2`` wells threaded by a flux of A-B phase ``phi`` (Eq. 6 for nw = 3).

    Every bond ``i -> i+1 (mod nw)`` carries the Peierls phase ``phi/nw`` so that the loop
    encloses ``phi``. For nw = 2 the two bonds join the same pair of wells (two paths).
    ``energies`` has shape (..., nw); ``D0`` and ``phi`` broadcast over the leading axes.
    """
    E = finite("energies", energies)
    if E.ndim < 1 or E.shape[-1] < 2:
        raise InputError("a ring needs nw >= 2 wells along the last axis of energies")
    nw = E.shape[-1]
    bonds = np.stack([np.arange(nw), (np.arange(nw) + 1) % nw], axis=1)
    phi = finite("phi", phi)
    return multiwell_hamiltonian(
        E, bonds, np.asarray(D0, dtype=float)[..., None], (phi / nw)[..., None]
    )


def levels(H: ArrayLike) -> np.ndarray:
    """Eigenvalues (ascending) of Hermitian Hamiltonians of shape (..., n, n) [K]."""
    return np.linalg.eigvalsh(np.asarray(H))


def ring_levels(energies: ArrayLike, D0: ArrayLike, phi: ArrayLike) -> np.ndarray:
    """Exact levels of :func:`ring_hamiltonian` by numerical diagonalization [K]."""
    return levels(ring_hamiltonian(energies, D0, phi))


def tetrahedron_positions() -> np.ndarray:
    """Vertices of a regular tetrahedron with unit edge, centred at the origin, shape (4, 3)."""
    v = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    return v / (2.0 * np.sqrt(2.0))


def polyhedron_hamiltonian(
    positions: ArrayLike,
    energies: ArrayLike,
    D0: ArrayLike,
    flux_density: ArrayLike,
    bonds: ArrayLike | None = None,
) -> np.ndarray:
    """Wells at 3D positions with all-pairs (or given) bonds in a uniform field.

    Symmetric gauge ``A = ½ B × r``: the Peierls phase of bond ``i -> j`` is
    ``θ_ij = ½ b · (r_i × r_j)`` with ``b = 2π B |q| / h`` expressed per unit area of the
    length unit of ``positions`` (a vector, rad per area). Around any closed loop the phases add
    up to ``b · S_loop``, the A-B phase of Eq. (7). With :func:`tetrahedron_positions` this is
    the tetrahedral four-welled potential of paper Sec. 2.
    """
    r = finite("positions", positions)
    if r.ndim != 2 or r.shape[1] != 3:
        raise InputError("positions must have shape (nw, 3)")
    nw = r.shape[0]
    if bonds is None:
        bonds = np.array([(i, j) for i in range(nw) for j in range(i + 1, nw)])
    bonds = np.asarray(bonds, dtype=int)
    b = finite("flux_density", flux_density)
    if b.shape[-1:] != (3,):
        raise InputError("flux_density must be a 3-vector (or (..., 3))")
    cross = np.cross(r[bonds[:, 0]], r[bonds[:, 1]])  # (nb, 3)
    theta = 0.5 * np.einsum("...k,bk->...b", b, cross)
    return multiwell_hamiltonian(energies, bonds, np.asarray(D0, dtype=float)[..., None], theta)


# ----------------------------------------------------------- three-well closed form, Eq. 8


def asymmetry_radius(E1: ArrayLike, E2: ArrayLike, E3: ArrayLike) -> np.ndarray:
    """``D = sqrt(E1² + E2² + E3²)`` of the traceless asymmetries [K] (paper Sec. 3)."""
    E = np.stack(np.broadcast_arrays(finite("E1", E1), finite("E2", E2), finite("E3", E3)))
    E = E - E.mean(axis=0)
    return np.sqrt(np.sum(E**2, axis=0))


def _twp_invariants(E1, E2, E3, D0, phi):
    E1, E2, E3, D0, phi = np.broadcast_arrays(
        finite("E1", E1), finite("E2", E2), finite("E3", E3), finite("D0", D0),
        finite("phi", phi),
    )
    mean = (E1 + E2 + E3) / 3.0
    e1, e2, e3 = E1 - mean, E2 - mean, E3 - mean
    # characteristic polynomial of Eq. (6), traceless part: λ³ - p λ - q = 0
    sum_pairs = -0.5 * (e1**2 + e2**2 + e3**2)  # Σ_{i<j} e_i e_j = -D²/2 for Σ e_i = 0
    p = 3.0 * D0**2 - sum_pairs
    prod = e1 * e2 * e3
    s = np.sqrt(p / 3.0)  # = D0 sqrt(1 - Σ_{i≠j} Ei Ej / 6 D0²) of Eq. (8)
    r = s**3
    # cos θ of Eq. (8) is (q/2)/r with q/2 = D0³ cos φ + e1 e2 e3 / 2. Evaluate r ∓ q/2
    # without cancellation: r - |D0|³ = |D0|³ ((1 + eps)^{3/2} - 1), eps = D²/(6 D0²), and
    # |D0|³ ∓ D0³ cos φ = 2|D0|³ {sin², cos²}(φ/2) (swapped for D0 < 0).
    a0 = np.abs(D0) ** 3
    with np.errstate(divide="ignore", invalid="ignore"):
        eps = np.where(D0 != 0, -sum_pairs / (3.0 * D0**2), 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        grow = np.where((eps < 1.0) & (a0 > 0), a0 * np.expm1(1.5 * np.log1p(eps)), r - a0)
    sin2, cos2 = np.sin(0.5 * phi) ** 2, np.cos(0.5 * phi) ** 2
    minus_part = 2.0 * a0 * np.where(D0 >= 0, sin2, cos2)  # |D0|³ - D0³ cos φ
    plus_part = 2.0 * a0 * np.where(D0 >= 0, cos2, sin2)  # |D0|³ + D0³ cos φ
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(r > 0, (grow + minus_part - 0.5 * prod) / (2 * r), 0.0)  # (1 - cos θ)/2
        b = np.where(r > 0, (grow + plus_part + 0.5 * prod) / (2 * r), 1.0)  # (1 + cos θ)/2
    a, b = np.clip(a, 0.0, 1.0), np.clip(b, 0.0, 1.0)
    theta = np.where(a <= b, 2.0 * np.arcsin(np.sqrt(a)), np.pi - 2.0 * np.arcsin(np.sqrt(b)))
    return mean, s, theta


def twp_levels(
    E1: ArrayLike, E2: ArrayLike, E3: ArrayLike, D0: ArrayLike, phi: ArrayLike
) -> np.ndarray:
    """Exact eigenvalues of the three-welled Hamiltonian Eq. (6) in closed form, Eq. (8) [K].

    ``E_k = Ē + 2 s cos(θ/3 + θ_k)``, ``s = D0 sqrt(1 - Σ_{i≠j} E_i E_j / 6 D0²)``,
    ``cos θ = (cos φ + E1 E2 E3 / 2 D0³) (s/D0)^-3``, ``θ_k = 0, ±2π/3``, where the
    asymmetries are measured from their mean Ē (Eq. 8 assumes E1 + E2 + E3 = 0).
    ``1 ∓ cos θ`` are evaluated without cancellation so that levels made near-degenerate by
    the tunnelling (D0 > 0 with φ → 0, D → 0, or φ → π) keep full relative accuracy. Where
    instead two *asymmetries* coincide with ``|D0| << D`` the trigonometric form is accurate
    to ``~sqrt(ε) D`` absolute only (use :func:`ring_levels` there). Vectorized; returns
    (..., 3), ascending.
    """
    mean, s, theta = _twp_invariants(E1, E2, E3, D0, phi)
    shifts = np.array([2.0 * np.pi / 3.0, -2.0 * np.pi / 3.0, 0.0])
    out = mean[..., None] + 2.0 * s[..., None] * np.cos(theta[..., None] / 3.0 + shifts)
    return out


def twp_gap(
    E1: ArrayLike, E2: ArrayLike, E3: ArrayLike, D0: ArrayLike, phi: ArrayLike
) -> np.ndarray:
    """Lowest gap ``E_1 - E_0 = 2√3 s sin(θ/3)`` of Eq. (8) [K], accurate when it is small."""
    _, s, theta = _twp_invariants(E1, E2, E3, D0, phi)
    return 2.0 * np.sqrt(3.0) * s * np.sin(theta / 3.0)


# --------------------------------------------------------------- effective 2LS, Eqs. 9, 20


def effective_parameters(D: ArrayLike, D0: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Rescaling of Eq. (9): bare (D, D0) of Eq. (6) -> effective 2LS (D_eff, D0_eff) [K].

    Degenerate perturbation theory in the two lowest ring states ``|k = ±1>`` (split by
    ``2√3 D0 sin(φ/3) ≈ (2/√3) D0 φ``; the asymmetries couple them with
    ``|<+|V|->| = D/√6``) gives ``ΔE = (2/√3) sqrt(D0² φ² + D²/2)``, i.e.
    ``D_eff = sqrt(2/3) D`` and ``D0_eff = (2/√3) D0`` so that
    ``ΔE = sqrt(D_eff² + D0_eff² φ²)``. Virtual transitions through the third ring state
    (``2 D0`` above) add an ``O(D²/D0)`` matrix to the 2×2 problem, so the relative error of
    the gap is first order in ``D/D0``; at ``D = 0`` it is ``1 - 3 sin(φ/3)/φ = O(φ²)``
    (both orders are pinned by tests against :func:`twp_gap`).
    """
    D = finite("D", D)
    D0 = finite("D0", D0)
    return np.sqrt(2.0 / 3.0) * D, 2.0 / np.sqrt(3.0) * D0


def high_field_phase2(
    phi: ArrayLike,
    orientation: Literal["none", "shortcut"] = "none",
    B_over_Bstar: ArrayLike | None = None,
) -> np.ndarray:
    """High-field corrected squared phase (Eqs. 20, 95).

    ``orientation="none"``: ``φ²(1 - φ²/27)`` (from ``9 sin²(φ/3)`` to fourth order).
    ``orientation="shortcut"``: orientation-averaged ``(φ²/3)(1 - (B/B*)²/45)``, where
    ``B/B*`` is given (``B*`` a material parameter); if omitted, ``B/B* = φ``.
    """
    phi = finite("phi", phi)
    if orientation == "none":
        return phi**2 * (1.0 - phi**2 / 27.0)
    if orientation == "shortcut":
        x = phi if B_over_Bstar is None else finite("B_over_Bstar", B_over_Bstar)
        return phi**2 / 3.0 * (1.0 - x**2 / 45.0)
    raise InputError(f"orientation must be 'none' or 'shortcut', got {orientation!r}")


def effective_gap(
    D: ArrayLike, D0: ArrayLike, phi: ArrayLike, *, high_field: bool = False
) -> np.ndarray:
    """Effective two-level gap ``ΔE = sqrt(D² + D0² φ²)`` (Eq. 9) [K].

    ``D`` and ``D0`` are the *effective* (rescaled) parameters of
    :func:`effective_parameters`. ``high_field=True`` replaces ``φ²`` by ``φ²(1 - φ²/27)``
    (Eq. 20), the expansion of the exact degenerate splitting ``9 sin²(φ/3)``.
    """
    D = finite("D", D)
    D0 = finite("D0", D0)
    phi2 = high_field_phase2(phi) if high_field else finite("phi", phi) ** 2
    return np.sqrt(D**2 + D0**2 * phi2)
