"""Windowed features of one participant, each in [0, 1], from face and voice cues.

Every frame adds to a small accumulator; every tick (10 Hz on the session clock) turns
it into one row of instant values, pushes it into a `TickRing`, and reads the features
off the ring's short (2 s) and long (6 s) sums. The table `FEATURES` is what the
weights file may name; each entry says what behaviour the number measures.
"""

from __future__ import annotations

import numpy as np

from copilot.signals.window import TickRing

# Instant values per tick: face values are means over the frames of the tick, counts are sums.
INSTANTS = ("seen", "absent", "smile", "brow_lower", "brow_raise", "brow_asymmetry", "lip_press",
            "lip_corner_depress", "lid_tighten", "mouth_asymmetry", "gaze_off", "gaze_on",
            "gaze_far", "eyes_closed", "tilt", "lean_in", "lean_out", "motion", "nod_swings", "shake_swings",
            "yawns", "blinks", "speaking", "quiet", "loud", "pitch_up", "fillers", "pause_excess_s",
            "pause_away", "latency_excess_s", "backchannels", "rising", "fast", "monotone", "shaky",
            "interruptions", "sighs", "voiced", "smiling", "laughing", "laughs", "laugh_heard_s",
            "affirmations", "hedges", "pushbacks", "clarifications", "doubts", "curiosities",
            "frustrations", "questions")
AT = {name: k for k, name in enumerate(INSTANTS)}
FACE_MEANS = INSTANTS[AT["smile"]:AT["motion"] + 1]  # averaged over the frames of a tick
EXPRESSIONS = ("smile", "brow_lower", "brow_raise", "brow_asymmetry", "lip_press",
               "lip_corner_depress", "lid_tighten", "mouth_asymmetry")

