/**
 * The fake GitHub is only worth what it shares with GitHub. A representative scenario (the app
 * on labels, comment commands, a reconcile, a large file, a conflict, a moved and a deleted
 * issue, a pull request in the list, a rate limit) runs against it with every exchange
 * recorded; each request is checked against GitHub's own OpenAPI description
 * (@octokit/openapi: path parameters, query, body) and each answer against the response
 * schema of its status.
 */
import { createRequire } from "node:module";
import { Octokit } from "@octokit/rest";
import { Ajv, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionStore } from "../../src/agent/session-store.js";
import { redeliverFailed } from "../../src/github/redeliver.js";
import { addLabel, fetchIssueFacts, labeledSince, listAll, removeLabel } from "../../src/github/rest.js";
import { GitHubContentsBackend } from "../../src/store/github-contents.js";
import { commentPayload, createApp, deliver, FULL, issuesPayload, projectsJson } from "../app/harness.js";
import { FakeGitHub, type LoggedRequest } from "./fake-github.js";

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  pointer: string;
  op: Json;
}

const require = createRequire(import.meta.url);
const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

let spec: { paths: Record<string, Record<string, Json>>; components: Json };
let operations: Operation[];
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
// ajv-formats is CommonJS: its plugin is the module itself at run time, `default` to the types.
const addFormats = ((formats as { default?: unknown }).default ?? formats) as unknown as (a: Ajv) => Ajv;
addFormats(ajv);
const exchanges: LoggedRequest[] = [];

/**
 * OpenAPI 3.0's `nullable` beside no `type` (`{allOf: […], nullable: true}`) is not JSON Schema;
 * say it as JSON Schema does: the value, or null.
 */
function jsonSchemaNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchemaNullable);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = jsonSchemaNullable(v);
  // Many of the description's oneOf are not exclusive (two error shapes with only optional fields).
  if (Array.isArray(out.oneOf)) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _, ...rest } = out;
    return { anyOf: [rest, { type: "null" }] };
  }
  return out;
}

