/**
 * Names from a file, a config, a payload or an argument become keys of objects. On a plain
 * object a name like `toString` or `constructor` reads as present before it is written, and
 * assigning `__proto__` changes the object's prototype instead of adding a key. These two
 * helpers are how the code reads and builds such objects.
 */

/** Keys that reach an object's prototype when assigned or merged: never a key worker-sync reads or writes. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** A name that would become such a key (a tier in a field, a slug from a name): "the tier "x" is not allowed". */
export const isPrototypeKey = (value: unknown): value is string =>
  typeof value === "string" && PROTOTYPE_KEYS.has(value);

/** The sentence for such a name. */
export const PROTOTYPE_NAME_RULE =
  'cannot be "__proto__", "constructor" or "prototype" (a key no JavaScript object can hold)';

/** The value a record holds under `key` itself; never one every object inherits (`toString`, `constructor`…). */
export const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** An empty record with no prototype: any name, `__proto__` included, is an ordinary key of it. */
export const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
