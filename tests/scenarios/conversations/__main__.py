"""`python -m tests.scenarios.conversations OUT_DIR`: render the conversations and their RTTM files."""

from __future__ import annotations

import argparse
from pathlib import Path

from copilot.evaluation.labels import shared_data_dir

from .render import CONVERSATIONS, write


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.scenarios.conversations", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="where the WAV and RTTM files go (a cache folder)")
    args = parser.parse_args()
    for path in write(args.out_dir, shared_data_dir()):
        print(path)
    print(f"{len(CONVERSATIONS)} conversation(s)")


if __name__ == "__main__":
    main()
