"""Per-person conversation measures for the result: talk time and share, turns, interruptions,
longest monologue and response latency, from the voice events given to each participant.

A turn is a stretch in which one voice held the floor (copilot/voice/conversation.py), so the
longest monologue is the longest turn; a response's latency is the gap between the previous
turn's end and this person's start (negative when they started before it ended). Listener
backchannels ("mm-hm") take no turn and count neither as talk turns nor interruptions.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class PersonTalk:
    talk_s: float = 0.0
    turns: int = 0
    interruptions: int = 0  # times this person cut in and kept talking
    interrupted: int = 0  # times someone cut in on this person
    longest_monologue_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    voices: set[str] = field(default_factory=set)


class TalkLedger:
    def __init__(self) -> None:
        self.people: dict[str, PersonTalk] = defaultdict(PersonTalk)

    def add(self, participant: str, event, interrupted: str | None = None) -> None:
        """`event` is a voice event given to `participant`; for an interruption, `interrupted`
        is the participant who was talking."""
        person = self.people[participant]
        person.voices.add(event.channel)
        if event.kind == "utterance":
            person.talk_s += event.end - event.start
        elif event.kind == "turn":
            person.turns += 1
            person.longest_monologue_s = max(person.longest_monologue_s, event.end - event.start)
        elif event.kind == "interruption":
            person.interruptions += 1
            if interrupted is not None:
                self.people[interrupted].interrupted += 1
        elif event.kind == "response":
            person.latencies_s.append(float(event.details["latency_s"]))

    def summary(self) -> list[dict[str, object]]:
        """One row per participant who talked, most talk first."""
        total = sum(p.talk_s for p in self.people.values())
        rows = []
        for pid, p in sorted(self.people.items(), key=lambda kv: (-kv[1].talk_s, kv[0])):
            if p.talk_s <= 0:
                continue
            rows.append({
                "participant": pid, "voices": sorted(p.voices), "talk_s": round(p.talk_s, 2),
                "talk_share": round(p.talk_s / total, 3), "turns": p.turns,
                "interruptions": p.interruptions, "interrupted": p.interrupted,
                "longest_monologue_s": round(p.longest_monologue_s, 2),
                "responses": len(p.latencies_s),
                "response_latency_s": round(statistics.median(p.latencies_s), 3) if p.latencies_s else None,
            })
        return rows
