"""Private desktop services for capture tests: an X server and a PulseAudio server.

Each runs as a child of the test session with its own sockets in a temporary folder,
so a developer's real display and sound server are never touched, and each is
killed afterwards. Without the binaries (CI installs `xvfb` and `pulseaudio`) the
tests that need them are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SCREEN_SIZE = (1280, 720)
START_TIMEOUT_S = 15.0


@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    """The name (":N") of a fresh virtual X display of SCREEN_SIZE, 24-bit colour."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (apt package xvfb)")
    read_fd, write_fd = os.pipe()
    # -displayfd makes the server pick a free display number and write it to us.
    width, height = SCREEN_SIZE
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.fail(f"Xvfb did not start (exit code {server.wait()})")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass(frozen=True)
class PulseServer:
    server: str  # value for PULSE_SERVER
    env: dict[str, str]  # environment for client programs (pactl, paplay)
    process: subprocess.Popen

    def pactl(self, *args: str) -> str:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, check=True, timeout=10
        ).stdout


def start_pulse(folder: Path) -> PulseServer:
    """A PulseAudio daemon with only a local socket; anonymous auth so no cookie is needed."""
    pulseaudio = shutil.which("pulseaudio")
    if pulseaudio is None or shutil.which("pactl") is None:
        pytest.skip("PulseAudio is not installed (apt packages pulseaudio, pulseaudio-utils)")
    runtime = folder / "runtime"
    runtime.mkdir(parents=True, mode=0o700)
    (folder / "client.conf").write_text("autospawn = no\n")
    daemon_env = dict(
        os.environ, HOME=str(folder), XDG_RUNTIME_DIR=str(runtime),
        PULSE_RUNTIME_PATH=str(runtime / "pulse"), PULSE_STATE_PATH=str(folder / "state"),
    )  # fmt: skip
    process = subprocess.Popen(
        [pulseaudio, "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "-n",
         "--use-pid-file=no", "--disable-shm=yes", "--log-target=stderr",
         "-L", "module-native-protocol-unix auth-anonymous=1"],
        env=daemon_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    socket = runtime / "pulse" / "native"
    client_env = dict(
        os.environ, PULSE_SERVER=f"unix:{socket}", PULSE_CLIENTCONFIG=str(folder / "client.conf")
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        ready = (
            socket.exists()
            and subprocess.run(["pactl", "info"], env=client_env, capture_output=True, timeout=10).returncode
            == 0
        )
        if ready:
            return PulseServer(client_env["PULSE_SERVER"], client_env, process)
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"PulseAudio did not start: {process.communicate()[1][-2000:]}")
        time.sleep(0.05)


def stop_pulse(pulse: PulseServer) -> None:
    pulse.process.terminate()
    try:
        pulse.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pulse.process.kill()
        pulse.process.wait()


@pytest.fixture
def pulse_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseServer]:
    """A private PulseAudio server that this process's audio clients (PortAudio) talk to."""
    pulse = start_pulse(tmp_path / "pulse")
    monkeypatch.setenv("PULSE_SERVER", pulse.server)
    monkeypatch.setenv("PULSE_CLIENTCONFIG", pulse.env["PULSE_CLIENTCONFIG"])
    try:
        yield pulse
    finally:
        stop_pulse(pulse)
