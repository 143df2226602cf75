"""Where the twelve signal gauges will go, grouped as the design lays them out.

The scores come from the signal engine, which does not exist yet; until it does the
panel names the signals and says plainly that none is measured, rather than showing
made-up bars.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from copilot.signals import DEFINITIONS, SIGNAL_GROUPS

NOT_YET = ("Signal scores arrive with the signal engine, which is not built yet. "
           "Nothing on this panel is measured so far.")


class SignalsPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Signals", parent)
        self.setMinimumWidth(220)
        layout = QVBoxLayout(self)
        notice = QLabel(NOT_YET)
        notice.setWordWrap(True)
        notice.setObjectName("signalsNotice")
        layout.addWidget(notice)
        for group, names in SIGNAL_GROUPS.items():
            heading = QLabel(f"<b>{group.capitalize()}</b>")
            layout.addWidget(heading)
            for name in names:
                row = QLabel(name)
                row.setEnabled(False)  # greyed: a name, not a reading
                row.setIndent(12)
                row.setToolTip(DEFINITIONS[name].definition)
                layout.addWidget(row)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
