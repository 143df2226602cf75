"""`python -m tests.scenarios.synth OUT_DIR [NAME ...]`: render the scenarios and their labels."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .render import generate
from .scenarios import SCENARIOS, by_name


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.scenarios.synth", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="where the clips and labels files go (a cache folder)")
    names = ", ".join(s.name for s in SCENARIOS)
    parser.add_argument("names", nargs="*", help=f"only these scenarios: {names}")
    args = parser.parse_args()
    chosen = tuple(by_name(name) for name in args.names) if args.names else SCENARIOS
    began = time.monotonic()
    for labels in generate(args.out_dir, chosen):
        print(labels)
    print(f"{len(chosen)} scenario(s) in {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
