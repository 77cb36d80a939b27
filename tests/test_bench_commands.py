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


def _figures(msg_s: float, us_dlv: float, p99_ms: float, lost: int = 0) -> dict:
    return {"msg_s": msg_s, "us_dlv": us_dlv, "p99_ms": p99_ms, "lost": lost, "dup": 0}


def test_realtime_reads_every_target_of_its_run():
    """bench/realtime.py ends with issue 9's targets, met or missed, from the run's figures."""
    sys.path.insert(0, str(BENCH))
    try:
        import realtime
    finally:
        sys.path.remove(str(BENCH))
    ref = _figures(1000, 10, 5)
    results = {
        "database": "mysql",
        "procs1": {
            "figures": {
                "echo": {"ref": ref, "target": _figures(700, 30, 2)},
                "fanout100": {"ref": ref, "target": _figures(700, 25, 2, lost=1)},
                "persist": {"ref": ref, "target": _figures(300, 30, 40)},
            },
            "idle_kb_per_socket": 19.0,
        },
        "procs2": {"figures": {"echo": {"ref": ref, "target": _figures(1260, 30, 2)}}},
    }
    rows = {name: (value, verdict) for name, value, verdict in realtime.verdicts(results, [1, 2])}
    assert rows["[1 proc] echo round trips/s, Talkmall / reference >= 0.6"] == ("0.7", "met")
    assert rows["[1 proc] fanout100 server CPU per delivery, Talkmall / reference <= 2"] == (
        "2.5",
        "MISSED",
    )
    assert rows["[1 proc] fanout100 lost + duplicated <= 0"] == ("1", "MISSED")
    assert rows["[1 proc] persist p99 latency ms (Talkmall) <= 30"] == ("40", "MISSED")
    assert rows["[1 proc] persist deliveries/s, Talkmall / reference >= 0.4"][1] == (
        "(a target on SQLite only)"
    )
    assert rows["[1 proc] idle KB per socket <= 25"] == ("19", "met")
    assert rows["echo deliveries/s, 2 procs / 1 >= 1.7"] == ("1.8", "met")
