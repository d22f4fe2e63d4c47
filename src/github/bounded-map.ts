/**
 * A Map that keeps at most `limit` entries, forgetting the least recently used first.
 * What the app remembers between events lives in these, so memory stays bounded however
 * many repositories and issues an installation has.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the key to the end: Map iterates in insertion order.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A BoundedMap whose entries also expire `ttlMs` after they were set: for answers that are
 * true for a while (a user's permission), and for "already done this hour" marks.
 */
export class ExpiringMap<K, V> {
  private readonly entries: BoundedMap<K, { value: V; until: number }>;

  constructor(
    limit: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new BoundedMap(limit);
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V): this {
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
