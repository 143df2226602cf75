"""The HTML report: one self-contained file (SVG charts, JPEG thumbnails inlined) that opens offline.

It opens with a written summary and what each score means (copilot.session.narrative),
then key moments with a picture each, a card per person, and the charts. It reads a
recorded session (scores over time, cue events, nudges, markers) or, with
less to show, a result JSON written by `copilot analyze --out`. The page is assembled
with string.Template and html.escape: a handful of sections do not need a template engine.
"""

from __future__ import annotations

import base64
import html
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from string import Template

from copilot.errors import CopilotError
from copilot.files.writing import write_atomically
from copilot.session.library import SessionData, SessionInfo
from copilot.session.links import ReviewAt, review_command, review_url
from copilot.session.narrative import clock, score_sentences, summary
from copilot.session.summaries import ParticipantSummary, participant_summaries, speaking_metrics
from copilot.signals.bands import legend, reading

log = logging.getLogger(__name__)
TOP_MOMENTS = 8
THUMB_WIDTH_PX = 200  # a face stays recognisable; 8 of them add ~60 KB
THUMB_JPEG_QUALITY = 70
MAX_PARTICIPANT_CHARTS = 6
# Every page we write (this report, the team summary of copilot/batch) is the one shell and style
# sheet around a body of its own.
SHELL = Template((Path(__file__).with_name("page.html")).read_text(encoding="utf-8"))
STYLE = (Path(__file__).with_name("report.css")).read_text(encoding="utf-8")
BODY = Template((Path(__file__).with_name("report.html")).read_text(encoding="utf-8"))


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


def _said(transcript: list[dict] | None, events: list[dict]) -> str:
    """The transcript as a table; in its margin the lexical cues found in a line and the signal
    events under way while it was said (the speaker's, and others' named with who showed them)."""
    if transcript is None:
        return "<p>Not transcribed.</p>"
    if not transcript:
        return "<p>Nothing was said.</p>"
    rows = [[f"{line['start']:.1f} s", line["participant"], line["text"],
             ", ".join(f"{c['kind']}: “{c['quote']}”" for c in line.get("cues", [])),
             _margin(line, events)]
            for line in transcript]
    return table(["when", "who", "said", "cues", "signals meanwhile"], rows)


def _margin(line: dict, events: list[dict]) -> str:
    under_way = sorted((e for e in events if e["start"] < line["end"] and e["end"] > line["start"]),
                       key=lambda e: (e["participant"] != line["participant"], e["start"]))
    return ", ".join(("" if e["participant"] == line["participant"] else f"{e['participant']}: ")
                     + f"{e['type']} ({e['probability']})" for e in under_way)


def _e(value: object) -> str:
    return html.escape(str(value))


def table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


@dataclass(frozen=True, slots=True)
class Review:
    """Where the report's times point: the session database the review window is to open."""

    database: Path | None  # None: the user's default database


def _moments(data: SessionData, review: Review | None) -> str:
    top = sorted(data.document["signals"], key=lambda e: -e["peak"])[:TOP_MOMENTS]
    if not top:
        return "<p>No signal held long enough to become an event.</p>"
    media = data.info.media_path if data.info.media_path and Path(data.info.media_path).is_file() else None
    cards = []
    for e in sorted(top, key=lambda e: e["start"]):
        when = f"{clock(e['start'])}–{clock(e['end'])}"
        command = ""
        if review is not None:  # the time opens the review window there
            moment = ReviewAt(data.info.id, e["start"], review.database)
            when = (f'<a href="{_e(review_url(moment))}" title="Opens the review window at this moment">'
                    f"{when}</a>")
            command = f"<br><code class=cmd>{_e(review_command(moment))}</code>"
        play = ""
        if media is not None:  # the browser plays the recording from there (a media fragment)
            play = f' · <a href="{_e(Path(media).resolve().as_uri())}#t={e["start"]:.1f}">play</a>'
        picture = _thumbnail(media, e["start"]) if media is not None else ""
        cards.append(f'<div class=moment>{picture}<div><b>{when}</b>{play} · {_e(e["participant"])} · '
                     f'<span class=sig>{_e(e["type"])}</span>, peak {_e(reading(e["peak"]))}<br>'
                     f'{_e(e["rationale"])}{command}</div></div>')
    return "\n".join(cards)



def _thumbnail(media: str, t: float) -> str:
    """A small JPEG of the video at `t`, inlined; nothing for a sound file or a frame that fails."""
    import cv2

    from copilot.capture.items import SourceError
    from copilot.session.frames import frame_at

    try:
        found = frame_at(media, t)
    except SourceError as exc:
        log.warning("no thumbnail at %.1f s: %s", t, exc)
        return ""
    if found is None:
        return ""
    image = found[1]
    height = max(1, round(image.shape[0] * THUMB_WIDTH_PX / image.shape[1]))
    small = cv2.resize(image, (THUMB_WIDTH_PX, height), interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, THUMB_JPEG_QUALITY])
    if not ok:
        return ""
    return f'<img alt="video at {t:.1f} s" src="data:image/jpeg;base64,{base64.b64encode(jpeg).decode()}">'


