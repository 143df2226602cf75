"""The one model helper: every ONNX model the app runs is loaded here.

models/models.toml names each model's file and sha256. A file is hashed once per
process and refused when missing or altered, so a damaged install fails with a message
naming the file instead of producing quietly wrong landmarks. Sessions get explicit
options and the best execution provider that actually starts, and are shared: two
analyzers asking for the same model and thread count get the same session.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

from copilot.errors import CopilotError
from copilot.shipped.resources import resource_path

log = logging.getLogger(__name__)
T = TypeVar("T")

REGISTRY_FILE = "models.toml"
CPU = "CPUExecutionProvider"
# Accelerators worth using when present, best first. TensorRT is left out: it compiles
# an engine per input shape at first use, which stalls a live session for seconds.
ACCELERATORS = ("CUDAExecutionProvider", "DmlExecutionProvider", "CoreMLExecutionProvider")
# One intra-op thread: these models take about 1 ms, where waking a second thread for
# every small layer costs much of what it saves (see MODELS.md).
DEFAULT_THREADS = 1
# A batch (several faces, both eyes) is cut into this many parts that run side by side,
# each on one thread: whole images per core scale almost perfectly, where intra-op
# threads split each small layer and spend the gain on waking up (see MODELS.md).
BATCH_WORKERS = max(1, min(2, os.cpu_count() or 1))
_batch_parts = BATCH_WORKERS  # what `run_batch` uses unless told; a batch worker sets it to its share
BATCH_THREAD_NAME = "model-batch"  # the helpers live as long as the process, like the sessions

_lock = threading.Lock()
_sessions: dict[tuple[object, ...], Model] = {}
_verified: dict[Path, tuple[int, int]] = {}  # file -> (size, mtime) of bytes that matched
_failed_providers: set[str] = set()  # listed by ONNX Runtime but would not start here
_batch_pool: ThreadPoolExecutor | None = None  # the helper threads that run batch parts
_blas_held = False  # numpy's BLAS held to one thread (_hold_blas_to_one_thread)


class ModelError(CopilotError):
    """A shipped model file is missing, altered or unreadable."""


@dataclass(frozen=True)
class Model:
    """A loaded, verified model. ONNX Runtime allows concurrent `run` calls on one session."""

    name: str
    path: Path
    sha256: str
    provider: str  # the provider the session really uses, e.g. "CPUExecutionProvider"
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    session: Any = field(repr=False, compare=False)
    threads: int = 1  # ONNX Runtime's intra-op threads for one call

    def run(self, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """Outputs in `output_names` order."""
        return self.session.run(list(self.output_names), dict(feeds))

    def run_batch(self, feeds: Mapping[str, np.ndarray], workers: int | None = None) -> list[np.ndarray]:
        """Like `run` for inputs that share a batch axis, with the batch cut into parts.

        The calling thread runs the first part and helper threads the others, at the
        same time (ONNX Runtime releases the GIL and a session takes concurrent calls).
        Results equal one whole call's. Accelerators get the whole batch at once.
        """
        n = len(next(iter(feeds.values())))
        parts = min(_batch_parts if workers is None else workers, n) if self.provider == CPU else 1
        if parts <= 1:
            return self.run(feeds)
        split = {k: np.array_split(v, parts) for k, v in feeds.items()}
        chunks = [{k: pieces[i] for k, pieces in split.items()} for i in range(parts)]
        pending = [_helpers().submit(self.run, chunk) for chunk in chunks[1:]]
        first = self.run(chunks[0])
        outputs = [first, *(f.result() for f in pending)]
        return [np.concatenate(parts_of_one) for parts_of_one in zip(*outputs, strict=True)]


def alongside(work: Callable[..., T], *args: Any) -> Future[T]:
    """Runs `work(*args)` on the batch helper thread while the caller goes on with other work:
    two model calls of one frame side by side (ONNX Runtime releases the GIL). Where batches are
    not cut (one core, or a batch worker's share of one) it runs here and now, so the answer never
    depends on the cores, only the time does."""
    if _batch_parts > 1:
        return _helpers().submit(work, *args)
    done: Future[T] = Future()
    try:
        done.set_result(work(*args))
    except Exception as exc:  # handed over as the helper's would be, when the caller asks
        done.set_exception(exc)
    return done


def use_cores(cores: int) -> None:
    """Cuts batches into no more parts than the cores this process may keep busy: a batch worker
    that shares the machine with others gets cores // workers, and with one core a second
    part only adds a hand-over between threads, no speed."""
    global _batch_parts
    _batch_parts = max(1, min(BATCH_WORKERS, cores))


def cores_in_use() -> int:
    """The cores one model call may use in this process (at most two; a batch worker's share):
    the thread count of a model whose calls are long enough to split (models.toml `threads`)."""
    return _batch_parts


def _hold_blas_to_one_thread() -> None:
    """numpy's OpenBLAS keeps a thread per core that spins for a while after each call. The cues
    and the voice make many small calls, too small to gain from a second thread, so those
    threads only spun: on the speaker split, twice the CPU of the work itself, and a core taken
    from the voiceprint model's second thread (models/MODELS.md). Process-wide, once."""
    global _blas_held
    if _blas_held:
        return
    _blas_held = True
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _helpers() -> ThreadPoolExecutor:
    global _batch_pool
    with _lock:
        if _batch_pool is None:
            _batch_pool = ThreadPoolExecutor(max(1, BATCH_WORKERS - 1), thread_name_prefix=BATCH_THREAD_NAME)
        return _batch_pool


def registry() -> dict[str, dict[str, Any]]:
    """Every entry of models.toml, by model name."""
    path = resource_path("models", REGISTRY_FILE)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"the model list {path} is missing from this installation") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"the model list {path} cannot be read: {exc}") from None


