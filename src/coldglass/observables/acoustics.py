"""Acoustic properties of tunnelling systems: sound velocity, internal friction, thermal
conductivity (the standard tunnelling model, STM) and the ATS sound-velocity change in a field.

Energies and temperatures in kelvin, angular frequencies in rad/s, lengths in m, velocities
in m/s. Not in the seed paper (its Sec. 5 treats the dielectric response); these are the STM's
textbook acoustic results (Jäckle, Z. Phys. 257, 212 (1972); Hunklinger and Arnold, Physical
Acoustics 12, 155 (1976); Phillips, Rep. Prog. Phys. 50, 1657 (1987)) written over the same
ensemble ``P̄ dΔ dΔ0/Δ0`` (paper Eq. 2) and the same one-phonon rate (Eq. 39):

* per polarization (longitudinal l, transverse t) the tunnelling strength
  ``C = P̄ γ²/(ρ v²)`` (deformation potential γ, mass density ρ, sound velocity v);
* resonant part ``Δv/v = -C ∫ dΔ dΔ0/Δ0 (Δ0/E)² tanh(E/2T)/E`` (measured from T = 0), slope
  ``+C`` per e-fold of T for ħω << k_BT; resonant absorption ``Q⁻¹ = π C tanh(ħω/2k_BT)``
  (unsaturated);
* relaxational part ``Δv/v = -C ∫ (Δ/E)² sech²(E/2T)/(2T) · 1/(1 + ω²τ²)`` and
  ``Q⁻¹ = 2C ∫ (Δ/E)² sech²(E/2T)/(2T) · ωτ/(1 + ω²τ²)``: slope ``-3C/2`` above the crossover
  (ωτmin << 1), the plateau ``Q⁻¹ = πC/2``, and ``Q⁻¹ = π⁴ C A T³/(12 ω)`` below it;
* the sum: ``Δv/v`` rises as ``C ln T``, has its maximum at the crossover ``ωτmin(k_BT) ≈ 1``
  and falls as ``-(C/2) ln T`` above it.

These are the dielectric results of :mod:`coldglass.observables.dielectric` with the
orientation average 1/3 removed and the sign of a softening (Δv/v = Δc/2c, Q⁻¹ = Δc''/c).

Numerics (the fast route): at fixed gap E the Δ0 integral of the relaxational kernel is
elementary for every rate ``τ⁻¹ = a(E, T) Δ0²`` (one-phonon, plus an optional second
channel of that form such as the two-phonon Raman process ∝ (Δ0/E)² T⁷): with
``dΔ dΔ0 = (E/Δ) dE dΔ0`` (so ``(Δ/E)² -> Δ/E``), ``s = Δ0²/E²`` and ``b = ω/(a E²)``,
``∫ dΔ0/Δ0 (Δ/E)(1, ωτ)/(1 + ω²τ²) = Re, Im of ½ ∫ sqrt(1 - s)/(s - ib) ds``,
``½ [F(s_hi) - F(s_lo)]`` with ``F = 2w - 2q artanh(w/q)``, ``w = sqrt(1 - s)``,
``q = sqrt(1 - ib)``. What remains is one integral over E per point, by Gauss-Legendre in
``η = arccosh(E/Δ0min)`` (which removes the square-root edge at Δ0min; finite Δ0max and Δmax
add segments in their own variables, :func:`_eta_rule`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.constants as sc
from numpy.typing import ArrayLike

from ..constants import HBAR_K
from ..ensembles import ATSEnsemble, Orientation, Rule, STMEnsemble
from ..errors import InputError
from ..quadrature import gauss_legendre, mapped_panels
from ..validation import finite, nonnegative, positive, temperature
from .relaxation import _coth_half

__all__ = [
    "tunnelling_strength",
    "raman_rate",
    "stm_acoustics",
    "acoustic_log_limits",
    "low_temperature_friction",
    "ResonantScattering",
    "BoundaryScattering",
    "RayleighScattering",
    "thermal_conductivity",
    "kappa_resonant_limit",
    "kappa_boundary_limit",
    "ats_sound_velocity",
]

#: polarizations and their number of branches
BRANCHES = {"l": 1, "t": 2}


def tunnelling_strength(P_bar: float, gamma_eV: float, rho: float, v: float) -> float:
    """``C = P̄ γ²/(ρ v²)`` (dimensionless) from P̄ [J⁻¹ m⁻³], the deformation potential γ
    [eV], the mass density ρ [kg/m³] and the sound velocity v [m/s]."""
    P = float(nonnegative("P_bar", P_bar, "J^-1 m^-3"))
    g = float(finite("gamma_eV", gamma_eV)) * sc.e
    return P * g**2 / (float(positive("rho", rho, "kg/m^3")) * float(positive("v", v, "m/s"))
                       ** 2)


def raman_rate(A_R: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A second relaxation channel ``τ⁻¹ = A_R (Δ0/E)² T⁷`` (two-phonon Raman process,
    ``A_R`` in s⁻¹ K⁻⁷), as the coefficient ``a2(E, T) = A_R T⁷/E²`` of ``τ⁻¹ = a2 Δ0²``
    that :func:`stm_acoustics` takes as ``rate2``."""
    A_R = float(nonnegative("A_R", A_R, "s^-1 K^-7"))
    return lambda E, T: A_R * T**7 / E**2


