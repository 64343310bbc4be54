"""The explorer in a real browser: ``coldglass explore`` on a free localhost port, driven by
headless Chromium (Debian's ``chromium``) through playwright.

What the page shows is read from its bokeh data sources (named ``src:<curve>``) and checked
against the public model API and the Python fit (independent of the page's cache). A
screenshot of every tab is saved to ``$COLDGLASS_SCREENSHOTS`` (default
``build/screenshots/``). Without Panel, playwright or the browser these tests skip and say
which is missing; ``.ci/run`` installs all three.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("COLDGLASS_CHROMIUM") or shutil.which("chromium") or \
    shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("COLDGLASS_SCREENSHOTS", ROOT / "build" / "screenshots"))
# the flags this machine's closed network needs (no background connections)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytest.importorskip("panel", reason="the explorer's browser tests need Panel: "
                    "pip install -e '.[test]'")
sync_api = pytest.importorskip("playwright.sync_api", reason="the explorer's browser tests "
                               "need playwright: pip install -e '.[test]'")
if CHROMIUM is None or not Path(CHROMIUM).exists():
    pytest.skip("the explorer's browser tests need Chromium (Debian: apt-get install chromium;"
                f" or set COLDGLASS_CHROMIUM); not found{f' at {CHROMIUM}' if CHROMIUM else ''}",
                allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "coldglass.cli", "explore", "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    t0, line = time.time(), ""
    while time.time() - t0 < 90:
        line = proc.stdout.readline()
        if "explorer at" in line or proc.poll() is not None:
            break
    if "explorer at" not in line:
        proc.kill()
        pytest.fail(f"coldglass explore did not start: {line}{proc.stdout.read()}")
    url = line.split("explorer at ", 1)[1].split()[0]
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def page(server):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 1100})
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(server)
        pg.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0",
                             timeout=60_000)
        _wait_data(pg, "src:dos_E:B")
        pg.js_errors = errors
        yield pg
        browser.close()


def _ys(pg, name: str) -> np.ndarray:
    return np.array(pg.evaluate(
        "n => { const m = Bokeh.documents[0].get_model_by_name(n); "
        "return m ? Array.from(m.data.y ?? []) : null }", name) or [], dtype=float)


def _xs(pg, name: str) -> np.ndarray:
    return np.array(pg.evaluate(
        "n => Array.from(Bokeh.documents[0].get_model_by_name(n).data.x ?? [])", name),
        dtype=float)


def _wait_data(pg, name: str, changed_from: np.ndarray | None = None, timeout=60.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        y = _ys(pg, name)
        if y.size and (changed_from is None or y.shape != changed_from.shape
                       or not np.array_equal(y, changed_from)):
            return y
        pg.wait_for_timeout(100)
    raise AssertionError(f"{name}: no (new) data after {timeout} s")


_DEEP_TEXT = """e => { const out = []; const walk = n => {
    if (n.nodeType === 3) { out.push(n.textContent); return; }
    if (n.nodeName === "STYLE" || n.nodeName === "SCRIPT") return;
    if (n.shadowRoot) walk(n.shadowRoot);
    for (const c of n.childNodes) walk(c); };
  walk(e); return out.join(" "); }"""


def _text(pg, css: str) -> str:
    """The text of an element and of every shadow root below it (bokeh renders in them)."""
    return pg.locator(css).first.evaluate(_DEEP_TEXT)


def _tab(pg, title: str) -> None:
    pg.get_by_text(title, exact=True).first.click()
    pg.wait_for_timeout(400)


def _shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"explorer_{name}.png"), full_page=True)


def _type(pg, css: str, text: str) -> None:
    box = pg.locator(f"{css} input").first
    box.fill(text)
    box.press("Enter")


def test_every_tab_draws_and_is_saved(page):
    for title, key, src in (("Spectrum & DOS", "spectrum", "src:levels:E0"),
                            ("Heat capacity", "heat", "src:cp_T:total"),
                            ("Magnetization", "magnetization", "src:m_B:total"),
                            ("Dielectric", "dielectric", "src:deps_B:total"),
                            ("Echo", "echo", "src:echo_B:total")):
        _tab(page, title)
        y = _wait_data(page, src)
        assert y.size == 200 and np.all(np.isfinite(y)), title
        _shot(page, key)
    assert page.js_errors == []


def test_slider_moves_the_curve_to_the_model_at_the_new_value(page):
    import coldglass.models as cm

    _tab(page, "Heat capacity")
    before = _wait_data(page, "src:cpbar_B:total")
    handle = page.locator(".cg-heat-T .noUi-handle").first
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _wait_data(page, "src:cpbar_B:total", changed_from=before)
    T = float(page.locator(".cg-heat-T input").first.input_value())
    assert T == pytest.approx(0.65)  # 0.6 K + 5 steps of 0.01 K
    B = _xs(page, "src:cpbar_B:total")
    from coldglass.app.views import HEAT, default_state

    s = default_state(HEAT)
    ats = dict(Pn=s["Pn"], Dmin=s["Dmin"], X0min=s["X0min"], X0max=s["X0max"],
               orientation=s["orientation"])
    want = (cm.cp_bar_paramagnet(T, B, n=s["n_fe2"], species="Fe2+")
            + cm.cp_bar_paramagnet(T, B, n=s["n_fe3"], species="Fe3+")
            + cm.cp_bar_ats(T, B, **ats))
    # the five key presses may arrive as intermediate states: wait for the last one (the page
    # keeps only the newest), then compare. The display quadrature (rule and 6 orientation
    # nodes) is measured at 5e-6 of the maximum here; 1e-4 leaves room, and a wrong
    # temperature would not hide in it (~2 % per 0.01 K)
    tol = 1e-4 * np.max(np.abs(want))
    t0 = time.time()
    while True:
        after = _ys(page, "src:cpbar_B:total")
        if np.max(np.abs(after - want)) <= tol or time.time() - t0 > 30:
            break
        page.wait_for_timeout(200)
    np.testing.assert_allclose(after, want, rtol=0, atol=tol)
    assert not np.allclose(after, before, rtol=1e-3)


def test_a_typed_concentration_scales_its_part_exactly(page):
    """The box beside a log₁₀ slider takes the value itself; the Fe²⁺ part is linear in it."""
    _tab(page, "Heat capacity")
    before = _wait_data(page, "src:cp_T:Fe2+")
    old = float(page.locator(".cg-heat-n-fe2-value input").first.input_value())
    _type(page, ".cg-heat-n-fe2-value", "2.5e17")
    after = _wait_data(page, "src:cp_T:Fe2+", changed_from=before)
    np.testing.assert_allclose(after, before * 2.5e17 / old, rtol=1e-3)  # old shown to 4 digits
    _type(page, ".cg-heat-n-fe2-value", "-3")
    page.locator(".cg-heat-message").first.wait_for(state="visible", timeout=10_000)
    text = _text(page, ".cg-heat-message")
    assert "n(Fe²⁺)" in text and "outside the allowed range [0, inf] g^-1" in text, text
    _type(page, ".cg-heat-n-fe2-value", f"{old:g}")  # back; the message goes
    page.locator(".cg-heat-message").first.wait_for(state="hidden", timeout=10_000)


def test_a_value_outside_the_domain_is_refused_on_the_page(page):
    _tab(page, "Heat capacity")
    before = _wait_data(page, "src:cp_T:total")
    _type(page, ".cg-heat-Dmin", "-0.2")
    msg = page.locator(".cg-heat-message").first
    msg.wait_for(state="visible", timeout=10_000)
    text = _text(page, ".cg-heat-message")
    assert "Dmin" in text and "K" in text, text
    page.wait_for_timeout(500)
    np.testing.assert_array_equal(_ys(page, "src:cp_T:total"), before)
    _shot(page, "refused_value")
    _type(page, ".cg-heat-Dmin", "0.3")  # the app is still usable
    _wait_data(page, "src:cp_T:total", changed_from=before)
    assert not msg.is_visible()


def _csv(tmp_path: Path) -> Path:
    """BAS C̄p(B) in mK, mT and µJ/(g K) with drifting temperatures and noise (made up)."""
    import coldglass.models as cm
    from coldglass.materials import get_material

    hc = get_material("BAS").heat_capacity
    rng = np.random.default_rng(3)
    rows = []
    for r in hc.rows[:2]:
        B = np.linspace(0.2, 6.0, 14)
        T = r.T * (1 + 0.004 * rng.standard_normal(B.size))
        y = (cm.cp_bar_paramagnet(T, B, n=hc.n_fe2, species="Fe2+")
             + cm.cp_bar_paramagnet(T, B, n=hc.n_fe3, species="Fe3+")
             + cm.cp_bar_ats(T, B, Pn=hc.Pn_ats, Dmin=r.Dmin, X0min=r.X0min, X0max=r.X0max,
                             orientation="shortcut"))
        sig = 0.01 * np.abs(y).max() * np.ones_like(y)
        y = y + sig * rng.standard_normal(y.size)
        rows += [f"{t * 1e3:.3f},{b * 1e3:.1f},{v * 1e6:.6g},{s * 1e6:.3g}"
                 for t, b, v, s in zip(T, B, y, sig, strict=True)]
    path = tmp_path / "my_bas_run.csv"
    path.write_text("T [mK],B [mT],Cp_bar [uJ/(g K)],sigma [uJ/(g K)]\n" + "\n".join(rows) + "\n")
    return path


def test_upload_fit_table_and_curve_match_the_python_fit(page, tmp_path):
    from coldglass.app import fitting

    path = _csv(tmp_path)
    _tab(page, "Your data & fit")
    page.locator(".cg-upload input[type=file]").first.set_input_files(str(path))
    pts = _wait_data(page, "src:data:B")
    assert pts.size == 28
    # the file's own unit on the page: µJ/(g K)
    data = path.read_text().splitlines()[1:]
    np.testing.assert_allclose(np.sort(pts), np.sort([float(r.split(",")[2]) for r in data]))
    page.locator(".cg-fit-kind select").first.select_option("cp")
    page.locator(".cg-material select").first.select_option("BAS")
    page.locator(".cg-fit-button button").first.click()
    fit0 = _wait_data(page, "src:fit:B:0", timeout=180)
    page.locator(".cg-params table").first.wait_for(timeout=30_000)
    text = _text(page, ".cg-params")
    # the same fit in Python
    ds = fitting.read_upload(path.name, path.read_bytes())
    out = fitting.run_fit(fitting.build_fit(ds, fitting.FitRequest("cp", "BAS")))
    for row in out.table.itertuples():
        assert row.parameter in text
    v = out.table.set_index("parameter")["value"]
    for name in ("fe2_n", "ats_Pn"):
        if name in v.index:
            assert f"{v[name]:.5g}" in text, (name, text)
    cv = out.curves
    ycol = next(c for c in cv.columns if " total [" in c)
    first = cv.groupby(["dataset", "series"], sort=False).get_group(
        next(iter(cv.groupby(["dataset", "series"], sort=False).groups)))
    np.testing.assert_allclose(fit0, first[ycol].to_numpy(), rtol=1e-6)
    _shot(page, "fit")
    # the download is the CLI's params.csv of the same fit
    with page.expect_download() as dl:
        page.locator(".cg-download-params button").first.click()
    assert Path(dl.value.path()).read_text() == out.params_csv()
    # and the data are drawn over the model's C̄p(B) in its unit, J/(g K)
    _tab(page, "Heat capacity")
    over = _wait_data(page, "src:cpbar_B:data")
    np.testing.assert_allclose(np.sort(over), np.sort(ds.y), rtol=1e-12)
    _shot(page, "data_over_model")


def test_a_magnetization_file_with_T_and_B_sweeps_fits_and_draws_both(page):
    """M(T) at two fields and M(B) at two temperatures in one file (the example): the fit's
    table appears, each sweep is drawn on its own axis, the browser reports no error."""
    src = ROOT / "examples" / "data" / "bas_magnetization_synthetic.csv"
    _tab(page, "Your data & fit")
    page.locator(".cg-upload input[type=file]").first.set_input_files(str(src))
    _wait_data(page, "src:data:B")
    page.locator(".cg-material select").first.select_option("BAS")
    page.locator(".cg-fit-button button").first.click()
    for x in ("T", "B"):
        fit = _wait_data(page, f"src:fit:{x}:0", timeout=240)
        assert np.all(np.isfinite(fit)), x
    page.locator(".cg-params table").first.wait_for(timeout=30_000)
    assert "ats_Pn" in _text(page, ".cg-params")
    _shot(page, "fit_magnetization")
    _tab(page, "Magnetization")
    # the tab draws the user's sweeps once it is shown; on a busy machine that takes a moment
    for name in ("src:m_T:data", "src:m_B:data"):
        assert np.all(np.isfinite(_wait_data(page, name, timeout=60))), name
    assert page.js_errors == []


def test_a_malformed_csv_is_refused_with_file_and_line(page, tmp_path):
    bad = tmp_path / "typo.csv"
    bad.write_text("T [K],B [T],Cpbar [J/(g K)]\n0.6,1,1e-6\n")
    _tab(page, "Your data & fit")
    page.locator(".cg-upload input[type=file]").first.set_input_files(str(bad))
    page.locator(".cg-data-message").first.wait_for(state="visible", timeout=10_000)
    text = _text(page, ".cg-data-message")
    assert "typo.csv:1" in text and "Cpbar" in text, text
    _shot(page, "refused_csv")


def test_landscape_tab_opens_the_example_catalog(page):
    _tab(page, "Landscape catalog")
    page.locator(".cg-catalog-open button").first.click()
    V = _wait_data(page, "src:well:V", timeout=120)
    assert np.all(np.isfinite(V))
    assert _ys(page, "src:plane:all").size >= 1
    assert _ys(page, "src:well:psi0").size == V.size
    _shot(page, "landscape")
    assert page.js_errors == []
