"""Where the session database lives, and opening it safely.

A file that is not ours (garbage, or another application's SQLite database) is refused
with its name and the reason, and is inspected read-only first, so it is never written
to: not even the WAL switch, which would rewrite its header. The inspection also runs
SQLite's quick check, because a file damaged past its header would otherwise be written
into, and every later write would spread the damage.

The file, and any folder made for it, is the user's alone (0600, 0700): it is a record
of how people behaved. SQLite gives its -wal and -shm files the database file's mode.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from copilot.errors import CopilotError
from copilot.files.writing import PRIVATE_FILE, make_private_folder
from copilot.session.schema import APPLICATION_ID, SCHEMA_VERSION, migrate

DATABASE_ENV = "COPILOT_DATABASE"  # overrides the default location (tests, portable installs)
DATABASE_NAME = "sessions.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000  # the writer thread and a reader (the review window) may meet
LOW_DISK_BYTES = 256 * 1024  # below this, an SQLite error on opening or writing is the full disk


class DatabaseError(CopilotError):
    """The session database cannot be used; the message names the file and the reason."""


def default_database_path() -> Path:
    """$COPILOT_DATABASE, else sessions.sqlite3 in the platform's per-user data folder."""
    override = os.environ.get(DATABASE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path("meeting-copilot", appauthor=False) / DATABASE_NAME


def resolve(database: Path | str | None) -> Path:
    return Path(database).expanduser() if database is not None else default_database_path()


def _refuse(path: Path, reason: str) -> DatabaseError:
    return DatabaseError(f"{path}: {reason}; the file was left untouched "
                         f"(set ${DATABASE_ENV}, or --database on the command line, to use another file)")


# Files found whole by this process: the quick check reads every page (about 0.5 s for 150 MB,
# 1M score rows), so each file pays it once per process, not at every session start.
_checked: set[Path] = set()


def why(path: Path, exc: Exception) -> str:
    """SQLite's reason, or the real one where SQLite only says it "cannot open" or "readonly"."""
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"its folder {path.parent} cannot be written"
    if path.exists() and not os.access(path, os.R_OK):
        return "the file cannot be read"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file cannot be written"
    free = shutil.disk_usage(path.parent).free
    if free < LOW_DISK_BYTES and "full" not in str(exc):  # SQLite may say only "disk I/O error"
        # (it could not make the -shm file); say why. Where it says "full" the text stays as it is,
        # so the same fault is the same line however much room is left (notices are not repeated).
        return f"{exc}; its disk is full ({free // 1024} KiB free)"
    return str(exc)


def _inspect(path: Path) -> int:
    """The schema version of an existing file (0 for an empty one); raises if it is not ours."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if not header:
        return 0
    if header != SQLITE_HEADER:
        raise _refuse(path, "not a session database (it is not an SQLite file)")
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            app_id = probe.execute("PRAGMA application_id").fetchone()[0]
            version = probe.execute("PRAGMA user_version").fetchone()[0]
            tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            damage = ["ok"] if path.resolve() in _checked else [
                row[0] for row in probe.execute("PRAGMA quick_check(3)")]
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        reason = why(path, exc)
        if reason == str(exc):
            reason = f"damaged or unreadable SQLite file ({exc})"
        raise _refuse(path, reason) from exc
    if damage != ["ok"]:
        raise _refuse(path, f"the SQLite file is damaged ({'; '.join(damage)}); "
                            "copy it aside and try `sqlite3 FILE .recover`")
    _checked.add(path.resolve())
    if app_id != APPLICATION_ID and (app_id != 0 or tables):
        raise _refuse(path, "an SQLite database of another application, not a session database")
    if version > SCHEMA_VERSION:
        raise _refuse(path, f"written by a newer Meeting Copilot (schema {version}, "
                            f"this one reads up to {SCHEMA_VERSION})")
    return version


@contextmanager
def said_as_database_errors(database: Path | str | None) -> Iterator[None]:
    """An SQLite error while reading or deleting (damage the open check did not see, a disk that
    fails) becomes a DatabaseError naming the file, for the user, not an internal error."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        path = resolve(database)
        raise DatabaseError(f"{path}: cannot use the session database ({why(path, exc)})") from exc


def open_database(database: Path | str | None = None, *, create: bool = True) -> sqlite3.Connection:
    """A connection in WAL mode with the schema up to date; creates the file when `create`."""
    path = resolve(database)
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a session database")
    if path.exists():
        version = _inspect(path)
    elif not create:
        raise DatabaseError(f"{path}: no session database here yet (nothing has been recorded)")
    else:
        version = 0
        try:
            make_private_folder(path.parent)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        except FileExistsError:
            version = _inspect(path)  # another process made it in between
        except OSError as exc:
            raise DatabaseError(f"{path}: cannot create the session database ({why(path, exc)})") from exc
    connection = None
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                                     isolation_level=None)  # explicit BEGIN/COMMIT
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing committed
        connection.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            migrate(connection, version)
    except sqlite3.DatabaseError as exc:
        if connection is not None:
            connection.close()
        raise DatabaseError(f"{path}: cannot open the session database ({why(path, exc)})") from exc
    return connection
