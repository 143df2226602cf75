"""The model helper: real shipped models load, report their provider, and refuse bad files."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import wave

import numpy as np
import pytest

from copilot.shipped import models
from copilot.shipped.models import ModelError, load_model
from copilot.shipped.resources import resource_dir

SMALL = "face_detection_short_range"  # the smallest file, for the copies below


@pytest.fixture
def models_copy(tmp_path, monkeypatch):
    """A private copy of the model list and the smallest model, made the one the app uses."""
    shutil.copy(resource_dir("models") / "models.toml", tmp_path)
    shutil.copy(resource_dir("models") / f"{SMALL}.onnx", tmp_path)
    monkeypatch.setenv("COPILOT_MODELS_DIR", str(tmp_path))
    return tmp_path


def test_face_mesh_loads_and_runs_a_batch():
    model = load_model("face_landmark")
    assert model.input_names == ("image",)
    assert model.output_names == ("landmarks", "face_flag")
    landmarks, flag = model.run({"image": np.full((3, 192, 192, 3), 0.5, np.float32)})
    assert landmarks.shape == (3, 1, 1, 1404) and flag.shape == (3, 1, 1, 1)


@pytest.mark.parametrize("workers", [2, 3])
def test_a_batch_cut_over_threads_gives_the_same_outputs(workers):
    model = load_model("iris_landmark")
    images = np.random.default_rng(7).random((5, 64, 64, 3), dtype=np.float32)
    whole = model.run({"image": images})
    parts = model.run_batch({"image": images}, workers=workers)
    assert [p.shape for p in parts] == [w.shape for w in whole]
    for p, w in zip(parts, whole, strict=True):
        np.testing.assert_allclose(p, w, rtol=0, atol=1e-5)
    assert any(t.name.startswith(models.BATCH_THREAD_NAME) for t in threading.enumerate())


def test_a_worker_given_one_core_runs_a_batch_whole_on_its_own_thread(monkeypatch):
    monkeypatch.setattr(models, "_batch_parts", models._batch_parts)  # put back afterwards
    models.use_cores(1)
    monkeypatch.setattr(models, "_helpers", lambda: pytest.fail("a part went to a helper thread"))
    model = load_model("iris_landmark")
    images = np.random.default_rng(7).random((5, 64, 64, 3), dtype=np.float32)
    for got, whole in zip(model.run_batch({"image": images}), model.run({"image": images}), strict=True):
        np.testing.assert_array_equal(got, whole)


def test_the_voiceprint_model_gets_the_cores_a_call_may_use_and_the_same_outputs_on_one(monkeypatch):
    """models.toml gives the voiceprint model (calls of tens of ms) the process's cores, at most
    two; a batch worker given one core gets one thread. Two threads change no output bit."""
    from copilot.voice.voiceprint import VoiceprintEncoder

    monkeypatch.setattr(models, "_batch_parts", models._batch_parts)  # put back afterwards
    assert load_model("voiceprint").threads == models.cores_in_use() == min(2, os.cpu_count() or 1)
    assert load_model("face_landmark").threads == 1  # 1 ms calls: a second thread costs more than it gives
    models.use_cores(1)
    assert load_model("voiceprint").threads == 1
    speech = np.random.default_rng(3).normal(0, 3000, 16000 * 3).astype(np.float32) / 32768
    stretches = [speech[:16000], speech[:24000], speech]
    one = VoiceprintEncoder(load_model("voiceprint", threads=1)).embed(stretches)
    two = VoiceprintEncoder(load_model("voiceprint", threads=2)).embed(stretches)
    np.testing.assert_array_equal(one, two)


def test_numpys_blas_is_held_to_one_thread_once_a_model_is_loaded():
    """Its threads only spun after the cues' small calls, taking a core from the models."""
    from threadpoolctl import threadpool_info

    load_model("face_landmark")
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_provider_is_the_one_in_use():
    model = load_model("iris_landmark")
    assert model.provider == model.session.get_providers()[0]
    assert model.provider in models.available_providers()


def test_cpu_can_be_forced(monkeypatch):
    monkeypatch.setenv("COPILOT_PROVIDER", "cpu")
    assert load_model("iris_landmark").provider == "CPUExecutionProvider"


