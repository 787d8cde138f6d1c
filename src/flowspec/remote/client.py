"""The HTTP client for Descope's flow API, and the test-user OTP calls that sign a test
user in without a flow.

One :class:`FlowClient` holds one httpx transport, so the runs of a runner share
keep-alive connections. Every call has explicit timeouts, is retried only where
:mod:`flowspec.remote.retries` says a retry cannot apply an interaction twice, and ends
within its retry budget either in a decoded JSON object or in a
:class:`~flowspec.remote.errors.RemoteError` that names the URL, the cause and what to do,
with every token cut out.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import httpx

from flowspec.remote.answers import CHECK_URL, Answer, Failure, json_object, status_failure
from flowspec.remote.errors import RemoteError, RemoteFlowMisbehaved
from flowspec.remote.retries import Replay, backoff, may_retry
from flowspec.remote.settings import ENV_MANAGEMENT_KEY, RemoteSettings, Timeouts
from flowspec.remote.watchdog import Watchdog

__all__ = [
    "EXPORT_PATH",
    "FLOW_MISBEHAVED",
    "GENERATE_OTP_PATH",
    "ME_PATH",
    "NEXT_PATH",
    "NONCE_HEADER",
    "OTP_VERIFY_PATH",
    "RESET_HEADER",
    "RESET_PATH",
    "SANDBOX_HEADER",
    "SIGN_IN_HEADER",
    "SIGN_IN_PATH",
    "START_PATH",
    "FlowClient",
    "OtpMethod",
    "Reply",
    "environment_proxy",
]

START_PATH: Final = "/v1/flow/start"
NEXT_PATH: Final = "/v1/flow/next"
ME_PATH: Final = "/v1/auth/me"
# Descope's test-user code (management API) and OTP verify: descope/management/common.py
# (user_generate_otp_for_test_path) and descope/common.py (verify_code_auth_path), the
# verify path ending in the delivery method (descope/_auth_base.py, compose_url).
GENERATE_OTP_PATH: Final = "/v1/mgmt/tests/generate/otp"
OTP_VERIFY_PATH: Final = "/v1/auth/otp/verify/"
# The management API's single-file flow export: answers {flow: {flowId, metadata, contents,
# screens, references}} (docs/wire.md).
EXPORT_PATH: Final = "/v2/mgmt/flow/export"
NONCE_HEADER: Final = "X-Descope-Flow-Nonce"
# flowspec serve's code for a step the flow itself got wrong (docs/wire.md).
FLOW_MISBEHAVED: Final = "FS42201"
# Descope sets the refresh token as this cookie instead of in the body when the project
# is configured to deliver tokens by cookie.
_REFRESH_COOKIE: Final = "DSR"
# Below the idle timeout of common servers (uvicorn closes idle connections after 5 s), so
# a pooled connection is dropped before the server drops it, not while a request uses it.
_KEEPALIVE_EXPIRY: Final = 4.0
# A runner drives one run at a time; the spare connections serve /v1/auth/me alongside.
_MAX_CONNECTIONS: Final = 4
_MAX_IDLE_CONNECTIONS: Final = 2
# What every request sends besides its own headers: what httpx's client would send, JSON
# asked for.
_HEADERS: Final = {
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
    "User-Agent": f"python-httpx/{httpx.__version__}",
}
# httpcore's trace event as it starts waiting for a response's headers.
_AWAITING_HEADERS: Final = "http11.receive_response_headers.started"
# How long past its read timeout the watchdog lets a wait for headers run.
_WATCHDOG_SLACK: Final = 0.1
_NOT_RETRIED: Final = (
    "Not retried: the server may already have applied this interaction, and sending it "
    "again could apply it twice; start a new run to go on. "
)
_VERIFY_NOT_RETRIED: Final = (
    "Not retried: the server may already have used the code, which works once; ask for a "
    "new code and verify that (asking for the test user's JWT again does both). "
)
_GENERATE_FIXES: Final = {
    400: "Descope generates codes only for test users: check that the project has a test "
    "user with this login id and an address for this delivery method",
    401: f"The project refused the management key: check that {ENV_MANAGEMENT_KEY} holds a "
    "management key of this project",
    403: f"The project refused the management key: check that {ENV_MANAGEMENT_KEY} holds a "
    "management key of this project, allowed to manage users",
    404: "Descope generates codes only for test users: check that the project has a test "
    "user with this login id",
}
_EXPORT_FIXES: Final = {
    401: f"The project refused the management key: check that {ENV_MANAGEMENT_KEY} holds a "
    "management key of this project",
    403: f"The project refused the management key: check that {ENV_MANAGEMENT_KEY} holds a "
    "management key of this project, allowed to read flows",
    404: "The project has no flow with this id: check the id (the Descope console shows it "
    "under Flows; flowspec serve serves the flows of its scenarios/flows/)",
}
_VERIFY_FIXES: Final = {
    401: "The code was refused: it is wrong, was replaced by a newer one, expired or was "
    "already used; check that nothing else asks for codes for this test user meanwhile",
}
_SIGN_IN_FIXES: Final = {
    400: "flowspec serve signs test users in by email or sms only",
    401: "flowspec serve refused the management key or the login id, as its message says: "
    f"check that {ENV_MANAGEMENT_KEY} holds the key it was started with, and that its "
    "users.yaml has a user with this login id",
}

_START_SIGN_IN_FIXES: Final = {
    401: "flowspec serve refused the management key or the login id of the test user "
    f"signed in with this start, as its message says: check that {ENV_MANAGEMENT_KEY} "
    "holds the key it was started with, and that its users.yaml has a user with this "
    "login id",
}

OtpMethod = Literal["email", "sms"]


@dataclass(frozen=True)
class Reply:
    """A decoded answer: its status, its JSON object and what its headers carried."""

    status: int
    body: dict[str, Any]
    nonce: str | None = None
    refresh_cookie: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    replay: Replay
    headers: Mapping[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)
    body: Mapping[str, Any] | None = None
    # Statuses that are answers to return, not failures to raise.
    accept: frozenset[int] = frozenset()
    # What to do about a failure, by status, where this call knows better than a flow call.
    fixes: Mapping[int, str] = field(default_factory=dict)
    not_retried: str = _NOT_RETRIED


class _LateAnswerError(Exception):
    """The watchdog ended an answer still arriving when the call's budget ran out."""

    def __init__(self, phase: Literal["headers", "body"]) -> None:
        super().__init__(phase)
        self.phase = phase


