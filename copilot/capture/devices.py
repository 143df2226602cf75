"""What the user can capture from on this machine: cameras, screens, audio inputs, system audio.

Everything here degrades to an empty list plus a sentence in `problems`: a machine
without PortAudio, a sound server or a display still gets a readable report.

Audio on Linux goes through the sound server. PortAudio (ALSA backend) shows it as
one device, "pulse", so the server's own sources, microphones and the ".monitor"
of each output alike, are listed with `pactl` and reached by opening "pulse" with
PULSE_SOURCE set to the source's name (see audio_device.py). Windows reaches system
audio through WASAPI loopback inputs, macOS through a loopback driver such as
BlackHole; both branches are written from the documentation and untested here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from copilot.capture.items import SourceError

PULSE_DEVICE = "pulse"  # the ALSA plugin device that leads to PulseAudio or PipeWire
DEFAULT_MONITOR = "@DEFAULT_MONITOR@"  # the server's name for "whatever the speakers play"
# Untested outside Linux: names under which loopback inputs show up in PortAudio.
LOOPBACK_ADVICE = {
    "linux": "start PulseAudio or PipeWire (with pipewire-pulse); its monitors are the way in",
    "win32": "this PortAudio has no WASAPI loopback inputs; enable 'Stereo Mix' in Sound settings",
    "darwin": "install a loopback driver such as BlackHole and route the call's output to it",
}
LOOPBACK_HINTS = ("[loopback]", "stereo mix", "blackhole", "soundflower", "loopback audio")


@dataclass(frozen=True, slots=True)
class AudioInput:
    name: str  # what the user recognises: "Monitor of Built-in Audio", "USB Microphone"
    device: int | str  # what sounddevice opens
    loopback: bool = False  # plays back what the computer outputs ("them")
    pulse_source: str | None = None  # set PULSE_SOURCE to this while opening `device`


@dataclass(slots=True)
class DeviceReport:
    cameras: list[str] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)
    audio_inputs: list[AudioInput] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why a kind may be missing


def import_sounddevice() -> ModuleType:
    """sounddevice, or SourceError: its import raises OSError when libportaudio is missing."""
    try:
        import sounddevice
    except (OSError, ImportError) as err:
        raise SourceError(f"audio capture is unavailable: PortAudio cannot load ({err})") from err
    return sounddevice


def _pulse_sources() -> list[tuple[str, str]]:
    """(name, description) of every source the sound server offers; empty without pactl."""
    pactl = shutil.which("pactl")
    if sys.platform != "linux" or pactl is None:
        return []
    try:
        out = subprocess.run(
            [pactl, "--format=json", "list", "sources"],
            capture_output=True,
            text=True,
            timeout=3,
            check=True,
        ).stdout
        return [(s["name"], s.get("description") or s["name"]) for s in json.loads(out)]
    except (subprocess.SubprocessError, OSError, ValueError, KeyError, TypeError):
        pass  # pactl older than 16 has no JSON; the short listing has names only
    try:
        out = subprocess.run(
            [pactl, "list", "short", "sources"], capture_output=True, text=True, timeout=3
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return []
    return [(line.split("\t")[1],) * 2 for line in out.splitlines() if line.count("\t") >= 1]


def audio_inputs() -> list[AudioInput]:
    """Every input the user can pick, sound-server sources first, in PortAudio's current view."""
    sd = import_sounddevice()
    devices = [d for d in sd.query_devices() if d["max_input_channels"] > 0]
    found: list[AudioInput] = []
    if any(d["name"] == PULSE_DEVICE for d in devices):
        for name, description in _pulse_sources():
            found.append(AudioInput(description, PULSE_DEVICE, name.endswith(".monitor"), name))
    for d in devices:
        if d["name"] in (PULSE_DEVICE, "default") and found:
            continue  # the server's sources above already stand for these
        loopback = any(hint in d["name"].lower() for hint in LOOPBACK_HINTS)
        api = sd.query_hostapis(d["hostapi"])["name"]
        found.append(AudioInput(f"{d['name']} ({api})", d["index"], loopback))
    return found


