"""The local engine behind Descope's API: the routes ``flowspec serve`` answers.

Built on starlette, served by uvicorn (:mod:`flowspec.serve.server`). Both speak ASGI,
so the app is a plain callable that the tests serve in-process on a real loopback
socket. starlette is small (routing, requests, JSON responses, little else), uvicorn is
the server its documentation pairs it with, and both are typed and well maintained.

- ``POST /v1/flow/start``: start a flow; ``Bearer <project>[:<refresh JWT>]``
- ``POST /v1/flow/next``: a click or ``submit`` for a waiting execution
- ``GET /v2/keys/<projectId>``: the project's public keys (JWKS)
- ``POST /v1/auth/refresh``: a new session JWT for ``Bearer <project>:<refresh JWT>``
- ``GET /v1/auth/me``: the user of ``Bearer <project>:<refresh JWT>``
- ``POST /v1/mgmt/flow/export``, ``POST /v2/mgmt/flow/export``: a flow, in Descope's v1
  or v2 export shape; management calls need ``Bearer <project>:<management key>``
- ``POST /v1/mgmt/tests/generate/otp``: a code a flow's OTP verify accepts
- ``POST /v1/auth/otp/verify/email``, ``/sms``: a code for a login id, answered with the
  user's session and refresh JWTs (:mod:`flowspec.serve.otp`)
- flowspec's additions to the management API: ``POST /v1/mgmt/flowspec/reset``, the world
  as loaded again; ``POST /v1/mgmt/flowspec/sign-in``, a test user's code generated and
  verified in one call; the ``X-Flowspec-Reset`` header, which resets the world before
  any request it comes with is handled; ``X-Flowspec-Sign-In`` on a start; and the
  ``X-Flowspec-Sandbox`` header, which gives a client a copy of the world of its own
  (:mod:`flowspec.serve.sandboxes`; docs/wire.md)

One engine per sandbox: one :class:`~flowspec.engine.runner.LocalRunner`, whose users and
doubles every execution of the sandbox shares, while each execution's run state is its
own. Every route is ``async`` and calls the synchronous engine directly, never in a
thread pool, so one request's engine call runs to completion before another request's
starts (:mod:`flowspec.serve.executions` says why that makes a lock unnecessary).

Every non-2xx answer is Descope's error shape (:mod:`flowspec.serve.problems`): a bad
body, a wrong project, an unknown route, and an error the engine raises. The engine's
errors are 422s, not a 200 with ``status: failed``: a ``FlowMisbehaved`` is
``FS42201``, any other flowspec error (the scenario or the world is wrong: an unknown
button, an unstubbed connector) is ``FS42200``. A failed flow response would read as the
flow's own outcome, so a scenario expecting the flow to fail would pass against the
server while the local runner stops it with an error; a 4xx makes the remote runner
raise, as the local engine does. An unexpected exception is logged, with anything shaped
like a JWT redacted, and answered ``FS50000``; the server carries on.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flowspec.engine.doubles import Channel
from flowspec.engine.execution import Execution
from flowspec.engine.world import World
from flowspec.errors import FlowMisbehaved, FlowspecError, UnknownNameError
from flowspec.redaction import redact_text
from flowspec.serve.bearer import Bearer, bearer
from flowspec.serve.bodies import json_object, mapping, text
from flowspec.serve.executions import DEFAULT_TTL, Executions
from flowspec.serve.exports import FlowDocuments, flow_documents
from flowspec.serve.otp import CHANNELS as OTP_CHANNELS
from flowspec.serve.otp import ROUTE_PREFIX as OTP_VERIFY_PREFIX
from flowspec.serve.otp import verify_otp
from flowspec.serve.problems import (
    BAD_REQUEST,
    EXECUTION_GONE,
    FLOW_MISBEHAVED,
    INTERNAL,
    METHOD_NOT_ALLOWED,
    NONCE_MISMATCH,
    NOT_FOUND,
    UNAUTHORIZED,
    WORLD_CANNOT_RUN,
    WireError,
)
from flowspec.serve.responses import flow_response, user_object
from flowspec.serve.sandboxes import SANDBOX_HEADER, Sandbox, Sandboxes
from flowspec.serve.sessions import refreshed, signed_in
from flowspec.serve.testusers import ROUTE as GENERATE_OTP_ROUTE
from flowspec.serve.testusers import generate_otp

NONCE_HEADER: Final = "X-Descope-Flow-Nonce"
# flowspec's additions to the management API: back to the world as loaded, before a
# request or as one of its own; and a test user's generated code verified in the same call.
RESET_ROUTE: Final = "/v1/mgmt/flowspec/reset"
RESET_HEADER: Final = "X-Flowspec-Reset"
RESET_DONE: Final = "done"
SIGN_IN_ROUTE: Final = "/v1/mgmt/flowspec/sign-in"
# The same sign-in, riding on a start: the JSON object the sign-in route takes.
SIGN_IN_HEADER: Final = "X-Flowspec-Sign-In"
# Descope's clients send this every few seconds while the user acts elsewhere.
POLLING: Final = "polling"

_log = logging.getLogger("flowspec.serve")
_T = TypeVar("_T")
Endpoint = Callable[[Request], Awaitable[Response]]


def create_app(
    world: World,
    *,
    management_key: str | None = None,
    execution_ttl: float = DEFAULT_TTL,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The ASGI app serving ``world``; management calls need ``management_key``, and
    none are answered without one. ``clock`` times the executions' idle expiry."""
    sandboxes = Sandboxes(
        world,
        Executions(execution_ttl, clock=clock),
        lambda capacity: Executions(execution_ttl, capacity, clock=clock),
    )
    service = _Service(world, sandboxes, management_key or None)
    guarded = service.guarded
    routes = [
        Route("/v1/flow/start", guarded(service.start), methods=["POST"]),
        Route("/v1/flow/next", guarded(service.next), methods=["POST"]),
        Route("/v2/keys/{projectId}", guarded(service.keys), methods=["GET"]),
        Route("/v1/auth/refresh", guarded(service.refresh), methods=["POST"]),
        Route("/v1/auth/me", guarded(service.me), methods=["GET"]),
        Route("/v1/mgmt/flow/export", guarded(service.export_v1), methods=["POST"]),
        Route("/v2/mgmt/flow/export", guarded(service.export_v2), methods=["POST"]),
        Route(GENERATE_OTP_ROUTE, guarded(service.generate_otp), methods=["POST"]),
        Route(RESET_ROUTE, guarded(service.reset), methods=["POST"]),
        Route(SIGN_IN_ROUTE, guarded(service.sign_in), methods=["POST"]),
        *(
            Route(
                OTP_VERIFY_PREFIX + channel,
                guarded(service.otp_verifier(channel)),
                methods=["POST"],
            )
            for channel in OTP_CHANNELS
        ),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: _routing_problem})