# name -> (modality, what it measures). Full scale (1.0) is stated where it is not a share.
FEATURES: dict[str, tuple[str, str]] = {
    # Swings count once the face cues have confirmed a run of them (face_cues.toml [nod]
    # min_swings: down-up-down), so one dip of the head, or one turn and back, is no nod or shake.
    "nodding": ("visual", "up-and-down head swings of a nod run in the last 2 s (2 swings = 1)"),
    "head_shake": ("visual", "side-to-side head swings of a shake run in the last 2 s (3 swings = 1)"),
    "smile": ("visual", "lip corners pulled up, mean over 2 s"),
    "brow_lower": ("visual", "brows drawn down and together (a frown), mean over 2 s"),
    "brow_raise": ("visual", "brows raised, mean over 2 s"),
    "brow_asymmetry": ("visual", "one brow higher than the other, mean over 2 s"),
    "lip_press": ("visual", "lips pressed thin, mean over 2 s"),
    "lip_corner_depress": ("visual", "lip corners pulled down, mean over 2 s"),
    "lid_tighten": ("visual", "eyes narrowed (not blinking), mean over 2 s"),
    "mouth_asymmetry": ("visual", "one lip corner up, the other not (a smirk), mean over 2 s"),
    "head_tilt": ("visual", "head tilted sideways beyond the usual (12 degrees = 1), mean over 2 s"),
    "gaze_away": ("visual", "share of the last 2 s looking away from the usual direction"),
    "gaze_away_long": ("visual", "share of the last 6 s looking away"),
    "gaze_on": ("visual", "share of the last 6 s looking at the screen or camera"),
    # A screen in front of a person spans some 15-25 degrees either side of where they usually
    # look; eyes or head turned 30 degrees and more from there are on something else entirely.
    "gaze_far": ("visual", "share of the last 2 s looking far off the usual direction (30 degrees or more)"),
    "eyes_closed": ("visual", "share of the last 2 s with eyes shut"),
    "yawn": ("visual", "a yawn ended in the last 6 s"),
    "blinking_fast": ("visual", "blinks in the last 6 s beyond 2 (6 blinks, 60 a minute, = 1)"),
    "lean_in": ("visual", "head nearer the camera than usual, mean over 2 s"),
    "lean_out": ("visual", "head further from the camera than usual, mean over 2 s"),
    "moving": ("visual", "overall head and face movement, mean over 6 s"),
    "absent": ("visual", "share of the last 2 s out of the picture, once seen in it as long as "
                         "disengagement's evidence needs"),
    "speaking": ("audio", "share of the last 2 s speaking"),
    "talk_share": ("audio", "share of the last 6 s speaking"),
    "fillers": ("audio", "filled pauses ('um', 'uh') in the last 6 s (2 = 1)"),
    "long_pause": ("audio", "silence inside one's own speech beyond 1 s, summed over 6 s (1.5 s = 1)"),
    # Speakers look away while they search for the next words (gaze aversion under cognitive
    # load: Kendon 1967; Glenberg et al. 1998); a long stop in one's own speech spent looking
    # down or aside is a plainer hesitation than either alone, and a rhetorical pause held
    # while facing the listener is not one. Visual: what it adds to long_pause is the look.
    "pause_looking_away": ("visual", "long pauses inside one's own speech spent looking away, last 6 s "
                                     "(each counts its share of the pause looking away; 1 = 1)"),
    "slow_response": ("audio", "answering later than 1 s after the other side stopped (2 s late = 1)"),
    # One response is full scale: a spoken "yeah" is as plain a yes as a run of nods. On a
    # single track it is a short, isolated utterance (copilot/voice/responses.py).
    "backchannel": ("audio", "short listener responses (like 'mm-hm', 'yeah') in the last 6 s (1 = 1)"),
    "rising_ending": ("audio", "utterances ending with rising pitch in the last 6 s (1 = 1)"),
    "quiet": ("audio", "speaking more quietly than usual (9 dB below = 1), over 2 s"),
    "loud": ("audio", "speaking louder than usual (9 dB above = 1), over 2 s"),
    "pitch_up": ("audio", "voice pitched higher than usual (6 semitones above = 1), over 2 s"),
    "fast_speech": ("audio", "an utterance at least 15% faster than the speaker's usual pace, last 6 s"),
    "monotone": ("audio", "an utterance with flat pitch (under 1.5 semitones spread), last 6 s"),
    "shaky_voice": ("audio", "an utterance with unsteady pitch (jitter over 2.5%), last 6 s"),
    "interrupting": ("audio", "cutting in while the other side talks, last 6 s"),
    "sigh": ("audio", "a sigh in the last 6 s"),
    # Held smiles and laughs are behaviour events of the face cues (face_cues.toml [smile],
    # [laughter]) and of the voice (copilot/voice/laughter.toml), counted while under way.
    "smiling": ("visual", "share of the last 2 s with a held, clear smile (1 s or longer)"),
    "laughing": ("visual",
                 "share of the last 2 s laughing on the face (open smile, mouth working), half = 1"),
    "laughter_heard": ("audio", "a laugh heard in the voice in the last 6 s (1 = 1)"),
    "fluent": ("audio", "speaking for most of the last 6 s without fillers or long pauses"),
    # What was said, from the transcript (copilot/words/lexicon.toml lists the phrases and their
    # sources). One phrase in 6 s is full scale: a plain "I disagree" says as much as a head shake.
    "affirming": ("audio", "saying yes in words ('yes', 'I agree', 'makes sense'), last 6 s (1 = 1)"),
    "hedging": ("audio", "hedged words ('maybe', 'I guess', 'I'm not sure'), last 6 s (2 = 1)"),
    "pushback": ("audio", "pushing back in words ('no', 'I disagree', 'not really'), last 6 s (1 = 1)"),
    "asking_clarification": ("audio", "asking to explain or repeat ('what do you mean'), last 6 s (1 = 1)"),
    "doubting": ("audio", "doubting in words ('really?', 'are you sure'), last 6 s (1 = 1)"),
    "curious": ("audio", "asking for more ('tell me more', 'how does'), last 6 s (1 = 1)"),
    "frustrated_words": ("audio", "words of annoyance ('come on', 'waste of time'), last 6 s (1 = 1)"),
    "asking": ("audio", "questions asked, last 6 s (2 = 1)"),
}
# Each lexicon.toml feature and the instant that counts it.
LEXICAL_INSTANTS = {"fillers": "fillers", "affirming": "affirmations", "hedging": "hedges",
                    "pushback": "pushbacks", "asking_clarification": "clarifications",
                    "doubting": "doubts", "curious": "curiosities", "frustrated_words": "frustrations",
                    "asking": "questions"}
FEATURE_NAMES = tuple(FEATURES)
FEAT = {name: k for k, name in enumerate(FEATURE_NAMES)}


SWINGS_WHILE_SPEAKING = 0.5  # what a nod or shake counts for while the person is talking


def _unit(x: np.ndarray | float) -> np.ndarray | float:
    return np.clip(x, 0.0, 1.0)


