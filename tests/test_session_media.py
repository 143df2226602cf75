"""Raw media is kept only when the user opts in, and then lines up with the session clock."""

from __future__ import annotations

import wave

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.capture.media_file import MediaFile
from copilot.engine import Engine
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
    with wave.open(str(video.parent / "audio-file.wav")) as track:
        assert track.getframerate() == SAMPLE_RATE_HZ
        assert abs(track.getnframes() / SAMPLE_RATE_HZ - 2.98) < 0.05
    info = list_sessions(open_database(tmp_path / "sessions.sqlite3"))[0]
    assert info.record_media and info.media_path == str(video)
