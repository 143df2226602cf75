"""Plays one file in the main window, offscreen, to its end; prints every banner message as JSON.

For the tests that need the app in a process of its own: without privileges (so that file
modes apply) or on a small disk (tests/faults.py). Settings and the database come from
the environment, as in the app.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from ui.banner import Banner
from ui.main_window import MainWindow
from ui.settings import redirect_settings_from_env

LONGEST_S = 120.0


def main(source: str) -> int:
    redirect_settings_from_env()
    app = QApplication(sys.argv[:1])
    said: list[str] = []
    show = Banner.show_message

    def shown(banner: Banner, message: str, kind: str = "error") -> None:
        said.append(message)
        show(banner, message, kind)
    Banner.show_message = shown
    window = MainWindow()
    window.show()
    window.open_choice(source)
    deadline = time.monotonic() + LONGEST_S
    while window.session.engine is not None and time.monotonic() < deadline:
        app.processEvents()  # the stats timer notices the end, closes the recording and says
        time.sleep(0.02)  # what it could not keep
    window.close()
    print(json.dumps(said))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