def _people(data: SessionData) -> str:
    """A recap card per person."""
    cards = []
    for s in participant_summaries(data):
        shares = sorted(s.state_share.items(), key=lambda kv: -kv[1])
        states = ", ".join(f"{k} {percent(v)}" for k, v in shares) or "–"
        events = ", ".join(f"{k} ×{n}" for k, n in sorted(s.events.items(), key=lambda kv: -kv[1])) or "none"
        cards.append(f"<div class=card><h3>{_e(s.participant)}</h3>"
                     f"<p>{_e(_presence(s))}</p>"
                     f"<p><b>Engagement:</b> {_e(states)}</p>"
                     f"<p><b>Strongest signals:</b> {_e(', '.join(s.strongest) or 'none held long enough')}"
                     "</p>"
                     f"<p><b>Events:</b> {_e(events)}</p></div>")
    return "<div class=cards>" + "".join(cards) + "</div>" + _talk(data)


def _presence(s: ParticipantSummary) -> str:
    """How long a face was in the picture; for a voice alone, when it was first and last heard.
    How long it talked is the talk table's: "heard for 28 s" read as talk time beside 13 s talked."""
    if s.by != "voice":
        return f"seen for {_seconds(s.seen_s)}"
    return f"heard between {clock(s.first_s)} and {clock(s.last_s)}"


def _talk(data: SessionData) -> str:
    """Who talked how much, and how the floor passed between them: the result document's
    per-person conversation measures (issue 18), as both a result JSON and a session keep them."""
    rows = data.document.get("conversation") or []
    if not rows:
        return ""
    body = table(["who", "talked", "share", "turns", "cut in", "was cut off", "longest turn",
                  "typical reply gap"],
                 [[r["participant"], _seconds(r["talk_s"]), percent(r["talk_share"]), r["turns"],
                   r["interruptions"], r["interrupted"], _seconds(r["longest_monologue_s"]), _reply_gap(r)]
                  for r in rows])
    return ("<h3>Who talked</h3>" + body
            + "<p class=note>A turn lasts from taking the floor until someone else takes it; a short "
            "&ldquo;mm-hm&rdquo; said while another talks does not take it, nor does laughing along. "
            "Cutting in: starting while someone talks and going on after they stop. The reply gap is "
            "the median time from the last turn&rsquo;s end to the reply (below zero: the reply began "
            "before it ended); where several voices share one track, a reply after a pause of a few "
            "tenths of a second can read 0.</p>")


def _reply_gap(row: dict) -> str:
    value = row.get("response_latency_s")
    return "–" if value is None else f"{value:.1f} s"


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
             percent(m.talk_ratio), percent(m.eyes_on_screen)] for m in metrics]
    return table(["voice", "speaking", "pace", "fillers", "pauses", "talk ratio", "eyes on screen"], rows)


def render(data: SessionData, *, speaking: bool | None = None, review: Review | None = None) -> str:
    """The page as text; `speaking` adds practice metrics (default: in practice mode only);
    `review`: the database the session is kept in, so each key moment opens the review window
    there (None: no such links, as for a result JSON or a session in a scratch database)."""
    from copilot.session import charts

    signal_charts = [charts.signal_events(data)]
    signal_charts += [charts.signal_scores(data, pid) for pid in list(data.scores)[:MAX_PARTICIPANT_CHARTS]]
    # practice metrics come from the cue rows a session keeps; a result JSON alone has none
    practice = data.info.mode == "practice" and bool(data.cue_summaries)
    show_speaking = practice if speaking is None else speaking
    speaking_html = ""
    if show_speaking:
        speaking_html = "<h2>Speaking</h2>" + _speaking(data) + charts.speaking_over_time(data)
    info, meta = data.info, data.document["meta"]
    notes = "" if data.scores else ("<p class=note>Made from a result JSON: scores over time are only in "
                                    "recorded sessions.</p>")
    when = info.started_at[:19].replace("T", " ") or "–"
    people = ", ".join(p["id"] for p in data.document["participants"]) or "nobody"
    subtitle = " · ".join([f"Source: {info.source_name}", f"started {when}", f"{info.mode} mode",
                           f"{clock(float(meta.get('duration', info.duration_s)))} long",
                           f"participants: {people}"])
    return html_page(f"Meeting Copilot report: {info.source_name}", subtitle, BODY.substitute(
        summary="".join(f"<p>{_e(line)}</p>" for line in summary(data)),
        scores="".join(f"<li>{_e(line)}</li>" for line in score_sentences(data)),
        notes=notes,
        signals="\n".join(signal_charts), moments=_moments(data, review if data.info.id else None),
        bands="".join(f"<li>{_e(line)}</li>" for line in legend()), summaries=_people(data),
        quality_chart=charts.quality_over_time(data), speaking=speaking_html,
        nudges=table(["when", "who", "nudge"], [[clock(n["t"]), n["participant"] or "", n["message"]]
                                                  for n in data.nudges]) if data.nudges else "<p>None.</p>",
        markers=table(["when", "label"], [[clock(m["t"]), m["label"]] for m in data.markers])
        if data.markers else "<p>None.</p>",
        transcript=_said(data.document.get("transcript"), data.document["signals"])),
        version=meta.get("version", ""))


def html_page(title: str, subtitle: str, main: str, *, version: str | None = None) -> str:
    """`main` (markup) in the shell every page shares; the other texts are escaped here."""
    from copilot.result.document import version as this_version

    return SHELL.substitute(style=STYLE, title=_e(title), subtitle=_e(subtitle), main=main,
                            version=_e(this_version() if version is None else version))


def write_report(data: SessionData, out: Path, *, speaking: bool | None = None,
                 review: Review | None = None) -> int:
    """Writes atomically (a half-written report never replaces a good one) and readable by the user
    alone (it is a record of how people behaved); returns its size in bytes."""
    return write_atomically(out, render(data, speaking=speaking, review=review), private=True)
