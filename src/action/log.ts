/**
 * Everything the Action prints goes through here. The runner reads the step's output line by
 * line (a line ends at LF, CR or CRLF) and takes a line as a workflow command when, after
 * leading white space, it starts with `::` (`::add-mask::…`, `::error file=…::…`), or when
 * it holds the legacy `##[command]` form anywhere. Text from a file, an input or GitHub is
 * put on one line with its line breaks and control characters shown as escapes, and a `::`
 * or `##[` it would start a command with is broken by a zero-width space, so the reader sees
 * the same characters and the runner sees no command.
 */
import * as core from "@actions/core";

const ZWSP = "\u200b";

/** Line breaks of any kind and the other control characters, shown as escapes. */
const CONTROL = /\r\n|(?!\t)[\p{Cc}\u2028\u2029]/gu;
const NAMED: Record<string, string> = { "\r\n": "\\r\\n", "\n": "\\n", "\r": "\\r", "\v": "\\v", "\f": "\\f" };

/** One line that no runner takes for a workflow command, however hostile `text` is. */
export function printable(text: string): string {
  return (
    text
      .replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      // The legacy form is found anywhere in a line.
      .replace(/##\[/g, `##${ZWSP}[`)
      // The runner trims white space (as .NET sees it) before looking for `::`.
      .replace(/^([\s\u0085\u180e]*):(?=:)/, `$1:${ZWSP}`)
  );
}

type AnnotationProperties = core.AnnotationProperties;

const safeProperties = (p: AnnotationProperties = {}): AnnotationProperties => ({
  ...p,
  ...(p.title !== undefined ? { title: printable(p.title) } : {}),
  ...(p.file !== undefined ? { file: printable(p.file) } : {}),
});

/** The Action's log: @actions/core's printers, each given one printable line. */
export const log = {
  info: (text: string) => core.info(printable(text)),
  debug: (text: string) => core.debug(printable(text)),
  notice: (text: string, p?: AnnotationProperties) => core.notice(printable(text), safeProperties(p)),
  warning: (text: string, p?: AnnotationProperties) => core.warning(printable(text), safeProperties(p)),
  error: (text: string, p?: AnnotationProperties) => core.error(printable(text), safeProperties(p)),
  /** Fails the step with an error annotation saying why. */
  fail: (text: string) => core.setFailed(printable(text)),
  startGroup: (name: string) => core.startGroup(printable(name)),
  endGroup: () => core.endGroup(),
};
