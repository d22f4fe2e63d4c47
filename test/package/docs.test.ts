/**
 * The manual: a README of two screens that points into docs/, links that resolve, and
 * reference pages that say what the code does (the CLI's synopsis, the troubleshooting
 * sentences).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/main.js";
import { REPO } from "../cli/helpers.js";

const read = (path: string) => readFileSync(join(REPO, path), "utf8");
const README = read("README.md");
const DOCS = readdirSync(join(REPO, "docs")).filter((f) => f.endsWith(".md"));

/** Pages other changes add; the index links them before they land. */
const ARRIVING = new Set(
  ["devclaw-host.md", "modes.md", "sessions.md", "sessions-policy.md", "pipeline.md", "operations.md"].map(
    (f) => `docs/${f}`,
  ),
);

/** Every relative link target of `markdown`, without its #fragment. */
const linksOf = (markdown: string) =>
  [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((href) => !/^[a-z]+:/.test(href) && !href.startsWith("#"))
    .map((href) => href.split("#")[0] as string);

describe("README.md", () => {
  it("fits in two screens (under 70 lines)", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(70);
  });

  it("gives the two commands, says whom it is for, and names the three ways in", () => {
    expect(README).toContain("npm ci && npm run demo");
    expect(README).toContain("npm ci && npm test");
    expect(README).toMatch(/DevClaw teams/);
    expect(README).toMatch(/agents from GitHub Actions/);
    for (const page of ["docs/app.md", "docs/action.md", "docs/cli.md"]) expect(README).toContain(`(${page})`);
  });

  it("names the intended pins and how to install before a release", () => {
    expect(README).toContain("uses: <owner>/worker-sync@v1");
    expect(README).toContain("npm install worker-sync");
    expect(README).toMatch(/uses: <owner>\/worker-sync@<40-character sha>/);
    expect(README).toMatch(/npm pack[\s\S]*npm install \.\/worker-sync-[\d.]+\.tgz/);
  });

  it("indexes every reference page", () => {
    for (const page of ["app", "action", "cli", "file-format", "devclaw", "troubleshooting"])
      expect(README).toContain(`(docs/${page}.md)`);
    for (const page of ARRIVING) expect(README).toContain(`(${page})`);
  });
});

describe("links", () => {
  it.each(["README.md", "CONTRIBUTING.md", ...DOCS.map((f) => `docs/${f}`)])(
    "%s links only to files that exist",
    (page) => {
      const missing = linksOf(read(page))
        .map((href) => join(dirname(page), href))
        .filter((target) => !existsSync(join(REPO, target)) && !ARRIVING.has(target));
      expect(missing).toEqual([]);
    },
  );
});

describe("docs/cli.md", () => {
  it("lists every command with its usage as --help prints it", () => {
    const synopsis = (/```\n(worker-sync [\s\S]*?)```/.exec(read("docs/cli.md"))?.[1] ?? "")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.replace(/\s+/g, " "));
    expect(synopsis.sort()).toEqual(
      Object.values(COMMANDS)
        .map((c) => c.usage)
        .sort(),
    );
  });
});

