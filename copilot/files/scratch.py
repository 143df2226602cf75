"""Private scratch folders: made owner-only, removed when done, and swept up after a killed run.

A scratch folder holds what passes through on its way to analysis (an uploaded file, a
stream's segment, a report's database); it is the user's alone like everything else
recorded about people (copilot/files/writing.py). Its name carries the id of the process that
made it, so a later run can tell the folders of runs that were killed (kill -9 skips
their own clean-up) from those of runs still going.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def scratch_folder(prefix: str) -> tempfile.TemporaryDirectory:
    """A new private folder (0700, as mkdtemp makes it) named `prefix` + this process's id, after
    removing the folders of `prefix` left by dead processes; use it as a context manager."""
    sweep(prefix)
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-")


def sweep(prefix: str) -> None:
    """Removes this user's scratch folders of `prefix` whose process is gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        pid = folder.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or folder.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # alive, someone else's
            continue
