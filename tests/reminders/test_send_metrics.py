"""The dispatcher's sends reach the app's metrics: outcomes (sent, retried, failed, unreachable)
and the 429s the Bot Connector answered."""

from prometheus_client.parser import text_string_to_metric_families

from bot import METRICS
from tests.reminders.conftest import enqueue, note, person_id
from tests.support.harness import demo_user

P07, P08 = demo_user("P07"), demo_user("P08")


def counted(harness, name: str, **labels: str) -> float:
    exposition = harness.app[METRICS].exposition().decode()
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


async def test_sends_and_429s_are_counted(harness, dispatcher, sessions, clock):
    await harness.install(P07)
    await harness.install(P08)
    p07, p08 = await person_id(sessions, "P07"), await person_id(sessions, "P08")
    await enqueue(sessions, note(p07, "n:1", when=clock.now), note(p08, "n:2", when=clock.now))
    harness.connector.fail_next(429, 1, retry_after="0")

    assert await dispatcher.run_once() == {"retried": 1, "sent": 1}
    assert counted(harness, "partnership_bot_throttled_total") == 1
    assert counted(harness, "partnership_bot_sends_total", outcome="retried") == 1
    assert counted(harness, "partnership_bot_sends_total", outcome="sent") == 1

    harness.connector.blocked_conversations.add(P07.personal_conversation)
    harness.connector.blocked_conversations.add(P08.personal_conversation)
    await enqueue(sessions, note(p07, "n:3", when=clock.now))
    await dispatcher.drain()
    assert counted(harness, "partnership_bot_sends_total", outcome="unreachable") == 2
    assert counted(harness, "partnership_bot_sends_total", outcome="failed") == 0
    assert counted(harness, "partnership_bot_throttled_total") == 1
