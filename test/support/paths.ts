import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  // Tests run from dist/, so climb to the checkout that holds this project's package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'confine') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no confine package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Absolute path of the checkout's root directory. */
export const REPO_ROOT = findRepoRoot();

/** Absolute path of the CLI launcher. */
export const CONFINE_BIN = join(REPO_ROOT, 'bin', 'confine');
