"""Always-there commands: help, hello and thanks."""

from __future__ import annotations

from cards.data.general import HelpData, ThanksData, WelcomeData
from cards.verbs import Verb
from cards.welcome import help_card, welcome_card
from dialogs.registry import Audience, Registry, Reply, Turn


async def show_help(turn: Turn, _data: HelpData) -> Reply:
    # Help is for everyone: in a channel or group chat it is posted there, so it offers only what
    # everyone there may use.
    offered = turn.registry.help_for(None if turn.shared else turn.viewer)
    return Reply(card=help_card(offered), audience=Audience.CONVERSATION)


async def thanks(_turn: Turn, _data: ThanksData) -> Reply:
    # A plain sentence where it was said (a channel too): no card, nothing to read past.
    return Reply(text="You're welcome.", audience=Audience.CONVERSATION)


async def show_welcome(turn: Turn, _data: WelcomeData) -> Reply:
    viewer = turn.viewer
    assert viewer is not None  # the router answers unknown people before any handler runs
    return Reply(
        card=welcome_card(
            viewer.name,
            viewer.role_names,
            turn.registry.help_for(viewer),
            turn.services.partnership_name,
        )
    )


def register(registry: Registry) -> None:
    registry.text(
        "help",
        [
            r"help( me)?( please)?|i need help|\?|commands|menu|options",
            r"what can (you do|i (say|ask|type))|how does (this|it) work",
        ],
        show_help,
        example="help",
        description="what I can do",
        data=HelpData,
    )
    registry.text(
        "hello",
        [
            r"(hi|hiya|heya|hello|hey|howdy|yo|morning|good (morning|afternoon|evening))"
            r"( there| all| everyone)?( bot)?"
        ],
        show_welcome,
        example="hello",
        description="your welcome card and roles",
        in_help=False,
        data=WelcomeData,
    )
    registry.text(
        "thanks",
        [
            r"((ok|okay|great|brilliant|perfect|lovely|super|fab|many|that's great) )*"
            r"(thanks|thank you|cheers|ta|ty)( very much| so much| a lot| loads| again)?( bot)?"
        ],
        thanks,
        example="thanks",
        description="you're welcome",
        in_help=False,
        data=ThanksData,
    )
    registry.verb(Verb.HELP, show_help, HelpData)
    registry.verb(Verb.WELCOME, show_welcome, WelcomeData)
