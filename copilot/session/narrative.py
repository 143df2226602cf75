"""The report's words: a summary a presenter or sales rep reads in a minute, and what each score means.

Issue 19: the report opened with charts and unexplained 0-100 numbers. Everything said
here is counted from the session's own record (engagement spans, events, quality); the
advice for next time is keyed to the weakest quality dimension and to the signals that
actually fired, never to a signal that had no event.
"""

from __future__ import annotations

from dataclasses import dataclass

from copilot.session.library import SessionData
from copilot.session.summaries import participant_summaries
from copilot.signals.measures import asks  # what each dimension asks: measures.toml, as the app shows it
from copilot.signals.quality import DIMENSIONS, NO_EVIDENCE

# One thing to try next time when a dimension came out below "no evidence either way".
ADVICE = {
    "clarity": "pause after each main point and ask what is unclear",
    "authority": "speak a little slower and end sentences on a falling tone, not a rising one",
    "energy": "change the pace: ask a direct question or show something new",
    "rapport": "ask for their view before giving yours, and acknowledge objections",
    "learning": "check understanding with a question before moving on",
}
# Signals whose events call for a specific step, whoever showed them.
EVENT_ADVICE = {
    "confusion": "go back over the moment confusion showed ({when}) with an example",
    "skepticism": "answer the doubt seen at {when} with evidence, not more claims",
    "disagreement": "ask about the disagreement at {when} instead of talking past it",
    "disengagement": "re-engage around {when}: that is where disengagement showed",
    "hesitation": "leave room after questions: hesitation showed at {when}",
}


def clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


@dataclass(frozen=True, slots=True)
class Drop:
    participant: str
    start: float
    end: float


def attention_drops(data: SessionData) -> list[Drop]:
    """Disengaged stretches, longest first."""
    spans = [Drop(s["participant"], s["start"], s["end"]) for s in data.document["engagement_state"]
             if s["state"] == "disengaged"]
    return sorted(spans, key=lambda d: d.start - d.end)


def score_sentence(name: str, value: int, plus: list[str], minus: list[str]) -> str:
    """What one 0-100 number says, from the signals that make it (weights.toml [quality.*])."""
    label = name.replace("_", " ")
    if name == "quality_index":
        return f"Quality index {value}: the mean of the five scores below; 50 means no evidence either way."
    if value == NO_EVIDENCE:
        lean = "the signals for and against it balanced, or there was no evidence either way"
    elif value > NO_EVIDENCE:
        lean = f"{_words(plus)} showed more than {_words(minus)}"
    else:
        lean = f"{_words(minus)} showed more than {_words(plus)}"
    return f"{label.capitalize()} {value} ({asks()[name]}?): {lean}."


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def score_sentences(data: SessionData) -> list[str]:
    from copilot.signals.config import SIGNALS, load_model

    quality = load_model().quality  # "clarity.plus" -> indexes of the signals that raise clarity
    overall = data.document["conversation_quality"]["overall"]
    said = []
    for name, value in overall.items():
        plus, minus = ([SIGNALS[k] for k in quality.get(f"{name}.{side}", ())] for side in ("plus", "minus"))
        said.append(score_sentence(name, int(value), plus, minus))
    return said


def summary(data: SessionData) -> list[str]:
    """Three short paragraphs: who was engaged, where attention dropped, what to do next time."""
    people = participant_summaries(data)
    if not people:
        return ["Nobody was seen or heard, so there is nothing to summarise."]
    engaged = []
    for s in people:
        share = s.state_share
        if not share:
            engaged.append(f"{s.participant} was present for too short a time to judge.")
            continue
        parts = [f"engaged {share.get('engaged', 0) * 100:.0f}% of the time"]
        if share.get("disengaged", 0) > 0:
            parts.append(f"disengaged {share['disengaged'] * 100:.0f}%")
        parts.append("neutral the rest" if share.get("neutral", 0) > 0 else "never neutral")
        fired = ", ".join(f"{n} ({k}×)" for n, k in sorted(s.events.items(), key=lambda kv: -kv[1])[:3])
        shown = f"; most often showed {fired}" if fired else "; no signal held long enough to count"
        engaged.append(f"{s.participant} ({'heard' if s.by == 'voice' else 'seen'}) was "
                       + ", ".join(parts) + shown + ".")
    drops = attention_drops(data)
    if drops:
        listed = "; ".join(f"{d.participant} at {clock(d.start)}–{clock(d.end)}" for d in drops[:3])
        times = f"{len(drops)} time{'s' if len(drops) > 1 else ''}"
        attention = f"Attention dropped {times}, longest first: {listed}."
    else:
        attention = "Attention never dropped into the disengaged state." + _brief_disengagement(data)
    return [" ".join(engaged) + " " + _engaged_means(), attention,
            "Next time: " + "; ".join(next_steps(data)) + "."]


def _brief_disengagement(data: SessionData) -> str:
    """Disengagement events that did not last long enough to turn the state: said here too, so
    the paragraph does not read as "attention never dropped" beside a disengagement moment."""
    shown = sorted((e for e in data.document["signals"] if e["type"] == "disengagement"),
                   key=lambda e: e["start"])
    if not shown:
        return ""
    listed = "; ".join(f"{e['participant']} at {clock(e['start'])}–{clock(e['end'])}" for e in shown[:3])
    more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
    times = "once" if len(shown) == 1 else f"{len(shown)} times"
    return f" Disengagement showed {times} without lasting long enough for that: {listed}{more}."


def _engaged_means() -> str:
    """What "engaged" counts, so that an engagement event beside "engaged 0%" reads as it is: an
    event can peak at medium for less time than the state needs to turn."""
    from copilot.signals.bands import EDGES, percent
    from copilot.signals.config import load_model

    dwell = load_model().engagement["dwell_s"]
    return (f"(Engaged: engagement at {percent(EDGES['medium']):.0f} or more, and above disengagement, "
            f"held for {dwell:g} s or longer.)")


def next_steps(data: SessionData) -> list[str]:
    """At most three: the weakest dimension's advice, then the first events that ask for a step."""
    overall = data.document["conversation_quality"]["overall"]
    steps = []
    weak = sorted((v, k) for k, v in overall.items() if k in DIMENSIONS and v < NO_EVIDENCE)
    if weak:
        steps.append(f"{ADVICE[weak[0][1]]} ({weak[0][1]} was {weak[0][0]})")
    for event in sorted(data.document["signals"], key=lambda e: e["start"]):
        template = EVENT_ADVICE.get(event["type"])
        step = template.format(when=clock(event["start"])) if template else None
        if step and not any(s.split(" ")[0:3] == step.split(" ")[0:3] for s in steps):
            steps.append(step)
        if len(steps) == 3:
            break
    if not steps:
        best = max((k for k in overall if k in DIMENSIONS), key=lambda k: overall[k], default=None)
        kept = f": {best} was the strongest score ({overall[best]})" if best else ""
        steps.append("keep what worked" + kept)
    return steps
