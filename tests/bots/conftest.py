"""Fixtures for the conversation engine tests: the engine and citizens at various stages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bots.engine import Engine
from bots.flows import default_engine
from bots.prompts import Option
from bots.session import Session
from tests.bots.support import LOCALITIES, Chat, make_ctx


@pytest.fixture
def engine() -> Engine:
    """The engine with every built-in flow."""
    return default_engine()


@pytest.fixture
def chat(engine: Engine) -> Chat:
    """A citizen who already chose English."""
    return Chat(engine, make_ctx("en"))


@pytest.fixture
def chat_hi(engine: Engine) -> Chat:
    """A citizen who already chose Hindi."""
    return Chat(engine, make_ctx("hi"))


@pytest.fixture
def newcomer(engine: Engine) -> Chat:
    """A citizen writing for the first time: no language yet, no session."""
    return Chat(engine, make_ctx(None))


@pytest.fixture
def make_chat(engine: Engine) -> Callable[..., Chat]:
    """Build a chat with a custom context or stored session."""
    def build(language: str | None = "en", localities: tuple[Option, ...] = LOCALITIES,
              resumed: bool = False, session: Session | None = None) -> Chat:
        """A chat in the test city."""
        return Chat(engine, make_ctx(language, localities, resumed), session)
    return build
