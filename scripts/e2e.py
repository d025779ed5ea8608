"""`make e2e`: the bot end to end in the Microsoft 365 Agents Playground, driven headless.

This script owns the orchestration; `e2e/run.mjs` owns the journeys. In order: check for Node and
Chromium, install the pinned npm packages (`e2e/package-lock.json`) into `build/e2e-node/` when
the lock changed, build a fresh SQLite database with the demo partnership, start the bot in
development mode and the Playground on free loopback ports, wait for both, run the journeys, and
stop everything again, also when something fails. Screenshots and both logs land in `build/e2e/`.
Then the desk (the Teams tab, issue 17): its unit tests (Vitest), and its browser journeys
(`desk/tests/browser.mjs`) against a second bot started the same way on its own fresh database;
its screenshots land in `build/desk/`, its log in `build/e2e/desk-bot.log`. See docs/e2e.md.
Exit status: 0 all journeys passed, 1 a journey failed, 2 something needed was missing or did not
start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build"
OUT = BUILD / "e2e"
NODE_CACHE = BUILD / "e2e-node"
PACKAGE_FILES = ("package.json", "package-lock.json")
PLAYGROUND_CLI = NODE_CACHE / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
PLAYGROUND_CONFIG = REPO / ".m365agentsplayground.yml"
DRIVER = REPO / "e2e" / "run.mjs"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# The demo partnership's "now" for the run: Tuesday 22 December 2026, 09:30 London, inside
# sending hours, with Bethany's action A14 due within five working days (so a reminder is due).
CLOCK_START = "2026-12-22T09:30"
PERSON_EMAIL = "bethany.olufemi@riverside.example"
# The session the waiting-list journey finds full (scripts/e2e_data.py fills it before the run).
FULL_SESSION = "T2@2027-02-16"
START_TIMEOUT = 60.0
# Screenshots the user guide shows: build/e2e/<name> -> docs/images/<name>.
GUIDE_IMAGES = (
    "01-welcome.png",
    "02-my-actions.png",
    "03-update-form.png",
    "04-update-saved.png",
    "05-screening-warning.png",
    "06-upcoming.png",
    "07-course.png",
    "08-booked.png",
    "09-reminder.png",
    "10-reminder-saved.png",
    "11-announcement-received.png",
    "12-announcement-acknowledged.png",
    "13-announcement-report.png",
    # Everyday use (issue 20).
    "30-reminder-snoozed.png",
    "31-announcement-while-paused.png",
    "32-what-needs-you.png",
    "33-didnt-catch-that.png",
    "34-book-in-march.png",
    "35-gcp2-course.png",
    "36-update-undone.png",
)
GUIDE_IMAGE_LIMIT = 200 * 1024
DESK = REPO / "desk"
DESK_OUT = BUILD / "desk"
# The desk's chair: Helen Achebe chairs Quality Assurance and Performance (an action is overdue).
DESK_CHAIR = "P03"
DESK_CHAIR_GROUP = "QAP"
# Domestic Abuse and its Impact on Children, 9 December 2026: past at the clock's start.
DESK_PAST_SESSION = "T3@2026-12-09"
# The desk guide's screenshots: build/desk/<name> -> docs/images/desk-<name>.
DESK_GUIDE_IMAGES = (
    "register-filtered-light.png",
    "register-filtered-dark.png",
    "action-light.png",
    "action-dark.png",
    "calendar-month-light.png",
    "calendar-session-moved.png",
    "reference-course-error.png",
    "reference-reassign.png",
)


class Problem(Exception):
    """Something the run needs is missing or did not start; the message says what to do."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--docs-images",
        action="store_true",
        help="after a passing run, copy the user guide's screenshots to docs/images/",
    )
    parser.add_argument(
        "--part",
        choices=("all", "playground", "desk"),
        default="all",
        help="the Playground journeys, the desk's, or both (the default)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="JOURNEY",
        help="run only this journey (by its name in e2e/run.mjs; repeatable), after the welcome",
    )
    args = parser.parse_args(argv)
    chromium = os.environ.get("E2E_CHROMIUM", DEFAULT_CHROMIUM)
    try:
        node = prerequisites(chromium)
        status = 0
        if args.part in ("all", "playground"):
            install_node_packages()
            status = run(node, chromium, tuple(args.only))
        if args.part in ("all", "desk") and not args.only:
            status = max(status, run_desk(node, chromium))
    except Problem as problem:
        print(f"e2e: {problem}", file=sys.stderr)
        return 2
    if status == 0 and args.docs_images:
        if args.part in ("all", "playground"):
            copy_guide_images()
        if args.part in ("all", "desk"):
            copy_desk_images()
    return status


