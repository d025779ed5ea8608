"""The benchmarks still run: turn latency (a few requests), the planner (a tiny register) and
broadcasts (300 recipients, with a crash). The figures themselves are not checked: they depend on
the machine; what is checked is what must hold anywhere (nothing lost, nothing sent twice)."""

import asyncio
import os
import re
import signal
import sys
from dataclasses import replace
from pathlib import Path

from bench.broadcast import Result, verdicts

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
        "turn_latency",
        "--requests",
        "8",
        "--rounds",
        "2",
        "--concurrency",
        "1,2",
        "--warmup",
        "2",
        "--runs",
        "1",
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
    r"efficiency=\d+\.\d% lost=(\d+) duplicates=(\d+) refused_share=0.05 "
    r"floor_with_refusals_seconds=0\.63 efficiency_with_refusals=\d+\.\d%"
    r"(?: mode=crash in_flight_at_kill=(\d+))?"
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
    # No efficiency goal is set for 500/s on SQLite; the crash's goal is answered.
    goals = [line for line in stdout.splitlines() if line.startswith("goal:")]
    assert goals == [
        f"goal: PASS duplicates after a crash <= sends in flight (duplicates={crash[3]} "
        f"in_flight_at_kill={crash[4]})"
    ]


async def test_the_broadcast_benchmark_refuses_two_senders_on_sqlite():
    status, _stdout, stderr = await run_broadcast_bench("--senders", "2", "--quick")
    assert status == 2
    assert "--senders above 1 needs PostgreSQL" in stderr


async def test_the_broadcast_benchmark_refuses_a_lease_too_short_to_send_in():
    status, _stdout, stderr = await run_bench("broadcast", "--quick", BENCH_LEASE="3")
    assert status == 1
    assert "BENCH_LEASE must be at least 10 seconds" in stderr


def bench_result(
    *,
    seconds: float = 23.0,
    rate: float = 500.0,
    database: str = "postgresql",
    senders: int = 2,
    mode: str = "normal",
    duplicates: int = 0,
    in_flight: int = 0,
) -> Result:
    """10,000 copies with 5% of requests refused at random, nothing lost."""
    return Result(
        recipients=10_000,
        rate=rate,
        seconds=seconds,
        lost=0,
        duplicates=duplicates,
        mode=mode,
        in_flight=in_flight,
        senders=senders,
        failure_share=0.05,
        database=database,
    )


def test_the_efficiency_against_the_floor_with_refusals_counts_refused_requests():
    """F' = N / ((1 - f) R): 10,000 copies, 5% refused: 10,526 requests, 21.05 s at 500/s."""
    result = bench_result(seconds=23.0)
    assert round(result.floor_with_refusals, 2) == 21.05
    assert round(result.efficiency_with_refusals, 1) == 91.5
    assert round(result.efficiency, 1) == 87.0
    assert "floor_with_refusals_seconds=21.05 efficiency_with_refusals=91.5%" in result.line()


def test_each_goal_answers_only_its_own_configuration():
    assert verdicts(bench_result(seconds=23.0)) == [
        "goal: PASS efficiency_with_refusals >= 90% at 500/s on postgresql with 2 senders "
        "(measured 91.5%)"
    ]
    assert verdicts(bench_result(seconds=24.0))[0].startswith("goal: MISS")
    # One sender at 500/s, or SQLite: no goal for that configuration.
    assert verdicts(bench_result(senders=1)) == []
    assert verdicts(bench_result(database="sqlite", senders=1)) == []
    at_50 = bench_result(rate=50.0, database="sqlite", senders=1, seconds=220.0)
    assert verdicts(at_50) == [
        "goal: PASS efficiency_with_refusals >= 95% at 50/s on sqlite with 1 sender "
        "(measured 95.7%)"
    ]


def test_a_crash_is_held_to_the_sends_in_flight_not_to_the_efficiency_goals():
    crashed = bench_result(mode="crash", duplicates=15, in_flight=14)
    assert verdicts(crashed) == [
        "goal: MISS duplicates after a crash <= sends in flight "
        "(duplicates=15 in_flight_at_kill=14)"
    ]
    assert verdicts(replace(crashed, duplicates=14))[0].startswith("goal: PASS")


async def test_the_identifier_scores_print_both_figures_and_the_speed():
    status, stdout, stderr = await run_bench("identifier_scores", "--speed")
    assert status == 0, stderr[-2000:]
    for name in ("per identifier", "per sample"):
        assert re.search(rf"^{name} +precision +\d+\.\d% +recall +\d+\.\d%", stdout, re.M)
    assert re.search(r"^slowest hostile 10,000-character text: .+ ms$", stdout, re.M)


async def test_the_reach_bench_installs_and_reaches_everyone_once():
    status, stdout, stderr = await run_bench("reach", "--people", "60")
    assert status == 0, stderr
    line = next(li for li in stdout.splitlines() if li.startswith("reach: "))
    assert "users=60 installed=60 unreachable=0" in line
    assert "lost=0 duplicates=0" in line
