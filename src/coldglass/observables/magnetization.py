"""Magnetization of anomalous tunnelling systems, paper Sec. 7, Eqs. (89) and (93)-(97).

``M_ATS = n_ATS <-∂H/∂B>``: an effective 2LS of gap E contributes ``½ tanh(E/2k_BT) ∂E/∂B``.
Results in A m² (= J/T) per unit of ``ens.density`` (A m² g⁻¹ for densities per gram).

Prefactor of Eq. (94). The average ``2π P* n ∫dD/D dD0/D0 ½ tanh(E/2T) ∂E/∂B`` integrated over
D and D0 at fixed E gives ``M = (π P* n / 2B) ∫ dE tanh(E/2T) ln(...)``, i.e.
``π P* n k_B T / B ∫ dy tanh y ln(...)`` in ``y = E/2k_BT``; the text prints ``2π`` in Eq. (94).
The derived prefactor is the default (it satisfies ``M = -∂F/∂B`` with the free energy of the
same ensemble, which the tests check); ``prefactor="printed"`` doubles it, to reproduce the
published fits.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.constants as sc
from numpy.typing import ArrayLike

from ..constants import ANGSTROM2, K_B
from ..ensembles import ATSEnsemble, Orientation, Rule
from ..errors import InputError
from ..quadrature import log_mapped_nodes, mapped_nodes
from ..validation import finite, positive, temperature

__all__ = [
    "magnetization_ats",
    "magnetization_ats_closed",
    "free_energy_ats",
    "ats_moment",
    "ats_parameters_at",
]

Prefactor = Literal["derived", "printed"]


def _prefactor(prefactor: str) -> float:
    if prefactor == "derived":
        return 1.0
    if prefactor == "printed":
        return 2.0
    raise InputError(f"prefactor must be 'derived' or 'printed', got {prefactor!r}")


def magnetization_ats(
    T: ArrayLike,
    B: ArrayLike,
    ens: ATSEnsemble,
    *,
    orientation: Orientation | str | None = None,
    high_field: bool | None = None,
    prefactor: Prefactor = "derived",
    rule: Rule | None = None,
) -> np.ndarray:
    """ATS magnetization as the generic average of ``½ tanh(E/2k_BT) ∂E/∂B`` (Eqs. 93-94).

    ``∂E/∂B = A (∂A/∂B)/E`` with ``A = D0 φ_eff``, so orientation averaging (exact: the
    moment along B of a loop at angle β) and the high-field correction (Eq. 95) enter through
    ``∂A/∂B``. With ``ens.E0`` the parameters follow Eq. (97) at each T
    (:meth:`ATSEnsemble.scales_at`). [A m² per unit of ``ens.density``.]
    """
    T = temperature(T)
    B = finite("B", B)
    o = Orientation.of(orientation, high_field=high_field)
    pref = _prefactor(prefactor)
    # tanh(E/2T) ∂E/∂B falls as 1/E: per-point D rule on T and the field (Rule.d_nodes)
    rule = Rule.resolve(rule, decay="algebraic")

    def kernel(E, D, A, dA, T):
        return 0.5 * np.tanh(E / (2.0 * T)) * A * dA / E

    val = ens.average(kernel, B, T=T, orientation=o, rule=rule, derivative=True)
    return pref * K_B * val * np.sign(B)


def free_energy_ats(
    T: ArrayLike, B: ArrayLike, ens: ATSEnsemble, *,
    orientation: Orientation | str | None = None, high_field: bool | None = None,
    rule: Rule | None = None,
) -> np.ndarray:
    """Free energy ``F = -k_B T ∫dN ln(2 cosh(E/2k_BT))`` [J per unit] (needs a finite Dmax).

    The source of both ``M = -∂F/∂B`` and ``C = -T ∂²F/∂T²`` (thermodynamic consistency)."""
    if not np.isfinite(ens.Dmax):
        raise InputError("the free energy of the ATS ensemble diverges for Dmax = inf")
    T = temperature(T)

    def kernel(E, D, A, T):
        return -(0.5 * E + T * np.log1p(np.exp(-E / T)))

    # the kernel grows as E: resolve ln D over the whole of [Dmin, Dmax] (no mapped tail)
    rule = Rule.resolve(rule, float(ens.Dmax))
    return K_B * ens.average(kernel, B, T=T,
                             orientation=Orientation.of(orientation, high_field=high_field),
                             rule=rule)


def _tanh_log_integrals(xmin, x0min, x0max, n=48):
    """``∫_{xc1}^{xc2} tanh y ln((y² - x0min²)/xmin²) dy
    + ∫_{xc2}^∞ tanh y ln((y² - x0min²)/(y² - x0max²)) dy`` of Eq. (94).

    The logarithms are singular at ``y = x0min`` just below ``xc1`` and at ``y = x0max`` just
    below ``xc2`` when ``Dmin << D0 φ``: both pieces use
    :func:`coldglass.quadrature.log_mapped_nodes`;
    beyond ``2 xc2`` the integrand is resolved in ``ln y`` up to ``Y = max(4 xc2, 40)`` (where
    ``tanh y`` turns over at high T) and the algebraic tail beyond in ``t = Y/y``."""
    xmin, x0min, x0max = np.broadcast_arrays(xmin, x0min, x0max)
    xc1, xc2 = np.hypot(xmin, x0min), np.hypot(xmin, x0max)
    y, w = log_mapped_nodes(xc1, xc2, x0min)
    j1 = np.sum(np.tanh(y) * np.log((y**2 - x0min[..., None] ** 2) / xmin[..., None] ** 2) * w,
                axis=-1)

    def log_ratio(yy):
        return np.log1p((x0max[..., None] ** 2 - x0min[..., None] ** 2)
                        / (yy**2 - x0max[..., None] ** 2))

    y, w = log_mapped_nodes(xc2, 2.0 * xc2, x0max)
    j2 = np.sum(np.tanh(y) * log_ratio(y) * w, axis=-1)
    # middle: ln y from 2 xc2 to Y = max(4 xc2, 40) resolves tanh y ~ y at high T
    Y = np.maximum(4.0 * xc2, 40.0)
    y, w = log_mapped_nodes(2.0 * xc2, Y, np.zeros_like(xc2))
    j3 = np.sum(np.tanh(y) * log_ratio(y) * w, axis=-1)
    t, wt = mapped_nodes(np.zeros_like(xc2), np.ones_like(xc2), n)
    yt = Y[..., None] / t
    j4 = np.sum(np.tanh(yt) * log_ratio(yt) * Y[..., None] / t**2 * wt, axis=-1)
    return j1 + j2 + j3 + j4


def magnetization_ats_closed(
    T: ArrayLike,
    B: ArrayLike,
    ens: ATSEnsemble,
    *,
    orientation: Orientation | str | None = None,
    high_field: bool | None = None,
    prefactor: Prefactor = "derived",
    n_c: int = 12,
) -> np.ndarray:
    """ATS magnetization in the paper's closed form, Eq. (94) [A m² per unit].

    ``M = π P* n k_B T / b · {∫_{xc1}^{xc2} dy tanh y ln((y² - x0min²φ²)/x_min²)
    + ∫_{xc2}^∞ dy tanh y ln((y² - x0min²φ²)/(y² - x0max²φ²))}`` for the effective field
    ``b = B m`` of one orientation, times ``∂b/∂B``; averaged over c = cos β for
    ``"exact"``, ``m = 1/√3`` for ``"shortcut"``, and ``m = sqrt(1 - (B/B*)²/45)``-type factors
    with ``high_field`` (Eq. 95). Requires ``ens.Dmax = ∞``.
    """
    if np.isfinite(ens.Dmax):
        raise InputError("the closed form of Eq. (94) assumes Dmax = inf")
    if ens.E0 is not None:
        raise InputError("the closed form takes temperature-independent parameters: use the "
                         "generic average, or ens.replace(E0=None)")
    T, B = np.broadcast_arrays(temperature(T), finite("B", B))
    f = np.abs(B)
    o = Orientation.of(orientation, n=n_c, high_field=high_field)
    x = ens.field_ratio(f, o)
    m, dm_dx, w = o.factors(x)
    m = np.broadcast_to(m, f.shape + m.shape[-1:])
    dxdf = 0.0 if x is None else (1.0 if ens.B_star is None else 1.0 / ens.B_star)
    db_dB = m + f[..., None] * np.broadcast_to(dm_dx, m.shape) * dxdf
    a_min, a_max = ens.phase_energies(f)
    Tn = T[..., None]
    xmin = ens.Dmin / (2 * Tn)
    x0min = a_min[..., None] * m / (2 * Tn)
    x0max = a_max[..., None] * m / (2 * Tn)
    with np.errstate(divide="ignore", invalid="ignore"):
        j = _tanh_log_integrals(xmin, x0min, x0max)
        b = f[..., None] * m
        per_c = np.where(b > 0, np.pi * Tn / b * j * db_dB, 0.0)
    val = ens.density * K_B * np.sum(per_c * w, axis=-1)
    return _prefactor(prefactor) * val * np.sign(B)


def ats_moment(X_KA2: ArrayLike) -> np.ndarray:
    """Saturated ATS moment ``μ_ATS ≈ (π/φ0) |q/e| S D0`` (Eq. 89), φ0 = h/e [J/T].

    From ``μ = ½ ∂E/∂B`` with ``E = sqrt(D² + D0²φ²)`` for ``D0 φ >> D``. Divide by
    :data:`coldglass.constants.MU_B` for Bohr magnetons.
    """
    X = positive("X_KA2", X_KA2, "K*A^2")
    return np.pi * sc.e / sc.h * X * K_B * ANGSTROM2


def ats_parameters_at(
    T: ArrayLike, E0: float, T0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale factors ``(Dmin, D0, B*)`` of the temperature-dependent ATS parameters,
    Eqs. (96)-(97); see :meth:`coldglass.ensembles.ATSEnsemble.scales_at`, which applies them
    inside every average when the ensemble has ``E0`` and ``T0``."""
    T = temperature(T)
    E0 = float(finite("E0", E0))
    T0 = float(positive("T0", T0, "K"))
    ens = ATSEnsemble(Dmin=1.0, D0min=1.0, D0max=2.0, E0=E0, T0=T0)
    return ens.scales_at(T)
