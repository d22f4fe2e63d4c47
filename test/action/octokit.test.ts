/** The Action's and the CLI's Octokit (src/github/octokit.ts) on its own: proxy, answers that are not the API's. */
import { createServer } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createOctokit } from "../../src/github/octokit.js";
import { FakeGitHub, faultResponses } from "../support/fake-github.js";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A CONNECT proxy on a loopback port that records where it was asked to go. */
async function proxy() {
  const targets: string[] = [];
  const server = createServer();
  server.on("connect", (req, socket, head) => {
    targets.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, targets };
}

async function fakeGitHub() {
  const fake = new FakeGitHub();
  fake.setIssue("o/r", { number: 1, title: "one", state: "open", labels: [] });
  const server = await fake.listen();
  closers.push(server.close);
  return { fake, url: server.url };
}

describe("createOctokit", () => {
  it("goes through HTTPS_PROXY / HTTP_PROXY when the environment names one", async () => {
    const { url } = await fakeGitHub();
    const through = await proxy();
    const octokit = await createOctokit({
      token: "t",
      baseUrl: url,
      userAgent: "test",
      env: { HTTP_PROXY: through.url, HTTPS_PROXY: through.url },
    });
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
      owner: "o",
      repo: "r",
      issue_number: 1,
    });
    expect(data.title).toBe("one");
    expect(through.targets).toEqual([new URL(url).host]);
  });

  it("turns an HTML page with status 200 into an outage, not data", async () => {
    const { fake, url } = await fakeGitHub();
    fake.inject({ response: faultResponses.htmlPage() });
    const octokit = await createOctokit({ token: "t", baseUrl: url, userAgent: "test" });
    await expect(octokit.request("GET /repos/{owner}/{repo}/issues", { owner: "o", repo: "r" })).rejects.toMatchObject({
      kind: "outage",
      message: expect.stringMatching(/^GitHub's API answered GET .* with an HTML page; try again later$/),
    });
  });
});
