"""`copilot bench [FILE]`: how fast decoding and the whole pipeline run here, as medians."""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

from copilot.bench_clip import make_bench_clip
from copilot.capture.items import VideoFrame
from copilot.capture.media_file import MediaFile
from copilot.engine import Engine
from copilot.errors import CopilotError
from copilot.pipeline import execution_provider, standard_analyzers
from copilot.signals.bench import bench_signals
from copilot.vision.bench import bench_faces
from copilot.vision.cues.bench import bench_face_cues
from copilot.voice.bench import bench_speakers, bench_voice
from copilot.words.analyzer import WordsAnalyzer

# The voice's utterance may end a little after the last word the model placed in it (its edge
# lags by a window, see copilot/words/analyzer.py PAD_S): still the same utterance.
CAPTION_SLACK_S = 0.3


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure decoding and analysis speed on this machine",
        description="Decode and analyse a clip several times and print the medians. Without FILE "
                    "it measures generated 720p clips of the shipped face: one face and four faces.")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="clips to measure")
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--voice-seconds", type=float, default=600.0, metavar="S",
                        help="seconds of generated talk for the voice and speaker benchmarks (default 600)")
    parser.add_argument("--captions", action="store_true",
                        help="also play each clip at its own pace with live words and time the captions")
    parser.add_argument("--serve", action="store_true",
                        help="instead, time the local API (`copilot serve`): each clip's upload, and its "
                             "events when streamed in 3 s segments at its own pace (without FILE: a "
                             "generated 60 s 720p clip of one face)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(run=run)


def bench_decode(path: Path, repeats: int) -> dict[str, float]:
    """Video decoding alone, to BGR frames, as fast as possible."""
    per_frame_ms = []
    for _ in range(repeats):
        source = MediaFile(path, with_audio=False)
        source.open()
        started, frames = time.perf_counter(), 0
        for item in source.items():
            frames += isinstance(item, VideoFrame)
        per_frame_ms.append((time.perf_counter() - started) * 1000 / max(frames, 1))
    median = statistics.median(per_frame_ms)
    return {"frames": frames, "ms_per_frame": round(median, 3), "fps": round(1000 / median, 1)}


def bench_pipeline(path: Path, repeats: int) -> dict[str, object]:
    """The engine end to end (decode, every standard analyzer, sinks) on the file, lossless."""
    per_frame_ms, stage_ms, rtf = [], {}, []
    for _ in range(repeats):
        analyzers = standard_analyzers()
        engine = Engine([MediaFile(path)], analyzers, lossless=True)
        started = time.perf_counter()
        engine.run()
        stats = engine.stats()
        worker = next((a.worker for a in analyzers if isinstance(a, WordsAnalyzer)), None)
        if worker is not None and worker.audio_s > 0:
            # the worker reads while the face pipeline runs on the analysis thread: its time
            # per second of speech is the transcription real-time factor the issue asks for
            rtf.append(worker.busy_s / worker.audio_s)
        per_frame_ms.append((time.perf_counter() - started) * 1000 / max(stats.steps, 1))
        for name, ms in stats.stage_ms.items():
            stage_ms.setdefault(name, []).append(ms)
    median = statistics.median(per_frame_ms)
    return {"ms_per_step": round(median, 3), "steps_per_s": round(1000 / median, 1),
            "stage_ms": {k: round(statistics.median(v), 3) for k, v in stage_ms.items()},
            **({"transcription_rtf": round(statistics.median(rtf), 3)} if rtf else {})}


def bench_captions(path: Path) -> dict[str, object]:
    """Live captions on the file played at its own pace, as a live session runs (words handed
    on as soon as they are read): for each utterance the voice found, the delay from its end
    to the moment words covering it reach the sinks, in wall time since the start (which the
    paced file keeps equal to the session clock). Utterances no words ever covered (a cough,
    a laugh) are counted apart."""
    ends: dict[str, list[float]] = {}
    delays: list[float] = []
    heard: list[str] = []
    started = [0.0]

    def listen(step) -> None:
        now = time.perf_counter() - started[0]
        voice = step.results.get("voice")
        for event in voice.events if voice is not None else []:
            if event.kind == "utterance":
                ends.setdefault(event.channel, []).append(event.end)
        for said in step.results["signals"].said:
            heard.append(said["text"])
            waiting = ends.get(said["channel"], [])
            covered = [e for e in waiting if e <= said["end"] + CAPTION_SLACK_S]
            delays.extend(now - e for e in covered)
            ends[said["channel"]] = [e for e in waiting if e > said["end"] + CAPTION_SLACK_S]

    engine = Engine([MediaFile(path, pace=True)], standard_analyzers(live=True), [listen])
    started[0] = time.perf_counter()
    engine.run()
    uncovered = sum(len(v) for v in ends.values())
    if not delays:
        return {"captions": 0, "uncaptioned": uncovered}
    ordered = sorted(delays)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"captions": len(delays), "uncaptioned": uncovered, "text": " ".join(heard),
            "delays_s": [round(d, 2) for d in delays],
            "delay_median_s": round(statistics.median(delays), 2), "delay_p95_s": round(p95, 2),
            "delay_max_s": round(ordered[-1], 2)}


