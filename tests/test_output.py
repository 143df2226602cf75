"""Finished output files: whole or absent, and as readable as any other file the user makes."""

from __future__ import annotations

import os
import stat

import pytest

from copilot.files.writing import write_atomically


def test_the_file_gets_the_users_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    written = write_atomically(tmp_path / "deep" / "result.json", "{}\n")
    assert written == 3
    assert stat.S_IMODE((tmp_path / "deep" / "result.json").stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["result.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("the good one")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half \udc00 written")  # a lone surrogate cannot be encoded
    assert target.read_text() == "the good one"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_an_error_names_the_file_asked_for_not_the_hidden_one_beside_it(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    target = tmp_path / "notes.txt" / "result.json"
    with pytest.raises(OSError) as caught:
        write_atomically(target, "{}")
    assert caught.value.filename == str(target)
    with pytest.raises(IsADirectoryError) as caught:
        write_atomically(tmp_path, "{}")
    assert caught.value.filename == str(tmp_path) and "folder" in caught.value.strerror
