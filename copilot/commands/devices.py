"""`copilot devices`: what this machine can capture from, said plainly when there is nothing."""

from __future__ import annotations

import argparse
import dataclasses
import json

from copilot.capture.devices import format_report, list_devices


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "devices", help="list cameras, screens, microphones and system-audio inputs",
        description="List the cameras, screens, audio inputs and loopback (system-audio) "
                    "devices this machine offers, and why a kind is missing.")
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    report = list_devices()
    print(json.dumps(dataclasses.asdict(report), indent=2) if args.json else format_report(report))
    return 0
