"""Givens about the world outside the project: providers, risk, connectors, new users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowspec.bdd.docstrings import parse_object
from flowspec.bdd.scenario import scenario
from flowspec.errors import SettingsError

if TYPE_CHECKING:
    from flowspec.engine.doubles import StubbedResponse


def risk_score(context: Any, score: str) -> None:
    """The risk engine scores the next sign-in ``score`` (0 to 1)."""
    try:
        value = float(score)
    except ValueError:
        raise SettingsError(f"a risk score is a number from 0 to 1, not {score!r}") from None
    scenario(context).doubles().risk_score = value


def provider_user(context: Any, provider: str, email: str, name: str = "") -> None:
    """The OAuth provider signs the visitor in as ``email``."""
    user = {"email": email, "name": name or email.partition("@")[0]}
    scenario(context).doubles().oauth_users[provider.lower()] = user


def connector_answers(context: Any, name: str, body_text: str | None) -> None:
    scenario(context).doubles().connectors[name] = _stub(body=_response(body_text))


def connector_fails(context: Any, name: str, error: str) -> None:
    scenario(context).doubles().connectors[name] = _stub(error=error)


def scriptlet_answers(context: Any, name: str, body_text: str | None) -> None:
    scenario(context).doubles().scriptlets[name] = _stub(body=_response(body_text))


def new_user(context: Any, login_id: str) -> None:
    """``login_id`` has never signed in: the world must not know it."""
    if scenario(context).world.find_user(login_id) is not None:
        raise SettingsError(
            f"{login_id!r} is a user in scenarios/users.yaml, so it is not new; "
            "pick a login id no user has"
        )


def _stub(**answer: Any) -> StubbedResponse:
    """A connector's or scriptlet's stubbed answer (a ``body`` or an ``error``). The engine
    is imported here, on use, for the reason ``flowspec.bdd.scenario`` gives."""
    from flowspec.engine.doubles import StubbedResponse

    return StubbedResponse(**answer)


def _response(text: str | None) -> dict[str, Any]:
    """A stub's answer; no doc string answers an empty object."""
    return parse_object(text, "response", '{"ok": true}') if text else {}
