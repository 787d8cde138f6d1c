// Runs one flow through Descope's JS core SDK (@descope/core-js-sdk), as a web or Node app
// would, against the base URL given: flowspec serve in tests/serve/test_serve_js_sdk.py.
//
//   node flow.mjs <baseUrl> <projectId> <flowId> '<clicks as JSON>'
//
// <clicks> is a list of {"interaction": "<interactionId>", "input": {...}} answered in
// turn with sdk.flow.next. A refresh JWT in FLOWSPEC_REFRESH_JWT (the environment, so no
// process listing shows it) signs the run in: the core SDK's flow.start takes no token,
// so a beforeRequest hook sets the request's token, which the SDK's HTTP client sends as
// "Authorization: Bearer <projectId>:<token>", as Descope's web SDK does with the token
// it keeps.
//
// Prints one JSON line, {ok, steps, response}: the SDK's verdict, the statuses seen, and
// the last flow response (which holds the issued tokens: the caller keeps it to itself).
// Exits 0 when every call succeeded, 1 otherwise.
import createSdk from '@descope/core-js-sdk';

const [baseUrl, projectId, flowId, clicksJson = '[]'] = process.argv.slice(2);
if (!baseUrl || !projectId || !flowId) {
  console.error("usage: node flow.mjs <baseUrl> <projectId> <flowId> '<clicks as JSON>'");
  process.exit(2);
}
const clicks = JSON.parse(clicksJson);
const refreshJwt = process.env.FLOWSPEC_REFRESH_JWT || '';

const sdk = createSdk({
  projectId,
  baseUrl,
  hooks: {
    beforeRequest: (config) => (refreshJwt ? { ...config, token: refreshJwt } : config),
  },
});

const steps = [];
const report = (ok, answer) => {
  console.log(JSON.stringify({ ok, steps, response: answer.data ?? null, error: answer.error ?? null }));
  process.exit(ok ? 0 : 1);
};

let answer = await sdk.flow.start(
  flowId,
  { deviceInfo: { webAuthnSupport: false } },
  undefined,
  undefined,
  undefined,
  undefined,
  {},
);
for (const click of clicks) {
  if (!answer.ok) report(false, answer);
  const { executionId, stepId, status, screen } = answer.data;
  steps.push({ status, screen: screen?.id ?? null });
  answer = await sdk.flow.next(
    executionId,
    stepId,
    click.interaction,
    undefined,
    undefined,
    click.input ?? {},
  );
}
if (answer.ok) steps.push({ status: answer.data.status, screen: answer.data.screen?.id ?? null });
report(answer.ok, answer);
