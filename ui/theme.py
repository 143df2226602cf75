"""Dark and light themes: Qt's Fusion style with a palette, and pyqtgraph's colours to match."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

COLOURS = {  # role -> (dark, light); dark inputs sit lighter than the window so that
    # check boxes and fields stand out (Fusion draws their frames darker than the window)
    "window": ("#202226", "#f3f4f6"), "base": ("#2c2f35", "#ffffff"), "alt": ("#33363c", "#eceef1"),
    "text": ("#e8eaed", "#1d1f23"), "button": ("#2b2e33", "#e6e8eb"), "highlight": ("#2f7fc1", "#2f7fc1"),
    "mid": ("#44484f", "#c4c8ce"), "disabled": ("#7d828a", "#9aa0a6"),
}
ROLES = {
    QPalette.ColorRole.Window: "window", QPalette.ColorRole.Base: "base",
    QPalette.ColorRole.AlternateBase: "alt", QPalette.ColorRole.WindowText: "text",
    QPalette.ColorRole.Text: "text", QPalette.ColorRole.ButtonText: "text",
    QPalette.ColorRole.Button: "button", QPalette.ColorRole.Highlight: "highlight",
    QPalette.ColorRole.Mid: "mid", QPalette.ColorRole.ToolTipBase: "base",
    QPalette.ColorRole.ToolTipText: "text",
}


def palette(theme: str) -> QPalette:
    k = 0 if theme == "dark" else 1
    pal = QPalette()
    for role, name in ROLES.items():
        pal.setColor(role, QColor(COLOURS[name][k]))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(COLOURS["disabled"][k]))  # faint, still readable
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(COLOURS["disabled"][k]))
    return pal


def apply_theme(theme: str, plots: list[pg.PlotWidget] = ()) -> None:
    """Applies `theme` ("dark" or "light") to the whole app and to the given plots."""
    app = QApplication.instance()
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    k = 0 if theme == "dark" else 1
    for plot in plots:
        plot.setBackground(COLOURS["base"][k])
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen(COLOURS["text"][k])
            plot.getAxis(axis).setPen(COLOURS["mid"][k])
        if plot.plotItem.legend is not None:
            plot.plotItem.legend.setLabelTextColor(COLOURS["text"][k])
