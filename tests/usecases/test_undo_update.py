"""Undoing an update saved by mistake (issue 20, item 8), on SQLite and PostgreSQL: the author's
own last update, within 15 minutes, while it is the action's newest; the action goes back to what
it was (status, RAG, dates, completion, impact) and the audit says an update was removed, by whom,
on which action, without its text.

Demo facts used: P12 Ruth leads A07 (Executive); P05 is an admin; P09 leads A14.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import actions as store
from storage.db import make_session_factory
from storage.models import Action, ActionUpdate, AuditEntry
from tests.usecases.test_actions import NOW, RULES, count, viewer_of, work_on
from usecases import actions as cases
from usecases.actions import SaveResult, UndoDone, UndoRefused, UndoRequest
from usecases.context import JOBS

FIELDS = (
    "status", "lead_rag", "slippage", "revised_due_date", "revised_due_reason", "status_reason",
    "completed_on", "impact", "impact_evidence", "last_update_on",
)  # fmt: skip


async def state_of(engine: AsyncEngine, reference: str) -> dict[str, object]:
    async with make_session_factory(engine)() as session:
        action = await session.scalar(select(Action).where(Action.reference == reference))
        assert action is not None
        return {name: getattr(action, name) for name in FIELDS}


async def save(engine, actor, reference, form, *, at=NOW) -> SaveResult:
    request = cases.UpdateRequest(reference, form)
    result = await cases.save_update(actor, request, work_on(engine), now=at, rules=RULES)
    assert isinstance(result, SaveResult) and result.saved, result
    return result


async def undo(engine, actor, update_id=None, *, at):
    return await cases.undo_update(actor, UndoRequest(update_id), work_on(engine), now=at)


async def audit_values(engine: AsyncEngine) -> list[str]:
    async with make_session_factory(engine)() as session:
        rows = await session.scalars(select(AuditEntry))
        return [f"{a.field} {a.old_value} {a.new_value}" for a in rows]


COMPLETING = {
    "status": "complete",
    "rag": "green",
    "note": "Protocol signed off by the Executive",
    "completed_on": "24/11/2026",
    "impact": "evidenced",
    "evidence": "Audit of 20 cases shows the protocol followed in 18",
}


async def test_within_15_minutes_the_update_is_removed_and_the_action_is_as_before(
    seeded_engine,
):
    ruth = await viewer_of(seeded_engine, "P12")
    before = await state_of(seeded_engine, "A07")
    saved = await save(seeded_engine, ruth, "A07", COMPLETING)
    assert (await state_of(seeded_engine, "A07"))["status"] == "complete"

    done = await undo(seeded_engine, ruth, saved.update_id, at=NOW + timedelta(minutes=14))

    assert isinstance(done, UndoDone)
    assert (done.shown.reference, done.dated) == ("A07", NOW.date())
    assert await state_of(seeded_engine, "A07") == before
    assert await count(seeded_engine, ActionUpdate) == 25
    async with make_session_factory(seeded_engine)() as session:
        trail = await store.audit_trail(session, "A07")
        version = await session.scalar(select(Action.version).where(Action.reference == "A07"))
    assert version == 3  # saved, then undone: a card built on the saved state is out of date
    removed = [a for a in trail if a.event == "update_removed"]
    assert {(a.field, a.old_value, a.new_value) for a in removed} >= {
        ("update_id", str(saved.update_id), None),
        ("status", "complete", before["status"]),
    }
    assert all(a.person_id == ruth.person_id for a in removed)
    assert not {a.field for a in removed} & {"impact_evidence", "note", "status_reason"}
    written = " ".join(f"{a.old_value} {a.new_value}" for a in removed)
    assert "Audit of 20 cases" not in written and "Protocol signed off" not in written


async def test_the_text_command_undoes_the_persons_own_last_update(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    before = await state_of(seeded_engine, "A07")
    await save(seeded_engine, ruth, "A07", {"rag": "red", "note": "Slipping", "slipping": "true"})
    done = await undo(seeded_engine, ruth, at=NOW + timedelta(minutes=2))
    assert isinstance(done, UndoDone)
    assert await state_of(seeded_engine, "A07") == before
    again = await undo(seeded_engine, ruth, at=NOW + timedelta(minutes=3))
    assert again == UndoRefused("nothing")  # her older updates predate undo: nothing of hers left


async def test_after_15_minutes_it_cannot_and_says_when_it_was_saved(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    saved = await save(seeded_engine, ruth, "A07", {"rag": "red", "note": "Slipping"})
    after = await state_of(seeded_engine, "A07")
    refused = await undo(seeded_engine, ruth, at=NOW + timedelta(minutes=15, seconds=1))
    assert refused == UndoRefused("too_late", "A07", NOW)
    assert await state_of(seeded_engine, "A07") == after
    assert await count(seeded_engine, ActionUpdate) == 26
    assert saved.update_id is not None


async def test_someone_elses_update_cannot_be_undone(seeded_engine):
    ruth, admin = await viewer_of(seeded_engine, "P12"), await viewer_of(seeded_engine, "P05")
    theirs = await save(seeded_engine, admin, "A07", {"rag": "red", "note": "Chased the lead"})
    audited = await count(seeded_engine, AuditEntry)
    refused = await undo(seeded_engine, ruth, theirs.update_id, at=NOW + timedelta(minutes=1))
    assert refused == UndoRefused("not_yours")
    assert await count(seeded_engine, ActionUpdate) == 26
    assert await count(seeded_engine, AuditEntry) == audited
    # A system actor has no updates of its own to undo.
    assert await undo(seeded_engine, JOBS, theirs.update_id, at=NOW) == UndoRefused("nothing")


async def test_a_newer_update_by_someone_else_keeps_hers(seeded_engine):
    ruth, admin = await viewer_of(seeded_engine, "P12"), await viewer_of(seeded_engine, "P05")
    mine = await save(seeded_engine, ruth, "A07", {"rag": "red", "note": "Slipping"})
    later = NOW + timedelta(minutes=5)
    await save(seeded_engine, admin, "A07", {"rag": "amber", "note": "Back on track"}, at=later)
    after = await state_of(seeded_engine, "A07")
    for update_id in (mine.update_id, None):
        refused = await undo(seeded_engine, ruth, update_id, at=later + timedelta(minutes=1))
        assert refused == UndoRefused("newer_update", "A07", NOW)
    assert await state_of(seeded_engine, "A07") == after
    assert await count(seeded_engine, ActionUpdate) == 27


async def test_undoing_a_screened_update_loses_nothing_else_and_audits_no_text(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    note = {"note": "Ring the YOI switchboard on 07700 900123"}
    warned = await cases.save_update(
        ruth, cases.UpdateRequest("A07", note), work_on(seeded_engine), now=NOW, rules=RULES
    )
    assert isinstance(warned, SaveResult) and warned.outcome == "needs_confirmation"
    confirmed = {**note, "screened": warned.check.fingerprint, "confirm_not_personal": "true"}
    async with make_session_factory(seeded_engine)() as session:
        earlier = {u.id: u.note for u in await session.scalars(select(ActionUpdate))}
    before = await state_of(seeded_engine, "A07")
    saved = await save(seeded_engine, ruth, "A07", confirmed)

    done = await undo(seeded_engine, ruth, saved.update_id, at=NOW + timedelta(minutes=1))

    assert isinstance(done, UndoDone)
    assert await state_of(seeded_engine, "A07") == before
    async with make_session_factory(seeded_engine)() as session:
        kept = {u.id: u.note for u in await session.scalars(select(ActionUpdate))}
        trail = await store.audit_trail(session, "A07")
    assert kept == earlier  # every other update, with its note, is still there
    assert [a.new_value for a in trail if a.event == "screening_confirmed"] == ["note: phone"]
    assert not any("07700" in v or "switchboard" in v for v in await audit_values(seeded_engine))


async def test_an_update_saved_before_undo_existed_cannot_be_undone(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    saved = await save(seeded_engine, ruth, "A07", {"note": "Old style"})
    async with make_session_factory(seeded_engine)() as session, session.begin():
        update = await session.get(ActionUpdate, saved.update_id)
        assert update is not None
        update.previous = None
    refused = await undo(seeded_engine, ruth, at=NOW + timedelta(minutes=1))
    assert refused == UndoRefused("not_recorded", "A07", NOW)


async def test_after_an_undo_the_update_before_it_can_be_undone_in_its_own_time(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    before = await state_of(seeded_engine, "A07")
    await save(seeded_engine, ruth, "A07", {"rag": "red", "note": "First"})
    await save(seeded_engine, ruth, "A07", {"rag": "green", "note": "Second"})
    first = await undo(seeded_engine, ruth, at=NOW + timedelta(minutes=1))
    assert isinstance(first, UndoDone)
    assert (await state_of(seeded_engine, "A07"))["lead_rag"] == "red"
    second = await undo(seeded_engine, ruth, at=NOW + timedelta(minutes=2))
    assert isinstance(second, UndoDone)
    assert await state_of(seeded_engine, "A07") == before
