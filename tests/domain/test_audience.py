"""Audience resolution: unions, people in several parts, guests and inactive people left out."""

from domain.audience import (
    AudienceDefinition,
    AudienceNames,
    Candidate,
    describe,
    matches,
    resolve,
)

EXEC, NCN, LL = 1, 2, 3
COUNCIL, POLICE, SCHOOLS = 10, 20, 30
GCP2 = 100

PEOPLE = [
    Candidate(1, COUNCIL, group_ids=frozenset({EXEC, LL}), reachable=True),
    Candidate(2, POLICE, group_ids=frozenset({EXEC}), reachable=True),
    Candidate(3, COUNCIL, is_champion=True, group_ids=frozenset({NCN, LL})),
    Candidate(4, SCHOOLS, is_champion=True, group_ids=frozenset({NCN}), reachable=True),
    Candidate(5, POLICE, booked_course_ids=frozenset({GCP2}), reachable=True),
    Candidate(6, COUNCIL, is_guest=True, group_ids=frozenset({EXEC}), reachable=True),
    Candidate(7, SCHOOLS, active=False, group_ids=frozenset({NCN}), is_champion=True),
    Candidate(8, SCHOOLS),
]


def test_everyone_is_every_active_member_and_never_a_guest_or_inactive_person():
    audience = resolve(AudienceDefinition(everyone=True), PEOPLE)
    assert audience.person_ids == (1, 2, 3, 4, 5, 8)
    assert audience.left_out_guests == 1
    assert audience.left_out_inactive == 1


def test_a_person_in_several_groups_is_counted_once():
    audience = resolve(AudienceDefinition(group_ids=frozenset({EXEC, LL})), PEOPLE)
    assert audience.person_ids == (1, 2, 3)
    assert audience.count == 3


def test_union_of_group_agency_champions_and_course():
    definition = AudienceDefinition(
        group_ids=frozenset({EXEC}),
        agency_ids=frozenset({SCHOOLS}),
        champions=True,
        course_ids=frozenset({GCP2}),
    )
    audience = resolve(definition, PEOPLE)
    # 1, 2 (Executive), 3, 4 (champions), 4, 8 (schools), 5 (booked); 6 guest, 7 inactive.
    assert audience.person_ids == (1, 2, 3, 4, 5, 8)
    assert audience.left_out_guests == 1
    assert audience.left_out_inactive == 1


def test_inactive_champion_left_out_even_when_matched_twice():
    definition = AudienceDefinition(group_ids=frozenset({NCN}), champions=True)
    audience = resolve(definition, PEOPLE)
    assert audience.person_ids == (3, 4)
    assert audience.left_out_inactive == 1
    assert audience.left_out_guests == 0


def test_reachable_counts_only_people_with_the_bot_installed():
    audience = resolve(AudienceDefinition(agency_ids=frozenset({COUNCIL})), PEOPLE)
    assert audience.person_ids == (1, 3)
    assert audience.reachable_ids == frozenset({1})
    assert (audience.reachable, audience.unreachable) == (1, 1)


def test_an_empty_definition_reaches_nobody():
    definition = AudienceDefinition()
    assert definition.is_empty
    assert resolve(definition, PEOPLE).count == 0
    assert not any(matches(definition, person) for person in PEOPLE)


def test_json_round_trip_and_garbage_ids_ignored():
    definition = AudienceDefinition(group_ids=frozenset({3, 1}), champions=True)
    assert AudienceDefinition.from_json(definition.as_json()) == definition
    assert definition.as_json()["groups"] == [1, 3]
    odd = AudienceDefinition.from_json({"groups": [1, "2", True, None], "everyone": 0})
    assert odd == AudienceDefinition(group_ids=frozenset({1}))
    assert AudienceDefinition.from_json(None) == AudienceDefinition()


def test_description_names_each_part():
    names = AudienceNames(
        groups={EXEC: "Executive"}, agencies={POLICE: "Downshire Police"}, courses={GCP2: "GCP2"}
    )
    definition = AudienceDefinition(
        group_ids=frozenset({EXEC}),
        agency_ids=frozenset({POLICE}),
        champions=True,
        course_ids=frozenset({GCP2}),
    )
    assert describe(definition, names) == (
        "Executive; Downshire Police; Neglect champions network; Booked on GCP2"
    )
    assert describe(AudienceDefinition(everyone=True, group_ids=frozenset({EXEC})), names) == (
        "Everyone"
    )
    assert describe(AudienceDefinition(), names) == "Nobody yet"
