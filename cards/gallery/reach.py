"""The reach report's sample states for the gallery (`python -m cards.gallery`)."""

from __future__ import annotations

from collections.abc import Iterable

from cards.common import Card
from cards.reach import ReachView, admins_only_card, reach_report_card


def gallery_states() -> Iterable[tuple[str, Card]]:
    yield (
        "reach.report.on",
        reach_report_card(
            ReachView(
                on_roster=120,
                installed=64,
                installable=30,
                installing=10,
                blocked=6,
                not_found=4,
                not_linked=3,
                failed=1,
                removed=2,
                guests=5,
                installs_on=True,
            )
        ),
    )
    yield ("reach.report.off", reach_report_card(ReachView(18, 1, 15, guests=1)))
    yield ("reach.refused", admins_only_card())
