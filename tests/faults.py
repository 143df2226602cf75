"""Real faults for the tests of issue 16: files the process may not read or write, and a full disk.

The tests run as root, who may write any file whatever its mode. Run under `setpriv`
with every capability dropped, root is still uid 0 (so the virtualenv under /root still
runs) but obeys file modes like any user. A full disk is a tmpfs of a few KiB mounted
in a mount namespace of the command's own (`unshare -m`): nothing else sees it, and it
goes when the command ends.
"""

from __future__ import annotations

import functools
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

WITHOUT_PRIVILEGES = ("setpriv", "--bounding-set=-all", "--inh-caps=-all")


def copilot_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "copilot", *map(str, args)]


def unprivileged(command: Sequence[str], *, timeout: float = 180, **kwargs) -> subprocess.CompletedProcess:
    """Runs `command` as root without capabilities: a file's mode then applies to it."""
    return subprocess.run([*WITHOUT_PRIVILEGES, *command], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


@functools.cache
def _tmpfs_works(probe: str) -> bool:
    Path(probe).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {probe}"],
                          capture_output=True)
    return done.returncode == 0


def on_a_small_disk(folder: Path, size_kib: int, script: str, *, timeout: float = 300,
                    **kwargs) -> subprocess.CompletedProcess:
    """Runs the shell `script` with a fresh tmpfs of `size_kib` on `folder` (made if missing).

    In the script, `fill N` fills the disk until N KiB are left.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if not _tmpfs_works(str(folder.parent / ".tmpfs-probe")):
        pytest.skip("this machine does not let the tests mount a tmpfs in a mount namespace")
    here = shlex.quote(str(folder))
    prelude = (f"mount -t tmpfs -o size={size_kib}k tmpfs {here}\n"
               f"fill() {{ avail=$(df -k --output=avail {here} | tail -1); "
               f"dd if=/dev/zero of={here}/.padding bs=1k count=$((avail - $1)) 2>/dev/null || true; }}\n")
    return subprocess.run(["unshare", "-m", "sh", "-ec", prelude + script], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def sh(*words: str | Path) -> str:
    return shlex.join(map(str, words))
