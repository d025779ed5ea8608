"""Creating actions and editing their facts (usecases.action_facts) and the drift overview
(usecases.action_drift) on SQLite and PostgreSQL: who may, the plan import's rules, screening,
the version check, the audit per field, and that a refusal writes nothing.

Demo facts used: P05 is an admin; P14 Claire chairs NSIG (A13, A14); P09 Bethany leads A14 and
chairs only NCN; P16 is a member of NSIG who chairs nothing; P04 is the scrutineer; P07 Aisha
chairs CFAG and RRP.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.action_facts import can_edit_facts, may_create_actions, next_reference
from domain.permissions import Viewer
from storage.db import make_session_factory
from storage.models import Action, ActionLink, Agency, AuditEntry, Group, Priority
from tests.usecases.test_actions import NOW, RULES, count, viewer_of, work_on
from usecases.action_drift import drift_overview
from usecases.action_facts import FactsResult, create_action, edit_action, fact_choices
from usecases.actions import ActionRefused, NotAllowed
from usecases.context import JOBS

FORM = {
    "text": "Audit neglect referrals from GP practices",
    "group": "NSIG",
    "priority": "P4",
    "source": "SP",
    "lead": "P09",
    "due": "2027-06-30",
}


async def audit_of(engine: AsyncEngine, reference: str) -> list[AuditEntry]:
    async with make_session_factory(engine)() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.entity_id == reference))
        return list(rows)


async def action(engine: AsyncEngine, reference: str) -> Action:
    async with make_session_factory(engine)() as session:
        found = await session.scalar(select(Action).where(Action.reference == reference))
        assert found is not None
        return found


def test_next_reference_continues_the_most_used_series():
    assert next_reference(["A01", "A25", "A9", "B7", "X-1"]) == "A26"
    assert next_reference(["ACT-009", "ACT-010", "Z1"]) == "ACT-011"
    assert next_reference([]) == "A01"
    assert next_reference(["plan", "review"]) == "A01"


def test_who_may_set_facts():
    admin = Viewer(1, "P1", "A", "a@x", is_admin=True)
    chair = Viewer(2, "P2", "C", "c@x", chaired_group_ids=frozenset({7}))
    scrutineer = Viewer(3, "P3", "S", "s@x", is_scrutineer=True, chaired_group_ids=frozenset({7}))
    lead = Viewer(4, "P4", "L", "l@x", group_ids=frozenset({7}))
    assert can_edit_facts(admin, 99) and may_create_actions(admin)
    assert can_edit_facts(chair, 7) and not can_edit_facts(chair, 8) and may_create_actions(chair)
    assert not can_edit_facts(scrutineer, 7) and not may_create_actions(scrutineer)
    assert not can_edit_facts(lead, 7) and not may_create_actions(lead)


async def test_an_admin_creates_with_the_import_rules_and_every_field_is_audited(seeded_engine):
    admin = await viewer_of(seeded_engine, "P05")
    result = await create_action(admin, FORM, work_on(seeded_engine), rules=RULES)
    assert isinstance(result, FactsResult) and result.outcome == "saved"
    made = await action(seeded_engine, result.reference)
    assert made.reference == "A26" and made.status == "not_started" and made.version == 1
    assert made.lead_agency_id is not None  # the lead's agency
    fields = {row.field for row in await audit_of(seeded_engine, "A26") if row.event == "created"}
    assert fields == {
        "text",
        "group_id",
        "priority_id",
        "source_id",
        "lead_id",
        "lead_agency_id",
        "due_date",
    }


async def test_a_retired_priority_is_kept_where_it_is_and_given_to_nothing_else(seeded_engine):
    async with make_session_factory(seeded_engine)() as session, session.begin():
        priority = await session.scalar(select(Priority).where(Priority.code == "P4"))
        assert priority is not None
        priority.active = False
    admin = await viewer_of(seeded_engine, "P05")
    made = await create_action(admin, FORM, work_on(seeded_engine), rules=RULES)
    assert isinstance(made, FactsResult) and made.errors == {
        "priority": "P4 is retired; choose another priority"
    }
    kept = await edit_action(
        admin,
        "A14",
        {"priority": "P4", "due": "2027-01-29"},
        None,
        work_on(seeded_engine),
        rules=RULES,
    )
    assert isinstance(kept, FactsResult) and kept.outcome == "saved"
    moved = await edit_action(
        admin, "A01", {"priority": "P4"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(moved, FactsResult) and set(moved.errors) == {"priority"}


async def test_a_retired_group_or_agency_is_kept_where_it_is_and_offered_to_nothing_new(
    seeded_engine,
):
    async with make_session_factory(seeded_engine)() as session, session.begin():
        group = await session.scalar(select(Group).where(Group.code == "NSIG"))
        a14 = await session.scalar(select(Action).where(Action.reference == "A14"))
        assert group is not None and a14 is not None and a14.lead_agency_id is not None
        agency = await session.get(Agency, a14.lead_agency_id)
        assert agency is not None
        group.active = agency.active = False
        agency_code = agency.code
    admin = await viewer_of(seeded_engine, "P05")
    choices = await fact_choices(admin, work_on(seeded_engine))
    assert not isinstance(choices, NotAllowed)
    assert "NSIG" not in dict(choices.groups) and agency_code not in dict(choices.agencies)
    made = await create_action(
        admin, {**FORM, "agency": agency_code}, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(made, FactsResult) and made.errors == {
        "group": "NSIG is retired; choose another group",
        "agency": f"{agency_code} is retired; choose another agency",
    }
    kept = await edit_action(
        admin,
        "A14",
        {"group": "NSIG", "agency": agency_code, "due": "2027-01-29"},
        None,
        work_on(seeded_engine),
        rules=RULES,
    )
    assert isinstance(kept, FactsResult) and kept.outcome == "saved"
    moved = await edit_action(
        admin, "A01", {"group": "NSIG"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(moved, FactsResult) and set(moved.errors) == {"group"}


@pytest.mark.parametrize("code", ["P04", "P16"])
async def test_the_scrutineer_and_a_member_change_no_facts(seeded_engine, code: str):
    viewer = await viewer_of(seeded_engine, code)
    audits = await count(seeded_engine, AuditEntry)
    assert isinstance(
        await create_action(viewer, FORM, work_on(seeded_engine), rules=RULES), NotAllowed
    )
    assert isinstance(await fact_choices(viewer, work_on(seeded_engine)), NotAllowed)
    refused = await edit_action(
        viewer, "A14", {"due": "2027-01-29"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(refused, ActionRefused) and refused.reason == "not_yours_to_update"
    assert await count(seeded_engine, AuditEntry) == audits


async def test_the_lead_who_chairs_another_group_may_not_edit_her_actions_facts(seeded_engine):
    lead = await viewer_of(seeded_engine, "P09")
    refused = await edit_action(
        lead, "A14", {"due": "2027-01-29"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(refused, ActionRefused) and refused.reason == "not_yours_to_update"
    elsewhere = await create_action(lead, FORM, work_on(seeded_engine), rules=RULES)
    assert isinstance(elsewhere, FactsResult) and set(elsewhere.errors) == {"group"}


async def test_a_system_actor_changes_no_facts(seeded_engine):
    assert isinstance(
        await create_action(JOBS, FORM, work_on(seeded_engine), rules=RULES), NotAllowed
    )
    refused = await edit_action(
        JOBS, "A14", {"due": "2027-01-29"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(refused, ActionRefused)


async def test_a_chair_edits_her_groups_actions_only(seeded_engine):
    chair = await viewer_of(seeded_engine, "P14")
    choices = await fact_choices(chair, work_on(seeded_engine))
    assert not isinstance(choices, NotAllowed) and [code for code, _ in choices.groups] == ["NSIG"]
    saved = await edit_action(
        chair, "A14", {"due": "2027-01-29"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(saved, FactsResult) and saved.outcome == "saved"
    assert (await action(seeded_engine, "A14")).due_date == date(2027, 1, 29)
    elsewhere = await edit_action(
        chair, "A04", {"due": "2027-01-29"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(elsewhere, ActionRefused)
    out = await edit_action(
        chair, "A14", {"group": "QAP"}, None, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(out, FactsResult) and set(out.errors) == {"group"}


async def test_screening_asks_first_and_the_confirmation_is_bound_to_what_was_shown(seeded_engine):
    admin = await viewer_of(seeded_engine, "P05")
    work = work_on(seeded_engine)
    risky = {"text": "Ring the family on 07700 900123 about the plan"}
    asked = await edit_action(admin, "A14", risky, None, work, rules=RULES)
    assert isinstance(asked, FactsResult) and asked.outcome == "needs_confirmation"
    assert [f.field for f in asked.findings] == ["text"]
    other = {"text": "Ring the family on 07700 900999 about the plan"}
    stale = {**other, "confirm_not_personal": "true", "screened": asked.fingerprint}
    again = await edit_action(admin, "A14", stale, None, work, rules=RULES)
    assert isinstance(again, FactsResult) and again.outcome == "needs_confirmation"
    confirmed = {**risky, "confirm_not_personal": "true", "screened": asked.fingerprint}
    saved = await edit_action(admin, "A14", confirmed, None, work, rules=RULES)
    assert isinstance(saved, FactsResult) and saved.outcome == "saved"
    events = [row.event for row in await audit_of(seeded_engine, "A14")]
    assert events[-2:] == ["edited", "screening_confirmed"]


async def test_an_edit_over_a_newer_version_is_refused_and_changes_nothing(seeded_engine):
    admin = await viewer_of(seeded_engine, "P05")
    version = (await action(seeded_engine, "A14")).version
    first = await edit_action(
        admin, "A14", {"due": "2027-02-01"}, version, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(first, FactsResult) and first.outcome == "saved"
    assert (await action(seeded_engine, "A14")).version == version + 1
    late = await edit_action(
        admin, "A14", {"due": "2027-03-01"}, version, work_on(seeded_engine), rules=RULES
    )
    assert isinstance(late, FactsResult) and late.outcome == "conflict"
    assert (await action(seeded_engine, "A14")).due_date == date(2027, 2, 1)


async def test_an_edit_that_changes_nothing_writes_nothing(seeded_engine):
    admin = await viewer_of(seeded_engine, "P05")
    audits = await count(seeded_engine, AuditEntry)
    same = {"group": "NSIG", "due": (await action(seeded_engine, "A14")).due_date.isoformat()}
    result = await edit_action(admin, "A14", same, None, work_on(seeded_engine), rules=RULES)
    assert isinstance(result, FactsResult) and result.outcome == "saved"
    assert await count(seeded_engine, AuditEntry) == audits


async def test_a_new_action_like_one_from_another_source_is_suggested_as_an_overlap(seeded_engine):
    admin = await viewer_of(seeded_engine, "P05")
    a14 = await action(seeded_engine, "A14")
    form = {**FORM, "text": a14.text, "source": "IS-25-26"}
    made = await create_action(admin, form, work_on(seeded_engine), rules=RULES)
    assert isinstance(made, FactsResult) and made.outcome == "saved"
    new = await action(seeded_engine, made.reference)
    async with make_session_factory(seeded_engine)() as session:
        pair = sorted((a14.id, new.id))
        link = await session.scalar(
            select(ActionLink).where(
                ActionLink.first_id == pair[0], ActionLink.second_id == pair[1]
            )
        )
    assert link is not None and link.state == "suggested"


async def test_the_drift_overview_follows_the_chats_overview_rule(seeded_engine):
    work = work_on(seeded_engine)
    admin = await drift_overview(await viewer_of(seeded_engine, "P05"), work, now=NOW, rules=RULES)
    assert not isinstance(admin, NotAllowed) and admin.everything
    assert sum(sum(g.counts.values()) for g in admin.by_group) == 25
    assert sum(n for _, n in admin.overdue_bands) == len(admin.overview.overdue)
    chair = await drift_overview(await viewer_of(seeded_engine, "P07"), work, now=NOW, rules=RULES)
    assert not isinstance(chair, NotAllowed) and {g.code for g in chair.by_group} == {"CFAG", "RRP"}
    member = await drift_overview(await viewer_of(seeded_engine, "P16"), work, now=NOW, rules=RULES)
    assert isinstance(member, NotAllowed)