def prerequisites(chromium: str) -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        raise Problem("Node.js 20 or newer with npm is needed (apt-get install nodejs npm).")
    if not (Path(chromium).is_file() and os.access(chromium, os.X_OK)):
        raise Problem(
            f"Chromium was not found at {chromium}. Install Debian's package "
            "(sudo apt-get install -y chromium) or set E2E_CHROMIUM to a Chromium executable."
        )
    if not PLAYGROUND_CONFIG.is_file():
        raise Problem(f"{PLAYGROUND_CONFIG.name} is missing from the repository root.")
    return node


def install_node_packages() -> None:
    """npm ci into build/e2e-node/ when the pinned lock differs from the installed one."""
    NODE_CACHE.mkdir(parents=True, exist_ok=True)
    wanted = {name: (REPO / "e2e" / name).read_bytes() for name in PACKAGE_FILES}
    installed = {
        name: (NODE_CACHE / name).read_bytes() if (NODE_CACHE / name).exists() else b""
        for name in PACKAGE_FILES
    }
    if wanted == installed and PLAYGROUND_CLI.exists():
        return
    for name, content in wanted.items():
        (NODE_CACHE / name).write_bytes(content)
    print("e2e: installing the Agents Playground and playwright-core (npm ci) ...", flush=True)
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_CACHE,
        check=False,
    )
    if result.returncode != 0:
        (NODE_CACHE / "package-lock.json").unlink(missing_ok=True)
        raise Problem("npm ci failed in build/e2e-node/ (is the npm registry reachable?).")


def run(node: str, chromium: str, only: tuple[str, ...] = ()) -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "playground").mkdir(parents=True)
    bot_port, playground_port = free_port(), free_port()
    bot_env = bot_environment(bot_port)
    prepare_database(bot_env)
    with started(
        "bot", [sys.executable, str(REPO / "bot.py")], env=bot_env, cwd=REPO, log=OUT / "bot.log"
    ) as bot:
        wait_until_ready(f"http://127.0.0.1:{bot_port}/readyz", bot, "the bot")
        playground_command = [
            node,
            str(PLAYGROUND_CLI),
            "--app-endpoint",
            f"http://127.0.0.1:{bot_port}/api/messages",
            "--channel-id",
            "msteams",
            "--port",
            str(playground_port),
            "--disable-telemetry",
        ]
        with started(
            "playground",
            playground_command,
            env=playground_environment(),
            cwd=OUT / "playground",
            log=OUT / "playground.log",
        ) as playground:
            playground_url = f"http://localhost:{playground_port}/"
            wait_until_ready(playground_url, playground, "the Agents Playground")
            status = drive(node, chromium, playground_url, bot_env, only)
    if status != 0:
        show_log_tail(OUT / "bot.log")
        show_log_tail(OUT / "playground.log")
    return status


def run_desk(node: str, chromium: str) -> int:
    """The desk's unit tests, then its browser journeys against a bot of its own (fresh demo data).

    The desk must be built (`make desk`, which `make e2e` runs first) from its npm lockfile."""
    if not (DESK / "dist" / "index.html").is_file() or not (DESK / "node_modules").is_dir():
        raise Problem("the desk is not built: run `make desk` (npm ci and the build in desk/).")
    OUT.mkdir(parents=True, exist_ok=True)
    if DESK_OUT.exists():
        shutil.rmtree(DESK_OUT)
    began = time.monotonic()
    print("e2e: the desk's unit tests (vitest) ...", flush=True)
    unit = subprocess.run(["npm", "test"], cwd=DESK, env=base_environment(), check=False)
    if unit.returncode != 0:
        return 1
    port = free_port()
    database = OUT / "desk-bot.db"
    database.unlink(missing_ok=True)  # a fresh database each run, as for the Playground's bot
    env = bot_environment(port, database=database)
    prepare_database(env)  # T2 full, with a waiting list: the calendar journey moves it
    prepare_desk_training(env)
    bot_command = [sys.executable, str(REPO / "bot.py")]
    with started("desk's bot", bot_command, env=env, cwd=REPO, log=OUT / "desk-bot.log") as bot:
        wait_until_ready(f"http://127.0.0.1:{port}/readyz", bot, "the desk's bot")
        print("e2e: the desk's browser journeys against the bot ...", flush=True)
        browser_env = {
            **base_environment(),
            "DESK_URL": f"http://127.0.0.1:{port}/desk/",
            "DESK_CHROMIUM": chromium,
            "DESK_CHAIR": DESK_CHAIR,
            "DESK_CHAIR_GROUP": DESK_CHAIR_GROUP,
        }
        status = subprocess.run(
            [node, str(DESK / "tests" / "browser.mjs")], cwd=DESK, env=browser_env, check=False
        ).returncode
    if status != 0:
        show_log_tail(OUT / "desk-bot.log")
    print(f"e2e: the desk took {time.monotonic() - began:.0f}s", flush=True)
    return 1 if status else 0


