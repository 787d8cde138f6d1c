"""The remote backend behind the runner seam: flows run on a Descope project, or on any
server that speaks its flow API (``flowspec serve``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from flowspec.engine.runner import JWT_INPUT
from flowspec.errors import RunStateError
from flowspec.identity import decode_claims
from flowspec.remote.client import FlowClient, OtpMethod, Reply
from flowspec.remote.responses import (
    auth_info,
    export_screen_id,
    flow_context,
    served_user,
    step_seen,
)
from flowspec.remote.screens import ExportedScreens
from flowspec.remote.settings import RemoteSettings

__all__ = ["RemoteRun", "RemoteRunner"]

_POLLING = "polling"
_ENDED = ("completed", "failed")


class RemoteRunner:
    """Starts flows on the project ``settings`` names.

    One HTTP client, with its keep-alive connections, serves every run this runner starts;
    :meth:`close` it (or use the runner as a context manager) when the scenario ends.
    ``flows_dir`` holds the flows' local exports, which describe screens for a server that
    does not describe them itself.
    """

    def __init__(self, settings: RemoteSettings, flows_dir: Path | None = None) -> None:
        self._client = FlowClient(settings)
        self._screens = ExportedScreens(flows_dir)

    def start(
        self,
        flow_id: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        refresh_jwt: str | None = None,
        device_info: Mapping[str, Any] | None = None,
    ) -> RemoteRun:
        """Start ``flow_id``; a refresh JWT comes as the SDK's token or as the input ``jwt``.

        Either way it travels in the Authorization header, the way Descope's SDKs send it,
        and never as a form value.
        """
        form = dict(inputs or {})
        token_input = form.pop(JWT_INPUT, None)
        token = refresh_jwt if refresh_jwt is not None else token_input
        devices = dict(device_info or {})
        token_text = str(token) if token else None
        reply = self._client.start(_start_body(flow_id, form, devices), refresh_jwt=token_text)
        return RemoteRun(self._client, self._screens, flow_id, token_text, form, devices, reply)

    @property
    def signs_in_on_start(self) -> bool:
        """Whether :meth:`start_signed_in` may be used: the server proved it is ``flowspec
        serve`` by accepting a reset."""
        return self._client.serves_additions

    def start_signed_in(
        self,
        login_id: str,
        flow_id: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        device_info: Mapping[str, Any] | None = None,
        method: OtpMethod = "email",
    ) -> tuple[RemoteRun, str]:
        """Start ``flow_id`` as the test user ``login_id``, signed in by ``flowspec serve``
        in the same round trip, as :meth:`test_user_refresh_jwt` signs them in; the run,
        and the raw refresh JWT it started with, for the caller's later runs. An input
        ``jwt`` is ignored: the run starts with the new token.

        Only once :attr:`signs_in_on_start`; a real project has no such call.
        """
        form = dict(inputs or {})
        form.pop(JWT_INPUT, None)
        devices = dict(device_info or {})
        body = _start_body(flow_id, form, devices)
        reply, token = self._client.start_signed_in(body, login_id, method)
        run = RemoteRun(self._client, self._screens, flow_id, token, form, devices, reply)
        return run, token

    def reset_served_world(self, *, deferred: bool = False) -> bool:
        """Between scenarios: ``flowspec serve`` forgets what earlier runs changed, as the
        local runner does; a real project has no such call and answers False.
        ``deferred``: once serve has accepted a reset, the next request carries it instead
        of a request of its own (:meth:`FlowClient.reset_served_world`)."""
        return self._client.reset_served_world(deferred=deferred)

    def test_user_refresh_jwt(self, login_id: str, method: OtpMethod = "email") -> str:
        """A real refresh JWT for the project's test user ``login_id``: a code from
        ``/v1/mgmt/tests/generate/otp`` (with the management key), verified at
        ``/v1/auth/otp/verify/<method>``, as a test user signs in without a flow.

        The token is returned and nothing else: no message, log line or error holds it.
        The two calls retry as :mod:`flowspec.remote.retries` allows: a lost code is asked
        for again (a newer code supersedes it), a lost verify is not (the code works once);
        calling this again then gets a new code and verifies that.

        Once the server has proved it is ``flowspec serve`` (it accepted a reset), one call
        to its ``/v1/mgmt/flowspec/sign-in`` does both, with the same effects on its world.
        """
        if method not in ("email", "sms"):
            raise ValueError(f"method must be 'email' or 'sms', not {method!r}")
        if self._client.serves_additions:
            return self._client.sign_in_test_user(login_id, method)
        code = self._client.generate_test_otp(login_id, method)
        return self._client.verify_otp(login_id, code, method)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteRunner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _start_body(flow_id: str, form: dict[str, Any], devices: dict[str, Any]) -> dict[str, Any]:
    """Descope's start body: ``{flowId, options, input}``."""
    return {
        "flowId": flow_id,
        "options": {"deviceInfo": devices} if devices else {},
        "input": form,
    }


