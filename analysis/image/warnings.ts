// Warnings from applying layers. A hostile or sloppy image can trigger the same problem thousands of
// times, so each kind is listed by name a bounded number of times per layer and then summarised.

const NAMED_PER_KIND = 20;
const SPECIAL_NAMES_SHOWN = 5;

/** Collects per-layer warnings in the form `layer N: NAME: problem`, with caps per kind. */
export class LayerWarnings {
  private readonly lines: string[] = [];
  private readonly counts = new Map<string, number>();
  private readonly specials = new Map<number, string[]>();

  /** Records one problem with one entry; `kind` groups entries for the cap. */
  add(layer: number, kind: string, name: string, problem: string): void {
    const key = `${layer}\0${kind}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= NAMED_PER_KIND) this.lines.push(`layer ${layer}: ${name}: ${problem}`);
  }

  /** Records a device file, FIFO or socket that was not created (summarised per layer). */
  special(layer: number, name: string): void {
    const list = this.specials.get(layer) ?? [];
    list.push(name);
    this.specials.set(layer, list);
  }

  /** All warnings so far, with the summaries for capped kinds and skipped special files. */
  finish(): string[] {
    const out = [...this.lines];
    for (const [key, n] of this.counts) {
      if (n <= NAMED_PER_KIND) continue;
      const [layer, kind] = key.split('\0');
      out.push(`layer ${layer}: ${n - NAMED_PER_KIND} more entries: ${kind}`);
    }
    for (const [layer, names] of this.specials) {
      const shown = names.slice(0, SPECIAL_NAMES_SHOWN).join(', ');
      const more = names.length > SPECIAL_NAMES_SHOWN ? `, and ${names.length - SPECIAL_NAMES_SHOWN} more` : '';
      out.push(`layer ${layer}: ${names.length} device files, FIFOs or sockets not created: ${shown}${more}`);
    }
    return out;
  }
}
