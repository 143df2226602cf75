"""One participant's signal state: cue accumulator, feature ring, calibration, scores, events.

Face cues arrive per frame and voice events when they finish; both are summed into an
accumulator that each tick turns into one row of instant values (see features.INSTANTS).
"""

from __future__ import annotations

import numpy as np

from copilot.signals import SIGNALS
from copilot.signals.config import SignalModel
from copilot.signals.engagement import EngagementState, StateSegment
from copilot.signals.events import EventTrack, SignalEvent, reaches
from copilot.signals.features import AT, FACE_MEANS, FEATURE_NAMES, INSTANTS, LEXICAL_INSTANTS, features_from
from copilot.signals.measures import Talk
from copilot.signals.window import TickRing

HOLD_FACE_S = 0.25  # a face missing from a tick's frames counts as seen if seen this recently
TILT_FREE_DEG, TILT_FULL_DEG = 4.0, 12.0  # roll beyond the usual: free below, full tilt at
ROLL_MEMORY_S = 30.0
FAST_RATIO, MIN_SYLLABLES = 1.15, 3
FLAT_PITCH_ST, SHAKY_JITTER_PCT = 1.5, 2.5
FAR_GAZE_DEG = 30.0  # gaze this far off the screen's centre is beyond any screen in front (features.py)
LONG_PAUSE_S = 1.0  # a silence this long inside one's own speech is more than a phrase break
# A filler in the words within this of a filled pause the sound found is the same one: word
# times are estimated (median 0.24 s off on batchalign, tests/test_words_real.py), about two
# words' worth of slack.
SAME_FILLER_S = 0.5
FILLER_KEEP_S = 30.0  # sound fillers kept to meet the words, which come after the stretch ends
FACE_INDEX = np.array([AT[n] for n in FACE_MEANS])
ENGAGEMENT, DISENGAGEMENT = SIGNALS.index("engagement"), SIGNALS.index("disengagement")


class Calibration:
    """Each person's typical value of the calibrated features, taken off before scoring."""

    def __init__(self, model: SignalModel) -> None:
        self.mask = np.array([n in model.calibrated for n in FEATURE_NAMES])
        c = model.calibration
        self.value = np.full(int(self.mask.sum()), c["prior"])
        self.prior_ticks = c["prior_s"] * model.tick_hz
        self.memory_ticks = max(1.0, c["memory_s"] * model.tick_hz)
        self.n = 0

    def apply(self, features: np.ndarray, learn: bool) -> np.ndarray:
        out = features.copy()
        usual = np.minimum(self.value, 0.8)
        out[self.mask] = np.clip((features[self.mask] - usual) / (1.0 - usual), 0.0, 1.0)
        if learn:
            self.n += 1
            weight = max(1.0 / (self.prior_ticks + self.n), 1.0 / self.memory_ticks)
            self.value += weight * (features[self.mask] - self.value)
        return out


