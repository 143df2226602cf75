"""Nudge rules: read from a readable TOML file, checked, with the line of any mistake.

A user's own rules file that does not parse must not leave the user without nudges:
`load_rules` falls back to the shipped defaults and says what was wrong and where.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from copilot.signals import SIGNALS

DEFAULT_RULES_PATH = Path(__file__).with_name("nudges.toml")
MODES = ("presenter", "sales", "practice")
WHOM = ("room", "any", "you", "them")
MEASURES = ("speaking_rate", "fillers_per_min", "camera_gaze", "talk_share")
RENAMED = {"eye_contact": "camera_gaze"}  # old measure name -> new, for a user's own rules file
# How each measure's value reads to the user, beside a nudge it raised (nudges.toml says what each counts).
MEASURE_READINGS = {"speaking_rate": "{:.0f} words a minute",
                    "fillers_per_min": "{:.1f} fillers a minute",
                    "camera_gaze": "looking into the camera {:.0%} of the time",
                    "talk_share": "{:.0%} of the talk"}
REQUIRED = {"id": str, "mode": str, "signal": str, "whom": str, "threshold": (int, float),
            "duration_s": (int, float), "cooldown_s": (int, float), "message": str}
SWITCHES = ("below", "enabled")  # optional, true or false (a quoted "false" would read as true)


class RulesError(ValueError):
    """A rules file that cannot be read, does not parse or names something unknown."""


@dataclass(frozen=True, slots=True)
class NudgeRule:
    id: str
    mode: str
    signal: str  # a signal name or one of MEASURES
    whom: str
    threshold: float
    duration_s: float
    cooldown_s: float
    message: str
    below: bool = False  # fire when the value is at or under the threshold
    enabled: bool = True

    def holds(self, value: float) -> bool:
        return value <= self.threshold if self.below else value >= self.threshold


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[NudgeRule, ...]
    source: Path
    problem: str | None = None  # why a user file was not used, naming the file and line

    def for_mode(self, mode: str) -> tuple[NudgeRule, ...]:
        return tuple(r for r in self.rules if r.mode == mode and r.enabled)


def parse_rules(text: str, source: Path) -> tuple[NudgeRule, ...]:
    """The rules in `text`; RulesError names `source` and the line of the first mistake."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: {exc}") from exc  # the message carries "(at line N, column M)"
    headers = [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[rule\]\]", line)]
    stray = sorted(set(raw) - {"rule"})
    if stray:  # e.g. [[rules]]: silently, the file would hold no rules at all
        raise RulesError(f"{source}: unknown table or key {stray[0]!r}; each rule goes under a "
                         "[[rule]] header")
    entries = raw.get("rule", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise RulesError(f"{source}: each rule is a table under its own [[rule]] header "
                         "(two brackets), with id, mode, signal, threshold and the rest as keys")
    rules, seen = [], set()
    for k, entry in enumerate(entries):
        where = f"{source}, line {headers[k] if k < len(headers) else '?'}"
        for key, kind in REQUIRED.items():
            if not isinstance(entry.get(key), kind) or isinstance(entry.get(key), bool):
                raise RulesError(f"{where}: the rule needs `{key}`")
        unknown = set(entry) - set(NudgeRule.__dataclass_fields__)
        if unknown:
            raise RulesError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        for key in SWITCHES:
            if key in entry and not isinstance(entry[key], bool):
                raise RulesError(f"{where}: `{key}` is true or false (no quotes), not {entry[key]!r}")
        numbers = {k: float(entry[k]) for k in ("threshold", "duration_s", "cooldown_s")}
        for key, value in numbers.items():
            if not math.isfinite(value) or (key != "threshold" and value < 0):
                raise RulesError(f"{where}: `{key}` must be a "
                                 f"{'number' if key == 'threshold' else 'number of seconds, 0 or more'}, "
                                 f"not {entry[key]!r}")
        if not entry["message"].strip():
            raise RulesError(f"{where}: the rule's `message` is empty; it is what the nudge says")
        rule = NudgeRule(**{**entry, **numbers})
        if rule.mode not in MODES:
            raise RulesError(f"{where}: mode {rule.mode!r} is not one of {', '.join(MODES)}")
        if rule.whom not in WHOM:
            raise RulesError(f"{where}: whom {rule.whom!r} is not one of {', '.join(WHOM)}")
        if rule.signal in RENAMED:
            raise RulesError(f"{where}: the measure {rule.signal!r} is now called {RENAMED[rule.signal]!r}")
        if rule.signal not in SIGNALS and rule.signal not in MEASURES:
            raise RulesError(f"{where}: {rule.signal!r} is neither a signal nor a measure")
        if rule.id in seen:
            raise RulesError(f"{where}: a second rule is called {rule.id!r}")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def load_rules(path: Path | None = None, overrides: dict[str, dict] | None = None) -> RuleSet:
    """The user's rules at `path` if given and valid, else the shipped ones; then `overrides`
    (rule id -> {"enabled": bool, "threshold": float}) from the settings."""
    problem = None
    source = DEFAULT_RULES_PATH
    rules: tuple[NudgeRule, ...] | None = None
    if path is not None:
        try:
            rules, source = parse_rules(Path(path).read_text(encoding="utf-8"), Path(path)), Path(path)
        except (OSError, UnicodeDecodeError, RulesError, TypeError) as exc:
            problem = f"{exc} — using the default nudges"
    if rules is None:
        rules = parse_rules(DEFAULT_RULES_PATH.read_text(encoding="utf-8"), DEFAULT_RULES_PATH)
    rules, bad = apply_overrides(rules, overrides or {})
    problem = "; ".join([*([problem] if problem else []), *bad]) or None
    return RuleSet(rules, source, problem)


def apply_overrides(rules: tuple[NudgeRule, ...], overrides: dict[str, dict]
                    ) -> tuple[tuple[NudgeRule, ...], list[str]]:
    """The rules with the settings' changes; a change that is not {"enabled": bool, "threshold":
    number} is left out and named, so one bad entry does not cost the others."""
    out, bad = [], []
    for rule in rules:
        given = overrides.get(rule.id, {})
        change = given if isinstance(given, dict) else {"enabled": None}
        enabled, threshold = change.get("enabled", rule.enabled), change.get("threshold", rule.threshold)
        number = isinstance(threshold, int | float) and not isinstance(threshold, bool)
        if not isinstance(enabled, bool) or not number:
            bad.append(f"the settings' change to nudge {rule.id!r} is not valid ({given!r}); "
                       "left as shipped")
            out.append(rule)
            continue
        out.append(replace(rule, enabled=enabled, threshold=float(threshold)))
    return tuple(out), bad
