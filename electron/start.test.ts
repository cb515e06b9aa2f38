// The launchers: `confine serve` prints exactly one line with the URL and stops cleanly on SIGTERM;
// `npm start`'s script falls back to browser mode with one line saying why when Electron cannot run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { electronBinary } from './start.js';
import { tempCacheDir } from './testkit.js';

const START = fileURLToPath(new URL('./start.js', import.meta.url));
const CLI = fileURLToPath(new URL('../bin/confine.js', import.meta.url));

/** Runs a launcher until it has printed `lines` lines, then SIGTERMs it; resolves with its output and exit code. */
function runUntil(args: string[], lines: number, env: NodeJS.ProcessEnv = process.env): Promise<{ out: string[]; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${lines} lines within 20 s: ${out} ${err}`));
    }, 20_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.split('\n').length > lines) child.kill('SIGTERM');
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ out: out.trimEnd().split('\n'), err, code });
    });
  });
}

test('confine serve prints the URL once and exits 0 on SIGTERM', async () => {
  const cache = tempCacheDir();
  try {
    const r = await runUntil([CLI, 'serve', '--port', '0', '--cache-dir', cache.dir, '--workspace', join(cache.dir, 'w.json')], 1);
    assert.equal(r.out.length, 1, r.out.join('\n'));
    assert.match(r.out[0], /^Confine UI available at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    assert.equal(r.code, 0, r.err);
    const bad = await runUntil([CLI, 'serve', '--port', 'x'], 0);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--port takes a port number/);
  } finally {
    cache.cleanup();
  }
});

test('npm start falls back to browser mode with one line saying why', async () => {
  const cache = tempCacheDir();
  try {
    const why = electronBinary();
    if ('path' in why) {
      console.log(`Electron could start here (${why.path}): checking the fallback without a display`);
    }
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    assert.ok('why' in electronBinary(env));
    const r = await runUntil([START, '--cache-dir', cache.dir], 2, env);
    assert.equal(r.out.length, 2, r.out.join('\n'));
    assert.match(r.out[0], /^Electron is not available \((binary not installed|no display: .*|running as root.*)\): serving the UI in browser mode instead$/);
    assert.match(r.out[1], /^Confine UI available at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    assert.equal(r.code, 0, r.err);
  } finally {
    cache.cleanup();
  }
});
