"""``flowspec serve`` on real loopback sockets: servers on background threads, and a client.

Two worlds are served: the project's own ``scenarios/``, and a small one written to a
temporary folder with twenty users, flows that break on purpose, and a Descope JSON
export. Each server starts once per session; a test that needs its own (a fake clock)
starts one with the ``serve_world`` fixture.
"""

from __future__ import annotations

import shutil
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowspec.engine.world import World
from flowspec.serve import NONCE_HEADER, BackgroundServer, create_app

ROOT = Path(__file__).resolve().parents[2]
MANAGEMENT_KEY = "serve-test-management-key"
MINI_EXPORT = ROOT / "tests" / "engine" / "fixtures" / "mini-export.json"
USER_COUNT = 20
_READY_SECONDS = 5.0

SMALL_PROJECT = """
projectId: P2serveSmall
roles:
  member: {permissions: [Read]}
  admin: {permissions: [Read, Impersonate]}
tenants:
  t1: {name: Tenant One}
stepLimit: 50
"""

SMALL_FLOWS = {
    "profile": """
        flow: profile
        start: Signed in?
        tasks:
          Signed in?:
            condition:
              - branch: Yes
                when:
                  - user.loggedIn: is-true
                then: Edit
              - else: Sign in first
          Sign in first:
            screen: sign-in-first
          Edit:
            screen: edit
            inputs: [name]
            buttons:
              Save: Save
          Save:
            action: update-user-properties
            arguments:
              userPropertiesDefinitions:
                - {key: name, type: string, value: "{{form.name}}"}
            next: End
          End:
            action: logged-in
    """,
    "unstubbed": """
        flow: unstubbed
        start: Go
        tasks:
          Go:
            screen: go
            buttons:
              Go: Ask CRM
          Ask CRM:
            action: connector
            next: End
          End:
            action: logged-in
    """,
    "loops": """
        flow: loops
        start: Again?
        tasks:
          Again?:
            condition:
              - else: Again?
    """,
}


def small_users() -> str:
    """``users.yaml`` with ``USER_COUNT`` members of tenant t1, user00 an admin."""
    lines = ["users:"]
    for index in range(USER_COUNT):
        role = "admin" if index == 0 else "member"
        lines += [
            f"  - userId: U{index:02d}",
            f"    loginIds: [user{index:02d}@small.test]",
            f"    email: user{index:02d}@small.test",
            f"    roles: [{role}]",
            "    tenants: {t1: [member]}",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Served:
    """A running server and the world it serves."""

    url: str
    world: World

    @property
    def project_id(self) -> str:
        return self.world.project_id


class Api:
    """Descope's flow API as a client calls it, over one keep-alive httpx client."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.http = httpx.Client(base_url=served.url, timeout=10.0)

    def auth(self, secret: str | None = None) -> dict[str, str]:
        bearer = self.served.project_id + (f":{secret}" if secret else "")
        return {"Authorization": f"Bearer {bearer}"}

    def start(self, flow_id: str, *, token: str | None = None, **body: Any) -> httpx.Response:
        return self.http.post(
            "/v1/flow/start", json={"flowId": flow_id, **body}, headers=self.auth(token)
        )

    def next(
        self,
        previous: httpx.Response,
        interaction_id: str,
        inputs: dict[str, Any] | None = None,
        *,
        nonce: str | None = None,
    ) -> httpx.Response:
        """Answer ``previous``, echoing its nonce unless another one is given."""
        sent = previous.json()
        headers = self.auth()
        headers[NONCE_HEADER] = nonce or previous.headers[NONCE_HEADER]
        body = {
            "executionId": sent["executionId"],
            "stepId": sent["stepId"],
            "interactionId": interaction_id,
            "input": inputs or {},
        }
        return self.http.post("/v1/flow/next", json=body, headers=headers)

    def manage(self, path: str, body: dict[str, Any], key: str = MANAGEMENT_KEY) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.auth(key))

    def generated_code(self, login_id: str) -> str:
        body = {"loginId": login_id, "deliveryMethod": "email"}
        response = self.manage("/v1/mgmt/tests/generate/otp", body)
        assert response.status_code == 200, response.text
        return str(response.json()["code"])

    def sign_in(self, email: str) -> httpx.Response:
        """Sign a known user of ``scenarios/`` in through "sign-up-or-in" with a code from
        the test-user endpoint; the completed flow response."""
        welcome = self.start("sign-up-or-in", options={"deviceInfo": {"webAuthnSupport": False}})
        sent = self.next(welcome, "email-me-a-code", {"email": email})
        done = self.next(sent, "verify", {"code": self.generated_code(email)})
        assert done.json()["status"] == "completed", done.text
        return done

    def close(self) -> None:
        self.http.close()


@contextmanager
def start_server(world: World, **options: Any) -> Iterator[Served]:
    """Serve ``world`` on a free loopback port until the block ends; ready once it answers."""
    options.setdefault("management_key", MANAGEMENT_KEY)
    app = create_app(world, **options)
    with BackgroundServer(app) as server:
        keys = f"{server.url}/v2/keys/{world.project_id}"
        deadline = time.monotonic() + _READY_SECONDS
        while not _answers(keys):
            assert time.monotonic() < deadline, f"{keys} did not answer within {_READY_SECONDS} s"
            time.sleep(0.01)
        yield Served(server.url, world)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="session")
def scenarios_served() -> Iterator[Served]:
    """The project's own test world, served."""
    with start_server(World.load(ROOT / "scenarios")) as served:
        yield served


@pytest.fixture(scope="session")
def small_world_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small test world, written to a temporary folder."""
    root = tmp_path_factory.mktemp("small-world")
    (root / "flows").mkdir()
    (root / "project.yaml").write_text(SMALL_PROJECT)
    (root / "users.yaml").write_text(small_users())
    for name, text in SMALL_FLOWS.items():
        (root / "flows" / f"{name}.yaml").write_text(textwrap.dedent(text))
    shutil.copy(MINI_EXPORT, root / "flows" / MINI_EXPORT.name)
    return root


@pytest.fixture(scope="session")
def small_served(small_world_folder: Path) -> Iterator[Served]:
    """The small test world, served."""
    with start_server(World.load(small_world_folder)) as served:
        yield served


@pytest.fixture
def api(scenarios_served: Served) -> Iterator[Api]:
    """A client of the served ``scenarios/`` world."""
    client = Api(scenarios_served)
    yield client
    client.close()


@pytest.fixture
def small_api(small_served: Served) -> Iterator[Api]:
    """A client of the served small world."""
    client = Api(small_served)
    yield client
    client.close()


@pytest.fixture
def management_key() -> str:
    """The management key every test server accepts."""
    return MANAGEMENT_KEY


@pytest.fixture
def serve_world() -> Iterator[Callable[..., Api]]:
    """Start a server of one's own (``serve_world(world, **create_app options)``) and get
    a client of it; both stop when the test ends."""
    with ExitStack() as stack:

        def serve(world: World, **options: Any) -> Api:
            client = Api(stack.enter_context(start_server(world, **options)))
            stack.callback(client.close)
            return client

        yield serve


@pytest.fixture
def new_client() -> Iterator[Callable[[Served], Api]]:
    """Clients of a running server, one per caller (threads included), closed at the end."""
    made: list[Api] = []

    def make(served: Served) -> Api:
        client = Api(served)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
