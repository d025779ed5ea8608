"""The bot's Prometheus metrics: one `Metrics` per application, each with its own registry.

Owns the metric families and the only words allowed as label values. Labels are always drawn from
small fixed sets (activity types, route patterns, job ids, outbox statuses, send outcomes), never
from what arrives in a request: a label holding message text or a user id would leak personal data
into the monitoring system and give every person their own time series. Anything outside a set is
reported as "other".

Imports nothing of ours, so every layer that reports something (the HTTP edge, the turn middleware,
the jobs, the dispatcher) can be handed a `Metrics` without depending on the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

OTHER = "other"
TURN_KINDS = frozenset(
    {
        "message",
        "invoke",
        "conversationUpdate",
        "installationUpdate",
        "messageReaction",
        "messageUpdate",
        "messageDelete",
        "event",
        "typing",
    }
)
TURN_OUTCOMES = frozenset({"ok", "error", "unsent", "duplicate", "refused_tenant"})
SEND_OUTCOMES = frozenset(
    {"sent", "retried", "failed", "unreachable", "cancelled", "deferred", "lease_lost", "error"}
)
JOB_OUTCOMES = frozenset({"ok", "error"})
# Why the Bot Connector did not take a turn's reply (delivery.adapter.connector_failure), or
# "refused" (a 4xx) for what a click sends besides its answer.
UNSENT_REASONS = frozenset({"unreachable", "timeout", "throttled", "error_answer", "refused"})
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"})
# A turn is expected in tens of milliseconds; Teams gives up after about 15 seconds.
TURN_SECONDS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)
JOB_SECONDS_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)


def bounded(value: str | None, allowed: Iterable[str]) -> str:
    """`value` when it is one of `allowed`, else "other"."""
    return value if value is not None and value in allowed else OTHER


class Metrics:
    """The application's metric families, registered on a registry of its own."""

    def __init__(self, *, outbox_statuses: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self._outbox_statuses = frozenset(outbox_statuses)
        self._turns = Counter(
            "partnership_bot_turns",
            "Activities that reached the bot, by activity type and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self._turn_seconds = Histogram(
            "partnership_bot_turn_seconds",
            "Time to handle one activity, by activity type",
            ["kind"],
            buckets=TURN_SECONDS_BUCKETS,
            registry=self.registry,
        )
        self._http = Counter(
            "partnership_bot_http_requests",
            "HTTP requests answered, by route pattern, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self._jobs = Counter(
            "partnership_bot_job_runs",
            "Scheduled job runs, by job and outcome",
            ["job", "outcome"],
            registry=self.registry,
        )
        self._job_seconds = Histogram(
            "partnership_bot_job_seconds",
            "Time one scheduled job run took",
            ["job"],
            buckets=JOB_SECONDS_BUCKETS,
            registry=self.registry,
        )
        self._outbox = Gauge(
            "partnership_bot_outbox_messages",
            "Outbox rows by status, as last counted by the outbox_depth job (shared database: "
            "every instance reports the same numbers)",
            ["status"],
            registry=self.registry,
        )
        self._sends = Counter(
            "partnership_bot_sends",
            "Outbox messages seen to an outcome by this instance's dispatcher",
            ["outcome"],
            registry=self.registry,
        )
        self._throttled = Counter(
            "partnership_bot_throttled",
            "HTTP 429 (Too Many Requests) answers to proactive sends (reminders, announcements)",
            registry=self.registry,
        )
        self._unsent = Counter(
            "partnership_bot_unsent_replies",
            "Replies in a turn that the Bot Connector did not take (no connection, a timeout, "
            "throttled, a 5xx, or a 4xx for a click's confirmation), by reason",
            ["reason"],
            registry=self.registry,
        )
        for reason in sorted(UNSENT_REASONS):
            self._unsent.labels(reason)
        # Series that alerts divide by exist from the start, at zero, rather than appearing with
        # the first failure.
        for outcome in ("sent", "retried", "failed", "unreachable"):
            self._sends.labels(outcome)

    # -- what each layer reports ------------------------------------------------------------------

    def turn(self, kind: str | None, outcome: str, seconds: float) -> None:
        label = bounded(kind, TURN_KINDS)
        self._turns.labels(label, bounded(outcome, TURN_OUTCOMES)).inc()
        self._turn_seconds.labels(label).observe(seconds)

    def http_request(self, route: str, method: str, status: int) -> None:
        """`route` must be a route pattern (or a fixed word), never the requested path."""
        self._http.labels(route, bounded(method, HTTP_METHODS), str(status)).inc()

    def job_run(self, job: str, outcome: str, seconds: float) -> None:
        """`job` is the job's id in the code, never anything a person typed."""
        self._jobs.labels(job, bounded(outcome, JOB_OUTCOMES)).inc()
        self._job_seconds.labels(job).observe(seconds)

    def outbox_depth(self, counts: Mapping[str, int]) -> None:
        for status, count in counts.items():
            self._outbox.labels(bounded(status, self._outbox_statuses)).set(count)

    def sends(self, outcomes: Mapping[str, int]) -> None:
        """The dispatcher's outcome counts for one batch."""
        for outcome, count in outcomes.items():
            if count:
                self._sends.labels(bounded(outcome, SEND_OUTCOMES)).inc(count)

    def throttled(self) -> None:
        self._throttled.inc()

    def reply_unsent(self, reason: str) -> None:
        """A reply the Bot Connector did not take; `reason` is one of UNSENT_REASONS."""
        self._unsent.labels(bounded(reason, UNSENT_REASONS)).inc()

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)
