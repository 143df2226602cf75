"""The engine never imports Qt or pyqtgraph: checked by contract and by importing it without them."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import copilot

REPO = Path(__file__).resolve().parents[1]

BLOCK_GUI = """
import importlib.abc, sys
class NoGui(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'ui'):
            raise ImportError(f'the engine imported {name}')
sys.meta_path.insert(0, NoGui())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print('imported', len(sys.argv) - 1)
"""


def engine_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(copilot.__path__, "copilot.")
            if not m.name.endswith("__main__")]


def test_every_engine_module_imports_with_the_gui_libraries_blocked():
    modules = engine_modules()
    assert "copilot.engine.loop" in modules
    done = subprocess.run([sys.executable, "-c", BLOCK_GUI, *modules], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"imported {len(modules)}" in done.stdout


def test_import_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout
