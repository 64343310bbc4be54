"""Heat capacity of tunnelling systems and phonons, paper Sec. 4, Eqs. (14)-(20).

All results in J K⁻¹ per unit of the ensemble densities (J K⁻¹ g⁻¹ for densities per gram);
energies and temperatures in kelvin. ``T`` and ``B`` broadcast against each other.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..constants import K_B
from ..ensembles import ATSEnsemble, Orientation, Rule, STMEnsemble
from ..ensembles.ats import _fast_route_applies
from ..errors import InputError
from ..quadrature import mapped_nodes
from ..validation import finite, nonnegative, positive, temperature

__all__ = [
    "cp_single",
    "cp_stm",
    "cp_stm_constant_dos",
    "cp_phonon_T3",
    "cp_debye",
    "cp_ats",
    "cp_ats_closed",
    "I_x",
    "I_xa",
]


def _sech2(x: np.ndarray) -> np.ndarray:
    """sech²(x) without overflow: 4 e^{-2|x|} / (1 + e^{-2|x|})²."""
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def _cp0_over_kB(E: np.ndarray, T: np.ndarray) -> np.ndarray:
    x = E / (2.0 * T)
    return x**2 * _sech2(x)


def cp_single(E: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Heat capacity of one two-level system of gap E, ``k_B (E/2k_BT)² cosh⁻²(E/2k_BT)``
    (Eq. 15) [J/K]."""
    return K_B * _cp0_over_kB(nonnegative("E", E, "K"), temperature(T))


def cp_stm_constant_dos(T: ArrayLike, P_bar: ArrayLike) -> np.ndarray:
    """``C = (π²/6) P̄ k_B² T`` for a constant DOS P̄ [states K⁻¹ per unit] (Eq. 14 with the
    first term of Eq. 12) [J K⁻¹ per unit]; the paper's ``γ_2LS T``."""
    return np.pi**2 / 6.0 * nonnegative("P_bar", P_bar) * K_B * temperature(T)


def cp_stm(T: ArrayLike, stm: STMEnsemble, *, n_u: int = 32, n_delta: int = 48) -> np.ndarray:
    """Heat capacity of the STM ensemble, ``∫ dΔ dΔ0/Δ0 P̄ C_p0(E, T)`` (Eqs. 2, 14, 15)."""
    T = temperature(T)
    # each temperature gets its own rule, on its own scale 60 T (STMEnsemble.average)
    return K_B * stm.average(lambda E, d, d0, T: _cp0_over_kB(E, T), n_u=n_u, n_delta=n_delta,
                             energy_scale=60.0 * T, T=T)


def cp_phonon_T3(T: ArrayLike, gamma_ph: ArrayLike) -> np.ndarray:
    """Low-temperature phonon heat capacity ``γ_ph T³`` [J K⁻¹ per unit, γ in J K⁻⁴]."""
    return finite("gamma_ph", gamma_ph) * temperature(T) ** 3


def cp_debye(T: ArrayLike, theta_D: float, n_atoms: ArrayLike) -> np.ndarray:
    """Debye heat capacity ``9 N k_B (T/Θ)³ ∫_0^{Θ/T} x⁴ eˣ/(eˣ - 1)² dx`` [J/K per unit].

    Reduces to ``(12π⁴/5) N k_B (T/Θ)³`` for T << Θ and to ``3 N k_B`` for T >> Θ.
    """
    T = temperature(T)
    theta = float(positive("theta_D", theta_D, "K"))
    xD = theta / T
    x, w = mapped_nodes(np.zeros_like(xD), np.minimum(xD, 60.0), 64)
    integrand = x**4 * np.exp(-x) / (-np.expm1(-x)) ** 2
    integral = np.sum(integrand * w, axis=-1)  # the tail beyond x = 60 is < 1e-20
    return 9.0 * nonnegative("n_atoms", n_atoms) * K_B * (T / theta) ** 3 * integral


