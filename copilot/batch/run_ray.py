"""The batch on Ray: a local runtime with N workers, or a running cluster joined by its address.

Each worker is an actor that loads the models when it starts and then analyses one
recording after another, so the models load once per worker, not once per file. The
driver hands out the recordings with the most work first, and gives each actor its next one
as soon as it hands back the last (a long call holds up only its own worker, and none is left
for the end), and takes every result as it comes. The code that runs is the same on a laptop
and on a cluster; on a cluster every node must see the recordings at the same path (a shared
file system) and have this package installed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import ray
from ray.exceptions import RayActorError

from copilot.batch.plan import Call, longest_first
from copilot.batch.run_local import Done
from copilot.batch.worker import Analysed, analyse, load_models
from copilot.errors import CopilotError

# Results cross to the driver through Ray's object store: about 5-6 MB for an hour's call, result
# and session rows (measured: docs/team.md), so a quarter of a gigabyte holds dozens in flight and
# more spills to disk; Ray's default would claim 30% of the machine's memory.
OBJECT_STORE_BYTES = 256 << 20


@ray.remote
class Analyst:
    """One worker: its models loaded once, its recordings analysed one at a time."""

    def __init__(self, cores: int) -> None:
        load_models(cores)

    def analyse(self, path: Path, words: bool = True) -> Analysed:
        return analyse(path, words=words)


def connect(workers: int | None, address: str | None, *, verbose: bool) -> bool:
    """Starts a local runtime with `workers` CPUs, or joins the cluster at `address`; True when this
    process started a runtime it must shut down (a test may have one running already)."""
    if ray.is_initialized():
        return False
    quiet = {"logging_level": logging.INFO if verbose else logging.ERROR, "log_to_driver": verbose}
    try:
        if address is not None:
            ray.init(address=address, **quiet)
        else:  # every core, whatever the number of workers: they share them out (`cores_each`)
            ray.init(num_cpus=max(workers or 1, os.cpu_count() or 1), include_dashboard=False,
                     object_store_memory=OBJECT_STORE_BYTES, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray runtime"
        raise CopilotError(f"cannot start or join {where}: {str(exc).splitlines()[0]}") from None
    return True


def cores_each(workers: int) -> int:
    """The CPUs each of `workers` actors asks Ray for, and sizes its thread pools to: the runtime's
    CPUs shared out, but no more than the smallest node has (an actor must fit on one). Two
    workers on two cores get one each; one worker gets both, as a single analysis would."""
    nodes = [node["Resources"].get("CPU", 0) for node in ray.nodes() if node.get("Alive")]
    smallest = int(min((n for n in nodes if n >= 1), default=1))
    return max(1, min(int(ray.cluster_resources().get("CPU", 1)) // workers, smallest))


def run_on_ray(calls: Sequence[Call], done: Done, *, workers: int | None = None, address: str | None = None,
               verbose: bool = False, words: bool = True) -> None:
    """Analyses `calls` on `workers` actors (default: one per CPU of the runtime), calling `done` in
    this process for each as it finishes. A worker that dies (out of memory, a killed node) costs
    the recording it held, which is reported through `done`, and is replaced."""
    if not calls:
        return
    started = connect(workers, address, verbose=verbose)
    actors: list = []
    try:
        count = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        cores = cores_each(count)
        todo = iter(longest_first(list(calls)))
        running: dict = {}

        def hire():
            return Analyst.options(num_cpus=cores).remote(cores)

        def give(actor) -> None:
            call = next(todo, None)
            if call is not None:
                running[actor.analyse.remote(call.path, words)] = (actor, call)

        for _ in range(min(count, len(calls))):
            actors.append(hire())
            give(actors[-1])
        while running:
            [ready], _ = ray.wait(list(running), num_returns=1)
            actor, call = running.pop(ready)
            try:
                analysed = ray.get(ready)
            except RayActorError as exc:
                analysed = Analysed(None, errors=[f"{call.path}: the worker analysing it stopped "
                                                  f"({str(exc).splitlines()[0]})"])
                actors.remove(actor)
                actor = hire()
                actors.append(actor)
            done(call, analysed)
            give(actor)
    finally:
        for actor in actors:
            ray.kill(actor)
        if started:
            ray.shutdown()
