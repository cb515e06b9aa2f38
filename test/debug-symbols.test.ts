// Separate debug files (analysis/link/debug-symbols.ts): a stripped program whose debug file sits in
// the rootfs under /usr/lib/debug/.build-id is analysed with the debug file's symbols, so a table of
// function pointers only dead code refers to stops counting (as in the unstripped build); a debug
// file of another build is refused with a warning and changes nothing. The files come from gcc and
// objcopy, the way Debian's packaging splits them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildTrap } from './support/build-traps.js';
import { analyze, type ConfineReport } from './support/confine.js';

const LIBS = ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'];

function buildIdOf(file: string): string {
  const id = /Build ID: ([0-9a-f]+)/.exec(execFileSync('readelf', ['-n', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[1];
  assert.ok(id, `${file} has a build-id`);
  return id;
}

function place(root: string, path: string, from: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  copyFileSync(from, join(root, path));
}

function allows(r: ConfineReport, name: string): boolean {
  return r.syscalls.some((s) => s.name === name);
}

test('a stripped program with its debug file in the rootfs: the dead table is denied as when unstripped; a debug file of another build is refused', { timeout: 300_000 }, async () => {
  const unstripped = await buildTrap('dead-table');
  const other = await buildTrap('fnptr-table');
  const dir = mkdtempSync(join(tmpdir(), 'confine-debug-'));
  try {
    const stripped = join(dir, 'dead-table');
    const debug = join(dir, 'dead-table.debug');
    execFileSync('objcopy', ['--only-keep-debug', unstripped, debug]);
    execFileSync('objcopy', ['--strip-all', unstripped, stripped]);
    const id = buildIdOf(stripped);
    assert.equal(buildIdOf(debug), id, 'objcopy keeps the build-id in both halves');
    assert.doesNotMatch(execFileSync('readelf', ['-S', stripped], { encoding: 'utf8' }), /\.symtab/, 'the program is stripped');
    const root = join(dir, 'rootfs');
    place(root, '/usr/bin/dead-table', stripped);
    for (const lib of LIBS) place(root, lib, lib);
    const debugPath = `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;

    const without = await analyze(['/usr/bin/dead-table'], { rootfs: root });
    assert.ok(allows(without, 'sync') && allows(without, 'getsid'), 'stripped and alone, its data is one object per section');

    place(root, debugPath, debug);
    const withDebug = await analyze(['/usr/bin/dead-table'], { rootfs: root });
    assert.ok(!allows(withDebug, 'sync') && !allows(withDebug, 'getsid'), 'with its debug file, dead_table is dead');
    for (const name of ['getgid', 'umask', 'getppid', 'getpgrp', 'sched_yield']) assert.ok(allows(withDebug, name), `${name} stays allowed`);

    place(root, debugPath, other);
    const wrong = (await analyze(['/usr/bin/dead-table'], { rootfs: root })) as ConfineReport & { warnings: string[] };
    assert.ok(allows(wrong, 'sync'), 'a debug file of another build changes nothing');
    assert.ok(wrong.warnings.some((w) => w.includes(debugPath) && /build-id differs/.test(w)), `warnings: ${wrong.warnings.join(' | ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
