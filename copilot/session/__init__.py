"""Sessions: recording to SQLite, export (JSON/CSV), the HTML report. Qt-free.

Import the modules directly (`copilot.session.recorder`, `.store`, ...); this package's
import stays light so the app can name it without loading numpy or matplotlib.
"""
