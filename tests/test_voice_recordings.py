"""Voice activity against human speaker turns (RTTM) on real recordings in ../shared/data."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pyannote"
FRAME_S = 0.01
F1_FLOOR = 0.8  # Silero-class VAD scores ~0.9 on such speech; well below means the gate is broken


def _read(name: str) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    samples = _wav_samples(DATA / f"{name}.wav")
    turns = []
    for line in (DATA / f"{name}.rttm").read_text().splitlines():
        parts = line.split()
        turns.append((float(parts[3]), float(parts[3]) + float(parts[4]), parts[7]))
    return samples, turns


def _wav_samples(path: Path) -> np.ndarray:
    """16 kHz mono WAV, 16-bit integer or 32-bit float (the stdlib reader refuses float)."""
    data = path.read_bytes()
    at, fmt = 12, None
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = data[at + 8 : at + 8 + size]
        if kind == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", body)
        elif kind == b"data" and fmt is not None:
            tag, channels, rate, *_ = fmt
            assert channels == 1 and rate == 16000, f"{path}: expected 16 kHz mono"
            if tag == 3:
                return np.frombuffer(body, "<f4").astype(np.float32)
            return np.frombuffer(body, "<i2").astype(np.float32) / 32768
        at += 8 + size + (size & 1)
    raise ValueError(f"{path}: no audio data found")


def _mask(spans, length_s):
    mask = np.zeros(int(length_s / FRAME_S), bool)
    for start, end in spans:
        mask[int(start / FRAME_S) : int(end / FRAME_S)] = True
    return mask


@pytest.mark.parametrize("name", ["sample", "ami_dev00"])
def test_voice_activity_agrees_with_reference_turns(name):
    if not (DATA / f"{name}.wav").exists():
        pytest.skip(f"{DATA / name}.wav not present (the shared recordings are not checked out)")
    from copilot.voice.replay import replay

    samples, turns = _read(name)
    events = [e for r in replay({"file": samples}) for e in r.events]
    length_s = len(samples) / 16000
    found = _mask([(e.start, e.end) for e in events if e.kind == "utterance"], length_s)
    truth = _mask([(s, e) for s, e, _ in turns], length_s)
    hit = (found & truth).sum()
    precision, recall = hit / max(found.sum(), 1), hit / max(truth.sum(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    pauses = sum(e.kind == "pause" for e in events)
    print(f"\n{name}: speech precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}; "
          f"{sum(e.kind == 'utterance' for e in events)} utterances, {pauses} pauses, "
          f"{sum(e.kind == 'filled_pause' for e in events)} filled pauses")
    assert f1 >= F1_FLOOR
