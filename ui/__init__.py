"""Meeting Copilot desktop app (PySide6)."""
