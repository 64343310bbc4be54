"""Units and constants: Eqs. (98)-(100), the Fe moments, the field-to-phase constant."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import constants as C
from ._common import markdown_table

__all__ = ["section_units"]


def section_units(out: Path) -> str:
    """Eqs. (99)-(100), the Fe moments and the field-to-phase constant."""
    rows = [
        ("Eq. (99) n_Fe3+ nominal BAS (102 ppm) [g^-1]", 7.63e17,
         float(C.ppm_to_per_gram(102, "BAS"))),
        ("Eq. (100) n_Fe3+ nominal Duran (126 ppm) [g^-1]", 1.23e18,
         float(C.ppm_to_per_gram(126, "Duran"))),
        ("Table 1: n_Fe2+ BAS 1.06e17 g^-1 [ppm]", 14.23, float(C.per_gram_to_ppm(1.06e17, "BAS"))),
        ("Table 3: n_Fe2+ Duran 3.21e17 g^-1 [ppm]", 33.01,
         float(C.per_gram_to_ppm(3.21e17, "Duran"))),
        ("Fe2+ moment g sqrt(J(J+1)) [mu_B]", 2 * np.sqrt(6), C.effective_moment(2.0, 2.0)),
        ("Fe3+ moment g sqrt(J(J+1)) [mu_B]", np.sqrt(35), C.effective_moment(2.5, 2.0)),
        ("D0*phi per (K A^2 T) [K] (DESIGN 1.5193e-5)", 1.5193e-5, C.PHASE_ENERGY_PER_KA2_T),
    ]
    df = pd.DataFrame(rows, columns=["quantity", "paper", "coldglass"])
    df["rel. diff"] = df["coldglass"] / df["paper"] - 1.0
    df.to_csv(out / "unit_checks.csv", index=False)
    return ("## Units and constants (Eqs. 98-100)\n\nPaper values are printed to 3-4 digits; "
            "the relative differences are rounding.\n\n" + markdown_table(df) + "\n")
