// Sorted, non-overlapping address ranges with lookup by address (executable ranges, FDE bounds).

export interface Range {
  start: number;
  end: number;
}

export class RangeSet {
  private readonly starts: number[];
  private readonly ends: number[];
  constructor(ranges: Range[]) {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    this.starts = sorted.map((r) => r.start);
    this.ends = sorted.map((r) => r.end);
  }
  private find(addr: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && addr < this.ends[hi] ? hi : -1;
  }
  contains(addr: number): boolean {
    return this.find(addr) >= 0;
  }
  /** The range holding addr. */
  rangeOf(addr: number): Range | undefined {
    const i = this.find(addr);
    return i < 0 ? undefined : { start: this.starts[i], end: this.ends[i] };
  }
}
