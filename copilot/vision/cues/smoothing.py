"""Causal smoothing: a one-euro filter (low lag when moving, steady when still) and a running median."""

from __future__ import annotations

import numpy as np

from copilot.vision.cues.pose_trend import at_pose, fit_pose_trend


class OneEuroFilter:
    """Casiez et al.'s one-euro filter over a vector: the cutoff grows with the speed."""

    def __init__(self, min_cutoff_hz: float, beta: float, derivative_cutoff_hz: float) -> None:
        self.min_cutoff_hz, self.beta, self.derivative_cutoff_hz = min_cutoff_hz, beta, derivative_cutoff_hz
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None
        self._t = 0.0

    def __call__(self, value: np.ndarray, t: float) -> np.ndarray:
        value = np.asarray(value, dtype=np.float64)
        if self._value is None or t <= self._t:
            self._value, self._speed, self._t = value.copy(), np.zeros_like(value), t
            return self._value.copy()
        dt = t - self._t
        speed = (value - self._value) / dt
        self._speed += _alpha(self.derivative_cutoff_hz, dt) * (speed - self._speed)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(self._speed)
        self._value += _alpha(cutoff, dt) * (value - self._value)
        self._t = t
        return self._value.copy()


def _alpha(cutoff_hz: float | np.ndarray, dt: float) -> float | np.ndarray:
    tau = 1.0 / (2 * np.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


REFIT_EVERY = 4  # samples between refits of the pose trend (about 1 ms each; at 4 Hz, once a second)


class RunningBaseline:
    """A person's neutral: the median of measures sampled at `sample_hz` over the last `window_s`.

    A median needs the person to be neutral only more than half the time, so a smile
    or a turned head at the start fades out of the baseline once they have been
    neutral for longer; until `ready_after_s` it is the best guess so far. Columns
    that follow the head pose (`follows_pose`) are read off a curve in yaw and pitch.
    """

    def __init__(self, size: int, sample_hz: float, window_s: float, ready_after_s: float,
                 follows_pose: tuple[tuple[int, ...], tuple[int, int], float] | None = None) -> None:
        """`follows_pose`: (columns, (yaw column, pitch column), prior in degrees): those columns'
        neutral is a curve in the pose (see pose_trend) instead of a plain median."""
        self._samples = np.zeros((max(1, int(window_s * sample_hz)), size))
        self._count = 0
        self._period_s = 1.0 / sample_hz
        self._next_t: float | None = None
        self._first_t: float | None = None
        self._ready_after_s = ready_after_s
        self._follows_pose = None if follows_pose is None else (
            np.array(follows_pose[0]), np.array(follows_pose[1]), follows_pose[2])  # index arrays, once
        self._trend: np.ndarray | None = None
        self._usual_pose = np.zeros(2)
        self._seen_range = np.zeros((2, 0))
        self._fitted = (np.zeros(0), np.zeros(0))  # the trend's neutral and the median, when fitted
        self.value: np.ndarray | None = None
        self.ready = False

    @property
    def seen_s(self) -> float:
        """How many seconds of the person the median rests on (the samples in the window): what a
        learned value that is held toward a prior until there is evidence weighs itself by."""
        return min(self._count, len(self._samples)) * self._period_s

    def update(self, measures: np.ndarray, t: float) -> np.ndarray:
        """The neutral to compare `measures` with: at their pose, for the columns that follow it."""
        if self._first_t is None:
            self._first_t = self._next_t = t
        if t >= self._next_t:
            self._samples[self._count % len(self._samples)] = measures
            self._count += 1
            self._next_t = t + self._period_s
            kept = self._samples[: min(self._count, len(self._samples))]
            self.value = np.median(kept, axis=0)
            self.ready = t - self._first_t >= self._ready_after_s
            if self._follows_pose is not None:
                columns, pose, prior = self._follows_pose
                # The curve's shape comes from the last refit; it is anchored at the usual pose and
                # neutral as they are now (both medians move with every sample).
                self._usual_pose = self.value[pose]
                if self._trend is None or self._count % REFIT_EVERY == 0:
                    self._trend = fit_pose_trend(kept[:, columns], kept[:, pose], prior)
                    self._fitted = (self._trend[0].copy(), self.value[columns])
                    # never a neutral outside what the person has shown (a curve drawn past the
                    # poses seen could, for instance, take a measure past any value it has had)
                    self._seen_range = np.percentile(kept[:, columns], [5, 95], axis=0)
                self._trend[0] = self._fitted[0] + self.value[columns] - self._fitted[1]
        if self._trend is None:
            return self.value
        columns, pose, _ = self._follows_pose
        here = self.value.copy()
        here[columns] = np.clip(at_pose(self._trend, measures[pose] - self._usual_pose), *self._seen_range)
        return here
