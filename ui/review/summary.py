"""The review window's side text: quality, per-participant summaries, nudges and markers."""

from __future__ import annotations

import html

from copilot.session.library import SessionData
from copilot.session.summaries import participant_summaries, quality_line


def summary_html(data: SessionData) -> str:
    e = html.escape
    info, doc = data.info, data.document
    parts = [f"<h3>{e(info.source_name)}</h3>",
             f"<p>{e(info.started_at[:19].replace('T', ' '))} &middot; {info.duration_s:.1f} s &middot; "
             f"{e(info.mode)} mode{'' if info.complete else ' &middot; <b>not closed</b>'}</p>"]
    quality = doc["conversation_quality"]["overall"]
    parts.append(f"<p><b>Quality</b>: {e(quality_line(quality))}</p>")
    for s in participant_summaries(data):
        states = ", ".join(f"{e(k)} {v * 100:.0f}%" for k, v in sorted(s.state_share.items()))
        events = ", ".join(f"{e(k)} ×{n}" for k, n in sorted(s.events.items())) or "no events"
        parts.append(f"<p><b>{e(s.participant)}</b> ({e(s.by)}, {s.seen_s:.0f} s): {states}<br>"
                     f"strongest: {e(', '.join(s.strongest) or '–')}<br>{events}</p>")
    if data.nudges:
        parts.append("<p><b>Nudges</b><br>" + "<br>".join(
            f"{n['t']:.1f} s {e(n['message'])}" for n in data.nudges) + "</p>")
    if data.markers:
        parts.append("<p><b>Markers</b><br>" + "<br>".join(
            f"{m['t']:.1f} s {e(m['label'] or 'marker')}" for m in data.markers) + "</p>")
    return "".join(parts)
