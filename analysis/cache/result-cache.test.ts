import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../analyze.js';

// A small real rootfs (Debian's /usr/bin/true with its libc and ld.so) analysed twice: the second
// run must come from the result cache, and each kind of input change must make it recompute. A
// sentinel warning planted in the cached entry tells a cached answer from a recomputed one.

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

const LIBDIR = '/usr/lib/x86_64-linux-gnu';
const SENTINEL = 'sentinel planted in the cached entry';

function makeRootfs(): { root: string; cacheDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-results-'));
  tempDirs.push(dir);
  const root = path.join(dir, 'root');
  const put = (p: string, from: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.copyFileSync(from, path.join(root, p));
  };
  put('/usr/bin/prog', '/usr/bin/true');
  put(`${LIBDIR}/libc.so.6`, `${LIBDIR}/libc.so.6`);
  put(`${LIBDIR}/ld-linux-x86-64.so.2`, `${LIBDIR}/ld-linux-x86-64.so.2`);
  fs.mkdirSync(path.join(root, 'lib64'));
  fs.symlinkSync(`${LIBDIR}/ld-linux-x86-64.so.2`, path.join(root, 'lib64/ld-linux-x86-64.so.2'));
  fs.mkdirSync(path.join(root, 'etc/ld.so.conf.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/ld.so.conf'), 'include /etc/ld.so.conf.d/*.conf\n');
  fs.writeFileSync(path.join(root, 'etc/ld.so.conf.d/opt.conf'), '/opt/lib\n');
  fs.mkdirSync(path.join(root, 'opt/lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/nsswitch.conf'), 'passwd: files\n');
  return { root, cacheDir: path.join(dir, 'cache') };
}

async function run(root: string, cacheDir: string): Promise<{ cached: boolean; objects: string[]; syscalls: number[] }> {
  // No host debug directory: with glibc's symbols (libc6-dbg on the host) /usr/bin/true provably
  // never reaches NSS, and nsswitch.conf would stop being part of what the result depends on.
  const r = await analyze({ rootfs: root, programs: ['/usr/bin/prog'], cacheDir, workers: 0, debugDirs: [] });
  // Plant the sentinel in every cached entry: if the next run answers from the cache, it shows.
  const dir = path.join(cacheDir, 'results');
  for (const f of fs.readdirSync(dir)) {
    const entry = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { result: { warnings: string[] } };
    if (!entry.result.warnings.includes(SENTINEL)) entry.result.warnings.push(SENTINEL);
    fs.writeFileSync(path.join(dir, f), JSON.stringify(entry));
  }
  return { cached: r.warnings.some((w) => w.endsWith(SENTINEL)), objects: r.programs[0].objects, syscalls: r.syscalls.map((s) => s.nr) };
}

test('an unchanged rootfs is answered from the result cache, with the same result', async () => {
  const { root, cacheDir } = makeRootfs();
  const first = await run(root, cacheDir);
  assert.equal(first.cached, false);
  const second = await run(root, cacheDir);
  assert.equal(second.cached, true);
  assert.deepEqual(second.syscalls, first.syscalls);
  assert.deepEqual(second.objects, first.objects);
});

test('a library appearing earlier in the search path invalidates the result', async () => {
  const { root, cacheDir } = makeRootfs();
  await run(root, cacheDir);
  assert.equal((await run(root, cacheDir)).cached, true);
  // /opt/lib (from ld.so.conf) is searched before the system directories.
  fs.copyFileSync(`${LIBDIR}/libc.so.6`, path.join(root, 'opt/lib/libc.so.6'));
  const after = await run(root, cacheDir);
  assert.equal(after.cached, false);
  assert.ok(after.objects.includes('/opt/lib/libc.so.6'), after.objects.join(' '));
});

test('a changed ld.so.conf include or nsswitch.conf invalidates the result', async () => {
  const { root, cacheDir } = makeRootfs();
  await run(root, cacheDir);
  assert.equal((await run(root, cacheDir)).cached, true);
  fs.writeFileSync(path.join(root, 'etc/nsswitch.conf'), 'passwd: files systemd\n');
  assert.equal((await run(root, cacheDir)).cached, false);
  assert.equal((await run(root, cacheDir)).cached, true);
  fs.writeFileSync(path.join(root, 'etc/ld.so.conf.d/more.conf'), '/srv/lib\n');
  assert.equal((await run(root, cacheDir)).cached, false);
});

test('a changed object invalidates the result', async () => {
  const { root, cacheDir } = makeRootfs();
  await run(root, cacheDir);
  assert.equal((await run(root, cacheDir)).cached, true);
  // Same path, other contents (and a different size and ctime): /usr/bin/false instead of true.
  fs.copyFileSync('/usr/bin/false', path.join(root, 'usr/bin/prog'));
  assert.equal((await run(root, cacheDir)).cached, false);
  assert.equal((await run(root, cacheDir)).cached, true);
});

test('extra libraries are part of the key, and a graph request always computes', async () => {
  const { root, cacheDir } = makeRootfs();
  await run(root, cacheDir);
  const withLib = await analyze({ rootfs: root, programs: ['/usr/bin/prog'], cacheDir, workers: 0, libraries: { '/usr/bin/prog': [`${LIBDIR}/libc.so.6`] } });
  assert.ok(!withLib.warnings.some((w) => w.endsWith(SENTINEL)));
  let graphs = 0;
  const withGraph = await analyze({ rootfs: root, programs: ['/usr/bin/prog'], cacheDir, workers: 0, onGraph: () => graphs++ });
  assert.equal(graphs, 1);
  assert.ok(!withGraph.warnings.some((w) => w.endsWith(SENTINEL)));
});

test("libc's debug file (libc6-dbg) is part of the key: cached with it, recomputed when it is installed or removed", async (t) => {
  const id = /Build ID: ([0-9a-f]+)/.exec(execFileSync('readelf', ['-n', `${LIBDIR}/libc.so.6`], { encoding: 'utf8' }))?.[1];
  const debug = id && `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
  if (!debug || !fs.existsSync(debug)) return t.skip('libc6-dbg is not installed (scripts/setup.sh installs it)');
  const { root, cacheDir } = makeRootfs();
  await run(root, cacheDir);
  assert.equal((await run(root, cacheDir)).cached, true);
  fs.mkdirSync(path.dirname(path.join(root, debug)), { recursive: true });
  fs.copyFileSync(debug, path.join(root, debug));
  assert.equal((await run(root, cacheDir)).cached, false, 'a debug file appearing invalidates the result');
  assert.equal((await run(root, cacheDir)).cached, true, 'and the result with it is cached');
  fs.rmSync(path.join(root, debug));
  assert.equal((await run(root, cacheDir)).cached, false, 'its removal invalidates the result too');
});
