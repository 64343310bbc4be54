"""Posterior sampling of a least-squares fit through lmfit's emcee route.

The log-likelihood is ``-χ²/2`` of the weighted residuals (``is_weighted=True``); when a data
set has no sigma column its residuals are first rescaled by ``1/sqrt(χ²_red)`` of the
least-squares fit (the noise estimated from the scatter, the same scaling lmfit applies to
the covariance). Flat priors within each parameter's bounds. Walkers start in a small ball
around the least-squares optimum; the first ``burn`` steps are discarded.
"""

from __future__ import annotations

from collections.abc import Callable

import lmfit
import numpy as np
import pandas as pd

from ..errors import InputError
from ..models.parameters import display_name
from .result import FitResult

__all__ = ["sample_posterior", "corner_plot"]


def sample_posterior(res: FitResult, *, steps: int = 1000, burn: int = 300, thin: int = 5,
                     nwalkers: int | None = None, seed: int = 0,
                     progress: Callable[[int, int], None] | None = None) -> FitResult:
    """Sample the posterior around ``res`` and store the chain and the credible intervals
    (posterior median, 68 % and 95 % central intervals) in ``res.mcmc``/``res.chain``.

    ``progress(done, total)`` is called as the walkers advance (total = walkers × steps).
    Returns ``res``.
    """
    if not (isinstance(steps, int) and steps > 0 and isinstance(burn, int) and 0 <= burn < steps
            and isinstance(thin, int) and thin >= 1):
        raise InputError(f"need integers steps > burn >= 0 and thin >= 1, got steps={steps!r}, "
                         f"burn={burn!r}, thin={thin!r}")
    prob = res.problem
    n_free = len(prob.free)
    nwalkers = nwalkers if nwalkers is not None else max(4 * n_free, 16)
    if not (isinstance(nwalkers, int) and nwalkers >= 2 * n_free):
        raise InputError(f"nwalkers must be an integer >= 2 x {n_free} free parameters")
    weights = dict(res.weights)
    scale = 1.0
    if any(ds.sigma is None for ds in prob.datasets.values()) and np.isfinite(
            res.result.redchi) and res.result.redchi > 0:
        scale = 1.0 / np.sqrt(res.result.redchi)
    base = prob.residual_function(weights)
    total = nwalkers * steps
    done = [0]

    def residual(params):
        done[0] += 1
        if progress is not None and done[0] % nwalkers == 0:
            progress(min(done[0], total), total)
        return base(params) * scale

    start = res.params.copy()
    rng = np.random.default_rng(seed)
    pos = []
    for _ in range(nwalkers):
        row = []
        for k in prob.free:
            p = start[k]
            width = (p.stderr if p.stderr and np.isfinite(p.stderr) else 1e-3 * abs(p.value)
                     or 1e-6)
            v = p.value + 1e-2 * width * rng.standard_normal()
            row.append(float(np.clip(v, p.min, p.max)))
        pos.append(row)
    mini = lmfit.Minimizer(residual, start)
    out = mini.emcee(params=start, steps=steps, burn=burn, thin=thin, nwalkers=nwalkers,
                     is_weighted=True, pos=np.array(pos), seed=seed, progress=False)
    chain = out.flatchain.copy()
    chain.columns = [display_name(c) for c in chain.columns]
    rows = []
    for c in chain.columns:
        q = np.percentile(chain[c], [2.5, 16, 50, 84, 97.5])
        rows.append({"parameter": c, "mcmc_median": q[2], "ci68_lo": q[1], "ci68_hi": q[3],
                     "ci95_lo": q[0], "ci95_hi": q[4]})
    res.mcmc = pd.DataFrame(rows)
    res.chain = chain
    acc = float(np.mean(out.acceptance_fraction))
    res.notes.append(f"MCMC (emcee via lmfit): {nwalkers} walkers x {steps} steps, burn {burn}, "
                     f"thin {thin}, {len(chain)} samples, mean acceptance {acc:.2f}"
                     + ("; residuals rescaled by 1/sqrt(reduced chi2) (no sigma column)"
                        if scale != 1.0 else ""))
    return res


def corner_plot(res: FitResult, path=None):
    """Corner plot of the posterior samples (``corner``) with the least-squares values as
    truths; saved to ``path`` when given. Returns the figure."""
    import corner

    if res.chain is None:
        raise InputError("no posterior samples: run sample_posterior first")
    from ..models.parameters import spec

    cols = list(res.chain.columns)
    # each axis in units of the parameter's typical scale: no offset texts over the panels
    scales = [spec(c).scale for c in cols]
    labels = [f"{c} [{'' if sc == 1 else f'{sc:g} '}{spec(c).unit}]"
              for c, sc in zip(cols, scales, strict=True)]
    data = res.chain.to_numpy() / np.array(scales)
    truths = [res.value(c) / sc for c, sc in zip(cols, scales, strict=True)]
    fig = corner.corner(data, labels=labels, truths=truths, quantiles=[0.16, 0.5, 0.84],
                        show_titles=True, title_fmt=".3g", max_n_ticks=3,
                        label_kwargs={"fontsize": 8}, title_kwargs={"fontsize": 7},
                        labelpad=0.12)
    if path is not None:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    return fig
