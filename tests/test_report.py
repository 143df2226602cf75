"""`copilot report` and `copilot analyze --report`: one offline HTML file whose charts render."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from copilot.session.store import DATABASE_ENV

CLIP = "reallife_trial_video/trial_truth_043.mp4"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync",
                  "--enable-logging=stderr", "--v=0", "--window-size=1280,2000", "--virtual-time-budget=5000"]


def copilot(*args: str, database: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", *args], capture_output=True, text=True,
                          timeout=180, env={**os.environ, DATABASE_ENV: str(database)})


@pytest.fixture(scope="module")
def reports(shared_data, tmp_path_factory):
    """One analysis with --report, then `copilot report` of its result JSON: (session report, JSON report)."""
    folder = tmp_path_factory.mktemp("report")
    database = folder / "s.sqlite3"
    done = copilot("analyze", str(shared_data / CLIP), "--out", str(folder / "r.json"),
                   "--report", str(folder / "session.html"), database=database)
    assert done.returncode == 0, done.stderr
    again = copilot("report", "last", "--speaking", "--out", str(folder / "speaking.html"), database=database)
    assert again.returncode == 0, again.stderr
    done = copilot("report", str(folder / "r.json"), "--out", str(folder / "from_json.html"),
                   database=database)
    assert done.returncode == 0, done.stderr
    return folder


def test_the_page_is_self_contained(reports):
    page = (reports / "session.html").read_text()
    assert page.count('class="chart"') >= 3  # events, p1's signals, quality
    assert "<script" not in page  # nothing to fetch and nothing to run: the charts are SVG
    assert "http://" not in re.sub(r"<svg.*?</svg>", "", page, flags=re.S)  # but SVG's own namespace
    assert "Key moments" in page and "Spoke" in page  # a rationale of the clip's events
    assert page.count('src="data:image/jpeg;base64,') >= 3  # a picture of the video per moment
    assert "Speaking" not in page  # not a practice session
    speaking = (reports / "speaking.html").read_text()
    assert "syl/s" in speaking and "eyes on screen" in speaking and "eye contact" not in speaking


def test_the_page_opens_with_a_summary_and_says_what_each_score_means(reports):
    page = (reports / "session.html").read_text()
    assert page.index("<h2>Summary</h2>") < page.index("<h2>Key moments</h2>") < page.index('class="chart"')
    summary = re.search(r"<h2>Summary</h2>(.*?)</section>", page, re.S).group(1)
    assert "p1 (seen) was engaged" in summary and "Next time: " in summary
    for name in ("Quality index", "Clarity", "Authority", "Energy", "Rapport", "Learning"):
        assert re.search(rf"<li>{name} \d+\W.*?</li>", page), name


def test_strongest_signals_are_only_those_with_events(reports):
    """Issue 19: the report named strong signals that never held long enough to be an event."""
    from copilot.session.library import load_session
    from copilot.session.store import open_database
    from copilot.session.summaries import participant_summaries

    data = load_session(open_database(reports / "s.sqlite3", create=False), "last")
    (p1,) = participant_summaries(data)
    assert p1.strongest and set(p1.strongest) <= set(p1.events)
    without = {name for name, rise in p1.rises.items() if rise > 0 and name not in p1.events}
    assert without, "the clip should have a signal that rose without an event, or this proves nothing"


def test_a_result_json_makes_a_report_too(reports):
    page = (reports / "from_json.html").read_text()
    assert "Made from a result JSON" in page and page.count('class="chart"') >= 2


def test_who_talked_is_in_both_reports_as_the_result_has_it(reports):
    """The result's per-person conversation measures (talk, turns, interruptions, longest turn,
    reply gap) are a table in the session's report and in the one made from its JSON alike."""
    import json

    rows = json.loads((reports / "r.json").read_text())["conversation"]
    assert rows, "the witness talks: someone must have talked"
    for name in ("session.html", "from_json.html"):
        talk = (reports / name).read_text().split("<h3>Who talked</h3>")[1].split("</table>")[0]
        for row in rows:
            talked = "under 1 s" if row["talk_s"] < 0.5 else f"{row['talk_s']:.0f} s"
            assert f"<tr><td>{row['participant']}</td><td>{talked}</td>" in talk, (name, row)
            assert f"<td>{row['turns']}</td>" in talk


def test_a_signal_with_events_is_drawn(reports):
    from copilot.session.charts import SHOWN_AT_FIRST, signal_scores
    from copilot.session.library import load_session
    from copilot.session.store import open_database

    data = load_session(open_database(reports / "s.sqlite3", create=False), "last")
    with_events = {e["type"] for e in data.document["signals"] if e["participant"] == "p1"}
    assert with_events - set(SHOWN_AT_FIRST), "the clip should have an event of a signal hidden by default"
    legend = set(re.findall(r"<text[^>]*>(\w+)</text>", signal_scores(data, "p1")))  # SVG text stays text
    assert with_events | set(SHOWN_AT_FIRST) <= legend
    assert not legend & ({"anger", "surprise"} - with_events)