# flowspec serve's additions to the management API (docs/wire.md): the reset, as a request
# of its own or as a header riding on the next request, which the answer echoes with
# RESET_DONE once done; and a test user's code generated and verified in one call.
RESET_PATH: Final = "/v1/mgmt/flowspec/reset"
RESET_HEADER: Final = "X-Flowspec-Reset"
_RESET_DONE: Final = "done"
SIGN_IN_PATH: Final = "/v1/mgmt/flowspec/sign-in"
# The same sign-in riding on a start, whose answer carries the sign-in's own in
# flowspec.signIn.
SIGN_IN_HEADER: Final = "X-Flowspec-Sign-In"
# The copy of serve's world a client has to itself, which its resets reset.
SANDBOX_HEADER: Final = "X-Flowspec-Sandbox"
# What a server that is not flowspec serve answers the reset: it has no such route, or
# takes the management key for a credential it does not know.
_RESET_REFUSED: Final = frozenset({400, 401, 403, 404, 405})


class FlowClient:
    """Calls ``/v1/flow/start``, ``/v1/flow/next`` and ``/v1/auth/me`` of one project, and
    the test-user OTP calls: ``/v1/mgmt/tests/generate/otp``, ``/v1/auth/otp/verify/*``."""

    def __init__(self, settings: RemoteSettings) -> None:
        self._settings = settings
        # The transport under httpx.Client, without the client: its cookie jar, redirect
        # and auth handling and per-request log line cost more than a small answer's own
        # handling, and the calls need none of them (no redirect is followed, a session
        # never travels by cookie jar, each request has its timeouts). What the client
        # would take from the environment is kept: TLS settings, and a proxy.
        proxy = environment_proxy(settings.base_url)
        self._http = httpx.HTTPTransport(
            limits=httpx.Limits(
                max_connections=_MAX_CONNECTIONS,
                max_keepalive_connections=_MAX_IDLE_CONNECTIONS,
                keepalive_expiry=_KEEPALIVE_EXPIRY,
            ),
            proxy=proxy,
            # Loading the certificate authorities takes 70 ms, for nothing when no TLS
            # is spoken (flowspec serve on loopback): the context is made only for TLS.
            verify=_speaks_tls(settings.base_url, proxy),
        )
        self._urls: dict[str, httpx.URL] = {}
        self._watchdog = Watchdog()
        # True once the server accepted a reset: it is flowspec serve, and its additions
        # (the reset header, the one-call sign-in) may be used.
        self._served = False
        # A deferred reset the next request carries, until an answer says it was done.
        self._reset_pending = False
        # This client's sandbox on flowspec serve: its own copy of the world, which its
        # resets reset and no other client's do (other workers of a run, other shards).
        self._sandbox = secrets.token_urlsafe(12)

    def close(self) -> None:
        self._http.close()
        self._watchdog.close()

    @property
    def serves_additions(self) -> bool:
        """Whether the server proved it is ``flowspec serve`` by accepting a reset."""
        return self._served

    def reset_served_world(self, *, deferred: bool = False) -> bool:
        """Ask ``flowspec serve`` to forget what earlier runs changed; False from a server
        that refuses the call (a real project has no such route) and without a management
        key. The reset, and every request once serve has accepted one, names this client's
        sandbox (``X-Flowspec-Sandbox``): a copy of the world that no other client's reset
        touches, so the workers of a run, or shards, can share one server. Retried as
        ``idempotent`` (:mod:`flowspec.remote.retries`); a server that cannot be reached,
        or fails, is a :class:`RemoteError` like any other call's.

        ``deferred``, once the server has accepted a reset, sends nothing now: the next
        request carries the reset in its ``X-Flowspec-Reset`` header, and the server
        resets before it handles that request, so the engine sees the same world for a
        round trip less. Each later request carries it too until an answer confirms it.
        """
        key = self._settings.management_key
        if key is None:
            return False
        if deferred and self._served:
            self._reset_pending = True
            return True
        request = self._request(
            "POST", RESET_PATH, "idempotent", key.reveal(), {}, accept=_RESET_REFUSED
        )
        self._served = self._call(request).status not in _RESET_REFUSED
        return self._served

    def _required_key(self, path: str, what: str) -> str:
        """The management key a management call needs; a clear error, before anything is
        sent, when the environment holds none."""
        key = self._settings.management_key
        if key is None:
            raise RemoteError(
                method="POST",
                url=self._settings.base_url + path,
                cause=f"no management key is set, and Descope {what} only for management calls",
                fix=f"Set {ENV_MANAGEMENT_KEY} in the environment to a management key of "
                f"project {self._settings.project_id} (the Descope console's company settings "
                "list them; flowspec serve accepts the one it was started with).",
                attempts=0,
            )
        return key.reveal()

    def start(self, body: Mapping[str, Any], *, refresh_jwt: str | None = None) -> Reply:
        """Start an execution; ``body`` is ``{flowId, options, input}``."""
        request = self._request("POST", START_PATH, "new-execution", refresh_jwt, body)
        return self._flow_reply(request)

    def start_signed_in(
        self, body: Mapping[str, Any], login_id: str, method: OtpMethod
    ) -> tuple[Reply, str]:
        """Start an execution as the test user ``login_id``, whom ``flowspec serve`` signs in
        with the same call (:meth:`sign_in_test_user`'s sign-in, carried by the
        ``X-Flowspec-Sign-In`` header of a management call); the reply, and the raw refresh
        JWT of that sign-in, which the reply no longer holds.

        Retried as a start is (``new-execution`` in :mod:`flowspec.remote.retries`).
        """
        key = self._required_key(START_PATH, "signs test users in")
        asked = json.dumps({"loginId": login_id, "deliveryMethod": method})
        request = self._request(
            "POST",
            START_PATH,
            "new-execution",
            key,
            body,
            {SIGN_IN_HEADER: asked},
            fixes=_START_SIGN_IN_FIXES,
        )
        reply = self._flow_reply(request)
        additions = reply.body.get("flowspec")
        signed_in = additions.pop("signIn", None) if isinstance(additions, dict) else None
        refresh = signed_in.get("refreshJwt") if isinstance(signed_in, dict) else None
        if not isinstance(refresh, str) or not refresh:
            raise self._wrong_answer(
                request,
                reply,
                "the flow started, but the answer holds no flowspec.signIn.refreshJwt",
                f"The server ignored the {SIGN_IN_HEADER} header: it is not flowspec "
                f"serve, or one older than this flowspec; {CHECK_URL}",
            )
        return reply, refresh

    def next(
        self, body: Mapping[str, Any], *, refresh_jwt: str | None = None, nonce: str | None = None
    ) -> Reply:
        """Send one interaction; ``body`` is ``{executionId, stepId, interactionId, input}``."""
        headers = {NONCE_HEADER: nonce} if nonce else {}
        request = self._request("POST", NEXT_PATH, "once", refresh_jwt, body, headers)
        return self._flow_reply(request)

    def me(self, refresh_jwt: str) -> dict[str, Any] | None:
        """The user the refresh JWT belongs to, or None when the server does not accept it."""
        rejected = frozenset({401, 403})
        request = self._request("GET", ME_PATH, "idempotent", refresh_jwt, accept=rejected)
        reply = self._call(request)
        return None if reply.status in rejected else reply.body

    def generate_test_otp(self, login_id: str, method: OtpMethod) -> str:
        """A fresh code for the test user ``login_id``, as if sent by ``method``.

        A management call: ``Bearer <projectId>:<managementKey>``, the key from
        ``FLOWSPEC_MANAGEMENT_KEY``. Retried even after a lost answer (``new-code`` in
        :mod:`flowspec.remote.retries`): a newer code supersedes the lost one.
        """
        key = self._required_key(GENERATE_OTP_PATH, "generates test users' codes")
        body = {"loginId": login_id, "deliveryMethod": method}
        request = self._request(
            "POST", GENERATE_OTP_PATH, "new-code", key, body, fixes=_GENERATE_FIXES
        )
        reply = self._call(request)
        code = reply.body.get("code")
        if not isinstance(code, str) or not code:
            raise self._wrong_answer(
                request,
                reply,
                "the answer is JSON but holds no code",
                f"The base URL answers, but not with Descope's management API; {CHECK_URL}",
            )
        return code

    def sign_in_test_user(self, login_id: str, method: OtpMethod) -> str:
        """The raw refresh JWT of a session for ``login_id``, from ``flowspec serve``'s
        one-call sign-in: :meth:`generate_test_otp` and :meth:`verify_otp` in a single
        management call, with the same effects on the served world.

        Retried even after a lost answer (``new-code`` in :mod:`flowspec.remote.retries`):
        a second copy generates a newer code and uses it, and the tokens the lost answer
        held are never used.
        """
        key = self._required_key(SIGN_IN_PATH, "signs test users in")
        body = {"loginId": login_id, "deliveryMethod": method}
        request = self._request("POST", SIGN_IN_PATH, "new-code", key, body, fixes=_SIGN_IN_FIXES)
        return self._refresh_jwt(request, self._call(request))

    def export_flow(self, flow_id: str) -> dict[str, Any]:
        """The single-file export of flow ``flow_id``: the ``flow`` object of
        ``POST /v2/mgmt/flow/export {flowId}``.

        A management call, as :meth:`generate_test_otp`; it reads and changes nothing, so
        it is retried as ``idempotent`` (:mod:`flowspec.remote.retries`).
        """
        key = self._required_key(EXPORT_PATH, "exports flows")
        request = self._request(
            "POST",
            EXPORT_PATH,
            "idempotent",
            key,
            {"flowId": flow_id},
            fixes=_EXPORT_FIXES,
        )
        reply = self._call(request)
        flow = reply.body.get("flow")
        if not isinstance(flow, dict):
            raise self._wrong_answer(
                request,
                reply,
                "the answer is JSON but holds no flow object",
                f"The base URL answers, but not with Descope's management API; {CHECK_URL}",
            )
        return flow

    def verify_otp(self, login_id: str, code: str, method: OtpMethod) -> str:
        """Use ``code`` for ``login_id``; the raw refresh JWT of the session it opens.

        Sent once (``once`` in :mod:`flowspec.remote.retries`): a code works once. The
        refresh JWT comes in the body's ``refreshJwt``, or as the ``DSR`` cookie from a
        project that delivers it by cookie, where Descope's SDK looks for it too
        (descope/authmethod/otp.py, ``verify_code``; descope/jwt_common.py,
        ``generate_auth_info``).
        """
        request = self._request(
            "POST",
            OTP_VERIFY_PATH + method,
            "once",
            None,
            {"loginId": login_id, "code": code},
            # The code is spent or refused once this call ends, but not before: keep it out.
            secrets=(code,),
            fixes=_VERIFY_FIXES,
            not_retried=_VERIFY_NOT_RETRIED,
        )
        return self._refresh_jwt(request, self._call(request))

    def _refresh_jwt(self, request: _Request, reply: Reply) -> str:
        """The raw refresh JWT of Descope's JWT response: ``refreshJwt``, else the ``DSR``
        cookie."""
        refresh = reply.body.get("refreshJwt")
        if isinstance(refresh, str) and refresh:
            return refresh
        if reply.refresh_cookie:
            return reply.refresh_cookie
        raise self._wrong_answer(
            request,
            reply,
            "the answer is JSON but holds no refresh JWT (no refreshJwt, no DSR cookie)",
            f"The base URL answers, but not with Descope's JWT response; {CHECK_URL}",
        )

    def _request(
        self,
        method: str,
        path: str,
        replay: Replay,
        refresh_jwt: str | None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: frozenset[int] = frozenset(),
        *,
        secrets: tuple[str, ...] = (),
        fixes: Mapping[int, str] | None = None,
        not_retried: str = _NOT_RETRIED,
    ) -> _Request:
        """A request as ``Bearer <projectId>[:<refresh_jwt>]``; on management calls the
        management key stands where the refresh JWT stands on session calls."""
        project_id = self._settings.project_id
        bearer = f"{project_id}:{refresh_jwt}" if refresh_jwt else project_id
        key = self._settings.management_key
        held = (refresh_jwt, key.reveal() if key else None, *secrets)
        return _Request(
            method=method,
            path=path,
            replay=replay,
            headers={"Authorization": f"Bearer {bearer}", **(headers or {})},
            secrets=tuple(s for s in held if s),
            body=body,
            accept=accept,
            fixes=fixes or {},
            not_retried=not_retried,
        )

    def _flow_reply(self, request: _Request) -> Reply:
        reply = self._call(request)
        missing = [k for k in ("executionId", "status") if not isinstance(reply.body.get(k), str)]
        if missing:
            raise self._wrong_answer(
                request,
                reply,
                f"the answer is JSON but no flow response: it has no {' or '.join(missing)}",
                f"The base URL answers, but not with Descope's flow API; {CHECK_URL}",
            )
        return reply

    def _call(self, request: _Request) -> Reply:
        """Send ``request``, retrying where safe, within the policy's budget."""
        policy = self._settings.retries
        started = time.monotonic()
        deadline = started + policy.budget
        attempt = 0
        while True:
            attempt += 1
            limits = self._limits(deadline)
            try:
                raw = self._exchange(request, deadline, limits)
            except (httpx.RequestError, _LateAnswerError) as error:
                failure = self._transport_failure(error, limits)
            else:
                if raw.status < 300 or raw.status in request.accept:
                    return self._decode(request, raw, attempt)
                failure = status_failure(raw, request.path)
            note = ""
            # The fate says what the failure proves about the server; may_retry allows a
            # second copy only where retries.py shows it cannot apply an interaction twice.
            if failure.fate is not None and not may_retry(failure.fate, request.replay):
                note = request.not_retried
            elif failure.fate is not None:
                if attempt < policy.attempts:
                    wait = backoff(attempt, failure.retry_after, policy)
                    # A retry starts only if a whole attempt still fits in the budget: one cut
                    # short by it could deliver a click and then lose the answer.
                    if time.monotonic() + wait + self._attempt_span < deadline:
                        time.sleep(wait)
                        continue
                    note = (
                        f"Gave up after {_attempts(attempt)} in {time.monotonic() - started:.1f} "
                        f"s: waiting {wait:.2f} s and one more attempt (up to "
                        f"{self._attempt_span:g} s) would pass the {policy.budget:g} s budget "
                        "(retries.budget). "
                    )
                else:
                    note = (
                        f"Gave up after {_attempts(attempt)} in "
                        f"{time.monotonic() - started:.1f} s (retries.attempts). "
                    )
            raise self._error(request, failure, attempts=attempt, note=note)

    @property
    def _attempt_span(self) -> float:
        """The longest one attempt can take before its body arrives."""
        timeouts = self._settings.timeouts
        return timeouts.pool + timeouts.connect + timeouts.write + timeouts.read

    def _limits(self, deadline: float) -> Timeouts:
        """The timeouts of the next attempt: the configured ones, cut to the budget left."""
        left = max(deadline - time.monotonic(), 0.001)
        configured = self._settings.timeouts
        return Timeouts(
            connect=min(configured.connect, left),
            read=min(configured.read, left),
            write=min(configured.write, left),
            pool=min(configured.pool, left),
        )

    def _exchange(self, request: _Request, deadline: float, limits: Timeouts) -> Answer:
        """One attempt; no phase waits past the deadline, and the watchdog ends an answer
        still trickling in at the deadline, headers or body."""
        timeout = httpx.Timeout(
            connect=limits.connect, read=limits.read, write=limits.write, pool=limits.pool
        )
        phase: Literal["headers", "body"] = "headers"
        headers = dict(request.headers)
        key = self._settings.management_key
        if self._reset_pending and key is not None:
            headers[RESET_HEADER] = key.reveal()
        if self._served or request.path == RESET_PATH:
            headers[SANDBOX_HEADER] = self._sandbox
        watch = self._watchdog.arm(deadline)

        def trace(event: str, info: Mapping[str, Any]) -> None:
            self._watchdog.trace(event, info)
            # The wait for the headers may end a little past the deadline (the read timeout
            # counts from here): a silent server is then told by the read timeout, as "no
            # response", not by the watchdog, as an answer still arriving.
            if event == _AWAITING_HEADERS:
                self._watchdog.postpone(watch, time.monotonic() + limits.read + _WATCHDOG_SLACK)

        try:
            sent = httpx.Request(
                request.method,
                self._url(request.path),
                json=request.body,
                headers={**_HEADERS, **headers},
                extensions={"timeout": timeout.as_dict(), "trace": trace},
            )
            response = self._http.handle_request(sent)
            # Cookies are read from the answer itself: with no jar, runs of one runner
            # never share a session through cookies.
            response.request = sent
            try:
                phase = "body"
                if response.headers.get(RESET_HEADER) == _RESET_DONE:
                    self._reset_pending = False
                content = response.read()
                # Parsing cookies costs more than the rest of a small answer's handling;
                # only an answer that sets one can carry the refresh JWT as a cookie.
                cookie = (
                    response.cookies.get(_REFRESH_COOKIE)
                    if "set-cookie" in response.headers
                    else None
                )
                return Answer(response.status_code, response.headers, content, cookie)
            finally:
                response.close()
        except httpx.TransportError:
            if self._watchdog.disarm(watch):
                raise _LateAnswerError(phase) from None
            raise
        finally:
            self._watchdog.disarm(watch)

    def _url(self, path: str) -> httpx.URL:
        """The URL of ``path`` under the base URL, parsed once per path."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._settings.base_url + path)
        return url

    def _transport_failure(self, error: Exception, limits: Timeouts) -> Failure:
        """What a failed exchange proves (see :mod:`flowspec.remote.retries`), and why."""
        configured = self._settings.timeouts
        budget = self._settings.retries.budget

        def within(phase: str) -> str:
            limit: float = getattr(limits, phase)
            if limit < getattr(configured, phase):
                return f"{limit:.2f} s, what was left of the {budget:g} s budget (retries.budget)"
            return f"{limit:g} s (timeouts.{phase})"

        detail = str(error) or type(error).__name__
        # The handshake never completed: not one byte of the request left this process.
        if isinstance(error, httpx.ConnectTimeout):
            return Failure(
                "not-delivered",
                f"no connection within {within('connect')}",
                f"Check the host and your network, or raise timeouts.connect; {CHECK_URL}",
            )
        # Still waiting for a connection of our own pool: nothing was sent.
        if isinstance(error, httpx.PoolTimeout):
            return Failure(
                "not-delivered",
                f"no free connection within {within('pool')}",
                "Too many calls share this runner at once; raise timeouts.pool",
            )
        # Refused, unreachable or unresolvable: no connection, so no request.
        if isinstance(error, httpx.ConnectError):
            return Failure(
                "not-delivered",
                f"could not connect ({detail})",
                f"Nothing took the connection; {CHECK_URL}",
            )
        # Sending stopped before the last byte left; the server waits for a body that
        # never completes and acts on nothing.
        if isinstance(error, httpx.WriteTimeout | httpx.WriteError):
            return Failure(
                "not-delivered",
                f"the request could not be sent ({detail or 'write timeout'})",
                "Check your network, or raise timeouts.write",
            )
        # The whole request left; the server may be acting on it right now.
        if isinstance(error, httpx.ReadTimeout):
            return Failure(
                "unknown",
                f"no response within {within('read')}",
                "The server is slow or stuck; check it, or raise timeouts.read",
            )
        # The request left and the answer broke off (a reset, a body cut short, or an
        # idle connection closed under us): the server may have acted.
        if isinstance(error, httpx.ReadError | httpx.RemoteProtocolError):
            return Failure(
                "unknown",
                f"the connection broke before the response was complete ({detail})",
                "The server or a proxy in between dropped the connection; check its logs",
            )
        # Cut off at the budget, so no retry could fit anyway. Headers still arriving prove
        # no more than a read timeout; a body arriving proves the server acted.
        if isinstance(error, _LateAnswerError):
            late = "headers were" if error.phase == "headers" else "body was"
            return Failure(
                "unknown" if error.phase == "headers" else None,
                f"the response {late} still arriving after {budget:g} s, the whole budget "
                "(retries.budget)",
                "The server sends its answer too slowly; check it, or raise retries.budget",
            )
        if isinstance(error, httpx.DecodingError):
            return Failure(
                None,
                f"the response body could not be decoded ({detail})",
                "The server or a proxy in between garbled the answer; check its logs",
            )
        return Failure(None, f"the request failed ({detail})", f"Check the URL: {CHECK_URL}")

    def _decode(self, request: _Request, raw: Answer, attempt: int) -> Reply:
        nonce = raw.headers.get(NONCE_HEADER)
        if raw.status in request.accept:
            return Reply(raw.status, {}, nonce, raw.refresh_cookie)
        body = json_object(raw)
        if isinstance(body, Failure):
            raise self._error(request, body, attempts=attempt)
        return Reply(raw.status, body, nonce, raw.refresh_cookie)

    def _wrong_answer(
        self, request: _Request, reply: Reply, cause: str, fix: str
    ) -> RemoteError | RemoteFlowMisbehaved:
        """The error for an answer that came, at the first attempt, without what the call
        needs from it: not the API this client speaks."""
        return self._error(request, Failure(None, cause, fix, status=reply.status), attempts=1)

    def _error(
        self, request: _Request, failure: Failure, *, attempts: int, note: str = ""
    ) -> RemoteError | RemoteFlowMisbehaved:
        kind = RemoteFlowMisbehaved if failure.error_code == FLOW_MISBEHAVED else RemoteError
        return kind(
            method=request.method,
            url=self._settings.base_url + request.path,
            cause=failure.cause,
            fix=note + request.fixes.get(failure.status or 0, failure.fix) + ".",
            status=failure.status,
            error_code=failure.error_code,
            attempts=attempts,
            secrets=request.secrets,
        )


def environment_proxy(base_url: str) -> str | None:
    """The proxy the environment names for ``base_url``: ``HTTPS_PROXY``, ``HTTP_PROXY`` or
    ``ALL_PROXY`` for its scheme, unless ``NO_PROXY`` covers its host; the variables
    httpx's own client reads, as Python's ``urllib`` reads them."""
    url = httpx.URL(base_url)
    proxies = urllib.request.getproxies()
    if urllib.request.proxy_bypass(url.host):
        return None
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy:
        return None
    # A proxy named without a scheme is an HTTP proxy, as httpx reads it.
    return proxy if "://" in proxy else f"http://{proxy}"


def _speaks_tls(base_url: str, proxy: str | None) -> bool:
    """Whether a connection to ``base_url``, through ``proxy`` if any, may use TLS, and
    so needs certificates checked (``verify=False`` is never given where it could)."""
    return any(httpx.URL(url).scheme != "http" for url in (base_url, proxy) if url)


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"
