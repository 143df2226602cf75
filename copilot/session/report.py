"""The HTML report: one self-contained file (Plotly's JavaScript inlined once) that opens offline.

It reads a recorded session (scores over time, cue events, nudges, markers) or, with
less to show, a result JSON written by `copilot analyze --out`. The page is assembled
with string.Template and html.escape: a handful of sections do not need a template engine.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template

from copilot.errors import CopilotError
from copilot.output import write_atomically
from copilot.session.library import SessionData, SessionInfo
from copilot.session.summaries import participant_summaries, quality_line, speaking_metrics

TOP_MOMENTS = 8
MAX_PARTICIPANT_CHARTS = 6
PAGE = Template((Path(__file__).with_name("report.html")).read_text(encoding="utf-8"))


def session_from_result(path: Path) -> SessionData:
    """A result document alone: events, engagement and quality (and a session's nudges, marks and
    mode when it was exported from one), but no scores over time."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CopilotError(f"{path}: cannot read the result JSON ({exc})") from exc
    parts = {"signals": list, "engagement_state": list, "conversation_quality": dict, "participants": list,
             "meta": dict}
    missing = [name for name, kind in parts.items()
               if not isinstance(document, dict) or not isinstance(document.get(name), kind)]
    if missing:
        raise CopilotError(f"{path}: not a result document of `copilot analyze` "
                           f"(no {', '.join(missing)})")
    meta = document["meta"]
    source = meta.get("source") or {}
    name = source.get("name") or Path(str(source.get("path", path.name))).name
    info = SessionInfo(0, "", None, name, source.get("kind", "file"), source.get("mode", "analyze"),
                       float(meta.get("duration", 0.0)), tuple(p["id"] for p in document["participants"]),
                       False, source.get("path"))
    return SessionData(info, document, nudges=list(document.get("nudges") or []),
                       markers=list(document.get("markers") or []))


def _said(transcript: list[dict] | None) -> str:
    """The transcript as a table; the lexical cues found in a line are named beside it."""
    if transcript is None:
        return "<p>Not transcribed.</p>"
    if not transcript:
        return "<p>Nothing was said.</p>"
    rows = [[f"{line['start']:.1f} s", line["participant"], line["text"],
             ", ".join(f"{c['kind']}: “{c['quote']}”" for c in line.get("cues", []))]
            for line in transcript]
    return _table(["when", "who", "said", "cues"], rows)


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def _moments(data: SessionData) -> str:
    top = sorted(data.document["signals"], key=lambda e: -e["peak"])[:TOP_MOMENTS]
    if not top:
        return "<p>No signal held long enough to become an event.</p>"
    rows = [[f"{e['start']:.1f}–{e['end']:.1f} s", e["participant"], e["type"], e["probability"],
             f"{e['peak']:.2f}", e["rationale"]] for e in sorted(top, key=lambda e: e["start"])]
    return _table(["when", "who", "signal", "probability", "peak", "why"], rows)


def _people(data: SessionData) -> str:
    rows = []
    for s in participant_summaries(data):
        shares = sorted(s.state_share.items(), key=lambda kv: -kv[1])
        states = ", ".join(f"{k} {_percent(v)}" for k, v in shares)
        events = ", ".join(f"{k} ×{n}" for k, n in sorted(s.events.items(), key=lambda kv: -kv[1])) or "none"
        rows.append([s.participant, s.by, _seconds(s.seen_s), states or "–",
                     ", ".join(s.strongest) or "–", events])
    return _table(["who", "seen by", "present", "engagement", "strongest signals", "events"], rows)


def _seconds(value: float) -> str:
    """A span as people say it: "under 1 s" rather than "0 s" for a face seen a moment."""
    return "under 1 s" if value < 0.5 else f"{value:.0f} s"


def _speaking(data: SessionData) -> str:
    metrics = speaking_metrics(data)
    if not metrics:
        return "<p>No speech was heard.</p>"
    rows = [[m.channel, _seconds(m.speaking_s), "–" if m.pace_syl_s is None else f"{m.pace_syl_s:.1f} syl/s",
             f"{m.fillers} ({'–' if m.fillers_per_min is None else m.fillers_per_min}/min)",
             str(m.pauses) if m.mean_pause_s is None else f"{m.pauses} (mean {m.mean_pause_s} s)",
             _percent(m.talk_ratio), _percent(m.eyes_on_screen)] for m in metrics]
    return _table(["voice", "speaking", "pace", "fillers", "pauses", "talk ratio", "eyes on screen"], rows)


def render(data: SessionData, *, speaking: bool | None = None) -> str:
    """The page as text; `speaking` adds practice metrics (default: in practice mode only)."""
    import plotly.io as pio

    from copilot.session import charts

    figures = [charts.signal_events(data)]
    figures += [charts.signal_scores(data, pid) for pid in list(data.scores)[:MAX_PARTICIPANT_CHARTS]]
    quality = charts.quality_over_time(data)
    # practice metrics come from the cue rows a session keeps; a result JSON alone has none
    practice = data.info.mode == "practice" and bool(data.cue_summaries)
    show_speaking = practice if speaking is None else speaking
    config = {"displaylogo": False, "responsive": True}

    def div(fig, first: bool) -> str:
        return pio.to_html(fig, include_plotlyjs=first, full_html=False, config=config)

    signal_divs = "\n".join(div(fig, k == 0) for k, fig in enumerate(figures))
    speaking_html = ""
    if show_speaking:
        speaking_html = ("<h2>Speaking</h2>" + _speaking(data) + div(charts.speaking_over_time(data), False))
    info, meta, overall = data.info, data.document["meta"], data.document["conversation_quality"]["overall"]
    notes = "" if data.scores else ("<p class=note>Made from a result JSON: scores over time are only in "
                                    "recorded sessions.</p>")
    return PAGE.substitute(
        title=_e(f"Meeting Copilot report: {info.source_name}"), source=_e(info.source_name),
        when=_e(info.started_at[:19].replace("T", " ") or "–"), mode=_e(info.mode),
        duration=_e(f"{float(meta.get('duration', info.duration_s)):.1f} s"),
        people=_e(", ".join(p["id"] for p in data.document["participants"]) or "nobody"),
        quality=_e(quality_line(overall)), notes=notes,
        signals=signal_divs, moments=_moments(data), summaries=_people(data),
        quality_chart=div(quality, False), speaking=speaking_html,
        nudges=_table(["when", "who", "nudge"], [[f"{n['t']:.1f} s", n["participant"] or "", n["message"]]
                                                  for n in data.nudges]) if data.nudges else "<p>None.</p>",
        markers=_table(["when", "label"], [[f"{m['t']:.1f} s", m["label"]] for m in data.markers])
        if data.markers else "<p>None.</p>",
        transcript=_said(data.document.get("transcript")),
        version=_e(meta.get("version", "")))


def write_report(data: SessionData, out: Path, *, speaking: bool | None = None) -> int:
    """Writes atomically (a half-written report never replaces a good one); returns its size in bytes."""
    return write_atomically(out, render(data, speaking=speaking))
