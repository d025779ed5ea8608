"""Hostile cells in the reference sheets (Priorities, Sources, Courses) get row-and-field messages,
never an exception, on SQLite and PostgreSQL.

Found while writing the import: a capacity of thousands of digits raised ValueError (Python's
limit on converting long digit strings), and a NUL from a CSV cell reached PostgreSQL, which cannot
store it. Each example runs in a transaction that is rolled back, so examples do not meet.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from fileformats.tabular import ImportErrors, Row
from storage.db import make_session_factory
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.strategies import UNSTORABLE, hostile_text
from usecases.context import COMMAND_LINE
from usecases.reference_import import ReferenceTables, apply_reference

COLUMNS = {
    "Priorities": ("code", "name", "active"),
    "Sources": ("code", "title", "kind", "date", "active"),
    "Courses": (
        "code",
        "title",
        "mode",
        "duration",
        "capacity",
        "venue",
        "link",
        "description",
        "complete_within_months",
        "active",
    ),
}
# Good values, so that rows often pass every other check and a hostile cell reaches the database.
PLAUSIBLE = {
    "code": ["", "-"],  # made unique per row below, so that codes rarely collide
    "kind": ["audit", "plan"],
    "mode": ["Teams", "hybrid", "e-learning"],
    "date": ["31/01/2027", "31/02/2027"],
    "capacity": ["12", "", "unlimited"],
    "active": ["yes", "no", ""],
    "link": ["https://x.example/a"],
    "complete_within_months": ["6", ""],
}
REQUIRED = {"code", "name", "title", "kind", "mode"}


def cell(column: str) -> st.SearchStrategy[str]:
    """Free text is hostile half the time; the other columns a quarter (a bad one there fails
    the row, and a row with a problem is never written)."""
    good = st.sampled_from(PLAUSIBLE.get(column, ["Safer sleep", ""]))
    if column not in PLAUSIBLE:
        return st.one_of(good, hostile_text(), st.sampled_from(UNSTORABLE))
    return st.one_of(good, good, good, hostile_text())


@st.composite
def sheet(draw: st.DrawFn, title: str) -> list[Row]:
    optional = [c for c in COLUMNS[title] if c not in REQUIRED]
    columns = [c for c in COLUMNS[title] if c in REQUIRED]
    columns += draw(st.lists(st.sampled_from(optional), unique=True))
    rows = draw(
        st.lists(st.fixed_dictionaries({c: cell(c) for c in columns}), min_size=0, max_size=2)
    )
    for number, values in enumerate(rows, start=2):
        if values["code"] in PLAUSIBLE["code"]:
            values["code"] = f"C{values['code']}{number}"
    return [Row(title, number, values) for number, values in enumerate(rows, start=2)]


@fuzz_settings
@given(priorities=sheet("Priorities"), sources=sheet("Sources"), courses=sheet("Courses"))
async def test_hostile_reference_cells_get_row_messages(
    engine: AsyncEngine, priorities, sources, courses
):
    tables = ReferenceTables(priorities=priorities, sources=sources, courses=courses)
    errors = ImportErrors()
    async with make_session_factory(engine)() as session:
        await apply_reference(COMMAND_LINE, tables, session, errors)
        await session.rollback()
    rows = {(row.sheet, row.number) for row in (*priorities, *sources, *courses)}
    for error in errors.errors:
        assert (error.sheet, error.row) in rows
        assert error.field in COLUMNS[error.sheet]
        assert error.message
