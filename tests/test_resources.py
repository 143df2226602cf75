"""Shipped files are found the same way in a checkout, an installed wheel and a frozen bundle."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from copilot.shipped import resources

REPO = Path(__file__).resolve().parents[1]

FIND = ("import sys; sys.path.insert(0, sys.argv[1]); from copilot.shipped.resources import resource_dir; "
        "print(resource_dir('models')); print(resource_dir('assets'))")


def test_source_checkout_finds_the_top_level_folders():
    assert resources.resource_dir("models") == REPO / "models"
    assert resources.resource_path("assets", "faces/astronaut.jpg").is_file()


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown resource kind"):
        resources.resource_dir("weights")


@pytest.mark.slow
def test_installed_wheel_carries_models_and_assets(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("meeting_copilot-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert "copilot/_bundled/assets/faces/astronaut.jpg" in names
    assert any(n.startswith("copilot/_bundled/models/") for n in names)
    assert any(n.startswith("ui/") for n in names)
    # -S: no site-packages, so the editable checkout cannot answer instead of the wheel
    found = subprocess.run([sys.executable, "-S", "-c", FIND, str(site)], capture_output=True,
                           text=True, cwd=tmp_path, timeout=60)
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == [str(site / "copilot/_bundled/models"),
                                    str(site / "copilot/_bundled/assets")]


def test_frozen_bundle_is_searched_first(tmp_path, monkeypatch):
    bundled = tmp_path / "copilot" / "_bundled" / "models"
    bundled.mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_dir("models") == bundled


def test_missing_folder_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "copilot")
    with pytest.raises(FileNotFoundError, match="the models folder is missing"):
        resources.resource_dir("models")
