"""The turn-latency benchmark still runs (a few requests; the figures themselves are not checked:
they depend on the machine)."""

import asyncio
import os
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
