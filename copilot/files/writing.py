"""Writing a finished output file (result JSON, report) so that it is whole or not there at all.

The text goes to a hidden file beside the target, which is then renamed over it: an
interrupted run never leaves half a file, and never spoils the one it would replace.
The file gets the permissions any new file of the user's would (their umask), not the
owner-only mode of a temporary file, since these files are meant to be opened and shared;
a `private` one (a report on how people behaved) keeps the owner-only mode.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

# A record of how people behaved (the session database, reports, kept media, settings) is the
# user's alone: other local users may not read it.
PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700


@cache
def _new_file_mode() -> int:
    mask = os.umask(0o022)  # the only way to read the umask is to set it, so put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def make_private_folder(folder: Path) -> None:
    """Makes `folder` and any missing parents 0700 (Path.mkdir gives parents the umask's mode);
    an existing folder keeps its mode."""
    missing = [f for f in (folder, *folder.parents) if not f.exists()]
    for each in reversed(missing):
        each.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)


def check_writable(path: Path) -> None:
    """Fails now, naming `path`, if it could not be written later: before a long analysis, not after.

    Makes the folder if need be, as writing will; leaves no file behind.
    """
    with _named(path):
        fd, tmp = _hidden_file_beside(path)
        os.close(fd)
        os.unlink(tmp)


def check_distinct(outputs: dict[str, Path | None]) -> None:
    """Fails, naming both options, when two of them name one file: only the last written would be left."""
    from copilot.errors import CopilotError

    taken: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        other = taken.setdefault(path.resolve(), option)
        if other != option:
            raise CopilotError(f"{other} and {option} both name {path}: each output needs a file of its own")


def write_atomically(path: Path, text: str, *, private: bool = False) -> int:
    """Writes `text` to `path` (making its folder); returns the size in bytes."""
    with _named(path):
        fd, tmp = _hidden_file_beside(path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            if not private:
                os.chmod(tmp, _new_file_mode())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path.stat().st_size


def write_json_atomically(document: dict, path: Path) -> None:
    """A result document (or another JSON object) as indented text, written whole."""
    write_atomically(path, json.dumps(document, indent=2) + "\n")


def _hidden_file_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in `path`'s folder (made if missing), to be renamed over `path`."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)


@contextmanager
def _named(path: Path) -> Iterator[None]:
    """An OSError about the hidden file beside `path` is reported as one about `path` itself."""
    try:
        yield
    except OSError as exc:
        if exc.filename == str(path):
            raise
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from exc