def features_from(ring: TickRing) -> np.ndarray:
    """The feature row for the ring's latest tick (see FEATURES for each one's meaning)."""
    s, lg = ring.short_mean(), ring.long_mean()
    c2, c6 = ring.short_sum, ring.long_sum
    seen2 = max(s[AT["seen"]], 1e-9)
    talk6 = lg[AT["speaking"]]
    fillers = _unit(c6[AT["fillers"]] / 2)
    long_pause = _unit(c6[AT["pause_excess_s"]] / 1.5)
    spoke = max(s[AT["voiced"]], 1e-9)
    out = np.empty(len(FEATURE_NAMES))
    # Head movements that go with one's own speech (beats, emphasis, a shake on "no one" or
    # "nothing") say less about one's stance than the same movement while listening.
    listening = 1.0 - (1.0 - SWINGS_WHILE_SPEAKING) * s[AT["speaking"]]
    out[FEAT["nodding"]] = _unit(c2[AT["nod_swings"]] / 2 * listening)
    out[FEAT["head_shake"]] = _unit(c2[AT["shake_swings"]] / 3 * listening)
    for name in EXPRESSIONS:
        out[FEAT[name]] = s[AT[name]] / seen2  # mean over the ticks the face was seen
    out[FEAT["head_tilt"]] = s[AT["tilt"]] / seen2
    out[FEAT["gaze_away"]] = s[AT["gaze_off"]]
    out[FEAT["gaze_away_long"]] = lg[AT["gaze_off"]]
    out[FEAT["gaze_on"]] = lg[AT["gaze_on"]]
    out[FEAT["gaze_far"]] = s[AT["gaze_far"]]
    out[FEAT["eyes_closed"]] = s[AT["eyes_closed"]]
    out[FEAT["yawn"]] = _unit(c6[AT["yawns"]])
    out[FEAT["blinking_fast"]] = _unit((c6[AT["blinks"]] - 2) / 4)
    out[FEAT["lean_in"]] = s[AT["lean_in"]] / seen2
    out[FEAT["lean_out"]] = s[AT["lean_out"]] / seen2
    out[FEAT["moving"]] = lg[AT["motion"]] / max(lg[AT["seen"]], 1e-9)
    out[FEAT["absent"]] = s[AT["absent"]]
    out[FEAT["speaking"]] = s[AT["speaking"]]
    out[FEAT["talk_share"]] = talk6
    out[FEAT["fillers"]] = fillers
    out[FEAT["long_pause"]] = long_pause
    out[FEAT["pause_looking_away"]] = _unit(c6[AT["pause_away"]])
    out[FEAT["slow_response"]] = _unit(c6[AT["latency_excess_s"]] / 2)
    out[FEAT["backchannel"]] = _unit(c6[AT["backchannels"]])
    out[FEAT["rising_ending"]] = _unit(c6[AT["rising"]])
    out[FEAT["quiet"]] = s[AT["quiet"]] / spoke
    out[FEAT["loud"]] = s[AT["loud"]] / spoke
    out[FEAT["pitch_up"]] = s[AT["pitch_up"]] / spoke
    out[FEAT["fast_speech"]] = _unit(c6[AT["fast"]])
    out[FEAT["monotone"]] = _unit(c6[AT["monotone"]])
    out[FEAT["shaky_voice"]] = _unit(c6[AT["shaky"]])
    out[FEAT["interrupting"]] = _unit(c6[AT["interruptions"]])
    out[FEAT["sigh"]] = _unit(c6[AT["sighs"]])
    out[FEAT["smiling"]] = s[AT["smiling"]] / seen2
    out[FEAT["laughing"]] = _unit(2 * s[AT["laughing"]] / seen2)
    out[FEAT["laughter_heard"]] = _unit(c6[AT["laughs"]])
    out[FEAT["affirming"]] = _unit(c6[AT["affirmations"]])
    out[FEAT["hedging"]] = _unit(c6[AT["hedges"]] / 2)
    out[FEAT["pushback"]] = _unit(c6[AT["pushbacks"]])
    out[FEAT["asking_clarification"]] = _unit(c6[AT["clarifications"]])
    out[FEAT["doubting"]] = _unit(c6[AT["doubts"]])
    out[FEAT["curious"]] = _unit(c6[AT["curiosities"]])
    out[FEAT["frustrated_words"]] = _unit(c6[AT["frustrations"]])
    out[FEAT["asking"]] = _unit(c6[AT["questions"]] / 2)
    out[FEAT["fluent"]] = _unit(talk6 / 0.6) * (1 - fillers) * (1 - long_pause)
    return np.clip(out, 0.0, 1.0)
