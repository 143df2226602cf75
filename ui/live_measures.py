"""The live measures panel: conversation quality so far (the index and its five dimensions) and,
per person, talk ratio, pace, fillers, longest monologue, turns, cutting in, reply gap and
questions asked (the result's per-person conversation, as it stands so far).

Issue 19: these were only in the report. The numbers come from the signal analyzer with each
step (SignalStep.quality, .talk), the labels and the definitions shown on hover from
copilot/signals/measures.toml. A measure that cannot be known yet says "—".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copilot.signals.bands import NONE
from copilot.signals.measures import PERSONAL, QUALITY, measures

QUALITY_COLUMNS = 3  # the index and five dimensions in two rows of three
# A row is a line of text and a little air (17 px with a 14 px font): the gauges and all eight rows
# then fit a 1280x800 window above the nudge feed without a scroll bar.
ROW_AIR_PX = 3


def measure_text(name: str, value: float | None) -> str:
    """A person's measure as the panel shows it; "—" where it cannot be known yet."""
    if value is None:
        return NONE.word
    if name == "talk_ratio":
        return f"{value:.0%}"
    if name == "pace":
        return f"{value:.0f} wpm"
    if name == "longest_monologue":
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}:{seconds:02d}" if minutes else f"{seconds} s"
    if name == "reply_gap":
        return f"{value:.1f} s"
    return str(int(value))


def quality_text(name: str, values: dict[str, int] | None) -> str:
    return f"{measures()[name].label} {NONE.word if values is None else values[name]}"


class LiveMeasures(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Conversation", parent)
        defined = measures()
        self.quality: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        for k, name in enumerate(QUALITY):
            label = QLabel()
            label.setToolTip(defined[name].definition)
            if name == "quality_index":  # a font, not a style sheet: that reset the text to black
                font = label.font()
                font.setBold(True)
                label.setFont(font)
            grid.addWidget(label, k // QUALITY_COLUMNS, k % QUALITY_COLUMNS)
            self.quality[name] = label
        self.table = QTableWidget(len(PERSONAL), 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        row_px = self.fontMetrics().height() + ROW_AIR_PX
        self.table.verticalHeader().setMinimumSectionSize(row_px)
        self.table.verticalHeader().setDefaultSectionSize(row_px)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setFixedHeight(row_px + 2)
        for row, name in enumerate(PERSONAL):
            item = QTableWidgetItem(defined[name].label)
            item.setToolTip(defined[name].definition)
            self.table.setVerticalHeaderItem(row, item)
        # every row in view, with or without people in it: the panel must not scroll or jump
        self.table.setFixedHeight(header.height() + row_px * len(PERSONAL) + 2 * self.table.frameWidth())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(grid)
        layout.addWidget(self.table)
        self.people: list[str] = []
        self.reset()

    def refresh(self, quality: dict[str, int] | None, talk: dict[str, dict[str, float | None]]) -> None:
        """Called by the display timer with the latest values; cheap when nothing changed."""
        for name, label in self.quality.items():
            label.setText(quality_text(name, quality))
        people = sorted(talk)
        if people != self.people:
            self.people = people
            self.table.setColumnCount(len(people))
            self.table.setHorizontalHeaderLabels(people)
        for column, pid in enumerate(people):
            for row, name in enumerate(PERSONAL):
                text = measure_text(name, talk[pid][name])
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.table.setItem(row, column, item)
                if item.text() != text:
                    item.setText(text)

    def shown(self) -> dict[str, dict[str, str]]:
        """What the table says: participant -> measure -> text (for tests and screenshots)."""
        return {pid: {name: self.table.item(row, column).text() for row, name in enumerate(PERSONAL)}
                for column, pid in enumerate(self.people)}

    def reset(self) -> None:
        self.people = []
        self.table.setColumnCount(0)
        for name, label in self.quality.items():
            label.setText(quality_text(name, None))
