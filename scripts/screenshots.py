"""Saves the README's pictures of the app: the main window on a face clip, on a sound-only file and
with a nudge showing, the overlay, the settings.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--data ../shared/data] [--out docs/screenshots]

Settings and the session database go to a temporary folder, so the pictures are the
same on every machine and nothing of the user's is read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

# picture -> (clip, milliseconds of playing before it is taken)
CLIPS = {"main_window.png": ("reallife_trial_video/trial_truth_001.mp4", 8000),
         "main_window_nodding.png": ("noddingpigeon/head_nodding.mp4", 8000),
         "main_window_sound.png": ("whisper_timestamped/gloria.mp3", 12000),  # no picture: the pane is a line
         # "Look into the camera more" fires about 14 s in (practice mode's camera-gaze rule)
         "main_window_nudge.png": ("reallife_trial_video/trial_truth_043.mp4", 15500)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    here = Path(__file__).resolve().parents[1]
    parser.add_argument("--out", type=Path, default=here / "docs" / "screenshots")
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="copilot-screenshots-"))
    os.environ["COPILOT_DATABASE"] = str(scratch / "sessions.sqlite3")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import redirect_settings

    redirect_settings(scratch)
    app = QApplication(sys.argv[:1])
    options.out.mkdir(parents=True, exist_ok=True)

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    for name, (clip, after_ms) in CLIPS.items():
        window = MainWindow(remember_geometry=False)
        window.show()
        window.open_choice(str(options.data / clip))
        wait(after_ms)
        window.grab().save(str(options.out / name))
        if name == "main_window.png":
            window.toolbar.overlay_action.trigger()
            wait(300)
            window.dashboard.overlay.grab().save(str(options.out / "overlay.png"))
            dialog = window.actions.open_settings()
            wait(300)
            dialog.grab().save(str(options.out / "settings.png"))
            dialog.reject()
        window.close()
    print(f"saved to {options.out}: {', '.join(sorted(p.name for p in options.out.glob('*.png')))}")
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
