// `npm run docs`: rewrites the figure tables from docs/figures.json (scripts/figures-docs.js)
// and the pictures under docs/images/ from the demo's real output: its status comment and its
// board, rendered as GitHub shows them (scripts/render-markdown.js) and photographed by headless
// Chromium (Debian's `chromium`). The board's Mermaid diagram is drawn in the page by Mermaid's
// bundled browser build from node_modules (a devDependency, loaded as a local file; the page
// fetches nothing). Without Chromium the pictures are left as they are.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runDemo } from "../dev/demo.js";
import { writeFigures } from "./figures-docs.js";
import { commentPage } from "./render-markdown.js";

const changed = writeFigures();
console.log(changed.length ? `figures: rewrote ${changed.join(", ")}` : "figures: every table is current");

function findChromium(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
    } catch {}
  }
  return undefined;
}

const chromium = findChromium();
if (!chromium) {
  console.log("pictures: no chromium here (apt-get install -y chromium); docs/images/ left as it is");
} else {
  const bundle = resolve("node_modules/mermaid/dist/mermaid.min.js");
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm ci (mermaid is a devDependency)`);
  const mermaid = pathToFileURL(bundle).href;
  const demo = await runDemo(() => {});
  const pages = mkdtempSync(join(tmpdir(), "ws-docs-"));
  const shots = [
    {
      png: "docs/images/status-comment.png",
      html: commentPage(
        demo.statusComments["acme/web#3"] ?? "",
        "worker-sync[bot]",
        "commented on acme/web#3",
        mermaid,
      ),
      size: "960,320",
    },
    {
      png: "docs/images/board.png",
      html: commentPage(demo.board, "worker-sync[bot]", "opened the board issue", mermaid),
      size: "960,1330",
    },
  ];
  mkdirSync("docs/images", { recursive: true });
  for (const shot of shots) {
    const page = join(pages, `${shot.png.split("/").pop()}.html`);
    writeFileSync(page, shot.html);
    execFileSync(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        // Nothing from the network: every name resolves nowhere (Mermaid comes as a local file).
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--hide-scrollbars",
        // Time for Mermaid to draw before the picture is taken (virtual time: no real wait).
        "--virtual-time-budget=10000",
        `--window-size=${shot.size}`,
        `--screenshot=${resolve(shot.png)}`,
        `file://${page}`,
      ],
      { stdio: "ignore" },
    );
    console.log(`pictures: wrote ${shot.png}`);
  }
}
