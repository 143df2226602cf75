"""The twelve signal gauges, grouped as the design lays them out, for one participant or the room.

Scores arrive with every analysed step but the bars are set only when the window's
display timer calls `refresh`, so a fast engine never floods the GUI with repaints.
Beside each bar, its score and band ("73 · medium") or "—" before the signal has its
evidence; the header says the engagement state of the same scores (ui.readings).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from copilot.signals import DEFINITIONS, SIGNAL_GROUPS
from copilot.signals.bands import has_score, percent, reading
from ui.readings import BAND_TIP, STATE_TIP, state_words

FOLLOW = "auto"  # the room when there is one, else the first participant
WIDEST_READING = "100 · medium"  # its width is kept beside every bar, so the bars do not shift
MIN_WIDTH = 330  # "disengagement", a bar and "100 · medium" side by side, none clipped


def pick_participant(wanted: str, present: list[str], on_screen: set[str] | frozenset[str] = frozenset()
                     ) -> str | None:
    """Whom the gauges show: the chosen one if present, else the room, else the first face on
    screen (not someone who has walked out of the picture), else the first one scored."""
    if wanted in present:
        return wanted
    if "room" in present:
        return "room"
    return next((p for p in present if p in on_screen), present[0] if present else None)


# The unfilled part of a gauge: faint grey on either theme. palette(base) drew it bright white in
# the dark theme, so an empty gauge looked full (issue 19).
EMPTY_GROOVE = "rgba(128, 128, 128, 0.18)"


class SignalGauges(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Signals", parent)
        self.setMinimumWidth(MIN_WIDTH)
        self.chooser = QComboBox()
        self.chooser.setToolTip("Whose signals the gauges show")
        self.chooser.addItem("Automatic", FOLLOW)
        self.chooser.setToolTip("Whose signals the bars show. Automatic: the room (everyone on screen "
                                "together) when there are several people, else the one person")
        self.state = QLabel("No one analysed yet")
        self.state.setObjectName("engagementState")
        self.state.setToolTip(STATE_TIP)
        self.bars: dict[str, QProgressBar] = {}
        self.readings: dict[str, QLabel] = {}  # "73 · medium" or "—" beside each bar
        layout = QVBoxLayout(self)
        layout.addWidget(self.chooser)
        layout.addWidget(self.state)
        for group, names in SIGNAL_GROUPS.items():
            box = QGroupBox(group.capitalize())
            box.setFlat(True)
            grid = QGridLayout(box)
            grid.setContentsMargins(4, 2, 4, 2)
            grid.setVerticalSpacing(3)
            grid.setColumnStretch(1, 1)
            for row, name in enumerate(names):
                bar = QProgressBar()
                bar.setRange(0, 100)
                bar.setValue(0)
                bar.setTextVisible(False)
                bar.setFixedHeight(12)
                bar.setToolTip(DEFINITIONS[name].definition)
                bar.setStyleSheet(f"QProgressBar::chunk {{ background: {DEFINITIONS[name].colour}; "
                                  "border-radius: 2px; } QProgressBar { background: " + EMPTY_GROOVE + "; "
                                  "border: 1px solid palette(mid); border-radius: 3px; }")
                label = QLabel(name)
                label.setToolTip(DEFINITIONS[name].definition)
                # one name width in every group, so the bars line up across the three
                label.setFixedWidth(max(label.fontMetrics().horizontalAdvance(n) for n in DEFINITIONS) + 6)
                value = QLabel()
                value.setFixedWidth(value.fontMetrics().horizontalAdvance(WIDEST_READING) + 6)
                value.setToolTip(f"{DEFINITIONS[name].definition}\n\n{BAND_TIP}")
                grid.addWidget(label, row, 0)
                grid.addWidget(bar, row, 1)
                grid.addWidget(value, row, 2)
                self.bars[name] = bar
                self.readings[name] = value
            layout.addWidget(box)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.shown: str | None = None  # the participant on the bars now
        self.refreshes = 0

    def refresh(self, scores: dict[str, dict[str, float | None]],
                on_screen: set[str] | frozenset[str] = frozenset()) -> None:
        """Called by the display timer with the latest scores; cheap when nothing changed."""
        present = sorted(scores, key=lambda p: (p != "room", p))
        self._offer(present)
        who = pick_participant(self.chooser.currentData(), present, on_screen)
        self.shown = who
        self.refreshes += 1
        if who is None:
            return
        shown = scores[who]
        for name, bar in self.bars.items():
            score = shown.get(name)
            bar.setValue(percent(score) if has_score(score) else 0)
            self.readings[name].setText(reading(score))
        self.state.setText(f"<b>{who}</b> — {state_words(shown)}")

    def _offer(self, present: list[str]) -> None:
        known = {self.chooser.itemData(i) for i in range(self.chooser.count())}
        for participant in present:
            if participant not in known:
                self.chooser.addItem(participant, participant)

    def reset(self) -> None:
        while self.chooser.count() > 1:
            self.chooser.removeItem(1)
        for bar in self.bars.values():
            bar.setValue(0)
        for value in self.readings.values():
            value.setText("")
        self.state.setText("No one analysed yet")
        self.shown = None
