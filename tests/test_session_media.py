"""Raw media is kept only when the user opts in, and then lines up with the session clock."""

from __future__ import annotations

import wave

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.capture.media_file import MediaFile
from copilot.engine.loop import Engine
from copilot.session.library import list_sessions
from copilot.session.recorder import SessionRecorder
from copilot.session.store import open_database

CLIP = "grid_lipnet/bbaf2n.mpg"  # 3 s, 25 fps video with speech: stands in for a camera and a mic


def record(shared_data, database, keep: bool) -> SessionRecorder:
    recorder = SessionRecorder(database, source_name="camera 0", source_kind="camera", mode="practice",
                               record_media=keep)
    Engine([MediaFile(shared_data / CLIP)], [], [recorder], lossless=True).run()
    recorder.close()
    return recorder


def test_nothing_but_signals_is_kept_by_default(shared_data, tmp_path):
    recorder = record(shared_data, tmp_path / "sessions.sqlite3", keep=False)
    assert recorder.media is None and not (tmp_path / "media").exists()
    assert list_sessions(open_database(tmp_path / "sessions.sqlite3"))[0].media_path is None


def test_opting_in_keeps_video_and_audio_on_the_session_clock(shared_data, tmp_path):
    import av

    recorder = record(shared_data, tmp_path / "sessions.sqlite3", keep=True)
    video = recorder.media.video_path
    assert video.parent == tmp_path / "media" / f"session-{recorder.session_id}"
    with av.open(str(video)) as container:
        times = [frame.time for frame in container.decode(video=0)]
    assert len(times) == 75  # every frame of the clip
    assert times[0] == 0.0 and abs(times[-1] - 2.96) < 0.01  # session time, not a frame count
    from copilot.session.frames import frame_at

    shown = frame_at(video, 2.0)  # the review window can seek in the (fragmented) file
    assert shown is not None and abs(shown[0] - 2.0) < 0.05
    with wave.open(str(video.parent / "audio-file.wav")) as track:
        assert track.getframerate() == SAMPLE_RATE_HZ
        assert abs(track.getnframes() / SAMPLE_RATE_HZ - 2.98) < 0.05
    info = list_sessions(open_database(tmp_path / "sessions.sqlite3"))[0]
    assert info.record_media and info.media_path == str(video)


def test_a_killed_app_leaves_its_video_readable_up_to_the_last_two_seconds(tmp_path):
    """The process writes 4 s of frames and is killed before closing the file."""
    import subprocess
    import sys

    import av

    video = tmp_path / "video.mp4"
    script = (
        "import os, signal, numpy as np\n"
        "from pathlib import Path\n"
        "from copilot.vision.frames import PreviewVideo\n"
        f"out = PreviewVideo(Path({str(video)!r}), 25, survives_a_crash=True)\n"
        "for k in range(100):\n"
        "    image = np.full((120, 160, 3), (k * 2) % 255, np.uint8)\n"
        "    out.write(image, k / 25)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == -9, done.stderr
    with av.open(str(video)) as container:
        times = [frame.time for frame in container.decode(video=0)]
    assert len(times) >= 50 and times[0] == 0.0  # all but the fragment under way


def test_kept_sound_sits_at_its_session_time_with_silence_where_none_came(tmp_path):
    import numpy as np

    from copilot.capture.items import AudioChunk
    from copilot.engine.step import Step
    from copilot.session.media import MediaKeeper

    keeper = MediaKeeper(tmp_path)
    tone = np.full(SAMPLE_RATE_HZ // 10, 0.5, np.float32)  # 0.1 s chunks
    for t in (1.0, 1.1, 1.3):  # the stream opened 1 s late, and the chunk at 1.2 s was dropped
        keeper(Step(t + 0.1, None, {"you": AudioChunk(t, tone, "you")}))
    keeper.close()
    with wave.open(str(tmp_path / "audio-you.wav")) as track:
        pcm = np.frombuffer(track.readframes(track.getnframes()), "<i2")
    loud = np.flatnonzero(pcm > 0) / SAMPLE_RATE_HZ
    assert len(pcm) == round(1.4 * SAMPLE_RATE_HZ)
    assert loud[0] == 1.0 and not np.any((loud >= 1.2) & (loud < 1.3))
