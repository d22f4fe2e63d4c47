/**
 * The commit messages of the file commands: the Action's migrate, activate, deactivate and
 * session commit with them (unless its `commit-message` input replaces them), and the CLI's
 * migrate and convert name them in the effect line they print. The app's own messages are
 * in rules.ts (an issue's change) and reconcile.ts.
 */

/** A seat command's message: the line that says what it did (state's describe* sentences). */
export const commandCommitMessage = (line: string): string => `worker-sync: ${line}`;

/** A migration of `file` in place. */
export const migrateCommitMessage = (file: string, changes: number): string =>
  commandCommitMessage(`migrate ${file} (${changes} changes)`);

/** A dev/qa file turned into DevClaw's slots format (`convert --to slots`). */
export const convertCommitMessage = (file: string, changes: number): string =>
  commandCommitMessage(`convert ${file} to DevClaw's slots format (${changes} changes)`);
