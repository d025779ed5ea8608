"""The docs say what is true: every command they give exists, and the design notes the code cites
are in the repository (issue 15, item 4)."""

import argparse
import importlib.util
import re
from pathlib import Path

import pytest

from manage.cli import parser

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
SOURCES = sorted(
    path
    for folder in (
        "bot.py",
        "config",
        "domain",
        "storage",
        "usecases",
        "fileformats",
        "cards",
        "delivery",
        "jobs",
        "web",
        "dialogs",
        "manage",
        "scripts",
        "tests",
        "docs",
    )
    for path in ([REPO / folder] if folder.endswith(".py") else (REPO / folder).rglob("*"))
    if path.suffix in {".py", ".md"}
)
MANAGE = re.compile(r"python -m manage ([a-z][a-z-]*)")
MODULE = re.compile(r"python -m ([A-Za-z_][\w.]*)")
CITED = re.compile(r"docs/[\w/.-]+\.md")


def manage_commands() -> set[str]:
    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return set(subparsers.choices)


def doc_texts() -> list[tuple[str, str]]:
    return [(str(path.relative_to(REPO)), path.read_text(encoding="utf-8")) for path in DOCS]


def test_the_guard_reads_the_docs_and_the_commands():
    assert len(DOCS) >= 10 and {"upgrade", "import-roster", "extend-series"} <= manage_commands()
    assert any(MANAGE.search(text) for _name, text in doc_texts())


@pytest.mark.parametrize(("name", "text"), doc_texts(), ids=[str(p.name) for p in DOCS])
def test_every_manage_command_in_the_docs_exists(name, text):
    known = manage_commands()
    unknown = sorted({m for m in MANAGE.findall(text) if m not in known})
    assert unknown == [], f"{name} gives commands python -m manage does not have: {unknown}"


@pytest.mark.parametrize(("name", "text"), doc_texts(), ids=[str(p.name) for p in DOCS])
def test_every_python_module_the_docs_run_exists(name, text):
    """`python -m storage.manage_meetings extend-series` ran nothing: no such module."""
    missing = sorted(
        {m for m in MODULE.findall(text) if m != "pip" and importlib.util.find_spec(m) is None}
    )
    assert missing == [], f"{name} runs modules that do not exist: {missing}"


def test_the_design_notes_the_code_cites_are_in_the_repository():
    cited_missing = sorted(
        f"{path.relative_to(REPO)}: {doc}"
        for path in SOURCES
        for doc in set(CITED.findall(path.read_text(encoding="utf-8")))
        if not (REPO / doc).is_file()
    )
    assert cited_missing == []
    outside = sorted(
        str(path.relative_to(REPO))
        for path in SOURCES
        if path != Path(__file__)
        and re.search(r"\b(DOMAIN|ARCHITECTURE)\.md\b", path.read_text(encoding="utf-8"))
    )
    assert outside == [], "cite docs/design/domain.md or docs/design/architecture.md"