class RemoteRun:
    """One execution on the server; ``context`` reads it, ``interact`` moves it on."""

    def __init__(
        self,
        client: FlowClient,
        screens: ExportedScreens,
        flow_id: str,
        refresh_jwt: str | None,
        form: dict[str, Any],
        device_info: dict[str, Any],
        first: Reply,
    ) -> None:
        self._client = client
        self._screens = screens
        self._flow_id = flow_id
        # The raw token stays here, for the Authorization header and /v1/auth/me only.
        self._token = refresh_jwt
        self._start_claims = decode_claims(refresh_jwt) if refresh_jwt else {}
        # The held token's claims, decoded once per token rather than on every read.
        self._token_claims = self._start_claims
        self._form = form
        self._device_info = device_info
        self._response: dict[str, Any] = {}
        self._steps: list[dict[str, Any]] = []
        self._auth_info: dict[str, Any] = {}
        self._nonce: str | None = None
        self._answers = 0
        self._user: dict[str, Any] | None = None
        self._user_as_of = -1
        # The context as last built: a step reads it many times between two responses.
        self._built: dict[str, Any] | None = None
        self._absorb(first, None)

    @property
    def context(self) -> dict[str, Any]:
        """The flow context as of the last response: one snapshot, built on the first read
        after each response and never changed by the run afterwards, as the local runner
        gives. Read it; do not change it.

        ``user`` is the response's ``flowspec.user`` when ``flowspec serve`` sent it, else
        what ``/v1/auth/me`` says of the run's refresh JWT, asked at most once per response
        and only when the context is read.
        """
        if self._built is None:
            screen_id = export_screen_id(self._response)
            task = self._screens.find(self._flow_id, screen_id) if screen_id else None
            self._built = flow_context(
                self._response,
                flow_id=self._flow_id,
                steps=self._steps,
                screen_task=task,
                user=self._signed_in_user(),
                token_claims=self._token_claims,
                start_claims=self._start_claims,
                decoded_auth_info=self._auth_info,
                form=self._form,
                device_info=self._device_info,
            )
        return self._built

    def view(self) -> dict[str, Any]:
        """The flow context as ``context`` gives it: built once per response, it costs no
        copy to share."""
        return self.context

    def interact(self, interaction_id: str, inputs: Mapping[str, Any] | None = None) -> None:
        """Send a click (a button id, ``submit`` or ``polling``) with the screen's inputs."""
        status = self._response.get("status")
        if status in _ENDED:
            raise RunStateError(
                f'flow "{self._flow_id}" is {status}, not waiting on a screen: '
                f'nothing can receive "{interaction_id}". Start a new run first.'
            )
        values = dict(inputs or {})
        body = {
            "executionId": self._response.get("executionId"),
            "stepId": self._response.get("stepId"),
            "interactionId": interaction_id,
            "input": values,
        }
        reply = self._client.next(body, refresh_jwt=self._token, nonce=self._nonce)
        self._form.update(values)
        self._absorb(reply, interaction_id)

    def _absorb(self, reply: Reply, interaction_id: str | None) -> None:
        self._built = None
        self._response = reply.body
        self._answers += 1
        if reply.nonce:
            self._nonce = reply.nonce
        step = step_seen(reply.body)
        # A poll that finds the step unchanged is waiting, not a new visit.
        repeated = interaction_id == _POLLING and bool(self._steps) and step == self._steps[-1]
        if step is not None and not repeated:
            self._steps.append(step)
        decoded, issued = auth_info(reply.body, reply.refresh_cookie)
        if decoded:
            self._auth_info = decoded
        if issued:
            # As Descope's SDKs do, the run goes on as the user the flow signed in.
            self._token = issued
            self._token_claims = decode_claims(issued)
        served = served_user(reply.body)
        if served is not None:
            # flowspec serve said who /v1/auth/me would answer for this response: no call.
            self._user = served
            self._user_as_of = self._answers

    def _signed_in_user(self) -> dict[str, Any] | None:
        if self._token is None:
            return None
        if self._user_as_of != self._answers:
            self._user = self._client.me(self._token)
            self._user_as_of = self._answers
        return self._user
