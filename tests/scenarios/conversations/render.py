"""Two people taking turns on one track, with their turns known: the speaker split's tuning set.

Each conversation interleaves the speech of two single-speaker recordings from ../shared/data
(SPLIT.md names them; no checking recording is among them) and writes a 16 kHz WAV file and
an RTTM file of its turns beside it, which `copilot eval` scores by diarization error rate.

The grid covers what people do in conversation:
- Turn lengths. Everyday talk runs on short turns, about 2 s on average (Levinson & Torreira,
  "Timing in turn-taking and its implications for processing models of language", Frontiers in
  Psychology 2015), with backchannels and quick answers under a second and, in meetings,
  stretches of several seconds: 0.8, 2 and 5 s here.
- Gaps between turns. Replies most often come 0-200 ms after the other stops, in every language
  studied (Stivers et al., "Universals and cultural variation in turn-taking in conversation",
  PNAS 2009); gaps of half a second or more are common too, and so are replies that start
  before the other has finished: in Heldner and Edlund's counts ("Pauses, gaps and overlaps in
  conversations", Journal of Phonetics 2010) a large share of speaker changes overlap, mostly
  by under half a second. Gaps of 0.6, 0.15 and 0 s and an overlap of 0.3 s here (the two
  voices summed where they overlap).
- Pairs of voices: women and men, the same recording set-up for both (GRID's speakers read
  in one booth), courtroom audio, studio speech.

The speech of each recording is found by its level (frames within 30 dB of its loud ones, gaps
under 0.25 s bridged); its pauses are dropped and its speech is used in order, from the start
again when it runs out. Both voices are brought to the same speech level (-26 dBFS), with a
faint noise floor (-70 dBFS) so the track is never digital silence.
"""

from __future__ import annotations

import wave
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16_000
LEVEL_DBFS = -26.0
NOISE_DBFS = -70.0
LENGTH_S = 24.0  # of each conversation
TURN_LENGTHS_S = (0.8, 2.0, 5.0)
GAPS_S = (-0.3, 0.0, 0.15, 0.6)  # < 0: the next turn starts this much before the last ends

# (name, path under ../shared/data): one person each.
VOICES = {
    "radio36": "sadtalker/RD_Radio36_000.wav",
    "radio40": "sadtalker/RD_Radio40_000.wav",
    "retalk1": "video_retalking/1.wav",
    "retalk2": "video_retalking/2.wav",
    "katie": "sadtalker/WDA_KatieHill_000.mp4",
    "grid_bbaf": "grid_lipnet/bbaf2n.mpg",
    "grid_lbax": "grid_lipnet/lbax4n.mpg",
    "grid_swwp": "grid_lipnet/id2_vcd_swwp2s.mpg",
    "ravdess": "ravdess_audio",  # one actor's five takes, in name order
    "witness51": "reallife_trial_audio/trial_lie_051.wav",
    "witness17": "reallife_trial_audio/trial_truth_017.wav",
}
PAIRS = (("radio36", "katie"), ("radio40", "retalk1"), ("grid_bbaf", "grid_lbax"),
         ("grid_swwp", "ravdess"), ("witness51", "witness17"), ("retalk2", "grid_lbax"))


@dataclass(frozen=True)
class Conversation:
    a: str
    b: str
    turn_s: float
    gap_s: float

    @property
    def name(self) -> str:
        return f"{self.a}-{self.b}-turn{self.turn_s:g}s-gap{self.gap_s:g}s"


# Left out: 0.8 s turns overlapping by 0.3 s (each voice alone for 0.2 s), where every moment lies
# within 0.25 s of a turn's edge, which DER does not score.
CONVERSATIONS = tuple(Conversation(a, b, turn, gap)
                      for a, b in PAIRS for turn in TURN_LENGTHS_S for gap in GAPS_S
                      if not (turn < 1.0 and gap < 0))


def _decoded(path: Path) -> np.ndarray:
    from copilot.evaluation.diarization import recording_samples

    if path.is_dir():
        return np.concatenate([recording_samples(p) for p in sorted(path.glob("*.wav"))])
    return recording_samples(path)


def speech_only(samples: np.ndarray) -> np.ndarray:
    """The recording's speech with its pauses dropped, at LEVEL_DBFS."""
    frame = RATE // 100  # 10 ms
    count = len(samples) // frame
    energy = np.square(samples[: count * frame].reshape(count, frame).astype(np.float64)).mean(axis=1)
    level = 10 * np.log10(energy + 1e-12)
    loud = level >= np.percentile(level, 95) - 30.0
    bridge = 25  # frames: gaps under 0.25 s stay (the pauses inside a phrase)
    k = 0
    while k < count:
        if not loud[k]:
            end = k
            while end < count and not loud[end]:
                end += 1
            if k > 0 and end < count and end - k < bridge:
                loud[k:end] = True
            k = end
        else:
            k += 1
    kept = samples[: count * frame].reshape(count, frame)[loud].reshape(-1)
    rms = float(np.sqrt(np.mean(np.square(kept, dtype=np.float64))))
    return (kept * (10 ** (LEVEL_DBFS / 20) / max(rms, 1e-9))).astype(np.float32)


Turn = tuple[str, float, float]  # who, start, end (s)


def render(conversation: Conversation, voices: dict[str, np.ndarray]) -> tuple[np.ndarray, list[Turn]]:
    """The track and its turns (speaker, start, end) in seconds."""
    rng = np.random.default_rng(zlib.crc32(conversation.name.encode()))
    n = round(conversation.turn_s * RATE)
    step = round((conversation.turn_s + conversation.gap_s) * RATE)  # from one turn start to the next
    samples = np.zeros(round(LENGTH_S * RATE) + n + step, np.float32)
    turns, used = [], {conversation.a: 0, conversation.b: 0}
    at, speaker = 0, conversation.a
    while at < LENGTH_S * RATE:
        speech, start = voices[speaker], used[speaker]
        samples[at:at + n] += np.take(speech, np.arange(start, start + n), mode="wrap")
        used[speaker] = (start + n) % len(speech)
        turns.append((speaker, at / RATE, (at + n) / RATE))
        at += step
        speaker = conversation.b if speaker == conversation.a else conversation.a
    samples = samples[: round(turns[-1][2] * RATE)]
    samples += rng.normal(0.0, 10 ** (NOISE_DBFS / 20), len(samples)).astype(np.float32)
    return samples, turns


def write(out_dir: Path, shared: Path, chosen: tuple[Conversation, ...] = CONVERSATIONS) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    needed = {name for c in chosen for name in (c.a, c.b)}
    voices = {name: speech_only(_decoded(shared / VOICES[name])) for name in sorted(needed)}
    written = []
    for conversation in chosen:
        samples, turns = render(conversation, voices)
        audio = out_dir / f"{conversation.name}.wav"
        with wave.open(str(audio), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
        rttm = audio.with_suffix(".rttm")
        rttm.write_text("".join(f"SPEAKER {conversation.name} 1 {s:.3f} {e - s:.3f} <NA> <NA> {who} "
                                "<NA> <NA>\n" for who, s, e in turns))
        written.append(rttm)
    return written
