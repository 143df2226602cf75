"""What the window says of a score, said one way everywhere: the gauges, the labels under the
faces, the feed's events, the header's engagement state and the overlay.

Issue 19: each of those judged the score its own way, so one moment read "disagreement 73%"
under the face, "disagreement (low)" in the feed and "p1 — neutral" in the header. Here each
text is built from the same score with the engine's one band (copilot.signals.bands) and
state (copilot.signals.engagement.state_of) functions, so they can only agree.
"""

from __future__ import annotations

import pyqtgraph as pg

from copilot.signals.bands import BANDS, NO_EVIDENCE, NONE, band_of, has_score, legend, percent, reading
from copilot.signals.config import model
from copilot.signals.engagement import state_of
from ui.bridge import EventMark

BAND_TIP = "The score out of 100 and its band:\n" + "\n".join(legend())
STATE_TIP = ("The engagement state of this moment, from the engagement and disengagement scores:\n"
             "engaged: engagement is medium or high and above disengagement\n"
             "disengaged: disengagement is medium or high\n"
             "neutral: neither\n"
             f"{NONE.word}: {NO_EVIDENCE}\n"
             f"The report counts a state once it has held for {model().engagement['dwell_s']:g} s.")
WAITING = f"{NONE.word} {NO_EVIDENCE}"


def draw_bands(plot: pg.PlotWidget, colour: str) -> None:
    """A score plot in the gauges' terms: its axis counts 0-100 and a faint line marks where each
    band starts, named, so a curve reads as "medium" exactly where a gauge would say it."""
    plot.getAxis("left").setScale(100)
    for band in BANDS[1:]:
        line = pg.InfiniteLine(band.start, angle=0, movable=False,
                               pen=pg.mkPen(colour, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                               label=f"{band.word} {percent(band.start)}",
                               labelOpts={"position": 0.02, "color": colour, "anchors": [(0, 1), (0, 1)]})
        line.setZValue(-10)
        line.setToolTip(BAND_TIP)
        plot.addItem(line)


def clock(t: float) -> str:
    minutes, seconds = divmod(int(t), 60)
    return f"{minutes}:{seconds:02d}"


def top_signals(scores: dict[str, float | None], n: int) -> list[tuple[str, float]]:
    """The n highest scores; signals without evidence have none, so they are never "top"."""
    known = [(name, value) for name, value in scores.items() if has_score(value)]
    return sorted(known, key=lambda item: (-item[1], item[0]))[:n]


def face_label(scores: dict[str, float | None]) -> str:
    """Under a face: its strongest signal as the gauge shows it ("engagement 79 · medium")."""
    top = top_signals(scores, 1)
    return f"{top[0][0]} {reading(top[0][1])}" if top else WAITING


def state_words(scores: dict[str, float | None]) -> str:
    """The engagement state the header and the overlay say beside a name ("p1 — engaged")."""
    return state_of(scores.get("engagement"), scores.get("disengagement")) or NO_EVIDENCE


def event_line(event: EventMark, score: float | None) -> str:
    """A feed line: while the event runs, the band of its signal's score now (the gauge's word);
    once it ended, the band it peaked at (the result's `probability`)."""
    if event.end is None:
        band = band_of(score) or event.probability
        return f"{clock(event.t)}  {event.participant} {event.signal} · {band} now — {event.rationale}"
    return (f"{clock(event.t)}–{clock(event.end)}  {event.participant} {event.signal} · peaked "
            f"{event.probability} — {event.rationale}")
