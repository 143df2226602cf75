"""The report's Plotly figures; plain functions from a loaded session to a Figure.

Plotly is imported here only, when a report is made, so recording and the app do not
pay for it.
"""

from __future__ import annotations

from copilot.session.library import SessionData
from copilot.session.schema import SCORE_COLUMNS
from copilot.signals import DEFINITIONS

COLOUR = {name: d.colour for name, d in DEFINITIONS.items()}  # as in the app
STATE_COLOUR = {"engaged": "rgba(44,160,44,0.12)", "disengaged": "rgba(214,39,40,0.12)"}
# Drawn when the page opens, with every signal that has an event for the participant; the
# rest are a click on their name away.
SHOWN_AT_FIRST = ("engagement", "interest", "confidence", "confusion", "hesitation", "stress")
HEIGHT_PX = 360


def shown_at_first(data: SessionData, participant: str | None) -> set[str]:
    """The curves drawn when a chart opens: the usual few plus every signal with an event here."""
    events = data.document["signals"]
    return {*SHOWN_AT_FIRST, *(e["type"] for e in events if e["participant"] == participant)}


def _layout(fig, title: str, y_title: str, *, y_range=None) -> None:
    fig.update_layout(title=title, height=HEIGHT_PX, margin={"l": 55, "r": 20, "t": 45, "b": 40},
                      template="plotly_white", hovermode="x unified",
                      legend={"orientation": "h", "y": -0.18}, xaxis_title="seconds",
                      yaxis_title=y_title)
    if y_range is not None:
        fig.update_yaxes(range=y_range)


def _moments(fig, data: SessionData, participant: str | None = None) -> None:
    """Nudges and markers as vertical lines with a label."""
    for nudge in data.nudges:
        if participant is None or nudge["participant"] in (None, participant, ""):
            fig.add_vline(x=nudge["t"], line={"color": "#ff7f0e", "dash": "dot", "width": 1},
                          annotation_text="nudge", annotation_position="top left")
    for marker in data.markers:
        fig.add_vline(x=marker["t"], line={"color": "#444", "width": 1},
                      annotation_text=marker["label"] or "marker", annotation_position="top right")


def signal_scores(data: SessionData, participant: str):
    """The twelve scores of one participant over time, on the engagement state's bands."""
    import plotly.graph_objects as go

    scores = data.scores[participant]
    shown = shown_at_first(data, participant)
    fig = go.Figure()
    for k, name in enumerate(SCORE_COLUMNS):
        fig.add_trace(go.Scatter(x=scores.t, y=scores.scores[:, k], name=name, mode="lines",
                                 line={"color": COLOUR[name], "width": 1.6},
                                 visible=True if name in shown else "legendonly"))
    for span in data.document["engagement_state"]:
        if span["participant"] == participant and span["state"] in STATE_COLOUR:
            fig.add_vrect(x0=span["start"], x1=span["end"], fillcolor=STATE_COLOUR[span["state"]],
                          line_width=0, layer="below")
    _moments(fig, data, participant)
    _layout(fig, f"Signals of {participant} (green: engaged, red: disengaged; click a name to show it)",
            "score", y_range=[0, 1])
    return fig


def signal_events(data: SessionData):
    """Every signal event as a bar on its signal's row; hover gives the rationale."""
    import plotly.graph_objects as go

    fig = go.Figure()
    events = data.document["signals"]
    for name in SCORE_COLUMNS:
        mine = [e for e in events if e["type"] == name]
        if not mine:
            continue
        fig.add_trace(go.Bar(
            y=[f"{e['participant']} {name}" for e in mine], x=[max(e["end"] - e["start"], 0.1) for e in mine],
            base=[e["start"] for e in mine], orientation="h", name=name, marker_color=COLOUR[name],
            customdata=[[e["probability"], e["rationale"], e["peak"]] for e in mine],
            hovertemplate="%{y}: %{base:.1f}-%{x:.1f} s<br>%{customdata[0]} (peak %{customdata[2]})"
                          "<br>%{customdata[1]}<extra></extra>"))
    _moments(fig, data)
    _layout(fig, "Signal events (hover for the reason)", "")
    rows = len({(e["participant"], e["type"]) for e in events})
    fig.update_layout(hovermode="closest", showlegend=False, height=max(HEIGHT_PX // 2, 90 + 28 * rows))
    return fig


def quality_over_time(data: SessionData):
    import plotly.graph_objects as go

    periods = data.document["conversation_quality"]["timeline"]
    fig = go.Figure()
    if periods:
        x = [p["start"] for p in periods] + [periods[-1]["end"]]
        for name in periods[0]["values"]:
            y = [p["values"][name] for p in periods]
            fig.add_trace(go.Scatter(x=x, y=[*y, y[-1]], name=name.replace("_", " "), mode="lines",
                                     line_shape="hv",
                                     line={"width": 3 if name == "quality_index" else 1.5}))
    _moments(fig, data)
    _layout(fig, "Conversation quality per period (50 = no evidence either way)", "0-100", y_range=[0, 100])
    return fig


def speaking_over_time(data: SessionData):
    """Practice: the pace of each utterance, with fillers and pauses on the same time axis."""
    import plotly.graph_objects as go

    fig = go.Figure()
    utterances = [e for e in data.cue_events if e["kind"] == "utterance"]
    for channel in sorted({e["who"] for e in utterances}):
        mine = [e for e in utterances if e["who"] == channel]
        fig.add_trace(go.Scatter(x=[(e["start"] + e["end"]) / 2 for e in mine],
                                 y=[e.get("speaking_rate_syl_s", 0) for e in mine], mode="markers+lines",
                                 name=f"pace ({channel})", line={"width": 1}))
    for kind, symbol, colour in (("filled_pause", "x", "#d62728"), ("pause", "line-ns-open", "#7f7f7f")):
        marks = [e for e in data.cue_events if e["kind"] == kind]
        if marks:
            fig.add_trace(go.Scatter(x=[e["start"] for e in marks], y=[0.2] * len(marks), mode="markers",
                                     name=kind.replace("_", " "), marker={"symbol": symbol, "size": 11,
                                                                          "color": colour}))
    _layout(fig, "Speaking pace per utterance, fillers and pauses", "syllables per second")
    return fig
