// The figures in BENCHMARKS.md, RELIABILITY.md and SCALING.md come from docs/figures.json:
// `npm run bench` writes its part ("bench"), test suites that measure something write theirs
// under .tmp/figures/ and `npm run docs` merges them in. Each marked table
// (<!-- figures:NAME --> … <!-- /figures:NAME -->) is rewritten from it; a test fails while a
// page differs from what this renders.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface MeasuredFigure {
  name: string;
  value: number;
  unit: string;
  target: number;
  kind: "max" | "min";
  informational?: boolean;
}

export interface FigureGroup {
  measuredAt: string;
  machine: string;
  reproduce: string;
  note?: string;
  figures: MeasuredFigure[];
}

export type Figures = Record<string, FigureGroup>;

export const FIGURE_PAGES = ["BENCHMARKS.md", "RELIABILITY.md", "SCALING.md"];
export const FIGURES_FILE = "docs/figures.json";

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(v < 10 ? 2 : 1));
const met = (f: MeasuredFigure) => f.informational || (f.kind === "max" ? f.value <= f.target : f.value >= f.target);
const cell = (text: unknown) => String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");

/** One marked table: every figure of a group beside its target, then where and how it was measured. */
export function renderFigureTable(group: FigureGroup): string {
  const rows = group.figures.map((f) =>
    [
      cell(f.name),
      `${fmt(f.value)} ${f.unit}`.trim(),
      f.informational ? "(for information)" : `${f.kind === "max" ? "≤" : "≥"} ${fmt(f.target)} ${f.unit}`.trim(),
      f.informational ? "" : met(f) ? "met" : "**not met**",
    ].join(" | "),
  );
  return [
    "| figure | measured | target | |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r} |`),
    "",
    `Measured ${group.measuredAt.slice(0, 10)} on ${cell(group.machine)}. Reproduce: \`${group.reproduce}\`.`,
  ].join("\n");
}

/** `text` with each marked table rewritten from `figures`; an unknown group is an error naming it. */
export function applyFigures(text: string, figures: Figures, page = "the page"): string {
  return text.replace(/<!-- figures:([\w-]+) -->\n[\s\S]*?<!-- \/figures:\1 -->/g, (_, name: string) => {
    const group = figures[name];
    if (!group) throw new Error(`${page}: no group "${name}" in ${FIGURES_FILE}`);
    return `<!-- figures:${name} -->\n${renderFigureTable(group)}\n<!-- /figures:${name} -->`;
  });
}

/** The figures file with the groups test suites wrote under .tmp/figures/ merged in. */
export function mergeMeasured(root = "."): Figures {
  const figures: Figures = JSON.parse(readFileSync(join(root, FIGURES_FILE), "utf8"));
  const dir = join(root, ".tmp/figures");
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
      figures[name.replace(/\.json$/, "")] = JSON.parse(readFileSync(join(dir, name), "utf8"));
    }
  }
  return figures;
}

/** Rewrites docs/figures.json and every page's marked tables; returns the pages changed. */
export function writeFigures(root = "."): string[] {
  const figures = mergeMeasured(root);
  writeFileSync(join(root, FIGURES_FILE), `${JSON.stringify(figures, null, 2)}\n`);
  const changed: string[] = [];
  for (const page of FIGURE_PAGES) {
    const path = join(root, page);
    const before = readFileSync(path, "utf8");
    const after = applyFigures(before, figures, page);
    if (after !== before) {
      writeFileSync(path, after);
      changed.push(page);
    }
  }
  return changed;
}