# ------------------------------------------------------------------------- quadrature


def _eta_rule(T: np.ndarray, d0min: float, d0max: float, dmax: float, top: float = 50.0,
              n: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-point nodes in E from Δ0min to ``top·T`` (capped where no system exists), in
    segments between the kinks of the ensemble, each in the variable that makes the
    integrands smooth at its lower end, panels no wider than 1 in that variable:

    * from Δ0min: ``η = arccosh(E/Δ0min)`` (the square-root edge of the Δ0 range);
    * from Δ0max (finite): ``ζ = arccosh(E/Δ0max)`` (the upper Δ0 limit leaves E);
    * from sqrt(Δ0min² + Δmax²) (finite Δmax): ``ρ = ln sqrt(E² - Δmax²)`` (the lower Δ0
      limit sqrt(E² - Δmax²) leaves Δ0min: logarithms of it are smooth in ρ).

    Returns ``E``, ``E² - Δ0min²``, ``E² - Δmax²`` (both accurate; the last ``-inf`` where
    Δmax is infinite) and weights of ``dE/E``, shapes ``(p, m)``."""
    e_cap = np.hypot(d0max, dmax) if np.isfinite(d0max) and np.isfinite(dmax) else np.inf
    e_top = np.minimum(top * T, e_cap)
    starts = [(d0min, "d0min")]
    if np.isfinite(d0max):
        starts.append((d0max, "d0max"))
    if np.isfinite(dmax):
        starts.append((float(np.hypot(d0min, dmax)), "dmax"))
    starts.sort()
    Es, g0s, gms, wts = [], [], [], []
    for i, (e_lo, kind) in enumerate(starts):
        e_hi = np.minimum(starts[i + 1][0], e_top) if i + 1 < len(starts) else e_top
        lo_e = np.minimum(e_lo, e_hi)
        if kind == "dmax":
            to_v = lambda e: np.log(np.sqrt(np.maximum(e**2 - dmax**2, 1e-300)))  # noqa: E731
        else:
            to_v = lambda e, b=e_lo: np.arccosh(np.maximum(e / b, 1.0))  # noqa: E731
        a, b = to_v(lo_e) * np.ones_like(T), to_v(e_hi) * np.ones_like(T)
        b = np.maximum(a, b)
        n_pan = max(1, int(np.ceil(float(np.max(b - a, initial=0.0)))))
        v, wv = mapped_panels(a, b, n_pan, n)
        if kind == "dmax":
            g = np.exp(2 * v)  # E² - Δmax²
            E = np.sqrt(dmax**2 + g)
            Es.append(E)
            g0s.append(E**2 - d0min**2)
            gms.append(g)
            wts.append(wv * g / E**2)  # dE/E = e^{2ρ}/E² dρ
        else:
            E = e_lo * np.cosh(v)
            Es.append(E)
            g0 = (d0min * np.sinh(v)) ** 2 if kind == "d0min" else E**2 - d0min**2
            g0s.append(g0)
            gms.append(E**2 - dmax**2 if np.isfinite(dmax) else np.full_like(E, -np.inf))
            wts.append(wv * (e_lo * np.sinh(v)) / E)  # dE/E = b sinh v dv / E
    return (np.concatenate(Es, axis=1), np.concatenate(g0s, axis=1),
            np.concatenate(gms, axis=1), np.concatenate(wts, axis=1))


def _F(w: np.ndarray, s: np.ndarray, q: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``F(s) = 2w - 2q artanh(w/q)`` (antiderivative of ``sqrt(1 - s)/(s - ib)``), stable:
    ``2 artanh(w/q) = 2 ln(q + w) - ln(s - ib)`` (both principal, continuous along the path
    since Im q < 0 < Re q), and where that cancels (|z| < 0.3, z = w/q) the series
    ``-2w Σ_{k>=1} z^{2k}/(2k + 1)`` (16 terms: 0.09^16 < 1e-16)."""
    z = w / q
    small = np.abs(z) < 0.3
    out = np.empty(z.shape, dtype=complex)
    big = ~small
    wb, qb = w[big], q[big]
    out[big] = 2 * wb - qb * (2 * np.log(qb + wb) - np.log(s[big] - 1j * b[big]))
    z2 = w[small] ** 2 / (1 - 1j * b[small])  # = (w/q)², without the rounding of q at b >> 1
    acc = np.full(z2.shape, 1.0 / 33.0, dtype=complex)
    for k in range(15, 0, -1):  # Horner: Σ_{k=1}^{16} z^{2k}/(2k+1)
        acc = acc * z2 + 1.0 / (2 * k + 1)
    out[small] = -2 * w[small] * acc * z2
    return out


def _relaxation_inner(E: np.ndarray, E2mD2: np.ndarray, E2mDm2: np.ndarray, omega: np.ndarray,
                      a: np.ndarray, d0min: float, d0max: float, dmax: float) -> np.ndarray:
    """``∫ dΔ0/Δ0 (Δ/E)(1 + iωτ)/(1 + ω²τ²)`` at fixed E for ``τ⁻¹ = a Δ0²`` (complex);
    ``E2mD2 = E² - Δ0min²``, ``E2mDm2 = E² - Δmax²`` (accurate)."""
    b = omega / (a * E**2)
    q = np.sqrt(1 - 1j * b)
    s_lo = np.maximum(d0min**2, E2mDm2) / E**2  # lower end of s = Δ0²/E²
    w_hi = np.sqrt(np.minimum(E2mD2, dmax**2)) / E
    shape = np.broadcast_shapes(E.shape, b.shape)
    E, E2mDm2, b, q, s_lo, w_hi = (np.broadcast_to(x, shape)
                                   for x in (E, E2mDm2, b, q, s_lo, w_hi))
    if np.isfinite(d0max):
        s_hi = np.minimum(d0max**2 / E**2, 1.0)
        w_lo = np.sqrt(np.clip(1.0 - s_hi, 0.0, None))
        val = 0.5 * (_F(w_lo, s_hi, q, b) - _F(w_hi, s_lo, q, b))
    else:  # the upper end s = 1 (Δ = 0): F(w = 0) = 0
        s_hi = np.ones(shape)
        val = -0.5 * _F(w_hi, s_lo, q, b)
    return np.where(s_hi > s_lo, val, 0.0)


def _relaxation_integral(T: np.ndarray, w: np.ndarray, A: float, d0min: float, d0max: float,
                         dmax: float, rate2=None, rule=None, n: int = 8) -> np.ndarray:
    """``∫ dΔ dΔ0/Δ0 (Δ/E)² sech²(E/2T)/(2T) · (1 + iωτ)/(1 + ω²τ²)`` per unit P̄ (complex)
    for flat arrays ``T`` [K], ``w`` [rad/s], ``τ⁻¹ = A Δ0² E coth(E/2T) + rate2(E, T) Δ0²``:
    the closed-form Δ0 integral (:func:`_relaxation_inner`) on the E rule of
    :func:`_eta_rule` (``rule`` reuses one). The relaxational part of the acoustic
    (``-C`` Re, ``2C`` Im) and of the dielectric (``(2/3) C`` Re and Im) response."""
    E, E2mD2, E2mDm2, wt = _eta_rule(T, d0min, d0max, dmax, n=n) if rule is None else rule
    Tn, wn = T[:, None], w[:, None]
    a = A * E * _coth_half(E, Tn)
    if rate2 is not None:
        a = a + nonnegative("rate2", rate2(E, Tn))
    inner = _relaxation_inner(E, E2mD2, E2mDm2, wn, a, d0min, d0max, dmax)
    sech2 = 1.0 / np.cosh(np.minimum(E / (2 * Tn), 350.0)) ** 2
    return np.sum(E * sech2 / (2 * Tn) * inner * wt, axis=1)


# ---------------------------------------------------------------------- Δv/v and Q⁻¹


def stm_acoustics(
    T: ArrayLike,
    omega: ArrayLike,
    *,
    C: float,
    A: float,
    Delta0_min: float = 1e-6,
    Delta0_max: float = np.inf,
    Delta_max: float = np.inf,
    rate2: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    resonant: str = "auto",
    n: int = 8,
) -> dict[str, np.ndarray]:
    """Δv/v(T, ω) and Q⁻¹(T, ω) of the STM for one polarization (module docstring).

    Parameters
    ----------
    T : temperature [K]; omega : angular frequency ω = 2πf [rad/s] (broadcast together)
    C : tunnelling strength ``P̄γ²/(ρv²)`` of the polarization (dimensionless)
    A : one-phonon coefficient of ``τ⁻¹ = A Δ0² E coth(E/2k_BT)`` (Eq. 39) [s⁻¹ K⁻³]
    Delta0_min, Delta0_max, Delta_max : cutoffs of the ensemble (Eq. 2) [K]
    rate2 : optional second channel, ``a2(E, T)`` of ``τ2⁻¹ = a2 Δ0²`` [s⁻¹ K⁻²]
        (e.g. :func:`raman_rate`); the rates add (Eq. 56)
    resonant : ``"quasistatic"`` (drops ħω against E), ``"full"`` (keeps
        ``E²/(E² - ħ²ω²)``, principal value; its own 24-node rule, ~1e-9, ignores ``n``) or
        ``"auto"`` (the default: per point, quasistatic where ħω <= 1e-3 min(k_BT, Δ0min),
        full otherwise). Both give the same T dependence for ħω << k_BT; where ħω > Δ0min
        the systems below ħω respond with the opposite sign, so the value measured from
        T = 0 differs by ~C ln(ħω/Δ0min) — the quasistatic form is the textbook C ln T
        with that constant dropped.
    n : Gauss-Legendre nodes per unit panel of η (8 gives ~1e-10); an integer >= 2

    The resonant loss needs systems at E = ħω: it is zero where ħω < Δ0min (below
    ~21 kHz for the default Δ0min = 1 µK).

    Returns
    -------
    dict with ``res``, ``rel``, ``total`` (Δv/v measured from T = 0), ``Qinv_res``,
    ``Qinv_rel``, ``Qinv`` (all dimensionless, the broadcast shape of T and ω).
    """
    T, w = np.broadcast_arrays(temperature(T), positive("omega", omega, "rad/s"))
    shape = T.shape
    C = float(nonnegative("C", C))
    A = float(positive("A", A, "s^-1 K^-3"))
    stm = STMEnsemble(1.0, Delta0_min, Delta0_max, Delta_max)  # checks the cutoffs
    d0min, d0max, dmax = stm.Delta0_min, stm.Delta0_max, stm.Delta_max
    if resonant not in ("quasistatic", "full", "auto"):
        raise InputError(f"resonant must be 'auto', 'quasistatic' or 'full', got {resonant!r}")
    if isinstance(n, bool) or not float(n).is_integer() or n < 2:
        raise InputError(f"n (nodes per panel) must be an integer >= 2, got {n!r}")
    n = int(n)
    if T.size == 0:
        return {k: np.zeros(shape) for k in ("res", "rel", "total", "Qinv_res", "Qinv_rel",
                                              "Qinv")}
    Tf, wf = T.ravel().astype(float), w.ravel().astype(float)
    E, E2mD2, E2mDm2, wt = _eta_rule(Tf, d0min, d0max, dmax, n=n)
    Tn = Tf[:, None]
    W = stm.resonant_weight(E, E2mD2)
    x = E / (2 * Tn)
    if resonant == "quasistatic":
        full = np.zeros(Tf.shape, bool)
    elif resonant == "full":
        full = np.ones(Tf.shape, bool)
    else:  # per point: the quasistatic form is within ~1e-6 C where ħω << k_BT and Δ0min
        full = wf * HBAR_K > 1e-3 * np.minimum(Tf, d0min)
    res = -C * np.sum(W * (np.tanh(x) - 1.0) * wt, axis=1)
    if np.any(full):
        from .dielectric import _resonant_real

        res[full] = -1.5 * C * _resonant_real(Tf[full], wf[full] * HBAR_K, stm, False)
    rel_c = _relaxation_integral(Tf, wf, A, d0min, d0max, dmax, rate2, (E, E2mD2, E2mDm2, wt))
    wK = wf * HBAR_K
    q_res = np.pi * C * stm.resonant_weight(wK) * np.tanh(wK / (2 * Tf))
    rel, q_rel = -C * rel_c.real, 2 * C * rel_c.imag
    out = {"res": res, "rel": rel, "total": res + rel, "Qinv_res": q_res, "Qinv_rel": q_rel,
           "Qinv": q_res + q_rel}
    return {k: v.reshape(shape) for k, v in out.items()}


def acoustic_log_limits(T: ArrayLike, T_ref: float, C: float) -> dict[str, np.ndarray]:
    """The textbook limits, measured from ``T_ref``: resonant ``+C ln(T/T_ref)`` (Δ0min <<
    k_BT, ħω << k_BT), relaxational ``-(3C/2) ln(T/T_ref)`` (ωτmin << 1), their sum
    ``-(C/2) ln(T/T_ref)`` above the crossover; the plateau ``Q⁻¹ = πC/2``."""
    x = np.log(temperature(T) / float(positive("T_ref", T_ref, "K")))
    C = float(nonnegative("C", C))
    return {"res": C * x, "rel": -1.5 * C * x, "total_above_crossover": -0.5 * C * x,
            "plateau": np.full_like(x, np.pi * C / 2)}


def low_temperature_friction(T: ArrayLike, omega: ArrayLike, C: float, A: float
                             ) -> np.ndarray:
    """Relaxational ``Q⁻¹ = π⁴ C A T³/(12 ω)`` far below the crossover (ωτmin >> 1): from
    ``ωτ/(1 + ω²τ²) -> 1/ωτ``, ``∫ dΔ0 Δ0 Δ/E = E²/3`` and ``∫ x³/sinh x dx = π⁴/8``."""
    C, A = float(nonnegative("C", C)), float(positive("A", A, "s^-1 K^-3"))
    return np.pi**4 * C * A * temperature(T) ** 3 / (12.0 * positive("omega", omega, "rad/s"))


# -------------------------------------------------------------------- thermal conductivity


@dataclass(frozen=True)
class ResonantScattering:
    """Resonant phonon scattering by the tunnelling systems, the STM's dominant process
    below ~1 K: ``ℓ⁻¹ = π C_s (ω/v_s) tanh(ħω/2k_BT)`` (unsaturated), per polarization s."""

    C_l: float
    C_t: float

    def __post_init__(self) -> None:
        for k in ("C_l", "C_t"):
            positive(k, getattr(self, k))

    def inverse_mfp(self, omega: np.ndarray, T: np.ndarray, pol: str, v: float) -> np.ndarray:
        if pol not in BRANCHES:
            raise InputError(f"polarization must be 'l' or 't', got {pol!r}")
        C = self.C_l if pol == "l" else self.C_t
        return np.pi * C * omega / v * np.tanh(omega * HBAR_K / (2 * T))


@dataclass(frozen=True)
class BoundaryScattering:
    """Boundary (Casimir) scattering, ``ℓ⁻¹ = 1/L`` for every phonon; ``L`` [m] is the
    Casimir length (≈ 1.12 sqrt(cross-section) for a rod with diffuse walls)."""

    L: float

    def __post_init__(self) -> None:
        positive("L", self.L, "m")

    def inverse_mfp(self, omega, T, pol, v):
        return np.full(np.shape(omega), 1.0 / self.L)


@dataclass(frozen=True)
class RayleighScattering:
    """Rayleigh-type scattering ``ℓ⁻¹ = b ω⁴/v⁴`` [b in m³] (the usual description of the
    plateau of κ near 10 K; not part of the STM)."""

    b: float

    def __post_init__(self) -> None:
        nonnegative("b", self.b, "m^3")

    def inverse_mfp(self, omega, T, pol, v):
        return self.b * (omega / v) ** 4


def thermal_conductivity(T: ArrayLike, *, v_l: float, v_t: float,
                         scattering: Sequence, n: int = 8) -> np.ndarray:
    """Phonon thermal conductivity [W m⁻¹ K⁻¹] in the Debye model with the scattering
    channels ``scattering`` (objects with ``inverse_mfp(ω, T, pol, v)`` [m⁻¹]; their rates
    add at each phonon frequency):

    ``κ = (1/3) Σ_s g_s ∫ dω c_s(ω) v_s ℓ_s(ω)``, ``c_s(ω) dω = (k_B/2π² v_s³) ω² x² eˣ/(eˣ - 1)²
    dω``, ``x = ħω/k_BT``, g = 1 (l), 2 (t); valid well below the Debye temperature.
    With :class:`ResonantScattering` alone ``κ = k_B³T²/(6πħ²) Σ_s g_s/(C_s v_s)``
    (:func:`kappa_resonant_limit`).
    """
    T = temperature(T)
    vs = {"l": float(positive("v_l", v_l, "m/s")), "t": float(positive("v_t", v_t, "m/s"))}
    scattering = list(scattering)
    if not scattering:
        raise InputError("thermal_conductivity needs at least one scattering channel "
                         "(e.g. ResonantScattering(C_l, C_t), BoundaryScattering(L))")
    for s in scattering:
        if not callable(getattr(s, "inverse_mfp", None)):
            raise InputError(f"{s!r} is not a scattering channel (needs inverse_mfp)")
    # κ is finite only if ℓ⁻¹ falls no faster than ω² as ω -> 0 (the Debye c(ω)v ~ ω²):
    # Rayleigh scattering alone (ℓ⁻¹ ∝ ω⁴) lets long waves carry infinite heat
    Tmin = float(np.min(T)) if T.size else 1.0
    w_lo = np.array([1e-7, 1e-6]) * Tmin / HBAR_K
    for pol, v in vs.items():
        inv = sum(np.broadcast_to(s.inverse_mfp(w_lo, np.full(2, Tmin), pol, v), (2,))
                  for s in scattering)
        if not (inv[0] > 0 and inv[0] >= 0.0099 * inv[1]):
            raise InputError("the scattering channels leave long-wavelength phonons "
                             "unscattered (ℓ⁻¹ falls faster than ω² as ω -> 0): κ diverges; "
                             "add ResonantScattering or BoundaryScattering")
    xg, wg = gauss_legendre(n)
    # x = ħω/k_BT: geometric panels below x = 4 (the crossover between scattering channels,
    # e.g. πCω/v = 1/L, can sit at any small x), equal ones up to 60
    edges = np.concatenate([[0.0], np.geomspace(1e-3, 4.0, 13), np.linspace(8.0, 60.0, 14)])
    x = (edges[:-1, None] + np.diff(edges)[:, None] * xg).ravel()
    wx = (np.diff(edges)[:, None] * wg).ravel()
    Tn = T.reshape(-1)[:, None]
    omega = x * Tn / HBAR_K
    spec = x**4 / (4 * np.sinh(x / 2) ** 2)  # x⁴ eˣ/(eˣ - 1)²
    out = np.zeros(Tn.shape[0])
    for pol, g in BRANCHES.items():
        v = vs[pol]
        inv = sum(np.broadcast_to(s.inverse_mfp(omega, Tn, pol, v), omega.shape)
                  for s in scattering)
        # c(ω)dω = k_B/(2π² v³) (k_BT/ħ)³ x⁴eˣ/(eˣ-1)² dx, ℓ = 1/inv
        pref = sc.k / (2 * np.pi**2 * v**3) * (Tn[:, 0] / HBAR_K) ** 3
        out += g / 3.0 * v * pref * np.sum(spec / inv * wx, axis=1)
    return out.reshape(T.shape)


def kappa_resonant_limit(T: ArrayLike, *, C_l: float, C_t: float, v_l: float, v_t: float
                         ) -> np.ndarray:
    """``κ = k_B³T²/(6πħ²) (1/(C_l v_l) + 2/(C_t v_t))`` [W m⁻¹ K⁻¹]: resonant scattering
    alone (∫ x³ eˣ coth(x/2)/(eˣ - 1)² dx = π²)."""
    T = temperature(T)
    s = 1.0 / (float(positive("C_l", C_l)) * float(positive("v_l", v_l, "m/s"))) + 2.0 / (
        float(positive("C_t", C_t)) * float(positive("v_t", v_t, "m/s")))
    return sc.k**3 * T**2 / (6 * np.pi * sc.hbar**2) * s


def kappa_boundary_limit(T: ArrayLike, *, L: float, v_l: float, v_t: float) -> np.ndarray:
    """Casimir limit ``κ = (1/3) Σ_s g_s c_s v_s L`` with the Debye ``c_s = 2π² k_B⁴ T³/
    (15 ħ³ v_s³)`` [W m⁻¹ K⁻¹]."""
    T = temperature(T)
    L = float(positive("L", L, "m"))
    tot = sum(g / float(positive(f"v_{p}", v, "m/s")) ** 2
              for (p, g), v in zip(BRANCHES.items(), (v_l, v_t), strict=True))
    return (2 * np.pi**2 * sc.k**4 * T**3 / (15 * sc.hbar**3)) * L * tot / 3.0


# ---------------------------------------------------------------------- ATS (prediction)


def ats_sound_velocity(T: ArrayLike, B: ArrayLike, ens: ATSEnsemble, *, K_el: float,
                       orientation: Orientation | str | None = None,
                       rule: Rule | None = None) -> np.ndarray:
    """ATS change of the sound velocity with field, ``Δv/v(T, B) - Δv/v(T, 0)``.

    A PREDICTION the paper does not make: the resonant ATS response of Eqs. (41)-(51) with an
    elastic instead of an electric dipole. For the paper's three wells (nw = 3) a strain
    couples through the second angular harmonic, which on a triangle has the matrix elements
    of the first (m = 2 ≡ -1 mod 3), so the dipole factor of Eq. (45) is unchanged and only
    the strength changes: ``K_el = π x P* γ1²/(ρ v²)`` in place of K, the orientation average
    absorbed into γ1 as into p1. A softening: ``Δv/v = -½ Δε'/ε[K -> K_el]``.
    """
    from .dielectric import ats_dielectric

    K_el = float(nonnegative("K_el", K_el))
    r = ats_dielectric(T, B, ens, K=K_el, nw=3, orientation=orientation, rule=rule)
    return -0.5 * np.asarray(r["total"])
