"""Whether a person keeps one id: reported faces matched to labelled people, id switches counted.

A people labels file (tests/scenarios/people/*.toml) names a clip and, per person, spans of
keyframes [t, x, y]: where the centre of their face is, with straight lines between. A reported
face at time t belongs to the labelled person whose centre at t lies nearest its box centre,
within half the box's larger side (each person takes at most one face a frame). For each
person, an id switch is a matched face whose id differs from the id matched to them last
(CLEAR-MOT's IDSW): losing an id and getting it back is no switch, coming back under another
one is. Rates are per person-minute of labelled presence (the spans' total length).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from copilot.evaluation.labels import SHARED_PREFIX, LabelsError, read_labels_file, shared_data_dir

MATCH_REACH = 0.5  # of the face box's larger side: a centre further away is someone else's face


@dataclass(frozen=True)
class LabelledPerson:
    name: str
    spans: tuple[np.ndarray, ...]  # each (keyframes, 3): t, x, y

    def centre(self, t: float) -> tuple[float, float] | None:
        for span in self.spans:
            if span[0, 0] - 1e-6 <= t <= span[-1, 0] + 1e-6:
                times = span[:, 0]
                return float(np.interp(t, times, span[:, 1])), float(np.interp(t, times, span[:, 2]))
        return None

    @property
    def seconds(self) -> float:
        return float(sum(span[-1, 0] - span[0, 0] for span in self.spans))


@dataclass(frozen=True)
class PeopleLabels:
    path: Path
    clip: str
    people: tuple[LabelledPerson, ...]

    def clip_path(self) -> Path:
        if self.clip.startswith(SHARED_PREFIX):
            return shared_data_dir() / self.clip[len(SHARED_PREFIX):]
        return (self.path.parent / self.clip).resolve()


def load_people_labels(path: Path) -> PeopleLabels:
    data = read_labels_file(path)
    clip = data.get("clip")
    if not isinstance(clip, str) or not clip:
        raise LabelsError(f"{path}: 'clip' is missing or not a non-empty string")
    people = []
    for k, entry in enumerate(data.get("person", [])):
        where = f"{path}: person[{k}]"
        name, spans = entry.get("name"), entry.get("spans")
        if not isinstance(name, str) or not name or not isinstance(spans, list) or not spans:
            raise LabelsError(f"{where}: needs a 'name' and a non-empty list of 'spans'")
        arrays = []
        for s, span in enumerate(spans):
            array = np.asarray(span, float) if isinstance(span, list) else np.zeros(0)
            if array.ndim != 2 or array.shape[1] != 3 or np.any(np.diff(array[:, 0]) <= 0):
                raise LabelsError(f"{where}: spans[{s}] must be [t, x, y] keyframes with t rising")
            arrays.append(array)
        people.append(LabelledPerson(name, tuple(arrays)))
    if not people:
        raise LabelsError(f"{path}: no [[person]] labelled")
    return PeopleLabels(path, clip, tuple(people))


@dataclass
class PersonIds:
    """One labelled person's ids as reported."""

    name: str
    seconds: float
    frames_labelled: int = 0
    frames_with_id: int = 0
    ids: list[str] = field(default_factory=list)  # in the order first matched
    switches: int = 0

    @property
    def per_minute(self) -> float:
        return self.switches / max(self.seconds / 60.0, 1e-9)


def count_switches(labels: PeopleLabels,
                   frames: Iterable[tuple[float, list[tuple[str, tuple[float, float, float, float]]]]]
                   ) -> list[PersonIds]:
    """Each labelled person's ids and id switches over `frames`: (t, [(id, (x, y, w, h))])."""
    out = [PersonIds(p.name, p.seconds) for p in labels.people]
    last: list[str | None] = [None] * len(out)
    for t, faces in frames:
        centres = [p.centre(t) for p in labels.people]
        for i, centre in enumerate(centres):
            out[i].frames_labelled += centre is not None
        pairs = []
        for f, (_, (x, y, w, h)) in enumerate(faces):
            for i, centre in enumerate(centres):
                if centre is not None:
                    distance = float(np.hypot(x + w / 2 - centre[0], y + h / 2 - centre[1]))
                    if distance <= MATCH_REACH * max(w, h):
                        pairs.append((distance, f, i))
        taken_faces, taken_people = set(), set()
        for _, f, i in sorted(pairs):
            if f in taken_faces or i in taken_people:
                continue
            taken_faces.add(f)
            taken_people.add(i)
            face_id, person = faces[f][0], out[i]
            person.frames_with_id += 1
            if face_id not in person.ids:
                person.ids.append(face_id)
            if last[i] is not None and last[i] != face_id:
                person.switches += 1
            last[i] = face_id
    return out


def switches_table(rows: list[tuple[str, list[PersonIds]]]) -> str:
    """The id-switch table: a line per labelled person, clip by clip, and the total rate."""
    lines = [f"  {'clip':22s} {'person':38s} {'labelled s':>10s} {'with id':>8s} {'ids':14s} "
             f"{'switches':>8s}"]
    switches = seconds = 0.0
    for clip, people in rows:
        for p in people:
            share = p.frames_with_id / max(p.frames_labelled, 1)
            lines.append(f"  {clip:22s} {p.name[:38]:38s} {p.seconds:10.2f} {share:8.0%} "
                         f"{','.join(p.ids) or '-':14s} {p.switches:8d}")
            switches, seconds = switches + p.switches, seconds + p.seconds
    lines.append(f"  all: {switches:.0f} switches in {seconds / 60:.2f} person-minutes = "
                 f"{switches / max(seconds / 60, 1e-9):.2f} per person-minute")
    return "\n".join(lines)
