"""Links from a report into the review window: `copilot://review/N?at=T`, and the command that
does the same (`copilot app --review N --at T`), made and read in this one place.

Issue 19: a key moment's time in the report should open the review window there. A page
cannot start a program itself; the desktop entry (packaging/linux/meeting-copilot.desktop)
registers the app for the copilot:// scheme, so a click opens it, and the command is shown
beside the link for a machine where the entry is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from copilot.errors import CopilotError

SCHEME = "copilot"


@dataclass(frozen=True, slots=True)
class ReviewAt:
    session: int
    at: float  # seconds into the session
    database: Path | None = None  # None: the user's default database


def review_url(moment: ReviewAt) -> str:
    extra = f"&database={quote(str(moment.database))}" if moment.database is not None else ""
    return f"{SCHEME}://review/{moment.session}?at={moment.at:.1f}{extra}"


def review_command(moment: ReviewAt) -> str:
    extra = f" --database '{moment.database}'" if moment.database is not None else ""
    return f"copilot app --review {moment.session} --at {moment.at:.1f}{extra}"


def parse_review_url(url: str) -> ReviewAt:
    """The moment a copilot:// link names; a link that names none is one CopilotError line."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    try:
        if parts.scheme != SCHEME or parts.netloc != "review":
            raise ValueError("not a review link")
        session = int(parts.path.strip("/"))
        at = float(query.get("at", ["0"])[0])
        if at < 0 or session < 1:
            raise ValueError("a session from 1 and a time from 0")
    except ValueError as exc:
        raise CopilotError(f"{url}: not a link to a moment of a session ({exc}); expected "
                           f"{SCHEME}://review/SESSION?at=SECONDS") from exc
    database = query.get("database", [None])[0]
    return ReviewAt(session, at, Path(database) if database else None)
