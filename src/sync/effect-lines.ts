/**
 * A step's effects as every front door prints them (the Action's `effects` output and log, the
 * CLI's `event`, `reconcile`, `migrate` and `convert`): what and where, not a comment's text.
 * Kept apart from effects.ts so that printing one loads no renderer.
 */
/** An effect as the Action's `effects` output and `--json` print it: what and where, not the comment's text. */
export type EffectSummary =
  | { kind: "label"; issue: string; remove: string; add: string }
  | { kind: "commit"; file: string; message: string }
  | { kind: "status"; issue: string; create: boolean }
  | { kind: "reply"; issue: string; to: number }
  | { kind: "problem"; issue: string; message: string }
  | { kind: "board" };

/** One line per effect, the same in the CLI, a dry run and the Action's log. */
export function describeEffect(effect: EffectSummary): string {
  switch (effect.kind) {
    case "label":
      return `#${effect.issue}: label "${effect.remove}" off, "${effect.add}" on (dispatched)`;
    case "commit":
      return `commit ${effect.file}: ${effect.message}`;
    case "status": {
      return effect.create
        ? `#${effect.issue}: status comment written (started if there is none)`
        : `#${effect.issue}: status comment kept current (none is started)`;
    }
    case "reply":
      return `#${effect.issue}: reply to comment ${effect.to}`;
    case "problem":
      return `#${effect.issue}: status comment says nothing changed: ${effect.message}`;
    case "board":
      return "the board issue brought up to date";
  }
}

/** The line the CLI and the Action's log print for one effect: `effect: commit FILE: MESSAGE`. */
export const effectLine = (effect: EffectSummary): string => `effect: ${describeEffect(effect)}`;
