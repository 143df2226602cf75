"""Audio capture against a real PulseAudio server: what plays into a sink comes back on "them"."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from fixtures_desktop import PulseServer, pulse_server  # noqa: F401  (a fixture)

from copilot.capture.audio_device import MAX_CHUNK, Resampler, microphone, system_audio
from copilot.capture.devices import DeviceReport, audio_inputs, find_input, format_report, list_devices
from copilot.capture.items import SAMPLE_RATE_HZ, SourceError
from copilot.capture.source import SessionClock, Source

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SPEECH = DATA / "whisper" / "jfk.flac"  # 44.1 kHz stereo, so the server resamples too
CLIP_S = 4.0
SINK = "copilot_test"


@pytest.fixture
def speech_clip(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """The first CLIP_S of SPEECH as a WAV to play, and the same at 16 kHz mono to compare."""
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed (apt package sox)")
    if not SPEECH.exists():
        pytest.skip(f"test recording missing: {SPEECH}")
    clip, reference = tmp_path / "clip.wav", tmp_path / "reference.f32"
    subprocess.run(["sox", SPEECH, clip, "trim", "0", str(CLIP_S)], check=True)
    subprocess.run(
        ["sox", clip, "-r", str(SAMPLE_RATE_HZ), "-c", "1", "-e", "floating-point", "-b", "32",
         "-t", "raw", reference],
        check=True,
    )  # fmt: skip
    return clip, np.fromfile(reference, dtype=np.float32)


@pytest.fixture
def test_sink(pulse_server: PulseServer) -> PulseServer:  # noqa: F811
    pulse_server.pactl(
        "load-module", "module-null-sink", f"sink_name={SINK}",
        "sink_properties=device.description=Copilot-test-speakers",
    )  # fmt: skip
    pulse_server.pactl("set-default-sink", SINK)
    return pulse_server


def best_lag(captured: np.ndarray, reference: np.ndarray) -> int:
    """Where `reference` starts inside `captured`, by FFT cross-correlation."""
    size = 1 << int(np.ceil(np.log2(len(captured) + len(reference))))
    spectrum = np.fft.rfft(captured, size) * np.conj(np.fft.rfft(reference, size))
    correlation = np.fft.irfft(spectrum, size)[: len(captured) - len(reference) + 1]
    return int(np.argmax(correlation))


@pytest.mark.slow
def test_system_audio_returns_what_plays(test_sink: PulseServer, speech_clip):
    clip, reference = speech_clip
    clock = SessionClock()
    source = system_audio(f"{SINK}.monitor")
    source.open(clock)
    chunks, player = [], None
    try:
        for chunk in source.items():
            chunks.append(chunk)
            if player is None:  # the stream flows: start playing now
                started_at = clock.now()
                player = subprocess.Popen(["paplay", "-d", SINK, str(clip)], env=test_sink.env)
            elif player.poll() is not None and chunk.end > started_at + CLIP_S + 1.0:
                break
            assert chunk.end < started_at + CLIP_S + 15, "playback never finished"
    finally:
        source.close()
        if player is not None:
            player.kill()
    assert player.returncode == 0
    assert source.describe()["lost_frames"] == 0
    # One clock, no gaps: each chunk starts where the previous one ended.
    assert all(abs(b.t - a.end) < 1e-6 for a, b in itertools.pairwise(chunks))
    assert all(c.channel == "them" and c.samples.dtype == np.float32 for c in chunks)
    # Reads are cut into chunks of at most MAX_CHUNK; a reader that woke late gets several, the
    # last of them as short as what was left, so only the typical chunk has a lower bound.
    lengths_ms = [len(c.samples) / SAMPLE_RATE_HZ * 1000 for c in chunks]
    assert all(0 < ms <= MAX_CHUNK / SAMPLE_RATE_HZ * 1000 for ms in lengths_ms)
    assert 10 <= float(np.median(lengths_ms)) <= 50
    captured = np.concatenate([c.samples for c in chunks])
    lag = best_lag(captured, reference)
    heard = captured[lag : lag + len(reference)]
    assert len(heard) == len(reference), "the capture ended before the clip did"
    assert np.corrcoef(heard, reference)[0, 1] > 0.95
    # The clip is stamped after it was started and within the server's buffering.
    onset = chunks[0].t + lag / SAMPLE_RATE_HZ
    assert started_at - 0.05 < onset < started_at + 1.5


def test_missing_microphone_is_named(pulse_server: PulseServer):  # noqa: F811
    source = microphone("Imaginary USB Mic 9000")
    assert isinstance(source, Source)
    with pytest.raises(SourceError, match="Imaginary USB Mic 9000"):
        source.open(SessionClock())
    source.close()


def test_server_going_away_ends_the_stream(test_sink: PulseServer):
    source = system_audio()  # the default output's monitor
    source.open(SessionClock())
    try:
        items = source.items()
        for _, _chunk in zip(range(5), items, strict=False):
            pass
        test_sink.process.kill()
        began = time.monotonic()
        with pytest.raises(SourceError, match=r"system audio: .*stopped"):
            for _chunk in items:
                assert time.monotonic() - began < 10, "the source kept going without a server"
    finally:
        source.close()


def test_devices_lists_the_sink_monitor_as_system_audio(test_sink: PulseServer):
    found = {i.name: i for i in audio_inputs()}
    monitor = found["Monitor of Copilot-test-speakers"]
    assert monitor.loopback and monitor.pulse_source == f"{SINK}.monitor"
    text = format_report(DeviceReport(audio_inputs=list(found.values())))
    assert "Monitor of Copilot-test-speakers" in text.split("System audio")[1]
    assert "No microphone found." in text  # the test server has no microphone


def test_no_portaudio_still_gives_a_report(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # as if libportaudio were missing
    report = list_devices()
    assert report.audio_inputs == []
    assert any("PortAudio cannot load" in p for p in report.problems)
    assert "No audio input devices" in format_report(report)
    with pytest.raises(SourceError, match="PortAudio cannot load"):
        microphone().open(SessionClock())


def test_report_says_when_nothing_is_there():
    text = format_report(DeviceReport(problems=["cannot open display :9"]))
    assert "No camera found." in text
    assert "No audio input devices: is a sound server running?" in text
    assert "No system-audio" in text and "cannot open display :9" in text


@pytest.mark.parametrize("device_rate", [8_000, 22_050, 44_100, 48_000])
def test_resampler_keeps_speech_band_and_timing(device_rate: int):
    seconds = np.arange(device_rate) / device_rate
    tone = np.sin(2 * np.pi * 1_000 * seconds)
    rng = np.random.default_rng(device_rate)
    resampler, parts, start = Resampler(device_rate, SAMPLE_RATE_HZ), [], 0
    while start < len(tone):  # blocks of random size, as PortAudio delivers them
        stop = start + int(rng.integers(1, 2_000))
        parts.append(resampler.process(tone[start:stop]))
        start = stop
    out = np.concatenate(parts)
    whole = Resampler(device_rate, SAMPLE_RATE_HZ).process(tone)
    np.testing.assert_allclose(out, whole[: len(out)], atol=1e-6)  # block size changes nothing
    expected = np.sin(2 * np.pi * 1_000 * np.arange(len(out)) / SAMPLE_RATE_HZ)
    assert len(out) > 0.98 * SAMPLE_RATE_HZ
    assert np.abs(out[100:-100] - expected[100:-100]).max() < 1e-3  # same phase: same clock


def test_resampler_keeps_high_tones_from_folding_into_speech():
    rate = 48_000
    tone = np.sin(2 * np.pi * 12_000 * np.arange(rate) / rate)  # would alias to 4 kHz
    out = Resampler(rate, SAMPLE_RATE_HZ).process(tone)
    assert np.sqrt(np.mean(out[100:-100] ** 2)) < 1e-3


def test_a_microphone_is_never_the_monitor_of_an_output(test_sink: PulseServer):
    """Without a microphone the server's default input is the speakers' monitor; a headset's
    microphone and its speakers often share a name. Neither may turn the other side into "you"."""
    with pytest.raises(SourceError, match=rf"no microphone found: .*\({SINK}\.monitor\)"):
        find_input(None, loopback=False)
    test_sink.pactl("load-module", "module-null-source", "source_name=copilot_test_mic",
                    "description=Copilot-test-speakers")
    by_name = find_input("Copilot-test-speakers", loopback=False)
    assert (by_name.pulse_source, by_name.loopback) == ("copilot_test_mic", False)
    assert find_input("copilot-test-speakers", loopback=True).pulse_source == f"{SINK}.monitor"
    assert find_input(None, loopback=False).pulse_source in (None, "copilot_test_mic")
