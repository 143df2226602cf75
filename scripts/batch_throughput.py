"""Times a batch of one-minute calls on 1 and on 2 Ray workers: the figures of docs/team.md.

    python scripts/batch_throughput.py [--data ../shared/data] [--calls 8] [--workers 1 2]

Each call is a shared clip looped to a minute (picture and sound, re-encoded with PyAV)
into a temporary folder (or --keep's, reused), never into the repository. Each run is `copilot analyze DIR
--out-dir OUT --workers N` in a new process, starting its own local Ray runtime, so the
time includes what a user waits for: Ray's start, the workers' model loading, the
analysis, recording the sessions and the summary. The machine's load is printed beside
each time: the ratio is of wall times, so it means little unless the machine does nothing
else (a load above the cores); the CPU-seconds per media-minute, summed from each result's
`cpu_seconds`, say what the work cost whatever else ran.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

# Calls with a face and speech, of different people, sizes and frame rates.
CLIPS = ("face_recognition/short_hamilton_clip.mp4", "liveportrait/d14.mp4", "liveportrait/d10.mp4",
         "liveportrait/s20.mp4", "reallife_trial_video/trial_truth_043.mp4",
         "sadtalker/WDA_KatieHill_000.mp4", "liveportrait/d3.mp4", "video_retalking/4.mp4")
CALL_S = 60.0


def loop_to(source: Path, target: Path, seconds: float) -> Path:
    """`source`'s picture and sound repeated until `seconds`, as H.264 and AAC (read again for each
    round rather than held: a clip's decoded frames can take gigabytes)."""
    import av
    import numpy as np

    with av.open(str(source)) as src:
        stream = src.streams.video[0]
        rate = stream.average_rate or Fraction(25)
        width, height = stream.width - stream.width % 2, stream.height - stream.height % 2
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=16_000)
        sound = np.concatenate([f.to_ndarray() for frame in src.decode(audio=0)
                                for f in resampler.resample(frame)], axis=1)
    with av.open(str(target), "w") as out:
        video = out.add_stream("libx264", rate=rate, options={"preset": "veryfast", "crf": "23"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=16_000)
        audio.layout = "mono"
        wanted, written = round(seconds * rate), 0
        while written < wanted:
            with av.open(str(source)) as src:
                for frame in src.decode(video=0):
                    if written == wanted:
                        break
                    frame = frame.reformat(width, height, "yuv420p")
                    frame.pts, frame.time_base = written, 1 / Fraction(rate)
                    out.mux(video.encode(frame))
                    written += 1
        out.mux(video.encode(None))
        total, block = round(seconds * 16_000), 1024
        for start in range(0, total, block):
            picked = np.arange(start, min(start + block, total)) % sound.shape[1]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, picked], np.float32),
                                               format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 16_000, start, Fraction(1, 16_000)
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    return target


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, help="make the calls here (reused when present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="copilot-batch-") as scratch:
        calls = args.keep or Path(scratch) / "calls"
        calls.mkdir(parents=True, exist_ok=True)
        for k in range(args.calls):
            target = calls / f"call-{k + 1:02d}.mp4"
            if not target.exists():
                loop_to(args.data / CLIPS[k % len(CLIPS)], target, CALL_S)
        env = {**os.environ, "COPILOT_DATABASE": str(Path(scratch) / "sessions.sqlite3")}
        timings = {}
        for workers in args.workers:
            out = Path(scratch) / f"out-{workers}"
            before = load()
            started = time.perf_counter()
            command = [sys.executable, "-m", "copilot", "analyze", str(calls), "--out-dir", str(out),
                       "--workers", str(workers)]
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            took = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            batch = [json.loads(p.read_text())["batch"] for p in out.glob("*.json")]
            seconds, cpu = [b["seconds"] for b in batch], sum(b["cpu_seconds"] for b in batch)
            timings[workers] = took
            print(f"{workers} worker{'s' if workers > 1 else ''}: {took:.1f} s for {args.calls} one-minute "
                  "calls "
                  f"(analysis {sum(seconds):.1f} s in all, {min(seconds):.1f}-{max(seconds):.1f} s a call; "
                  f"{cpu / args.calls:.1f} CPU-s per media-minute in the workers); "
                  f"{before} before, {load()} after", flush=True)
        if 1 in timings and 2 in timings:
            print(f"2 workers / 1 worker: {timings[2] / timings[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