describe("docs/troubleshooting.md", () => {
  const page = read("docs/troubleshooting.md");
  const sources = readdirSync(join(REPO, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => read(join("src", f)))
    .join("\n");

  it("covers the six troubles", () => {
    for (const title of [
      "webhook cannot be reached",
      "token lacks a permission",
      "secondary rate limit",
      "refused state file",
      "busy seat",
      "lock left behind",
    ])
      expect(page).toMatch(new RegExp(`^## .*${title}`, "im"));
  });

  it("quotes sentences worker-sync says: each one's fixed words are in the sources", () => {
    const quoted = [...page.matchAll(/You see: ([^\n]+(?:\n(?!\n)[^\n]+)*)/g)].flatMap((m) =>
      [...(m[1] as string).matchAll(/`([^`]+)`/g)].map((q) => q[1] as string),
    );
    expect(quoted.length).toBeGreaterThan(6);
    // The words between the parts a message fills in (file names, numbers, roles) are in src/.
    const fragments = quoted.flatMap((q) =>
      q
        .split(
          /memory\/projects\.json(?:\.lock)?|"[^"]*"|\d+(?::\d+)?|#\d+|developer|medior|myapp|projects\.app\.workers|…/,
        )
        .map((f) => f.trim())
        .filter((f) => f.length > 8),
    );
    const missing = fragments.filter((f) => !sources.includes(f) && !readOctokitMessage(f));
    expect(missing).toEqual([]);
  });
});

/** Sentences GitHub or Probot's own libraries say (the signature check). */
const readOctokitMessage = (fragment: string) =>
  read("node_modules/@octokit/webhooks/dist-bundle/index.js").includes(fragment);

describe("figures: BENCHMARKS.md, RELIABILITY.md and SCALING.md tables come from docs/figures.json", () => {
  it("every marked table is what `npm run docs` renders (run it and commit when this fails)", async () => {
    const { applyFigures, FIGURE_PAGES } = await import("../../scripts/figures-docs.js");
    const figures = JSON.parse(read("docs/figures.json"));
    let marked = 0;
    for (const page of FIGURE_PAGES) {
      const text = read(page);
      marked += (text.match(/<!-- figures:[\w-]+ -->/g) ?? []).length;
      expect(applyFigures(text, figures, page), page).toBe(text);
    }
    expect(marked).toBeGreaterThanOrEqual(2);
  });

  it("a figure that misses its target says so, and each table says how to reproduce it", async () => {
    const { renderFigureTable } = await import("../../scripts/figures-docs.js");
    const table = renderFigureTable({
      measuredAt: "2026-12-07T00:00:00.000Z",
      machine: "here",
      reproduce: "npm run bench",
      figures: [
        { name: "a | b", value: 1.5, unit: "×", target: 1.3, kind: "max" },
        { name: "c", value: 30000, unit: "/s", target: 20000, kind: "min" },
      ],
    });
    expect(table).toContain("| a \\| b | 1.50 × | ≤ 1.30 × | **not met** |");
    expect(table).toContain("| c | 30,000 /s | ≥ 20,000 /s | met |");
    expect(table).toContain("Measured 2026-12-07 on here. Reproduce: `npm run bench`.");
  });

  it("history is in the CHANGELOG, not in the figure pages", () => {
    for (const page of ["BENCHMARKS.md", "RELIABILITY.md", "SCALING.md"])
      expect(read(page), page).not.toMatch(/\(issue \d+\)|issue \d+'s|main at [0-9a-f]{7}|\bon main\b/i);
    expect(read("CHANGELOG.md")).toContain("## Measurement history");
  });
});

describe("pictures: the status comment and the board, rendered as GitHub shows them", () => {
  it("the renderer turns the real comment's Markdown into GitHub's HTML: tables, links, quotes, code", async () => {
    const { markdownToHtml } = await import("../../scripts/render-markdown.js");
    const html = markdownToHtml(
      "<!-- worker-sync:status -->\n**worker-sync** · project `app`\n\n| Role | Seat |\n| --- | --- |\n| developer | on [#7](https://github.com/a/b/issues/7) \\| x |\n\n> 📋 quoted\n\n```mermaid\nflowchart LR\n```\n",
    );
    expect(html).not.toContain("worker-sync:status");
    expect(html).toContain("<p><strong>worker-sync</strong> · project <code>app</code></p>");
    expect(html).toContain('<td>on <a href="https://github.com/a/b/issues/7">#7</a> &#124; x</td>');
    expect(html).toContain("<blockquote><p>📋 quoted</p></blockquote>");
    expect(html).toContain('<pre class="lang-mermaid"><code>flowchart LR</code></pre>');
  });

  it("the board's Mermaid block becomes a diagram drawn by the local Mermaid build, never one from the network", async () => {
    const { commentPage } = await import("../../scripts/render-markdown.js");
    const board = '**app**\n\n```mermaid\nflowchart LR\n  p0s0["dev medior"] --> p0i7(["#35;7 Fix"])\n```\n';
    const bundle = pathToFileURL(join(REPO, "node_modules/mermaid/dist/mermaid.min.js")).href;
    // The devDependency the picture script loads is there, and is Mermaid's browser build.
    expect(readFileSync(fileURLToPath(bundle), "utf8")).toContain('globalThis["mermaid"]');
    const page = commentPage(board, "worker-sync[bot]", "opened the board issue", bundle);
    expect(page).toContain('<pre class="mermaid">flowchart LR\n  p0s0["dev medior"] --&gt; p0i7(["#35;7 Fix"])</pre>');
    expect(page).toContain(`<script src="${bundle}"></script>`);
    expect(page).not.toMatch(/https?:\/\//);
    expect(() => commentPage(board, "a", "b", "https://cdn.example/mermaid.js")).toThrow(/local file:\/\/ URL/);
    // Without the build (a page for tests) the block stays code, as before.
    expect(commentPage(board, "a", "b")).toContain('<pre class="lang-mermaid"><code>');
  });

  it("the pictures are committed under docs/images and the README and docs/app.md show them", () => {
    for (const png of ["docs/images/status-comment.png", "docs/images/board.png"]) {
      const bytes = readFileSync(join(REPO, png));
      expect(bytes.subarray(1, 4).toString()).toBe("PNG");
    }
    expect(README).toContain("](docs/images/status-comment.png)");
    expect(read("docs/app.md")).toContain("](images/board.png)");
  });
});
