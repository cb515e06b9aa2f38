// Confine's native programs (native/): built by scripts/setup.sh (native/build.sh), found next to the
// checkout whether this module runs compiled (dist/analysis/policy) or from its source.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

export type NativeTool = 'confine-bpfc' | 'confine-launch';

/** The tool's path; a clear error when it was never built. */
export function nativeTool(name: NativeTool): string {
  const candidates = [new URL(`../../../native/build/${name}`, import.meta.url), new URL(`../../native/build/${name}`, import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new InputError(candidates[0], `${name} is not built: run scripts/setup.sh (or bash native/build.sh, which needs gcc and libseccomp-dev)`);
  return found;
}
