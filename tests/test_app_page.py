"""The explorer's page logic without a browser (needs Panel, not Chromium): widgets and
state, presets, the worker, and the data tab's fit drawn per sweep."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("panel", reason="the explorer needs Panel: pip install -e '.[test]'")

from coldglass.app import views  # noqa: E402
from coldglass.app.explorer import DataTab, ModelTab, _Worker  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


def test_a_typed_value_sets_the_state_and_the_slider_and_redraws():
    tab = ModelTab(views.HEAT, _Worker())
    asyncio.run(tab.refresh())
    before = np.array(tab.sources["cp_T:Fe2+"].data["y"])
    c = views.HEAT.control("n_fe2")
    asyncio.run(tab._typed(c, "3e17"))
    assert tab.state["n_fe2"] == 3e17
    assert tab.widgets["n_fe2"].value == pytest.approx(np.log10(3e17))
    after = np.array(tab.sources["cp_T:Fe2+"].data["y"])
    np.testing.assert_allclose(after, before * 3e17 / views.default_state(views.HEAT)["n_fe2"],
                               rtol=1e-12)
    asyncio.run(tab._typed(c, "lots"))
    assert tab.message.visible and "not a number" in tab.message.object
    assert tab.state["n_fe2"] == 3e17  # refused: unchanged
    asyncio.run(tab._typed(c, "1e21"))  # beyond the slider: the slider grows
    assert tab.widgets["n_fe2"].end >= 21 and not tab.message.visible


def test_a_preset_sets_the_exact_table_values_and_redraws_once():
    tab = ModelTab(views.MAGNETIZATION, _Worker())
    asyncio.run(tab.refresh())
    n0 = tab.evaluator.computed
    name = "Duran (Table 11)"
    asyncio.run(tab._apply_preset(SimpleNamespace(new=name)))
    assert tab.state == views.preset_state(views.MAGNETIZATION, name)  # not rounded logs
    assert tab.evaluator.computed - n0 <= 6  # one refresh: the two ATS parts and the rest
    assert tab.boxes["X0min"].value == "200000"  # 6 significant digits


def test_the_worker_skips_overtaken_jobs():
    w = _Worker()
    ran = []
    gate = threading.Event()

    def slow(tag):
        gate.wait(5)
        ran.append(tag)
        return tag

    async def main():
        a = asyncio.ensure_future(w.run(slow, "a"))
        await asyncio.sleep(0.05)
        b = asyncio.ensure_future(w.run(slow, "b"))
        c = asyncio.ensure_future(w.run(slow, "c"))
        await asyncio.sleep(0.05)
        gate.set()
        return await a, await b, await c

    assert asyncio.run(main()) == (None, None, "c")
    assert ran == ["a", "c"]  # "a" had started; "b" was overtaken before it started


def _upload(tab: DataTab, path: Path) -> None:
    tab.upload.filename = path.name
    tab._uploaded(SimpleNamespace(new=path.read_bytes()))


def test_a_file_with_T_and_B_sweeps_is_fitted_and_drawn_on_both_axes():
    tab = DataTab(_Worker())
    _upload(tab, DATA / "bas_magnetization_synthetic.csv")
    assert tab.kind.value == "magnetization" and not tab.fit_button.disabled
    tab.material.value = "BAS"
    tab.orientation.value = "shortcut"
    asyncio.run(tab._fit(None))
    assert tab.outcome is not None, tab.message.object
    xs = {s["x"] for s in tab.outcome.series}
    assert xs == {"T", "B"}
    for x in ("T", "B"):
        assert len(tab.data_sources[x].data["x"]) > 0 and tab.panes[x].visible
        fit = np.asarray(tab.fit_sources[x][0].data["x"], float)
        assert fit.size and np.all(np.isfinite(fit)), x
    assert not tab.panes["tau12"].visible
    assert "ats_Pn" in set(tab.params.object["parameter"])


def test_a_per_mole_file_needs_a_molar_mass_and_takes_the_materials(tmp_path):
    path = tmp_path / "permole.csv"
    path.write_text("T [K],B [T],Cp_bar [mJ/(mol K)]\n" + "\n".join(
        f"0.6,{b},{0.3 * np.exp(-b):.5g}" for b in np.linspace(0.2, 6, 12)) + "\n")
    tab = DataTab(_Worker())
    _upload(tab, path)
    assert tab.message.visible and "molar" in tab.message.object
    assert "choose the material" in tab.message.object and tab.fit_button.disabled
    tab.kind.value = "cp"
    tab.material.value = "BAS"  # the CLI reads per-mole units with the material's molar mass
    assert tab.dataset is not None and not tab.message.visible and not tab.fit_button.disabled
    assert tab.dataset.quantity == "Cp_bar" and tab.dataset.y.size == 12
    from coldglass.materials import get_material

    # 0.3 mJ/(mol K) e^{-B} at B = 0.2 T, in J/(g K) with BAS's molar mass
    assert tab.dataset.y[0] == pytest.approx(0.3e-3 * np.exp(-0.2) / get_material(
        "BAS").molar_mass, rel=1e-4)
