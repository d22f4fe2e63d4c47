/**
 * What JSON.parse hides and JSON.stringify would then change: a key given twice (the last one
 * wins, the first copy and every session in it vanish), a number that overflows or rounds, and
 * keys that would turn into prototype changes once the file is handled as plain objects.
 * A file with any of these is refused rather than written back with a different meaning.
 */
import { shownPath } from "./errors.js";
import { type JsonPath, pathOf, scanJson } from "./json-locate.js";
import { PROTOTYPE_KEYS } from "./own.js";

export interface LossyValue {
  path: JsonPath;
  /** Where the key or number is in the text. */
  offset: number;
  message: string;
}

/** Every key given twice, prototype key and number that would not be written back as it is. */
export function findLossyValues(text: string, parsed: unknown): LossyValue[] {
  return mayBeLossy(text, parsed) ? scanLossy(text) : [];
}

const countColons = (s: string): number => {
  let n = 0;
  for (let at = s.indexOf(":"); at !== -1; at = s.indexOf(":", at + 1)) n++;
  return n;
};

// A decimal of at most 15 significant digits in the normal range survives JSON.parse and
// JSON.stringify unchanged. Only a longer mantissa or a 3-digit exponent can round.
const LONG_MANTISSA = /\d(?:\.?\d){15}/;
const BIG_EXPONENT = /[eE][+-]?\d{3}/;
/** The one escape that writes a colon inside a string without a colon in the text. */
const ESCAPED_COLON = /\\u003a/i;

/**
 * A cheap check on what JSON.parse made of `text`: false only when the text surely holds no
 * duplicate key, prototype key or changing number, so a good file costs one walk, not a scan.
 *
 * Duplicates: outside strings, a valid JSON text has exactly one colon per object member. If
 * no key is given twice, the parsed value keeps every member and every string, so its keys plus
 * the colons inside its strings add up to the text's colons; a dropped duplicate makes them fewer.
 */
function mayBeLossy(text: string, parsed: unknown): boolean {
  let colons = 0;
  let numbers = false;
  let tiny = false;
  const stack: unknown[] = [parsed];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === "string") {
      colons += countColons(value);
    } else if (typeof value === "number") {
      const unsafeInteger = Number.isInteger(value) && !Number.isSafeInteger(value);
      if (!Number.isFinite(value) || Object.is(value, -0) || unsafeInteger) return true;
      numbers = true;
      // A fraction, or a 0 (1e-400 reads as 0), may be what is left of a tiny number.
      if (value === 0 || !Number.isInteger(value)) tiny = true;
    } else if (Array.isArray(value)) {
      for (let n = 0; n < value.length; n++) stack.push(value[n]);
    } else if (typeof value === "object" && value !== null) {
      // for…in sees exactly the own keys here: JSON.parse makes plain objects, and no key is inherited.
      for (const key in value) {
        if (PROTOTYPE_KEYS.has(key)) return true;
        colons += 1 + countColons(key);
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  if (colons !== countColons(text) || ESCAPED_COLON.test(text)) return true;
  return numbers && (LONG_MANTISSA.test(text) || (tiny && BIG_EXPONENT.test(text)));
}

/** The precise pass: scans the text and names each problem where it is. */
function scanLossy(text: string): LossyValue[] {
  const found: LossyValue[] = [];
  scanJson(text, {
    key(frames, key, offset) {
      const object = frames[frames.length - 1];
      if (!object) return false;
      object.seen ??= new Set();
      if (PROTOTYPE_KEYS.has(key)) {
        found.push({ path: pathOf(frames), offset, message: `the key "${key}" is not allowed` });
      } else if (object.seen.has(key)) {
        const where = shownPath(pathOf(frames).slice(0, -1));
        found.push({
          path: [],
          offset,
          message: `duplicate key ${JSON.stringify(key)}${where ? ` in ${where}` : ""} (JSON keeps only the last one; keep one and try again)`,
        });
      }
      object.seen.add(key);
      return false;
    },
    number(frames, token, offset) {
      const value = Number(token);
      const written = JSON.stringify(value);
      if (Object.is(value, -0) || !sameDecimal(token, written)) {
        found.push({
          path: pathOf(frames),
          offset,
          message: `the number ${token} cannot be kept as it is: it would be written as ${written}`,
        });
      }
      return false;
    },
  });
  return found;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Whether two number texts mean the same decimal (1.0 and 1, 1e2 and 100 do). */
function sameDecimal(a: string, b: string): boolean {
  const x = canonicalDecimal(a);
  return x !== undefined && x === canonicalDecimal(b);
}

function canonicalDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? "";
  const digits = `${m[2]}${fraction}`.replace(/^0+/, "");
  if (!digits) return "0";
  const significant = digits.replace(/0+$/, "");
  const exponent = BigInt(m[4] ?? 0) - BigInt(fraction.length) + BigInt(digits.length - significant.length);
  return `${m[1]}${significant}e${exponent}`;
}
