"""The report's charts, drawn by matplotlib as inline SVG: plain functions from a session to markup.

Issue 19: the report inlined the whole of Plotly's JavaScript (4.6 MB, 4.9 MB for a 7 s
clip). A report is read, not explored, so static SVG carries what it needs at a few tens
of kilobytes per chart, opens offline as one file and runs no script that could fail.
matplotlib is imported here only, when a report is made, so recording and the app do not
pay for it.
"""

from __future__ import annotations

import io

import numpy as np

from copilot.session.library import SessionData
from copilot.session.schema import SCORE_COLUMNS
from copilot.signals import DEFINITIONS
from copilot.signals.bands import BANDS, percent

COLOUR = {name: d.colour for name, d in DEFINITIONS.items()}  # as in the app
STATE_COLOUR = {"engaged": ("#2ca02c", 0.12), "disengaged": ("#d62728", 0.12)}
# Drawn with every signal that has an event for the participant (the review window uses the same).
SHOWN_AT_FIRST = ("engagement", "interest", "confidence", "confusion", "hesitation", "stress")
WIDTH_IN, HEIGHT_IN = 11.0, 3.2
# A 10-minute session holds 3,000 score rows per person (5 a second); one point a second is finer
# than a 1,000-pixel-wide chart can show and keeps each chart's SVG to tens of kilobytes.
POINTS_PER_S = 1.0


def shown_at_first(data: SessionData, participant: str | None) -> set[str]:
    """The curves drawn: the usual few plus every signal with an event here."""
    events = data.document["signals"]
    return {*SHOWN_AT_FIRST, *(e["type"] for e in events if e["participant"] == participant)}


def _figure(height_in: float = HEIGHT_IN):
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, selectable, searchable
    matplotlib.rcParams["svg.hashsalt"] = "copilot"  # the same session gives the same page
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e3e6ea", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _svg(fig, title: str) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    text = text[text.index("<svg"):]  # no XML prolog or DOCTYPE inside an HTML page
    return text.replace("<svg ", f'<svg role="img" aria-label="{title}" class="chart" ', 1)


def _moments(ax, data: SessionData, participant: str | None = None) -> None:
    """Nudges and markers as vertical lines."""
    for nudge in data.nudges:
        if participant is None or nudge["participant"] in (None, participant, ""):
            ax.axvline(nudge["t"], color="#ff7f0e", linestyle=":", linewidth=1)
    for marker in data.markers:
        ax.axvline(marker["t"], color="#444", linewidth=1)


def _thinned(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    step = max(1, round(len(t) / max(1.0, (t[-1] - t[0]) * POINTS_PER_S))) if len(t) > 1 else 1
    return t[::step], y[::step]


def signal_scores(data: SessionData, participant: str) -> str:
    """The signals of one participant over time, on the engagement state's bands."""
    scores = data.scores[participant]
    shown = shown_at_first(data, participant)
    fig, ax = _figure()
    for span in data.document["engagement_state"]:
        if span["participant"] == participant and span["state"] in STATE_COLOUR:
            colour, alpha = STATE_COLOUR[span["state"]]
            ax.axvspan(span["start"], span["end"], color=colour, alpha=alpha, linewidth=0)
    for k, name in enumerate(SCORE_COLUMNS):
        if name in shown:
            t, y = _thinned(scores.t, scores.scores[:, k])
            ax.plot(t, y, color=COLOUR[name], linewidth=1.4, label=name)
    _moments(ax, data, participant)
    _bands(ax)
    ax.set_ylim(0, 1)
    ax.set_xlabel("seconds")
    ax.set_ylabel("score")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return _svg(fig, f"signals of {participant}")


def _bands(ax) -> None:
    """The y axis in the app's terms (0-100) with a faint line where each band starts, named."""
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{percent(value)}"))
    for band in BANDS[1:]:
        ax.axhline(band.start, color="#9aa0a6", linewidth=0.8, linestyle="--", zorder=0)
        ax.text(0.005, band.start, f" {band.word}", transform=ax.get_yaxis_transform(), fontsize=7,
                color="#6b7280", va="bottom")


def signal_events(data: SessionData) -> str:
    """Every signal event as a bar on its person's and signal's row."""
    events = data.document["signals"]
    rows = sorted({(e["participant"], e["type"]) for e in events})
    fig, ax = _figure(max(1.2, 0.6 + 0.28 * len(rows)))
    for row, (who, name) in enumerate(rows):
        mine = [e for e in events if (e["participant"], e["type"]) == (who, name)]
        ax.barh([row] * len(mine), [max(e["end"] - e["start"], 0.1) for e in mine],
                left=[e["start"] for e in mine], color=COLOUR[name], height=0.6)
    _moments(ax, data)
    ax.set_yticks(range(len(rows)), [f"{who} {name}" for who, name in rows], fontsize=8)
    ax.set_xlim(0, max(float(data.document["meta"].get("duration", 0.0)), 1.0))
    ax.set_xlabel("seconds")
    return _svg(fig, "signal events")


def quality_over_time(data: SessionData) -> str:
    periods = data.document["conversation_quality"]["timeline"]
    fig, ax = _figure()
    if periods:
        x = [p["start"] for p in periods] + [periods[-1]["end"]]
        for name in periods[0]["values"]:
            y = [p["values"][name] for p in periods]
            ax.step(x, [*y, y[-1]], where="post", label=name.replace("_", " "),
                    linewidth=2.6 if name == "quality_index" else 1.2)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.axhline(50, color="#999", linewidth=0.8, linestyle="--")
    _moments(ax, data)
    ax.set_ylim(0, 100)
    ax.set_xlabel("seconds")
    ax.set_ylabel("0-100 (50: no evidence)")
    return _svg(fig, "conversation quality per period")


def speaking_over_time(data: SessionData) -> str:
    """Practice: the pace of each utterance, with fillers and pauses on the same time axis."""
    fig, ax = _figure()
    utterances = [e for e in data.cue_events if e["kind"] == "utterance"]
    for channel in sorted({e["who"] for e in utterances}):
        mine = [e for e in utterances if e["who"] == channel]
        ax.plot([(e["start"] + e["end"]) / 2 for e in mine], [e.get("speaking_rate_syl_s", 0) for e in mine],
                marker="o", markersize=3, linewidth=1, label=f"pace ({channel})")
    for kind, symbol, colour in (("filled_pause", "x", "#d62728"), ("pause", "|", "#7f7f7f")):
        marks = [e for e in data.cue_events if e["kind"] == kind]
        if marks:
            ax.scatter([e["start"] for e in marks], [0.2] * len(marks), marker=symbol, color=colour,
                       label=kind.replace("_", " "))
    if utterances:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.set_xlabel("seconds")
    ax.set_ylabel("syllables per second")
    return _svg(fig, "speaking pace per utterance")
