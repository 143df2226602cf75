"""Meeting Copilot engine: Qt-free."""
