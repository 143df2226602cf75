"""A scenario's script (head moves and spoken lines at set times) and the labels it implies.

The labels are derived from the script by fixed rules, so they are exact: nods are
agreement, shakes disagreement, backchannels agreement, fillers and the silences
around them before an answer hesitation, looking away / down or leaving the picture
disengagement; nodding and fluent answers to the camera engagement. Still stretches
and fluent answers are the negatives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCRIPTED = ("agreement", "disagreement", "disengagement", "hesitation")  # fully known from the script
FACING = ("still", "nod", "shake", "glance")  # head moves that keep the face toward the camera
AWAY = ("away", "down", "leave")


@dataclass(frozen=True)
class Move:
    """What the head does from `start` to `end` (seconds)."""

    kind: str  # still | nod | shake | glance (one slow turn and back) | away | down | leave
    start: float
    end: float
    amplitude_deg: float = 0.0
    hz: float = 0.0


@dataclass(frozen=True)
class Line:
    """One utterance, spoken from `start`; how long it lasts is known once it is synthesised."""

    kind: str  # answer (fluent) | hedged (tentative) | filler | backchannel
    start: float
    text: str
    speed_wpm: int = 160


@dataclass(frozen=True)
class Scenario:
    name: str
    duration_s: float
    notes: str
    moves: tuple[Move, ...]
    lines: tuple[Line, ...] = ()
    nothing_happens: bool = False  # a neutral negative: no signal may fire anywhere


@dataclass(frozen=True)
class Label:
    signal: str
    start: float
    end: float
    why: str


@dataclass
class Labels:
    expect: list[Label] = field(default_factory=list)
    absent: list[Label] = field(default_factory=list)
    complete: tuple[str, ...] = SCRIPTED


def move_at(scenario: Scenario, t: float) -> Move:
    for move in scenario.moves:
        if move.start <= t < move.end:
            return move
    return scenario.moves[-1]


def derive_labels(scenario: Scenario, line_ends: list[float]) -> Labels:
    """The labels implied by the script; `line_ends[k]` is when line k stops sounding."""
    labels = Labels()
    expect, absent = labels.expect.append, labels.absent.append
    for m in scenario.moves:
        s, e = m.start, m.end
        if m.kind == "nod":
            expect(Label("agreement", s, e, f"nods ({m.amplitude_deg:g}° pitch at {m.hz:g} Hz)"))
            expect(Label("engagement", s, e, "nods along while facing the camera"))
            absent(Label("disagreement", s, e, "nodding, not shaking"))
        elif m.kind == "shake":
            expect(Label("disagreement", s, e, f"shakes the head ({m.amplitude_deg:g}° yaw at {m.hz:g} Hz)"))
            absent(Label("agreement", s, e, "shaking, not nodding"))
        elif m.kind in ("still", "glance"):
            what = "a still head" if m.kind == "still" else f"one slow {m.amplitude_deg:g}° turn and back"
            absent(Label("agreement", s, e, f"{what}: no nod"))
            absent(Label("disagreement", s, e, f"{what}: no shake"))
        if m.kind in FACING:
            absent(Label("disengagement", s, e, "faces the camera"))
        else:
            doing = {"away": "turns the head away", "down": "looks down",
                     "leave": "leaves the picture"}[m.kind]
            expect(Label("disengagement", s, e, doing))
            absent(Label("engagement", s, e, doing))
    fillers: list[int] = []
    for k, line in enumerate(scenario.lines):
        end = line_ends[k]
        if line.kind == "backchannel":
            expect(Label("agreement", line.start, end, f'backchannel "{line.text}"'))
        elif line.kind == "filler":
            fillers.append(k)
            continue
        elif line.kind == "answer":
            absent(Label("hesitation", line.start, end, "a fluent answer without pauses or fillers"))
            if move_at(scenario, line.start).kind in FACING:
                expect(Label("engagement", line.start, end, "answers fluently, facing the camera"))
        if fillers and line.kind in ("answer", "hedged"):
            first = scenario.lines[fillers[0]]
            said = ", ".join(f'"{scenario.lines[j].text}"' for j in fillers)
            expect(Label("hesitation", first.start, line.start,
                         f"{said} with long silences before the answer"))
        fillers = []
    if scenario.nothing_happens:
        absent(Label("*", 0.0, scenario.duration_s, "a still face and silence: nothing to read"))
        labels.complete = ("*",)
    return Labels(_merged(labels.expect), _merged(labels.absent), labels.complete)


def _merged(labels: list[Label], gap_s: float = 0.5) -> list[Label]:
    """Joins spans of one signal that touch or nearly touch, keeping the first reason."""
    out: list[Label] = []
    for label in sorted(labels, key=lambda x: (x.signal, x.start)):
        last = out[-1] if out else None
        if last is not None and last.signal == label.signal and label.start <= last.end + gap_s:
            out[-1] = Label(last.signal, last.start, max(last.end, label.end), last.why)
        else:
            out.append(label)
    return out


def labels_toml(scenario: Scenario, clip: str, labels: Labels) -> str:
    """The labels file `copilot eval` reads, written from the script."""
    def block(table: str, label: Label) -> str:
        return (f"\n[[{table}]]\nsignal = {_quoted(label.signal)}\nstart = {label.start:.3f}\n"
                f"end = {label.end:.3f}\nwhy = {_quoted(label.why)}\n")

    head = (f"# Generated by tests/scenarios/synth from the scenario {scenario.name!r}: exact ground truth.\n"
            f"clip = {_quoted(clip)}\nnotes = {_quoted(scenario.notes)}\n"
            f"complete = [{', '.join(_quoted(c) for c in labels.complete)}]\n")
    return head + "".join(block("expect", x) for x in labels.expect) + \
        "".join(block("absent", x) for x in labels.absent)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
