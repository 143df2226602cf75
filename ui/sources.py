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
    if kind == "region":
        from copilot.capture.screen import ScreenRegion

        return ScreenRegion(region=parse_region(rest))
    if kind == "screen":
        from copilot.capture.screen import ScreenRegion

        if rest and not rest.isdigit():
            raise SourceError(f"screen {rest!r}: expected a screen number such as screen:1")
        return ScreenRegion(monitor=int(rest) if rest else 1)
    from copilot.capture.media_file import MediaFile

    return MediaFile(Path(choice).expanduser(), pace=True)


def parse_region(text: str) -> tuple[int, int, int, int]:
    """"left,top,width,height" in desktop pixels, as the region picker writes it."""
    parts = text.split(",")
    if len(parts) != 4 or not all(p.strip().lstrip("-").isdigit() for p in parts):
        raise SourceError(f"screen region {text!r}: expected left,top,width,height in pixels")
    left, top, width, height = (int(p) for p in parts)
    return left, top, width, height


def choice_kind(choice: str) -> str:
    """camera | screen | file, as the session database names source kinds."""
    kind = choice.partition(":")[0]
    return {"camera": "camera", "screen": "screen", "region": "screen"}.get(kind, "file")


def audio_sources(choice: str, microphone: str, system_audio: bool) -> list[Source]:
    """The sound to add to a live picture: the microphone ("you") and system audio ("them").

    A recording brings its own sound, so nothing is added to a file. `microphone` is an
    input's name, "default" or "" for none.
    """
    if choice_kind(choice) == "file":
        return []
    from copilot.capture.audio_device import microphone as open_microphone
    from copilot.capture.audio_device import system_audio as open_system_audio

    found: list[Source] = []
    if microphone:
        found.append(open_microphone(None if microphone == "default" else microphone))
    if system_audio:
        found.append(open_system_audio())
    return found


def microphone_choices() -> list[tuple[str, str]]:
    """(label, choice) per input that is not a loopback; the choice is the sound server's own
    source name where there is one (unique, unlike the description); empty without PortAudio."""
    from copilot.capture.devices import audio_inputs

    try:
        return [(i.name, i.pulse_source or i.name) for i in audio_inputs() if not i.loopback]
    except SourceError:
        return []


def describe_choice(choice: str) -> str:
    """The short name shown in the window title and status bar."""
    kind, _, rest = choice.partition(":")
    if kind == "region":
        width, height = parse_region(rest)[2:]
        return f"screen region {width}x{height}"
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
