"""Dielectric constant and loss of tunnelling systems, paper Sec. 5 (Eqs. 21-61).

Energies and temperatures in kelvin, angular frequencies in rad/s, times in s.

* Single 2LS (Eqs. 21-31): the Bloch equations in linear response, :func:`bloch_susceptibility`
  (closed form) and :func:`simulate_bloch` (numerical integration, for checks).
* STM ensemble (Eqs. 32-40): :func:`stm_dielectric` — resonant and relaxational parts of
  Δε'/ε and tan δ for any T and ω, with ``C = P̄ p²/(ε0 εr)`` (P̄ per kelvin, p the dipole);
  :func:`resonator_frequency_shift` is the resonator community's digamma form.
* ATS (Eqs. 41-61): :func:`ats_dielectric` — resonant polarizability with the nw-polygon
  dipole factor (Eq. 45) and relaxational part with the ATS rate (Eq. 55), averaged over
  Eq. (10); Δε'/ε(T, B) of Eq. (51) and Δ tan δ(T, B) of Eqs. (52)-(61) with the paper's
  fitting combination ``K = π x_ATS P* p1²/(ε_r ε0)``.

Conventions: Δε'/ε(T) of the STM is measured from its T -> 0 value (the resonant part at
T = 0 is a cutoff-dependent constant that no experiment sees); the ATS field effects are
measured from B = 0, as in Eq. (51).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma

from ..constants import HBAR_K
from ..ensembles import ATSEnsemble, Orientation, Rule, STMEnsemble
from ..ensembles.ats import _fast_route_applies
from ..errors import InputError
from ..quadrature import log_mapped_nodes, mapped_nodes
from ..validation import finite, nonnegative, positive, temperature
from .relaxation import _coth_half, ats_rate, tls_rate, total_rate

__all__ = [
    "bloch_susceptibility",
    "simulate_bloch",
    "debye_relaxator",
    "stm_dielectric",
    "resonator_frequency_shift",
    "stm_log_limits",
    "dipole_factor",
    "ats_dielectric",
    "ats_polarizability_closed",
]


# ------------------------------------------------------------------ single 2LS, Eqs. 21-31


def bloch_susceptibility(omega: ArrayLike, E: ArrayLike, Delta: ArrayLike, Delta0: ArrayLike,
                         T: ArrayLike, T1: ArrayLike, T2: ArrayLike) -> dict[str, np.ndarray]:
    """Steady-state linear response of one 2LS (Eqs. 29-30), per ``p0² cos²θ`` [1/K].

    ``ε'_RES = (Δ0/E)² (1/ħ) [(ω0+ω)T2²/(1+(ω0+ω)²T2²) + (ω0-ω)T2²/(1+(ω0-ω)²T2²)] tanh``,
    ``ε''_RES = (Δ0/E)² (1/ħ) [T2/(1+(ω0-ω)²T2²) - T2/(1+(ω0+ω)²T2²)] tanh``,
    ``ε'_REL = (Δ/E)² cosh⁻²(E/2k_BT) / (k_BT (1+ω²T1²))``, ``ε''_REL = ... ωT1/(1+ω²T1²)``,
    with ω0 = E/ħ and tanh = tanh(E/2k_BT): valid for any ω, T1, T2 (the transient terms of
    Eq. 29 have decayed). ħ in K·s, so the results are per kelvin.
    """
    w = finite("omega", omega)
    E = positive("E", E, "K")
    D, D0 = finite("Delta", Delta), finite("Delta0", Delta0)
    T = temperature(T)
    T1, T2 = positive("T1", T1, "s"), positive("T2", T2, "s")
    w0 = E / HBAR_K
    th = np.tanh(E / (2 * T))
    pre = (D0 / E) ** 2 / HBAR_K * th
    lp = (w0 + w) * T2**2 / (1 + ((w0 + w) * T2) ** 2)
    lm = (w0 - w) * T2**2 / (1 + ((w0 - w) * T2) ** 2)
    ap = T2 / (1 + ((w0 + w) * T2) ** 2)
    am = T2 / (1 + ((w0 - w) * T2) ** 2)
    rel = (D / E) ** 2 / (T * np.cosh(np.minimum(E / (2 * T), 350)) ** 2)
    return {"res_real": pre * (lp + lm), "res_imag": pre * (am - ap),
            "rel_real": rel / (1 + (w * T1) ** 2), "rel_imag": rel * w * T1 / (1 + (w * T1) ** 2)}


def simulate_bloch(omega: float, E: float, Delta: float, Delta0: float, T: float, T1: float,
                   T2: float, field: float = 1e-4, periods: int | None = None,
                   rtol: float = 1e-10) -> dict[str, float]:
    """Integrate the Bloch equations (Eq. 23) of one 2LS driven by ``pF cos ωt`` and return
    the in-phase and quadrature dipole amplitudes per unit field (``χ'`` and ``χ''``, per
    ``p0²`` [1/K]). Units: ħ = k_B = 1 with energies in K and times in ħ/k_B·K.

    Energy basis (Eq. 22): ``H = -(E/2)σz + pF cos ωt [(Δ/E)σz + (Δ0/E)σx]``; the pseudo-spin
    precesses as ``dS/dt = Ω × S`` with ``Ω = (2pF cos ωt Δ0/E, 0, -E + 2pF cos ωt Δ/E)``,
    ``S_x, S_y`` relax to 0 in T2 and ``S_z`` to ``½ tanh(E(t)/2k_BT)`` of the instantaneous gap
    in T1. Dipole ``p = -p0 ⟨(Δ/E)σz + (Δ0/E)σx⟩`` (Eq. 28). Uses ``scipy.integrate.solve_ivp``.
    """
    from scipy.integrate import solve_ivp

    w = omega * HBAR_K  # angular frequency in K (ħ = 1)
    t1, t2 = T1 / HBAR_K, T2 / HBAR_K
    F = field

    def rhs(t, S):
        c = np.cos(w * t)
        ox = 2 * F * c * Delta0 / E
        oz = -E + 2 * F * c * Delta / E
        Et = E - 2 * F * c * Delta / E
        szeq = 0.5 * np.tanh(Et / (2 * T))
        return [-oz * S[1] - S[0] / t2,
                oz * S[0] - ox * S[2] - S[1] / t2,
                ox * S[1] - (S[2] - szeq) / t1]

    period = 2 * np.pi / w
    settle = 12 * max(t1, t2)
    n_settle = int(np.ceil(settle / period))
    n_avg = 4 if periods is None else periods
    if isinstance(n_avg, bool) or not float(n_avg).is_integer() or n_avg < 1:
        raise InputError(f"periods must be an integer >= 1, got {periods!r}")
    n_avg = int(n_avg)
    t_end = (n_settle + n_avg) * period
    s0 = [0.0, 0.0, 0.5 * np.tanh(E / (2 * T))]
    t_eval = np.linspace(n_settle * period, t_end, 400 * n_avg + 1)
    sol = solve_ivp(rhs, (0, t_end), s0, method="DOP853", rtol=rtol, atol=1e-13,
                    t_eval=t_eval, max_step=period / 40)
    Sx, Sz = sol.y[0], sol.y[2]
    p = -(2 * Delta / E * Sz + 2 * Delta0 / E * Sx)
    tt = sol.t
    c, s = np.cos(w * tt), np.sin(w * tt)
    wts = np.full(len(tt), 1.0)
    wts[0] = wts[-1] = 0.5  # trapezoid over whole periods
    norm = np.sum(wts * c * c)
    return {"real": float(np.sum(wts * p * c) / norm / F),
            "imag": float(np.sum(wts * p * s) / norm / F)}


def debye_relaxator(omega: ArrayLike, tau: ArrayLike) -> np.ndarray:
    """Complex susceptibility ``1/(1 + iωτ)`` of one Debye relaxator (convention
    ``ε = ε' - iε''``, Eq. 31): real ``1/(1+ω²τ²)``, loss ``ωτ/(1+ω²τ²)``."""
    return 1.0 / (1.0 + 1j * finite("omega", omega) * positive("tau", tau, "s"))


# ------------------------------------------------------------------------- STM, Eqs. 32-40


def _resonant_real(T, w_K, stm, quasistatic, n=24):
    """(2/3)∫ dE W(E) [tanh(E/2T) - 1] E/(E² - w²) (PV), measured from T = 0."""
    # the integrand is negligible beyond 40 T; PV at E = w handled by subtracting f(w)
    Emax = 40.0 * T
    lo = np.full_like(T, stm.Delta0_min)
    x, wx = log_mapped_nodes(lo, np.maximum(Emax, 2 * lo), np.zeros_like(T), n)
    f = lambda E: stm.resonant_weight(E) * (np.tanh(E / (2 * T[..., None])) - 1.0) * E  # noqa: E731
    if quasistatic:
        return (2.0 / 3.0) * np.sum(f(x) / x**2 * wx, axis=-1)
    wk = w_K[..., None]
    fx = f(x)
    # 1/(E² - w²) = [1/(E - w) - 1/(E + w)]/(2w); the PV of ∫ f/(E - w) by subtraction
    fw = np.where(w_K > lo, stm.resonant_weight(w_K) * (np.tanh(w_K / (2 * T)) - 1.0) * w_K, 0.0)
    a, b = lo, np.maximum(Emax, 2 * lo)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (w_K > a) & (w_K < b)
        reg = np.where(np.abs(x - wk) > 0, (fx - fw[..., None] * inside[..., None]) / (x - wk),
                       0.0)
        pv_minus = np.sum(reg * wx, axis=-1) + np.where(
            inside, fw * np.log((b - w_K) / (w_K - a)), 0.0)
    plus = np.sum(fx / (x + wk) * wx, axis=-1)
    return (2.0 / 3.0) * (pv_minus - plus) / (2 * w_K)


def _stm_relaxational(T, w, stm, A, n_u, n_delta):
    """``∫ dΔ dΔ0/Δ0 (Δ/E)² cosh⁻²(E/2T)/(3T) × (1, ωτ)/(1 + ω²τ²)`` per unit P̄ (complex:
    real part and loss), every point on its own temperature-scaled rule.

    ``u = ln Δ0`` from Δ0min to ``min(Δ0max, 40 T)`` in equal panels no wider than 1 with
    ``max(4, n_u/4)`` nodes each; at each Δ0, ``Δ = Δ0 sinh ζ`` from 0 to
    ``min(Δmax, 40 T)``: ``(Δ/E)² = tanh² ζ`` is then smooth also where ``Δ0 << T`` (in Δ it
    turns over within Δ0 of 0, a near-singularity for a rule linear in Δ/T), and so are the
    thermal factor and the τ dependence, each on a scale of order one in ζ; equal ζ panels
    no wider than 2 with ``max(4, n_delta/4)`` nodes each. The panel counts are the largest
    any point needs (the same accuracy for every point of a sweep as alone, or better)."""
    shape = np.broadcast_shapes(np.shape(T), np.shape(w))  # before flattening
    T, w = (a.ravel() for a in np.broadcast_arrays(T, w))
    dmax = np.minimum(stm.Delta_max, 40.0 * T)
    u_hi = np.log(np.maximum(np.minimum(stm.Delta0_max, 40.0 * T), stm.Delta0_min))
    u_lo = np.full_like(T, np.log(stm.Delta0_min))
    n_pan = max(1, int(np.ceil(float(np.max(u_hi - u_lo)) / 1.0)))
    edges = u_lo[:, None] + (u_hi - u_lo)[:, None] * np.linspace(0, 1, n_pan + 1)
    u, wu = mapped_nodes(edges[:, :-1], edges[:, 1:], max(4, n_u // 4))
    u, wu = u.reshape(len(T), -1), wu.reshape(len(T), -1)
    D0 = np.exp(u)  # (t, u)
    z_top = np.arcsinh(dmax[:, None] / D0)
    n_zp = max(1, int(np.ceil(float(np.max(z_top, initial=0.0)) / 2.0)))
    zedges = z_top[..., None] * np.linspace(0, 1, n_zp + 1)
    z, wz = mapped_nodes(zedges[..., :-1], zedges[..., 1:], max(4, n_delta // 4))
    z, wz = z.reshape(z_top.shape + (-1,)), wz.reshape(z_top.shape + (-1,))
    Tn, wn = T[:, None, None], w[:, None, None]
    D0n = D0[:, :, None]
    E = D0n * np.cosh(z)
    wd = wz * E  # dΔ = Δ0 cosh ζ dζ
    tau = 1.0 / (A * D0n**2 * E * _coth_half(E, Tn))
    base = np.tanh(z) ** 2 / (3.0 * Tn * np.cosh(np.minimum(E / (2 * Tn), 350.0)) ** 2)
    wt = wn * tau
    k = base / (1 + wt**2) + 1j * base * wt / (1 + wt**2)
    out = np.einsum("tuv,tu,tuv->t", k, wu, wd)
    return out.reshape(shape)


def stm_dielectric(
    T: ArrayLike,
    omega: ArrayLike,
    *,
    C: float,
    A: float,
    Delta0_min: float = 1e-6,
    Delta0_max: float = np.inf,
    Delta_max: float = np.inf,
    resonant: str = "quasistatic",
    n_u: int = 48,
    n_delta: int = 48,
) -> dict[str, np.ndarray]:
    """Δε'/ε(T, ω) and tan δ(T, ω) of the STM ensemble (Eqs. 32-37, 39-40).

    Per system (orientation average ``cos²θ -> 1/3``): resonant ``(2p²/3)(Δ0²/E³) tanh``
    (Eq. 32; ``resonant="full"`` keeps the factor ``E²/(E² - ħ²ω²)``, principal value, for
    GHz), relaxational ``(p²/3k_BT)(Δ/E)² cosh⁻² /(1 + ω²τ²)`` (Eq. 33) and loss
    ``... ωτ/(1 + ω²τ²)`` (Eq. 34) with the one-phonon τ of Eq. (39) (coefficient ``A`` in
    s⁻¹ K⁻³); resonant loss ``(π C/3) W(ħω) tanh(ħω/2k_BT)`` (unsaturated, T2 -> ∞).
    Averaged over ``P̄ dΔ dΔ0/Δ0`` with ``C = P̄ p²/(ε0 εr)``. Returns ``res``, ``rel``,
    ``total`` (Δε'/ε from T = 0), ``loss_rel``, ``loss_res``, ``loss`` (tan δ).

    The relaxational parts use the closed-form Δ0 integral of
    :mod:`coldglass.observables.acoustics` (one Gauss-Legendre integral over E per point,
    ``n_u // 6`` nodes per panel, ~1e-10); ``n_delta`` is kept for compatibility (unused).
    """
    T, w = np.broadcast_arrays(temperature(T), positive("omega", omega, "rad/s"))
    C = float(nonnegative("C", C))
    if T.size == 0:
        return {k: np.zeros(T.shape) for k in ("res", "rel", "total", "loss_rel", "loss_res",
                                                "loss")}
    stm = STMEnsemble(P_bar=1.0, Delta0_min=Delta0_min, Delta0_max=Delta0_max,
                      Delta_max=Delta_max)
    w_K = w * HBAR_K
    if resonant not in ("quasistatic", "full"):
        raise InputError(f"resonant must be 'quasistatic' or 'full', got {resonant!r}")
    res = C * _resonant_real(T, w_K, stm, resonant == "quasistatic")

    from .acoustics import _relaxation_integral

    # the closed-form Δ0 integral of the acoustics module (the 2-D rule _stm_relaxational
    # is the independent check in the tests: agreement ~1e-12, 170x slower)
    Tf, wf = (np.asarray(a, dtype=float).ravel() for a in (T, w))
    rel = (2.0 / 3.0) * C * _relaxation_integral(
        Tf, wf, float(positive("A", A, "s^-1 K^-3")), stm.Delta0_min, stm.Delta0_max,
        stm.Delta_max, n=max(6, int(n_u) // 6)).reshape(T.shape)
    loss_res = C * np.pi / 3.0 * stm.resonant_weight(w_K) * np.tanh(w_K / (2 * T))
    return {"res": res, "rel": rel.real, "total": res + rel.real, "loss_rel": rel.imag,
            "loss_res": loss_res, "loss": rel.imag + loss_res}


def stm_log_limits(T: ArrayLike, T_ref: float, C: float) -> dict[str, np.ndarray]:
    """The logarithmic limits of Eqs. (36)-(37), measured from ``T_ref``:

    resonant ``-(2C/3) ln(T/T_ref)`` (for Δ0min << k_BT << Δ0max), relaxational
    ``+C ln(T/T_ref)`` (for ωτmin << 1, i.e. T >> T0(ω)); their sum above T0 has slope +C/3,
    hence the -2:1 ratio of the V-shaped curve. With ``C = P̄ p²/(ε0 εr)``.
    """
    x = np.log(temperature(T) / float(positive("T_ref", T_ref, "K")))
    return {"res": -(2.0 * C / 3.0) * x, "rel": C * x, "total_above_T0": C / 3.0 * x}


def resonator_frequency_shift(T: ArrayLike, omega: ArrayLike, C: float) -> np.ndarray:
    """Resonant Δε'/ε(T) - Δε'/ε(0) in the digamma form of the resonator community:

    ``-(2C/3) [Re Ψ(½ + ħω/(2πi k_BT)) - ln(ħω/(2π k_BT))]``

    (δf/f = -½ Δε'/ε with ``F tan δ0 = π C/3``). It is the PV integral of the resonant
    response for ``Δ0min << k_BT, ħω`` and reduces to ``-(2C/3) ln(T/T_ref)`` steps for
    ``k_BT >> ħω`` (Eq. 36).
    """
    T = temperature(T)
    y = positive("omega", omega, "rad/s") * HBAR_K / (2 * np.pi * T)
    return -(2.0 * C / 3.0) * (digamma(0.5 + 1j * y).real - np.log(y))


# ------------------------------------------------------------------------- ATS, Eqs. 41-61


def dipole_factor(nw: int, E: ArrayLike, A: ArrayLike) -> np.ndarray:
    """Orientation-averaged dipole factor of Eq. (45) per ``p1²``:
    ``G = (1/3) (nw/(nw - 1)) ((nw - 2) E² + D0²φ²)/E²`` (A = D0 φ), nw >= 2 wells on a
    planar polygon."""
    if not (isinstance(nw, int | np.integer) and nw >= 2):
        raise InputError(f"nw must be an integer >= 2, got {nw!r}")
    E = np.asarray(E, float)
    return (nw / (3.0 * (nw - 1.0))) * ((nw - 2.0) * E**2 + np.asarray(A, float) ** 2) / E**2


def ats_dielectric(
    T: ArrayLike,
    B: ArrayLike,
    ens: ATSEnsemble,
    *,
    K: float,
    omega: ArrayLike = 2 * np.pi * 1e3,
    Gamma: float | None = None,
    A_tls: float | None = None,
    nw: int = 3,
    orientation: Orientation | str | None = None,
    high_field: bool | None = None,
    relative_to_zero_field: bool = True,
    rule: Rule | None = None,
) -> dict[str, np.ndarray]:
    """ATS contribution to Δε'/ε and tan δ (Eqs. 41-45, 51-61), with K = π x P* p1²/(ε_r ε0).

    Resonant (Eqs. 41, 44, 45): per system ``G tanh(E/2k_BT)/(2E)``; relaxational (Eqs. 42,
    54): per system ``(D²/E²) cosh⁻²(E/2k_BT)/(8 k_BT) × {1, ωτ}/(1 + ω²τ²)`` with τ the ATS
    rate of Eq. (55) (coefficient ``Gamma`` in s⁻¹ K⁻⁵; without it the relaxational terms are
    omitted); ``A_tls`` [s⁻¹ K⁻³] adds the 2LS-like one-phonon channel of Eq. (56),
    ``1/τ_tot = 1/τ_ATS + A (D0φ)² E coth(E/2k_BT)`` (Eq. 39 with Δ0 -> D0φ).
    Averaged over the ensemble (``ens.density`` is ignored: K carries P*).
    ``relative_to_zero_field`` subtracts the B = 0 value (Eq. 51's α(T, 0)).
    Returns ``res``, ``rel``, ``total`` (Δε'/ε) and ``loss`` (Δ tan δ).

    **Default route of the resonant part** (no ``rule``, no high-field correction,
    ``Dmax = ∞``, no ``E0``): with the dipole factor of Eq. (45),
    ``G = c ((nw - 2) E² + A²)/E²``, ``c = nw/(3(nw - 1))``, the average is the energy
    integral (our Eqs. 46-48 with the exact orientation average)

        (47a)  ``α_res = c ∫_{Dmin}^∞ dE [(nw - 2) ḡ(E) + h̄(E)] tanh(E/2T)/(2E)``,

    ḡ the orientation-averaged DOS (Eqs. 13a-13b of :mod:`coldglass.ensembles.ats`) and h̄ the
    A²/E²-weighted one, the c-average of the logarithm of Eq. (93) (Eq. 93a there; for
    ``"shortcut"``/``"none"`` Eqs. 13, 93b), by Gauss-Legendre on [Dmin, Ec1], [Ec1, Ec2],
    [Ec2, E_tail] and the tail in ``E_tail/E`` (``_energy_rule``): ~1e-12 relative. At B = 0
    it is Eq. (50). Otherwise, and always for the relaxational parts (their rate, Eq. 55,
    depends on D as well as on E), the generic average of :meth:`ATSEnsemble.average`.
    """
    T, B, w = np.broadcast_arrays(temperature(T), finite("B", B),
                                  positive("omega", omega, "rad/s"))
    dipole_factor(nw, 1.0, 0.0)
    unit = ens.replace(density=1.0)
    o = Orientation.of(orientation, high_field=high_field)
    # the resonant part falls as 1/E, the relaxational one as e^{-E/T}: each is averaged on
    # the per-point rule its decay asks for (Rule.d_nodes, Rule.u_nodes)
    rule_res = Rule.resolve(rule, decay="algebraic")
    rule_rel = Rule.resolve(rule, decay="thermal")

    def resonant(E, D, A, T, w):
        return dipole_factor(nw, E, A) * np.tanh(E / (2 * T)) / (2 * E)

    def relaxational(E, D, A, T, w):
        """Relaxational real part + i loss."""
        rates = [ats_rate(E, D, T, Gamma)]
        if A_tls is not None:
            rates.append(tls_rate(E, A, T, A_tls))
        tau = 1.0 / total_rate(*rates)
        e = np.exp(-E / T)  # cosh⁻²(E/2T) = 4e/(1 + e)², without overflow
        base = (D / E) ** 2 * 4.0 * e / (1.0 + e) ** 2 / (8.0 * T)
        wt = w * tau
        return base / (1 + wt**2) + 1j * base * wt / (1 + wt**2)

    fast = _fast_route_applies(unit, o, rule)
    c_nw = nw / (3.0 * (nw - 1.0))

    def resonant_energy(E, T, g, h):
        """Eq. (47a): the dipole factor splits the average into the DOS and the
        A²/E²-weighted DOS, ``c [(nw - 2) ḡ + h̄] tanh(E/2T)/(2E)``."""
        return c_nw * np.tanh(E / (2 * T)) / (2 * E) * ((nw - 2.0) * g + h)

    def split(fields, res=None):
        """The three parts at these fields (the relaxational ones only with Gamma)."""
        if res is None:
            res = unit.average(resonant, fields, T=T, orientation=o, rule=rule_res, w=w)
        if Gamma is None:  # resonant part only
            return res, np.zeros_like(res), np.zeros_like(res)
        rel = unit.average(relaxational, fields, T=T, orientation=o, rule=rule_rel, w=w)
        return res, rel.real, rel.imag

    # the B = 0 reference depends on (T, ω) only: evaluate it once per distinct pair
    pairs, inv = np.unique(np.stack([T.ravel(), w.ravel()], axis=1), axis=0,
                           return_inverse=True)
    res_fast = res0_fast = None
    if fast:
        # the fields and (if asked) the B = 0 references in one call: each point's energy
        # nodes are its own, so a B = 0 point and its reference agree to the last bit
        n0 = len(pairs) if relative_to_zero_field else 0
        both = unit._energy_average(
            resonant_energy, np.concatenate([B.ravel(), np.zeros(n0)]),
            np.concatenate([T.ravel(), pairs[:n0, 0]]), o, thermal=False, weighted=True)
        res_fast, res0_fast = both[:B.size].reshape(B.shape), both[B.size:]
    res, rel, loss = split(B, res_fast)
    if relative_to_zero_field:
        T, w = pairs[:, 0], pairs[:, 1]
        zero = split(np.zeros(len(pairs)), res0_fast)
        res, rel, loss = (a - z[inv.ravel()].reshape(a.shape) for a, z in
                          zip((res, rel, loss), zero, strict=True))
    k = float(finite("K", K)) / np.pi
    return {"res": k * res, "rel": k * rel, "total": k * (res + rel), "loss": k * loss}


def ats_polarizability_closed(T: ArrayLike, B: ArrayLike, ens: ATSEnsemble, *, nw: int = 3,
                              orientation: Orientation | str = "none", n: int = 24
                              ) -> np.ndarray:
    """Resonant ATS polarizability per ``P* p1²`` from the energy integrals (our Eqs. 46-48).

    With the decoupling Eq. (44) and the dipole factor Eq. (45) the average splits into
    ``α1 = c (nw - 2) ∫ dE g(E, B) tanh(E/2k_BT)/(2E)`` (the DOS of Eq. 13) and
    ``α0 = c ∫_{Ec1} dE tanh(E/2k_BT)/(2E) (π/E) ln[(E² - D0min²φ²)/(E² - A_hi²)]`` with
    ``A_hi = min(D0max φ, sqrt(E² - Dmin²))`` (the same logarithm as Eq. 93), ``c =
    nw/(3(nw - 1))``. At B = 0 their sum is Eq. (50) for nw = 3. Orientation ``"none"`` or
    ``"shortcut"``; Dmax = ∞.
    """
    orientation = Orientation.of(orientation)
    if orientation.high_field:
        raise InputError("the closed form of Eqs. (47)-(50) has no high-field correction")
    if orientation.kind == "exact":
        raise InputError("the closed form is for orientation 'none' or 'shortcut'")
    if np.isfinite(ens.Dmax):
        raise InputError("the closed form assumes Dmax = inf")
    dipole_factor(nw, 1.0, 0.0)
    T, B = np.broadcast_arrays(temperature(T), finite("B", B))
    a1, a2 = ens.phase_energies(B)
    m = 1.0 if orientation.kind == "none" else 1.0 / np.sqrt(3.0)
    a1, a2 = a1 * m, a2 * m
    ec1, ec2 = np.hypot(ens.Dmin, a1), np.hypot(ens.Dmin, a2)
    c = nw / (3.0 * (nw - 1.0))
    Tn = T[..., None]
    unit = ATSEnsemble(Dmin=ens.Dmin, D0min=ens.D0min, D0max=ens.D0max, d0_unit=ens.d0_unit)

    def integrand(E, a1=a1[..., None], a2=a2[..., None]):
        g = unit.dos(E, B[..., None], orientation=orientation)
        hi2 = np.minimum(a2**2, E**2 - ens.Dmin**2)
        lg = np.pi / E * np.log((E**2 - a1**2) / (E**2 - hi2))
        return c * np.tanh(np.minimum(E / (2 * Tn), 350)) / (2 * E) * ((nw - 2) * g + lg)

    sing1 = np.where(a1 > 0, a1, 0.0)
    x, w = log_mapped_nodes(ec1, np.maximum(ec2, ec1 * (1 + 1e-12)), sing1, n)
    part1 = np.sum(np.where(ec2[..., None] > ec1[..., None], integrand(x), 0.0) * w, axis=-1)
    x, w = log_mapped_nodes(ec2, 4 * ec2 + 80 * T, np.where(a2 > 0, a2, 0.0), n)
    part2 = np.sum(integrand(x) * w, axis=-1)
    top = 4 * ec2 + 80 * T
    t, wt = mapped_nodes(np.zeros_like(top), np.ones_like(top), 2 * n)
    xe = top[..., None] / t  # tail ∝ 1/E²: t = top/E
    part3 = np.sum(integrand(xe) * top[..., None] / t**2 * wt, axis=-1)
    return part1 + part2 + part3