def test_sessions_are_shared_per_thread_count():
    assert load_model("face_landmark") is load_model("face_landmark")
    assert load_model("face_landmark", threads=2) is not load_model("face_landmark", threads=1)


def test_checksums_match_the_shipped_files():
    checksums = models.model_checksums()
    assert set(checksums) == {"face_detection_short_range", "face_landmark", "iris_landmark",
                              "face_landmark_with_attention", "silero_vad", "voiceprint"}
    for name, expected in checksums.items():
        path = resource_dir("models") / models.model_spec(name)["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == expected, name


def test_missing_file_is_named(models_copy):
    with pytest.raises(ModelError, match=r"iris_landmark\.onnx is missing from this installation"):
        load_model("iris_landmark")


def test_corrupt_file_is_named(models_copy):
    path = models_copy / f"{SMALL}.onnx"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=rf"{SMALL}\.onnx is corrupt or modified"):
        load_model(SMALL)


def test_file_is_hashed_once_until_it_changes(models_copy, monkeypatch):
    load_model(SMALL)
    models._sessions.clear()  # a new session, but the verified file is not read again

    def no_hashing(*_args):
        raise AssertionError("the model file was hashed a second time")

    monkeypatch.setattr(models.hashlib, "sha256", no_hashing)
    load_model(SMALL)
    monkeypatch.undo()
    monkeypatch.setenv("COPILOT_MODELS_DIR", str(models_copy))
    models._sessions.clear()
    path = models_copy / f"{SMALL}.onnx"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    stat = path.stat()  # same size; make the new mtime certain on coarse-clock filesystems
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(ModelError, match="corrupt or modified"):
        load_model(SMALL)


def _vad_probabilities(samples: np.ndarray) -> np.ndarray:
    """Silero VAD over 16 kHz audio, 512 new samples per call, carrying state and context."""
    spec = models.model_spec("silero_vad")
    model = load_model("silero_vad")
    chunk, context = spec["chunk_samples"], spec["context_samples"]
    state = np.zeros((2, 1, 128), np.float32)
    previous = np.zeros(context, np.float32)
    rate = np.array(spec["sample_rate_hz"], np.int64)
    probabilities = []
    for start in range(0, len(samples) - chunk + 1, chunk):
        new = samples[start : start + chunk].astype(np.float32)
        window = np.concatenate([previous, new])[None]
        probability, state = model.run({"input": window, "state": state, "sr": rate})
        assert probability.shape == (1, 1) and state.shape == (2, 1, 128)
        probabilities.append(float(probability[0, 0]))
        previous = new[-context:]
    return np.array(probabilities)


def test_silero_vad_runs_one_chunk_with_its_state():
    probabilities = _vad_probabilities(np.zeros(512, np.float32))
    assert probabilities.shape == (1,)
    assert 0.0 <= probabilities[0] < 0.1  # silence


def test_silero_vad_hears_real_speech(shared_data):
    path = shared_data / "ravdess_audio" / "03-01-05-02-01-01-01.wav"  # angry, strong
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == 48_000 and wav.getnchannels() == 1
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
    speech = pcm[: len(pcm) // 3 * 3].reshape(-1, 3).mean(axis=1) / 32768  # 48 -> 16 kHz
    silence = np.zeros(16_000, np.float32)
    assert _vad_probabilities(speech).max() > 0.8
    assert _vad_probabilities(silence).max() < 0.1


def test_listed_gpu_without_its_libraries_falls_back_quietly(monkeypatch, capfd, caplog):
    caplog.set_level("INFO", logger="copilot.shipped.models")
    """onnxruntime-gpu lists CUDA even where no CUDA libraries are installed."""
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip("this ONNX Runtime does not list CUDA")
    monkeypatch.setattr(models, "_sessions", {})
    monkeypatch.setattr(models, "_failed_providers", set())
    model = load_model(SMALL)
    if model.provider == "CUDAExecutionProvider":
        pytest.skip("CUDA really works on this machine")
    assert model.provider == "CPUExecutionProvider"
    assert "CUDAExecutionProvider" not in models.available_providers()
    assert "did not start" in caplog.text  # said once, in our words
    assert "[E:onnxruntime" not in capfd.readouterr().err  # not ONNX Runtime's error dump
