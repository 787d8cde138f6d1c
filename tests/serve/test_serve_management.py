"""The management API: flow exports in both shapes and test-user codes, behind the
management key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowspec.engine.export import compile_export
from flowspec.engine.loader import load_flow
from flowspec.engine.world import World
from flowspec.serve.exports import flow_documents

V1 = "/v1/mgmt/flow/export"
V2 = "/v2/mgmt/flow/export"
GENERATE = "/v1/mgmt/tests/generate/otp"
SIGN_IN = "/v1/mgmt/flowspec/sign-in"
RESET = "/v1/mgmt/flowspec/reset"
RESET_HEADER = "X-Flowspec-Reset"
MINI_EXPORT_FLOW = "mini-step-up"
SHAPES = Path(__file__).resolve().parents[1] / "engine" / "fixtures" / "shapes"


def without_start(tasks: dict) -> dict:
    return {task_id: task for task_id, task in tasks.items() if task_id != "start"}


@pytest.mark.parametrize("path", [V1, V2, GENERATE, SIGN_IN])
def test_management_calls_need_the_management_key(api, path: str, management_key: str) -> None:
    """Without the key, or with another one, a management call answers 401 FS40100 and
    never quotes the key it was sent."""
    body = {"flowId": "step-up", "loginId": "bob@acme.test", "deliveryMethod": "email"}
    missing = api.http.post(path, json=body, headers=api.auth())
    wrong = api.manage(path, body, key="not-" + management_key)

    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.json()["errorCode"] == "FS40100"
    assert "not-" + management_key not in wrong.text


def test_a_server_started_without_a_key_answers_no_management_call(
    small_served, serve_world, management_key: str
) -> None:
    """A server given no management key refuses every management call, whatever key is
    sent, and says how to turn the API on."""
    api = serve_world(small_served.world, management_key=None)
    refused = api.manage(V2, {"flowId": "profile"}, key=management_key)

    assert refused.status_code == 401
    assert "FLOWSPEC_MANAGEMENT_KEY" in refused.json()["errorMessage"]


@pytest.mark.parametrize(
    "flow_id",
    [
        "impersonation",
        "mfa-enrollment",
        "preferred-mfa",
        "profile-update",
        "sign-up-or-in",
        "step-up",
    ],
)
def test_a_yaml_flows_v2_export_loads_back_to_the_same_flow(api, flow_id: str) -> None:
    """The v2 export written for a YAML shorthand flow compiles to the same tasks, plus
    the start task every Descope export has, pointing at the flow's first task."""
    response = api.manage(V2, {"flowId": flow_id})
    assert response.status_code == 200, response.text
    exported = compile_export(response.json(), "v2 export")
    original = api.served.world.flows[flow_id]

    assert (exported.id, exported.name, exported.start_task) == (
        original.id,
        original.name,
        original.start_task,
    )
    assert without_start(dict(exported.tasks)) == dict(original.tasks)
    assert exported.tasks["start"].rules[0].task_id == original.start_task


def test_a_yaml_flows_v1_export_loads_back_to_the_same_flow(api) -> None:
    """The v1 export (``flow.dsl`` and ``screens``) of a YAML flow compiles to its tasks."""
    response = api.manage(V1, {"flowId": "sign-up-or-in"})
    exported = compile_export(response.json(), "v1 export")

    assert set(response.json()) == {"flow", "screens"}
    assert without_start(dict(exported.tasks)) == dict(
        api.served.world.flows["sign-up-or-in"].tasks
    )


def test_a_json_exports_v2_export_is_the_document_it_was_loaded_from(small_api) -> None:
    """A flow loaded from a Descope export is exported as that very document."""
    source = small_api.served.world.flows[MINI_EXPORT_FLOW].source
    response = small_api.manage(V2, {"flowId": MINI_EXPORT_FLOW})

    with open(source, encoding="utf-8") as original:
        assert response.json() == {"flow": json.load(original)}


def test_a_json_exports_v1_export_carries_its_contents_as_dsl(small_api) -> None:
    """The v1 export of a Descope export holds its contents as ``dsl`` and its screens,
    and compiles to the same flow."""
    source = small_api.served.world.flows[MINI_EXPORT_FLOW].source
    with open(source, encoding="utf-8") as original:
        document = json.load(original)
    response = small_api.manage(V1, {"flowId": MINI_EXPORT_FLOW}).json()

    assert response["flow"]["id"] == MINI_EXPORT_FLOW
    assert response["flow"]["dsl"] == document["contents"]
    assert [s["id"] for s in response["screens"]] == [s["screenId"] for s in document["screens"]]
    assert compile_export(response, "v1").tasks == compile_export(document, "single").tasks


def test_exporting_an_unknown_flow_answers_404(api) -> None:
    """An export of a flow the world lacks answers 404 FS40400 naming the closest flow."""
    response = api.manage(V2, {"flowId": "stepup"})

    assert response.status_code == 404
    assert "'step-up'" in response.json()["errorMessage"]


def test_a_generated_code_is_the_one_an_otp_verify_accepts(api) -> None:
    """After a flow emails a code, a code generated for the same login id is the newest:
    it signs the user in, while an older generated code is refused on the screen."""
    sent = api.next(
        api.start("sign-up-or-in", options={"deviceInfo": {"webAuthnSupport": False}}),
        "email-me-a-code",
        {"email": "gina@globex.test"},
    )
    older = api.generated_code("gina@globex.test")
    newest = api.generated_code("gina@globex.test")
    refused = api.next(sent, "verify", {"code": older})
    accepted = api.next(refused, "verify", {"code": newest})

    assert refused.json()["screen"]["state"]["errorType"] == "InvalidOTPCode"
    assert accepted.json()["status"] == "completed"
    assert accepted.json()["authInfo"]["user"]["userId"] == "U2gina"