class _Service:
    """The routes' work, over one world and its sandboxes: each an engine and a store of
    executions (:mod:`flowspec.serve.sandboxes`)."""

    def __init__(self, world: World, sandboxes: Sandboxes, management_key: str | None) -> None:
        self._world = world
        self._sandboxes = sandboxes
        self._documents: Mapping[str, FlowDocuments] = flow_documents(world.flows)
        self._management_key = management_key

    def _sandbox(self, request: Request) -> Sandbox:
        """The sandbox the request's ``X-Flowspec-Sandbox`` header names, else the
        server's own: its users (a sign-up adds one), doubles and executions."""
        return self._sandboxes.of(request.headers.get(SANDBOX_HEADER))

    def guarded(self, endpoint: Endpoint) -> Endpoint:
        """``endpoint``, after the reset an ``X-Flowspec-Reset`` header asks for, answering
        its problems in their shape and surviving anything else.

        The remote backend sends the header, with the management key, on the first request
        of each scenario instead of a reset request of its own: one round trip fewer per
        scenario, and the engine sees the same world. Every answer to a request whose reset
        was done says so in the same header, whatever its status, so the client knows
        whether to ask again; a wrong key is refused before anything is reset or handled.
        """

        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            asked = request.headers.get(RESET_HEADER)
            if asked is None:
                return await _answered(endpoint, request)
            try:
                self._check_management_key(asked, f"the {RESET_HEADER} header")
                sandbox = self._sandbox(request)
            except WireError as problem:
                return problem.response()
            sandbox.reset()
            response = await _answered(endpoint, request)
            response.headers[RESET_HEADER] = RESET_DONE
            return response

        return guarded

    async def reset(self, request: Request) -> Response:
        """flowspec's addition: forget what runs changed in users and in the outside world
        (the outbox, stubbed answers) and every execution, as a fresh server would."""
        self._require_management_key(request)
        self._sandbox(request).reset()
        return JSONResponse({})

    async def start(self, request: Request) -> Response:
        """Descope's start; with flowspec's ``X-Flowspec-Sign-In`` header (a management
        call), a test user is signed in first, as the sign-in route does, and the flow
        starts with their new refresh JWT, which the answer carries in ``flowspec.signIn``:
        the remote backend's scenario given a test user's JWT costs one round trip less.
        """
        sandbox = self._sandbox(request)
        asked = request.headers.get(SIGN_IN_HEADER)
        wanted = None
        if asked is None:
            refresh_jwt = self._bearer(request).refresh_jwt
        else:
            self._require_management_key(request)
            wanted = _sign_in_asked(asked)
        body = await json_object(request)
        flow_id = text(body, "flowId")
        if flow_id not in self._world.flows:
            raise WireError(NOT_FOUND, str(UnknownNameError("flow", flow_id, self._world.flows)))
        inputs = mapping(body, "input")
        device_info = mapping(mapping(body, "options"), "deviceInfo")
        signed_in = None
        if wanted is not None:
            signed_in = self._sign_in(sandbox, *wanted)
            refresh_jwt = signed_in["refreshJwt"]
        execution = _engine(
            lambda: sandbox.runner.start(
                flow_id,
                inputs=inputs,
                refresh_jwt=refresh_jwt,
                device_info=device_info,
            )
        )
        held = sandbox.executions.add(execution)
        response = flow_response(execution)
        if signed_in is not None:
            response["flowspec"]["signIn"] = signed_in
        return JSONResponse(response, headers={NONCE_HEADER: held.nonce})

    async def next(self, request: Request) -> Response:
        executions = self._sandbox(request).executions
        # The run's user was settled at start; a token sent now changes nothing.
        self._bearer(request)
        body = await json_object(request)
        execution_id = text(body, "executionId")
        # Required as Descope requires it, but not held against the step the run waits
        # on: what Descope does with a stale one is not known, and the nonce already
        # refuses an answer to a response that is not the last.
        text(body, "stepId")
        interaction_id = text(body, "interactionId")
        inputs = mapping(body, "input")
        held = executions.find(execution_id)
        if held is None:
            raise WireError(
                EXECUTION_GONE,
                f"execution {execution_id!r} is unknown or has expired (an execution expires "
                f"{executions.ttl:g} s after its last request); start the flow again",
            )
        # Descope's older clients do not echo the nonce, so only a wrong one is refused.
        echoed = request.headers.get(NONCE_HEADER)
        if echoed is not None and not hmac.compare_digest(echoed.encode(), held.nonce.encode()):
            raise WireError(
                NONCE_MISMATCH,
                f"the {NONCE_HEADER} header is not the nonce of this execution's last "
                "response; send the one the last response of this execution carried",
            )
        _engine(lambda: _interact(held.execution, interaction_id, inputs))
        return _flow_answer(held.execution, executions.renew(held))

    async def keys(self, request: Request) -> Response:
        project_id = request.path_params["projectId"]
        if project_id != self._world.project_id:
            raise WireError(
                NOT_FOUND,
                f"no keys for project {project_id!r}: this server is {self._world.project_id}",
            )
        return JSONResponse(self._world.issuer.keyring.jwks())

    async def refresh(self, request: Request) -> Response:
        directory = self._sandbox(request).runner.directory
        signed = signed_in(self._bearer(request), self._world.issuer, directory)
        return JSONResponse(refreshed(signed, self._world.issuer, directory))

    async def me(self, request: Request) -> Response:
        directory = self._sandbox(request).runner.directory
        signed = signed_in(self._bearer(request), self._world.issuer, directory)
        return JSONResponse(user_object(directory, signed.user))

    async def export_v1(self, request: Request) -> Response:
        return JSONResponse((await self._export(request)).v1)

    async def export_v2(self, request: Request) -> Response:
        return JSONResponse({"flow": (await self._export(request)).single})

    async def generate_otp(self, request: Request) -> Response:
        runner = self._sandbox(request).runner
        self._require_management_key(request)
        body = await json_object(request)
        generated = generate_otp(
            runner.doubles,
            runner.directory,
            text(body, "loginId"),
            text(body, "deliveryMethod"),
        )
        return JSONResponse(generated)

    async def sign_in(self, request: Request) -> Response:
        """flowspec's addition: ``generate/otp`` and ``otp/verify/<deliveryMethod>`` in one
        call, with the same effects on the world (a used code in the outbox, the address
        proved, the tokens the verify mints), so a test user's refresh JWT costs the remote
        backend one round trip, not two."""
        sandbox = self._sandbox(request)
        self._require_management_key(request)
        body = await json_object(request)
        login_id = text(body, "loginId")
        channel = _channel(text(body, "deliveryMethod"))
        return JSONResponse(self._sign_in(sandbox, login_id, channel))

    def _sign_in(self, sandbox: Sandbox, login_id: str, channel: Channel) -> dict[str, Any]:
        """A code generated for ``login_id`` in ``sandbox`` and verified: the verify's JWT
        response."""
        runner = sandbox.runner
        generated = generate_otp(runner.doubles, runner.directory, login_id, channel)
        return verify_otp(
            runner.doubles,
            runner.directory,
            self._world.issuer,
            self._world.project_id,
            login_id,
            generated["code"],
            channel,
        )

    def otp_verifier(self, channel: Channel) -> Endpoint:
        """The route verifying codes sent by ``channel``: Descope's ``{loginId, code}``."""

        async def verify(request: Request) -> Response:
            # Descope's SDKs send the project id, with their management key if they hold
            # one; the code is the credential here, so only the project is checked.
            runner = self._sandbox(request).runner
            self._bearer(request)
            body = await json_object(request)
            answer = verify_otp(
                runner.doubles,
                runner.directory,
                self._world.issuer,
                self._world.project_id,
                text(body, "loginId"),
                text(body, "code"),
                channel,
            )
            return JSONResponse(answer)

        verify.__name__ = f"verify_otp_{channel}"
        return verify

    async def _export(self, request: Request) -> FlowDocuments:
        self._require_management_key(request)
        flow_id = text(await json_object(request), "flowId")
        documents = self._documents.get(flow_id)
        if documents is None:
            raise WireError(NOT_FOUND, str(UnknownNameError("flow", flow_id, self._documents)))
        return documents

    def _bearer(self, request: Request) -> Bearer:
        return bearer(request, self._world.project_id)

    def _require_management_key(self, request: Request) -> None:
        self._check_management_key(
            self._bearer(request).secret, "Authorization: Bearer <project>:<management key>"
        )

    def _check_management_key(self, secret: str, where: str) -> None:
        """401 unless ``secret`` is this server's management key; ``where`` says how to
        send it, and the message never quotes what was sent."""
        if self._management_key is None:
            raise WireError(
                UNAUTHORIZED,
                "the management API is off: start flowspec serve with FLOWSPEC_MANAGEMENT_KEY set",
            )
        if not hmac.compare_digest(secret.encode(), self._management_key.encode()):
            raise WireError(UNAUTHORIZED, f"the management key is wrong or missing: send {where}")


