"""`copilot serve`'s API over real loopback: a real uvicorn server on a free port, real HTTP and
WebSocket clients (httpx, websockets), real recordings analysed by the real engine.

One server for the module (started once, on its own thread), with small limits so that the
limit tests stay cheap: four streams, 1 MB messages, 600 KB uploads.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx", reason="httpx (a dev dependency) is the test's HTTP client")

from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidStatus  # noqa: E402

from copilot.result.recording import analyze_file  # noqa: E402
from copilot.serve.app import create_app  # noqa: E402
from copilot.serve.hub import Hub  # noqa: E402
from copilot.serve.limits import load_limits  # noqa: E402
from copilot.serve.segments import cut_segments  # noqa: E402
from copilot.serve.server import Server  # noqa: E402
from copilot.serve.shapes import QUALITY_OVERALL, QUALITY_TIMELINE, upload_response  # noqa: E402
from copilot.signals import SIGNALS  # noqa: E402
from copilot.words.speech_process import SpeechInOwnProcess  # noqa: E402

TOKEN = "test-key-for-the-local-api"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
UPLOADED = "video_retalking/2.mp4"  # a man talking to the camera, 5.0 s, 478 KB
STREAMED = "reallife_trial_video/trial_truth_001.mp4"  # a woman talking, 13.7 s: three 3 s segments
TYPES = {"session.ready", "session.updated", "signal.detected", "signal.ended", "engagement.updated",
         "conversation_quality.updated", "error"}
WAIT_S = 120  # for a stream's analysis on a loaded 2-core machine; the usual is a few seconds
STREAM_THREADS = ("stream ", "analysis", "capture: stream", "transcription")


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    limits = replace(load_limits(), max_streams=4, message_bytes=1_000_000, max_bytes=600_000)
    hub = Hub(limits, TOKEN, tmp_path_factory.mktemp("scratch"))
    server = Server(create_app(hub), "127.0.0.1", 0, ws_max_size=limits.read_bytes)
    hub.base_url = server.base_url
    server.start("test api")
    yield hub
    server.stop()


@pytest.fixture(scope="module")
def segments(shared_data, tmp_path_factory) -> list[bytes]:
    folder = tmp_path_factory.mktemp("segments")
    return [path.read_bytes() for path in cut_segments(shared_data / STREAMED, folder, count=3)]


def ws_url(hub: Hub) -> str:
    return hub.base_url.replace("http", "ws", 1) + "/v1/stream/analyze"


def idle(hub: Hub) -> None:
    """Waits until the server holds no stream, as its status says; then no stream thread may be left."""
    deadline = time.monotonic() + 30
    while True:
        streams = httpx.get(f"{hub.base_url}/v1/status", headers=BEARER).json()["streams"]
        if streams == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert streams == 0
    left = [t.name for t in threading.enumerate() if t.name.startswith(STREAM_THREADS)]
    assert left == [], f"stream threads still running: {left}"


async def until(ws, done, timeout_s: float = WAIT_S) -> list[dict]:
    """Envelopes from `ws` up to and including the first for which `done` is true."""
    seen = []
    async with asyncio.timeout(timeout_s):
        while not seen or not done(seen[-1]):
            seen.append(json.loads(await ws.recv()))
    return seen


def analysed(number: int):
    return lambda e: e["type"] == "session.updated" and e["data"]["segment"] == number


# -- upload -----------------------------------------------------------------------------------

def test_an_uploaded_clip_gets_the_result_of_copilot_analyze_in_the_cloud_apis_shape(api, shared_data):
    clip = shared_data / UPLOADED
    with clip.open("rb") as handle:
        response = httpx.post(f"{api.base_url}/v1/upload/analyze", headers=BEARER, timeout=WAIT_S,
                              files={"file": (clip.name, handle, "video/mp4")},
                              data={"include[]": [QUALITY_OVERALL, QUALITY_TIMELINE]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"signals", "engagement_state", "conversation_quality"}
    assert body["signals"], "a man talking for 5 s shows some signal"
    for event in body["signals"]:
        assert event["type"] in SIGNALS and 0 <= event["start"] <= event["end"] <= 5.1
        assert event["probability"] in ("low", "medium", "high") and event["rationale"]
    assert {s["state"] for s in body["engagement_state"]} <= {"engaged", "neutral", "disengaged"}
    assert set(body["conversation_quality"]) == {"overall", "timeline"}
    # the same analysis as `copilot analyze`, cut to the API's shape
    document, errors = analyze_file(clip, quiet=True, speech=SpeechInOwnProcess)
    assert errors == []
    assert body == upload_response(document, [QUALITY_OVERALL, QUALITY_TIMELINE])
    assert upload_response(document, [QUALITY_OVERALL])["conversation_quality"] == {
        "overall": document["conversation_quality"]["overall"]}
    assert upload_response(document, [])["conversation_quality"] is None  # only when asked for
    assert list(api.folder.iterdir()) == []  # the upload passed through the scratch folder


def test_uploads_that_cannot_be_analysed_get_the_apis_errors(api, shared_data, tmp_path):
    url = f"{api.base_url}/v1/upload/analyze"
    clip = (shared_data / UPLOADED).read_bytes()
    cases = [
        ({}, {"file": ("2.mp4", clip)}, {}, 401, "unauthorized"),
        ({"Authorization": "Bearer not-the-key-at-all"}, {"file": ("2.mp4", clip)}, {}, 401, "unauthorized"),
        (BEARER, {"other": ("2.mp4", clip)}, {}, 400, "bad_request"),
        (BEARER, {"file": ("2.mp4", clip)}, {"include[]": "everything"}, 400, "bad_request"),
        (BEARER, {"file": ("notes.mp4", b"these are notes, not a video " * 100)}, {}, 415,
         "unsupported_format"),
        (BEARER, {"file": ("big.mp4", os.urandom(700_000))}, {}, 413, "too_large"),
    ]
    for headers, files, data, status, code in cases:
        response = httpx.post(url, headers=headers, files=files, data=data, timeout=WAIT_S)
        assert response.status_code == status, (code, response.text)
        error = response.json()
        assert error["code"] == code and error["message"] and error["segment"] is None
        assert error["link"] == f"{api.base_url}/v1/errors#{code}"
    assert "notes.mp4: not a readable media file" in httpx.post(
        url, headers=BEARER, files={"file": ("notes.mp4", b"not a video" * 100)}).json()["message"]
    catalogue = httpx.get(f"{api.base_url}/v1/errors").json()  # where the links point: no key needed
    assert {"unauthorized", "too_large", "segment_too_short", "too_many_streams"} <= set(catalogue)


# -- stream -----------------------------------------------------------------------------------

def test_three_segments_stream_their_events_in_order_as_each_is_analysed(api, segments):
    async def run() -> list[dict]:
        async with connect(ws_url(api), additional_headers=BEARER) as ws:
            await ws.send(json.dumps({"include": [QUALITY_OVERALL, QUALITY_TIMELINE]}))
            for segment in segments:
                await ws.send(segment)
            return await until(ws, analysed(3))
    seen = asyncio.run(run())
    idle(api)

    ready, configured = seen[0], seen[1]
    assert ready["type"] == "session.ready"
    assert ready["data"]["segment_limits"] == {"min_s": 3.0, "max_bytes": 1_000_000}
    assert set(ready["data"]["include_options"]) == {QUALITY_OVERALL, QUALITY_TIMELINE}
    assert configured["type"] == "session.updated"
    assert configured["data"]["include"] == [QUALITY_OVERALL, QUALITY_TIMELINE]
    for envelope in seen:
        assert set(envelope) == {"type", "timestamp", "correlation_id", "data"} and envelope["type"] in TYPES
    assert len({e["correlation_id"] for e in seen}) == 1
    assert [e["timestamp"] for e in seen] == sorted(e["timestamp"] for e in seen)
    assert not [e for e in seen if e["type"] == "error"]

    found = seen[2:]
    numbers = [e["data"]["segment"] for e in found]
    assert numbers == sorted(numbers) and set(numbers) == {1, 2, 3}  # each segment's events, in order
    done = [e for e in found if e["type"] == "session.updated"]
    assert [d["data"]["segment"] for d in done] == [1, 2, 3]
    assert [d["data"]["analysed_s"] for d in done] == pytest.approx([3.0, 6.0, 9.0], abs=0.1)
    for number, update in enumerate(done, 1):  # events never from beyond what was analysed
        events = [s for e in found if e["data"]["segment"] == number and e["type"].startswith("signal.")
                  for s in e["data"]["signals"]]
        assert all(0 <= s["start"] <= s["end"] <= update["data"]["analysed_s"] for s in events)
    detected = [e for e in found if e["type"] == "signal.detected"]
    assert detected, "a woman talking for 9 s shows some signal"
    assert {s["type"] for e in detected for s in e["data"]["signals"]} <= set(SIGNALS)
    # as soon as found: the first event of a segment goes out before that segment is fully analysed
    first = next(e for e in found if e["type"] in ("signal.detected", "engagement.updated"))
    assert first["timestamp"] < next(d for d in done if d["data"]["segment"] == first["data"]["segment"]
                                     )["timestamp"]
    states = [e["data"] for e in found if e["type"] == "engagement.updated"]
    assert states and all(s["state"] in ("engaged", "neutral", "disengaged") for s in states)
    quality = [e["data"] for e in found if e["type"] == "conversation_quality.updated"]
    assert [q["segment"] for q in quality] == [1, 2, 3] and all("overall" in q for q in quality)


def test_a_missing_or_wrong_key_is_refused_at_the_handshake_and_a_browsers_subprotocol_key_accepted(api):
    async def refused(**options) -> dict:
        with pytest.raises(InvalidStatus) as caught:
            async with connect(ws_url(api), **options):
                pass
        assert caught.value.response.status_code == 401
        return json.loads(caught.value.response.body)

    async def accepted(subprotocols: list[str]) -> str | None:
        async with connect(ws_url(api), subprotocols=subprotocols) as ws:
            assert json.loads(await ws.recv())["type"] == "session.ready"
            return ws.subprotocol

    async def run() -> None:
        for options in ({}, {"additional_headers": {"Authorization": "Bearer wrong-key-0123456789"}},
                        {"subprotocols": ["wrong-key-0123456789"]}):
            assert (await refused(**options))["code"] == "unauthorized"
        assert await accepted([TOKEN]) == TOKEN  # a browser: new WebSocket(url, [KEY])
        assert await accepted(["access_token", TOKEN]) == "access_token"
    asyncio.run(run())
    idle(api)


def test_a_malformed_or_short_segment_is_an_error_event_and_the_stream_goes_on(api, segments, tmp_path,
                                                                              shared_data):
    short = cut_segments(shared_data / STREAMED, tmp_path, seconds=1.0, count=1)[0].read_bytes()

    async def run() -> list[dict]:
        async with connect(ws_url(api), additional_headers=BEARER) as ws:
            # 1: not a media file (the same bytes every run)
            await ws.send(b"this is not a video\n" * 2500)
            await ws.send(short)  # 2: a real clip of 1 s
            await ws.send(segments[0])  # 3: analysed all the same
            return await until(ws, analysed(3))
    seen = asyncio.run(run())
    idle(api)
    errors = [e["data"] for e in seen if e["type"] == "error"]
    assert [(e["code"], e["segment"]) for e in errors] == [("unsupported_format", 1),
                                                           ("segment_too_short", 2)]
    assert errors[0]["message"].startswith("segment 1: not a readable media file")
    lasts = re.fullmatch(r"segment 2 lasts (\d\.\d\d) s; each must last at least 3 s", errors[1]["message"])
    assert lasts and float(lasts[1]) == pytest.approx(1.0, abs=0.05)
    assert seen[-1]["data"]["analysed_s"] == pytest.approx(3.0, abs=0.1)  # the first good one starts at 0


def test_an_oversized_message_is_an_error_event_and_a_far_bigger_one_closes_the_stream(api):
    async def run() -> tuple[list[dict], int | None]:
        async with connect(ws_url(api), additional_headers=BEARER, max_size=None) as ws:
            await ws.send(os.urandom(1_500_000))  # over the 1 MB limit: said, and the stream goes on
            await ws.send(json.dumps({"include": [QUALITY_OVERALL]}))
            seen = await until(ws, lambda e: e["type"] == "session.updated")
            with pytest.raises(ConnectionClosed):
                # over twice the limit: not even read. The server may close before the
                # whole message has left, so the send itself may be what learns of it.
                await ws.send(os.urandom(2_500_000))
                await until(ws, lambda e: False, timeout_s=30)
            return seen, ws.close_code
    seen, closed_with = asyncio.run(run())
    idle(api)
    error = next(e["data"] for e in seen if e["type"] == "error")
    assert error["code"] == "too_large" and error["segment"] == 1
    assert "1500000 bytes" in error["message"] and "1000000" in error["message"]
    assert seen[-1]["data"]["include"] == [QUALITY_OVERALL]  # the session still answered
    assert closed_with == 1009  # RFC 6455: message too big


def test_a_client_that_leaves_mid_stream_leaves_nothing_behind(api, segments):
    async def run() -> None:
        async with connect(ws_url(api), additional_headers=BEARER) as ws:
            for segment in segments:
                await ws.send(segment)
            await until(ws, lambda e: e["type"] in ("signal.detected", "engagement.updated"))
        # gone while its segments are still being analysed
    asyncio.run(run())
    idle(api)  # the session count is back to 0 and its worker and engine threads have ended
    assert list(api.folder.iterdir()) == []  # and its segments are gone from the scratch folder


def test_twenty_streams_at_once_against_a_limit_of_four_refuse_the_extra_sixteen_cleanly(api):
    async def run() -> tuple[list[str | None], list[tuple[str, int]], int]:
        async def one():
            ws = await connect(ws_url(api), additional_headers=BEARER)
            return ws, json.loads(await ws.recv())
        opened = await asyncio.gather(*(one() for _ in range(20)))
        kept = [ws for ws, first in opened if first["type"] == "session.ready"]
        refused = []
        for ws, first in opened:
            if first["type"] == "error":
                with pytest.raises(ConnectionClosed):
                    await ws.recv()
                refused.append((first["data"]["code"], ws.close_code))
        status = httpx.get(f"{api.base_url}/v1/status", headers=BEARER).json()
        for ws in kept:
            await ws.close()
        return [ws.subprotocol for ws in kept], refused, status["streams"]
    kept, refused, streams = asyncio.run(run())
    assert len(kept) == 4 and streams == 4
    assert refused == [("too_many_streams", 1013)] * 16  # RFC 6455: try again later
    idle(api)


def test_the_queue_to_a_client_is_bounded_and_overflows_into_a_drop(api):
    """A client that stops reading: its outbox stops growing at the limit and is marked for the
    slow_client drop (a real stalled socket would take megabytes of kernel buffers to show it)."""
    from copilot.serve.connection import Outbox

    async def run() -> tuple[int, bool]:
        outbox = Outbox(limit=5)
        putter = threading.Thread(target=lambda: [outbox.put({"n": n}) for n in range(20)])
        putter.start()
        putter.join()
        await asyncio.wait_for(outbox.overflowed.wait(), 5)
        return outbox.queue.qsize(), outbox.overflowed.is_set()
    assert asyncio.run(run()) == (5, True)


def test_a_limits_file_changes_only_what_it_names_and_a_bad_one_is_named(tmp_path):
    from copilot.errors import CopilotError

    own = tmp_path / "limits.toml"
    own.write_text("[stream]\nmax_streams = 2\n")
    assert load_limits(own) == replace(load_limits(), max_streams=2)
    for text, said in (("[stream]\nmax_stream = 2\n", "unknown setting 'max_stream'"),
                       ("[stream]\nmax_streams = 1.5\n", "max_streams = 1.5 is not a positive whole number"),
                       ("[stream\n", "limits file")):
        own.write_text(text)
        with pytest.raises(CopilotError, match=said):
            load_limits(own)


def test_copilot_serve_prints_its_address_and_a_private_key_and_stays_on_this_machine(tmp_path):
    import subprocess
    import sys

    settings, scratch = tmp_path / "settings", tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "MEETING_COPILOT_SETTINGS_DIR": str(settings), "TMPDIR": str(scratch),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-m", "copilot", "serve", "--port", "0"]
    remote = subprocess.run([*command, "--host", "0.0.0.0"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert remote.returncode == 2 and remote.stderr.count("\n") == 1
    assert "--allow-remote" in remote.stderr
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [server.stdout.readline() for _ in range(4)]
        key_file = settings / "serve-token"
        key = key_file.read_text().strip()
        assert key_file.stat().st_mode & 0o777 == 0o600
        upload = lines[1].split()[-1]
        assert upload.startswith("http://127.0.0.1:") and upload.endswith("/v1/upload/analyze")
        assert lines[2].split()[-1] == upload.replace("http", "ws", 1).replace("upload", "stream")
        assert lines[3].split()[1] == key
        base = upload.removesuffix("/v1/upload/analyze")
        status = httpx.get(f"{base}/v1/status", headers={"Authorization": f"Bearer {key}"})
        assert status.json()["streams"] == 0
        assert httpx.get(f"{base}/v1/status").status_code == 401
        assert list(scratch.glob("copilot-serve-*"))  # where uploads and segments pass through
    finally:
        server.terminate()
        server.wait(30)
    assert server.returncode == 0 and list(scratch.iterdir()) == []  # stopped cleanly, as by Ctrl+C
    again = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert again.stdout.readline() and again.stdout.readline() and again.stdout.readline()
        assert again.stdout.readline().split()[1] == key  # the same key next time
    finally:
        again.terminate()
        again.wait(30)


def test_bench_serve_times_an_upload_and_each_streamed_segment(shared_data):
    from copilot.bench.serve import format_serve, measure_serve

    report = measure_serve([shared_data / UPLOADED])  # 5 s: one whole 3 s segment
    clip = report["clips"]["2.mp4"]
    assert clip["upload_to_response_s"] > 0 and clip["signals_in_response"] > 0
    assert clip["segments"] == 1 and clip["segment_analysed_after_s"]["count"] == 1
    assert clip["upload_cpu_s"] > 0 and clip["stream_cpu_s"] > 0
    assert len(report["load_average_before"]) == 3
    assert "upload to response" in format_serve(report)
