"""The desk API's request and response models (pydantic). The OpenAPI document
(`web/desk/openapi.py`) is generated from these, so the models are the one description of what
goes in and out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Sort = Literal[
    "ref",
    "title",
    "group",
    "priority",
    "source",
    "lead",
    "agency",
    "status",
    "rag",
    "lead_rag",
    "due",
    "revised_due",
    "overdue_working_days",
    "last_update_at",
]
Status = Literal["not_started", "in_progress", "complete", "dropped"]
LeadRag = Literal["red", "amber", "green"]


class Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# -- errors ---------------------------------------------------------------------------------------


class FieldError(Out):
    field: str
    message: str


class Finding(Out):
    """A likely personal identifier screening found in a text about to be saved."""

    field: str
    kind: str
    label: str


class ProblemDetails(Out):
    """RFC 9457 problem details. An update whose text screening questions adds `findings` and
    the `screened` fingerprint to send back with `confirm_not_personal`."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    findings: list[Finding] | None = None
    screened: str | None = None
    actions: list[str] | None = Field(
        default=None, description="The open actions a person to deactivate still leads"
    )


# -- who is signed in -----------------------------------------------------------------------------


class Abilities(Out):
    edit_actions: bool
    edit_reference: bool
    import_files: bool
    see_drift: bool = Field(False, description="The drift overview: chairs, and who reads all")
    create_actions: bool = Field(False, description="Add actions: admins, and chairs")


class Me(Out):
    id: str = Field(description="The person's roster code, like P05")
    name: str
    roles: list[str]
    is_admin: bool
    is_scrutineer: bool
    can: Abilities
    partnership: str


class DevPerson(Out):
    id: str
    name: str
    roles: list[str]


class DevSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: str = Field(min_length=1, max_length=16)


class DevToken(Out):
    token: str


# -- the register ---------------------------------------------------------------------------------


def _no_control_characters(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not hold control characters")
    return value.strip()


class RegisterParams(BaseModel):
    """The register's query: filters (empty means any), text search, sort and page."""

    model_config = ConfigDict(extra="ignore")

    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)
    group: str = Field("", max_length=32, description="A group's code")
    priority: str = Field("", max_length=32, description="A priority's code")
    source: str = Field("", max_length=32, description="A source's code")
    lead: str = Field("", max_length=32, description="The lead's roster code")
    agency: str = Field("", max_length=32, description="The lead agency's code")
    status: Literal["", "not_started", "in_progress", "complete", "dropped"] = ""
    rag: Literal["", "red", "amber", "green", "none"] = Field(
        "", description="The RAG the partnership's rules derive ('none': complete or dropped)"
    )
    lead_rag: Literal["", "red", "amber", "green"] = Field("", description="The lead's own RAG")
    overdue: bool | None = None
    stale: bool | None = None
    no_impact: bool | None = Field(None, description="Complete without evidence of impact")
    q: str = Field("", max_length=200, description="Words in the reference, text or lead's name")
    sort: Sort = "ref"
    order: Literal["asc", "desc"] = "asc"

    @field_validator("group", "priority", "source", "lead", "agency", "q")
    @classmethod
    def _plain(cls, value: str) -> str:
        return _no_control_characters(value)


class RegisterItem(Out):
    ref: str
    title: str
    group: str = Field(description="The owning group's code")
    group_name: str
    priority: str
    priority_name: str
    source: str
    lead: str = Field(description="The lead's name ('' when none)")
    lead_id: str | None = Field(description="The lead's roster code")
    agency: str = Field(description="The lead agency's name")
    status: Status
    rag: LeadRag | None = Field(description="Derived; none for complete or dropped actions")
    lead_rag: LeadRag | None
    due: date
    revised_due: date | None
    overdue_working_days: int
    last_update_at: date | None
    can_update: bool


class RegisterPage(Out):
    items: list[RegisterItem]
    total: int
    page: int
    page_size: int


class Choice(Out):
    code: str
    name: str


class LeadChoice(Out):
    id: str
    name: str


class RegisterFilters(Out):
    groups: list[Choice]
    priorities: list[Choice]
    sources: list[Choice]
    leads: list[LeadChoice]
    agencies: list[Choice]
    statuses: list[str]
    rags: list[str]
    lead_rags: list[str]


# -- one action -----------------------------------------------------------------------------------


class Link(Out):
    ref: str
    title: str
    source: str
    status: str
    state: str


class ActionFacts(Out):
    ref: str
    title: str
    description: str
    group: str
    group_name: str
    priority: str
    priority_name: str
    source: str
    source_title: str
    lead: str
    lead_id: str | None
    agency: str
    status: Status
    status_reason: str
    rag: LeadRag | None
    lead_rag: LeadRag | None
    at_risk: bool
    slippage: bool
    due: date
    revised_due: date | None
    revised_due_reason: str
    overdue_working_days: int
    last_update_at: date | None
    completed_on: date | None
    impact: Literal["evidenced", "awaited", "not_applicable"] | None
    impact_evidence: str
    version: int
    links: list[Link]


class UpdateItem(Out):
    at: datetime
    dated: date
    by: str
    rag: LeadRag | None
    note: str
    status: str
    revised_due: date | None = Field(
        default=None, description="Not kept per update; the action's facts hold it"
    )
    complete: bool


class HistoryItem(Out):
    at: datetime
    actor: str
    event: str
    field: str
    from_: str | None = Field(serialization_alias="from")
    to: str | None


class ActionPage(Out):
    action: ActionFacts
    updates: list[UpdateItem]
    history: list[HistoryItem]
    can_update: bool


class ActionUpdate(BaseModel):
    """A progress update, as the chat's update card sends it: fields left out keep their stored
    value; `note` is always needed. `version` is the action's version the form was built from
    (a save over someone else's newer change is refused with 409)."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(max_length=4000)
    status: Status | None = None
    rag: Literal["", "red", "amber", "green"] | None = None
    slipping: bool | None = None
    revised_due: str | None = Field(None, max_length=20, description="2027-01-31; '' clears it")
    revised_reason: str | None = Field(None, max_length=4000)
    drop_reason: str | None = Field(None, max_length=4000)
    completed_on: str | None = Field(None, max_length=20)
    impact: Literal["evidenced", "awaited", "not_applicable"] | None = None
    evidence: str | None = Field(None, max_length=4000)
    confirm_not_personal: bool | None = None
    screened: str | None = Field(None, max_length=64)
    version: int | None = Field(None, ge=1, le=2**31 - 1)

    def form(self) -> dict[str, str]:
        """The fields that were sent, as the update form's values (strings, as card inputs)."""
        sent = self.model_dump(exclude_unset=True, exclude={"version"})
        return {
            name: ("true" if value else "false") if isinstance(value, bool) else str(value)
            for name, value in sent.items()
            if value is not None
        }


# Models the OpenAPI document holds besides those the operations name (web/desk/openapi.py).
SHARED_MODELS: tuple[type[BaseModel], ...] = (ProblemDetails, DevPerson, DevToken)
