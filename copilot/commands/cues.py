"""`copilot cues INPUT --out cues.jsonl`: what the face pipeline sees, one JSON line per face.

A way to check the face stage on a recording without the rest of the engine: each
line has the frame time, the participant id, the box and the face-presence score, and
with --landmarks the 468 mesh points and the 10 iris points in image pixels.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from copilot.capture.items import SourceError


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("cues", help="track faces in an image or video, write JSON lines",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path, help="an image (jpg, png) or a video file")
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to write")
    parser.add_argument("--landmarks", action="store_true",
                        help="include the 468 landmarks (x, y pixels, z) and 10 iris points")
    parser.add_argument("--preview", type=Path, help="also write an MP4 with faces drawn on it")
    parser.add_argument("--detect-every", type=float, default=1.0, metavar="S",
                        help="seconds between searches for new faces while tracking (default 1)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from copilot.vision.frames import PreviewVideo, draw_faces, read_frames
    from copilot.vision.tracker import FaceTracker

    try:
        tracker = FaceTracker(detect_every_s=args.detect_every)
    except (OSError, RuntimeError) as exc:  # a missing or broken model file names itself
        print(f"copilot cues: cannot load the face models: {exc}", file=sys.stderr)
        return 2
    preview = PreviewVideo(args.preview, _fps_of(args.input)) if args.preview else None
    frames = faces_seen = 0
    try:
        with args.out.open("w", encoding="utf-8") as out:
            for t, image in read_frames(args.input):
                faces = tracker.process(image, t)
                for face in faces:
                    out.write(json.dumps(face.to_json(t, args.landmarks)) + "\n")
                if preview:
                    preview.write(draw_faces(image, faces))
                frames += 1
                faces_seen += len(faces)
    except SourceError as exc:
        print(f"copilot cues: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"copilot cues: {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        if preview:
            preview.close()
    print(f"{args.input}: {frames} frames, {faces_seen} face observations -> {args.out}",
          file=sys.stderr)
    return 0


def _fps_of(path: Path) -> float:
    """The input's frame rate for the preview; 30 for images or when the file does not say."""
    try:
        import av

        with av.open(str(path)) as container:
            rate = container.streams.video[0].average_rate if container.streams.video else None
            return float(rate) if rate else 30.0
    except Exception:  # an image, or a file the reader will report properly
        return 30.0
