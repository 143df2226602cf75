"""The video frame of a recorded file nearest a moment: what the review window shows on a seek.

Seeks to the keyframe before `t` and decodes forward, so a click costs one GOP of
decoding at most, not the whole file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from copilot.capture.items import SourceError


def frame_at(path: str | Path, t: float) -> tuple[float, np.ndarray] | None:
    """(the frame's time, BGR uint8 image) nearest `t` seconds; None for a file without video.

    The picture and its clock are the analysis's own (capture.media_file): the same stream
    (not an album cover), turned upright as the file says, timed from the file's start."""
    import av

    from copilot.capture.media_file import chosen_streams, start_time_s, upright

    path = Path(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise SourceError(f"{path}: cannot open the recording to show a frame ({exc})") from exc
    with container:
        stream = chosen_streams(container)[0]
        if stream is None:
            return None
        start = start_time_s(container)
        target = max(0.0, t) + start
        container.seek(int(target / stream.time_base), stream=stream, backward=True, any_frame=False)
        best: tuple[float, av.VideoFrame] | None = None
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            when = float(frame.pts * stream.time_base)
            if best is None or abs(when - target) < abs(best[0] - target):
                best = (when, frame)
            if when >= target:
                break
        if best is None:
            return None
        return best[0] - start, upright(best[1])
