"""Two-pulse (spontaneous) polarization echo of one effective two-level system (paper Sec. 6,
Eqs. 62-66 and 77) — the single-system building block of the ensemble echoes.

Rotating frame of the drive ``F0 cos ωt``, rotating-wave approximation: during a pulse the
pseudo-spin (Bloch vector ``r = (⟨σx⟩, ⟨σy⟩, ⟨σz⟩)``) rotates about ``Ω = (Ω_R, 0, Δ)`` with
the detuning ``Δ = ω0 - ω`` (the paper's ``z = E/ħ - ω``) and the Rabi frequency Ω_R, by the
pulse area ``θ = Ω_G τ``, ``Ω_G = sqrt(Ω_R² + Δ²)``; between pulses it precesses about z.
The system starts in thermal equilibrium, ``r = (0, 0, -tanh(E/2k_BT))``.

Timeline: pulse 1 on [0, τ1], free precession for τ12, pulse 2 for τ2, free precession; the
echo is centred τ12 after the end of pulse 2, where the phases ``±Δτ12`` of the two free
periods cancel for every detuning.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError
from ..validation import finite, nonnegative, positive, temperature

__all__ = ["bloch_rotation", "two_pulse_echo", "echo_term", "echo_spectral_functions",
           "simulate_two_pulse_echo", "stm_echo_amplitude", "ats_echo_amplitude",
           "echo_relative_amplitude", "lorentzian_cos_integral", "iea_zero_field", "iea_ats",
           "isotope_scaled", "simulate_three_level_echo"]


def bloch_rotation(detuning: ArrayLike, rabi: ArrayLike, duration: ArrayLike) -> np.ndarray:
    """Rotation matrix (..., 3, 3) of the Bloch vector under ``H = (ħ/2)(Ω_R σx + Δ σz)`` for
    a time ``duration``: Rodrigues' formula about ``n = (Ω_R, 0, Δ)/Ω_G`` by ``Ω_G t``."""
    d, r, t = np.broadcast_arrays(finite("detuning", detuning), finite("rabi", rabi),
                                  nonnegative("duration", duration, "s"))
    g = np.hypot(d, r)
    safe = np.where(g > 0, g, 1.0)
    nx, nz = np.where(g > 0, r / safe, 0.0), np.where(g > 0, d / safe, 1.0)
    th = g * t
    K = np.zeros(d.shape + (3, 3))
    K[..., 0, 1], K[..., 1, 0] = -nz, nz
    K[..., 1, 2], K[..., 2, 1] = -nx, nx
    K2 = K @ K
    eye = np.broadcast_to(np.eye(3), K.shape)
    return eye + np.sin(th)[..., None, None] * K + (1 - np.cos(th))[..., None, None] * K2


def two_pulse_echo(detuning: ArrayLike, rabi: ArrayLike, tau1: float, tau2: float,
                   tau12: float, polarization: ArrayLike = 1.0,
                   t_after: ArrayLike | None = None) -> np.ndarray:
    """Exact transverse polarization ``⟨σx⟩ + i⟨σy⟩`` (rotating frame) at ``t_after`` after
    the end of pulse 2 (default τ12: the echo centre), by composing the exact rotations.

    Contains the echo and every other (free-induction) term; ``polarization`` is
    ``tanh(E/2k_BT)``. Vectorized over detuning, Rabi frequency and polarization [rad/s, s].
    """
    t_after = tau12 if t_after is None else t_after
    d = finite("detuning", detuning)
    r = finite("rabi", rabi)
    p = finite("polarization", polarization)
    d, r, p, ta = np.broadcast_arrays(d, r, p, nonnegative("t_after", t_after, "s"))
    R = (bloch_rotation(d, 0.0, ta) @ bloch_rotation(d, r, tau2)
         @ bloch_rotation(d, 0.0, tau12) @ bloch_rotation(d, r, tau1))
    v = R @ np.stack([np.zeros_like(p), np.zeros_like(p), -p], axis=-1)[..., None]
    return v[..., 0, 0] + 1j * v[..., 1, 0]


def echo_term(detuning: ArrayLike, rabi: ArrayLike, tau1: float, tau2: float,
              polarization: ArrayLike = 1.0) -> np.ndarray:
    """The echo component of :func:`two_pulse_echo` at its centre, in closed form:

    ``-i p (Ω_R/Ω_G)³ sin²(θ2/2) [sin θ1 - 2i (Δ/Ω_G) sin²(θ1/2)]``, ``θ_k = Ω_G τ_k``.

    Derivation: after pulse 1, ``r⊥ = -p s [2c sin²(θ1/2) - i sin θ1]`` (s = Ω_R/Ω_G,
    c = Δ/Ω_G); free precession multiplies it by ``e^{iΔτ12}``; pulse 2 maps the conjugate of
    the transverse polarization into it with weight ``s² sin²(θ2/2)``; the last free period adds
    ``e^{iΔτ12}`` back: the phases cancel for all Δ (the refocused part). This is the
    bracket of the paper's Eq. (62) (with Ω_R³/Ω_G³ = 2ħ σ(E) Ω_R, Eq. 77). At resonance it
    is ``-i p sin θ1 sin²(θ2/2)``, largest for θ1 = π/2, θ2 = π.
    """
    d, r, p = np.broadcast_arrays(finite("detuning", detuning), finite("rabi", rabi),
                                  finite("polarization", polarization))
    g = np.hypot(d, r)
    s, c = r / g, d / g
    t1, t2 = g * positive("tau1", tau1, "s"), g * positive("tau2", tau2, "s")
    return -1j * p * s**3 * np.sin(t2 / 2) ** 2 * (np.sin(t1) - 2j * c * np.sin(t1 / 2) ** 2)


def echo_spectral_functions(detuning: ArrayLike, rabi: ArrayLike, tau1: float, tau2: float,
                            hbar: float = 1.0) -> dict[str, np.ndarray]:
    """The paper's Eq. (77): ``σ = Ω_R²/(2ħΩ_G³)``, ``S = sin(Ω_Gτ1) sin²(Ω_Gτ2/2)``,
    ``C = -2 (Δ/Ω_R) sin²(Ω_Gτ1/2) sin²(Ω_Gτ2/2)``; the echo term is
    ``-i p 2ħσ Ω_R [S + i (Ω_R/Ω_G) C]`` (identity pinned by the tests)."""
    d, r = np.broadcast_arrays(finite("detuning", detuning), positive("rabi", rabi))
    g = np.hypot(d, r)
    return {"sigma": r**2 / (2 * hbar * g**3),
            "S": np.sin(g * tau1) * np.sin(g * tau2 / 2) ** 2,
            "C": -2 * d / r * np.sin(g * tau1 / 2) ** 2 * np.sin(g * tau2 / 2) ** 2}


