/**
 * Reads JSON text the way JSON.parse does, but keeps track of where things are, so errors
 * can name a line and column, and so what JSON.parse hides (a key twice, a number it rounds)
 * can be found. JSON.parse stays the fast path; this scanner runs when something is wrong.
 * Iterative, so hostile deep nesting cannot overflow the stack.
 */
export interface Position {
  line: number;
  column: number;
}

export type JsonPath = ReadonlyArray<string | number>;

/** Line and column (both from 1) of each offset, in one pass over the text however many there are. */
export function positionsAt(text: string, offsets: readonly number[]): Position[] {
  const order = offsets.map((_, n) => n).sort((a, b) => (offsets[a] as number) - (offsets[b] as number));
  const out: Position[] = new Array(offsets.length);
  let line = 1;
  let lineStart = 0;
  let i = 0;
  for (const n of order) {
    const end = Math.min(offsets[n] as number, text.length);
    for (; i < end; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    out[n] = { line, column: end - lineStart + 1 };
  }
  return out;
}

export function positionAt(text: string, offset: number): Position {
  return positionsAt(text, [offset])[0] as Position;
}

export interface SyntaxProblem {
  offset: number;
  message: string;
}

/** An open object or array, and the key (or index) of the member being read. */
export interface Frame {
  kind: "object" | "array";
  key: string | number;
  /** Free for a hook's own notes about this container (e.g. the keys seen so far). */
  seen?: Set<string>;
}

/** What a scan reports; a hook returning true stops the scan. */
export interface ScanHooks {
  /** At the start of every value, with the open containers (do not keep them). */
  value?(frames: readonly Frame[], offset: number): boolean | undefined;
  /** At every key, once it is read (its frame's key already set); `offset` is where the key starts. */
  key?(frames: readonly Frame[], key: string, offset: number): boolean | undefined;
  /** At every number, with its text. */
  number?(frames: readonly Frame[], token: string, offset: number): boolean | undefined;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

class Stop {}
const STOP = new Stop();

/** One pass over JSON text. Each phase of reading is one method; `run` strings them together. */
class Scanner {
  private i = 0;
  private readonly frames: Frame[] = [];

  constructor(
    private readonly text: string,
    private readonly hooks: ScanHooks,
  ) {}

  /** The first syntax error, or null when the text is one valid JSON value (or a hook stopped). */
  run(): SyntaxProblem | null {
    try {
      for (;;) {
        if (this.readValue()) continue; // a container opened: its first member is next
        if (this.closeContainers()) return this.atEnd();
      }
    } catch (error) {
      if (error === STOP) return null;
      if (error instanceof BadJson) return { offset: error.offset, message: error.message };
      throw error;
    }
  }

  private fail(message: string): never {
    throw new BadJson(this.i, message);
  }

  private found(): string {
    const { text, i } = this;
    return i >= text.length ? "end of file" : `character ${JSON.stringify(text[i])}`;
  }

  private skipWhitespace(): void {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else return;
    }
  }

  /** Reads one value, or opens a container and reads up to its first member. True when one opened. */
  private readValue(): boolean {
    this.skipWhitespace();
    const { text, hooks, frames } = this;
    if (hooks.value?.(frames, this.i)) throw STOP;
    const c = text.charCodeAt(this.i);
    if (c === 123 || c === 91) return this.open(c === 123 ? "object" : "array");
    if (c === 34) this.readString();
    else if (c === 45 || (c >= 48 && c <= 57)) this.readNumber();
    else if (text.startsWith("true", this.i) || text.startsWith("null", this.i)) this.i += 4;
    else if (text.startsWith("false", this.i)) this.i += 5;
    else this.fail(`unexpected ${this.found()}`);
    return false;
  }

  private open(kind: Frame["kind"]): boolean {
    this.i++;
    this.skipWhitespace();
    if (this.text[this.i] === (kind === "object" ? "}" : "]")) {
      this.i++;
      return false;
    }
    this.frames.push({ kind, key: 0 });
    if (kind === "object") this.readKey();
    return true;
  }

  /** After a value: closes every container that ends here. True when the outermost value ended. */
  private closeContainers(): boolean {
    const { text, frames } = this;
    for (;;) {
      this.skipWhitespace();
      const top = frames[frames.length - 1];
      if (!top) return true;
      const close = top.kind === "object" ? "}" : "]";
      if (text[this.i] === close) {
        this.i++;
        frames.pop();
        continue;
      }
      if (text[this.i] !== ",") {
        this.fail(
          this.i >= text.length
            ? "unexpected end of file"
            : `expected ',' or '${close}' after ${top.kind === "object" ? "a property value" : "an array element"}`,
        );
      }
      this.i++;
      if (top.kind === "array") top.key = (top.key as number) + 1;
      else this.readKey();
      return false;
    }
  }

  private atEnd(): SyntaxProblem | null {
    if (this.i < this.text.length) this.fail(`unexpected ${this.found()} after the end of the JSON value`);
    return null;
  }

  private readKey(): void {
    this.skipWhitespace();
    if (this.text[this.i] !== '"') this.fail(`expected a property name in double quotes, found ${this.found()}`);
    const start = this.i;
    const key = this.readString();
    const { frames } = this;
    (frames[frames.length - 1] as Frame).key = key;
    if (this.hooks.key?.(frames, key, start)) throw STOP;
    this.skipWhitespace();
    if (this.text[this.i] !== ":") this.fail("expected ':' after property name");
    this.i++;
  }

  private readString(): string {
    const { text } = this;
    const start = this.i;
    let escaped = false;
    this.i++;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        this.readEscape();
      } else if (c < 32 || Number.isNaN(c)) {
        this.fail(Number.isNaN(c) ? "unterminated string" : "control character in string (escape it)");
      } else {
        this.i++;
      }
    }
    this.i++;
    return escaped ? (JSON.parse(text.slice(start, this.i)) as string) : text.slice(start + 1, this.i - 1);
  }

  private readEscape(): void {
    const e = this.text[this.i + 1];
    if (e === "u") {
      if (!HEX4.test(this.text.slice(this.i + 2, this.i + 6))) this.fail("bad \\u escape in string");
      this.i += 6;
    } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
      this.i += 2;
    } else {
      this.fail("bad escape in string");
    }
  }

  private readNumber(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail("bad number");
    const start = this.i;
    this.i += m[0].length;
    if (this.hooks.number?.(this.frames, m[0], start)) throw STOP;
  }
}

