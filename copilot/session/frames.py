"""The video frame of a recorded file nearest a moment: what the review window shows on a seek.

Seeks to the keyframe before `t` and decodes forward, so a click costs one GOP of
decoding at most, not the whole file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from copilot.capture.items import SourceError


def frame_at(path: str | Path, t: float) -> tuple[float, np.ndarray] | None:
    """(the frame's time, BGR uint8 image) nearest `t` seconds; None for a file without video."""
    import av

    path = Path(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise SourceError(f"{path}: cannot open the recording to show a frame ({exc})") from exc
    with container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
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
        return best[0] - start, np.ascontiguousarray(best[1].to_ndarray(format="bgr24"))
