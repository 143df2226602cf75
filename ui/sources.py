"""What the user picked to watch, as one line of text, turned into a fresh engine source.

A choice is kept as text ("camera:0", "screen:1", a file path) rather than as a source
object because sources are single-use: playing a file again or reopening a camera
after an error builds a new one from the same text. Nothing here imports Qt.
"""

from __future__ import annotations

import re
from pathlib import Path

from copilot.capture.items import SourceError
from copilot.capture.source import Source

NO_CAMERA_MESSAGE = "No camera found — open a file or pick a screen region"


def source_from_choice(choice: str) -> Source:
    """`camera[:N|:/dev/videoN]`, `screen[:N]` or a media file path (played at its own pace)."""
    kind, _, rest = choice.partition(":")
    if kind == "camera":
        from copilot.capture.camera import Camera

        device: int | str = int(rest) if rest.strip().isdigit() else (rest or 0)
        return Camera(device)
    if kind == "screen":
        from copilot.capture.screen import ScreenRegion

        if rest and not rest.isdigit():
            raise SourceError(f"screen {rest!r}: expected a screen number such as screen:1")
        return ScreenRegion(monitor=int(rest) if rest else 1)
    from copilot.capture.media_file import MediaFile

    return MediaFile(Path(choice).expanduser(), pace=True)


def describe_choice(choice: str) -> str:
    """The short name shown in the window title and status bar."""
    kind, _, rest = choice.partition(":")
    if kind in ("camera", "screen"):
        return f"{kind} {rest or (0 if kind == 'camera' else 1)}"
    return Path(choice).name


def camera_choices() -> list[tuple[str, str]]:
    """(label, choice) per camera the system lists, without opening any of them."""
    from copilot.capture.devices import list_cameras

    found = []
    for label in list_cameras():
        # Linux lists "/dev/video2 (USB Camera)", other systems "camera 2".
        name = label.split(" (")[0]
        digits = re.search(r"\d+$", name)
        device = name if name.startswith("/dev/") else (digits.group(0) if digits else "0")
        found.append((label, f"camera:{device}"))
    return found


def screen_choices() -> list[tuple[str, str]]:
    """(label, choice) per monitor; empty when there is no display to capture."""
    from copilot.capture.screen import list_screens

    try:
        return [(screen.label(), f"screen:{screen.index}") for screen in list_screens()]
    except SourceError:
        return []
