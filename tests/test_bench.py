"""The benchmarks still run: turn latency (a few requests) and the planner (a tiny register). The
figures themselves are not checked: they depend on the machine."""

import asyncio
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


async def test_the_turn_latency_benchmark_runs_end_to_end():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.turn_latency",
        "--requests",
        "8",
        "--rounds",
        "2",
        "--concurrency",
        "1,2",
        "--warmup",
        "2",
        cwd=REPO,
        env={**os.environ, "PYTHON_DOTENV_DISABLED": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    output = stdout.decode()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert output.count("(bot / echo)") == 2
    assert "bot turns: help, hello, halp" in output


async def test_the_planner_benchmark_prints_its_lines():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.planner_scale",
        "--sizes",
        "200,400",
        "--people",
        "300",
        cwd=REPO,
        env={**os.environ, "PYTHON_DOTENV_DISABLED": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()[-2000:]
    lines = stdout.decode().splitlines()
    sizes = [
        re.fullmatch(
            r"planner: actions=(\d+) people=300 seconds=\d+\.\d\d peak_mb=\d+ rows=(\d+)", line
        )
        for line in lines
        if line.startswith("planner: actions=")
    ]
    assert [int(m[1]) for m in sizes if m] == [200, 400], lines
    # The synthetic register calls for reminders: the pass queued some, more for more actions.
    assert 0 < int(sizes[0][2]) < int(sizes[1][2])
    assert any(
        re.fullmatch(r"planner: growth actions_ratio=2\.0 seconds_ratio=\d+\.\d", line)
        for line in lines
    ), lines
