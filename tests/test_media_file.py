"""The media-file source: every container we promise, real recordings, and broken files."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from media import CODECS, TONE_HZ, frame_image, make_clip, make_damaged_clip, square_x

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk, SourceError, VideoFrame
from copilot.capture.media_file import MediaFile


def read_all(path: Path, **kwargs) -> tuple[MediaFile, list[VideoFrame], list[AudioChunk]]:
    source = MediaFile(path, **kwargs)
    source.open()
    frames, chunks = [], []
    for item in source.items():
        (frames if isinstance(item, VideoFrame) else chunks).append(item)
    return source, frames, chunks


def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * SAMPLE_RATE_HZ / len(samples))


@pytest.mark.parametrize("suffix", sorted(CODECS))
def test_every_container_yields_frames_and_16k_audio_on_media_time(tmp_path, suffix):
    path = make_clip(tmp_path / f"clip{suffix}", seconds=2.0, fps=25)
    source, frames, chunks = read_all(path)

    assert len(frames) == 50
    assert all(square_x(f.image) == square_x(frame_image(f.index, 160, 120)) for f in frames)
    times = [f.t for f in frames]
    assert times[0] == pytest.approx(0.0, abs=0.05)
    assert np.all(np.diff(times) > 0)
    assert np.median(np.diff(times)) == pytest.approx(0.04, abs=1e-3)

    audio = np.concatenate([c.samples for c in chunks])
    assert audio.dtype == np.float32
    assert len(audio) / SAMPLE_RATE_HZ == pytest.approx(2.0, abs=0.06)
    assert dominant_hz(audio) == pytest.approx(TONE_HZ, abs=2.0)
    # chunks are gapless: each starts where the previous ended
    assert all(b.t == pytest.approx(a.end, abs=1e-6) for a, b in itertools.pairwise(chunks))
    assert source.duration_s == pytest.approx(2.0, abs=0.06)


def test_items_leave_in_time_order_across_streams(tmp_path):
    _, frames, chunks = read_all(make_clip(tmp_path / "clip.mp4"))
    source = MediaFile(tmp_path / "clip.mp4")
    source.open()
    stamps = [item.t for item in source.items()]
    assert stamps == sorted(stamps)
    assert len(stamps) == len(frames) + len(chunks)


def test_video_only_and_audio_only_files_work(tmp_path):
    source, frames, chunks = read_all(make_clip(tmp_path / "silent.mp4", audio=False))
    assert len(frames) == 50 and not chunks and not source.has_audio

    source, frames, chunks = read_all(make_clip(tmp_path / "voice.mkv", video=False))
    assert not frames and source.has_audio and not source.has_video
    assert sum(len(c.samples) for c in chunks) / SAMPLE_RATE_HZ == pytest.approx(2.0, abs=0.06)


@pytest.mark.parametrize(("name", "seconds", "has_audio"), [
    ("noddingpigeon/head_nodding.mp4", 9.0, False),
    ("pyfeat/face_noface.mov", 6.4, True),
    ("grid_lipnet/bbaf2n.mpg", 3.0, True),
    ("openface_samples/default.wmv", 19.2, True),
    ("whisper/jfk.flac", 11.0, True),
])
def test_real_recordings_decode_with_their_durations(shared_data, name, seconds, has_audio):
    source, frames, chunks = read_all(shared_data / name)
    assert source.duration_s == pytest.approx(seconds, abs=0.1)
    assert source.has_audio == has_audio
    if frames:
        assert frames[-1].t == pytest.approx(seconds, abs=0.25)
        assert frames[0].image.shape == (source.height, source.width, 3)
    if has_audio:
        assert chunks[-1].end <= seconds + 0.1


def test_audio_that_starts_late_keeps_its_media_time(shared_data):
    # face_noface.mov's audio stream begins 2.43 s into the file (ffprobe start_time).
    _, _, chunks = read_all(shared_data / "pyfeat/face_noface.mov")
    assert chunks[0].t == pytest.approx(2.43, abs=0.03)


def test_missing_folder_and_garbage_files_are_named_errors(tmp_path):
    with pytest.raises(SourceError, match=r"nope\.mp4: no such file"):
        MediaFile(tmp_path / "nope.mp4").open()
    with pytest.raises(SourceError, match="is a folder"):
        MediaFile(tmp_path).open()
    garbage = tmp_path / "notes.mp4"
    garbage.write_bytes(b"this is not a video" * 100)
    with pytest.raises(SourceError, match=r"notes\.mp4: not a readable media file"):
        MediaFile(garbage).open()


def test_truncated_file_gives_what_it_has(tmp_path):
    whole = make_clip(tmp_path / "whole.mkv", seconds=2.0)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    try:
        _, frames, _ = read_all(cut)
    except SourceError as exc:  # some demuxers notice the cut and say so
        assert "cut.mkv" in str(exc)
    else:
        assert 0 < len(frames) < 50


def test_damaged_packets_leave_a_silence_in_their_place_not_the_later_sound_early(tmp_path):
    damaged, at = make_damaged_clip(tmp_path / "damaged.mp4", at_s=1.0, packets=20)  # about 0.46 s
    source, _, chunks = read_all(damaged)
    assert source.warnings[0].startswith(f"{damaged}: skipped 20 damaged audio packets (between {at:.1f}")
    assert chunks[-1].end == pytest.approx(3.0, abs=0.05)  # not 0.46 s short, ahead of the picture
    late = np.concatenate([c.samples for c in chunks if c.t >= 2.0])
    assert dominant_hz(late) == pytest.approx(TONE_HZ, abs=2.0)


def test_what_was_skipped_is_said_even_when_reading_stops_early(tmp_path):
    damaged, at = make_damaged_clip(tmp_path / "damaged.mp4", at_s=1.0)
    source = MediaFile(damaged)
    source.open()
    items = source.items()
    for item in items:
        if item.t > 2.0:
            break
    source.close()
    items.close()
    assert source.warnings == [f"{damaged}: skipped 1 damaged audio packet (at {at:.1f} s)"]


def test_a_longer_second_sound_track_or_reading_the_picture_alone_is_no_file_cut_short(tmp_path):
    """The header's length covers every stream; only the streams read are held to it."""
    import av

    clip = make_clip(tmp_path / "clip.mp4", seconds=2.0)
    dubbed = tmp_path / "dubbed.mp4"
    with av.open(str(clip)) as src, av.open(str(dubbed), "w") as out:
        streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
        commentary = out.add_stream("aac", rate=16000)
        commentary.layout, commentary.disposition = "mono", av.stream.Disposition(0)
        for packet in src.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
        quiet = np.zeros((1, 1024), np.float32)
        for start in range(0, 6 * 16000, 1024):  # 6 s where the film has 2
            frame = av.AudioFrame.from_ndarray(quiet, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16000, start
            for packet in commentary.encode(frame):
                out.mux(packet)
        for packet in commentary.encode(None):
            out.mux(packet)
    with av.open(str(dubbed)) as container:
        assert container.duration / 1e6 > 5.5  # the header does say 6 s
    source, frames, chunks = read_all(dubbed)
    assert len(frames) == 50 and chunks[-1].end == pytest.approx(2.0, abs=0.1) and not source.warnings
    source, frames, _ = read_all(dubbed, with_audio=False)  # the picture alone (bench, read_frames)
    assert len(frames) == 50


def test_a_damaged_packet_is_skipped_and_named_and_the_rest_is_read(tmp_path):
    damaged, at = make_damaged_clip(tmp_path / "damaged.mp4", at_s=1.5)
    source, frames, chunks = read_all(damaged)
    assert source.warnings == [f"{damaged}: skipped 1 damaged audio packet (at {at:.1f} s)"]
    assert len(frames) == 75  # the picture is whole
    assert chunks[-1].end == pytest.approx(3.0, abs=0.1)  # and the sound goes on after the damage


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_a_phone_video_is_turned_upright_as_its_display_matrix_says(tmp_path, quarter_turns):
    """Phones store the picture as the sensor saw it and say in the file how to turn it; a
    sideways face would read as a 90° head tilt, or not be found at all."""
    import av

    path = tmp_path / "phone.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stored = np.rot90(frame_image(0, 160, 120), -quarter_turns)  # as the sensor saw it
        stream.height, stream.width = stored.shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.set_display_rotation(90 * quarter_turns)  # players turn it back this way
        for k in range(10):
            image = np.ascontiguousarray(np.rot90(frame_image(k, 160, 120), -quarter_turns))
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    source, frames, _ = read_all(path)
    assert (source.width, source.height) == (160, 120)
    assert all(f.image.shape == (120, 160, 3) for f in frames)
    assert [square_x(f.image) for f in frames] == [square_x(frame_image(k, 160, 120)) for k in range(10)]
    from copilot.session.frames import frame_at  # and the review window shows it the same way up

    t, shown = frame_at(path, 4 / 25)
    assert t == pytest.approx(4 / 25) and shown.shape == (120, 160, 3)
    assert square_x(shown) == square_x(frame_image(4, 160, 120))


def test_a_cover_picture_is_not_a_video_and_the_default_sound_is_the_one_heard(tmp_path):
    import av

    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0)
    song = tmp_path / "song.mp4"
    with av.open(str(clip)) as src, av.open(str(song), "w") as out:
        silent = out.add_stream("aac", rate=48000)  # first, but not the default
        heard = out.add_stream_from_template(src.streams.audio[0])
        silent.disposition, heard.disposition = av.stream.Disposition(0), av.stream.Disposition.default
        cover = out.add_stream("mjpeg", rate=1)
        cover.width, cover.height, cover.pix_fmt = 160, 120, "yuvj420p"
        cover.disposition = av.stream.Disposition.attached_pic
        for packet in src.demux(src.streams.audio[0]):
            if packet.dts is not None:
                packet.stream = heard
                out.mux(packet)
        quiet = av.AudioFrame.from_ndarray(np.zeros((1, 48000), np.float32), format="fltp", layout="mono")
        quiet.sample_rate = 48000
        for packet in [*silent.encode(quiet), *silent.encode(None),
                       *cover.encode(av.VideoFrame.from_ndarray(frame_image(0, 160, 120), format="bgr24")),
                       *cover.encode(None)]:
            out.mux(packet)
    source, frames, chunks = read_all(song)
    assert not source.has_video and not frames and source.fps == 0
    assert dominant_hz(np.concatenate([c.samples for c in chunks])) == pytest.approx(TONE_HZ, abs=2.0)