def find_input(wanted: str | int | None, loopback: bool) -> AudioInput:
    """The input a user asked for by name (any part of it, any case), index, or None for default.

    None means the default microphone, or with `loopback` the default system-audio
    input: on Linux the monitor of the default output.
    """
    inputs = audio_inputs()
    if wanted is None:
        pulse = any(i.device == PULSE_DEVICE for i in inputs)
        if loopback and pulse:
            return AudioInput("system audio (default output)", PULSE_DEVICE, True, DEFAULT_MONITOR)
        if not loopback and pulse:
            default = _pulse_default_source()
            if default is None or not default.endswith(".monitor"):
                return AudioInput("microphone (default input)", PULSE_DEVICE)
            # The server falls back to an output's monitor when it has no microphone: taking
            # that as "you" would file the other side's voice (or the user's own music) as theirs.
            microphones = [i for i in inputs if i.device == PULSE_DEVICE and not i.loopback]
            if microphones:
                return microphones[0]
            raise SourceError(f"no microphone found: the sound server's default input ({default}) "
                              "is what the computer plays, not a microphone")
        candidates = [i for i in inputs if i.loopback == loopback]
        if not loopback:  # the system's own default input first, where it has one
            system_default = _default_input_index()
            candidates.sort(key=lambda i: i.device != system_default)
        if candidates:
            return candidates[0]
        if loopback:
            raise SourceError(f"no system-audio input found: {LOOPBACK_ADVICE.get(sys.platform, '')}")
        raise SourceError(f"no microphone found: {_known(inputs)}")
    for i in inputs:  # exact: an index, or a sound-server source name such as "x.monitor"
        if wanted == (i.device if isinstance(wanted, int) else i.pulse_source):
            return i
    if isinstance(wanted, str):
        # By name, only among inputs of the kind asked for: a headset's microphone and the
        # monitor of its speakers often share the name, and the monitor must never stand in
        # for the microphone (nor the other way round). An exact name first, then a part of one.
        kind = [i for i in inputs if i.loopback == loopback]
        text = wanted.lower()
        for matches in ((lambda i: text == i.name.lower()),
                        (lambda i: text in i.name.lower() or text in (i.pulse_source or "").lower())):
            found = [i for i in kind if matches(i)]
            if found:
                return found[0]
    what = "system-audio input" if loopback else "microphone"
    raise SourceError(f"{what} {wanted!r} not found: {_known(inputs)}")


def _pulse_default_source() -> str | None:
    """The sound server's default source name ("x.monitor" when it has no microphone), or None."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    for command, prefix in (([pactl, "get-default-source"], ""), ([pactl, "info"], "Default Source:")):
        try:  # get-default-source is pactl 15+; info's wording is English under LC_ALL=C
            out = subprocess.run(command, capture_output=True, text=True, timeout=3,
                                 env={**os.environ, "LC_ALL": "C"}).stdout
        except (subprocess.SubprocessError, OSError):
            continue
        for line in out.splitlines():
            if line.startswith(prefix) and line[len(prefix):].strip():
                return line[len(prefix):].strip()
    return None


def _default_input_index() -> int | None:
    sd = import_sounddevice()
    try:
        return int(sd.query_devices(kind="input")["index"])
    except (sd.PortAudioError, ValueError, KeyError):
        return None


def _known(inputs: list[AudioInput]) -> str:
    if not inputs:
        return "there are no audio inputs; is a sound server running?"
    return "the inputs are " + ", ".join(repr(i.name) for i in inputs)


def refresh_portaudio() -> None:
    """Make PortAudio list devices again; it reads the list only when it starts.

    Restarting PortAudio closes every open stream, so callers do this only with none open.
    """
    sd = import_sounddevice()
    sd._terminate()
    sd._initialize()


def list_cameras() -> list[str]:
    """Video capture devices, without opening them where the system can say (Linux)."""
    if sys.platform == "linux":
        names = []
        for node in sorted(Path("/sys/class/video4linux").glob("video*")):
            index = (node / "index").read_text().strip() if (node / "index").exists() else "0"
            if index == "0":  # other indexes are metadata nodes of the same camera
                label = (node / "name").read_text().strip() if (node / "name").exists() else ""
                names.append(f"/dev/{node.name}" + (f" ({label})" if label else ""))
        return names
    from copilot.capture.camera import quiet_cv2

    cv2 = quiet_cv2()  # probing absent indexes is noisy

    names = []
    for index in range(5):
        capture = cv2.VideoCapture(index)
        if capture.isOpened():
            names.append(f"camera {index}")
        capture.release()
    return names


def list_devices() -> DeviceReport:
    from copilot.capture.screen import list_screens

    report = DeviceReport(cameras=list_cameras())
    try:
        report.screens = [s.label() for s in list_screens()]
    except SourceError as err:
        report.problems.append(str(err))
    try:
        report.audio_inputs = audio_inputs()
    except SourceError as err:
        report.problems.append(str(err))
    return report


def format_report(report: DeviceReport) -> str:
    lines = ["Cameras:"]
    lines += [f"  {c}" for c in report.cameras] or ["  No camera found."]
    lines.append("Screens:")
    lines += [f"  {s}" for s in report.screens] or ["  No screen found: is a display available?"]
    mics = [i.name for i in report.audio_inputs if not i.loopback]
    loops = [i.name for i in report.audio_inputs if i.loopback]
    lines.append("Microphones and other audio inputs:")
    none = "No microphone found." if loops else "No audio input devices: is a sound server running?"
    lines += [f"  {m}" for m in mics] or [f"  {none}"]
    lines.append("System audio (what the computer plays):")
    lines += [f"  {m}" for m in loops] or ["  No system-audio (loopback or monitor) input found."]
    lines += [f"Note: {p}" for p in report.problems]
    return "\n".join(lines)
