"""Shared helpers of the report sections (a leaf module: it imports nothing of the report;
``legend_outside`` is :func:`coldglass.plotting.legend_outside`).

A section is a function ``section(out: Path) -> Part``: it writes its figures and CSV files
into ``out`` and returns its Markdown and its :class:`Claim` list. Every claim about the paper
is built from a computed number by :func:`compare` or :func:`check`, so the verdict in the
claims table cannot disagree with the figure it sits under.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..plotting import legend_outside

__all__ = ["Claim", "Part", "VERDICTS", "check", "claims_frame", "claims_table", "compare",
           "markdown_table", "save_figure", "legend_outside"]

VERDICTS = ("match", "partial", "mismatch", "not computed")
"""The verdicts of a claim: the paper's statement holds for our number (``match``), holds
within the looser tolerance or for some of the readings (``partial``), fails (``mismatch``),
or cannot be computed from what the paper gives (``not computed``: experimental data or a
schematic)."""


@dataclass(frozen=True)
class Claim:
    """One statement of the paper set against our computed number.

    ``item`` names the figure, table or equation ("Fig. 16", "Table 12"); ``paper`` is what the
    paper states; ``ours`` is our computed value as text; ``verdict`` is one of
    :data:`VERDICTS`; ``basis`` says how the verdict was decided (the tolerance).
    """

    item: str
    paper: str
    ours: str
    verdict: str
    basis: str = ""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass
class Part:
    """What a section returns: its Markdown (figures, prose) and its claims."""

    markdown: str
    claims: list[Claim] = field(default_factory=list)


def _fmt(v: float, fmt: str) -> str:
    return "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)


def compare(item: str, paper: str, ours: float, expected: float, rtol: float,
            partial_rtol: float | None = None, fmt: str = "{:.3g}", unit: str = "") -> Claim:
    """A claim that our number ``ours`` equals the paper's ``expected`` within ``rtol``
    (``match``), within ``partial_rtol`` (``partial``), else ``mismatch``."""
    ours, expected = float(ours), float(expected)
    rel = abs(ours / expected - 1.0) if expected != 0 else abs(ours)
    if not np.isfinite(rel):
        verdict = "mismatch"
    elif rel <= rtol:
        verdict = "match"
    elif partial_rtol is not None and rel <= partial_rtol:
        verdict = "partial"
    else:
        verdict = "mismatch"
    u = f" {unit}" if unit else ""
    measure = "|ours/paper − 1|" if expected != 0 else "|ours| (the paper's value is 0)"
    basis = f"{measure} = {rel:.2g}; match ≤ {rtol:g}" + (
        f", partial ≤ {partial_rtol:g}" if partial_rtol is not None else "")
    return Claim(item, paper, _fmt(ours, fmt) + u, verdict, basis)


def check(item: str, paper: str, ours: str, holds: bool, partly: bool = False,
          basis: str = "") -> Claim:
    """A claim decided by a computed condition: ``holds`` → match, else ``partly`` → partial,
    else mismatch. ``ours`` is the computed number(s) the condition was evaluated on."""
    verdict = "match" if holds else ("partial" if partly else "mismatch")
    return Claim(item, paper, ours, verdict, basis)


def claims_frame(claims: Sequence[Claim]) -> pd.DataFrame:
    """The claims as a DataFrame (columns item, paper, ours, verdict, basis)."""
    return pd.DataFrame([c.__dict__ for c in claims],
                        columns=["item", "paper", "ours", "verdict", "basis"])


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def claims_table(claims: Sequence[Claim]) -> str:
    """The claims of one section as a Markdown table (empty string for none)."""
    if not claims:
        return ""
    lines = ["**Claims** (verdicts computed from the numbers above)", "",
             "| item | the paper | coldglass | verdict | basis |", "|---|---|---|---|---|"]
    for c in claims:
        lines.append("| " + " | ".join(_cell(x) for x in (c.item, c.paper, c.ours,
                                                          f"**{c.verdict}**", c.basis)) + " |")
    return "\n".join(lines) + "\n"


def save_figure(fig_or_ax, path: Path) -> None:
    """Save a figure (or the figure of an axes) as PNG and close it."""
    import matplotlib.pyplot as plt

    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    fig.savefig(path, dpi=130)
    plt.close(fig)


def markdown_table(df: pd.DataFrame, floatfmt: str = "{:.4g}") -> str:
    """A DataFrame as a Markdown table (floats with ``floatfmt``)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(_cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = [floatfmt.format(v) if isinstance(v, float) else _cell(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
