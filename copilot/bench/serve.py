"""`copilot bench --serve`: how long the local API takes, measured as a client sees it.

A server runs on a free port of this machine (on a thread of this process, as the tests
run it). For each clip: the time from sending the upload to having the response; then the
clip is cut into 3 s segments and streamed as a live recorder would send them, each when
its 3 s have passed, and for each segment the delay from the moment its last byte was sent
to its first event, to each signal.detected about it, and to its session.updated (all of
it analysed). The machine's load average is reported beside the figures: they mean little
without it, so the CPU time the process used (every thread: server, analysis, client) is
reported too: it depends little on what else runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from copilot.errors import CopilotError

SEGMENT_S = 3.0
KEY = "bench-key-of-this-run-only"


def measure_serve(paths: list[Path]) -> dict[str, object]:
    try:
        import httpx
    except ImportError:
        raise CopilotError("copilot bench --serve times uploads with httpx: pip install httpx") from None
    from copilot.engine.analyzers import standard_analyzers
    from copilot.serve.app import create_app
    from copilot.serve.hub import Hub
    from copilot.serve.limits import load_limits
    from copilot.serve.segments import cut_segments
    from copilot.serve.server import LOOPBACK, Server

    for analyzer in standard_analyzers(words=False):  # models load once a process: not in a figure
        analyzer.close()
    limits = load_limits()
    report: dict[str, object] = {"load_average_before": [round(v, 2) for v in os.getloadavg()],
                                 "cores": os.cpu_count(), "clips": {}}
    with tempfile.TemporaryDirectory(prefix="copilot-bench-serve-") as tmp:
        hub = Hub(limits, KEY, Path(tmp))
        server = Server(create_app(hub), LOOPBACK, 0, ws_max_size=limits.read_bytes)
        hub.base_url = server.base_url
        server.start("bench server")
        try:
            for path in paths:
                started, cpu = time.perf_counter(), time.process_time()
                with path.open("rb") as handle:
                    answer = httpx.post(f"{hub.base_url}/v1/upload/analyze", files={"file": handle},
                                        headers={"Authorization": f"Bearer {KEY}"}, timeout=None)
                upload_s, upload_cpu_s = time.perf_counter() - started, time.process_time() - cpu
                if answer.status_code != 200:
                    raise CopilotError(f"{path}: the upload was answered {answer.status_code}: {answer.text}")
                folder = Path(tmp) / f"segments-{path.stem}"
                folder.mkdir()
                segments = [p.read_bytes() for p in cut_segments(path, folder, seconds=SEGMENT_S)]
                cpu = time.process_time()
                timing = asyncio.run(_stream(hub.base_url, segments))
                report["clips"][path.name] = {"upload_to_response_s": round(upload_s, 2),
                                              "upload_cpu_s": round(upload_cpu_s, 2),
                                              "signals_in_response": len(answer.json()["signals"]),
                                              **_summary(timing, len(segments)),
                                              "stream_cpu_s": round(time.process_time() - cpu, 2)}
        finally:
            server.stop()
    report["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    return report


async def _stream(base_url: str, segments: list[bytes]) -> dict[str, list[float]]:
    """Sends the segments paced as they would be recorded; the delays of what came back."""
    from websockets.asyncio.client import connect

    sent: dict[int, float] = {}
    delays: dict[str, list[float]] = {"first": [], "signal": [], "analysed": []}
    firsts: set[int] = set()
    url = base_url.replace("http", "ws", 1) + "/v1/stream/analyze"
    async with connect(url, additional_headers={"Authorization": f"Bearer {KEY}"}, max_size=None) as ws:
        async def send() -> None:
            start = time.perf_counter()
            for number, segment in enumerate(segments, 1):
                await asyncio.sleep(max(0.0, start + number * SEGMENT_S - time.perf_counter()))
                await ws.send(segment)
                sent[number] = time.perf_counter()

        sending = asyncio.create_task(send())
        async for message in ws:
            now, event = time.perf_counter(), json.loads(message)
            number = event["data"].get("segment")
            if number not in sent:
                continue
            if number not in firsts and event["type"] != "session.updated":
                firsts.add(number)
                delays["first"].append(now - sent[number])
            if event["type"] == "signal.detected":
                delays["signal"] += [now - sent[number]] * len(event["data"]["signals"])
            if event["type"] == "session.updated":
                delays["analysed"].append(now - sent[number])
                if number == len(segments):
                    break
        await sending
    return delays


def _summary(delays: dict[str, list[float]], segments: int) -> dict[str, object]:
    def spread(values: list[float]) -> dict[str, float] | None:
        if not values:
            return None
        return {"median": round(statistics.median(values), 2), "max": round(max(values), 2),
                "count": len(values)}
    return {"segments": segments, "segment_s": SEGMENT_S,
            "first_event_after_segment_s": spread(delays["first"]),
            "signal_detected_after_segment_s": spread(delays["signal"]),
            "segment_analysed_after_s": spread(delays["analysed"])}


def format_serve(report: dict[str, object]) -> str:
    lines = [f"local API on {report['cores']} cores, load average {report['load_average_before']} before, "
             f"{report['load_average_after']} after"]
    for name, clip in report["clips"].items():
        lines.append(f"\n{name}: upload to response {clip['upload_to_response_s']:.2f} s "
                     f"({clip['signals_in_response']} signal events; {clip['upload_cpu_s']:.1f} s of CPU)")
        lines.append(f"  streamed as {clip['segments']} segments of {clip['segment_s']:g} s, each sent when "
                     "recorded; delay after a segment's last byte:")
        for key, label in (("first_event_after_segment_s", "first event about it"),
                           ("signal_detected_after_segment_s", "each signal.detected"),
                           ("segment_analysed_after_s", "all of it analysed")):
            got = clip[key]
            said = f"median {got['median']:.2f} s, max {got['max']:.2f} s ({got['count']})" if got else "none"
            lines.append(f"    {label:<24}{said}")
        lines.append(f"  the stream used {clip['stream_cpu_s']:.1f} s of CPU")
    return "\n".join(lines)
