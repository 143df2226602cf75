"""The user's settings: one typed, versioned schema, kept as readable JSON in the config folder.

Shareable choices (mode, sources, theme, nudge rules) live here; per-machine window
geometry stays in QSettings (ui/settings.py). Both follow MEETING_COPILOT_SETTINGS_DIR
so tests never touch a user's real settings. A file that does not parse, or holds
a wrong value, is reported with the reason and the defaults are used for what is bad;
a file that does not parse is first moved aside, so saving the defaults never costs
the user the edits they were making by hand.
Nothing here imports Qt.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from copilot.coach.rules import MODES
from copilot.files.config_folder import settings_dir
from copilot.files.writing import PRIVATE_FILE, make_private_folder

VERSION = 3
FILE_NAME = "settings.json"
THEMES = ("dark", "light")


@dataclass(slots=True)
class Preferences:
    version: int = VERSION
    mode: str = "practice"  # presenter | sales | practice
    video_source: str = ""  # a source choice ("camera:0", "screen:1", a path); "" = the first camera
    microphone: str = "default"  # an input's name, "default", or "" for none
    system_audio: bool = False  # also listen to what the computer plays ("them")
    theme: str = "dark"
    nudge_sound: bool = False
    keep_media: bool = False  # keep the raw video and audio of live sessions (off: signals only)
    # Transcribe what is said (captions, the transcript, word cues in the signals). The speech model
    # reads English only: for calls in another language, off, faces and voices still count.
    transcribe: bool = True
    nudge_rules_file: str = ""  # the user's own rules file; "" = the shipped one
    rules: dict[str, dict] = field(default_factory=dict)  # rule id -> {"enabled", "threshold"}
    # Where the middle of the user's screen is, as seen from their camera: [gaze yaw, gaze pitch]
    # in degrees, recorded by "Calibrate screen position"; [] = learned from where they usually look
    screen_direction: list[float] = field(default_factory=list)
    # Publish the live session on the local stream protocol (copilot/serve/publisher.py), for
    # programs on this machine that follow a call; off unless the user switches it on
    publish_live: bool = False
    publish_port: int = 8766  # beside `copilot serve`'s 8765, so both can run; 0 = any free port


def settings_path() -> Path:
    return settings_dir() / FILE_NAME


def migrate(raw: object) -> dict:
    """Brings an older file up to VERSION; each step names what changed. Raises ValueError for
    a file that is not a settings object at all."""
    if not isinstance(raw, dict):
        raise ValueError(f"expected an object of settings, found {type(raw).__name__}")
    raw = dict(raw)
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"version {version!r} is not a whole number")
    if version < 2:  # version 1 kept the video source as "source" and had no rules
        if "source" in raw:
            raw["video_source"] = raw.pop("source")
        raw["version"] = 2
    if raw["version"] < 3:  # version 2's nudge rule about the camera was "you-eye-contact"
        rules = raw.get("rules")
        if isinstance(rules, dict) and "you-eye-contact" in rules:
            rules = dict(rules)
            rules["you-camera-gaze"] = rules.pop("you-eye-contact")
            raw["rules"] = rules
        raw["version"] = 3
    return raw


def check(prefs: Preferences) -> list[str]:
    """What is wrong in `prefs`, field by field, after putting back the default for each."""
    problems, default = [], Preferences()
    rules = {"mode": MODES, "theme": THEMES}
    for f in fields(Preferences):
        value, wanted = getattr(prefs, f.name), getattr(default, f.name)
        if type(value) is not type(wanted) or (f.name in rules and value not in rules[f.name]):
            problems.append(f"{f.name} = {value!r} is not valid")
            setattr(prefs, f.name, wanted)
    if not 0 <= prefs.publish_port <= 65535:
        problems.append(f"publish_port = {prefs.publish_port!r} is not valid (a port, 0 to 65535)")
        prefs.publish_port = default.publish_port
    direction = prefs.screen_direction
    if direction and not (len(direction) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in direction)):
        problems.append(f"screen_direction = {direction!r} is not valid (two angles in degrees, or [])")
        prefs.screen_direction = []
    return problems


def load(path: Path | None = None) -> tuple[Preferences, list[str]]:
    """The settings at `path` (default: settings_path()) and what was wrong with them."""
    path = path or settings_path()
    if not path.exists():
        return Preferences(), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:  # unreadable now (permissions, a disk): left where it is
        return Preferences(), [f"{path}: cannot read the settings ({exc}); using the defaults"]
    try:
        raw = migrate(json.loads(text))
    except (ValueError, AttributeError) as exc:
        kept = _aside(path)
        try:
            path.replace(kept)
        except OSError as move:
            return Preferences(), [f"{path}: cannot read the settings ({exc}); using the defaults "
                                   f"(could not move the file aside: {move.strerror})"]
        return Preferences(), [f"{path}: cannot read the settings ({exc}); using the defaults "
                               f"(the file is kept as {kept.name})"]
    known = {f.name for f in fields(Preferences)}
    prefs = Preferences(**{k: v for k, v in raw.items() if k in known})
    problems = [f"{path}: {p}; using the default" for p in check(prefs)]
    return prefs, problems


def _aside(path: Path) -> Path:
    """A name beside `path` that holds no earlier unreadable file: settings.json.unreadable,
    then .unreadable-2, -3, ..."""
    kept, n = path.with_name(path.name + ".unreadable"), 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.unreadable-{n}")
    return kept


def save(prefs: Preferences, path: Path | None = None) -> Path:
    """Writes `prefs` whole or not at all, readable by the user alone; raises OSError naming the
    file. A file that exists but cannot be read is never replaced: it may hold settings that
    `load` could not see (it then gave the defaults), and they would be lost."""
    path = path or settings_path()
    if path.exists():
        try:
            path.open("rb").close()
        except OSError as exc:
            raise PermissionError(exc.errno, "it cannot be read, so it is left as it is", str(path)) from exc
    make_private_folder(path.parent)
    text = json.dumps(asdict(prefs), indent=2, sort_keys=False) + "\n"
    temporary = path.with_suffix(".tmp")
    try:
        with os.fdopen(os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE), "w",
                       encoding="utf-8") as handle:
            handle.write(text)
        temporary.replace(path)  # never leaves a half-written file behind
    except OSError as exc:  # said about the settings file, not the temporary one beside it
        temporary.unlink(missing_ok=True)
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from exc
    return path
