"""The benchmarks still run: turn latency (a few requests), the planner (a tiny register) and
broadcasts (300 recipients, with a crash). The figures themselves are not checked: they depend on
the machine; what is checked is what must hold anywhere (nothing lost, nothing sent twice)."""

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


async def run_bench(module: str, *args: str, **env: str) -> tuple[int, str, str]:
    """`python -m bench.<module> ARGS` with `env` added; its exit status, stdout and stderr. The
    run has its own process group, so one that hangs is stopped with any senders it started."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"bench.{module}",
        *args,
        cwd=REPO,
        env={**os.environ, "PYTHON_DOTENV_DISABLED": "1", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=180)
    except TimeoutError:
        os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        raise
    return process.returncode or 0, stdout.decode(), stderr.decode()


async def test_the_turn_latency_benchmark_runs_end_to_end():
    status, output, stderr = await run_bench(
        "turn_latency", "--requests", "8", "--rounds", "2", "--concurrency", "1,2", "--warmup", "2"
    )
    assert status == 0, stderr[-2000:]
    assert output.count("(bot / echo)") == 2
    assert "bot turns: help, hello, halp" in output


async def test_the_planner_benchmark_prints_its_lines():
    status, stdout, stderr = await run_bench(
        "planner_scale", "--sizes", "200,400", "--people", "300"
    )
    assert status == 0, stderr[-2000:]
    lines = stdout.splitlines()
    found = [
        re.fullmatch(
            r"planner: actions=(\d+) people=300 seconds=\d+\.\d\d peak_mb=\d+ rows=(\d+)", line
        )
        for line in lines
        if line.startswith("planner: actions=")
    ]
    sizes = [m for m in found if m]
    assert len(sizes) == len(found), lines
    assert [int(m[1]) for m in sizes] == [200, 400], lines
    # The synthetic register calls for reminders: the pass queued some, more for more actions.
    assert 0 < int(sizes[0][2]) < int(sizes[1][2])
    assert any(
        re.fullmatch(r"planner: growth actions_ratio=2\.0 seconds_ratio=\d+\.\d", line)
        for line in lines
    ), lines


async def run_broadcast_bench(*args: str) -> tuple[int, str, str]:
    # The shortest lease allowed, so the crash mode's replacement takes the dead sender's rows ten
    # seconds after the kill.
    return await run_bench("broadcast", *args, BENCH_LEASE="10")


BROADCAST_LINE = re.compile(
    r"broadcast: recipients=(\d+) rate_limit=500 seconds=\d+\.\d\d floor_seconds=\d+\.\d\d "
    r"efficiency=\d+\.\d% lost=(\d+) duplicates=(\d+)(?: mode=crash in_flight_at_kill=(\d+))?"
)


async def test_the_broadcast_benchmark_delivers_everything_once_and_survives_a_crash():
    """Through the real outbox, dispatch loop and fake connector (SQLite, one sender): nothing
    lost, nothing twice, and after a kill at half way no more copies twice than were in flight."""
    status, stdout, stderr = await run_broadcast_bench(
        "--recipients", "300", "--rates", "500", "--modes", "normal,crash"
    )
    assert status == 0, stderr[-2000:]
    found = [BROADCAST_LINE.fullmatch(line) for line in stdout.splitlines()]
    normal, crash = [m for m in found if m]
    assert (normal[1], normal[2], normal[3], normal[4]) == ("300", "0", "0", None)
    assert crash[1] == "300" and crash[2] == "0"
    assert int(crash[3]) <= int(crash[4])
    assert "timeline: fan-out" in stderr


async def test_the_broadcast_benchmark_refuses_two_senders_on_sqlite():
    status, _stdout, stderr = await run_broadcast_bench("--senders", "2", "--quick")
    assert status == 2
    assert "--senders above 1 needs PostgreSQL" in stderr


async def test_the_broadcast_benchmark_refuses_a_lease_too_short_to_send_in():
    status, _stdout, stderr = await run_bench("broadcast", "--quick", BENCH_LEASE="3")
    assert status == 1
    assert "BENCH_LEASE must be at least 10 seconds" in stderr


async def test_the_identifier_scores_print_both_figures_and_the_speed():
    status, stdout, stderr = await run_bench("identifier_scores", "--speed")
    assert status == 0, stderr[-2000:]
    for name in ("per identifier", "per sample"):
        assert re.search(rf"^{name} +precision +\d+\.\d% +recall +\d+\.\d%", stdout, re.M)
    assert re.search(r"^slowest hostile 10,000-character text: .+ ms$", stdout, re.M)