def copy_desk_images() -> None:
    images = REPO / "docs" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name in DESK_GUIDE_IMAGES:
        source = DESK_OUT / name
        if source.stat().st_size > GUIDE_IMAGE_LIMIT:
            raise SystemExit(f"e2e: {name} is over {GUIDE_IMAGE_LIMIT // 1024} KB; not copied")
        shutil.copyfile(source, images / f"desk-{name}")
    print(f"e2e: copied {len(DESK_GUIDE_IMAGES)} desk screenshots to docs/images/")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_environment() -> dict[str, str]:
    """Only what the processes need, so that no setting leaks in from the caller's shell."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    return {name: os.environ[name] for name in keep if name in os.environ}


def bot_environment(port: int, database: Path = OUT / "bot.db") -> dict[str, str]:
    return {
        **base_environment(),
        "PYTHONPATH": str(REPO),
        "PYTHON_DOTENV_DISABLED": "1",
        "APP_ENV": "development",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "DEV_CLOCK_START": CLOCK_START,
        # Bethany sends the announcement, so she needs the business team's rights.
        "ADMIN_EMAILS": PERSON_EMAIL,
        # The run triggers scheduled work itself (POST /dev/run-jobs), so nothing arrives early.
        "SCHEDULER_ENABLED": "false",
        "LOG_LEVEL": "INFO",
    }


def playground_environment() -> dict[str, str]:
    return {
        **base_environment(),
        "APPLICATION_INSIGHTS_NO_STATSBEAT": "true",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(PLAYGROUND_CONFIG),
    }


def prepare_database(env: dict[str, str], *, fill_session: bool = True) -> None:
    """Migrations, the demo partnership, and a full session for the waiting-list journey."""
    steps = [("manage", ["upgrade"]), ("manage", ["seed-demo"])]
    if fill_session:
        steps.append(("scripts.e2e_data", ["fill", FULL_SESSION]))
    for module, command in steps:
        result = subprocess.run(
            [sys.executable, "-m", module, *command],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise Problem(f"{module} {command[0]} failed:\n{result.stderr.strip()}")


def prepare_desk_training(env: dict[str, str]) -> None:
    """Places booked on a session now past, for the desk's attendance journey."""
    result = subprocess.run(
        [sys.executable, "-m", "scripts.e2e_data", "book-past", DESK_PAST_SESSION],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise Problem(f"e2e_data book-past failed:\n{result.stderr.strip()}")


@contextmanager
def started(
    name: str, command: list[str], *, env: dict[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own process group, stopped (group and all) however the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop(process)
            print(f"e2e: stopped the {name} (log: {log.relative_to(REPO)})", flush=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_until_ready(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Problem(f"{what} exited at start (status {process.returncode}); see build/e2e/")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise Problem(f"{what} did not answer {url} within {START_TIMEOUT:.0f}s; see build/e2e/")


def drive(
    node: str,
    chromium: str,
    playground_url: str,
    bot_env: dict[str, str],
    only: tuple[str, ...] = (),
) -> int:
    env = {
        **base_environment(),
        "E2E_NODE_MODULES": str(NODE_CACHE / "node_modules"),
        "E2E_CHROMIUM": chromium,
        "E2E_PLAYGROUND_URL": playground_url,
        "E2E_BOT_URL": f"http://127.0.0.1:{bot_env['PORT']}",
        "E2E_OUT": str(OUT),
        # For the journeys' `python -m scripts.e2e_data free ...`, with the bot's settings.
        "E2E_PYTHON": sys.executable,
        "E2E_BOT_ENV": json.dumps(bot_env),
        "E2E_FULL_SESSION": FULL_SESSION,
        # The journeys to run (`--only`), one per line; empty: all of them.
        "E2E_ONLY": "\n".join(only),
    }
    return subprocess.run([node, str(DRIVER)], cwd=REPO, env=env, check=False).returncode


def show_log_tail(log: Path, lines: int = 25) -> None:
    if not log.exists():
        return
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    print(f"--- last lines of {log.relative_to(REPO)} ---", file=sys.stderr)
    print("\n".join(tail), file=sys.stderr)


def copy_guide_images() -> None:
    images = REPO / "docs" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name in GUIDE_IMAGES:
        source = OUT / name
        if source.stat().st_size > GUIDE_IMAGE_LIMIT:
            raise SystemExit(f"e2e: {name} is over {GUIDE_IMAGE_LIMIT // 1024} KB; not copied")
        shutil.copyfile(source, images / name)
    print(f"e2e: copied {len(GUIDE_IMAGES)} screenshots to docs/images/")


if __name__ == "__main__":
    sys.exit(main())
