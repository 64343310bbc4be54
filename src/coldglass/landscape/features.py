"""Cheap features of every pair of inherent structures: what the pair selection learns from.

A search visits many inherent structures (IS); every pair of them, not only consecutive
ones, is a candidate double well. Verifying a pair costs a NEB and its saddle (tens of CPU
seconds at N = 1000); its features cost microseconds. Following Ciarella et al.,
Nat. Commun. 14, 4229 (2023), the features of a pair (a, b) are

* ``dE``: |E_b − E_a| [ε], the asymmetry of the would-be double well;
* ``E_low``: min(E_a, E_b) − E_ref [ε], how deep the pair sits (E_ref: the lowest IS);
* ``d``: the total displacement |x_b − x_a| [σ] (minimum image, the uniform translation
  removed; the IS of one trajectory keep their particle labels, so no permutation);
* ``pr``: the participation ratio (Σ|u_i|²)² / (N Σ|u_i|⁴) of the displacements u_i
  (as :func:`~coldglass.landscape.tunneling.participation`);
* ``u1``, ``u2``, ``u3``: the three largest single-particle displacements [σ];
* ``n_obs``: how often the transition a ↔ b was observed directly (consecutive quenches of
  the trajectory); 0 for a pair never seen as a transition.

:func:`pair_features` returns one table for all K(K − 1)/2 pairs, computed in blocks so that
memory stays O(block · N) (``block`` pairs at a time).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .model import BinaryLJ, minimum_image

__all__ = ["FEATURES", "FEATURE_UNITS", "pair_features", "transition_counts"]

FEATURE_UNITS = {"dE": "eps", "E_low": "eps", "d": "sigma", "pr": "1", "u1": "sigma",
                 "u2": "sigma", "u3": "sigma", "n_obs": "1"}
"""The features of a pair and their units (reduced Lennard-Jones units)."""
FEATURES = tuple(FEATURE_UNITS)


def transition_counts(sequence: Sequence[int]) -> dict[tuple[int, int], int]:
    """How often each unordered pair (i < j) of IS ids follows each other in ``sequence``
    (the IS ids of consecutive quenches; repeats of one id are not transitions)."""
    out: dict[tuple[int, int], int] = {}
    seq = [int(s) for s in sequence]
    for a, b in zip(seq[:-1], seq[1:], strict=True):
        if a != b:
            key = (min(a, b), max(a, b))
            out[key] = out.get(key, 0) + 1
    return out


def pair_features(model: BinaryLJ, positions: np.ndarray, energies: np.ndarray, *,
                  counts: dict[tuple[int, int], int] | None = None,
                  block: int = 256) -> pd.DataFrame:
    """Features (:data:`FEATURES`) of every pair i < j of the inherent structures.

    Parameters
    ----------
    model : the glass model (box length, masses)
    positions : (K, N, 3) [σ], the K inherent structures, particles labelled alike
    energies : (K,) [ε]
    counts : observed transitions ``{(i, j): n}`` (:func:`transition_counts`); default none
    block : pairs computed at once (memory ~ 24·block·N bytes)

    Returns
    -------
    DataFrame with columns ``i``, ``j`` and the features, K(K − 1)/2 rows, i < j.
    """
    X = np.asarray(positions, dtype=float)
    E = np.asarray(energies, dtype=float)
    if X.ndim != 3 or X.shape[1:] != (model.n_atoms, 3):
        raise InputError(f"positions must have shape (K, {model.n_atoms}, 3), got {X.shape}")
    if E.shape != (len(X),) or not (np.all(np.isfinite(E)) and np.all(np.isfinite(X))):
        raise InputError(f"energies must be finite with shape ({len(X)},), matching positions")
    if len(X) < 2:
        raise InputError(f"need at least 2 inherent structures for a pair, got {len(X)}")
    counts = {} if counts is None else counts
    K, N = len(X), model.n_atoms
    L = model.box_length
    m = model.particle_masses
    e_ref = float(E.min())
    I, J = np.triu_indices(K, 1)
    frames = []
    for p0 in range(0, len(I), block):  # `block` pairs at a time: memory O(block · N)
        ii, jj = I[p0:p0 + block], J[p0:p0 + block]
        u = minimum_image(X[jj] - X[ii], L)  # (P, N, 3)
        u -= (m[None, :, None] * u).sum(1, keepdims=True) / m.sum()  # uniform translation
        r2 = np.einsum("pnk,pnk->pn", u, u)
        s2 = r2.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            pr = np.where(s2 > 0, s2 ** 2 / (N * np.sum(r2 ** 2, 1)), np.nan)
        k3 = min(3, N)
        top = -np.sort(-np.partition(r2, N - k3, axis=1)[:, N - k3:], axis=1)
        top = np.sqrt(top)
        frames.append(pd.DataFrame({
            "i": ii, "j": jj, "dE": np.abs(E[jj] - E[ii]),
            "E_low": np.minimum(E[ii], E[jj]) - e_ref, "d": np.sqrt(s2), "pr": pr,
            "u1": top[:, 0], "u2": top[:, 1], "u3": top[:, 2],
            "n_obs": [counts.get((int(a), int(b)), 0) for a, b in zip(ii, jj, strict=True)]}))
    return pd.concat(frames, ignore_index=True)
