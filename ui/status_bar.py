"""The status bar: how well analysis keeps up, refreshed from the engine's stats."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from copilot.engine_stats import EngineStats


def stats_fields(stats: EngineStats) -> dict[str, str]:
    """The texts of the status fields; a plain function so the wording is testable without Qt."""
    return {
        "fps": f"{stats.steps_per_s:.1f} fps",
        "dropped": f"dropped {stats.frames_dropped} ({stats.drop_rate:.0%})",
        "latency": f"latency {stats.latency_ms:.0f} ms",
        "stages": f"analysis {sum(stats.stage_ms.values()):.1f} ms" if stats.stage_ms else "no analyzers",
    }


def stages_tip(stats: EngineStats) -> str:
    """Each stage's share, in the tooltip: the bar itself must stay short enough for a half-screen window."""
    return "\n".join([FIELD_TIPS["stages"], *(f"{name}: {ms:.1f} ms" for name, ms in stats.stage_ms.items())])


FIELD_TIPS = {
    "fps": "Frames analysed per second, over the last few seconds",
    "dropped": "Frames skipped because analysis was still busy with an earlier one",
    "latency": "Time from capturing a frame to having its results (median)",
    "stages": "Time the analysis takes per frame, each stage's median added up",
    "provider": "Where the models run (ONNX Runtime execution provider)",
    "cpu": "CPU used by the app (100% = one core)",
    "ui": "How late the window reacts at worst (95th percentile of the event loop's delay); "
          "under 50 ms feels instant",
}


class EngineStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("QStatusBar::item { border: none; }")
        self.labels: dict[str, QLabel] = {}
        for name, tip in FIELD_TIPS.items():
            label = QLabel()
            label.setToolTip(tip)
            label.setStyleSheet("padding: 0 6px; border-left: 1px solid palette(mid);")
            self.addPermanentWidget(label)
            self.labels[name] = label
        self.show_idle()

    def show_load(self, cpu_pct: float, ui_p95_ms: float | None) -> None:
        """Figures of the app itself, shown whether or not anything is analysed."""
        self.labels["cpu"].setText(f"CPU {cpu_pct:.0f}%")
        self.labels["cpu"].show()
        if ui_p95_ms is not None:
            self.labels["ui"].setText(f"UI p95 {ui_p95_ms:.0f} ms")
            self.labels["ui"].show()

    def show_stats(self, stats: EngineStats, provider: str) -> None:
        # "CPUExecutionProvider" -> "models on CPU"; the full name stays in the tooltip
        short = f"models on {provider.removesuffix('ExecutionProvider')}" if provider else ""
        self.labels["provider"].setToolTip(f"{FIELD_TIPS['provider']}: {provider}")
        for name, text in [*stats_fields(stats).items(), ("provider", short)]:
            self.labels[name].setText(text)
            self.labels[name].setVisible(bool(text))
        self.labels["stages"].setToolTip(stages_tip(stats))

    def show_idle(self) -> None:
        for label in [v for k, v in self.labels.items() if k not in ("cpu", "ui")]:
            label.setText("")
            label.hide()
        self.labels["fps"].setText("idle")
        self.labels["fps"].show()
