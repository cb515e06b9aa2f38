// What a hardened image says about itself, as an image label (read with `docker image inspect`,
// without running it): each hardened program, where its filter lies, and the policy the filter was
// compiled from, so that `confine verify` can put a logging twin of each filter in its place and
// tell which filter would have denied a call.
import { InputError } from '../errors.js';
import type { PolicyEntry } from '../policy/exports.js';

export const HARDENED_LABEL = 'org.confine.hardened';

export interface HardenedProgramManifest {
  /** The program as analysed, and its file (where the launcher now is). */
  program: string;
  file: string;
  /** The filter's file in the image. */
  filter: string;
  /** The policy the filter enforces (reasons left out). */
  entries: Omit<PolicyEntry, 'reason'>[];
}

export interface HardenedManifest {
  version: 1;
  /** The image it was made from. */
  from: { ref: string; id: string };
  programs: HardenedProgramManifest[];
}

export function manifestLabel(m: HardenedManifest): string {
  return JSON.stringify(m);
}

/** The manifest of an image's labels, or undefined for an image `confine harden` did not make. */
export function readManifest(labels: Record<string, string> | null | undefined, image: string): HardenedManifest | undefined {
  const text = labels?.[HARDENED_LABEL];
  if (text === undefined) return undefined;
  let m: HardenedManifest;
  try {
    m = JSON.parse(text) as HardenedManifest;
  } catch {
    throw new InputError(image, `its ${HARDENED_LABEL} label is not JSON`);
  }
  const ok =
    m?.version === 1 &&
    Array.isArray(m.programs) &&
    m.programs.every((p) => typeof p.program === 'string' && typeof p.file === 'string' && typeof p.filter === 'string' && Array.isArray(p.entries) && p.entries.every((e) => typeof e.name === 'string' && Number.isInteger(e.nr)));
  if (!ok) throw new InputError(image, `its ${HARDENED_LABEL} label is not a hardened-image manifest of this version`);
  return m;
}
