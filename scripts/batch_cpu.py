"""CPU-seconds and peak memory of a batch worker's analyses, one at a time and several at once.

    python scripts/batch_cpu.py CALL.mp4 [CALL.mp4 ...] [--together 1 2] [--rounds 1] [--cores N]

Each analysis runs in a new process doing what a batch worker does (the models loaded
once, then `copilot.batch.worker.analyse`, which loads the worker's speech model at its first
recording) and reports its own CPU time, user + system of every thread of the process, so
nothing is sampled or guessed. With `--together N` the recordings are analysed N at a
time, to show what running side by side costs in CPU (threads waiting on each other,
caches shared) rather than in wall time, which other work on the machine would blur.
Prints one line per analysis and the CPU-seconds per media-minute of each setting.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def child(path: Path, cores: int | None) -> None:
    """One analysis, as a worker runs it; prints its figures as one JSON line."""
    from copilot.batch.worker import analyse, load_models

    load_models(cores)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    analysed = analyse(path)
    wall = time.perf_counter() - started
    me = resource.getrusage(resource.RUSAGE_SELF)
    if analysed.document is None:
        raise SystemExit(f"{path}: {analysed.errors}")
    print(json.dumps({
        "file": path.name,
        "media_s": analysed.document["meta"]["duration"],
        "wall_s": wall,
        "cpu_s": (me.ru_utime - before.ru_utime) + (me.ru_stime - before.ru_stime),
        "rss_mb": me.ru_maxrss / 1024,  # Linux gives kilobytes
    }), flush=True)


def run(paths: list[Path], together: int, cores: int | None) -> list[dict]:
    figures = []
    for start in range(0, len(paths), together):
        group = paths[start:start + together]
        children = [subprocess.Popen([sys.executable, __file__, "--child", str(p),
                                      *(["--cores", str(cores)] if cores else [])], stdout=subprocess.PIPE,
                                     text=True) for p in group]
        for process in children:
            out, _ = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"an analysis failed (exit code {process.returncode})")
            figures.append(json.loads(out.strip().splitlines()[-1]))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--together", type=int, nargs="+", default=[1, 2],
                        help="how many analyses run at once (default: 1, then 2)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--cores", type=int,
                        help="size each analysis's thread pools to this many cores, as a batch worker does "
                        "with its share (default: the whole machine, as one analysis alone)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.files[0], args.cores)
        return 0
    for _ in range(args.rounds):
        for together in args.together:
            figures = run(args.files, together, args.cores)
            for f in figures:
                print(f"{together} at once  {f['file']}: {f['media_s']:.0f} s of media, "
                      f"{f['wall_s']:.1f} s wall, "
                      f"{f['cpu_s']:.1f} CPU-s, peak RSS {f['rss_mb']:.0f} MB", flush=True)
            media = sum(f["media_s"] for f in figures) / 60
            cpu = sum(f["cpu_s"] for f in figures)
            print(f"{together} at once: {cpu / media:.1f} CPU-s per media-minute over {len(figures)} calls",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
