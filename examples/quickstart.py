"""A tour of coldglass in one script: spectrum, DOS, heat capacity, magnetization, a fit.

Run after installing: ``python examples/quickstart.py`` (writes quickstart.png here).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import coldglass as cg  # noqa: E402
from coldglass.data import read_csv  # noqa: E402
from coldglass.fitting import fit_cp_bar  # noqa: E402
from coldglass.materials import get_material  # noqa: E402
from coldglass.observables import magnetization_ats  # noqa: E402

# 1. the three-welled potential: exact levels (Eq. 8) and the effective 2LS gap (Eq. 9)
print("levels [K]:", cg.twp_levels(0.01, -0.004, -0.006, 1.0, 0.05))

# 2. the ATS density of states in a field (Eq. 13), exact orientation average
ats = cg.ATSEnsemble(Dmin=0.49, D0min=4.77e4, D0max=3.09e5, density=5.19e16)  # BAS
E = np.linspace(0.3, 4.0, 300)
fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
for B in (0.0, 0.5, 2.0):
    axes[0].plot(E, ats.dos(E, B), label=f"B = {B} T")
axes[0].set(xlabel="E [K]", ylabel="g_ATS [1/(K g)]", title="ATS DOS")
axes[0].legend()

# 3. field-subtracted heat capacity of BAS with its parts (Tables 1-2)
bas = get_material("BAS")
Bf = np.linspace(0.02, 4, 200)
parts = bas.heat_capacity.glass(0.9).cp_bar(0.9, Bf, parts=True)
for k, v in parts.items():
    axes[1].plot(Bf, v * 1e6, label=k)
axes[1].set(xlabel="B [T]", ylabel="C̄p [µJ/(g K)]", title="BAS at 0.9 K")
axes[1].legend()

# 4. ATS magnetization vs field at two temperatures
for T in (2.0, 10.0):
    axes[2].plot(Bf, magnetization_ats(T, Bf, ats) * 1e6, label=f"T = {T} K")
axes[2].set(xlabel="B [T]", ylabel="M_ATS [1e-6 A m²/g]", title="ATS magnetization")
axes[2].legend()
out = Path(__file__).with_name("quickstart.png")
fig.savefig(out, dpi=120)
print("wrote", out)

# 5. fit the synthetic C̄p data shipped with the examples
data = read_csv(Path(__file__).with_name("data") / "bas_cp_bar_synthetic.csv")
print(fit_cp_bar(data, bas, orientation="shortcut").report())  # the data's convention
