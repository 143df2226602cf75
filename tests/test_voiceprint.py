"""The voiceprint model (models/MODELS.md): the committed ONNX file gives what the wheel's own
bytes give, its front end is Kaldi's filterbank, and it tells two people apart on real recordings.

The model runs in moonshine-voice's own C++ diarization, which gives no way to read its
embeddings, so parity is checked in its two parts: the committed ONNX file, loaded as the app
loads it, against the .ort bytes in the installed wheel run as they are, on real speech; and
the numpy front end against kaldi-native-fbank, a C++ implementation of the Kaldi filterbank
that pyannote's front end (torchaudio's Kaldi-compatible fbank) follows.
"""

from __future__ import annotations

import hashlib
import importlib.util
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from copilot.shipped.models import model_spec
from copilot.shipped.resources import resource_dir
from copilot.voice.voiceprint import FRAME_SAMPLES, HOP_SAMPLES, VoiceprintEncoder, filterbanks, frame_count

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
EXTRACTOR = Path(__file__).resolve().parents[1] / "models" / "extract_voiceprint.py"


def _need(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{relative} is not in ../shared/data")
    return path


def _extractor():
    spec = importlib.util.spec_from_file_location("extract_voiceprint", EXTRACTOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_model_gives_what_the_wheels_bytes_give():
    """Real speech through the wheel's .ort bytes, run as shipped, and through the committed ONNX
    file, loaded as the app loads it (constants folded, convolutions fused): the same voiceprints."""
    from copilot.evaluation.diarization import recording_samples

    extractor = _extractor()
    as_shipped = extractor.ort_session(extractor.extract())
    samples = recording_samples(_need("pyannote/ami_dev00.wav"))[: 16000 * 12]
    banks = np.stack([filterbanks(samples[i : i + 16000]) for i in range(0, len(samples), 16000)])
    feeds = {"fbank": banks, "weights": np.ones(banks.shape[:2], np.float32)}
    shipped = as_shipped.run(None, feeds)[0]
    ours = VoiceprintEncoder().model.run(feeds)[0]
    scale = np.abs(shipped).max()
    print(f"\nlargest difference {np.abs(ours - shipped).max():.2e} on values up to {scale:.1f}")
    assert np.abs(ours - shipped).max() <= 1e-5 * max(scale, 1.0)


def test_the_committed_model_is_the_wheels_graph_written_as_onnx():
    """The converter, run again, writes the committed bytes: nothing was changed by hand. ONNX
    Runtime stamps its version into the file, so the bytes are compared under the version that
    wrote them (models.toml); the test above holds under any version."""
    import onnxruntime

    committed = (resource_dir("models") / model_spec("voiceprint")["file"]).read_bytes()
    assert hashlib.sha256(committed).hexdigest() == model_spec("voiceprint")["sha256"]
    if onnxruntime.__version__ != model_spec("voiceprint")["written_by_onnxruntime"]:
        pytest.skip(f"onnxruntime {onnxruntime.__version__} here; the file was written by "
                    f"{model_spec('voiceprint')['written_by_onnxruntime']}")
    extractor = _extractor()
    assert extractor.to_onnx(extractor.extract()) == committed


def test_the_symbol_reader_finds_nothing_that_is_not_there():
    with pytest.raises(ValueError, match="not found"):
        _extractor().symbol_bytes(_extractor().library_path().read_bytes(), "no_such_symbol")


def test_filterbanks_match_kaldi():
    knf = pytest.importorskip("kaldi_native_fbank")
    from copilot.evaluation.diarization import recording_samples

    samples = recording_samples(_need("whisper/jfk.flac"))[: 5 * 16000]
    options = knf.FbankOptions()
    options.frame_opts.dither = 0.0
    options.frame_opts.samp_freq = 16000
    options.frame_opts.window_type = "hamming"
    options.mel_opts.num_bins = 80
    options.use_energy = False
    kaldi = knf.OnlineFbank(options)
    kaldi.accept_waveform(16000, (samples * 32768).tolist())
    kaldi.input_finished()
    reference = np.array([kaldi.get_frame(i) for i in range(kaldi.num_frames_ready)])
    reference -= reference.mean(axis=0, keepdims=True)
    ours = filterbanks(samples)
    # 5 s give 498 frames, as the wheel's own notes for the model say
    assert ours.shape == reference.shape == (498, 80) == (frame_count(len(samples)), 80)
    assert np.abs(ours - reference).max() < 1e-3  # log energies of about +-30


def test_frames_need_a_whole_window():
    assert frame_count(FRAME_SAMPLES - 1) == 0
    assert frame_count(FRAME_SAMPLES) == 1
    assert frame_count(FRAME_SAMPLES + HOP_SAMPLES) == 2
    assert VoiceprintEncoder().embed([np.zeros(100, np.float32)]).tolist() == [[0.0] * 256]


def test_the_voiceprint_ignores_the_recordings_level():
    """Quiet film audio sits near -42 dBFS; the same speech there and 30 dB louder gives the same
    voiceprint (its log energies less their mean cancel a gain)."""
    from copilot.evaluation.diarization import recording_samples

    samples = recording_samples(_need("whisper/jfk.flac"))[: 16000 * 6]
    pieces = [samples[i : i + 24000] for i in range(0, len(samples) - 24000 + 1, 8000)]
    rms_db = 20 * np.log10(float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))))
    gain = np.float32(10 ** ((-42.0 - rms_db) / 20))
    encoder = VoiceprintEncoder()
    as_recorded = encoder.embed(pieces)
    quiet = encoder.embed([p * gain for p in pieces])
    loud = encoder.embed([p * gain * np.float32(10 ** 1.5) for p in pieces])
    assert np.all(np.sum(quiet * as_recorded, axis=1) > 0.999)
    assert np.all(np.sum(loud * as_recorded, axis=1) > 0.999)


def test_two_people_are_far_apart_and_one_person_close():
    """Windows of 1.5 s wholly inside one person's reference turn of the AMI excerpt: the two
    people's voiceprints lie far apart (GE2E, the model this replaced, gave 0.73 for one person
    and 0.62 for two on the same windows)."""
    from copilot.evaluation.diarization import read_rttm, recording_samples

    samples = recording_samples(_need("pyannote/ami_dev00.wav"))
    turns = read_rttm(_need("pyannote/ami_dev00.rttm"))
    windows = []
    for turn in turns:
        t = turn.start
        while t + 1.5 <= turn.end:
            if not any(o.voice != turn.voice and o.start < t + 1.5 and o.end > t for o in turns):
                windows.append((turn.voice, samples[round(t * 16000): round((t + 1.5) * 16000)]))
            t += 1.5
    prints = VoiceprintEncoder().embed([w for _, w in windows])
    same, apart = [], []
    for i, j in combinations(range(len(windows)), 2):
        (same if windows[i][0] == windows[j][0] else apart).append(float(prints[i] @ prints[j]))
    print(f"\none person {np.mean(same):.2f} +- {np.std(same):.2f}, "
          f"two {np.mean(apart):.2f} +- {np.std(apart):.2f}")
    assert len(set(v for v, _ in windows)) == 2 and len(same) >= 6
    assert np.mean(same) - np.mean(apart) > 0.25
    assert min(same) > max(apart) - 0.05
