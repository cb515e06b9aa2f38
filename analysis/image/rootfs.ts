// Building a root filesystem from an image plan: each layer, in order, decompressed, checked against
// its diff id and applied onto one directory.
import { InputError } from '../errors.js';
import type { Archive } from './archive.js';
import { decompress, requireSupported, sniffCompression, SNIFF_BYTES, through } from './compression.js';
import { applyLayer, LayerDataError } from './layers.js';
import type { ImagePlan, ImageProgress } from './types.js';
import { LayerWarnings } from './warnings.js';
import { ExtractionBudget } from '../limits/extraction-budget.js';

/** Applies every layer of `plan` from `archive` onto the empty directory `root`; returns the warnings. */
export async function buildRootfs(archive: Archive, plan: ImagePlan, root: string, onProgress?: (p: ImageProgress) => void): Promise<string[]> {
  const warnings = new LayerWarnings();
  const budget = new ExtractionBudget(archive.label);
  const total = plan.layers.length;
  // Check every layer is there before writing anything: a partial archive should fail fast.
  for (let i = 0; i < total; i++) {
    const { member } = plan.layers[i];
    if (!(await archive.has(member))) throw new InputError(archive.label, `layer ${i + 1} (${member}) is missing from the archive`);
  }
  for (let i = 0; i < total; i++) {
    const { member, mediaType } = plan.layers[i];
    const what = `layer ${i + 1} (${member})`;
    onProgress?.({ phase: 'layer', file: member, done: i, total });
    if (mediaType?.includes('zstd')) requireSupported('zstd', archive.label, what);
    const compression = sniffCompression(await archive.head(member, SNIFF_BYTES));
    requireSupported(compression, archive.label, what);
    let digest: string;
    try {
      const raw = through(await archive.open(member), budget.reading());
      digest = await applyLayer(through(decompress(raw, compression), budget.writing()), { root, layer: i + 1, warnings });
    } catch (e) {
      if (e instanceof LayerDataError) throw new InputError(archive.label, `${what}: corrupt or truncated layer (${e.message})`);
      throw e;
    }
    if (digest !== plan.diffIds[i]) {
      throw new InputError(archive.label, `${what}: content does not match the digest in the image config (${plan.diffIds[i]}); corrupt or altered archive`);
    }
  }
  onProgress?.({ phase: 'layer', done: total, total });
  return warnings.finish();
}
