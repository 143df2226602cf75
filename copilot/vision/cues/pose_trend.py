"""How a person's neutral measures drift with their head pose, learned from their own frames.

The face mesh does not read a turned or nodded face exactly as the same face frontal:
with the head down, one man's brows read 0.04 interocular distances higher (a full brow
raise); turned 20°, another's read as fully lowered. The drift differs from person to
person, and is not even symmetric (that man's brows do not move with the head up), so
it is learned per person: over the baseline's samples, each expression measure is
fitted as a quadratic in yaw and pitch (away from the usual pose), and the neutral
compared with at each frame is that curve at the current pose.

The fit is robust (Tukey's biweight, so held expressions count as outliers, not as
neutral) and held toward "no drift" (ridge) until the person has shown enough head
movement to tell: with a pose spread of `prior_deg` the learned slope is halved.
"""

from __future__ import annotations

import numpy as np

BIWEIGHT_C = 4.685  # Tukey's constant, in robust standard deviations
ROUNDS = 3


def fit_pose_trend(values: np.ndarray, pose: np.ndarray, prior_deg: float) -> np.ndarray:
    """(5, columns): each column's value at the usual pose, then its change per degree of yaw
    and of pitch, then per degree squared of each (the terms of `_terms`).

    `values` (samples, columns) are measures, `pose` (samples, 2) the yaw and pitch at
    each sample, both over the same samples; pose is taken from its median.
    """
    x = _terms(pose - np.median(pose, axis=0))  # (samples, terms)
    coef = np.zeros((x.shape[1], values.shape[1]))  # (terms, columns)
    coef[0] = np.median(values, axis=0)
    # held toward no drift: a term counts as much as `prior_deg` of spread in its pose
    prior = np.diag([0.0, *[prior_deg ** 2] * 2, *[prior_deg ** 4] * 2]) + 1e-12 * np.eye(x.shape[1])
    for _ in range(ROUNDS):  # every column at once: one small weighted system per column
        residual = values - x @ coef
        spread = np.median(np.abs(residual - np.median(residual, axis=0)), axis=0)
        u = residual / (BIWEIGHT_C * 1.4826 * spread + 1e-9)
        w = np.where(np.abs(u) < 1, (1 - u ** 2) ** 2, 0.0)  # (samples, columns)
        weighted = (x[:, :, None] * w[:, None, :]).transpose(2, 1, 0)  # (columns, terms, samples)
        normal = weighted @ x + w.sum(axis=0)[:, None, None] * prior
        # A column whose every sample the last round's curve misses by more than the cut-off
        # (with a few samples, that curve can sit to one side of all of them) has no weight
        # left to fit with: it keeps that curve rather than solve an empty system.
        kept = w.sum(axis=0) > 0
        coef[:, kept] = np.linalg.solve(normal[kept], (weighted @ values.T[:, :, None])[kept])[..., 0].T
    return coef


def at_pose(coef: np.ndarray, pose_offset: np.ndarray) -> np.ndarray:
    """The fitted neutral of each column at `pose_offset` (yaw, pitch) from the usual pose."""
    return _terms(np.asarray(pose_offset, np.float64)[None])[0] @ coef


def _terms(offset: np.ndarray) -> np.ndarray:
    """1, yaw, pitch, yaw², pitch² of each (yaw, pitch) row."""
    return np.column_stack([np.ones(len(offset)), offset, offset ** 2])
