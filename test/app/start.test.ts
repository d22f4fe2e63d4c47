/**
 * `npm start` as a user meets it: a private key that is not one is one sentence naming the
 * variable and exit code 1 (no stack trace, no setup page). The webhook proxy: webhook-proxy.long.test.ts.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appSettingsProblem } from "../../src/app/start.js";
import { testPrivateKey } from "./harness.js";
import { start } from "./start-support.js";

describe("a private key that is not one", () => {
  it.each([
    ["not a key at all", "hello"],
    ["a PEM whose body is broken", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----"],
  ])(
    "PRIVATE_KEY %s: one sentence naming it, exit 1, no setup page",
    async (_, key) => {
      const run = await start({ APP_ID: "123", PRIVATE_KEY: key, WEBHOOK_SECRET: "s", PORT: "0" });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        "worker-sync: PRIVATE_KEY is not a private key in PEM format: paste the whole .pem file GitHub generated for the app (its Private keys section)\n",
      );
      expect(run.stdout).toBe("");
    },
    20_000,
  );

  it("names PRIVATE_KEY_PATH when that is what is wrong, and APP_ID without a key", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-key-"));
    writeFileSync(join(dir, "app.pem"), "not a key\n");
    expect(appSettingsProblem({ APP_ID: "1", PRIVATE_KEY_PATH: "app.pem" }, dir)).toBe(
      `PRIVATE_KEY_PATH is not a private key in PEM format (${join(dir, "app.pem")}): paste the whole .pem file GitHub generated for the app (its Private keys section)`,
    );
    expect(appSettingsProblem({ APP_ID: "1", PRIVATE_KEY_PATH: "gone.pem" }, dir)).toBe(
      `PRIVATE_KEY_PATH names no file: ${join(dir, "gone.pem")}`,
    );
    expect(appSettingsProblem({ APP_ID: "1" }, dir)).toMatch(/^APP_ID is set but there is no private key/);
  });

  it("takes every form of a good key Probot takes: PEM, one line, \\n-escaped, base64", () => {
    const pem = testPrivateKey();
    for (const key of [pem, pem.replace(/\n/g, " "), pem.replace(/\n/g, "\\n"), Buffer.from(pem).toString("base64")])
      expect(appSettingsProblem({ APP_ID: "1", PRIVATE_KEY: key }, tmpdir())).toBeUndefined();
    // No settings at all: Probot's setup page, as `probot run` gives.
    expect(appSettingsProblem({}, tmpdir())).toBeUndefined();
  });
});
