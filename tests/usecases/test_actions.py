"""The action register's use cases on SQLite and PostgreSQL: who may read, update, link and export,
what a refusal writes (nothing), the card's version check and the audit.

Demo facts used: P12 Ruth leads A07 (Executive); P09 Bethany, a champion, leads A14 (NSIG) and
is not on the Rapid Review Panel, which owns A16; P04 is the scrutineer; P05 an admin; P17 is
only in the Neglect Champions Network (A17); P07 Aisha leads A03 and chairs CFAG and RRP.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.actions import RagThresholds
from domain.permissions import Viewer
from storage import actions as store
from storage.db import make_session_factory
from storage.models import Action, ActionLink, ActionUpdate, AuditEntry, OutboxMessage, Person
from storage.people import viewer_for
from usecases import actions as cases
from usecases.actions import (
    ActionList,
    ActionRefused,
    ActionRules,
    ActionShown,
    ListRequest,
    NotAllowed,
    OverlapDecided,
    OverlapRequest,
    OverviewShown,
    SaveResult,
    UpdateRequest,
)
from usecases.context import COMMAND_LINE, JOBS, Actor, UnitOfWork
from usecases.register_export import export_register, register_size

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RULES = ActionRules(ZoneInfo("Europe/London"), RagThresholds(), ("riverside.example",))


async def viewer_of(engine: AsyncEngine, code: str) -> Viewer:
    async with make_session_factory(engine)() as session:
        person = await session.scalar(select(Person).where(Person.code == code))
        assert person is not None
        return await viewer_for(session, person)


def work_on(engine: AsyncEngine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(engine))


async def count(engine: AsyncEngine, model: type) -> int:
    async with make_session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def version_of(engine: AsyncEngine, reference: str) -> int | None:
    async with make_session_factory(engine)() as session:
        return await session.scalar(select(Action.version).where(Action.reference == reference))


async def save(
    engine: AsyncEngine, actor: Actor, reference: str, form: dict[str, str], **request: object
) -> SaveResult | ActionRefused:
    update = UpdateRequest(reference, form, **request)  # type: ignore[arg-type]
    return await cases.save_update(actor, update, work_on(engine), now=NOW, rules=RULES)


# -- reading --------------------------------------------------------------------------------------


async def test_visible_actions_follow_the_permission_rules(seeded_engine):
    everything = ListRequest(status="all")
    found = {}
    for code in ("P04", "P17"):
        viewer = await viewer_of(seeded_engine, code)
        listed = await cases.drift_list(
            viewer, everything, work_on(seeded_engine), now=NOW, rules=RULES
        )
        assert isinstance(listed, ActionList)
        found[code] = sorted(a.reference for a in listed.items)
    assert len(found["P04"]) == 25  # the scrutineer reads everything
    # P17 is only in the Neglect Champions Network, which owns A17.
    assert found["P17"] == ["A17"]


async def test_my_actions_are_what_each_person_leads_or_chairs(seeded_engine):
    async with make_session_factory(seeded_engine)() as session:
        register = await store.list_actions(session)
        codes = list(await session.scalars(select(Person.code).order_by(Person.code)))
    for code in codes:
        viewer = await viewer_of(seeded_engine, code)
        found = await cases.my_actions(
            viewer, ListRequest(status="all"), work_on(seeded_engine), now=NOW, rules=RULES
        )
        assert isinstance(found, ActionList)
        expected = [
            a.reference
            for a in register
            if a.lead_id == viewer.person_id or a.group_id in viewer.chaired_group_ids
        ]
        assert [a.reference for a in found.mine] == expected, code
        assert sorted(a.reference for a in found.items) == expected, code
    listed = await cases.my_actions(
        JOBS, ListRequest(status="all"), work_on(seeded_engine), now=NOW, rules=RULES
    )
    assert isinstance(listed, ActionList) and listed.mine == [] and listed.items == []


async def test_a_system_actor_reads_every_action(seeded_engine):
    listed = await cases.drift_list(
        JOBS, ListRequest(status="all"), work_on(seeded_engine), now=NOW, rules=RULES
    )
    assert isinstance(listed, ActionList) and len(listed.items) == 25
    shown = await cases.show_action(JOBS, "a07", work_on(seeded_engine))
    assert isinstance(shown, ActionShown)
    assert (shown.reference, shown.can_update) == ("A07", False)


@pytest.mark.parametrize(
    ("code", "reference", "expected"),
    [
        ("P12", "A07", ("shown", True)),  # the lead
        ("P04", "A07", ("not_yours_to_update", "")),  # the scrutineer reads, changes nothing
        ("P09", "A07", ("not_yours", "Executive")),  # not hers to see: the owner is named
        ("P09", "A99", ("not_found", "")),
    ],
)
async def test_the_update_form_is_only_for_those_who_may_update(
    seeded_engine, code, reference, expected
):
    viewer = await viewer_of(seeded_engine, code)
    opened = await cases.open_update_form(viewer, reference, work_on(seeded_engine))
    if isinstance(opened, ActionShown):
        assert ("shown", opened.can_update) == expected
    else:
        assert (opened.reason, opened.group_name) == expected
        assert opened.reference == reference


async def test_an_unknown_scope_is_answered_with_the_priorities(seeded_engine):
    viewer = await viewer_of(seeded_engine, "P09")
    request = ListRequest(scope="basket weaving")
    found = await cases.my_actions(viewer, request, work_on(seeded_engine), now=NOW, rules=RULES)
    assert not isinstance(found, ActionList)
    assert found.phrase == "basket weaving"
    assert ("P4", "Neglect") in found.priorities


async def test_the_overview_is_for_chairs_and_readers_of_everything(seeded_engine):
    member = await viewer_of(seeded_engine, "P16")
    assert isinstance(
        await cases.overview(member, work_on(seeded_engine), now=NOW, rules=RULES), NotAllowed
    )
    chair = await viewer_of(seeded_engine, "P14")
    chaired = await cases.overview(chair, work_on(seeded_engine), now=NOW, rules=RULES)
    assert isinstance(chaired, OverviewShown) and not chaired.everything
    assert chaired.group_names == ["Neglect Strategy Implementation Group"]
    assert chaired.overview.total == 2


# -- saving updates -------------------------------------------------------------------------------


async def test_saving_writes_the_action_the_update_and_the_audit_in_one_go(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    form = {"status": "in_progress", "rag": "red", "note": "Protocol drafted"}
    result = await save(seeded_engine, ruth, "a07", form, version=1)
    assert isinstance(result, SaveResult)
    assert result.saved and result.reference == "A07"
    assert result.detail.summary.version == 2  # the detail is the action as it now is
    async with make_session_factory(seeded_engine)() as session:
        action = await session.scalar(select(Action).where(Action.reference == "A07"))
        assert action is not None
        assert (action.lead_rag, action.last_update_on, action.version) == ("red", NOW.date(), 2)
        trail = await store.audit_trail(session, "A07")
    assert [(a.event, a.field, a.old_value, a.new_value) for a in trail[-2:]] == [
        ("updated", "lead_rag", "amber", "red"),
        ("progress_update", "update_id", None, str(result.update_id)),
    ]
    assert all((a.person_id, a.actor) == (ruth.person_id, "") for a in trail[-2:])


@pytest.mark.parametrize(
    ("code", "reference", "form", "version", "outcome"),
    [
        ("P09", "A07", {"note": "x"}, None, "not_yours"),  # not lead, chair or admin
        ("P04", "A07", {"note": "x"}, None, "not_yours_to_update"),  # the scrutineer
        ("P12", "A99", {"note": "x"}, None, "not_found"),
        ("P12", "A07", {"note": ""}, None, "invalid"),
        ("P12", "A07", {"note": "call 07700 900123"}, None, "needs_confirmation"),
        ("P12", "A07", {"note": "x"}, 0, "conflict"),  # a card built before the last update
    ],
)
async def test_refused_updates_write_nothing(
    seeded_engine, code, reference, form, version, outcome
):
    viewer = await viewer_of(seeded_engine, code)
    audited = await count(seeded_engine, AuditEntry)
    result = await save(seeded_engine, viewer, reference, form, version=version)
    assert (result.reason if isinstance(result, ActionRefused) else result.outcome) == outcome
    assert await count(seeded_engine, ActionUpdate) == 25
    assert await count(seeded_engine, AuditEntry) == audited
    assert await version_of(seeded_engine, "A07") == 1


async def test_a_stale_card_gets_the_conflict_with_what_was_typed(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    first = await save(seeded_engine, ruth, "A07", {"note": "First"}, version=1)
    assert isinstance(first, SaveResult) and first.saved
    again = await save(seeded_engine, ruth, "A07", {"note": "From the old card"}, version=1)
    assert isinstance(again, SaveResult)
    assert again.outcome == "conflict" and again.update_id is None
    assert again.check.values["note"] == "From the old card"
    assert again.detail.summary.version == 2
    assert await version_of(seeded_engine, "A07") == 2


@pytest.mark.parametrize("actor", [JOBS, COMMAND_LINE])
async def test_a_system_actor_cannot_update(seeded_engine, actor):
    result = await save(seeded_engine, actor, "A07", {"note": "Done by the machine"})
    assert result == ActionRefused("not_yours_to_update", "A07")
    assert await count(seeded_engine, ActionUpdate) == 25
    assert await version_of(seeded_engine, "A07") == 1


async def test_the_date_of_an_update_is_the_london_date(seeded_engine):
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (British Summer Time).
    late = datetime(2027, 5, 31, 23, 30, tzinfo=UTC)
    admin = await viewer_of(seeded_engine, "P05")
    update = UpdateRequest("A02", {"note": "ok"})
    result = await cases.save_update(admin, update, work_on(seeded_engine), now=late, rules=RULES)
    assert isinstance(result, SaveResult) and result.saved
    async with make_session_factory(seeded_engine)() as session:
        dated = await session.scalar(
            select(ActionUpdate.dated).where(ActionUpdate.id == result.update_id)
        )
    assert dated == date(2027, 6, 1)


async def test_a_confirmed_screening_is_audited_as_kinds_only(seeded_engine):
    ruth = await viewer_of(seeded_engine, "P12")
    note = {"note": "Ring the YOI switchboard on 07700 900123"}
    warned = await save(seeded_engine, ruth, "A07", note)
    assert isinstance(warned, SaveResult) and warned.outcome == "needs_confirmation"
    confirmed = {**note, "screened": warned.check.fingerprint, "confirm_not_personal": "true"}
    result = await save(seeded_engine, ruth, "A07", confirmed)
    assert isinstance(result, SaveResult) and result.saved and result.check.confirmed
    async with make_session_factory(seeded_engine)() as session:
        trail = await store.audit_trail(session, "A07")
    assert [a.new_value for a in trail if a.event == "screening_confirmed"] == ["note: phone"]


async def pending_reminder(engine: AsyncEngine, person_code: str, subject: str) -> int:
    async with make_session_factory(engine)() as session, session.begin():
        person_id = await session.scalar(select(Person.id).where(Person.code == person_code))
        row = OutboxMessage(
            kind="action_overdue",
            subject=subject,
            recipient=f"person:{person_id}",
            occurrence=f"test-{person_code}",
            person_id=person_id,
            not_before=NOW,
        )
        session.add(row)
        await session.flush()
        return row.id


async def status_of(engine: AsyncEngine, message_id: int) -> str | None:
    async with make_session_factory(engine)() as session:
        return await session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.id == message_id)
        )


async def test_an_update_answers_the_updaters_own_waiting_reminders(seeded_engine):
    mine = await pending_reminder(seeded_engine, "P07", "action:A03")
    the_chairs = await pending_reminder(seeded_engine, "P02", "action:A03")
    aisha = await viewer_of(seeded_engine, "P07")
    kinds = ("action_overdue", "action_stale")
    refused = await save(seeded_engine, aisha, "A03", {"note": ""}, answers_reminders=kinds)
    assert isinstance(refused, SaveResult) and refused.outcome == "invalid"
    assert await status_of(seeded_engine, mine) == "pending"
    saved = await save(
        seeded_engine, aisha, "A03", {"note": "ToR drafted"}, answers_reminders=kinds
    )
    assert isinstance(saved, SaveResult) and saved.saved
    assert await status_of(seeded_engine, mine) == "cancelled"
    assert await status_of(seeded_engine, the_chairs) == "pending"


# -- overlap links --------------------------------------------------------------------------------


async def decide(
    engine: AsyncEngine, actor: Actor, reference: str, other: str, state: str
) -> OverlapDecided | ActionRefused:
    request = OverlapRequest(reference, other, state)  # type: ignore[arg-type]
    return await cases.decide_overlap(actor, request, work_on(engine), now=NOW)


async def test_linking_and_dismissing_are_audited_on_both_actions(seeded_engine):
    admin = await viewer_of(seeded_engine, "P05")
    linked = await decide(seeded_engine, admin, "A24", "A23", "linked")
    assert isinstance(linked, OverlapDecided) and linked.outcome == "linked"
    assert [(link.reference, link.state) for link in linked.shown.detail.links] == [
        ("A23", "linked")
    ]
    dismissed = await decide(seeded_engine, admin, "A02", "A03", "dismissed")
    assert isinstance(dismissed, OverlapDecided) and dismissed.outcome == "dismissed"
    async with make_session_factory(seeded_engine)() as session:
        a23 = await store.action_detail(session, "A23")
        assert a23 is not None
        assert [(link.reference, link.state) for link in a23.links] == [("A24", "linked")]
        a02 = await store.action_detail(session, "A02")
        assert a02 is not None and a02.links == []
        rows = await session.scalars(
            select(AuditEntry).where(
                AuditEntry.event.in_(["overlap_linked", "overlap_dismissed"]),
                AuditEntry.person_id == admin.person_id,
            )
        )
        events = sorted((a.entity_id, a.event, a.old_value, a.new_value) for a in rows)
    assert events == [
        ("A02", "overlap_dismissed", None, "A03 dismissed"),
        ("A03", "overlap_dismissed", None, "A02 dismissed"),
        ("A23", "overlap_linked", "A24 suggested", "A24 linked"),
        ("A24", "overlap_linked", "A23 suggested", "A23 linked"),
    ]


async def test_linking_needs_update_rights_on_the_action(seeded_engine):
    champion = await viewer_of(seeded_engine, "P17")
    outcome = await decide(seeded_engine, champion, "A23", "A24", "linked")
    assert outcome == ActionRefused("not_yours", "A23", "Joint Training and Workforce Development")
    async with make_session_factory(seeded_engine)() as session:
        linked = await session.scalar(
            select(func.count()).select_from(ActionLink).where(ActionLink.state == "linked")
        )
    assert linked == 2


@pytest.mark.parametrize("state", ["linked", "dismissed"])
async def test_an_other_action_she_may_not_read_is_as_one_that_does_not_exist(seeded_engine, state):
    """Was linked: Bethany may update A14, and A16 (the Rapid Review Panel's) was linked to it,
    shown to her and audited on A16."""
    bethany = await viewer_of(seeded_engine, "P09")
    audited, links = await count(seeded_engine, AuditEntry), await count(seeded_engine, ActionLink)

    unseen = await decide(seeded_engine, bethany, "A14", "A16", state)
    missing = await decide(seeded_engine, bethany, "A14", "A999", state)

    assert isinstance(unseen, OverlapDecided) and isinstance(missing, OverlapDecided)
    assert (unseen.outcome, unseen.other) == ("other_not_found", "A16")
    assert unseen.shown == missing.shown
    assert "A16" not in [link.reference for link in unseen.shown.detail.links]
    assert await count(seeded_engine, AuditEntry) == audited
    assert await count(seeded_engine, ActionLink) == links


async def test_a_system_actor_cannot_link(seeded_engine):
    assert await decide(seeded_engine, JOBS, "A23", "A24", "linked") == ActionRefused(
        "not_yours_to_update", "A23"
    )


# -- the export -----------------------------------------------------------------------------------


async def test_the_register_is_exported_for_admins_and_the_command_line_only(seeded_engine):
    work = work_on(seeded_engine)
    today, thresholds = date(2026, 11, 24), RagThresholds()
    admin, member = await viewer_of(seeded_engine, "P05"), await viewer_of(seeded_engine, "P09")
    for actor in (admin, COMMAND_LINE):
        rows = await export_register(actor, work, today=today, thresholds=thresholds)
        assert not isinstance(rows, NotAllowed) and len(rows) == 25
        assert await register_size(actor, work) == 25
    refused = await export_register(member, work, today=today, thresholds=thresholds)
    assert isinstance(refused, NotAllowed)
    assert isinstance(await register_size(member, work), NotAllowed)
