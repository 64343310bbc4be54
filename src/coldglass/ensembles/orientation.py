"""Orientation averaging of the Aharonov-Bohm phase, with the high-field correction.

A loop whose normal makes the angle β with the field sees the phase ``φ cos β``; with β
uniform on the sphere, ``c = |cos β|`` is uniform on [0, 1] (docs/architecture.md §1). The
high-field correction of Eq. (20) replaces the squared phase by ``φ²(1 - φ²/27)``; per
orientation that is ``φ² c² (1 - x² c²/27)`` with ``x = B/B*`` (or ``x = φ`` in the phase
convention), whose orientation average is the paper's ``(φ²/3)(1 - x²/45)`` (Eq. 95).

:class:`Orientation` is the one place where both live: it returns the multipliers ``m``
(``φ_eff = m φ``), their derivatives ``∂m/∂x`` and the quadrature weights. Three kinds:

* ``"exact"``: Gauss-Legendre over c with ``n`` nodes on each of the graded panels
  [0, 1/64, 1/16, 1/4, 1] (at high field the kernels vary on the scale c ~ T/(D0max φ) << 1);
* ``"shortcut"``: the paper's ``φ² -> φ²/3`` (one node ``m = 1/√3``; with the correction,
  ``m = sqrt((1 - x²/45)/3)``);
* ``"none"``: the field along every loop normal (``m = 1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError
from ..quadrature import mapped_nodes

__all__ = ["Orientation", "OrientationKind", "ORIENTATIONS", "DEFAULT_ORIENTATION",
           "orientation_rule"]

OrientationKind = Literal["exact", "shortcut", "none"]
ORIENTATIONS = ("exact", "shortcut", "none")
_C_PANELS = np.array([0.0, 1.0 / 64.0, 1.0 / 16.0, 0.25, 1.0])


@dataclass(frozen=True)
class Orientation:
    """How the phase is averaged over loop orientations, and whether Eqs. (20, 95) apply.

    Parameters
    ----------
    kind : ``"exact"`` (default), ``"shortcut"`` (the paper's φ² -> φ²/3) or ``"none"``
    n : Gauss-Legendre nodes per c panel for ``"exact"`` (4 panels), >= 1
    high_field : apply the high-field correction of Eqs. (20, 95) (needs ``B*``)

    Examples
    --------
    >>> Orientation("shortcut").factors()[0]          # doctest: +ELLIPSIS
    array([0.577...])
    """

    kind: OrientationKind = "exact"
    n: int = 12
    high_field: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ORIENTATIONS:
            raise InputError(f"orientation must be one of {ORIENTATIONS}, got {self.kind!r}")
        if not (isinstance(self.n, int | np.integer) and self.n >= 1):
            raise InputError(f"orientation nodes n must be an integer >= 1, got {self.n!r}")
        if not isinstance(self.high_field, bool | np.bool_):
            raise InputError(f"high_field must be True or False, got {self.high_field!r}")

    @classmethod
    def of(cls, orientation: Orientation | str | None = None, *, n: int | None = None,
           high_field: bool | None = None) -> Orientation:
        """An :class:`Orientation` from itself, a kind name or None (the default, exact);
        ``n`` and ``high_field`` override the given object's fields when not None."""
        if orientation is None:
            base = DEFAULT_ORIENTATION
        elif isinstance(orientation, Orientation):
            base = orientation
        elif isinstance(orientation, str):
            base = cls(orientation)  # type: ignore[arg-type]
        else:
            raise InputError(f"orientation must be an Orientation or one of {ORIENTATIONS}, "
                             f"got {orientation!r}")
        return cls(base.kind, base.n if n is None else n,
                   base.high_field if high_field is None else bool(high_field))

    @property
    def limit(self) -> float:
        """Largest ``(B/B*)²`` for which the corrected phase² stays positive: 45 for the
        shortcut (Eq. 95), 27 per orientation (Eq. 20)."""
        return 45.0 if self.kind == "shortcut" else 27.0

    def label(self) -> str:
        """Short text for reports, e.g. ``exact (n=12), high-field B/B*``."""
        txt = {"exact": f"exact (n={self.n})", "shortcut": "shortcut φ²→φ²/3",
               "none": "none (field along the loop normal)"}[self.kind]
        return txt + (", high-field Eqs. 20/95" if self.high_field else "")

    def check_field_ratio(self, x: ArrayLike) -> None:
        """Refuse ``x = B/B*`` beyond the validity of the expansion (before any work)."""
        xs = np.abs(np.asarray(x, dtype=float))
        if xs.size and np.any(xs**2 >= self.limit):
            raise InputError(
                "high-field correction (Eqs. 20, 95) is an expansion in B/B*: the corrected "
                f"phase² turns negative for (B/B*)² >= {self.limit:g} ({self.kind} "
                f"orientation), got |B/B*| up to {xs.max():.3g}")

    def factors(self, x: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Multipliers ``m`` (``φ_eff = m φ``), ``∂m/∂x`` and weights ``w``.

        ``x = B/B*`` (or φ in the phase convention) is used only when ``high_field``; then
        ``m = c sqrt(1 - x² c²/27)`` per orientation, or ``sqrt((1 - x²/45)/3)`` for the
        shortcut. Shapes: ``m`` and ``dm_dx`` are ``x.shape + (n,)``, ``w`` is ``(n,)``.
        """
        use_x = self.high_field and x is not None
        xs = np.asarray(x, dtype=float) if use_x else np.zeros(np.shape(x) if x is not None
                                                               else ())
        if use_x:
            self.check_field_ratio(xs)
        xs = xs[..., None]
        if self.kind == "exact":
            c, w = mapped_nodes(_C_PANELS[:-1], _C_PANELS[1:], self.n)
            c, w = c.ravel(), w.ravel()
        elif self.kind == "shortcut":
            c, w = np.array([1.0 / np.sqrt(3.0)]), np.array([1.0])
        else:
            c, w = np.array([1.0]), np.array([1.0])
        if self.kind == "shortcut":
            root = np.sqrt(1.0 - xs**2 / 45.0)
            m = c * root
            dm = c * (-xs / 45.0) / root
        else:
            root = np.sqrt(1.0 - xs**2 * c**2 / 27.0)
            m = c * root
            dm = c * (-xs * c**2 / 27.0) / root
        return m, dm, w


DEFAULT_ORIENTATION = Orientation("exact")
"""The package's one orientation convention (API, fits and CLI): the exact average."""


def orientation_rule(
    orientation: Orientation | str, n_c: int = 24, x: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``Orientation(orientation, n_c, high_field=x is not None).factors(x)``: the
    multipliers, their derivatives and the weights (kept for scripts written against 0.1)."""
    o = Orientation.of(orientation, n=n_c if not isinstance(orientation, Orientation) else None,
                       high_field=x is not None)
    return o.factors(x)