def test_a_file_written_video_first_still_gives_each_frame_the_sound_before_it(tmp_path):
    lumpy = make_clip(tmp_path / "lumpy.mkv", seconds=4.0, interleaved=False)
    source = MediaFile(lumpy)
    source.open()
    items = list(source.items())
    stamps = [item.t for item in items]
    assert stamps == sorted(stamps)
    first_frame = next(k for k, item in enumerate(items) if isinstance(item, VideoFrame))
    assert items[first_frame].t == pytest.approx(0.0, abs=0.05)
    sound = [item for item in items if isinstance(item, AudioChunk)]
    assert sound[0].t == pytest.approx(0.0, abs=0.05) and sound[-1].end == pytest.approx(4.0, abs=0.1)


def test_a_file_whose_timestamps_start_late_keeps_its_own_length(tmp_path):
    """Matroska's header counts the length from zero, so a file starting at 10 s declares 12 s."""
    late = make_clip(tmp_path / "late.mkv", seconds=2.0, start_s=10.0)
    source, frames, _ = read_all(late)
    assert frames[0].t == pytest.approx(0.0, abs=0.05)
    assert source.duration_s == pytest.approx(2.0, abs=0.1)
    assert not source.warnings


def test_a_file_cut_short_gives_what_it_has_then_says_so(tmp_path):
    whole = make_clip(tmp_path / "whole.mkv", seconds=4.0)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    source = MediaFile(cut)
    source.open()
    frames = []
    with pytest.raises(SourceError, match=r"cut\.mkv: ends at [\d.]+ s, though its header says 4\.0 s: "
                                          r"the file is cut short"):
        for item in source.items():
            frames += [item] if isinstance(item, VideoFrame) else []
    assert 20 < len(frames) < 90
