// Bounded memory for the channel: a Map kept in insertion (recency) order, with a size cap and a
// time-to-live. Used for webhook de-duplication and for when each person last wrote.

export interface BoundedMapOptions {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}

export class BoundedMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: BoundedMapOptions) {
    if (!(options.maxEntries >= 1) || !(options.ttlMs > 0)) throw new Error('BoundedMap: maxEntries ≥ 1 and ttlMs > 0 are required');
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets the value and makes the key the most recent; the oldest keys go beyond the cap. */
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

/** Remembers ids seen recently: `firstSighting` is true once per id within the TTL and cap. */
export class RecentIds {
  private readonly seen: BoundedMap<true>;

  constructor(options: BoundedMapOptions) {
    this.seen = new BoundedMap(options);
  }

  firstSighting(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, true);
    return true;
  }
}
