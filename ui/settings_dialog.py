"""The settings dialog: mode, default sources, theme, sound, where the screen is, and the nudge rules.

It edits a copy of the Preferences and hands it back on OK; the window saves it and
applies what can change at once (theme); mode, sources and rules apply to the next start.
"""

from __future__ import annotations

import copy

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from copilot.coach.rules import MODES, RuleSet
from copilot.serve.auth import token_path
from copilot.signals import SIGNALS
from ui.preferences import THEMES, Preferences
from ui.screen_calibration import describe

MODE_NAMES = {"presenter": "Presenter", "sales": "Sales call", "practice": "Practice"}
SCORE_SCALE = 100.0  # a signal's threshold is a score (0-1 in the rules file), shown out of 100
RULE_COLUMNS = ("on", "mode", "message", "signal", "threshold")


def combo(items: list[tuple[str, str]], current: str) -> QComboBox:
    box = QComboBox()
    for label, value in items:
        box.addItem(label, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class SettingsDialog(QDialog):
    def __init__(self, prefs: Preferences, rules: RuleSet, microphones: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Meeting Copilot")
        self.prefs = copy.deepcopy(prefs)
        self.mode = combo([(MODE_NAMES[m], m) for m in MODES], prefs.mode)
        self.source = QLineEdit(prefs.video_source)
        self.source.setPlaceholderText("the first camera")
        self.microphone = combo([("Default microphone", "default"), ("None", ""), *microphones],
                                prefs.microphone)
        self.system_audio = QCheckBox("Also listen to what the computer plays (the other side of a call)")
        self.system_audio.setChecked(prefs.system_audio)
        self.theme = combo([(t.capitalize(), t) for t in THEMES], prefs.theme)
        self.sound = QCheckBox("Beep when a nudge shows")
        self.sound.setChecked(prefs.nudge_sound)
        self.keep_media = QCheckBox("Keep the raw video and audio of live sessions (off: signals only)")
        self.keep_media.setChecked(prefs.keep_media)
        self.transcribe = QCheckBox("Transcribe what is said (English only)")
        self.transcribe.setChecked(prefs.transcribe)
        self.transcribe.setToolTip("Captions, the transcript and the word cues of the signals (fillers, "
                                   "hedges, questions). The speech model reads English only: for a call in "
                                   "another language switch it off; faces and voices are read as before.")
        self.publish = QCheckBox(f"Publish the live session to programs on this computer "
                                 f"(ws://127.0.0.1:{prefs.publish_port}/v1/stream/analyze)")
        self.publish.setChecked(prefs.publish_live)
        self.publish.setToolTip("Overlays, recorders and CRM tools can follow the call on the Signals API's "
                                "stream protocol, read-only. They need the key kept in "
                                f"{token_path()} (the same as `copilot serve`'s).")
        self.rules_file = QLineEdit(prefs.nudge_rules_file)
        self.rules_file.setPlaceholderText(str(rules.source))
        self.calibrate_requested = False  # "Calibrate…" closes the dialog, keeping its edits
        form = QFormLayout()
        for label, widget in (("Mode", self.mode), ("Video source", self.source),
                              ("Microphone", self.microphone), ("", self.system_audio),
                              ("Words", self.transcribe),
                              ("Theme", self.theme), ("Nudges", self.sound), ("Rules file", self.rules_file),
                              ("Recording", self.keep_media), ("Publishing", self.publish),
                              ("Screen position", self._screen_row())):
            form.addRow(label, widget)
        self.table = self._rules_table(rules)
        box = QGroupBox("Nudge rules (switch off, or move the threshold)")
        QVBoxLayout(box).addWidget(self.table)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def _screen_row(self) -> QWidget:
        """Where the user's screen is from their camera: learned, or calibrated by looking at it."""
        self.screen_label = QLabel(describe(self.prefs.screen_direction))
        self.calibrate = QPushButton("Calibrate screen position…")
        self.calibrate.setToolTip("With your camera on, look at the middle of your screen for about 2 s. "
                                  "Use it when the camera sits beside the screen.")
        self.calibrate.clicked.connect(self._calibrate)
        self.forget_screen = QPushButton("Learn it instead")
        self.forget_screen.setEnabled(bool(self.prefs.screen_direction))
        self.forget_screen.clicked.connect(self._forget_screen)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.screen_label, self.calibrate, self.forget_screen):
            layout.addWidget(widget)
        layout.addStretch(1)
        return row

    def _calibrate(self) -> None:
        self.calibrate_requested = True
        self.accept()

    def _forget_screen(self) -> None:
        self.prefs.screen_direction = []
        self.screen_label.setText(describe([]))
        self.forget_screen.setEnabled(False)

    def _rules_table(self, rules: RuleSet) -> QTableWidget:
        table = QTableWidget(len(rules.rules), len(RULE_COLUMNS))
        table.setHorizontalHeaderLabels(RULE_COLUMNS)
        table.verticalHeader().hide()
        self.rule_ids = [rule.id for rule in rules.rules]
        self.rule_scales = [SCORE_SCALE if rule.signal in SIGNALS else 1.0 for rule in rules.rules]
        for row, rule in enumerate(rules.rules):
            on = QCheckBox()
            on.setChecked(rule.enabled)
            threshold = QDoubleSpinBox()
            if rule.signal in SIGNALS:  # a score: out of 100, as the gauges and labels show it
                threshold.setDecimals(0)
                threshold.setRange(0.0, 100.0)
                threshold.setSingleStep(5.0)
                threshold.setValue(rule.threshold * SCORE_SCALE)
            else:  # a measure in its own units (a share, syllables a second...)
                threshold.setDecimals(2)
                threshold.setRange(0.0, 100.0)
                threshold.setSingleStep(0.05 if rule.threshold <= 1 else 0.5)
                threshold.setValue(rule.threshold)
            table.setCellWidget(row, 0, on)
            table.setCellWidget(row, 4, threshold)
            watched = f"{rule.whom} {rule.signal}" + (" (below)" if rule.below else "")
            for column, text in ((1, rule.mode), (2, rule.message), (3, watched)):
                table.setItem(row, column, _item(text, f"{rule.id}: {rule.duration_s:g} s, "
                                                       f"quiet {rule.cooldown_s:g} s after"))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def result_preferences(self) -> Preferences:
        """The edited settings (read after the dialog was accepted)."""
        prefs = self.prefs
        prefs.mode, prefs.video_source = self.mode.currentData(), self.source.text().strip()
        prefs.microphone, prefs.system_audio = self.microphone.currentData(), self.system_audio.isChecked()
        prefs.theme, prefs.nudge_sound = self.theme.currentData(), self.sound.isChecked()
        prefs.keep_media, prefs.publish_live = self.keep_media.isChecked(), self.publish.isChecked()
        prefs.transcribe = self.transcribe.isChecked()
        prefs.nudge_rules_file = self.rules_file.text().strip()
        prefs.rules = {rule_id: {"enabled": self.table.cellWidget(row, 0).isChecked(),
                                 "threshold": round(self.table.cellWidget(row, 4).value()
                                                    / self.rule_scales[row], 3)}
                       for row, rule_id in enumerate(self.rule_ids)}
        return prefs


def _item(text: str, tip: str):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableWidgetItem

    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    item.setToolTip(tip)
    return item