def measure(paths: list[Path], repeats: int, *, captions: bool = False) -> dict[str, object]:
    results = {}
    names = [path.name for path in paths]
    for path in paths:
        source = MediaFile(path)
        source.open()
        if not source.has_video:
            raise CopilotError(f"{path}: has no video; bench measures the face pipeline on video clips "
                               "(the voice is measured on generated talk, see --voice-seconds)")
        results[path.name if names.count(path.name) == 1 else str(path)] = {
            "video": f"{source.width}x{source.height} @ {source.fps:.2f} fps, {source.duration_s:.1f} s",
            "decode": bench_decode(path, repeats),
            "pipeline": bench_pipeline(path, max(1, repeats // 2)),
            "faces": bench_faces(path, repeats=max(1, repeats // 2)),
            "face_cues": bench_face_cues(path),
            **({"captions": bench_captions(path)} if captions and source.has_audio else {}),
        }
    report = {"provider": execution_provider(), "repeats": repeats, "clips": results}
    further = further_face_ms([clip["faces"] for clip in results.values()])
    if further is not None:
        report["each_further_face_ms"] = further
    return report


def further_face_ms(faces: list[dict[str, object]]) -> float | None:
    """What one more tracked face adds to a frame: the slope between the clips with the
    fewest and the most faces (None unless their face counts differ)."""
    if len(faces) < 2:
        return None
    few = min(faces, key=lambda f: f["faces_median"])
    many = max(faces, key=lambda f: f["faces_median"])
    extra = many["faces_median"] - few["faces_median"]
    return round((many["total_ms"] - few["total_ms"]) / extra, 2) if extra > 0 else None


def format_text(report: dict[str, object]) -> str:
    lines = [f"execution provider: {report['provider']}   (medians of {report['repeats']} runs)"]
    for name, clip in report["clips"].items():
        decode, pipeline = clip["decode"], clip["pipeline"]
        lines.append(f"\n{name}: {clip['video']}")
        lines.append(f"  decode     {decode['ms_per_frame']:8.2f} ms/frame  {decode['fps']:8.1f} fps")
        lines.append(f"  pipeline   {pipeline['ms_per_step']:8.2f} ms/step   "
                     f"{pipeline['steps_per_s']:8.1f} steps/s")
        for stage, ms in pipeline["stage_ms"].items():
            lines.append(f"    {stage:<12}{ms:8.2f} ms")
        if "transcription_rtf" in pipeline:
            lines.append(f"  transcription real-time factor {pipeline['transcription_rtf']:.3f} "
                         "(seconds reading per second of speech, the face pipeline running alongside)")
        if clip.get("captions", {}).get("captions"):
            cap = clip["captions"]
            lines.append(f"  live captions ({cap['captions']} utterances, played at pace): delay after "
                         f"each ends median {cap['delay_median_s']:.2f} s, p95 {cap['delay_p95_s']:.2f} s, "
                         f"max {cap['delay_max_s']:.2f} s")
        faces = clip["faces"]
        lines.append(f"  face stages ({faces['faces_median']:.0f} faces, detection "
                     f"{faces['detections_per_pass']}x per pass), median ms per frame:")
        for stage in ("cuts", "detect", "landmarks", "iris", "total"):
            note = {"detect": "  (when it runs)", "cuts": "  (has the shot changed?)"}.get(stage, "")
            lines.append(f"    {stage:<12}{faces[stage + '_ms']:8.2f} ms{note}")
        cues = clip["face_cues"]
        lines.append(f"  face cues  {cues['cues_ms_per_face_median']:8.2f} ms per face per frame "
                     f"(p95 {cues['cues_ms_per_face_p95']:.2f})")
    if "each_further_face_ms" in report:
        lines.append(f"\neach further face: {report['each_further_face_ms']:.2f} ms per frame "
                     "(face stages, between the clips with the fewest and the most faces)")
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
                     f"speech ({sp['windows_embedded']} windows, {sp['ms_per_window']:.1f} ms each): "
                     f"real-time factor {sp['real_time_factor']:.4f} on one thread")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.serve:
        from copilot.serve.bench import format_serve, measure_serve

        with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp:
            paths = list(args.files) or [make_bench_clip(Path(tmp) / "one_face_720p_60s.mp4", seconds=60)]
            report = measure_serve(paths)
        print(json.dumps(report, indent=2) if args.json else format_serve(report))
        return 0
    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp:
        paths = list(args.files) or [
            make_bench_clip(Path(tmp) / "one_face_720p.mp4", faces=1),
            make_bench_clip(Path(tmp) / "four_faces_720p.mp4", faces=4),
        ]
        report = measure(paths, max(1, args.repeats), captions=args.captions)
    report["signals"] = {"ms_per_step_6_participants": round(bench_signals(participants=6), 3)}
    if args.voice_seconds > 0:
        report["voice"] = bench_voice(seconds=args.voice_seconds)
        report["speakers"] = bench_speakers(seconds=args.voice_seconds)
    print(json.dumps(report, indent=2) if args.json else format_text(report))
    return 0
