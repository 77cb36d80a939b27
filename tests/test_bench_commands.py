"""The benchmark commands (docs/performance.md) start: each answers --help with its usage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_bench_command_prints_its_usage(script, tmp_path):
    scratch = f"sqlite:///{tmp_path / 'bench.sqlite3'}"  # some want one before --help
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        capture_output=True, text=True, timeout=60, cwd=BENCH.parent,
        env={**os.environ, "DATABASE_URL": scratch},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
