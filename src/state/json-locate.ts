/**
 * Finds where things are in JSON text, so errors can name a line and column.
 * Only used once something is wrong: JSON.parse stays the fast path.
 * Iterative, so hostile deep nesting cannot overflow the stack.
 */
export interface Position {
  line: number;
  column: number;
}

export type JsonPath = ReadonlyArray<string | number>;

export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export interface SyntaxProblem {
  offset: number;
  message: string;
}

interface Frame {
  kind: "object" | "array";
  key: string | number;
}

/** Called at the start of every value with the open containers (do not keep them). */
type Visit = (frames: readonly Frame[], offset: number) => boolean;

const WS = new Set([" ", "\t", "\n", "\r"]);

/** Scans `text`; calls `visit` at the start of every value (return true to stop). */
function scan(text: string, visit?: Visit): SyntaxProblem | null {
  let i = 0;
  const stack: Frame[] = [];
  const fail = (message: string): SyntaxProblem => ({ offset: i, message });
  const describe = () =>
    i >= text.length ? "unexpected end of file" : `unexpected character ${JSON.stringify(text[i])}`;
  const skipWs = () => {
    while (i < text.length && WS.has(text[i] as string)) i++;
  };
  const readString = (): string | SyntaxProblem => {
    const start = i;
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return JSON.parse(text.slice(start, i)) as string;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail("bad \\u escape in string");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return fail("bad escape in string");
        }
        continue;
      }
      if (c < 32) return fail("control character in string (escape it)");
      i++;
    }
    return fail("unterminated string");
  };
  const readKey = (): SyntaxProblem | null => {
    skipWs();
    if (text[i] !== '"')
      return fail(`expected a property name in double quotes, found ${describe().replace("unexpected ", "")}`);
    const key = readString();
    if (typeof key !== "string") return key;
    skipWs();
    if (text[i] !== ":") return fail("expected ':' after property name");
    i++;
    (stack[stack.length - 1] as Frame).key = key;
    return null;
  };

  skipWs();
  for (;;) {
    // A value starts at i.
    skipWs();
    if (visit?.(stack, i)) return null;
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      i++;
      skipWs();
      if ((ch === "{" && text[i] === "}") || (ch === "[" && text[i] === "]")) {
        i++;
      } else {
        stack.push({ kind: ch === "{" ? "object" : "array", key: 0 });
        if (ch === "{") {
          const bad = readKey();
          if (bad) return bad;
        }
        continue;
      }
    } else if (ch === '"') {
      const s = readString();
      if (typeof s !== "string") return s;
    } else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) return fail("bad number");
      i += m[0].length;
    } else if (text.startsWith("true", i) || text.startsWith("null", i)) {
      i += 4;
    } else if (text.startsWith("false", i)) {
      i += 5;
    } else {
      return fail(describe());
    }
    // A value ended at i: close containers or move to the next member.
    for (;;) {
      skipWs();
      const top = stack[stack.length - 1];
      if (!top) {
        return i < text.length ? fail(`${describe()} after the end of the JSON value`) : null;
      }
      const close = top.kind === "object" ? "}" : "]";
      if (text[i] === close) {
        i++;
        stack.pop();
        continue;
      }
      if (text[i] !== ",") {
        return fail(
          i >= text.length
            ? "unexpected end of file"
            : `expected ',' or '${close}' after ${top.kind === "object" ? "a property value" : "an array element"}`,
        );
      }
      i++;
      if (top.kind === "array") {
        top.key = (top.key as number) + 1;
      } else {
        const bad = readKey();
        if (bad) return bad;
      }
      break;
    }
  }
}

export function findSyntaxError(text: string): SyntaxProblem | null {
  return scan(text);
}

/** Offset where the value at `path` starts, or of its nearest existing ancestor. */
export function locatePath(text: string, path: JsonPath): number | undefined {
  let best: number | undefined;
  let bestDepth = -1;
  scan(text, (frames, offset) => {
    const depth = frames.length;
    if (depth <= bestDepth || depth > path.length) return false;
    for (let n = 0; n < depth; n++) if (String((frames[n] as Frame).key) !== String(path[n])) return false;
    best = offset;
    bestDepth = depth;
    return bestDepth === path.length;
  });
  return best;
}
