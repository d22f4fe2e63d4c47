/**
 * The fake GitHub lives in dev/ (the demo uses it too); tests add the nock adapter here.
 */
import nock from "nock";
import {
  type FakeRequest,
  FakeGitHub as LoopbackFakeGitHub,
  lowerHeaders,
  parseBody,
  serializeBody,
} from "../../dev/fake-github.js";

export * from "../../dev/fake-github.js";

export class FakeGitHub extends LoopbackFakeGitHub {
  /**
   * The fake made last: a comment delivery built by the test harness (`commentPayload`) is
   * written on it first, as on GitHub a comment exists before its delivery arrives.
   */
  static current: FakeGitHub | undefined;

  constructor() {
    super();
    FakeGitHub.current = this;
  }

  /** Intercepts `baseUrl` in this process with nock. Returns the scope. */
  useNock(baseUrl = "https://api.github.com"): nock.Scope {
    const scope = nock(baseUrl).persist();
    const base = new URL(baseUrl).pathname.replace(/\/$/, "");
    const fake = this;
    for (const method of ["get", "post", "put", "patch", "delete"] as const) {
      scope[method](() => true).reply(function (uri, body, callback) {
        const url = new URL(uri, baseUrl);
        const req: FakeRequest = {
          method: method.toUpperCase(),
          base: baseUrl.replace(/\/$/, ""),
          path: url.pathname.slice(base.length) || "/",
          query: url.searchParams,
          headers: lowerHeaders(this.req.headers),
          body: parseBody(body),
        };
        fake.handle(req).then(
          (res) => {
            if (res.drop) {
              callback(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), undefined as never);
            } else {
              const headers = { "content-type": "application/json; charset=utf-8", ...res.headers };
              callback(null, [res.status, serializeBody(res), headers]);
            }
          },
          (error: Error) => callback(error, undefined as never),
        );
      });
    }
    return scope;
  }
}