class ParticipantSignals:
    def __init__(self, participant: str, model: SignalModel, phrases: dict, t: float,
                 has_face: bool) -> None:
        self.participant, self.model, self.has_face = participant, model, has_face
        tick_s = 1.0 / model.tick_hz
        self.ring = TickRing(len(INSTANTS), round(model.short_s * model.tick_hz),
                             round(model.long_s * model.tick_hz))
        self.calibration = Calibration(model)
        self.acc = np.zeros(len(INSTANTS))
        self.frames = 0
        self.last_face_row = np.zeros(len(FACE_MEANS))
        self.last_seen: float | None = None
        self.usual_roll: float | None = None
        self.roll_n = 0
        self.mouth = 0.0  # mouth movement in the latest tick, for speech attribution
        self.usual_pace: float | None = None
        self.paced = 0
        self.tracks = [EventTrack(s, participant, {**model.events, "min_evidence_s": model.min_evidence_s[s]},
                                  phrases, tick_s)
                       for s in SIGNALS]
        # Evidence first (issue 19): ticks in which the person was watched or heard speaking. A face
        # is watched from its confirmation on, in every tick, seen or not (a frame without it is
        # evidence of its absence; a frame dropped under load leaves the last one standing, as the
        # features do); a voice alone counts only while it speaks. A signal has a score to show only
        # once this reaches its minimum evidence (weights.toml [events.min_evidence_s]); before
        # that it is "no score", not its resting value.
        self.evidence_ticks = 0
        self.min_evidence_s = np.array([model.min_evidence_s[s] for s in SIGNALS])
        # Leaving the picture is news only of someone watched in it first, for as long as calling
        # them engaged or disengaged takes ([events.min_evidence_s] disengagement): a passer-by
        # glimpsed for a second, or a face in a crowd lost behind others, has left no conversation.
        self.seen_ticks = 0
        self.stayed_ticks = model.min_evidence_s[SIGNALS[DISENGAGEMENT]] * model.tick_hz
        self.state: EngagementState | None = None  # none said until engagement has its evidence
        self.scores = np.array(model.resting)  # the model's values, kept running; see `shown_scores`
        self.last_active = t
        self.last_tick: float | None = None  # time of the ring's latest row
        self.quotes: list[tuple[float, str, str]] = []  # (t, feature, words) said in the long window
        self.heard_fillers: list[tuple[float, float]] = []  # filled pauses the sound found (start, end)
        self.talk = Talk()  # the live measures' counts (the analyzer keeps it past this object)

    # -- cues in ------------------------------------------------------------------------
    def add_face(self, cues, t: float) -> None:
        a = self.acc
        a[AT["nod_swings"]] += cues.nod_swings
        a[AT["shake_swings"]] += cues.shake_swings
        tilt = 0.0
        if cues.ready:
            if self.usual_roll is None:
                self.usual_roll = cues.roll
            self.roll_n += 1
            weight = max(1.0 / self.roll_n, 1.0 / (ROLL_MEMORY_S * 30))
            self.usual_roll += weight * (cues.roll - self.usual_roll)
            tilt = (abs(cues.roll - self.usual_roll) - TILT_FREE_DEG) / (TILT_FULL_DEG - TILT_FREE_DEG)
        # The cue carries the whole meaning of "eyes on the screen" (held through nods and blinks,
        # off for shut eyes: vision/cues/participant.py EyesOnScreen), so the report's share and
        # the rationale's are one measure.
        at_screen = cues.at_screen
        off = cues.ready and not at_screen and not cues.eyes_closed
        face = (cues.smile, cues.brow_lower, cues.brow_raise, cues.brow_asymmetry, cues.lip_press,
                cues.lip_corner_depress, cues.lid_tighten, cues.mouth_asymmetry,
                float(off), float(at_screen),
                float(off and cues.gaze_off_deg >= FAR_GAZE_DEG), float(cues.eyes_closed),
                min(1.0, max(0.0, tilt)), max(0.0, cues.lean), max(0.0, -cues.lean), cues.motion_energy)
        a[FACE_INDEX] += face
        a[AT["smiling"]] = max(a[AT["smiling"]], float(cues.smiling))
        a[AT["laughing"]] = max(a[AT["laughing"]], float(cues.laughing))
        self.mouth = cues.mouth_movement
        self.frames += 1
        self.last_seen = t

    def add_behaviour(self, kind: str) -> None:
        if kind == "yawn":
            self.acc[AT["yawns"]] += 1
        elif kind == "blink":
            self.acc[AT["blinks"]] += 1

    def add_voice_event(self, event) -> None:
        a, d = self.acc, event.details
        if event.kind == "filled_pause":
            a[AT["fillers"]] += 1
            self.talk.count("fillers")
            self.heard_fillers = [f for f in self.heard_fillers if event.start - f[1] <= FILLER_KEEP_S]
            self.heard_fillers.append((event.start, event.end))
        elif event.kind == "pause":
            a[AT["pause_excess_s"]] += max(0.0, event.end - event.start - LONG_PAUSE_S)
            if event.end - event.start > LONG_PAUSE_S:
                a[AT["pause_away"]] += self._looked_away_during(event.start, event.end)
        elif event.kind == "response":
            a[AT["latency_excess_s"]] += max(0.0, float(d.get("latency_s", 0.0)) - 1.0)
        elif event.kind == "backchannel":
            a[AT["backchannels"]] += 1
        elif event.kind == "interruption":
            a[AT["interruptions"]] += 1
        elif event.kind == "sigh":
            a[AT["sighs"]] += 1
        elif event.kind == "laughter":
            a[AT["laughs"]] += 1
            a[AT["laugh_heard_s"]] += event.end - event.start
        elif event.kind == "utterance":
            self._utterance(d)

    def add_said(self, said, t: float) -> None:
        """A transcribed stretch of this person's speech: its lexical cues count like other cues.

        An affirmation that was a short listener response arrives as a backchannel too
        (WordsResult.responses): it counts there, once, not again here. A filler the sound
        found as a filled pause has counted already (the issue: a filled pause counts when
        either the sound or the words find it), so it is not counted twice.
        """
        responses = list(said.responses)
        self.talk.add_words(said.words)
        for cue in said.cues:
            if cue.kind == "affirmation" and cue.quote in responses:
                responses.remove(cue.quote)
                self.quotes.append((t, "backchannel", cue.quote))
                continue
            self.quotes.append((t, cue.feature, cue.quote))
            if cue.kind == "filler" and any(cue.start < end + SAME_FILLER_S
                                            and cue.end > start - SAME_FILLER_S
                                            for start, end in self.heard_fillers):
                continue  # the sound found this one already: one filled pause, counted once
            self.acc[AT[LEXICAL_INSTANTS[cue.feature]]] += 1
            self.talk.count(cue.feature)

    def _looked_away_during(self, start: float, end: float) -> float:
        """Share of the ticks in [start, end] with the face seen that were spent looking away.

        0 without a face (a voice alone says nothing about where the eyes were). The pause
        is reported when speech resumes, so its ticks are still in the 6 s ring.
        """
        ring, n = self.ring, min(self.ring.count, self.ring.long)
        if self.last_tick is None or n == 0:
            return 0.0
        ages = np.arange(n)
        rows = ring.rows[(ring.count - 1 - ages) % ring.long]
        times = self.last_tick - ages / self.model.tick_hz
        inside = (times >= start - 1e-9) & (times <= end + 1e-9)
        seen = rows[inside, AT["seen"]].sum()
        return float(rows[inside, AT["gaze_off"]].sum() / seen) if seen > 0 else 0.0

    def _utterance(self, d: dict) -> None:
        a = self.acc
        a[AT["rising"]] += d.get("ending") == "rising"
        variability, jitter = d.get("pitch_variability_st"), d.get("jitter_pct")
        long_enough = float(d.get("duration_s", 0.0)) >= 1.0
        a[AT["monotone"]] += long_enough and variability is not None and variability < FLAT_PITCH_ST
        a[AT["shaky"]] += jitter is not None and jitter > SHAKY_JITTER_PCT
        if int(d.get("syllables", 0)) >= MIN_SYLLABLES:
            rate = float(d.get("speaking_rate_syl_s", 0.0))
            if self.usual_pace is not None and self.paced >= 3 and rate >= FAST_RATIO * self.usual_pace:
                a[AT["fast"]] += 1
            self.paced += 1
            old = self.usual_pace or rate
            self.usual_pace = old + max(1.0 / self.paced, 0.05) * (rate - old)

    def add_voice_now(self, now) -> None:
        """The voice of this participant at this tick (VoiceNow of the channel attributed to them)."""
        a = self.acc
        if not now.speaking:
            return
        a[AT["speaking"]] = a[AT["voiced"]] = 1.0
        self.talk.spoke(now.t)
        if now.loudness_vs_usual_db is not None:
            a[AT["quiet"]] = min(1.0, max(0.0, (-now.loudness_vs_usual_db - 3.0) / 6.0))
            a[AT["loud"]] = min(1.0, max(0.0, (now.loudness_vs_usual_db - 3.0) / 6.0))
        if now.pitch_vs_usual_st is not None:
            a[AT["pitch_up"]] = min(1.0, max(0.0, (now.pitch_vs_usual_st - 2.0) / 4.0))

    # -- one tick -------------------------------------------------------------------------
    def tick(self, t: float) -> tuple[list[tuple[str, SignalEvent]], StateSegment | None]:
        row, a = self.acc, self.acc
        seen = self.frames > 0 or (self.last_seen is not None and t - self.last_seen <= HOLD_FACE_S)
        if self.frames:
            self.last_face_row = a[FACE_INDEX] / self.frames
        row[FACE_INDEX] = self.last_face_row if seen else 0.0
        row[AT["seen"]] = float(seen)
        self.seen_ticks += seen
        row[AT["absent"]] = float(self.has_face and not seen and self.seen_ticks >= self.stayed_ticks - 1e-9)
        self.ring.add(row)
        self.evidence_ticks += bool(self.has_face or seen or row[AT["speaking"]])
        self.last_tick = t
        features = self.calibration.apply(features_from(self.ring), learn=seen)
        self.scores = 1.0 / (1.0 + np.exp(-(self.model.weights @ features + self.model.bias)))
        if seen or row[AT["speaking"]]:
            self.last_active = t
        announcements = []
        self.quotes = [q for q in self.quotes if t - q[0] <= self.model.long_s + 1e-9]
        quotes = {feature: words for _, feature, words in self.quotes}  # the latest of each
        for s, track in enumerate(self.tracks):
            if track.open or reaches(float(self.scores[s]), self.model.events["on"]):
                contribution = self.model.weights[s] * features
                announcements += track.update(t, float(self.scores[s]), row.copy(), contribution,
                                              self._recent_rows, quotes, evidence_s=self.evidence_s)
        known = self.known()
        if self.state is None and known[ENGAGEMENT] and known[DISENGAGEMENT]:
            self.state = EngagementState(self.participant, self.model.engagement["enter"],
                                         self.model.engagement["dwell_s"], t)
        segment = None if self.state is None else self.state.update(
            t, float(self.scores[ENGAGEMENT]), float(self.scores[DISENGAGEMENT]))
        self.acc = np.zeros(len(INSTANTS))
        self.frames = 0
        return announcements, segment

    @property
    def evidence_s(self) -> float:
        """Seconds the person has been watched (a face) or heard speaking (a voice) so far."""
        return self.evidence_ticks / self.model.tick_hz

    def known(self) -> np.ndarray:
        """Per signal (SIGNALS order): whether it has had its minimum evidence, so has a score."""
        return self.evidence_s >= self.min_evidence_s - 1e-9

    def shown_scores(self) -> np.ndarray:
        """The scores as said anywhere outside: NaN (no score) for a signal without its evidence."""
        return np.where(self.known(), self.scores, np.nan)

    @property
    def state_word(self) -> str:
        """The engagement state (dwell applied); "" before there is evidence for one."""
        return "" if self.state is None else self.state.state

    def _recent_rows(self) -> np.ndarray:
        """The short window's rows before the latest tick (the run-up to an event)."""
        ring = self.ring
        n = min(ring.count - 1, ring.short - 1)
        return ring.rows[[(ring.count - 2 - k) % ring.long for k in range(max(0, n))]]

    def finish(self, t: float) -> tuple[list[tuple[str, SignalEvent]], StateSegment | None]:
        announcements = [a for track in self.tracks for a in track.finish(t)]
        return announcements, None if self.state is None else self.state.finish(t)