def cp_ats(
    T: ArrayLike,
    B: ArrayLike,
    ens: ATSEnsemble,
    *,
    orientation: Orientation | str | None = None,
    high_field: bool | None = None,
    rule: Rule | None = None,
) -> np.ndarray:
    """ATS heat capacity, the ensemble average of Eq. (15) (Eqs. 12-14, 17).

    ``C_ATS(T, B) = k_B ∫ dN (E/2T)² cosh⁻²(E/2T)`` with ``E = sqrt(D² + (D0 φ)²)``;
    orientation averaging exact (default) or the paper's ``φ² -> φ²/3`` (``"shortcut"``);
    ``high_field`` applies Eq. (20) (or give an :class:`Orientation`). With ``ens.E0`` the
    cutoffs follow Eq. (97) at each T. [J K⁻¹ per unit of ``ens.density``.]

    **Default route** (no ``rule``, no high-field correction, ``Dmax = ∞``, no ``E0``): the
    energy form of Eq. (17), one integral per point,

        ``C = k_B ∫_{Dmin}^∞ dE ḡ(E, B) (E/2T)² cosh⁻²(E/2T)``,

    with ḡ the exactly orientation-averaged DOS in closed form (Eqs. 13a-13b of
    :mod:`coldglass.ensembles.ats`; for ``"shortcut"``/``"none"`` Eq. 13 itself, which is zero
    below Ec1), by Gauss-Legendre on the pieces [Dmin, Ec1], [Ec1, Ec2], [Ec2, E_lo + 40 T] in
    variables that keep each piece analytic (``_energy_rule``): a few 1e-11 relative from 1 mK
    to 300 K, 0 to 20 T. Otherwise (and whenever a ``rule`` is given, as the fits do: its nodes
    move smoothly with the parameters) the generic (c, u, D) average of
    :meth:`ATSEnsemble.average` on that rule.
    """
    T = temperature(T)
    o = Orientation.of(orientation, high_field=high_field)
    if _fast_route_applies(ens, o, rule):
        return K_B * ens._energy_average(lambda E, T, g, h: _cp0_over_kB(E, T) * g, B, T, o,
                                         thermal=True)
    # thermal kernel: each point's D rule follows its own T (Rule.d_nodes)
    rule = Rule.resolve(rule, decay="thermal")
    return K_B * ens.average(lambda E, D, A, T: _cp0_over_kB(E, T), B, T=T, orientation=o,
                             rule=rule)


# ----------------------------------------------------------------- closed forms, Eqs. 18-19


def I_x(x: ArrayLike) -> np.ndarray:
    """``I(x) = x tanh x - ln cosh x`` (paper Sec. 4.1), the antiderivative of
    ``x cosh⁻² x`` with ``I(0) = 0`` and ``I(∞) = ln 2``."""
    x = finite("x", x)
    ax = np.abs(x)
    return x * np.tanh(x) - (ax + np.log1p(np.exp(-2.0 * ax)) - np.log(2.0))


def _ln2_minus_I(x: np.ndarray) -> np.ndarray:
    """``ln 2 - I(x) = x (1 - tanh x) + ln(1 + e^{-2x})`` for x >= 0, without the
    cancellation of ``ln 2 - I(x)`` at large x (both terms are positive, ~ (2x + 1) e^{-2x})."""
    e = np.exp(-2.0 * x)
    return 2.0 * x * e / (1.0 + e) + np.log1p(e)


