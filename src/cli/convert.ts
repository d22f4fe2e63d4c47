import { resolve } from "node:path";
import { convertToSlots, UserError } from "../state/index.js";
import { LocalFileBackend } from "../store/local-file.js";
import { convertCommitMessage } from "../sync/commit-message.js";
import { effectLine } from "../sync/effect-lines.js";
import { FILE_HELP, fileOf } from "./args.js";
import type { CliCommand } from "./io.js";

export const convertCommand: CliCommand = {
  summary: "Turn a family-1 projects.json (dev/qa workers) into DevClaw's current slots format, losing nothing.",
  usage: "worker-sync convert --to slots [--qa-level L] [--file F] [--dry-run]",
  options: {
    to: { type: "string", help: "the format to convert to: slots (DevClaw 1.5 and later)" },
    "qa-level": { type: "string", help: "the tester level the qa tier becomes (default medior)" },
    file: { type: "string", short: "f", help: FILE_HELP },
    "dry-run": { type: "boolean", help: "print the file it would write (its effect line on stderr), write nothing" },
  },
  async run(values, io) {
    if (values.to !== "slots") {
      throw new UserError(
        values.to === undefined
          ? "--to is required (--to slots)"
          : `--to must be "slots", got ${JSON.stringify(values.to)}`,
      );
    }
    const label = fileOf(values, io);
    const backend = new LocalFileBackend(resolve(io.cwd, label), { label });
    const options = typeof values["qa-level"] === "string" ? { qaLevel: values["qa-level"] } : {};
    return backend.exclusive(async () => {
      const snapshot = await backend.read();
      if (snapshot.text === null) throw new UserError(`${label}: no such file`);
      const { text, changes } = convertToSlots(snapshot.text, label, options);
      const effect = effectLine({ kind: "commit", file: label, message: convertCommitMessage(label, changes.length) });
      if (values["dry-run"]) {
        // stdout is the file it would write (to redirect); the effect line goes beside it.
        io.stdout(text.trimEnd());
        io.stderr(effect);
        return 0;
      }
      await backend.write(text, snapshot, "");
      for (const change of changes) io.stdout(`  ${change}`);
      io.stdout(effect);
      io.stdout(`${label}: converted to DevClaw's slots format, ${changes.length} changes`);
      return 0;
    });
  },
};
