"""The container's start script runs modules that exist: a command moved to another package
(`storage.manage` became `manage`) must not leave the container unable to start."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ENTRYPOINT = Path(__file__).resolve().parent.parent / "scripts" / "docker-entrypoint.sh"


def test_every_module_the_entrypoint_runs_exists():
    modules = re.findall(r"python -m ([\w.]+)", ENTRYPOINT.read_text(encoding="utf-8"))
    assert modules, "the entrypoint runs the migrations with python -m"
    for module in modules:
        spec = importlib.util.find_spec(module)
        assert spec is not None, f"python -m {module}: no such module"
        if spec.submodule_search_locations is not None:  # a package runs its __main__
            assert importlib.util.find_spec(f"{module}.__main__") is not None, module
