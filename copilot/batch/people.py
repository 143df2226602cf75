"""Whose calls they are: the team file that gives each recording a person's name.

    # team.toml
    [people]
    "alice/*" = "Alice Martin"      # every recording in her folder
    "*-bob-*" = "Bob Stone"         # recordings named after him, wherever they are

Each key is a pattern over a recording's name in the batch (its path under the folder
named on the command line, with / between folders; `*` matches anything, / included,
`?` one character); the first pattern that matches names the person. A recording that
no pattern matches is listed under its own name, so without a team file each call is
its own row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from copilot.errors import CopilotError
from copilot.shipped.resources import read_toml


@dataclass(frozen=True)
class Team:
    patterns: dict[str, str] = field(default_factory=dict)  # pattern -> person, in the file's order

    def person(self, name: str) -> str:
        return next((who for pattern, who in self.patterns.items() if fnmatchcase(name, pattern)), name)


def load_team(path: Path | None) -> Team:
    if path is None:
        return Team()
    try:
        data = read_toml(path, "the team file")
    except RuntimeError as exc:  # its message names the file, and the line for a syntax error
        raise CopilotError(str(exc)) from None
    people = data.get("people")
    if not isinstance(people, dict) or not all(isinstance(v, str) and v.strip() for v in people.values()):
        raise CopilotError(f"the team file {path}: needs a [people] table of \"pattern\" = \"name\" lines")
    return Team({pattern: who.strip() for pattern, who in people.items()})