def simulate_two_pulse_echo(omega0: float, omega: float, rabi: float, tau1: float,
                            tau2: float, tau12: float, polarization: float = 1.0,
                            T2: float = np.inf, frame: str = "rotating",
                            rtol: float = 1e-10) -> complex:
    """Numerical check: integrate the Bloch (Liouville) equations through the pulse sequence
    with ``scipy.integrate.solve_ivp`` and return ``⟨σx⟩ + i⟨σy⟩`` in the rotating frame at
    the echo centre. ``frame="lab"`` drives with ``2Ω_R cos(ωt) σx`` in the laboratory frame
    (no rotating-wave approximation; its Bloch-Siegert error is O(Ω_R/ω)); ``T2`` damps the
    transverse components between the pulses."""
    from scipy.integrate import solve_ivp

    def free(r, t0, dt, w0):
        def rhs(t, v):
            return [-w0 * v[1] - v[0] / T2, w0 * v[0] - v[1] / T2, 0.0]
        return solve_ivp(rhs, (t0, t0 + dt), r, method="DOP853", rtol=rtol, atol=1e-13).y[:, -1]

    def pulse(r, t0, dt):
        if frame == "rotating":
            d = omega0 - omega

            def rhs(t, v):
                return [-d * v[1], d * v[0] - rabi * v[2], rabi * v[1]]
            mx = None
        else:
            def rhs(t, v):
                ox = 2 * rabi * np.cos(omega * t)
                return [-omega0 * v[1], omega0 * v[0] - ox * v[2], ox * v[1]]
            mx = 2 * np.pi / omega / 40
        kw = {} if mx is None else {"max_step": mx}
        return solve_ivp(rhs, (t0, t0 + dt), r, method="DOP853", rtol=rtol, atol=1e-13,
                         **kw).y[:, -1]

    if frame not in ("rotating", "lab"):
        raise InputError(f"frame must be 'rotating' or 'lab', got {frame!r}")
    w0_free = (omega0 - omega) if frame == "rotating" else omega0
    r = np.array([0.0, 0.0, -polarization])
    t = 0.0
    r = pulse(r, t, tau1)
    t += tau1
    r = free(r, t, tau12, w0_free)
    t += tau12
    r = pulse(r, t, tau2)
    t += tau2
    r = free(r, t, tau12, w0_free)
    t += tau12
    m = r[0] + 1j * r[1]
    # lab frame -> rotating frame: undo the carrier phase e^{iωt}
    return complex(m * np.exp(-1j * omega * t)) if frame == "lab" else complex(m)


# ------------------------------------------------------------- ensemble echoes, Eqs. 62-79