def test_each_key_moment_opens_the_review_window_there_and_the_bands_are_explained(reports):
    """Issue 19: a moment's time opens the review window there; the band words say what they mean."""
    from copilot.session.library import load_session
    from copilot.session.links import parse_review_url
    from copilot.session.report import TOP_MOMENTS
    from copilot.session.store import open_database

    data = load_session(open_database(reports / "s.sqlite3", create=False), "last")
    page = (reports / "session.html").read_text()
    moments = sorted(data.document["signals"], key=lambda e: -e["peak"])[:TOP_MOMENTS]
    links = [parse_review_url(html.unescape(url)) for url in re.findall(r'href="(copilot://[^"]+)"', page)]
    wanted = sorted((data.info.id, round(e["start"], 1)) for e in moments)
    assert sorted((m.session, m.at) for m in links) == wanted
    assert page.count(f"copilot app --review {data.info.id} --at ") == len(moments)
    assert "medium (60 to 87)" in page and "—: not enough evidence yet" in page
    for event in moments:  # an event's word is the band of its peak, with the number the app shows
        assert f"peak {round(100 * event['peak'])} · {event['probability']}" in page
    assert "copilot://" not in (reports / "from_json.html").read_text()  # no session to open


def test_the_transcript_has_the_signals_of_its_moment_in_its_margin(reports):
    page = (reports / "session.html").read_text()
    said = re.search(r"<h2>What was said</h2>(.*?)</section>", page, re.S).group(1)
    assert "<th>signals meanwhile</th>" in said
    margins = re.findall(r"<tr>(?:<td>.*?</td>){4}<td>(.*?)</td></tr>", said)
    assert margins and any(re.search(r"\w+ \((low|medium|high)\)", m) for m in margins), margins


def test_a_ten_minute_session_makes_a_report_under_1_5_mb(reports):
    """Issue 19: a 7 s clip made 4.9 MB (all of Plotly inlined). Ten minutes of p1's recorded scores
    (the clip's rows repeated), an event every 10 s and a nudge a minute stand in for a long session."""
    from copilot.session.library import ParticipantScores, load_session
    from copilot.session.report import render
    from copilot.session.store import open_database

    data = load_session(open_database(reports / "s.sqlite3", create=False), "last")
    real = data.scores["p1"]
    repeats = int(np.ceil(600 / real.t[-1]))
    t = np.arange(len(real.t) * repeats) * 0.2
    data.scores["p1"] = ParticipantScores(t, np.tile(real.scores, (repeats, 1)), real.states * repeats)
    event = data.document["signals"][0]
    data.document["signals"] = [{**event, "start": s, "end": s + 3.0} for s in range(0, 600, 10)]
    data.document["meta"]["duration"] = 600.0
    data.nudges = [{"t": float(m), "participant": "p1", "message": "ask a question"}
                   for m in range(30, 600, 60)]
    size = len(render(data).encode())
    print(f"report of a 10-minute session: {size / 1e6:.2f} MB")
    assert size < 1_500_000


def _chromium(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra,
                           page.as_uri()], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_report_renders_in_headless_chromium(reports, tmp_path):
    page = reports / "speaking.html"
    dom = _chromium(page, tmp_path, "--dump-dom")
    assert "Uncaught" not in dom.stderr and "ERROR:CONSOLE" not in dom.stderr, dom.stderr[-2000:]
    assert dom.stdout.count('class="chart"') >= 4  # every chart is in the page
    shot = tmp_path / "report.png"
    done = _chromium(page, tmp_path, f"--screenshot={shot}")
    assert "Uncaught" not in done.stderr and "ERROR:CONSOLE" not in done.stderr, done.stderr[-2000:]
    import cv2

    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (2000, 1280)
    chart = image[300:700, 100:1180]  # the first charts' area
    colourful = (chart.max(axis=2).astype(int) - chart.min(axis=2)) > 60  # lines, bars, bands: not grey
    assert np.count_nonzero(colourful) > 2000


@pytest.mark.parametrize(("text", "reason"), [
    ('{"signals": [], "meta": {}}', "no engagement_state, conversation_quality, participants"),
    ("[1, 2]", "no signals, engagement_state"),
    ('{"signals": ', "cannot read the result JSON"),
])
def test_a_json_that_is_not_a_result_is_named_with_the_reason(tmp_path, text, reason):
    bad = tmp_path / "notes.json"
    bad.write_text(text)
    done = copilot("report", str(bad), "--out", str(tmp_path / "r.html"), database=tmp_path / "s.sqlite3")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"copilot: error: {bad}: ") and reason in done.stderr
    assert not (tmp_path / "r.html").exists()
