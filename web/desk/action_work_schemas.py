"""The pydantic models of the desk's action work (web/desk/action_work.py): the facts form, an
overlap decision and the drift overview."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from web.desk.schemas import Choice, LeadChoice, Out

_TEXT = Field(None, max_length=4000)
_CODE = Field(None, max_length=32)
_REFERENCE = r"^[A-Za-z0-9_.-]{1,16}$"


def _plain_text(value: str | None) -> str | None:
    """Typed text keeps its line breaks and tabs; other control characters (a NUL, which the
    database refuses) and lone surrogates (not UTF-8) are not text anyone typed."""
    if value is not None and any(_not_typed(c) for c in value):
        raise ValueError("must not hold control characters")
    return value


def _not_typed(character: str) -> bool:
    code = ord(character)
    return (code < 32 and character not in "\n\r\t") or code == 127 or 0xD800 <= code <= 0xDFFF


class ActionFactsBody(BaseModel):
    """An action's facts. On create, `text`, `group`, `priority`, `source` and `due` are needed
    and a blank `reference` takes the next in the register's series (A26 after A25); on edit a
    field left out keeps its value and `version` refuses a save over a newer change (409).
    `lead` is a roster code ('' for none); `agency` defaults to the lead's agency. Screening works
    as for an update: a 422 `needs-confirmation`, then `confirm_not_personal` with `screened`."""

    model_config = ConfigDict(extra="forbid")

    reference: str | None = Field(None, max_length=16)
    text: str | None = _TEXT
    group: str | None = _CODE
    priority: str | None = _CODE
    source: str | None = _CODE
    lead: str | None = _CODE
    agency: str | None = _CODE
    due: str | None = Field(None, max_length=20, description="2027-03-31")
    confirm_not_personal: bool | None = None
    screened: str | None = Field(None, max_length=64)
    version: int | None = Field(None, ge=1, le=2**31 - 1)

    @field_validator("reference", "text", "group", "priority", "source", "lead", "agency", "due")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        return _plain_text(value)

    def form(self) -> dict[str, str]:
        sent = self.model_dump(exclude_unset=True, exclude={"version"})
        return {
            name: ("true" if value else "false") if isinstance(value, bool) else str(value)
            for name, value in sent.items()
            if value is not None
        }


class FactValues(Out):
    text: str
    group: str
    priority: str
    source: str
    lead: str = Field(description="The lead's roster code ('' when none)")
    agency: str
    due: str


class ActionFactsForm(Out):
    ref: str
    values: FactValues
    version: int
    can_edit: bool


class FactChoices(Out):
    groups: list[Choice] = Field(description="The groups the viewer may put an action in")
    priorities: list[Choice]
    sources: list[Choice]
    people: list[LeadChoice]
    agencies: list[Choice]
    next_reference: str


class OverlapDecision(BaseModel):
    """Link `other` to this action as the same work, or dismiss the suggestion."""

    model_config = ConfigDict(extra="forbid")

    other: str = Field(min_length=1, max_length=16, pattern=_REFERENCE)
    decision: Literal["link", "dismiss"]


class BucketCounts(Out):
    red: int
    amber: int
    green: int
    complete: int
    dropped: int


class DriftRow(Out):
    code: str
    name: str
    counts: BucketCounts


class Band(Out):
    label: str = Field(description="Working days overdue, such as '6 to 10'")
    count: int


class DriftTotals(Out):
    open: int
    overdue: int
    stale: int
    due_soon: int
    without_impact: int = Field(description="Complete without evidence of impact")
    disagreements: int = Field(
        description="Open actions whose lead's RAG differs from the derived one"
    )


class DriftOverview(Out):
    everything: bool
    group_names: list[str]
    by_group: list[DriftRow]
    by_priority: list[DriftRow]
    overdue_bands: list[Band]
    totals: DriftTotals
