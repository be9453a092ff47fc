/**
 * A fixed-size, direct-mapped cache from integer keys to numbers: a lookup is one index and one
 * compare, with no hashing and no allocation. A key that collides replaces the older one, so
 * memory stays bounded and a run of nearby keys (consecutive days or quarter hours) never collides.
 */
export class NumberMemo {
  private readonly keys: Float64Array;
  private readonly values: Float64Array;
  private readonly mask: number;

  /** `bits`: the table holds 2^bits entries. */
  constructor(bits: number) {
    const size = 1 << bits;
    this.mask = size - 1;
    this.keys = new Float64Array(size).fill(Number.NaN);
    this.values = new Float64Array(size);
  }

  /** The value stored for `key`, or undefined. */
  get(key: number): number | undefined {
    const slot = key & this.mask;
    return this.keys[slot] === key ? this.values[slot] : undefined;
  }

  set(key: number, value: number): void {
    const slot = key & this.mask;
    this.keys[slot] = key;
    this.values[slot] = value;
  }
}
