"""`copilot cues INPUT [--out cues.jsonl]`: the behaviours a recording shows, or every cue as JSON lines.

A way to check the face and voice stages on a recording without the signal engine. Without
--out it prints one line per behaviour found (a nod, a head shake, a smile, a laugh, a filled
pause...), leaving out utterances, pauses and blinks.
Each line has a `kind`: "face" (one per face per frame: time, participant, box,
presence, the face cues, and with --landmarks the 468 mesh points and 10 iris
points in image pixels), a behaviour ("nod", "head_shake", "blink", "smile", "laughter", ...), "voice_hop"
(per audio channel per step, with the voice speaking on it: a recording's track is split into
voices v1, v2, ...), "mouth" (per face per step: the mouth opening and movement the
voice stage pairs with speech to tell who talks) or a voice segment ("utterance",
"pause", "filled_pause", "laughter", ...). A value not measured yet is null.

A face is a participant once seen steadily for about a second (copilot/vision/people.toml): the
lines of that first second are written when it is confirmed, so they come a little after their
time; a photo's faces are confirmed when the input ends. A face never confirmed has no lines.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from copilot.capture.items import nothing_to_analyse
from copilot.capture.media_file import MediaFile
from copilot.capture.still_image import StillImage, is_image
from copilot.engine.loop import Engine
from copilot.engine.step import Step

if TYPE_CHECKING:
    from copilot.vision.cues.cues import FaceCues
    from copilot.vision.face import Face

# Lines not listed without --out: per-frame and per-hop readings, and segments too common to read
# as a list (every utterance, pause and blink). They are all in the --out file.
LISTED_ELSEWHERE = ("face", "voice_hop", "mouth", "utterance", "pause", "blink")
PREVIEW_SUFFIXES = (".mp4", ".mkv", ".mov")  # containers that take the H.264 the preview is written in


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("cues", help="write the face and voice cues of an image or recording",
                                   description=" ".join(__doc__.split("\n\n")[1].split()))
    parser.add_argument("input", type=Path, help="an image (jpg, png) or a video or audio file")
    parser.add_argument("--out", type=Path,
                        help="JSON-lines file for every cue (without it: the behaviours, one per line)")
    parser.add_argument("--landmarks", action="store_true",
                        help="include the 468 landmarks (x, y pixels, z) and 10 iris points")
    parser.add_argument("--preview", type=Path,
                        help="also write an MP4 with faces, head-pose axes, gaze rays and cue bars drawn")
    parser.add_argument("--detect-every", type=float, default=1.0, metavar="S",
                        help="seconds between searches for new faces while tracking (default 1)")
    parser.set_defaults(run=run)
    return parser


class CueWriter:
    """A sink: one JSON line per face per frame, per behaviour, per voice hop and segment."""

    def __init__(self, out: IO[str], landmarks: bool, preview=None) -> None:
        self.out, self.landmarks, self.preview = out, landmarks, preview
        self.frames = self.faces = 0
        # A candidate face's lines (FrameFaces.tentative), by candidate key: written under the
        # participant's id once the tracker confirms it, so a confirmed person's first second is
        # in the file (a little after its time); never written if it vanishes unconfirmed.
        self.pending: dict[str, list[dict]] = {}
        self.heard_or_seen = False  # a frame or a sample arrived
        self.behaviours: list[dict] = []  # the face's behaviours and the voice's segments, for the listing

    def __call__(self, step: Step) -> None:
        from copilot.vision.cues.draw import draw_cues
        from copilot.vision.frames import draw_faces
        from copilot.voice.records import voice_records

        self.heard_or_seen |= step.frame is not None or any(len(c.samples) for c in step.audio.values())
        faces = step.results.get("faces") or []
        face_cues = step.results.get("face_cues")
        cues = face_cues.cues if face_cues else {}
        found = step.results.get("faces")
        for key, participant in getattr(found, "confirmed", {}).items():  # their first second
            for record in self.pending.pop(key, []):
                self._write({**record, "participant": participant})
                self.faces += 1
        for key in getattr(found, "dropped", ()):
            self.pending.pop(key, None)
        tentative = face_cues.tentative if face_cues else {}
        for face in getattr(found, "tentative", ()):  # kept until confirmed: a candidate is no one yet
            self.pending.setdefault(face.participant, []).append(
                self._face_record(face, step.t, tentative.get(face.participant)))
        for face in faces:
            self._write(self._face_record(face, step.t, cues.get(face.participant)))
        for event in face_cues.events if face_cues else ():
            self._write({"kind": event.kind, **event.to_json()})
        if step.results.get("voice") is not None:
            for row in voice_records(step.results["voice"], step.t):
                self._write(row)
        if step.frame is not None:
            self.frames += 1
            self.faces += len(faces)
            if self.preview is not None:
                image = draw_faces(step.frame.image, faces)
                for face in faces:
                    if face.participant in cues:
                        draw_cues(image, face, cues[face.participant])
                self.preview.write(image)

    def _face_record(self, face: Face, t: float, cues: FaceCues | None) -> dict:
        record = {"kind": "face", **face.to_json(t, self.landmarks)}
        if cues is not None:
            record["cues"] = {k: v for k, v in cues.to_json().items()
                              if k not in ("t", "participant", "events")}
        return record

    def _write(self, record: dict) -> None:
        if record["kind"] not in LISTED_ELSEWHERE:
            self.behaviours.append(record)
        # JSON has no NaN (a measure not available yet): such a value is written as null
        clean = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in record.items()}
        self.out.write(json.dumps(clean) + "\n")


def run(args: argparse.Namespace) -> int:
    from copilot.errors import CopilotError
    from copilot.files.writing import check_distinct
    from copilot.vision.analyzer import FaceAnalyzer
    from copilot.vision.cues.analyzer import FaceCueAnalyzer
    from copilot.vision.frames import PreviewVideo
    from copilot.voice.analyzer import VoiceAnalyzer

    check_distinct({"--out": args.out, "--preview": args.preview})
    if args.preview is not None and args.preview.suffix.lower() not in PREVIEW_SUFFIXES:
        raise CopilotError(f"--preview {args.preview}: the preview is a video; name it "
                           f"{' or '.join(PREVIEW_SUFFIXES)}")
    source = StillImage(args.input) if is_image(args.input) else MediaFile(args.input)
    source.open()
    analyzers = [FaceAnalyzer(detect_every_s=args.detect_every), FaceCueAnalyzer(), VoiceAnalyzer()]
    fps = getattr(source, "fps", 0.0) or 30.0
    preview = PreviewVideo(args.preview, fps) if args.preview else None
    try:
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") if args.out else io.StringIO() as out:
            writer = CueWriter(out, args.landmarks, preview)
            engine = Engine([source], analyzers, [writer], lossless=True)
            engine.run()
    finally:
        if preview is not None:
            preview.close()
    if not writer.heard_or_seen and not engine.errors:
        if args.out is not None and args.out.is_file():  # the empty file this run made (not /dev/stdout)
            args.out.unlink()
        raise nothing_to_analyse(source.name)
    if args.out is None:
        for line in behaviour_lines(writer.behaviours):
            print(line)
    print(f"{args.input}: {writer.frames} frames, {writer.faces} face observations"
          + (f" -> {args.out}" if args.out else ""), file=sys.stderr)
    if args.preview and not writer.frames:
        print(f"{args.input} has no video, so no preview was written", file=sys.stderr)
    for message in engine.warnings:  # e.g. a damaged packet skipped
        print(f"copilot: warning: {message}", file=sys.stderr)
    for message in engine.errors:  # e.g. a file that stops decoding part way: what came before is kept
        print(f"copilot: error: {message}", file=sys.stderr)
    return 1 if engine.errors else 0


def behaviour_lines(records: list[dict]) -> list[str]:
    """One line per behaviour, in time order: who, what, when, and how much.

    Nods and shakes say how many and their mean swing (peak to peak, in degrees); the
    voice's segments say their channel. Times are seconds from the start of the input.
    """
    lines = []
    for r in sorted(records, key=lambda r: (r["start"], r["kind"])):
        who = r.get("participant") or r.get("channel", "")
        span = f"{r['start']:7.2f}-{r['end']:.2f} s"
        if r["kind"] in ("nod", "head_shake"):
            name = ("nod" if r["kind"] == "nod" else "shake") + ("s" if r["count"] != 1 else "")
            what = f"{r['count']} {name}, swings of {r['strength']:.0f} degrees"
        else:
            what = f"{r.get('duration_s', r['end'] - r['start']):.2f} s"
        lines.append(f"{who:5} {r['kind']:14} {span:18} {what}")
    return lines or ["no behaviours found"]
