"""Practice measures from the voice and face cues: how fast, how many fillers, how much of the
time spent looking into the camera.

Each is kept per participant over a sliding window, using data up to the step's time
only. Voice measures belong to the voice ("you" on the microphone, v1, v2, ... on a mixed
track, issue 18); looking into the camera (cue at_camera, the lens, which is what reads as
eye contact to the people on the call; not "eyes on the screen", cue at_screen) to a face
("p1"). A measure with too little data yet is absent, not zero: a nudge about fillers must
not fire in the first seconds because nothing was said.
"""

from __future__ import annotations

from collections import defaultdict, deque

RATE_WINDOW_S = 30.0  # speaking rate: utterances that ended this recently
MIN_SPEECH_S = 4.0  # ... covering at least this much speech
FILLER_WINDOW_S = 60.0
MIN_FILLER_SPAN_S = 20.0  # a per-minute rate needs this much session behind it
GAZE_WINDOW_S = 20.0
MIN_GAZE_S = 5.0


class PracticeMeasures:
    def __init__(self) -> None:
        self.utterances: dict[str, deque[tuple[float, float, float]]] = defaultdict(deque)  # end, s, rate
        self.fillers: dict[str, deque[float]] = defaultdict(deque)
        self.gaze: dict[str, deque[tuple[float, bool]]] = defaultdict(deque)
        self.first_heard: dict[str, float] = {}
        self.talk_share: dict[str, float] = {}

    def add(self, t: float, voice: object | None, face_cues: object | None) -> None:
        if voice is not None:
            for event in voice.events:
                self.first_heard.setdefault(event.channel, event.start)
                if event.kind == "utterance" and event.details.get("speaking_rate_syl_s") is not None:
                    self.utterances[event.channel].append(
                        (event.end, event.end - event.start, float(event.details["speaking_rate_syl_s"])))
                elif event.kind == "filled_pause":
                    self.fillers[event.channel].append(event.end)
            for channel in voice.now:
                self.first_heard.setdefault(channel, t)
            shares = voice.conversation.talk_share_1min
            self.talk_share = {ch: v for ch, v in shares.items() if v is not None}
        if face_cues is not None:
            for pid, cues in face_cues.cues.items():
                self.gaze[pid].append((t, bool(cues.at_camera)))

    def values(self, t: float) -> dict[str, dict[str, float]]:
        """measure -> participant -> value, for the measures that have enough data at `t`."""
        out: dict[str, dict[str, float]] = defaultdict(dict)
        for channel, said in self.utterances.items():
            while said and said[0][0] < t - RATE_WINDOW_S:
                said.popleft()
            speech_s = sum(s for _, s, _ in said)
            if speech_s >= MIN_SPEECH_S:
                out["speaking_rate"][channel] = sum(s * r for _, s, r in said) / speech_s
        for channel, since in self.first_heard.items():
            span = min(FILLER_WINDOW_S, t - since)
            ends = self.fillers.get(channel, deque())
            while ends and ends[0] < t - FILLER_WINDOW_S:
                ends.popleft()
            if span >= MIN_FILLER_SPAN_S:
                out["fillers_per_min"][channel] = len(ends) * 60.0 / span
        for pid, looks in self.gaze.items():
            while looks and looks[0][0] < t - GAZE_WINDOW_S:
                looks.popleft()
            if looks and looks[-1][0] - looks[0][0] >= MIN_GAZE_S and t - looks[-1][0] < 1.0:
                out["camera_gaze"][pid] = sum(at for _, at in looks) / len(looks)
        if self.talk_share:
            out["talk_share"] = dict(self.talk_share)
        return out
