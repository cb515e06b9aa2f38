// Where everything Confine keeps lives, once: the cache root and its parts. Nothing is written
// outside this tree or the user's chosen output files.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** $XDG_CACHE_HOME/confine, else ~/.cache/confine: the default root for the CLI, serve and the app. */
export function defaultCacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'confine');
}

/** The parts of a cache root. */
export function cacheLayout(root: string): {
  /** Per-object facts by sha256, per-program results, the file-hash memo. */
  facts: string;
  /** Extracted root filesystems by image id. */
  images: string;
  /** Runtime base sets by runtime, kernel and run settings. */
  runtime: string;
  /** The UI's stored reports. */
  reports: string;
  /** Imported seccomp profiles. */
  profiles: string;
  /** The review workspace (unless the user names another file). */
  workspace: string;
} {
  return {
    facts: join(root, 'facts'),
    images: join(root, 'images'),
    runtime: join(root, 'runtime'),
    reports: join(root, 'reports'),
    profiles: join(root, 'profiles'),
    workspace: join(root, 'workspace.json'),
  };
}