def test_generating_a_code_names_the_login_id(api) -> None:
    """A generated code answers Descope's ``{loginId, code}`` with a six-digit code."""
    body = {"loginId": "bob@acme.test", "deliveryMethod": "email"}
    answer = api.manage(GENERATE, body).json()

    assert answer["loginId"] == "bob@acme.test"
    assert answer["code"].isdigit()
    assert len(answer["code"]) == 6


def test_an_unknown_delivery_method_is_a_bad_request(api) -> None:
    """A delivery method Descope does not have answers 400 FS40000 listing the known ones."""
    response = api.manage(GENERATE, {"loginId": "bob@acme.test", "deliveryMethod": "pigeon"})

    assert response.status_code == 400
    assert "email" in response.json()["errorMessage"]


@pytest.mark.parametrize(
    "shape",
    [
        "social-sign-in.json",
        "social-sign-in-v1.json",
        "social-sign-in-v2.json",
        "snapshot/social-sign-in",
    ],
)
def test_every_export_shape_is_answered_in_both_shapes_that_load_back(shape: str) -> None:
    """A flow loaded from any of Descope's export shapes (single file, v1, v2, snapshot
    folder) is exported in the v1 and the v2 shape, each loading to the same tasks."""
    flow = load_flow(SHAPES / shape)
    documents = flow_documents({flow.id: flow})[flow.id]

    assert compile_export(documents.v1, "v1").tasks == flow.tasks
    assert compile_export({"flow": documents.single}, "v2").tasks == flow.tasks


ROOT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_a_reset_gives_back_the_world_as_loaded(serve_world, management_key: str) -> None:
    """After a reset, users are as users.yaml says and earlier executions are gone."""
    api = serve_world(World.load(ROOT_SCENARIOS), management_key=management_key)
    done = api.sign_in("bob@acme.test")
    refresh = done.json()["authInfo"]["refreshJwt"]
    edit = api.start("profile-update", token=refresh)
    saved = api.next(edit, "save", {"name": "Robert"})
    assert saved.json()["status"] == "completed"
    me = api.http.get("/v1/auth/me", headers=api.auth(refresh))
    assert me.json()["name"] == "Robert"
    waiting = api.start("profile-update", token=refresh)
    assert api.manage("/v1/mgmt/flowspec/reset", {}, key=management_key).status_code == 200
    assert api.http.get("/v1/auth/me", headers=api.auth(refresh)).json()["name"] == "Bob Member"
    gone = api.next(waiting, "save", {"name": "Again"})
    assert gone.status_code == 400
    assert gone.json()["errorCode"] == "E103205"


def test_a_reset_needs_the_management_key(serve_world, management_key: str) -> None:
    """Without the management key a reset is refused."""
    api = serve_world(World.load(ROOT_SCENARIOS), management_key=management_key)
    refused = api.manage("/v1/mgmt/flowspec/reset", {}, key="not-the-key")
    assert refused.status_code == 401
    assert refused.json()["errorCode"] == "FS40100"


def test_a_reset_header_resets_before_the_request_is_handled_whatever_it_answers(
    serve_world, management_key: str
) -> None:
    """A request carrying X-Flowspec-Reset with the management key is handled in the world
    as loaded, and says so in the same header; so does one whose own answer is an error
    (here a next on an execution the reset forgot)."""
    api = serve_world(World.load(ROOT_SCENARIOS), management_key=management_key)
    refresh = api.sign_in("bob@acme.test").json()["authInfo"]["refreshJwt"]
    edit = api.start("profile-update", token=refresh)
    assert api.next(edit, "save", {"name": "Robert"}).json()["status"] == "completed"
    waiting = api.start("profile-update", token=refresh)

    me = api.http.get("/v1/auth/me", headers={**api.auth(refresh), RESET_HEADER: management_key})
    assert me.json()["name"] == "Bob Member"
    assert me.headers[RESET_HEADER] == "done"
    assert api.next(edit, "save", {"name": "Again"}).status_code == 400

    assert api.next(waiting, "save", {"name": "Again"}).status_code == 400
    started = api.start("profile-update", token=refresh)
    nonce = started.headers["X-Descope-Flow-Nonce"]
    headers = {**api.auth(), RESET_HEADER: management_key, "X-Descope-Flow-Nonce": nonce}
    body = {**started.json(), "interactionId": "save", "input": {"name": "Robert"}}
    body = {key: body[key] for key in ("executionId", "stepId", "interactionId", "input")}
    gone = api.http.post("/v1/flow/next", json=body, headers=headers)
    assert (gone.status_code, gone.json()["errorCode"]) == (400, "E103205")
    assert gone.headers[RESET_HEADER] == "done"


def test_a_reset_header_with_a_wrong_key_resets_and_handles_nothing(
    serve_world, management_key: str
) -> None:
    """A wrong key in X-Flowspec-Reset answers 401 without quoting it, before anything is
    reset or the request handled."""
    api = serve_world(World.load(ROOT_SCENARIOS), management_key=management_key)
    refresh = api.sign_in("bob@acme.test").json()["authInfo"]["refreshJwt"]
    edit = api.start("profile-update", token=refresh)
    assert api.next(edit, "save", {"name": "Robert"}).json()["status"] == "completed"

    headers = {**api.auth(refresh), RESET_HEADER: "not-the-key"}
    refused = api.http.post("/v1/flow/start", json={"flowId": "profile-update"}, headers=headers)

    assert (refused.status_code, refused.json()["errorCode"]) == (401, "FS40100")
    assert RESET_HEADER not in refused.headers
    assert "not-the-key" not in refused.text
    assert api.http.get("/v1/auth/me", headers=api.auth(refresh)).json()["name"] == "Robert"