def I_xa(x: ArrayLike, a: ArrayLike, n_per_unit: int = 10) -> np.ndarray:
    """``I(x, a) = ∫_x^∞ dy y cosh⁻²(y) ln(y² - a²)`` for ``x > |a|`` (paper Sec. 4.1).

    Computed with ``y = |a| + (x - |a|) e^s``, which maps the logarithmic singularity at
    ``y = |a|`` (near the lower end when x -> |a|) to a smooth tail in s; composite
    Gauss-Legendre with ``n_per_unit`` nodes per unit of s, up to ``y = x + 40``.
    """
    x, a = np.broadcast_arrays(finite("x", x), np.abs(finite("a", a)))
    if np.any(x <= a):
        raise InputError("I(x, a) needs x > |a|")
    gap = x - a
    s_max = np.log((gap + 40.0) / gap)
    n = int(np.ceil(float(np.max(s_max, initial=1.0)))) * n_per_unit
    t, w = mapped_nodes(np.zeros_like(s_max), s_max, n)
    ymina = gap[..., None] * np.exp(t)
    y = a[..., None] + ymina
    integrand = y * _sech2(y) * (np.log(ymina) + np.log(y + a[..., None])) * ymina
    return np.sum(integrand * w, axis=-1)


def _cp_ats_closed_none(T, a_min, a_max, Dmin, log_ratio):
    """Eqs. (18)-(19) for one orientation, in units of 2π P* n_ATS k_B."""
    xmin = Dmin / (2 * T)
    x0min, x0max = a_min / (2 * T), a_max / (2 * T)
    xc1, xc2 = np.hypot(xmin, x0min), np.hypot(xmin, x0max)
    c0 = log_ratio * _ln2_minus_I(xc2)  # Eq. (19)
    zero = x0min == 0
    # placeholders where φ = 0 (the bracket is then not used) that keep I(x, a) defined,
    # x > |a|, also when x_min > 2 (T < Dmin/4)
    x0s = np.where(zero, 1.0, x0min)
    xc1s = np.where(zero, xmin + 2.0, xc1)
    xc2s = np.where(zero, xmin + 2.0, xc2)
    rest = ((_ln2_minus_I(xc2s) - _ln2_minus_I(xc1s)) * np.log(xmin * x0s)
            + 0.5 * (I_xa(xc1s, xmin) - I_xa(xc2s, xmin) + I_xa(xc1s, x0s)
                     - I_xa(xc2s, np.where(zero, 1.0, x0max))))
    return c0 + np.where(zero, 0.0, rest)


def cp_ats_closed(
    T: ArrayLike,
    B: ArrayLike,
    ens: ATSEnsemble,
    *,
    orientation: Orientation | str | None = None,
    high_field: bool | None = None,
    n_c: int = 12,
) -> np.ndarray:
    """ATS heat capacity in the paper's closed form, Eqs. (18)-(19) [J K⁻¹ per unit].

    ``C = 2π P* n k_B {ln(D0max/D0min)[ln 2 - I(x_c2)] + [I(x_c1) - I(x_c2)] ln(x_min x_0min φ)
    + ½[I(x_c1, x_min) - I(x_c2, x_min) + I(x_c1, x_0min φ) - I(x_c2, x_0max φ)]}``, with
    ``x = E/2k_BT``; derived from Eq. (17) with ``∫ y cosh⁻² y dy = I(y)``. Orientation:
    ``"none"``, ``"shortcut"`` (φ -> φ/√3) or ``"exact"`` (Gauss-Legendre over c = cos β of
    the single-orientation form). Requires ``ens.Dmax = ∞`` as in the paper.
    """
    if np.isfinite(ens.Dmax):
        raise InputError("the closed form of Eqs. (18)-(19) assumes Dmax = inf")
    if ens.E0 is not None:
        raise InputError("the closed form takes temperature-independent parameters: use the "
                         "generic average, or ens.replace(E0=None)")
    T, B = np.broadcast_arrays(temperature(T), finite("B", B))
    f = np.abs(B)
    a_min, a_max = ens.phase_energies(f)
    o = Orientation.of(orientation, n=n_c, high_field=high_field)
    m, _, w = o.factors(ens.field_ratio(f, o))
    m = np.broadcast_to(m, f.shape + m.shape[-1:])
    val = _cp_ats_closed_none(T[..., None], a_min[..., None] * m, a_max[..., None] * m,
                              ens.Dmin, ens.log_ratio)
    return 2 * np.pi * ens.density * K_B * np.sum(val * w, axis=-1)