/** An object of the description, following one `$ref` if it is one; with where it is. */
function resolve(value: Json, pointer: string): { value: Json; pointer: string } {
  const ref = value.$ref;
  if (typeof ref !== "string") return { value, pointer };
  const path = ref.replace(/^#\//, "").split("/");
  let at: unknown = spec;
  for (const part of path) at = (at as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return { value: at as Json, pointer: ref.replace(/^#/, "") };
}

const compiled = new Map<string, ValidateFunction>();
function validator(pointer: string): ValidateFunction {
  const kept = compiled.get(pointer);
  if (kept) return kept;
  const v = ajv.compile({ $ref: `github#${pointer}` });
  compiled.set(pointer, v);
  return v;
}

function operationOf(
  method: string,
  path: string,
): { operation: Operation; params: Record<string, string> } | undefined {
  const found = operations
    .filter((o) => o.method === method.toLowerCase() && o.pattern.test(path))
    // The most literal template wins (/issues/comments/{id} over /issues/{issue_number}/comments).
    .sort((a, b) => a.names.length - b.names.length)[0];
  if (!found) return undefined;
  const m = found.pattern.exec(path) as RegExpExecArray;
  return {
    operation: found,
    params: Object.fromEntries(found.names.map((n, i) => [n, decodeURIComponent(m[i + 1] as string)])),
  };
}

/** What is wrong with one exchange, as sentences; none when GitHub's description agrees. */
function check(r: LoggedRequest): string[] {
  const where = `${r.method} ${r.path} → ${r.status}`;
  // Where GitHub's 301 for a transferred issue points: a real address the description leaves out.
  if (/^\/repositories\/\d+\/issues\/\d+(\/[a-z/]+)?$/.test(r.path)) return [];
  // GitHub moves every address of a transferred issue with a 301, though its description lists
  // the 301 for some operations only (the issue, its labels): the answer is GitHub's moved_permanently.
  if (r.status === 301 && /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/(events|comments)$/.test(r.path)) return [];
  const found = operationOf(r.method, r.path);
  if (!found) return [`${where}: no such operation in GitHub's API`];
  const { operation, params } = found;
  const problems: string[] = [];
  const query = new URLSearchParams(r.query ?? "");
  const declared = ((operation.op.parameters as Json[] | undefined) ?? []).map((p, i) =>
    resolve(p, `${operation.pointer}/parameters/${i}`),
  );
  for (const { value: p, pointer } of declared) {
    const name = p.name as string;
    const given = p.in === "path" ? params[name] : p.in === "query" ? query.get(name) : undefined;
    if (given === undefined || given === null) {
      if (p.required && p.in !== "header") problems.push(`${where}: ${p.in} parameter ${name} is missing`);
      continue;
    }
    const schema = p.schema as Json;
    const value = schema?.type === "integer" && /^-?\d+$/.test(given) ? Number(given) : given;
    const v = validator(`${pointer}/schema`);
    if (!v(value)) problems.push(`${where}: ${p.in} parameter ${name}=${given}: ${ajv.errorsText(v.errors)}`);
  }
  for (const name of query.keys()) {
    if (!declared.some(({ value: p }) => p.in === "query" && p.name === name)) {
      problems.push(`${where}: query parameter ${name} is not in the description`);
    }
  }
  const body = operation.op.requestBody as Json | undefined;
  if (body && r.requestBody !== undefined) {
    const { pointer } = resolve(body, `${operation.pointer}/requestBody`);
    const v = validator(`${pointer}/content/application~1json/schema`);
    if (!v(r.requestBody)) problems.push(`${where}: request body: ${ajv.errorsText(v.errors)}`);
  }
  if (r.status === 0 || r.status >= 500) return problems;
  const responses = operation.op.responses as Record<string, Json>;
  // Answers GitHub gives to any request, documented once for all rather than per operation:
  // 304 to a conditional GET, 403/429 for a rate limit (a basic error with the x-ratelimit headers).
  if (r.status === 304 && r.method === "GET") return problems;
  const limited = r.responseHeaders?.["x-ratelimit-remaining"] === "0" || r.responseHeaders?.["retry-after"];
  if ((r.status === 403 || r.status === 429) && limited && !responses[String(r.status)]) {
    const v = validator("/components/schemas/basic-error");
    if (!v(r.responseBody)) problems.push(`${where}: rate limit answer: ${ajv.errorsText(v.errors)}`);
    return problems;
  }
  const response = responses[String(r.status)];
  if (!response) return [...problems, `${where}: GitHub does not answer ${r.status} here`];
  const { value, pointer } = resolve(response, `${operation.pointer}/responses/${r.status}`);
  const content = value.content as Record<string, Json> | undefined;
  if (content?.["application/json"] && typeof r.responseBody === "object" && !Buffer.isBuffer(r.responseBody)) {
    const v = validator(`${pointer}/content/application~1json/schema`);
    if (!v(r.responseBody)) problems.push(`${where}: response: ${ajv.errorsText(v.errors, { separator: "; " })}`);
  }
  return problems;
}

async function scenario(): Promise<FakeGitHub> {
  const fake = new FakeGitHub();
  fake.recordExchanges = true;
  fake.useNock();
  fake.setFile(FULL, "memory/projects.json", projectsJson({ senior: "agent:x:subagent:senior-1" }));
  fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing", "senior"] });
  fake.setIssue(FULL, { number: 2, title: "Two", state: "open", labels: ["Testing"] });
  fake.setIssue(FULL, { number: 5, title: "Moving", state: "open", labels: [] });
  fake.setIssue(FULL, { number: 6, title: "Going", state: "open", labels: [] });
  fake.setPullRequest(FULL, { number: 3, title: "A pull request", state: "open", labels: ["Doing"] });
  fake.setPermission(FULL, "maintainer", "maintain");
  fake.setPermission(FULL, "visitor", "triage");

  // The app: labels, then comment commands from a maintainer and from a visitor.
  const { probot } = await createApp();
  await deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["Doing", "senior"] }, "Doing"));
  await deliver(probot, "issues", issuesPayload("labeled", { number: 2, labels: ["Testing"] }, "Testing"));
  await deliver(
    probot,
    "issue_comment",
    commentPayload({ number: 1, labels: ["Doing"] }, "/worker status", "maintainer"),
  );
  await deliver(
    probot,
    "issue_comment",
    commentPayload({ number: 1, labels: ["Doing"] }, "/worker reconcile", "maintainer"),
  );
  await deliver(probot, "issue_comment", commentPayload({ number: 2, labels: [] }, "/worker release qa", "visitor"));
  fake.setIssue(FULL, { number: 1, title: "One", state: "closed", labels: ["Doing", "senior"] });
  await deliver(probot, "issues", issuesPayload("closed", { number: 1, labels: ["Doing"], state: "closed" }));

  // What the handlers' plumbing asks: lists (with a pull request), moved and deleted issues.
  const octokit = new Octokit({ auth: "t", log: { debug() {}, info() {}, warn() {}, error() {} } });
  const [owner, repo] = FULL.split("/") as [string, string];
  await listAll(octokit, "GET /repos/{owner}/{repo}/issues", { owner, repo, state: "open", labels: "Doing" });
  // Hand-off and dispatch: when a label was put on (issue events), one label removed, one added.
  fake.setIssue(FULL, { number: 7, title: "Seven", state: "open", labels: ["To Do"] });
  await removeLabel(octokit, { owner, repo, issue_number: 7 }, "To Do");
  await removeLabel(octokit, { owner, repo, issue_number: 7 }, "To Do");
  await addLabel(octokit, { owner, repo, issue_number: 7 }, "Doing");
  await labeledSince(octokit, { owner, repo, issue_number: 7 }, ["Doing"]);
  fake.transferIssue(FULL, 5, `${owner}/elsewhere`, 9);
  fake.deleteIssue(FULL, 6);
  await fetchIssueFacts(octokit, { owner, repo, issue_number: 5 });
  await fetchIssueFacts(octokit, { owner, repo, issue_number: 6 });
  // Every operation on an issue's parts, on a live, a transferred (5) and a deleted (6) issue.
  const manual = { request: { redirect: "manual" as const } };
  for (const issue_number of [7, 5, 6]) {
    const ref = { owner, repo, issue_number };
    await labeledSince(octokit, ref, ["Doing"]).catch(() => undefined);
    await addLabel(octokit, ref, "Doing").catch(() => undefined);
    await removeLabel(octokit, ref, "Doing").catch(() => undefined);
    const add = "POST /repos/{owner}/{repo}/issues/{issue_number}/labels";
    await octokit.request(add, { ...ref, labels: ["bug"], ...manual }).catch(() => undefined);
    const remove = "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}";
    await octokit.request(remove, { ...ref, name: "bug", ...manual }).catch(() => undefined);
    await octokit.request(remove, { ...ref, name: "bug", ...manual }).catch(() => undefined);
    await listAll(octokit, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref }).catch(
      () => undefined,
    );
    const post = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
    await octokit.request(post, { ...ref, body: "hello", ...manual }).catch(() => undefined);
  }
  await octokit.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", {
    owner,
    repo,
    comment_id: fake.commentsOn(FULL, 1)[0]?.id ?? 0,
  });

  // The app's failed deliveries, listed by cursor and redelivered.
  for (let i = 0; i < 3; i++) {
    const at = new Date(Date.now() - (i + 1) * 60_000).toISOString();
    fake.addHookDelivery({
      guid: `g-${i}`,
      delivered_at: at,
      status_code: i ? 200 : 502,
      event: "issues",
      action: "labeled",
      request: { payload: {} },
    });
  }
  await redeliverFailed(octokit, new Set());
  // The redelivery is listed as an attempt of its own (`redelivery: true`), checked as the others.
  await fake.redeliveriesSent();
  await octokit.paginate("GET /app/hook/deliveries", { per_page: 2 });

  // The store: a file over 1 MB (read through the blob), a conflict, a write on a gone file.
  const big = `${JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) })}\n`;
  fake.setFile(FULL, "big.json", big);
  const store = new GitHubContentsBackend(octokit, { owner, repo, path: "big.json", branch: "main" });
  const read = await store.read();
  await store.write("{}\n", read, "m");
  await store.write("{ }\n", read, "stale").catch(() => undefined);
  // The session store: a branch created, read, moved as a fast-forward, a racing save that is
  // not one (422), and a key that is not there.
  const sessions = new SessionStore(octokit, { owner, repo, branch: "worker-sync/sessions" });
  await sessions.load("k1");
  await sessions.save("k1", Buffer.from("sealed one"), "save k1");
  await new SessionStore(octokit, { owner, repo, branch: "worker-sync/sessions" }).load("k1");
  const racing = new SessionStore(octokit, { owner, repo, branch: "worker-sync/sessions" });
  await racing.load("k2");
  await sessions.save("k1", Buffer.from("sealed two"), "save k1 again");
  await racing.save("k2", Buffer.from("sealed three"), "save k2 on a stale head");
  await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
    owner,
    repo,
    commit_sha: fake.gitRef(FULL, "heads/worker-sync/sessions") ?? "",
  });
  // A rate limit running out.
  fake.exhaustRateLimit();
  await octokit
    .request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: 2 })
    .catch(() => undefined);
  return fake;
}

