// `npm run docs`: rewrites the figure tables from docs/figures.json (scripts/figures-docs.js)
// and the pictures under docs/images/ from the demo's real output: its status comment and its
// board, rendered as GitHub shows them (scripts/render-markdown.js) and photographed by headless
// Chromium (Debian's `chromium`). Without Chromium the pictures are left as they are.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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
  const demo = await runDemo(() => {});
  const pages = mkdtempSync(join(tmpdir(), "ws-docs-"));
  const shots = [
    {
      png: "docs/images/status-comment.png",
      html: commentPage(demo.statusComments["acme/web#3"] ?? "", "worker-sync[bot]", "commented on acme/web#3"),
      size: "960,520",
    },
    {
      png: "docs/images/board.png",
      html: commentPage(demo.board, "worker-sync[bot]", "opened the board issue"),
      size: "960,1000",
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
        "--hide-scrollbars",
        `--window-size=${shot.size}`,
        `--screenshot=${resolve(shot.png)}`,
        `file://${page}`,
      ],
      { stdio: "ignore" },
    );
    console.log(`pictures: wrote ${shot.png}`);
  }
}
