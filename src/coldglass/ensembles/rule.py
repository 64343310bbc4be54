"""The quadrature rule of the ensemble averages as a frozen value.

The ATS average (:meth:`coldglass.ensembles.ATSEnsemble.average`) is a tensor Gauss-Legendre
rule in ``u = ln D0`` and ``v = ln D`` (and ``c = cos β``, owned by
:class:`coldglass.ensembles.Orientation`). A :class:`Rule` fixes the node counts; it is
hashable, so callers can cache on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["Rule", "DEFAULT_RULE", "FIT_RULE"]


@dataclass(frozen=True)
class Rule:
    """Nodes of the (u, v) tensor rule.

    Parameters
    ----------
    n_u : Gauss-Legendre nodes per panel (width 4) of ``u = ln(D0/D0min)``
    n_v : nodes per unit of ``v = ln(D/Dmin)`` up to the energy scale (or per panel with
        ``v_panels``), plus ``2 n_v`` nodes for the mapped tail up to Dmax
    energy_scale : upper end [K] of the resolved ln D range; None: ``60 T`` (kernels with a
        temperature) or ``1e3 max(Dmin, D0max φ)``, whichever the observable asks for
    v_panels : a fixed number of ln D panels instead of panels of unit width; the nodes then
        move smoothly with Dmin, as finite-difference Jacobians in fits need
    max_chunk : largest number of kernel evaluations held in memory at once
    """

    n_u: int = 20
    n_v: int = 12
    energy_scale: float | None = None
    v_panels: int | None = None
    max_chunk: int = 2_000_000

    def __post_init__(self) -> None:
        for name in ("n_u", "n_v", "max_chunk"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 1):
                raise ValueError(f"Rule.{name} must be an integer >= 1, got {v!r}")
        if self.v_panels is not None and not (isinstance(self.v_panels, int)
                                              and self.v_panels >= 1):
            raise ValueError(f"Rule.v_panels must be None or an integer >= 1, "
                             f"got {self.v_panels!r}")
        if self.energy_scale is not None and not (self.energy_scale > 0
                                                  and self.energy_scale < float("inf")):
            raise ValueError(f"Rule.energy_scale must be None or a finite energy > 0 K, got "
                             f"{self.energy_scale!r}")

    @staticmethod
    def resolve(rule: Rule | None, energy_scale: float) -> Rule:
        """``rule`` (default :data:`DEFAULT_RULE`) with ``energy_scale`` filled in when it
        has none: observables pass the scale their kernel needs (e.g. 60 T)."""
        rule = DEFAULT_RULE if rule is None else rule
        if not isinstance(rule, Rule):
            raise ValueError(f"rule must be a coldglass.ensembles.Rule, got {rule!r}")
        return rule if rule.energy_scale is not None else replace(rule,
                                                                  energy_scale=energy_scale)

    def with_(self, **changes) -> Rule:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)


DEFAULT_RULE = Rule()
"""~1e-8 relative for the smooth kernels of the observables."""

FIT_RULE = Rule(n_u=8, n_v=5, v_panels=5)
"""Used inside fits: ~1e-6 relative, far below measurement noise, nodes smooth in the
parameters (fixed panel count)."""
