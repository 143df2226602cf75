"""Which recordings a batch holds, what each one's result is called, and which are already done.

A recording is done when its result file in the output folder names the same content hash
and the same settings key: renaming or moving a file costs nothing, while a changed
recording, a new version, other models or retuned thresholds analyse it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copilot.capture.media_file import SUPPORTED_SUFFIXES
from copilot.errors import CopilotError

HASH_BLOCK_BYTES = 1 << 20
RESULT_SUFFIX = ".json"
# What shapes a result besides the recording: the engine's version and models, and the data
# files that tune it (thresholds, weights, word lists, nudge rules), all shipped in the package.
TUNING_FILES = Path(__file__).resolve().parents[1]


@dataclass
class Call:
    """One recording of the batch."""

    path: Path
    name: str  # its path under the folder named on the command line (its file name if named itself)
    sha256: str = ""
    duration_s: float = 0.0  # as its container says; 0 when it cannot be read (the analysis will say why)
    frames: float = 0.0  # its picture's frames, length x frame rate as its container says; 0 for sound only
    recorded: str = ""  # the day it was recorded, ISO: its creation_time tag, else the file's date
    done: dict[str, Any] | None = None  # the `batch` part of a result already written for it
    problem: str | None = None  # why it cannot even be read

    def result(self, out_dir: Path) -> Path:
        return out_dir / f"{self.name}{RESULT_SUFFIX}"


def find_calls(paths: list[Path]) -> list[Call]:
    """Every recording named or inside a named folder (searched through its subfolders), in order.

    Raises, naming it, for a path that does not exist, a folder without recordings, or two
    recordings whose results would have the same name: before any work.
    """
    calls: list[Call] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES
                           and p.is_file() and not _hidden(p.relative_to(path)))
            if not found:
                raise CopilotError(f"{path}: no recordings in this folder (looked for "
                                   f"{', '.join(SUPPORTED_SUFFIXES)})")
            calls += [Call(p, p.relative_to(path).as_posix()) for p in found]
        elif path.exists():
            calls.append(Call(path, path.name))
        else:
            raise CopilotError(f"{path}: no such file or folder")
    seen: dict[str, Path] = {}
    for call in calls:
        other = seen.setdefault(call.name, call.path)
        if other != call.path:
            raise CopilotError(f"{other} and {call.path} would both be written as "
                               f"{call.name}{RESULT_SUFFIX}: name them through a folder each, or rename one")
    return calls


def settings_key(*, words: bool = True) -> str:
    """A short digest of everything besides the recording that shapes its result (`words`: whether
    what is said is transcribed)."""
    from copilot.result.document import version
    from copilot.shipped.models import model_checksums

    # words off is named only when off, so results made before it was a setting still count
    shaping = {"version": version(), "models": model_checksums(), **({} if words else {"words": False})}
    digest = hashlib.sha256(json.dumps(shaping, sort_keys=True).encode())
    for path in sorted(TUNING_FILES.rglob("*.toml")):
        digest.update(path.relative_to(TUNING_FILES).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def probe(path: Path) -> tuple[float, str, float]:
    """Its length, the day it was recorded and its picture's frames, from the container's header
    (no decoding)."""
    import av

    day = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    try:
        with av.open(str(path)) as container:
            duration = (container.duration or 0) / av.time_base
            tagged = container.metadata.get("creation_time", "")
            video = next(iter(container.streams.video), None)
            rate = float(video.average_rate or 0) if video is not None else 0.0
    except (av.error.FFmpegError, OSError, ValueError):
        return 0.0, day, 0.0
    with contextlib.suppress(ValueError):  # no tag, or one we cannot read: the file's own date stands
        day = datetime.fromisoformat(tagged.replace("Z", "+00:00")).date().isoformat()
    return float(duration), day, float(duration) * rate


def longest_first(calls: list[Call]) -> list[Call]:
    """The order to hand recordings to workers: the most work first (picture frames, then length),
    so the batch does not end with one worker on a long call while the others wait. The face
    pipeline's cost goes with the frames, and a recording with sound only costs far less a second."""
    return sorted(calls, key=lambda call: (call.frames, call.duration_s), reverse=True)


def previous(call: Call, out_dir: Path, key: str) -> dict[str, Any] | None:
    """The `batch` part of the result already written for this content and these settings, if any."""
    try:
        document = json.loads(call.result(out_dir).read_text(encoding="utf-8"))
        done = document["batch"]
        if done["sha256"] == call.sha256 and done["settings"] == key:
            return {**done, "duration_s": float(document["meta"]["duration"]),
                    "errors": list(document["meta"].get("errors", []))}
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none, or not one of ours: analysed (again) and replaced
    return None


def plan(paths: list[Path], out_dir: Path, *, words: bool = True) -> tuple[list[Call], str]:
    """The batch's recordings, each hashed, probed and matched against what `out_dir` already holds."""
    key = settings_key(words=words)
    calls = find_calls(paths)
    for call in calls:
        try:
            call.sha256 = content_hash(call.path)
        except OSError as exc:
            call.problem = f"{call.path}: cannot be read ({exc.strerror or exc})"
            continue
        call.done = previous(call, out_dir, key)
        if call.done is not None:
            call.duration_s, call.recorded = call.done["duration_s"], call.done["recorded"]
        else:
            call.duration_s, call.recorded, call.frames = probe(call.path)
    return calls, key


def _hidden(name: Path) -> bool:
    """Inside a hidden folder, or hidden itself (the half-written files of other programs)."""
    return any(part.startswith(".") for part in name.parts)
