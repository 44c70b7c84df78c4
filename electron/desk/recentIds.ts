// A bounded memory of ids seen: "was this one seen lately?" for a desk left running for months.
//
// Invariant: an id added stays remembered while fewer than `capacity` other ids were added after it,
// and is forgotten before 2 × `capacity` were; memory holds fewer than 2 × `capacity` ids.
//
// Why two generations and not one Set trimmed from its front: deleting a Set's oldest entry
// (`set.delete(set.values().next().value)`) leaves a hole that the next "oldest" lookup walks over
// again until the table is rebuilt — up to `capacity` steps per add once the Set is full. A
// 10,000-event resume spent ~2 % of its time there (bench/resume.ts, docs/benchmarks.md round 26).
// Here an add is O(1): when the newer generation is full it becomes the older one, and the older is
// dropped whole.
export class RecentIds {
  private newer = new Set<string>();
  private older = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`RecentIds: capacity ${capacity}`);
  }

  has(id: string): boolean {
    return this.newer.has(id) || this.older.has(id);
  }

  /** Remembers `id`; false when it was remembered already (it is then not moved). */
  add(id: string): boolean {
    if (this.has(id)) return false;
    this.newer.add(id);
    if (this.newer.size >= this.capacity) {
      this.older = this.newer;
      this.newer = new Set();
    }
    return true;
  }

  get size(): number {
    return this.newer.size + this.older.size;
  }
}
