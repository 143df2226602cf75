"""`copilot bench [FILE]`: how fast decoding, the face pipeline and the whole engine run here.

The measurements live in copilot.bench; this module picks the cases and prints them. Every
per-frame or per-step figure is a median, the totals and their parts alike.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from copilot.bench.clips import make_bench_clip, write_clip
from copilot.bench.cues import bench_face_cues
from copilot.bench.faces import MEDIAPIPE_VERSION, bench_faces, clip_frames, mediapipe_available
from copilot.bench.gallery import gallery_frames
from copilot.bench.pipeline import bench_captions, bench_decode, bench_live, bench_pipeline
from copilot.bench.signals import bench_signals
from copilot.bench.voice import bench_speakers, bench_voice
from copilot.capture.media_file import MediaFile
from copilot.engine.analyzers import execution_provider
from copilot.errors import CopilotError
from copilot.evaluation.labels import shared_data_dir

REAL_ONE_FACE = "liveportrait/s18.mp4"  # 1280x720, one woman facing the camera, 9.4 s, with sound
GALLERIES = ((3, 3), (4, 4))  # rows x cols of different people, at 1920x1080
GALLERY_FRAMES = 90  # three seconds at 30 fps of each person, played forward and back: about 6 s
GENERATED = ("one_face_720p.mp4", "four_faces_720p.mp4")  # the shipped face, 1 and 4 times: same canvas
FACE_FRAMES = 150  # at most this many frames of a clip for the face pipeline's cases


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure decoding and analysis speed on this machine",
        description="Decode and analyse clips several times and print medians. The face pipeline is "
                    "timed on the same frames as it is now, as it was before issue 20 and, when "
                    f"mediapipe=={MEDIAPIPE_VERSION} is installed (the bench extra), as MediaPipe's "
                    "FaceMesh does it. Without FILE it measures generated 720p clips of the shipped "
                    "face (one and four faces) and, where the shared recordings are, a real 720p "
                    "one-face clip and 3x3 and 4x4 galleries of real faces.")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="clips to measure")
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--voice-seconds", type=float, default=600.0, metavar="S",
                        help="seconds of generated talk for the voice and speaker benchmarks (default 600)")
    parser.add_argument("--captions", action="store_true",
                        help="also play each clip at its own pace with live words and time the captions")
    parser.add_argument("--faces-only", action="store_true",
                        help="only the face pipeline's cases (no engine, live, signals or voice runs)")
    parser.add_argument("--serve", action="store_true",
                        help="instead, time the local API (`copilot serve`): each clip's upload, and its "
                             "events when streamed in 3 s segments at its own pace (without FILE: a "
                             "generated 60 s 720p clip of one face)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(run=run)


def measure(paths: list[Path], repeats: int, *, captions: bool = False,
            faces_only: bool = False) -> dict[str, object]:
    """Figures per clip: the face pipeline's cases, and unless `faces_only` the whole engine."""
    results: dict[str, dict[str, object]] = {}
    names = [path.name for path in paths]
    face_repeats = max(1, repeats // 2 + 1)
    for path in paths:
        source = MediaFile(path)
        source.open()
        if not source.has_video:
            raise CopilotError(f"{path}: has no video; bench measures the face pipeline on video clips "
                               "(the voice is measured on generated talk, see --voice-seconds)")
        clip: dict[str, object] = {
            "video": f"{source.width}x{source.height} @ {source.fps:.2f} fps, {source.duration_s:.1f} s",
            "faces": bench_faces(clip_frames(path, FACE_FRAMES), face_repeats)}
        if not faces_only:
            clip["decode"] = bench_decode(path, repeats)
            clip["pipeline"] = bench_pipeline(path, max(1, repeats // 2))
            clip["live"] = bench_live(path)
            clip["face_cues"] = bench_face_cues(path)
            if captions and source.has_audio:
                clip["captions"] = bench_captions(path)
        results[path.name if names.count(path.name) == 1 else str(path)] = clip
    report: dict[str, object] = {"provider": execution_provider(), "repeats": repeats, "clips": results,
                                 "mediapipe": mediapipe_available()}
    pair = [results[name]["faces"] for name in GENERATED if name in results]
    for variant in ("now", "attention", "before", "mediapipe"):
        further = further_face_ms([faces[variant] for faces in pair if variant in faces],
                                  [faces["now"]["faces"] for faces in pair])
        if further is not None:
            report.setdefault("each_further_face_ms", {})[variant] = further
    return report


def further_face_ms(faces: list[dict[str, object]], expected: list[float] | None = None) -> float | None:
    """What one more tracked face adds to a frame: the slope between the cases with the fewest
    and the most faces (None unless their face counts differ, or where a variant missed faces
    the pipeline found: a cheap frame without its faces says nothing of their cost)."""
    if len(faces) < 2 or (expected is not None and [f["faces"] for f in faces] != expected):
        return None
    few = min(faces, key=lambda f: f["faces"])
    many = max(faces, key=lambda f: f["faces"])
    extra = many["faces"] - few["faces"]
    return round((many["total_ms"] - few["total_ms"]) / extra, 2) if extra > 0 else None


def format_text(report: dict[str, object]) -> str:
    mp = report.get("mediapipe")
    lines = [f"execution provider: {report['provider']}   (medians; {report['repeats']} runs per figure)",
             f"machine load (1-minute average) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: "
             "on a busy machine compare figures of one run only",
             "", "face pipeline, median ms per frame on the same frames (passes taken in turn):"]
    attention = any("attention" in clip["faces"] for clip in report["clips"].values())
    header = f"  {'case':<26}{'faces':>6}{'now':>8}" + (f"{'attention':>10}" if attention else "")
    header += f"{'before':>8}"
    if mp:
        header += f"{'MediaPipe':>11}{'now/MP':>8}" + (f"{'att./MP':>8}" if attention else "")
        header += f"{'before/MP':>10}"
    else:
        header += "   (MediaPipe not installed)"
    lines += [header + f"{'now fps':>9}   (fps: frames over the time they all took)"]
    for name, clip in report["clips"].items():
        faces = clip["faces"]
        now, before = faces["now"], faces["before"]
        ours = [now, *([faces["attention"]] if attention else []), before]
        row = f"  {name[:25]:<26}{now['faces']:>6.0f}{now['total_ms']:>8.2f}"
        row += f"{faces['attention']['total_ms']:>10.2f}" if attention else ""
        row += f"{before['total_ms']:>8.2f}"
        if mp:
            theirs = faces["mediapipe"]["total_ms"]
            row += f"{theirs:>11.2f}"
            row += "".join(f"{_ratio(v['total_ms'], theirs):>{w}}"
                           for v, w in zip(ours, [8, 8, 10] if attention else [8, 10], strict=True))
        row += f"{now['fps']:>9.1f}"
        if mp and faces["mediapipe"]["faces"] < now["faces"]:
            row += f"   (MediaPipe found {faces['mediapipe']['faces']:.0f})"
        lines.append(row)
    further = report.get("each_further_face_ms", {})
    if further:
        lines.append("  each further face: " + ", ".join(f"{k} {v:.2f} ms" for k, v in further.items()))
    lines.append("  now, by stage (median ms per frame; detection over the frames it ran on):")
    for name, clip in report["clips"].items():
        now = clip["faces"]["now"]
        lines.append(f"    {name[:25]:<26} cuts {now['cuts_ms']:.2f}  landmarks {now['landmarks_ms']:.2f}  "
                     f"iris {now['iris_ms']:.2f}  detect {now['detect_ms']:.2f} ({now['detections']}x)"
                     f"  load {clip['faces']['load'][0]:.1f}->{clip['faces']['load'][1]:.1f}")
        if now.get("eyes_alongside"):
            lines.append(f"    {'':<26} eyes read beside the mesh in {now['eyes_alongside']} of "
                         f"{now['frames_read']} frames, {now['eyes_again']} of them read again after it")
    for name, clip in report["clips"].items():
        if "pipeline" not in clip:
            continue
        decode, pipeline = clip["decode"], clip["pipeline"]
        lines.append(f"\n{name}: {clip['video']}")
        lines.append(f"  decode     {decode['ms_per_frame']:8.2f} ms/frame  {decode['fps']:8.1f} fps")
        lines.append(f"  pipeline   {pipeline['ms_per_step']:8.2f} ms/step   {pipeline['steps_per_s']:8.1f} "
                     f"steps/s; analysis took {pipeline['wall_over_duration']:.3f} x the clip's duration")
        for stage, ms in pipeline["stage_ms"].items():
            lines.append(f"    {stage:<12}{ms:8.2f} ms")
        if "transcription_rtf" in pipeline:
            lines.append(f"  transcription real-time factor {pipeline['transcription_rtf']:.3f} "
                         "(seconds reading per second of speech, the face pipeline running alongside)")
        live = clip["live"]
        if live.get("frames"):
            lines.append(f"  live (played at pace): delivery to results median "
                         f"{live['latency_median_ms']:.1f} ms, p95 {live['latency_p95_ms']:.1f} ms after the "
                         f"first {live['warm_up_s']:g} s; first frame {live['first_frame_ms']:.1f} ms, max "
                         f"{live['latency_max_ms']:.1f} ms; {live['dropped']} of {live['delivered']} "
                         "frames dropped")
        if clip.get("captions", {}).get("captions"):
            cap = clip["captions"]
            lines.append(f"  live captions ({cap['captions']} utterances, played at pace): delay after "
                         f"each ends median {cap['delay_median_s']:.2f} s, p95 {cap['delay_p95_s']:.2f} s, "
                         f"max {cap['delay_max_s']:.2f} s")
        cues = clip["face_cues"]
        lines.append(f"  face cues  {cues['cues_ms_per_face_median']:8.2f} ms per face per frame "
                     f"(p95 {cues['cues_ms_per_face_p95']:.2f})")
    if "signals" in report:
        lines.append(f"\nsignals: {report['signals']['ms_per_step_6_participants']:.2f} ms per step "
                     "with 6 participants (generated cues, 30 steps a second, 60 s)")
    if "voice" in report:
        voice = report["voice"]
        lines.append(f"\nvoice: {voice['audio_s']:.0f} s of two-channel talk in {voice['elapsed_s']:.1f} s "
                     f"on one analysis thread: real-time factor {voice['real_time_factor']:.4f} "
                     f"({voice['ms_per_audio_s']:.1f} ms per second of audio)")
    if "speakers" in report:
        sp = report["speakers"]
        lines.append(f"speakers: splitting {sp['audio_s']:.0f} s of one mixed track by voice, all of it "
                     f"speech ({sp['pieces_embedded']} pieces, {sp['ms_per_piece']:.1f} ms each): "
                     f"real-time factor {sp['real_time_factor']:.4f} on {sp['threads']} thread(s), "
                     f"{sp['cpu_per_audio_s']:.4f} CPU-s per second")
    return "\n".join(lines)


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "-"


def default_cases(tmp: Path) -> list[Path]:
    """Generated clips always; a real 720p clip and the galleries where the shared recordings are."""
    paths = [make_bench_clip(tmp / GENERATED[0], faces=1), make_bench_clip(tmp / GENERATED[1], faces=4)]
    data = shared_data_dir()
    if not (data / REAL_ONE_FACE).is_file():
        print(f"(the shared recordings are not at {data}: no real clip or gallery cases; "
              "set COPILOT_SHARED_DATA to include them)")
        return paths
    paths.append(data / REAL_ONE_FACE)
    for rows, cols in GALLERIES:
        frames = [image for _, image in gallery_frames(data, rows, cols, GALLERY_FRAMES)]
        # back again without a jump, so the live case has seconds after its warm-up to measure
        there_and_back = frames + frames[-2:0:-1]
        paths.append(write_clip(tmp / f"gallery_{rows}x{cols}_1080p.mp4", there_and_back))
    return paths


def run(args: argparse.Namespace) -> int:
    if args.serve:
        from copilot.bench.serve import format_serve, measure_serve

        with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp:
            paths = list(args.files) or [make_bench_clip(Path(tmp) / "one_face_720p_60s.mp4", seconds=60)]
            report = measure_serve(paths)
        print(json.dumps(report, indent=2) if args.json else format_serve(report))
        return 0
    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp:
        paths = list(args.files) or default_cases(Path(tmp))
        report = measure(paths, max(1, args.repeats), captions=args.captions, faces_only=args.faces_only)
    if not args.faces_only:
        report["signals"] = {"ms_per_step_6_participants": round(bench_signals(participants=6), 3)}
        if args.voice_seconds > 0:
            report["voice"] = bench_voice(seconds=args.voice_seconds)
            report["speakers"] = bench_speakers(seconds=args.voice_seconds)
    print(json.dumps(report, indent=2) if args.json else format_text(report))
    return 0
