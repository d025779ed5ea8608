"""The reference data API's models (web/desk/reference.py): each kind's item as listed, and
what the desk's forms send. Text goes through as typed (within a generous bound); the use case
checks it with the imports' own rules and names each field that does not fit."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from web.desk.schemas import Out

TEXT = 5000  # longer than any column: the import's checks give the field's real limit
CODE = 64


class Versioned(Out):
    code: str
    version: str = Field(description="A digest of the stored values; send it back with a change")


class PriorityItem(Versioned):
    name: str
    active: bool


class SourceItem(Versioned):
    title: str
    kind: str
    date: str = Field(description="2027-01-31, or '' when none")
    active: bool


class AgencyItem(Versioned):
    name: str
    kind: str
    statutory_partner: bool
    active: bool


class GroupItem(Versioned):
    name: str
    cadence: str
    chair: str = Field(description="The chair's roster code, or '' when none")
    chair_name: str
    joint: bool
    aliases: str
    active: bool


class CourseItem(Versioned):
    title: str
    mode: str
    duration: str
    capacity: int | None
    venue: str
    link: str
    description: str
    complete_within_months: int | None
    aliases: str
    active: bool


class PersonItem(Versioned):
    name: str
    email: str
    agency: str
    agency_name: str
    role: str
    champion: bool
    admin: bool
    scrutineer: bool
    active: bool


class PriorityList(Out):
    items: list[PriorityItem]
    can_edit: bool


class SourceList(Out):
    items: list[SourceItem]
    can_edit: bool


class AgencyList(Out):
    items: list[AgencyItem]
    can_edit: bool


class GroupList(Out):
    items: list[GroupItem]
    can_edit: bool


class CourseList(Out):
    items: list[CourseItem]
    can_edit: bool


class PersonList(Out):
    items: list[PersonItem]
    can_edit: bool


# -- what the forms send --------------------------------------------------------------------------


class Form(BaseModel):
    """`code` names a new item (an edit's comes from its path); `version` is the listed item's
    (needed for an edit); `confirm_not_personal`: what screening found is not personal data."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field("", max_length=CODE)
    version: str | None = Field(None, max_length=32)
    confirm_not_personal: bool = False

    def values(self) -> dict[str, str]:
        """The form's fields as the import's columns (text; yes/no for flags)."""
        sent = self.model_dump(exclude={"version", "confirm_not_personal"})
        return {
            name: ("yes" if value else "no") if isinstance(value, bool) else str(value)
            for name, value in sent.items()
        }


class PriorityForm(Form):
    name: str = Field(max_length=TEXT)


class SourceForm(Form):
    title: str = Field(max_length=TEXT)
    kind: str = Field(max_length=CODE, description="plan, review, audit, scrutiny or other")
    date: str = Field("", max_length=CODE, description="31/01/2027 or 2027-01-31; '' for none")


class AgencyForm(Form):
    name: str = Field(max_length=TEXT)
    kind: str = Field("", max_length=TEXT)
    statutory_partner: bool = False


class GroupForm(Form):
    name: str = Field(max_length=TEXT)
    cadence: str = Field("", max_length=TEXT)
    chair: str = Field("", max_length=CODE, description="The chair's roster code; '' for none")
    joint: bool = False
    aliases: str = Field("", max_length=TEXT)


class CourseForm(Form):
    title: str = Field(max_length=TEXT)
    mode: str = Field(max_length=CODE, description="Teams, in person, hybrid or e-learning")
    duration: str = Field("", max_length=TEXT)
    capacity: str = Field("", max_length=CODE, description="Places; '' for unlimited")
    venue: str = Field("", max_length=TEXT)
    link: str = Field("", max_length=TEXT)
    description: str = Field("", max_length=TEXT)
    complete_within_months: str = Field("", max_length=CODE)
    aliases: str = Field("", max_length=TEXT)


class PersonForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=TEXT)
    email: str = Field(max_length=TEXT)
    agency: str = Field(max_length=CODE, description="The agency's code")
    role: str = Field("", max_length=TEXT)
    champion: bool = False
    admin: bool = False
    scrutineer: bool = False
    version: str | None = Field(None, max_length=32)


class VersionForm(BaseModel):
    """A retirement or reinstatement, from the version listed."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(max_length=32)


class Deactivation(BaseModel):
    """Deactivate a person from the version listed, giving each open action they lead a new
    lead: action reference -> the new lead's roster code."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(max_length=32)
    reassign: dict[str, str] = Field(default_factory=dict[str, str], max_length=500)


class OpenAction(Out):
    ref: str
    title: str


class OpenActions(Out):
    items: list[OpenAction]