beforeAll(async () => {
  nock.disableNetConnect();
  spec = require("@octokit/openapi/generated/api.github.com.json");
  ajv.addSchema(jsonSchemaNullable({ $id: "github", paths: spec.paths, components: spec.components }) as Json);
  operations = Object.entries(spec.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "put", "post", "patch", "delete"].includes(method))
      .map(([method, op]) => {
        const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
        // A file's path may hold slashes; every other parameter is one segment.
        const source = template
          .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
          .replace(/\{([^}]+)\}/g, (_, n: string) => (n === "path" ? "(.+)" : "([^/]+)"));
        return {
          method,
          template,
          pattern: new RegExp(`^${source}$`),
          names,
          pointer: `/paths/${escapePointer(template)}/${method}`,
          op: op as Json,
        };
      }),
  );
  exchanges.push(...(await scenario()).log);
}, 60_000);
afterAll(() => nock.cleanAll());

describe("the fake GitHub against GitHub's OpenAPI description", () => {
  it("covers every operation the code uses", () => {
    const used = new Set(exchanges.map((r) => `${r.method} ${operationOf(r.method, r.path)?.operation.template}`));
    for (const operation of [
      "POST /app/installations/{installation_id}/access_tokens",
      "GET /repos/{owner}/{repo}/contents/{path}",
      "PUT /repos/{owner}/{repo}/contents/{path}",
      "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
      "GET /repos/{owner}/{repo}/issues",
      "GET /repos/{owner}/{repo}/issues/{issue_number}",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/events",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
      "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
      "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}",
      "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
      "POST /repos/{owner}/{repo}/git/blobs",
      "POST /repos/{owner}/{repo}/git/trees",
      "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
      "POST /repos/{owner}/{repo}/git/commits",
      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
      "POST /repos/{owner}/{repo}/git/refs",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
    ]) {
      expect(used, operation).toContain(operation);
    }
    const statuses = new Set(exchanges.map((r) => r.status));
    for (const status of [200, 201, 204, 301, 304, 403, 404, 409, 410, 422])
      expect(statuses, String(status)).toContain(status);
  });

  it("sends only requests GitHub describes, and answers each as GitHub describes", () => {
    const problems = exchanges.flatMap(check);
    expect(problems).toEqual([]);
    console.log(`openapi: ${exchanges.length} exchanges over ${compiled.size} schemas checked, 0 differences`);
  });
});
