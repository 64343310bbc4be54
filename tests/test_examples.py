"""The example script runs end to end (a smoke test of the public API as a user meets it)."""

import runpy
from pathlib import Path


def test_quickstart_runs(capsys):
    script = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "levels [K]" in out and "C̄p fit" in out
    assert script.with_name("quickstart.png").stat().st_size > 10_000
