"""Social login: start the OAuth redirect and exchange the code the provider returns.

How a run meets the test world's provider:

1. ``oauth-start`` (sign up or in), ``oauth-start-sign-in`` and ``oauth-start-sign-up``
   pick the provider of the social button clicked (``provider``), else the task's
   ``defaultProvider`` argument, and pause with ``flow.action = "redirect"`` and
   ``flow.redirect.url`` an authorize URL on the fake host ``oauth.flowspec.test``:
   ``https://oauth.flowspec.test/<provider>/authorize?response_type=code&...&state=<s>``.
2. The test world's provider, once the user consents, sends the browser back with an
   exchange code, and that code is the URL's ``state``: :func:`provider_code` reads it, so
   a step needs nothing but the context to play the provider. A code of another run, an
   older start, or any other text is not this run's.
3. The client resumes the run with ``submit`` and the code in the input ``exchangeCode``
   (the name Descope's SDKs send after a redirect). ``form.code`` is not read: an OTP screen
   earlier in the flow may have left a ``code`` there.
4. ``exchange-oauth-code`` (the ``.end`` task) checks the code, then asks the scenario who
   the provider says the user is (``doubles.oauth_users[provider]``, at least an
   ``email``), and signs that user in with ``amr`` ``oauth``: the user whose login id is the
   email, or, when signing up, a new user with that login id and a verified email.

The error names ``NoOAuthProvider`` and ``InvalidOAuthCode`` are flowspec's: Descope's own
names for these outcomes are not public. ``UserNotFound`` and ``UserAlreadyExists`` are the
names the other sign-in actions use.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from flowspec.engine.actions.authentication import identify, sign_in
from flowspec.engine.actions.registry import REGISTRY, Outcome, Pause
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.engine.users import UserRecord
from flowspec.errors import MissingStubError

Mode = Literal["sign-up-or-in", "sign-in", "sign-up"]

PROVIDER_HOST = "oauth.flowspec.test"
_PENDING = "oauth"
_CODE_INPUT = "exchangeCode"
_SCOPE = "openid email profile"

_START_READS = ("provider",)
_START_WRITES = ("provider", "flow.redirect")
_START_ERRORS = ("NoOAuthProvider",)


def provider_code(url: str) -> str:
    """The exchange code the test world's provider hands back for this authorize URL."""
    return parse_qs(urlsplit(url).query).get("state", [""])[0]


@REGISTRY.action(
    "oauth-start", reads=_START_READS, writes=_START_WRITES, errors=_START_ERRORS, pauses=True
)
def oauth_start(state: RunState, task: Task) -> Outcome:
    """Redirect to the provider; the exchange signs in a known user or signs up a new one."""
    return _start(state, task, "sign-up-or-in")


@REGISTRY.action(
    "oauth-start-sign-in",
    reads=_START_READS,
    writes=_START_WRITES,
    errors=_START_ERRORS,
    pauses=True,
)
def oauth_start_sign_in(state: RunState, task: Task) -> Outcome:
    """Redirect to the provider; the exchange only signs in a user the project knows."""
    return _start(state, task, "sign-in")


@REGISTRY.action(
    "oauth-start-sign-up",
    reads=_START_READS,
    writes=_START_WRITES,
    errors=_START_ERRORS,
    pauses=True,
)
def oauth_start_sign_up(state: RunState, task: Task) -> Outcome:
    """Redirect to the provider; the exchange only signs up a user the project lacks."""
    return _start(state, task, "sign-up")


@REGISTRY.action(
    "exchange-oauth-code",
    reads=("form.exchangeCode",),
    writes=("user", "unauthUser.loginId", "authInfo.user", "authInfo.firstSeen"),
    errors=("InvalidOAuthCode", "UserNotFound", "UserAlreadyExists"),
)
def exchange_oauth_code(state: RunState, task: Task) -> Outcome:
    """Take this run's exchange code and sign in, or sign up, the user the provider returns.

    An unstubbed provider user raises ``MissingStubError``; a code this run's start did not
    issue is ``InvalidOAuthCode``.
    """
    pending = state.pending.pop(_PENDING, None)
    if pending is None:
        return Outcome("InvalidOAuthCode", "no OAuth redirect of this run is waiting for a code")
    if state.form.get(_CODE_INPUT) != pending["code"]:
        return Outcome(
            "InvalidOAuthCode",
            f"the {_CODE_INPUT} sent is not the code the {pending['provider']} redirect "
            "of this run issued",
        )
    email = _provider_email(state, task, pending["provider"])
    return _sign_in_or_up(state, email, pending)


def _start(state: RunState, task: Task, mode: Mode) -> Outcome:
    provider = state.provider or str(task.arguments.get("defaultProvider") or "")
    if not provider:
        return Outcome(
            "NoOAuthProvider",
            "no social button named a provider and the task has no defaultProvider",
        )
    state.provider = provider
    code = secrets.token_urlsafe(24)
    state.pending[_PENDING] = {"provider": provider, "mode": mode, "code": code}
    return Outcome(pause=Pause("redirect", {"url": _authorize_url(state, task, provider, code)}))


def _authorize_url(state: RunState, task: Task, provider: str, code: str) -> str:
    query: dict[str, str] = {
        "response_type": "code",
        "client_id": state.project_id,
        "redirect_uri": f"https://{state.project_id}.localhost/oauth/callback",
        "scope": _SCOPE,
        "state": code,
        "nonce": secrets.token_urlsafe(16),
    }
    prompt = task.arguments.get("prompt")
    if prompt:
        query["prompt"] = " ".join(prompt) if isinstance(prompt, list) else str(prompt)
    return f"https://{PROVIDER_HOST}/{quote(provider, safe='')}/authorize?{urlencode(query)}"


def _provider_email(state: RunState, task: Task, provider: str) -> str:
    """The email of the user the scenario says the provider returns; a world error if unsaid."""
    profile = state.doubles.oauth_users.get(provider)
    email = str((profile or {}).get("email") or "").strip()
    if not email:
        what = f"the user the {provider} provider returns"
        if profile is not None:
            what = f"the email of {what} (the stub has none)"
        raise MissingStubError(
            task=f'"{task.name}" ({task.id})',
            flow_id=state.flow_id,
            what=what,
            step=f'Given the {provider} provider returns "someone@example.com"',
        )
    return email


def _sign_in_or_up(state: RunState, email: str, pending: dict[str, Any]) -> Outcome:
    provider, mode = pending["provider"], pending["mode"]
    user = identify(state, email)
    if user is not None and mode == "sign-up":
        return Outcome(
            "UserAlreadyExists", f"{email} (from {provider}) already has an account to sign in to"
        )
    if user is None and mode == "sign-in":
        return Outcome("UserNotFound", f"{email} (from {provider}) has no account to sign in to")
    first_seen = user is None
    if user is None:
        user = _sign_up(state, email, state.doubles.oauth_users[provider])
    sign_in(state, user, "oauth", first_seen=first_seen)
    return Outcome()


def _sign_up(state: RunState, email: str, profile: dict[str, Any]) -> UserRecord:
    """A new user as the provider describes them; the provider vouches for the email."""
    user = state.directory.create(email, email=email)
    user.verified_email = True
    user.name = str(profile.get("name") or "")
    user.given_name = str(profile.get("givenName") or "")
    user.family_name = str(profile.get("familyName") or "")
    return user
