"""A whole batch: plan it, have the workers analyse what is not done yet, then summarise.

Ray runs the workers when it is installed (`pip install -e '.[team]'`); without it the
recordings are analysed here, one after another. Asking for workers or a cluster without
Ray is one line saying how to install it, before any work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from copilot.batch.driver import Bar, Finisher, Records, outcome_before
from copilot.errors import CopilotError
from copilot.files.writing import check_writable

INSTALL_RAY = "pip install -e '.[team]'"


def ray_installed() -> bool:
    try:
        import ray  # noqa: F401  (about 0.7 s, paid once: a batch that has it uses it)
    except ImportError:
        return False
    return True


def run_batch(paths: list[Path], out_dir: Path, *, workers: int | None = None, address: str | None = None,
              database: Path | None = None, record: bool = True, team_file: Path | None = None,
              scratch: Callable[[], Path], verbose: bool = False, use_ray: bool | None = None,
              words: bool = True) -> int:
    """`use_ray`: None picks Ray when it is installed; False analyses here even so (the sequential
    run the Ray run is compared with). `words`: transcribe what is said (a batch without words is
    another setting: its results are not taken for a batch with them, nor the other way round).
    Returns the exit code: 1 when a recording failed."""
    from copilot.batch.people import load_team
    from copilot.batch.plan import plan
    from copilot.batch.summary import SUMMARY_CSV, write_summary

    ray_there = ray_installed()
    if (workers is not None or address is not None) and not ray_there:
        raise CopilotError(f"--workers and --ray-address need Ray, an optional part: {INSTALL_RAY} "
                           "(without them the recordings are analysed one after another)")
    use_ray = ray_there if use_ray is None else use_ray
    team = load_team(team_file)  # a typo in it fails now, not after hours of analysis
    check_writable(out_dir / SUMMARY_CSV)
    calls, settings = plan(paths, out_dir, words=words)
    outcomes = {call.name: outcome_before(call) for call in calls}
    bar = Bar(calls, outcomes)
    for call in calls:
        if call.problem is not None:
            bar.say(f"copilot: error: {call.problem}")
    records = Records(database, record=record, scratch=scratch, say=bar.say)
    pending = [call for call in calls if outcomes[call.name].status == "not analysed"]
    finish = Finisher(out_dir, settings, records, outcomes, bar)
    try:
        if use_ray and (len(pending) > 1 or address is not None):
            from copilot.batch.run_ray import run_on_ray

            run_on_ray(pending, finish, workers=workers, address=address, verbose=verbose, words=words)
        else:  # one recording: starting Ray would cost more than it could save
            from copilot.batch.run_local import run_here

            run_here(pending, finish, words=words)
    except KeyboardInterrupt:
        bar.close()
        left = sum(o.status == "not analysed" for o in outcomes.values())
        print(f"copilot: stopped with {left} of {len(calls)} recordings not analysed; every result written "
              "is whole, and the same command goes on from there", file=sys.stderr, flush=True)
        raise
    finally:
        bar.close()
        written = write_summary(out_dir, [outcomes[call.name] for call in calls], team)
    counts = {status: sum(o.status == status for o in outcomes.values())
              for status in ("analysed", "partial", "done before", "failed")}
    hours = sum(call.duration_s for call in calls) / 3600
    print(f"{len(calls)} recordings ({hours:.2f} media-hours): "
          + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
          + f"; results in {out_dir}, summary in " + " and ".join(str(path) for path in written))
    return 1 if counts["failed"] or counts["partial"] else 0