def _detuning_nodes(scale: float, n: int = 48, span: float = 40.0):
    """GL nodes for detunings ν in [-span, span]·scale (the echo term decays as |ν|⁻³)."""
    from ..quadrature import composite_gauss_legendre

    x, w = composite_gauss_legendre(-span, span, max(4, n // 8), 10.0)
    return x * scale, w * scale


def stm_echo_amplitude(tau12: ArrayLike, *, rabi_max: float, tau1: float, tau2: float,
                       T: float, omega: float, tau_phi: float, n: int = 48) -> np.ndarray:
    """Two-pulse echo amplitude of the 2LS ensemble at its centre (Eqs. 62-64), per P̄ p0.

    ``A = ∫ dν ∫ dΔ0/Δ0 (E/Δ) ∫_0^1 dy (p0 y Δ0/E) [-Im e(ν, Ω_R)] tanh(ħω/2k_BT)
    e^{-2τ12/τφ}`` with the closed-form echo term e of :func:`echo_term`, Rabi frequency
    ``Ω_R = rabi_max (Δ0/E) y`` (``rabi_max = p0 F0/ħ``, y = cos of the dipole angle) and the
    full detuning dependence (the spectral function σ of Eq. 77, not its δ limit). The DOS is
    flat over the MHz window; Δ0/E = sin ϑ removes the 1/sqrt(1 - (Δ0/E)²) end point.
    Spectral diffusion and phonon damping: ``e^{-2τ12/τφ}`` (Eq. 78 with τφ << τ).
    """
    tau12 = nonnegative("tau12", tau12, "s")
    nu, wnu = _detuning_nodes(positive("rabi_max", rabi_max, "rad/s"), n)
    from ..quadrature import mapped_nodes

    th, wth = mapped_nodes(0.0, np.pi / 2, n // 2)
    y, wy = mapped_nodes(0.0, 1.0, n // 2)
    x = np.sin(th)  # Δ0/E; measure dΔ0/Δ0 · E/Δ = dϑ / sin ϑ, times the dipole factor x y
    e = echo_term(nu[:, None, None], rabi_max * x[None, :, None] * y[None, None, :], tau1, tau2)
    integrand = -e.imag * y[None, None, :]  # (1/x)·(x y)
    core = np.einsum("ijk,i,j,k->", integrand, wnu, wth, wy)
    from ..constants import HBAR_K

    pol = np.tanh(omega * HBAR_K / (2 * temperature(T)))
    return core * pol * np.exp(-2 * tau12 / positive("tau_phi", tau_phi, "s"))


def ats_echo_amplitude(
    B: ArrayLike,
    ens,
    *,
    omega: float,
    T: float,
    p1F0_J: float,
    tau1: float,
    tau2: float,
    tau12: float,
    tau_phi: float,
    Gamma: float | None = None,
    tan_phase: float = 0.0,
    orientation: str = "exact",
    n: int | None = None,
    B_star: float | None = None,
) -> np.ndarray:
    """Magnetic-field dependent ATS echo amplitude ΔA(B) at the echo centre (Eqs. 72-79).

    Per ATS (effective 2LS, gap ``E = ħω0``): Rabi frequency of Eq. (72)
    ``Ω_R = (p1F0/ħ) sqrt((D0²φ² + 5D²/6)/(6E²))`` and dipole matrix element ``ħΩ_R/F0``;
    echo term of :func:`echo_term` at detuning ``ω0 - ω``; polarization ``tanh(E/2k_BT)``;
    decay ``e^{-2τ12 w}`` with ``w = 1/τφ + 1/τ_ATS(E, D)`` (Eqs. 78-79, ATS rate of Eq. 55
    with ``Gamma`` [s⁻¹ K⁻⁵], omitted if None). The detected quadrature mixes the two
    components as in Eq. (66): ``℘+ - tan(ωΔτ) ℘-`` with ``℘+ = -Im``, ``℘- = Re`` of the
    summed complex echo. Averaged over the ATS measure ``2πP* du dD/D`` written in
    (u = ln D0, ν = ω0 - ω): ``dD/D = ħE dν/D²`` (the echo window is MHz wide, the measure
    varies on GHz scales), and over the orientation of the loop (exact or shortcut).
    Returns the amplitude per unit ``P* p1`` (arbitrary units, same for every B).

    Detunings within ±40 Ω_R use the exact echo term; beyond, the pulse-area oscillations
    are averaged (``-p s³ c/2``, odd in the detuning: only the ``tan(ωΔτ)`` quadrature sees
    them). These far tails do *not* give the B⁻² approach to saturation the paper describes
    (computed, ``tests/test_echo_field.py``): they matter only where no ATS is resonant any
    more (the shortcut beyond ``D0min φ/√3 > ħω``, ~6 T for Table 8), are 1e-7 of ΔA(0) or
    less there and fall off faster than B⁻² (local exponent 3-6 between 7 and 30 T); with
    the ATS rate of Eq. (55) (∝ E⁵) they vanish altogether. Below, the shortcut curve
    reaches 0 at that field through a log-cusp, and the exact orientation average approaches
    0 as B⁻¹ (the fraction of loops nearly parallel to B that still reach resonance).

    ``B_star`` [T] (None: off) applies the high-field correction of the phase, Eqs. (20),
    (95): per loop ``φ² -> φ² c² (1 - (B/B*)² c²/27)`` (exact) or
    ``φ²/3 (1 - (B/B*)²/45)`` (shortcut); the exact average needs ``(B/B*)² < 13.5`` (where
    the corrected phase is still monotonic in the loop angle).

    ``n`` None (default, with ``Dmax = ∞``): one integral over the phase energy ``A = D0 φ c``
    instead of over (c, u) — the integrand depends on D0 and the orientation only through A,
    and the exact orientation average becomes the weight ``W(A) = min(1, A/A1) - min(1,
    A/A2)`` of :func:`_ats_echo_fast` (the exchange of Eq. 13a) — split where the DOS edge
    crosses the window, with far tails graded from the DOS edge: 1e-7 of the largest |ΔA|
    or better (1e-9 on the paper's AlBaSiO parameters; T 1 mK-300 K, B 0-20 T, Dmin
    0.01-1 K), also where ``Dmin > ħω`` leaves only the far tails. An integer ``n`` (and a
    finite Dmax, with n = 64) selects the (c, u, ν) tensor rule as before (``n//4`` nodes per
    c panel and u piece, ``n`` per ν piece; the fits pass ``n=48``); it converges slowly for
    the exact orientation average (kinks in c: ~1e-3 at n = 64).
    """
    kw = dict(omega=omega, T=T, p1F0_J=p1F0_J, tau1=tau1, tau2=tau2, tau12=tau12,
              tau_phi=tau_phi, Gamma=Gamma, tan_phase=tan_phase, orientation=orientation,
              B_star=None if B_star is None else float(positive("B_star", B_star, "T")))
    if n is None and not np.isfinite(ens.Dmax):
        return _ats_echo_fast(B, ens, **kw)
    n = 64 if n is None else n
    n_c = max(4, n // 4)
    return _ats_echo(B, ens, n_c=n_c, n_u=n_c, n_near=n, n_far=n, **kw)


class _EchoIntegrand:
    """The integrand of :func:`ats_echo_amplitude` per unit ``dν du`` (the measure ``ħE/D²``
    included), shared by its two node layouts: the complex echo ``z(ν, A) = geom ·
    echo_term(ν, Ω_R, τ1, τ2, p) · e^{-2τ12 w} · ħE/D²`` (far tails: the averaged echo term
    ``-p s³ c/2``), of which :meth:`signal` returns the detected quadrature."""

    def __init__(self, ens, *, omega, T, p1F0_J, tau1, tau2, tau12, tau_phi, Gamma):
        from ..constants import HBAR_K

        self.hbar = HBAR_K
        self.T = float(temperature(T))
        self.rabi_scale = positive("p1F0_J", p1F0_J) / (HBAR_K * 1.380649e-23)  # p1F0/ħ
        self.Ew = omega * HBAR_K
        self.rate0 = 1.0 / positive("tau_phi", tau_phi, "s")
        self.L = 40.0 * self.rabi_scale / np.sqrt(6.0)
        self.Dmin, self.Gamma = ens.Dmin, Gamma
        self.tau1, self.tau2, self.tau12 = tau1, tau2, tau12

    def signal(self, nu: np.ndarray, A: np.ndarray, averaged: bool,
               tan_phase: float) -> np.ndarray:
        """The detected quadrature ``-Im z - tan(ωΔτ) Re z`` of the complex echo ``z`` (class
        docstring), in real arithmetic:
        ``echo_term = -i p s³ sin²(θ2/2) sin θ1 - 2 p s³ sin²(θ2/2) c sin²(θ1/2)``
        (the averaged far tails: ``-p s³ c/2``, real), the ATS rate of Eq. (55) written out
        with ``coth = 1/tanh`` (E >= Dmin > 0)."""
        E = self.Ew + self.hbar * nu
        D2 = np.maximum(E * E - A * A, self.Dmin**2)
        geom = np.sqrt((A * A + 5.0 * D2 / 6.0) / (6.0 * E * E))
        rabi = self.rabi_scale * geom
        pol = np.tanh(E / (2 * self.T))
        g = np.hypot(nu, rabi)
        ps3 = pol * (rabi / g) ** 3
        if averaged:
            q = tan_phase * 0.5 * ps3 * (nu / g)  # -tan · Re, Re = -p s³ c/2
        else:
            st2 = np.sin(g * (0.5 * self.tau2)) ** 2
            th1 = g * self.tau1
            q = ps3 * st2 * (np.sin(th1) + tan_phase * (nu / g) * (1.0 - np.cos(th1)))
        decay = -2 * self.tau12 * self.rate0
        if self.Gamma is not None:
            decay = decay - 2 * self.tau12 * self.Gamma * E**3 * (E * E - D2 / 6.0) / pol
        return q * geom * np.exp(decay) * self.hbar * E / D2


def _ats_echo(B, ens, *, omega, T, p1F0_J, tau1, tau2, tau12, tau_phi, Gamma, tan_phase,
              orientation, n_c, n_u, n_near, n_far, B_star=None):
    """:func:`ats_echo_amplitude` with an explicit ``n``: the (c, u, ν) tensor rule, ``n_c``
    c nodes per orientation panel, ``n_u`` u nodes per piece, at least ``n_near`` ν nodes in
    the window (more for strong pulses, :func:`_window_nodes`) and ``n_far`` in each far
    tail."""
    from ..ensembles import Orientation
    from ..quadrature import mapped_nodes

    B = finite("B", B)
    f = np.abs(B).ravel()
    z_of = _EchoIntegrand(ens, omega=omega, T=T, p1F0_J=p1F0_J, tau1=tau1, tau2=tau2,
                          tau12=tau12, tau_phi=tau_phi, Gamma=Gamma)
    HBAR_K, Ew, L = z_of.hbar, z_of.Ew, z_of.L
    n_near = _window_nodes(L, tau1, tau2, n_near)
    if B_star is None:
        m, _, wc = Orientation.of(orientation, n=n_c, high_field=False).factors()
    else:  # Eqs. (20), (95): the multiplier of φ per field and loop orientation
        m, _, wc = Orientation.of(orientation, n=n_c, high_field=True).factors(f / B_star)
    m = np.broadcast_to(m, (len(f),) + m.shape[-1:])
    a_min = ens.phase_energies(f)[0]
    # u = ln(D0/D0min) in [0, ln r], split where the DOS edge sqrt(Dmin² + A²) enters the
    # resonance window (ħω ± ħL) and at ħω: the integrand has kinks there
    a0 = np.maximum(a_min[:, None] * m, 1e-300)  # (f, c)
    kinks = [np.log(np.sqrt(np.clip(x**2 - ens.Dmin**2, 1e-300, None)) / a0)
             for x in (Ew - HBAR_K * L, Ew, Ew + HBAR_K * L)]
    cuts = np.sort(np.clip(np.stack([np.zeros_like(a0)] + kinks
                                    + [np.full_like(a0, ens.log_ratio)], axis=-1),
                           0.0, ens.log_ratio), axis=-1)
    s, wu = mapped_nodes(cuts[..., :-1], cuts[..., 1:], n_u)  # (f, c, 4, k)
    s, wu = s.reshape(s.shape[:2] + (-1,)), wu.reshape(wu.shape[:2] + (-1,))
    A = a_min[:, None, None] * m[:, :, None] * np.exp(s)  # (f, c, u)
    # ν >= ν_lo from D >= Dmin, i.e. E >= sqrt(Dmin² + A²)
    nu_lo = (np.sqrt(ens.Dmin**2 + A**2) - Ew) / HBAR_K
    if np.isfinite(ens.Dmax):
        nu_hi = (np.sqrt(ens.Dmax**2 + A**2) - Ew) / HBAR_K
    else:
        nu_hi = np.full_like(nu_lo, 1e3 * max(L, float(np.max(np.abs(nu_lo)))))

    def integrate_piece(lo, hi, averaged):
        """∫ dν over [lo, hi] (per (f, c, u)); log-spaced in |ν| away from the window."""
        n = n_far if averaged else n_near
        ok = hi > lo
        lo_s, hi_s = np.where(ok, lo, 0.0), np.where(ok, hi, 1.0)
        if averaged:  # |ν| >= L: nodes uniform in ln|ν| (the integrand falls as |ν|⁻³)
            sgn = np.where(hi_s <= 0, -1.0, 1.0)
            a_, b_ = np.sort(np.stack([np.abs(lo_s), np.abs(hi_s)]), axis=0)
            a_ = np.maximum(a_, 1e-300)
            x, wx = mapped_nodes(np.log(a_), np.log(np.maximum(b_, a_)), n)
            nu = sgn[..., None] * np.exp(x)
            wnu = wx * np.exp(x)
        else:
            x, wx = mapped_nodes(lo_s, hi_s, n)
            nu, wnu = x, wx
        # the detected quadrature -Im z - tan(ωΔτ) Re z, in real arithmetic
        z = z_of.signal(nu, A[..., None], averaged, tan_phase)
        return np.where(ok, np.sum(z * wnu, axis=-1), 0.0)

    near = integrate_piece(np.clip(nu_lo, -L, L), np.clip(nu_hi, -L, L), False)
    left = integrate_piece(np.minimum(nu_lo, -L), np.minimum(nu_hi, -L), True)
    right = integrate_piece(np.maximum(nu_lo, L), np.maximum(nu_hi, L), True)
    signal = 2 * np.pi * np.einsum("fcu,c,fcu->f", near + left + right, wc, wu)
    return signal.reshape(np.shape(B))


_ECHO_NU_NEAR = 48
"""Default route: the fewest Gauss-Legendre nodes in the resonance window |ν| <= L (more for
strong pulses: :func:`_window_nodes`)."""


def _window_nodes(L: float, tau1: float, tau2: float, least: int) -> int:
    """Gauss-Legendre nodes for the window |ν| <= L: the echo term oscillates in ν with the
    pulse areas ``Ω_G τ1``, ``Ω_G τ2/2`` (Eq. 77), ``L(τ1 + τ2)/π`` periods over the window;
    3 nodes per period (at least ``least``). A fixed 48 under-resolved the strong pulses of
    Table 8's BK7 6 μs row (p1F0 = 0.98 D kV/m, 48 periods): ΔA(0) came out at half its
    value and A(B)/A_2LS 10 % off; with 3 per period the rule is converged to 1e-9."""
    return max(int(least), int(np.ceil(3.0 * L * (tau1 + tau2) / np.pi)))
_ECHO_A_NODES = 32
"""Default route: nodes per piece of the phase-energy integral."""
_ECHO_TAIL = (8, 2.5)
"""Default route: nodes per panel and largest panel width in ln|ν| of the far tails."""


def _echo_panels(top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre on [0, top] per point (any shape): ``ceil(top/width)`` equal
    panels of the :data:`_ECHO_TAIL` nodes and width, the count of each point its own (padded
    with zero weights), so that a field gets the same nodes alone as in any call."""
    from ..quadrature import gauss_legendre

    n_t, width = _ECHO_TAIL
    x, w = gauss_legendre(n_t)
    k = np.maximum(np.ceil(top / width * (1 - 1e-12)), 1.0)[..., None, None]
    n_pan = int(np.max(k, initial=1.0))
    j = np.arange(n_pan)[:, None]
    used = j < k
    frac = np.where(used, (j + x) / k, 1.0)
    wts = np.where(used, top[..., None, None] / k * w, 0.0)
    shape = top.shape + (-1,)
    return (top[..., None, None] * frac).reshape(shape), wts.reshape(shape)


def _ats_echo_fast(B, ens, *, omega, T, p1F0_J, tau1, tau2, tau12, tau_phi, Gamma,
                   tan_phase, orientation, B_star=None):
    """:func:`ats_echo_amplitude` by its default route: one integral over the phase energy A.

    The integrand depends on the loop's D0 and orientation only through ``A = D0 φ c``.
    With ``u = ln(D0/D0min)`` and ``A1,2 = D0min,max φ`` (φ the phase of the field along the
    loop normal, times 1/√3 for the shortcut), ``∫ du z(A1 e^u) = ∫_{A1}^{A2} dA/A z(A)`` for
    one orientation, and for the exact average the c-integral is exchanged with the D0 one
    as for the DOS (Eq. 13a of :mod:`coldglass.ensembles.ats`):

        ``∫_0^1 dc ∫_0^{ln(A2/A1)} du z(A1 c e^u) = ∫_0^{A2} dA/A W(A) z(A)``,
        ``W(A) = min(1, A/A1) - min(1, A/A2)``

    (the measure of the orientations that reach A): ``A (1/A1 - 1/A2)`` below A1, ``1 - A/A2``
    up to A2. The c dimension disappears, and the A integral is split at A1 and at the kinks
    of z, where the DOS edge ``sqrt(Dmin² + A²)`` crosses ħω - ħL, ħω, ħω + ħL; each piece
    gets :data:`_ECHO_A_NODES` Gauss-Legendre nodes in ln A (linear in A on the piece that
    starts at 0, where ``W/A`` is constant). In ν: :data:`_ECHO_NU_NEAR` nodes in the window
    |ν| <= L (the exact echo term) and, for the averaged far tails, panels no wider than 2.5
    in ln|ν| up to ``ν_hi = 1e3 max(L, |ν_lo|)`` of each field (as the explicit-n rule for a
    single field), 8 nodes each.

    With ``B_star`` (Eqs. 20, 95) the loop's multiplier of φ is ``m(c) = c sqrt(1 - x²c²/27)``,
    ``x = B/B*``, increasing in c for x² < 13.5 up to ``M = m(1)``; the ends become
    ``A1,2 M`` and ``W(A) = c(min(A/A1, M)) - c(min(A/A2, M))`` with the inverse
    ``c(m)² = (27/2x²)(1 - sqrt(1 - 4x²m²/27))`` (W/A no longer constant on the first piece:
    its weights carry W(A)/A). The shortcut multiplies φ by ``sqrt((1 - x²/45)/3)``.
    """
    from ..ensembles import Orientation
    from ..quadrature import gauss_legendre, mapped_nodes

    B = finite("B", B)
    f = np.abs(B).ravel()
    o = Orientation.of(orientation, high_field=B_star is not None)
    z_of = _EchoIntegrand(ens, omega=omega, T=T, p1F0_J=p1F0_J, tau1=tau1, tau2=tau2,
                          tau12=tau12, tau_phi=tau_phi, Gamma=Gamma)
    HBAR_K, Ew, L = z_of.hbar, z_of.Ew, z_of.L
    x2 = np.zeros_like(f) if B_star is None else (f / B_star) ** 2
    if B_star is not None:
        o.check_field_ratio(np.sqrt(x2))
        if o.kind == "exact" and np.any(x2 >= 13.5):
            raise InputError("the exact orientation average with the high-field correction "
                             "needs (B/B*)² < 13.5 (the corrected phase must grow with the "
                             f"loop angle), got B/B* up to {np.sqrt(x2.max()):.3g}")
    if o.kind == "exact":
        mult = np.sqrt(1.0 - x2 / 27.0)  # M = m(c = 1)
    else:  # one multiplier per field: 1 ("none") or sqrt((1 - x²/45)/3) (shortcut)
        m_o = o.factors(None if B_star is None else np.sqrt(x2))[0]
        mult = np.broadcast_to(m_o[..., 0], f.shape).astype(float)
    a_min, a_max = (a * mult for a in ens.phase_energies(f))
    floor = 1e-150  # B = 0: the limit A -> 0 (W integrates to ln(A2/A1) either way)
    low = a_min < floor
    a1 = np.where(low, floor, a_min)
    a2 = np.where(low, floor * np.exp(ens.log_ratio), a_max)
    kinks = [np.sqrt(np.clip(x**2 - ens.Dmin**2, 0.0, None)) * np.ones_like(a1)
             for x in (Ew - HBAR_K * L, Ew, Ew + HBAR_K * L)]
    x, wx = gauss_legendre(_ECHO_A_NODES)
    if o.kind == "exact":
        cuts = np.sort(np.stack([np.clip(k, 0.0, a2) for k in kinks] + [a1, a2], axis=-1),
                       axis=-1)
        lo, hi = np.concatenate([np.zeros_like(a1)[:, None], cuts[:, :-1]], axis=1), cuts
    else:
        cuts = np.sort(np.stack([np.clip(k, a1, a2) for k in kinks] + [a2], axis=-1), axis=-1)
        lo, hi = np.concatenate([a1[:, None], cuts[:, :-1]], axis=1), cuts
    # the piece of the exact average that starts at A = 0 is linear in A, all others in ln A
    lin = lo <= 0.0
    llo = np.log(np.where(lin, 1.0, np.maximum(lo, floor)))
    lhi = np.log(np.where(lin, 1.0, np.maximum(hi, floor)))
    t_lin = lo[..., None] + (hi - lo)[..., None] * x
    t_log = np.exp(llo[..., None] + (lhi - llo)[..., None] * x)
    A = np.where(lin[..., None], t_lin, t_log)
    # weights of ∫ dA/A W(A): W/A = 1/A1 - 1/A2 on the linear piece, W d(ln A) on the others
    if o.kind == "exact":
        q = x2[:, None, None]
        Mq = mult[:, None, None]
        b1, b2 = (a1 / mult)[:, None, None], (a2 / mult)[:, None, None]  # A1, A2 (c = 1)

        def c_of(m):  # inverse of m(c) = c sqrt(1 - q c²/27); c = m at q = 0
            m = np.minimum(m, Mq)
            t = 4.0 * q * m * m / 27.0
            return m * np.sqrt(2.0 / (1.0 + np.sqrt(1.0 - t)))

        Wt = c_of(A / b1) - c_of(A / b2)
        # on the piece from A = 0 (below a1), W/A is smooth and finite: W(A)/A itself
        Wl = np.where(A > 0, Wt / np.where(A > 0, A, 1.0), (1.0 / b1 - 1.0 / b2))
        w_lin = (hi - lo)[..., None] * wx * Wl
    else:
        Wt = w_lin = np.ones_like(A)
    wA = np.where(lin[..., None], w_lin, (lhi - llo)[..., None] * wx * Wt)
    A = A.reshape(len(f), -1)
    wA = wA.reshape(len(f), -1)
    # ν >= ν_lo from D >= Dmin, i.e. E >= Ec = sqrt(Dmin² + A²); the measure ħE/D² has its
    # branch point (D = 0) δ = (Ec - A)/ħ = Dmin²/(ħ(Ec + A)) below ν_lo
    ec = np.sqrt(ens.Dmin**2 + A**2)
    nu_lo = (ec - Ew) / HBAR_K
    delta = ens.Dmin**2 / (ec + A) / HBAR_K
    nu_hi = np.broadcast_to(
        1e3 * np.maximum(L, np.max(np.abs(nu_lo), axis=-1, keepdims=True)), nu_lo.shape)
    # the window |ν| <= L: one Gauss-Legendre rule
    lo_n, hi_n = np.clip(nu_lo, -L, L), np.clip(nu_hi, -L, L)
    ok = hi_n > lo_n
    nu, wnu = mapped_nodes(np.where(ok, lo_n, 0.0), np.where(ok, hi_n, 1.0),
                           _window_nodes(L, tau1, tau2, _ECHO_NU_NEAR))
    Ac = A[..., None]
    total = np.where(ok, np.einsum("fan,fan->fa", z_of.signal(nu, Ac, False, tan_phase), wnu),
                     0.0)
    # the far tails |ν| >= L, each piece graded from the end next to a branch point:
    # ν = start ± σ (e^v - 1), σ = d s/(d + s) with d the distance to the branch point of the
    # measure and s to ν = 0 (where the echo term's ν⁻³ has its scale): linear next to the
    # DOS edge, logarithmic in |ν| beyond
    right0 = np.maximum(nu_lo, L)
    d_r = right0 - (nu_lo - delta)
    mid = -np.sqrt(L * np.maximum(-nu_lo, L))  # the left tail is split at -sqrt(L |ν_lo|)
    d_l = delta
    s_l = np.maximum(-nu_lo, L)
    for start, end, sigma, sgn in (
            (right0, np.maximum(nu_hi, L), d_r * right0 / (d_r + right0), 1.0),
            (-L * np.ones_like(nu_lo), np.minimum(mid, -L), L * np.ones_like(nu_lo), -1.0),
            (np.minimum(nu_lo, -L), np.minimum(mid, -L), d_l * s_l / (d_l + s_l), 1.0)):
        span = sgn * (end - start)
        ok = span > 0
        v_top = np.log1p(np.where(ok, span, 0.0) / sigma)
        v, wv = _echo_panels(v_top)
        ev = np.exp(v)
        nu = start[..., None] + sgn * sigma[..., None] * (ev - 1.0)
        z = z_of.signal(nu, Ac, True, tan_phase)
        total = total + np.where(ok, np.einsum("fan,fan->fa", z, wv * ev) * sigma, 0.0)
    return (2 * np.pi * np.einsum("fa,fa->f", total, wA)).reshape(np.shape(B))


def echo_relative_amplitude(B: ArrayLike, ens, *, weight: float,
                            weight_T: float | None = None, dephasing_excess: float = 0.0,
                            **kw) -> np.ndarray:
    """``A(B)/A_2LS = 1 - W(T) ΔA(B)/ΔA(0)`` (Sec. 6.2: A = A_2LS + ΔA with the negative sign
    of Eq. 76); ``kw`` as :func:`ats_echo_amplitude` (T, τ12, the rate Γ, ...).

    ``weight`` is the ATS share ``|ΔA(0)|/A_2LS`` of the echo at B = 0 (Table 8 does not give
    it: a fit parameter). With ``weight_T`` None it is the share at this ``T`` itself. With
    ``weight_T`` [K] it is the share at that temperature, and the share at T follows from the
    parts of the two echoes that differ (Eqs. 62, 75, 78-79):

    ``W(T) = W · e^{-2τ12 Δc (T - T_W)} · [ΔA(0; T)/tanh(ħω/2T)] / [ΔA(0; T_W)/tanh(ħω/2T_W)]``

    — the dephasing rates ``c_ATS T`` and ``c_2LS T`` of the two ensembles leave their
    difference ``Δc = dephasing_excess`` [s⁻¹ K⁻¹] (Table 8's column c_ATS - c_2LS; for BK7
    c_ATS alone), the 2LS echo carries the polarization ``tanh(ħω/2T)``, and ΔA(0; T) (without
    its dephasing) carries the ATS polarization and the ATS phonon damping of Eq. (55). The
    factor ``e^{-2τ12/τφ}`` common to every field cancels in ``ΔA(B)/ΔA(0)``; it is dropped
    there so that the ratio stays finite where the factor itself underflows (high T).
    """
    from ..constants import HBAR_K

    B = finite("B", B)
    weight = float(nonnegative("weight", weight))
    if "tau_phi" in kw:
        positive("tau_phi", kw["tau_phi"], "s")
    kw = kw | {"tau_phi": 1e300}
    both = ats_echo_amplitude(np.concatenate([[0.0], B.ravel()]), ens, **kw)
    if not (np.isfinite(both[0]) and both[0] != 0.0):
        raise InputError("the zero-field ATS echo amplitude ΔA(0) vanishes (its relaxation "
                         "factor exp(-2τ12/τ_ATS) underflows at every energy): A/A_2LS is "
                         "undefined here; lower T or tau12, or the rate coefficient Gamma")
    if weight_T is not None:
        T, T_W = float(temperature(kw["T"])), float(temperature(weight_T))
        dc = float(nonnegative("dephasing_excess", dephasing_excess, "1/(s K)"))
        ref = ats_echo_amplitude(np.zeros(1), ens, **(kw | {"T": T_W}))[0]
        Ew = kw["omega"] * HBAR_K
        weight *= (np.exp(-2 * kw["tau12"] * dc * (T - T_W)) * (both[0] / ref)
                   * np.tanh(Ew / (2 * T_W)) / np.tanh(Ew / (2 * T)))
    return (1.0 - weight * both[1:] / both[0]).reshape(B.shape)


# ------------------------------------------------ glycerol: integrated echo amplitude, Sec. 6.3


def lorentzian_cos_integral(a: ArrayLike, b: ArrayLike,
                            form: str = "derived") -> np.ndarray:
    """``I(a, b) = ∫_0^b cos x / (x² + a²) dx`` in closed form (Eq. 86), a > 0, any real b.

    Derived (default): partial fractions and ``∫ e^{ix}/(x - c) dx = e^{ic} Ei(i(x - c))`` give
    ``I = [e^{a} Im E1(a - ib) + e^{-a} Im Ei(a + ib)] / 2a`` for b >= 0 (odd in b), i.e.
    ``(π/2a) e^{a} + Im{(e^{-a}/2a) Ei(a + ib) - (e^{a}/2a) Ei(-a + ib)}`` with the principal
    branch of scipy's ``expi``; the E1 form avoids the cancellation of e^{±a} at large a.
    The printed Eq. (86), ``(π/2a) e^{-a} + Im{(e^{-a}/2a) Ei(-a + ib) - (e^{a}/2a) Ei(a + ib)}``,
    swaps ±a and does not equal the integral with this branch convention (``form="printed"``
    returns it, for comparison; the tests show the difference).
    """
    from scipy.special import exp1, expi

    a = positive("a", a)
    b = finite("b", b)
    if form == "printed":
        return np.pi / (2 * a) * np.exp(-a) + np.imag(
            np.exp(-a) / (2 * a) * expi(-a + 1j * b) - np.exp(a) / (2 * a) * expi(a + 1j * b))
    if form != "derived":
        raise InputError(f"form must be 'derived' or 'printed', got {form!r}")
    a, b = np.broadcast_arrays(a, b)
    bb = np.abs(b)
    big = a > _ASYMPTOTIC_A
    with np.errstate(over="ignore", invalid="ignore"):
        val = (np.exp(a) * np.imag(exp1(a - 1j * bb))
               + np.exp(-a) * np.imag(expi(a + 1j * bb))) / (2 * a)
    if np.any(big):  # e^{±a} overflow: the asymptotic series of e^{z}E1(z), e^{-w}Ei(w)
        ab, bz = a[big], bb[big]
        phase = np.exp(1j * bz)
        val = np.array(val, dtype=float, ndmin=1).reshape(a.shape).copy()
        val[big] = (np.imag(phase * _asymptotic(ab - 1j * bz, -1.0))
                    + np.imag(phase * _asymptotic(ab + 1j * bz, 1.0))) / (2 * ab)
    return np.sign(b) * np.where(bb > 0, val, 0.0)


_ASYMPTOTIC_A = 40.0
"""Above this a the e^{±a} factors of Eq. (86) are replaced by the asymptotic series (30 terms:
k!/a^k < 3e-16 at a = 40), where ``exp(a)`` would overflow beyond a ~ 709."""


def _asymptotic(z: np.ndarray, sign: float) -> np.ndarray:
    """``Σ_k (sign)^k k!/z^{k+1}``, 31 terms: ``e^{z} E1(z)`` for sign = -1 (|z| >= 40,
    |arg z| < π/2) and ``e^{-w} Ei(w)`` for sign = +1 (Re w >= 40; the iπ·sign(Im w) e^{-w} of
    the principal branch is below 1e-17 there)."""
    term = 1.0 / z
    acc = term
    for k in range(1, 31):
        term = sign * term * k / z
        acc = acc + term
    return acc


def iea_zero_field(tau12: ArrayLike, *, tau_phi3: float, delta_omega: float,
                   tau_phi2: float, C2LS: float = 1.0, KATS: float = 1.0,
                   form: str = "derived") -> dict[str, np.ndarray]:
    """Integrated echo amplitude at B = 0 (Eqs. 85-88, derived form).

    The ATS part is the convolution of a DOS that starts at ``Dmin`` with the Lorentzian
    spectral delimiter χ of width ``1/τφ(3)`` (Eq. 81) times ``cos(2(ω0 - ω)τ12)``; with
    ``x = 2(ω0 - ω)τ12``, ``a = 2τ12/τφ(3)`` and ``b = 2τ12 Δω`` (``Δω = ω - Dmin/ħ``, Eq. 88):

    ``ΔIEA = -K (a/π) ∫_{-b}^∞ cos x/(x² + a²) dx = -K [e^{-a}/2 + (a/π) I(a, b)]``

    — a decay ``e^{-2τ12/τφ(3)}`` plus oscillations of period ``π/Δω`` in τ12 from the edge
    of the DOS at Dmin (:func:`lorentzian_cos_integral`; for Δω < 0 the edge lies above ħω
    and only a Lorentzian tail remains). The 2LS part is ``C2LS e^{-2τ12/τφ(2)}``. The sign
    follows Eq. (76); ``KATS`` and ``C2LS`` are the paper's free constants. ``delta_omega``
    is an angular frequency [rad/s].

    Besides ``2LS``, ``ATS`` and ``total`` the ATS term is returned in its two parts:
    ``ATS decay`` ``-K f (π/a) e^{-a}`` (Eq. 87's C_ATS term) and ``ATS oscillation``
    ``K f ∫_b^∞ cos x/(x² + a²) dx = K f [(π/2a) e^{-a} - I(a, b)]`` (its K_ATS term), with
    ``f = a/π``. ``form="printed"`` sets ``f = 1``: the printed Eq. (87), whose constants
    absorb the factor a/π (C_ATS = πK/4, the value the same integral gives) — for comparison
    only: its ATS terms diverge as 1/τ12 at short τ12.
    """
    if form not in ("derived", "printed"):
        raise InputError(f"form must be 'derived' or 'printed', got {form!r}")
    t = nonnegative("tau12", tau12, "s")
    tp3 = positive("tau_phi3", tau_phi3, "s")
    a = np.maximum(2 * t / tp3, 1e-12)
    b = 2 * t * finite("delta_omega", delta_omega)
    f = a / np.pi if form == "derived" else 1.0
    half = np.pi / (2 * a) * np.exp(-a)  # ∫_0^∞ cos x/(x² + a²) dx
    integral = lorentzian_cos_integral(a, b)
    ats = -KATS * f * (half + integral)
    decay = -KATS * f * 2 * half
    osc = KATS * f * (half - integral)
    two = C2LS * np.exp(-2 * t / positive("tau_phi2", tau_phi2, "s"))
    return {"2LS": two, "ATS": ats, "ATS decay": decay, "ATS oscillation": osc,
            "total": two + ats}


def iea_ats(tau12: ArrayLike, B: ArrayLike, ens, *, omega: float, T: float, tau_phi3: float,
            orientation: str = "shortcut", width: float = 60.0, n: int = 400) -> np.ndarray:
    """ATS integrated echo amplitude in a field (the structure of Eqs. 80-82, strong pulses):
    ``-∫ dE g_ATS(E, B) (tanh(E/2k_BT)/E) χ(E) cos(2(E/ħ - ω)τ12)`` with the Lorentzian
    spectral delimiter χ of Eq. (81), width ``1/τφ(3)``; per unit P* (arbitrary units).
    Integrated over ``E = ħ(ω + ν)``, ``|ν| <= width/τφ(3)`` (Lorentzian tails beyond are
    < 1 %/width), Gauss-Legendre with ``n`` nodes. Broadcasts tau12 against B.
    """
    from ..constants import HBAR_K
    from ..quadrature import composite_gauss_legendre

    t, Bb = np.broadcast_arrays(nonnegative("tau12", tau12, "s"), finite("B", B))
    g_w = 1.0 / positive("tau_phi3", tau_phi3, "s")
    lo, hi = -width * g_w, width * g_w
    # split the window at the DOS edges (Dmin at B = 0, Ec1 and Ec2 otherwise): jumps and
    # kinks must sit on panel ends for Gauss-Legendre to converge
    edges = [lo, hi]
    if orientation != "exact":
        for B_ in np.unique(np.abs(Bb)):
            for Ec in ens.cutoff_energies(B_, orientation):
                nu_e = float(Ec) / HBAR_K - omega
                if lo < nu_e < hi:
                    edges.append(nu_e)
    else:
        nu_e = ens.Dmin / HBAR_K - omega
        if lo < nu_e < hi:
            edges.append(nu_e)
    edges = np.sort(np.array(edges))
    pieces = [composite_gauss_legendre(a, b, 16, (hi - lo) / (n / 16))
              for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
    nu = np.concatenate([p[0] for p in pieces])
    wnu = np.concatenate([p[1] for p in pieces])
    E = omega * HBAR_K + HBAR_K * nu
    chi = g_w / (np.pi * (g_w**2 + nu**2))  # per unit ν (dE = ħ dν)
    g = ens.dos(E, Bb[..., None], orientation=orientation) / ens.density
    kern = g * np.tanh(E / (2 * float(temperature(T)))) / E * chi
    return -np.sum(kern * np.cos(2 * nu * t[..., None]) * wnu, axis=-1)


def isotope_scaled(ens, mass_ratio: float, wkb_exponent: float):
    """Mass substitution of Eq. (83): ``Dmin ∝ M^{-1/2}``; ``D0 ∝ M^{-1/2} exp(-λ)`` with the
    WKB exponent ``λ = (d/ħ) sqrt(2 M V0) ∝ M^{1/2}``. ``mass_ratio = M'/M`` (2 for H -> D)
    and ``wkb_exponent`` is λ of the original species; returns the new ensemble (the D0
    cutoffs scale alike: ``X' = X r^{-1/2} exp(-λ (r^{1/2} - 1))``)."""
    from dataclasses import replace

    r = float(positive("mass_ratio", mass_ratio))
    lam = float(nonnegative("wkb_exponent", wkb_exponent))
    f0 = r**-0.5 * np.exp(-lam * (np.sqrt(r) - 1.0))
    return replace(ens, Dmin=ens.Dmin / np.sqrt(r), D0min=ens.D0min * f0, D0max=ens.D0max * f0)


def simulate_three_level_echo(energies: ArrayLike, D0: float, phi: float,
                              well_dipoles: ArrayLike, field_amplitude: float, omega: float,
                              tau1: float, tau2: float, tau12: float,
                              polarization: float = 1.0, rtol: float = 1e-9
                              ) -> tuple[complex, float]:
    """Two-pulse echo of one full three-level ATS (Eq. 68), for checking the effective-2LS
    reduction. Units ħ = 1 (energies and rates in the same unit, times in its inverse).

    The ring Hamiltonian of Eq. (6) (bare ``energies``, ``D0``, ``phi``) is diagonalized
    (``H0 = diag(E0, E1, E2)``, eigenvectors S); the drive ``-F0 cos(ωt) Σ_k p_k |k><k|``
    (``well_dipoles`` are the projections p_k·F̂) becomes ``-F0 cos(ωt) S† diag(p) S`` and its
    0-1 element is the complex Rabi coupling of Eqs. (69)-(70). The density matrix starts
    with populations ``(1 ± p)/2`` in levels 0, 1 (level 2 empty), is integrated through the
    pulses with ``solve_ivp`` in the laboratory frame (no rotating-wave approximation, all
    three levels) and evolves exactly between them. Returns the rotating-frame transverse
    polarization ``2ρ01 e^{-iωt}`` at the echo centre and the Rabi frequency ``|F0 d01|``.
    """
    from scipy.integrate import solve_ivp

    from ..systems import ring_hamiltonian

    H = ring_hamiltonian(np.asarray(energies, float), D0, phi)
    E, S = np.linalg.eigh(H)
    d = S.conj().T @ np.diag(np.asarray(well_dipoles, float)) @ S
    V = -float(field_amplitude) * d
    rabi = abs(V[0, 1])
    rho = np.zeros((3, 3), complex)
    rho[0, 0], rho[1, 1] = (1 + polarization) / 2, (1 - polarization) / 2

    def pulse(rho, t0, dt):
        def rhs(t, y):
            r = y.view(complex).reshape(3, 3)
            h = np.diag(E) + V * np.cos(omega * t)
            return (-1j * (h @ r - r @ h)).ravel().view(float)

        sol = solve_ivp(rhs, (t0, t0 + dt), rho.ravel().view(float).copy(), method="DOP853",
                        rtol=rtol, atol=1e-12, max_step=0.05 * 2 * np.pi / max(E[2] - E[0],
                                                                               omega))
        return sol.y[:, -1].view(complex).reshape(3, 3)

    def free(rho, dt):
        ph = np.exp(-1j * E * dt)
        return ph[:, None] * rho * ph.conj()[None, :]

    t = 0.0
    rho = pulse(rho, t, tau1)
    t += tau1
    rho = free(rho, tau12)
    t += tau12
    rho = pulse(rho, t, tau2)
    t += tau2
    rho = free(rho, tau12)
    t += tau12
    return complex(2 * rho[0, 1] * np.exp(-1j * omega * t)), float(rabi)
