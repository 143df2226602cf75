"""The status bar: in plain words, whether analysis keeps up; the figures behind it on hover.

Issue 19: the bar was dark grey on black and spoke in jargon ("UI p95", "analysis 9.3 ms").
Now one short line says how it is going ("Keeping up · 30 frames a second"), in the
window's own text colour, and its tooltip says each figure in a sentence.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from copilot.engine.stats import EngineStats

SKIPPING_SOME = 0.05  # more of the frames skipped than this: the analysis is busy
FALLING_BEHIND = 0.25  # ... and more than this: it is falling behind the picture
INSTANT_MS = 50.0  # the window's reaction time that still feels instant
RECENT = 10  # the verdict weighs the frames of the last this many refreshes (5 s at the window's 2 Hz)


def health_line(stats: EngineStats, drop_rate: float) -> str:
    """The words in the bar, given the share of recent frames skipped; a plain function so the
    wording is testable without Qt."""
    if drop_rate >= FALLING_BEHIND:
        verdict = "Falling behind: skipping many frames"
    elif drop_rate >= SKIPPING_SOME:
        verdict = "Busy: skipping some frames"
    else:
        verdict = "Keeping up"
    pace = f"{stats.steps_per_s:.0f} frames a second" if stats.frames_in else "listening"
    return f"{verdict} · {pace}"


def health_details(stats: EngineStats | None, provider: str, cpu_pct: float, ui_p95_ms: float | None) -> str:
    """The tooltip: each figure as a sentence."""
    lines = []
    if stats is not None:
        if stats.frames_in:
            lines += [f"Analysing {stats.steps_per_s:.1f} frames a second.",
                      f"Skipped {stats.frames_dropped} of {stats.frames_in} frames ({stats.drop_rate:.0%}) "
                      "because the analysis was still busy with an earlier one.",
                      f"Results come {stats.latency_ms:.0f} ms after a frame is captured (median)."]
        if stats.stage_ms:
            parts = ", ".join(f"{name} {ms:.1f} ms" for name, ms in stats.stage_ms.items())
            lines.append(f"Each step takes {sum(stats.stage_ms.values()):.1f} ms of analysis: {parts}.")
        if provider:
            lines.append(f"The models run on the {provider.removesuffix('ExecutionProvider')} ({provider}).")
    lines.append(f"The app uses {cpu_pct:.0f}% of one processor core.")
    if ui_p95_ms is not None:
        feel = "feels instant" if ui_p95_ms < INSTANT_MS else "may feel slow"
        lines.append(f"The window reacts within {ui_p95_ms:.0f} ms 95% of the time ({feel}).")
    return "\n".join(lines)


class EngineStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # the window's text colour, not the status bar's dimmed one: readable on either theme
        self.setStyleSheet("QStatusBar { color: palette(window-text); } QStatusBar::item { border: none; }"
                           "QStatusBar QLabel { color: palette(window-text); padding: 0 8px; }")
        self.health = QLabel()
        self.addPermanentWidget(self.health)
        self.counts: deque[tuple[int, int]] = deque(maxlen=RECENT)  # (frames in, dropped) per refresh
        self.show_idle()

    def recent_drop_rate(self, stats: EngineStats) -> float:
        """The share of the last few seconds' frames skipped: the run's own share would blame the
        whole run for the second the models took to load."""
        self.counts.append((stats.frames_in, stats.frames_dropped))
        came = self.counts[-1][0] - self.counts[0][0]
        return (self.counts[-1][1] - self.counts[0][1]) / came if came > 0 else stats.drop_rate

    def show_health(self, stats: EngineStats | None, provider: str, cpu_pct: float,
                    ui_p95_ms: float | None) -> None:
        """Called by the window's stats timer; `stats` None: nothing is being analysed."""
        if stats is None:
            self.counts.clear()
        self.health.setText("Idle" if stats is None else health_line(stats, self.recent_drop_rate(stats)))
        self.health.setToolTip(health_details(stats, provider, cpu_pct, ui_p95_ms))

    def show_idle(self) -> None:
        self.health.setText("Idle")
        self.health.setToolTip("Nothing is being analysed.")
