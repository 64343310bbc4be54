"""How live the explorer feels: the time one slider change takes to recompute its view's
curves (200 points each), ours against the un-cached public API, in one run.

For every view and every numeric control, starting from the view's default state, the
control moves by one slider step (``step`` decades on log sliders), as a drag does; every
other option of each choice and switch is timed too (the exact orientation average
included). *Ours* is :class:`coldglass.app.views.Evaluator` after the
initial render (what the page runs: only the curves that read the changed control are
recomputed, amplitudes are multiplications, earlier positions are cached — every moved-to
value here is new). *Reference* computes every curve of the view from the public model
functions (:func:`coldglass.app.views.reference_evaluate`), with the same display rules, so
both are at the same accuracy. Times are medians of ``REPEATS`` runs of the whole sweep.

Prints a table per view and ends with
``RESULT explore speedup=<reference over ours> view_ms=<median ours> ...``.
"""

from __future__ import annotations

import math
import statistics
import time

from coldglass.app.views import VIEWS, Control, Evaluator, default_state, reference_evaluate

REPEATS = 3
TARGET_MS = 50.0


def moves(v) -> list[tuple[str, object]]:
    """(control, new value): one slider step for every number, every other option for every
    choice and switch (the exact orientation average included)."""
    out = []
    for c in v.controls:
        if c.kind == "choice":
            out += [(c.name, o) for o in c.options if o != c.value]
        elif c.kind == "switch":
            out.append((c.name, not c.value))
        else:
            out.append((c.name, _step(c)))
    return out


def _step(c: Control):
    if c.log:
        return c.value * 10 ** c.step
    new = c.value + c.step
    return new if new <= c.end else c.value - c.step


def sweep(v, state0, evaluator=None) -> dict[str, float]:
    """ms per move (``control=value``): ours (``evaluator`` given, warmed on ``state0``) or
    the reference."""
    out = {}
    for name, value in moves(v):
        s = dict(state0) | {name: value}
        label = name if v.control(name).kind == "number" else f"{name}={value}"
        t0 = time.perf_counter()
        if evaluator is None:
            try:
                reference_evaluate(v, s)
            except Exception:  # noqa: BLE001 - a refused state costs what it costs
                pass
        else:
            evaluator.evaluate(v, s)
        out[label] = 1e3 * (time.perf_counter() - t0)
    return out


def landscape_ms() -> dict[str, float]:
    """Opening the example catalog and computing one well (median of 5, after a first call
    that loads LAMMPS): the landscape tab's two waits."""
    from coldglass.app.landscape_view import EXAMPLE_CATALOG, CatalogView

    if not EXAMPLE_CATALOG.exists():
        return {}
    opens, wells = [], []
    view = CatalogView(EXAMPLE_CATALOG)
    i = int(view.table["id"].iloc[0])
    view.well(i)
    for _ in range(5):
        t0 = time.perf_counter()
        view = CatalogView(EXAMPLE_CATALOG)
        opens.append(1e3 * (time.perf_counter() - t0))
        t0 = time.perf_counter()
        view.well(i)
        wells.append(1e3 * (time.perf_counter() - t0))
    return {"catalog_open_ms": statistics.median(opens),
            "well_ms": statistics.median(wells)}


def main() -> None:
    ours_all, ref_all, slow = [], [], []
    tot_ours = tot_ref = 0.0
    print(f"{'view':<14} {'control':<22} {'ours [ms]':>10} {'reference [ms]':>15}")
    for key, v in VIEWS.items():
        s0 = default_state(v)
        ours_runs, ref_runs = [], []
        for _ in range(REPEATS):
            ev = Evaluator()
            ev.evaluate(v, s0)  # the initial render
            ours_runs.append(sweep(v, s0, ev))
            ref_runs.append(sweep(v, s0))
        for name in ours_runs[0]:
            o = statistics.median(r[name] for r in ours_runs)
            r = statistics.median(x[name] for x in ref_runs)
            ours_all.append(o)
            ref_all.append(r)
            tot_ours += o
            tot_ref += r
            flag = "" if o < TARGET_MS else "  > target"
            if o >= TARGET_MS:
                slow.append(f"{key}.{name}")
            print(f"{key:<14} {name:<22} {o:10.2f} {r:15.2f}{flag}")
    med = statistics.median(ours_all)
    p95 = sorted(ours_all)[math.ceil(0.95 * len(ours_all)) - 1]
    within = sum(o < TARGET_MS for o in ours_all)
    print(f"{within}/{len(ours_all)} slider changes under {TARGET_MS:g} ms; over: "
          f"{', '.join(slow) or 'none'}")
    land = landscape_ms()
    for k, val in land.items():
        print(f"landscape {k}: {val:.1f}")
    print(f"RESULT explore speedup={tot_ref / tot_ours:.1f} view_ms={med:.2f} "
          f"reference=uncached_public_api_same_rules view_ms_p95={p95:.1f} "
          f"view_ms_max={max(ours_all):.1f} reference_view_ms={statistics.median(ref_all):.2f} "
          f"under_50ms={within}/{len(ours_all)} points=200"
          + "".join(f" {k}={v:.1f}" for k, v in land.items()))


if __name__ == "__main__":
    main()
