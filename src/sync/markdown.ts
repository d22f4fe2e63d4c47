/**
 * Escaping for text that comes from users (titles, labels, logins, keys) before it goes
 * into a comment: no @mention pings, no #N cross-references, no HTML, no broken table.
 */

// A zero-width joiner after "@" or "#" keeps the text readable and stops GitHub linking it.
const ZWJ = "\u200D";

const oneLine = (text: string) => text.replace(/[\s\p{Cc}]+/gu, " ").trim();

/**
 * Whatever escapeText would change: a blank other than a lone space between words, a control
 * character, or a character one of its replacements rewrites. Most titles, labels and logins
 * have none, and are returned as they are.
 */
const NEEDS_ESCAPING = /[^\S ]|\p{Cc}| {2}|^ | $|[&<>\\`*_[\]~|!@]|#\d|:\/\//u;

/** Plain text, safe anywhere in a comment, table cells included. */
export function escapeText(text: string): string {
  if (!NEEDS_ESCAPING.test(text)) return text;
  return oneLine(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]~|!]/g, (c) => `\\${c}`)
    .replace(/@/g, `@${ZWJ}`)
    .replace(/#(?=\d)/g, `#${ZWJ}`)
    .replace(/:\/\//g, `:/${ZWJ}/`);
}

/** Text in a code span: shown literally, so only the table and the span itself need guarding. */
export function codeSpan(text: string): string {
  const body = oneLine(text).replace(/`/g, "'").replace(/\|/g, "\\|");
  return `\`${body || " "}\``;
}

/** Session keys are long and not secret, but a comment only needs to tell them apart. */
export function shortenKey(key: string, keep = 12): string {
  return key.length <= keep + 2 ? key : `…${key.slice(-keep)}`;
}