def _channel(method: str) -> Channel:
    """The verify routes' channel ``method`` names, typed as a channel."""
    channel = next((c for c in OTP_CHANNELS if c == method), None)
    if channel is None:
        raise WireError(
            BAD_REQUEST,
            f"deliveryMethod {method!r} is not one of {', '.join(OTP_CHANNELS)}",
        )
    return channel


def _sign_in_asked(header: str) -> tuple[str, Channel]:
    """The login id and channel of an ``X-Flowspec-Sign-In`` header's JSON object."""
    try:
        asked = json.loads(header)
    except ValueError:
        asked = None
    if not isinstance(asked, dict):
        raise WireError(
            BAD_REQUEST,
            f'the {SIGN_IN_HEADER} header must hold a JSON object: {{"loginId": ..., '
            '"deliveryMethod": "email"}',
        )
    try:
        return text(asked, "loginId"), _channel(text(asked, "deliveryMethod"))
    except WireError as problem:
        raise WireError(BAD_REQUEST, f"the {SIGN_IN_HEADER} header: {problem}") from None


def _interact(execution: Execution, interaction_id: str, inputs: dict[str, Any]) -> None:
    try:
        execution.interact(interaction_id, inputs)
    except UnknownNameError:
        if interaction_id != POLLING:
            raise
        # A flow with no rule for polling keeps waiting until the client acts, which is
        # what a poll of an execution whose user has not acted yet answers.