class BadJson {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** Scans `text`, calling the hooks; returns the first syntax error, or null. */
export function scanJson(text: string, hooks: ScanHooks = {}): SyntaxProblem | null {
  return new Scanner(text, hooks).run();
}

export function findSyntaxError(text: string): SyntaxProblem | null {
  return scanJson(text);
}

/** The path of the value being read, from the open containers. */
export const pathOf = (frames: readonly Frame[]): Array<string | number> => frames.map((f) => f.key);

interface PathNode {
  children: Map<string, PathNode>;
  /** Indexes of the wanted paths that end here. */
  ends: number[];
}

/**
 * Offset where the value at each path starts, or of its nearest existing ancestor; one scan
 * for all of them, so locating many problems costs no more than locating one.
 */
export function locatePaths(text: string, paths: readonly JsonPath[]): Array<number | undefined> {
  const root: PathNode = { children: new Map(), ends: [] };
  paths.forEach((path, n) => {
    let node = root;
    for (const step of path) {
      const key = String(step);
      let next = node.children.get(key);
      if (!next) {
        next = { children: new Map(), ends: [] };
        node.children.set(key, next);
      }
      node = next;
    }
    node.ends.push(n);
  });
  // Each path's offset is that of the deepest node on its way that the text has.
  const offsetOf = new Map<PathNode, number>();
  // The node of every open container (undefined once the text has left the wanted paths).
  const nodes: Array<PathNode | undefined> = [root];
  scanJson(text, {
    value(frames, offset) {
      const depth = frames.length;
      nodes.length = depth + 1;
      const parent = depth === 0 ? undefined : nodes[depth - 1];
      const node = depth === 0 ? root : parent?.children.get(String((frames[depth - 1] as Frame).key));
      nodes[depth] = node;
      if (node && !offsetOf.has(node)) offsetOf.set(node, offset);
      return false;
    },
  });
  const out: Array<number | undefined> = new Array(paths.length);
  paths.forEach((path, n) => {
    let node: PathNode | undefined = root;
    let best = offsetOf.get(root);
    for (const step of path) {
      node = node?.children.get(String(step));
      const at = node && offsetOf.get(node);
      if (at === undefined) break;
      best = at;
    }
    out[n] = best;
  });
  return out;
}
