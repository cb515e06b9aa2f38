// Reading files of a container from the host, to find a script's interpreter. Two views:
//  - /proc/PID/root of a live container process (the container's own root), and
//  - the overlay layer directories from inspect (upper first, then the lowers) once nothing runs
//    any more: the merged dir is unmounted when the container stops.
// Paths are resolved one component at a time with lstat, so a symlink is read and followed inside
// the container (an absolute link target restarts at the container's root); the host kernel never
// follows a link itself, which through /proc/PID/root would resolve against the host's root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularHead } from '../limits/regular-file.js';
import { InputError } from '../errors.js';

const MAX_SYMLINKS = 40;

/** A read-only view of a container's filesystem. */
export interface ContainerFs {
  /** Where this view reads from, for messages. */
  describe: string;
  /** The first `max` bytes of a regular file at an absolute in-container path; undefined if missing. */
  head(p: string, max: number): Buffer | undefined;
}

type Lookup = { kind: 'missing' } | { kind: 'found'; host: string; st: fs.Stats };

// An overlay whiteout (a 0:0 character device) hides the name in every lower layer.
function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function lookup(layers: readonly string[], rel: string[]): Lookup {
  for (const layer of layers) {
    const host = path.join(layer, ...rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(host);
    } catch {
      continue;
    }
    if (isWhiteout(st)) return { kind: 'missing' };
    return { kind: 'found', host, st };
  }
  return { kind: 'missing' };
}

/** Resolves an absolute in-container path over `layers` (topmost first), following symlinks inside; host path or undefined. */
export function resolveInLayers(layers: readonly string[], p: string): string | undefined {
  const stack: string[] = [];
  const queue = p.split('/').filter((c) => c !== '' && c !== '.');
  let links = 0;
  let last: Lookup = { kind: 'missing' };
  if (queue.length === 0) return undefined;
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (name === '..') {
      stack.pop();
      continue;
    }
    last = lookup(layers, [...stack, name]);
    if (last.kind === 'missing') return undefined;
    if (last.st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) return undefined;
      let target: string;
      try {
        target = fs.readlinkSync(last.host);
      } catch {
        return undefined; // a link that vanished, or a magic /proc link that is no path
      }
      if (target.startsWith('/')) stack.length = 0;
      queue.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
      continue;
    }
    if (queue.length > 0 && !last.st.isDirectory()) return undefined;
    stack.push(name);
  }
  return last.kind === 'found' ? last.host : undefined;
}

/** The head of a file resolved inside the container, or undefined when it is no regular file (or is gone). */
function readHead(host: string, max: number): Buffer | undefined {
  try {
    return readRegularHead(host, max, host, { noFollow: true });
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
}

/** The view through a live process's root (/proc/PID/root). */
export function procRootFs(pid: number): ContainerFs {
  const root = `/proc/${pid}/root`;
  return {
    describe: root,
    head: (p, max) => {
      const host = resolveInLayers([root], p);
      return host === undefined ? undefined : readHead(host, max);
    },
  };
}

/** The view through overlay layer directories, topmost first (UpperDir, then LowerDir's entries). */
export function layeredFs(layers: readonly string[]): ContainerFs {
  return {
    describe: layers[0] ?? '(no layers)',
    head: (p, max) => {
      const host = resolveInLayers(layers, p);
      return host === undefined ? undefined : readHead(host, max);
    },
  };
}
