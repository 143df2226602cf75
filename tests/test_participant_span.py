"""A participant is seen from the frame their face first appeared in.

A face becomes a participant once seen steadily for about a second (people.toml [confirm]), and
that first second is theirs (the cues and signals keep it). The result's `first_seen` once said
the moment of confirmation instead, so a passer-by in the arcade crowd who was in the picture
from 0 to 1.0 s was "seen" from 1.0 s to 1.0 s, and the report said "p4 seen for under 1 s" of
someone who could only be a participant by being seen for a second.

facenet_pytorch/video.mp4: 4.2 s at 25 fps of people walking towards the camera through an
arcade; several faces are there from the first frame, one walks in at about 2.6 s.

A photo's faces are confirmed only as the input ends (FaceTracker.finish), in a step that lists no
face; `copilot analyze` on pyfeat/multi_face.jpg (five people) once said "0 people".
"""

from __future__ import annotations

import pytest

from copilot.vision.people_settings import people_settings


@pytest.fixture(scope="module")
def crowd(shared_data):
    from copilot.result.recording import analyze_file

    document, _ = analyze_file(shared_data / "facenet_pytorch/video.mp4", quiet=True)
    return document


def test_faces_there_from_the_start_were_seen_from_the_start(crowd):
    faces = [p for p in crowd["participants"] if p["by"] == "face"]
    assert len([p for p in faces if p["first_seen"] < 0.05]) >= 2, faces


def test_every_face_participant_was_seen_for_the_second_that_confirmed_it(crowd):
    confirm = people_settings()["confirm"]["confirm_s"]
    faces = [p for p in crowd["participants"] if p["by"] == "face"]
    assert faces and all(p["last_seen"] - p["first_seen"] >= confirm - 0.05 for p in faces), faces


def test_a_photo_of_five_people_has_five_participants_in_the_result_and_the_session(shared_data, tmp_path):
    from copilot.result.recording import analyze_file
    from copilot.session.rows import KeptRows

    rows = KeptRows("file")
    document, _ = analyze_file(shared_data / "pyfeat/multi_face.jpg", sinks=[rows], quiet=True)
    assert [(p["id"], p["by"]) for p in document["participants"]] == [(f"p{k}", "face") for k in range(1, 6)]
    recorded = {row[1][0] for row in rows.rows if row[0] == "participants"}
    assert recorded == {f"p{k}" for k in range(1, 6)}
