"""Hostile import files (issue 16): how long the command line takes to answer each, and at what
peak memory.

    python -m bench.hostile_files                 # every case
    python -m bench.hostile_files --cases ics     # one or more of: ics, plan-csv, plan-xlsx,
                                                  #   plan-short-csv, zip-bomb
    python -m bench.hostile_files --timeout 120   # stop a case after this many seconds

Each case is one run of `python -m manage import-meetings|import-actions FILE` against a demo
partnership in a SQLite file in a temporary directory, in a fresh process, and prints

    hostile: case=NAME bytes=B exit=E seconds=S peak_mb=M answer=FIRST LINES OF STDERR

where S is the wall time of the command and M its peak resident set size (`ru_maxrss`, from
`os.wait4`): the whole process, interpreter and imports included. exit is the command's status
(1: refused, 0: imported; "timeout" when it ran past --timeout, "killed" when it died of a
signal, e.g. out of memory).

The cases:
- ics: the 675-byte iCalendar file whose rule repeats every second of every day
  (FREQ=DAILY;BYHOUR=0..23;BYMINUTE=0..59;BYSECOND=0..59, listed in full).
- plan-csv / plan-xlsx: a business plan of 100,000 rows (about 300 bytes a row in CSV).
- plan-short-csv: 100,000 rows short enough that the file stays under the byte limit, so it is
  the row limit that answers.
- zip-bomb: an .xlsx of a few hundred KB whose sheet unpacks to about a gigabyte.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROWS = 100_000
PLAN_COLUMNS = ["reference", "priority", "source", "action", "lead", "group", "due", "status"]


def hostile_ics() -> bytes:
    hours = ",".join(str(h) for h in range(24))
    minutes = ",".join(str(m) for m in range(60))
    seconds = ",".join(str(s) for s in range(60))
    rule = f"RRULE:FREQ=DAILY;BYHOUR={hours};BYMINUTE={minutes};BYSECOND={seconds}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:x",
        "BEGIN:VEVENT",
        "UID:h@x",
        "SUMMARY:Every second of every day",
        "DTSTART:20270101T000000Z",
        "DTEND:20270101T000001Z",
        "CATEGORIES:EXEC",
        rule,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    # RFC 5545 folds lines at 75 octets; the parser unfolds them.
    folded = []
    for line in lines:
        while len(line) > 75:
            folded.append(line[:75])
            line = " " + line[75:]
        folded.append(line)
    return ("\r\n".join(folded) + "\r\n").encode()


def plan_rows(short: bool) -> list[list[str]]:
    rows = []
    for n in range(ROWS):
        if short:
            rows.append([f"H{n}", "P1", "SP", "x", "P05", "EXEC", "", ""])
        else:
            rows.append(
                [
                    f"H{n}",
                    "P1",
                    "SP",
                    f"Action {n}: publish the revised multi-agency safeguarding arrangements "
                    "and report progress to the Executive with evidence of impact on practice "
                    "across every partner agency in the partnership area this year",
                    "priya.ramanathan@riverside.example",
                    "EXEC",
                    "30/09/2027",
                    "in progress",
                ]
            )
    return rows


def write_csv(path: Path, short: bool) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PLAN_COLUMNS)
        writer.writerows(plan_rows(short))


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.append(PLAN_COLUMNS)
    for row in plan_rows(short=False):
        sheet.append(row)
    workbook.save(path)


def write_zip_bomb(path: Path) -> None:
    """A real workbook whose one sheet holds a gigabyte of blank cells padding one row."""
    from openpyxl import Workbook

    small = path.with_suffix(".seed.xlsx")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Actions"
    sheet.append(PLAN_COLUMNS)
    workbook.save(small)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w") as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b" " * 1_000_000_000 + b"</sheetData>")
            bomb.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    small.unlink()


def write_ics(path: Path) -> None:
    path.write_bytes(hostile_ics())


CASES: dict[str, tuple[str, str, Callable[[Path], None]]] = {
    "ics": ("hostile.ics", "import-meetings", write_ics),
    "plan-csv": ("plan.csv", "import-actions", lambda p: write_csv(p, short=False)),
    "plan-xlsx": ("plan.xlsx", "import-actions", write_xlsx),
    "plan-short-csv": ("short.csv", "import-actions", lambda p: write_csv(p, short=True)),
    "zip-bomb": ("bomb.xlsx", "import-actions", write_zip_bomb),
}


def run_measured(
    args: list[str], env: dict[str, str], timeout: float
) -> tuple[str, float, float, str]:
    """Exit status, wall seconds, peak RSS in MB and the first line of stderr of one command."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "manage", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
        status = "timeout"
        usage = None
        deadline = started + timeout
        while time.perf_counter() < deadline:
            pid, code, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                signalled = os.WIFSIGNALED(code)
                status = "killed" if signalled else str(os.waitstatus_to_exitcode(code))
                break
            time.sleep(0.05)
        if status == "timeout":
            os.killpg(process.pid, signal.SIGKILL)
            _pid, _code, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        err.seek(0)
        lines = [line.strip() for line in err.read().decode(errors="replace").splitlines()]
    answer = " ".join(line for line in lines[:2] if line)
    if len(lines) > 12:
        answer += f" ... ({len(lines)} lines of stderr: {lines[-1][:80]})"
    peak_mb = usage.ru_maxrss / 1024 if usage is not None else 0.0
    return status, seconds, peak_mb, answer[:200]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--build", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.build:
        case, path = options.build
        CASES[case][2](Path(path))
        return
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        env = {
            **os.environ,
            "PYTHON_DOTENV_DISABLED": "1",
            "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'bench.db'}",
            "SCHEDULER_ENABLED": "false",
        }
        for setup in (["upgrade"], ["seed-demo"]):
            subprocess.run(
                [sys.executable, "-m", "manage", *setup],
                cwd=REPO,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        for case in options.cases:
            name, command, _build = CASES[case]
            path = directory / name
            # Built in a process of its own: a child's peak memory starts at its parent's size
            # when it was forked, so the bench itself stays small.
            subprocess.run(
                [sys.executable, "-m", "bench.hostile_files", "--build", case, str(path)],
                cwd=REPO,
                env=env,
                check=True,
            )
            status, seconds, peak_mb, answer = run_measured(
                [command, str(path), "--today", "2026-11-24"]
                if command == "import-actions"
                else [command, str(path)],
                env,
                options.timeout,
            )
            print(
                f"hostile: case={case} bytes={path.stat().st_size} exit={status} "
                f"seconds={seconds:.2f} peak_mb={peak_mb:.0f} answer={answer}",
                flush=True,
            )
            path.unlink()


if __name__ == "__main__":
    main()