def model_spec(name: str) -> dict[str, Any]:
    entries = registry()
    if name not in entries:
        raise ModelError(f"no model named {name!r} in {REGISTRY_FILE}; known: {sorted(entries)}")
    return entries[name]


def model_checksums() -> dict[str, str]:
    """sha256 of every shipped model, by name, for the `meta` of results."""
    return {name: entry["sha256"] for name, entry in registry().items()}


def runtime() -> ModuleType:
    """onnxruntime, loaded with its telemetry off.

    From 1.2x, loading the library on Linux writes a device id and an event store under
    ~/.cache/Microsoft/DeveloperTools/.onnxruntime; ORT_DISABLE_TELEMETRY, read as the
    library loads, stops both (tests/test_faults.py checks the folder stays absent). A
    value the user set is left alone.
    """
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime

    return onnxruntime


def available_providers() -> list[str]:
    """Providers ONNX Runtime lists, less those that failed to start in this process."""
    ort = runtime()

    return [p for p in ort.get_available_providers() if p not in _failed_providers]


def load_model(name: str, *, threads: int | None = None) -> Model:
    """The model `name` from models.toml, verified, on the best provider that starts."""
    spec = model_spec(name)
    path = resource_path("models", spec["file"])
    if threads is None:
        threads = cores_in_use() if spec.get("threads") == "cores" else DEFAULT_THREADS
    _hold_blas_to_one_thread()
    cpu_only = os.environ.get("COPILOT_PROVIDER", "").strip().lower() == "cpu"
    key = (name, threads, path, cpu_only)
    with _lock:
        if key not in _sessions:
            _verify(path, spec["sha256"])
            wanted = _wanted_providers(cpu_only)
            _sessions[key] = _open(name, path, spec["sha256"], threads, wanted)
        return _sessions[key]


def _wanted_providers(cpu_only: bool) -> list[str]:
    if cpu_only:
        return [CPU]
    listed = available_providers()
    return [p for p in ACCELERATORS if p in listed] + [CPU]


def _verify(path: Path, expected: str) -> None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ModelError(f"model file {path} is missing from this installation") from None
    stamp = (stat.st_size, stat.st_mtime_ns)
    if _verified.get(path) == stamp:
        return
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise ModelError(
            f"model file {path} is corrupt or modified (sha256 {digest[:16]}..., "
            f"expected {expected[:16]}...); reinstall Meeting Copilot"
        )
    _verified[path] = stamp


def _open(name: str, path: Path, sha256: str, threads: int, wanted: list[str]) -> Model:
    ort = runtime()

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # A second thread waits for the next layer asleep, not spinning: spinning, it held a core
    # between calls that the face models and the decoder needed (models/MODELS.md).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # Silero's file trips harmless "unused initializer" warnings
    # A GPU provider listed without its libraries (onnxruntime-gpu on a machine without
    # CUDA) logs an error and ONNX Runtime falls back to the CPU; we say so once, below.
    ort.set_default_logger_severity(4)
    try:
        session = ort.InferenceSession(str(path), options, providers=wanted)
    except Exception as exc:  # ONNX Runtime raises its own exception types
        raise ModelError(f"model file {path} cannot be loaded: {exc}") from None
    finally:
        ort.set_default_logger_severity(2)
    used = session.get_providers()
    for provider in wanted:
        if provider not in used and provider not in _failed_providers:
            _failed_providers.add(provider)
            # Normal on a machine without the GPU libraries: the provider shown in the app
            # and in `copilot bench` says which one runs, so this is only a detail.
            log.info("%s is installed but did not start; using %s", provider, used[0])
    return Model(
        name=name,
        path=path,
        sha256=sha256,
        provider=used[0],
        input_names=tuple(i.name for i in session.get_inputs()),
        output_names=tuple(o.name for o in session.get_outputs()),
        session=session,
        threads=threads,
    )
