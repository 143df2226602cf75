"""The batch's summary: a CSV with a row per recording, and the team's page, per person and per week.

Both are made from the results alone (each result file carries its call's figures), so a
resumed batch summarises every call, whichever run analysed it. The page uses the report's
style sheet, tables and chart helpers, so the two read as one product.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from string import Template

from copilot.batch.driver import Outcome
from copilot.batch.figures import WATCHED, Figures
from copilot.batch.people import Team
from copilot.files.writing import write_atomically

SUMMARY_CSV = "summary.csv"
TEAM_HTML = "team.html"
REVIEW_CALLS = 10  # the calls listed to review first
BODY = Template((Path(__file__).with_name("team.html")).read_text(encoding="utf-8"))
COLUMNS = ("call", "person", "recorded", "week", "status", "duration_s", "people", "engaged", "talk_ratio",
           "pace_syl_s", "fillers_per_min", *WATCHED, "frequent_signals", "session", "result", "path",
           "reason")


def week(day: str) -> str:
    """The ISO week of a day, as people file it: 2024-W18."""
    if not day:
        return ""
    year, number, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{number:02d}"


def _round(value: float | None, digits: int) -> float | str:
    return "" if value is None else round(value, digits)


def _signals(figures: Figures) -> str:
    return ", ".join(f"{name} ×{count}" for name, count in figures.frequent()) or "none"


def csv_text(outcomes: Sequence[Outcome], team: Team, out_dir: Path) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for o in outcomes:
        f, c = o.figures, o.call
        numbers = ["", "", "", "", "", "", *([""] * len(WATCHED)), ""] if f is None else [
            round(f.duration_s, 3), f.people, _round(f.engaged, 3), _round(f.talk_ratio, 3),
            _round(f.pace_syl_s, 2), _round(f.fillers_per_min, 2), *(f.events.get(n, 0) for n in WATCHED),
            "; ".join(f"{name} {count}" for name, count in f.frequent())]
        result = c.result(out_dir).relative_to(out_dir).as_posix() if f is not None else ""
        session = o.batch.get("session") if o.batch else None
        writer.writerow([c.name, team.person(c.name), c.recorded, week(c.recorded), o.status, *numbers,
                         "" if session is None else session, result, str(c.path), o.reason])
    return out.getvalue()


def grouped(outcomes: Sequence[Outcome], key: Callable[[Outcome], str]) -> dict[str, Figures]:
    groups: dict[str, Figures] = {}
    for o in outcomes:
        if o.figures is not None:
            name = key(o)
            groups[name] = groups[name] + o.figures if name in groups else o.figures
    return dict(sorted(groups.items()))


def _length(seconds: float) -> str:
    """Hours and minutes from an hour on, minutes below it."""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def _figures_table(first: str, groups: dict[str, Figures]) -> str:
    from copilot.session.report import percent, table

    rows = [[name, f.calls, _length(f.duration_s), percent(f.engaged), percent(f.talk_ratio),
             "–" if f.fillers_per_min is None else f"{f.fillers_per_min:.1f}",
             "–" if f.pace_syl_s is None else f"{f.pace_syl_s:.1f} syl/s", _signals(f)]
            for name, f in groups.items()]
    return table([first, "calls", "length", "engaged", "talk ratio", "fillers/min", "pace",
                  "most frequent signals"], rows)


def _shares_chart(groups: dict[str, Figures], title: str, *, over_time: bool) -> str:
    """Engaged share and talk ratio per group: bars per person, lines over the weeks."""
    from copilot.session import charts

    if not groups:
        return ""
    names = list(groups)
    fig, ax = charts.figure(charts.HEIGHT_IN if over_time else max(1.6, 0.6 + 0.4 * len(names)))
    measures = (("engaged", "#2ca02c"), ("talk_ratio", "#1f77b4"))
    for k, (measure, colour) in enumerate(measures):
        values = [100 * (getattr(groups[n], measure) or 0.0) for n in names]
        label = measure.replace("_", " ")
        if over_time:
            ax.plot(names, values, marker="o", color=colour, label=label)
        else:
            ax.barh([i + 0.4 * k for i in range(len(names))], values, height=0.4, color=colour, label=label)
    if over_time:
        ax.set_ylim(0, 100)
        ax.set_ylabel("% ")
    else:
        ax.set_yticks([i + 0.2 for i in range(len(names))], names, fontsize=8)
        ax.invert_yaxis()  # in the table's order, top down
        ax.set_xlim(0, 100)
        ax.set_xlabel("%")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return charts.svg(fig, title)


def _review(outcomes: Sequence[Outcome], team: Team) -> str:
    from copilot.session.report import table

    watched = sorted((o for o in outcomes if o.figures is not None and o.figures.watched),
                     key=lambda o: (-o.figures.watched, -o.figures.duration_s, o.call.name))[:REVIEW_CALLS]
    if not watched:
        return "<p>No call had a disagreement or confusion event.</p>"
    rows = [[o.call.name, team.person(o.call.name), o.call.recorded,
             *(o.figures.events.get(n, 0) for n in WATCHED), _length(o.figures.duration_s),
             o.batch.get("session") or "–"] for o in watched]
    return table(["call", "person", "recorded", *WATCHED, "length", "session"], rows)


def _calls(outcomes: Sequence[Outcome], team: Team) -> str:
    from copilot.session.report import percent, table

    rows = [[o.call.name, team.person(o.call.name), o.call.recorded, _length(o.figures.duration_s),
             percent(o.figures.engaged), percent(o.figures.talk_ratio), _signals(o.figures), o.status]
            for o in outcomes if o.figures is not None]
    return table(["call", "person", "recorded", "length", "engaged", "talk ratio", "most frequent signals",
                  "status"], rows)


def page(outcomes: Sequence[Outcome], team: Team) -> str:
    from copilot.session.report import html_page, table

    people = grouped(outcomes, lambda o: team.person(o.call.name))
    weeks = grouped(outcomes, lambda o: week(o.call.recorded))
    analysed = [o for o in outcomes if o.figures is not None]
    hours = sum(o.figures.duration_s for o in analysed) / 3600
    missing = [[o.call.name, o.status, o.reason] for o in outcomes if o.figures is None]
    overview = (f"{len(analysed)} of {len(outcomes)} calls analysed · {hours:.2f} hours · "
                f"{len(people)} {'person' if len(people) == 1 else 'people'} · "
                f"{len(weeks)} week{'' if len(weeks) == 1 else 's'}")
    return html_page("Meeting Copilot team summary", overview, BODY.substitute(
        people=_figures_table("person", people),
        people_chart=_shares_chart(people, "engaged and talk ratio per person", over_time=False),
        weeks=_figures_table("week", weeks),
        weeks_chart=_shares_chart(weeks, "engaged and talk ratio per week", over_time=True)
        if len(weeks) > 1 else "",
        review=_review(outcomes, team), calls=_calls(outcomes, team),
        failed=table(["call", "status", "why"], missing) if missing else "<p>Every call was analysed.</p>"))


def write_summary(out_dir: Path, outcomes: Sequence[Outcome], team: Team) -> list[Path]:
    """Writes both files atomically; the page is private like every report (it is about people)."""
    written = [out_dir / SUMMARY_CSV, out_dir / TEAM_HTML]
    write_atomically(written[0], csv_text(outcomes, team, out_dir), private=True)
    write_atomically(written[1], page(outcomes, team), private=True)
    return written
