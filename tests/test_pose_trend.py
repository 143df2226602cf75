"""The per-person curve of neutral measures against head pose (copilot/vision/cues/pose_trend.py)."""

from __future__ import annotations

import numpy as np

from copilot.vision.cues.pose_trend import at_pose, fit_pose_trend


def test_a_drift_with_pose_is_learned_and_held_expressions_are_outvoted():
    rng = np.random.default_rng(7)
    pose = rng.uniform(-15, 15, (120, 2))
    neutral = 0.3 + 0.002 * pose[:, 0] - 0.0001 * pose[:, 1] ** 2
    values = (neutral + rng.normal(0, 0.002, 120))[:, None]
    values[:20, 0] += 0.2  # a smile held for a sixth of the time
    coef = fit_pose_trend(values, pose, prior_deg=3.0)
    usual = np.median(pose, axis=0)
    for offset in ((10.0, 0.0), (-10.0, 5.0), (0.0, -12.0)):
        yaw, pitch = usual + offset
        expected = 0.3 + 0.002 * yaw - 0.0001 * pitch ** 2
        assert abs(at_pose(coef, np.array(offset))[0] - expected) < 0.006, offset


def test_a_column_left_without_weight_keeps_its_curve_instead_of_failing():
    """Four baseline samples of the astronaut render nodding (two of them near copies): after the
    first round, two columns' curve missed every sample by more than the cut-off, and the
    weighted system had nothing in it (numpy: 'Singular matrix', which stopped the analysis)."""
    values = np.array([[0.2192, 0.2255, 0.3331, -0.0859, -0.0852, 0.7234, 0.1148, 0.1173, 0.6586],
                       [0.2126, 0.2237, 0.3315, -0.0844, -0.0787, 0.7282, 0.1210, 0.1166, 0.6555],
                       [0.2126, 0.2238, 0.3316, -0.0844, -0.0786, 0.7278, 0.1210, 0.1167, 0.6554],
                       [0.2081, 0.2212, 0.3342, -0.0779, -0.0763, 0.7062, 0.1299, 0.1163, 0.6538]])
    pose = np.array([[-0.2657, -8.6662], [-1.1664, -8.8444], [-1.1199, -8.7951], [-7.9494, -9.2084]])
    coef = fit_pose_trend(values, pose, prior_deg=3.0)
    assert np.isfinite(coef).all()
    at_usual = at_pose(coef, np.zeros(2))
    assert np.all(at_usual >= values.min(axis=0) - 0.01) and np.all(at_usual <= values.max(axis=0) + 0.01)
