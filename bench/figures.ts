/** A measured figure beside its target, as printed and written to bench/results.json. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target: number;
  /** "max": the value must be at most the target; "min": at least. */
  kind: "max" | "min";
  detail?: string;
  /** Reported for information: `target` is not a goal and the figure is always "met". */
  informational?: boolean;
}

export const met = (f: Figure) => f.informational || (f.kind === "max" ? f.value <= f.target : f.value >= f.target);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(v < 10 ? 2 : 1));

export function renderTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    `${fmt(f.value)} ${f.unit}`.trim(),
    f.informational ? "(informational)" : `${f.kind === "max" ? "<=" : ">="} ${fmt(f.target)} ${f.unit}`.trim(),
    f.informational ? "" : met(f) ? "met" : "NOT MET",
  ]);
  const head = ["figure", "measured", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
