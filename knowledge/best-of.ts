// The few best of many scored items, kept sorted as they arrive. A search offers hundreds of
// documents and keeps two dozen; sorting them all, or keeping one object per item, made most of
// what a search allocated (about 50 KB a search, and a young-generation collection every few dozen
// searches, which were most of the slowest 1 %). The arrays are reused from one search to the next.

export class BestOf {
  /** The kept items' ids and scores, best first, ties in the order they were offered. */
  ids = new Int32Array(32);
  scores = new Float64Array(32);
  count = 0;
  private capacity = 0;

  /** Empties the list for a new search keeping at most `capacity` items (a whole number ≥ 0). */
  reset(capacity: number): this {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`BestOf: capacity ${capacity} is not a whole number ≥ 0`);
    if (this.ids.length < capacity) {
      this.ids = new Int32Array(capacity);
      this.scores = new Float64Array(capacity);
    }
    this.capacity = capacity;
    this.count = 0;
    return this;
  }

  /** The score an item must beat to be kept: -Infinity until the list is full (+Infinity at capacity 0). */
  get threshold(): number {
    if (this.count < this.capacity) return -Infinity;
    return this.capacity === 0 ? Infinity : this.scores[this.capacity - 1]!;
  }

  /**
   * Whether an item of this score would be kept (an equal score does not displace an earlier item;
   * while there is room, every item is kept, a NaN too, as an array would keep it).
   */
  admits(score: number): boolean {
    return this.count < this.capacity || (this.capacity > 0 && score > this.scores[this.capacity - 1]!);
  }

  offer(id: number, score: number): void {
    if (!this.admits(score)) return;
    // Full: the last item makes room.
    let at = this.count < this.capacity ? this.count++ : this.capacity - 1;
    while (at > 0 && this.scores[at - 1]! < score) {
      this.ids[at] = this.ids[at - 1]!;
      this.scores[at] = this.scores[at - 1]!;
      at--;
    }
    this.ids[at] = id;
    this.scores[at] = score;
  }
}
