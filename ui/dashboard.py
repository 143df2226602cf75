"""What the window shows about the signals: gauges, timeline, feed, face labels, live measures
and the overlay.

Results arrive through `take` (every delivered view: cheap bookkeeping only); the
window's display timer calls `refresh` a few times a second to redraw. Everything a
refresh draws comes from one set of scores, worded by ui.readings, so the gauge, the label
under the face, the feed's running events and the header agree at every redraw. Nudges show
at once in the feed, the overlay and the banner, and may beep.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from copilot.coach import Nudge
from ui.bridge import FrameView
from ui.captions import Captions
from ui.gauges import SignalGauges, pick_participant
from ui.live_measures import LiveMeasures
from ui.nudge_feed import NudgeFeed
from ui.overlay import Overlay
from ui.readings import face_label, state_words
from ui.timeline import Timeline
from ui.video_view import VideoView


class Dashboard(QObject):
    nudged = Signal(object)  # a Nudge, for the window's banner

    def __init__(self, video: VideoView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.video = video
        self.gauges = SignalGauges()
        self.timeline = Timeline()
        self.feed = NudgeFeed()
        self.captions = Captions()
        self.measures = LiveMeasures()
        self.overlay = Overlay()
        self.sound = False
        self.t = 0.0  # session time of the newest result
        self.scores: dict[str, dict[str, float | None]] = {}  # None: not enough evidence yet
        self.talk: dict[str, dict[str, float | None]] = {}
        self.quality: dict[str, int] | None = None
        self.on_screen: set[str] = set()  # the faces in the newest picture
        self._dirty = False
        self.gauges.chooser.currentIndexChanged.connect(self.mark_dirty)

    def mark_dirty(self) -> None:
        self._dirty = True

    def take(self, view: FrameView) -> None:
        self.t = max(self.t, view.t)
        if view.image is not None:
            self.on_screen = {face.participant for face in view.faces}
        if view.scores:
            self.scores = view.scores
            self._dirty = True
        if view.talk or view.quality:
            self.talk, self.quality = view.talk or self.talk, view.quality or self.quality
            self._dirty = True
        self.timeline.add_ticks(view.ticks)
        self.timeline.add_events(view.started)
        for event in view.started:
            self.feed.add_event(event, self.scores.get(event.participant, {}).get(event.signal))
        for event in view.revised:
            self.feed.revise_event(event, self.scores.get(event.participant, {}).get(event.signal))
        for nudge in view.nudges:
            self.show_nudge(nudge)
        self.captions.add(view.said)

    def show_nudge(self, nudge: Nudge) -> None:
        self.feed.add_nudge(nudge)
        self.overlay.show_nudge(nudge.message)
        if self.sound:
            QApplication.beep()
        self.nudged.emit(nudge)

    def refresh(self) -> None:
        """Redraws from the latest scores; called by the display timer."""
        if not self._dirty:
            return
        self._dirty = False
        self.gauges.refresh(self.scores, self.on_screen)
        who = self.gauges.shown
        self.timeline.refresh(who)
        self.feed.refresh(self.scores)
        self.measures.refresh(self.quality, self.talk)
        self.video.face_labels = {p: face_label(s) for p, s in self.scores.items() if p != "room" and s}
        if self.overlay.isVisible() and who is not None:
            self.overlay.refresh(who, self.scores[who], state_words(self.scores[who]))

    def shown_participant(self) -> str | None:
        return pick_participant(self.gauges.chooser.currentData(), sorted(self.scores), self.on_screen)

    def reset(self) -> None:
        self.scores, self.talk, self.quality, self.t, self.on_screen = {}, {}, None, 0.0, set()
        self._dirty = False
        self.gauges.reset()
        self.timeline.reset()
        self.feed.clear()
        self.captions.clear()
        self.measures.reset()
        self.overlay.clear()
        self.video.face_labels = {}

    def close(self) -> None:
        self.overlay.close()