def _engine(call: Callable[[], _T]) -> _T:
    """Run an engine call; the errors it raises on purpose become 422 problems."""
    try:
        return call()
    except FlowMisbehaved as error:
        raise WireError(FLOW_MISBEHAVED, str(error)) from None
    except FlowspecError as error:
        raise WireError(WORLD_CANNOT_RUN, str(error)) from None


def _flow_answer(execution: Execution, nonce: str) -> Response:
    return JSONResponse(flow_response(execution), headers={NONCE_HEADER: nonce})


async def _answered(endpoint: Endpoint, request: Request) -> Response:
    """``endpoint``'s answer: its problems in their shape, and anything else logged and
    answered ``FS50000``, so the server carries on."""
    try:
        return await endpoint(request)
    except WireError as problem:
        return problem.response()
    except Exception:
        _log.error(
            "%s %s failed:\n%s",
            request.method,
            redact_text(request.url.path),
            redact_text(traceback.format_exc()),
        )
        return WireError(INTERNAL, "the server failed on this request; its log says why").response()


async def _routing_problem(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (no such route, wrong method) in Descope's error shape."""
    status = error.status_code if isinstance(error, HTTPException) else 400
    where = f"{request.method} {request.url.path}"
    if status == 404:
        problem = WireError(NOT_FOUND, f"no route {where}; see docs/wire.md for the routes served")
    elif status == 405:
        problem = WireError(METHOD_NOT_ALLOWED, f"{where}: this route takes another method")
    else:
        problem = WireError(BAD_REQUEST, f"{where}: {error}")
    response = problem.response()
    if isinstance(error, HTTPException) and error.headers:
        response.headers.update(error.headers)
    return response
