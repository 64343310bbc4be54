"""The report's last section: every figure and table of the paper with its verdict.

The verdict of an item is that of its claims (the worst one: a mismatch outweighs a match);
items with no claim are the paper's experimental data, cartoons and sample lists, which no
model computes (:data:`NOT_COMPUTED`), or they are reported as ``missing``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ._common import Claim, Part, markdown_table

__all__ = ["ITEMS", "NOT_COMPUTED", "item_verdicts", "section_coverage"]

ITEMS = [f"Fig. {k}" for k in range(1, 28)] + [f"Table {k}" for k in range(1, 15)]
"""The paper's 27 figures and 14 tables."""

NOT_COMPUTED = {
    "Fig. 1": "MD relaxation-time map of a 2D system (another group's simulation)",
    "Fig. 2": "cartoon of the cellular structure and the four-welled potential",
    "Fig. 3": "contour cartoon of a three-welled potential",
    "Fig. 12": "schematic of the two-pulse echo experiment",
    "Fig. 13": "measured echo amplitudes of four glasses (data only, no model curve)",
    "Fig. 14": "measured echo amplitudes of glycerol-d3 and -d0 (data only)",
    "Fig. 15": "measured IEA(τ12) of glycerol-d5 (data only)",
    "Fig. 18": "measured IEA(τ12) of deuterated glycerol samples (data only)",
    "Table 9": "purity and water content of the glycerol samples (sample data)",
}
"""Items of the paper that are data or drawings, with what they are."""

_ORDER = {"mismatch": 0, "partial": 1, "match": 2, "not computed": 3}


def _items_of(item: str) -> list[str]:
    """The paper items named in a claim's ``item`` ("Figs. 16-17", "Tables 12, 13", "Eq. 89"
    names none)."""
    out = []
    for kind, body in re.findall(r"(Figs?\.|Tables?)\s*([0-9][0-9,\s\-–and]*)", item):
        name = "Fig." if kind.startswith("Fig") else "Table"
        for lo, hi in re.findall(r"(\d+)(?:\s*[-–]\s*(\d+))?", body):
            for k in range(int(lo), int(hi or lo) + 1):
                out.append(f"{name} {k}")
    return out


def item_verdicts(claims: Sequence[Claim]) -> pd.DataFrame:
    """One row per paper item: its verdict (the worst of its claims), the number of claims."""
    by_item: dict[str, list[Claim]] = {k: [] for k in ITEMS}
    for c in claims:
        for it in _items_of(c.item):
            if it in by_item:
                by_item[it].append(c)
    rows = []
    for it in ITEMS:
        cs = by_item[it]
        if cs:
            worst = min(cs, key=lambda c: _ORDER[c.verdict])
            counts = {v: sum(c.verdict == v for c in cs) for v in _ORDER}
            rows.append((it, worst.verdict, len(cs),
                         ", ".join(f"{n} {v}" for v, n in counts.items() if n)))
        elif it in NOT_COMPUTED:
            rows.append((it, "not computed", 0, NOT_COMPUTED[it]))
        else:
            rows.append((it, "missing", 0, "no claim computed"))
    return pd.DataFrame(rows, columns=["item", "verdict", "claims", "detail"])


def section_coverage(out: Path, claims: Sequence[Claim]) -> Part:
    """Every figure and table of the paper with the verdict of its claims."""
    df = item_verdicts(claims)
    df.to_csv(out / "coverage.csv", index=False)
    tally = df["verdict"].value_counts()
    summary = ", ".join(f"{n} {v}" for v, n in tally.items())
    return Part("## Coverage: every figure and table of the paper\n\n"
                f"{len(df)} items: {summary}. An item's verdict is the worst of its claims "
                "(one mismatch makes it a mismatch); the claims themselves are in the sections "
                "above and in `claims.csv`.\n\n" + markdown_table(df) + "\n")
