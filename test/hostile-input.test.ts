// Issue 9, hostile input: crafted files and tarballs, each built here, through the real CLI. Each
// must end (never hang) within bounded memory, with success or one line naming the file and the
// limit it hit (exit 2), and leave nothing behind in the cache. Memory is the child's peak RSS as
// GNU time measures it; the time bound is the spawn timeout (a hang fails, a slow run does not).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { CONFINE_BIN } from './support/paths.js';
import { BASE, craftElf, EXIT_CODE, PF_R, PF_X, PT_DYNAMIC, PT_INTERP, PT_LOAD, SHF_ALLOC, SHF_EXECINSTR, SHT_NULL, SHT_RELA, wholeFile } from './support/crafted-elf.js';

const work = mkdtempSync(join(tmpdir(), 'confine-hostile-'));
after(() => rmSync(work, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const MAX_RSS_KB = 2 * 1024 * 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  rssKb: number;
  timedOut: boolean;
}

/** bin/confine under GNU time (peak RSS), killed after `timeoutMs`. */
function run(args: string[], timeoutMs = 120_000): Promise<Run> {
  const timeFile = join(work, `time-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, CONFINE_BIN, ...args]);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      const rssKb = existsSync(timeFile) ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : 0;
      resolve({ code, stdout, stderr, rssKb, timedOut });
    });
  });
}

/** Success, or exactly one line of error naming `file` (exit 2); bounded in memory either way. */
function bounded(r: Run, file: string, limit?: string): void {
  assert.ok(!r.timedOut, `did not end in time:\n${r.stderr.slice(-500)}`);
  assert.ok(r.rssKb > 0 && r.rssKb < MAX_RSS_KB, `peak RSS ${r.rssKb} KiB`);
  if (limit) assert.equal(r.code, 2, `expected exit 2 (${limit}), got ${r.code}:\n${r.stdout}\n${r.stderr}`);
  if (r.code === 0) return;
  assert.equal(r.code, 2, `exit ${r.code}:\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.ok(lines[0].includes(file), `the error names ${file}: ${lines[0]}`);
  if (limit) assert.ok(lines[0].includes(`limit ${limit}`), `the error names the limit ${limit}: ${lines[0]}`);
}

function rootfs(name: string, files: Record<string, Buffer | string> = {}): string {
  const root = join(work, name);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), content, { mode: 0o755 });
  }
  mkdirSync(root, { recursive: true });
  return root;
}

// One facts cache for every case: libc is analysed once, each rootfs's results are its own.
const analyse = (root: string, program: string): Promise<Run> => run(['analyze', '--rootfs', root, '--program', program, '--cache-dir', join(work, 'cache')]);

test('10: 3,000 section headers over one 1 MiB relocation table, no dynamic table: each entry read once', async () => {
  const table = 1 << 20;
  const body = Buffer.concat([EXIT_CODE, Buffer.alloc(7), Buffer.alloc(table)]);
  const elf = craftElf(body, wholeFile, (off) => Array.from({ length: 3000 }, () => ({ type: SHT_RELA, flags: SHF_ALLOC, addr: BASE + off + 16, offset: off + 16, size: table, entsize: 24 })));
  const root = rootfs('relocs', { 'bin/prog': elf });
  const r = await analyse(root, '/bin/prog');
  bounded(r, '/bin/prog');
  assert.equal(r.code, 0, r.stderr);
});

test('11: 2,000 copies of a 1 MiB text segment at one address share one code map; at 2,000 addresses the limit says so', async () => {
  const code = Buffer.concat([EXIT_CODE, Buffer.alloc(1 << 20, 0x90)]);
  const same = craftElf(code, (_o, len) => Array.from({ length: 2000 }, () => ({ type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: BASE, filesz: len })));
  const r = await analyse(rootfs('segments', { 'bin/prog': same }), '/bin/prog');
  bounded(r, '/bin/prog');
  assert.equal(r.code, 0, r.stderr);
  const spread = craftElf(code, (_o, len) => Array.from({ length: 2000 }, (_, i) => ({ type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: BASE + i * 0x200000, filesz: len })));
  bounded(await analyse(rootfs('segments-spread', { 'bin/prog': spread }), '/bin/prog'), '/bin/prog', 'executableCopies');
});

/** /usr/bin/true with its loader and libc, as a rootfs the loader model really searches. */
function trueRootfs(name: string): string {
  const root = rootfs(name);
  mkdirSync(join(root, 'etc'), { recursive: true });
  for (const f of ['/usr/bin/true', '/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libc.so.6']) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    copyFileSync(f, join(root, f));
  }
  return root;
}

test('12: FIFOs as the program, the interpreter, ld.so.conf, an include and nsswitch.conf never block', async () => {
  const fifo = (root: string, p: string): void => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    execFileSync('mkfifo', [join(root, p)]);
  };
  const asProgram = rootfs('fifo-program');
  fifo(asProgram, '/bin/prog');
  const p = await analyse(asProgram, '/bin/prog');
  bounded(p, '/bin/prog');
  assert.match(p.stderr, /not a program: a FIFO/);

  const interp = Buffer.from('/lib/ld.fifo\0');
  const withInterp = craftElf(Buffer.concat([EXIT_CODE, Buffer.alloc(7), interp]), (off, len) => [
    { type: PT_INTERP, flags: PF_R, offset: off + 16, vaddr: BASE + off + 16, filesz: interp.length },
    ...wholeFile(off, len),
  ]);
  const asInterp = rootfs('fifo-interp', { 'bin/prog': withInterp });
  fifo(asInterp, '/lib/ld.fifo');
  bounded(await analyse(asInterp, '/bin/prog'), '/lib/ld.fifo');

  for (const conf of ['/etc/ld.so.conf', '/etc/ld.so.conf.d/x.conf', '/etc/nsswitch.conf']) {
    const root = trueRootfs(`fifo-${conf.replace(/\W/g, '')}`);
    if (conf.includes('.d/')) writeFileSync(join(root, 'etc', 'ld.so.conf'), 'include /etc/ld.so.conf.d/*.conf\n');
    fifo(root, conf);
    const r = await analyse(root, '/usr/bin/true');
    bounded(r, conf);
    assert.equal(r.code, 0, `${conf}: ${r.stderr}`);
  }
});

test('12: /dev/zero as ld.so.conf is refused as a device, not read until memory runs out', { skip: isRoot ? false : 'mknod needs root' }, async () => {
  const root = trueRootfs('dev-zero');
  mkdirSync(join(root, 'dev'), { recursive: true });
  execFileSync('mknod', [join(root, 'dev', 'zero'), 'c', '1', '5']);
  symlinkSync('/dev/zero', join(root, 'etc', 'ld.so.conf'));
  const r = await analyse(root, '/usr/bin/true');
  bounded(r, '/etc/ld.so.conf');
  assert.equal(r.code, 0, r.stderr);
});

test('13: ld.so.conf includes through two self-symlinks are read once per real file', async () => {
  const root = trueRootfs('include-loop');
  mkdirSync(join(root, 'etc', 'ld.so.conf.d'), { recursive: true });
  writeFileSync(join(root, 'etc', 'ld.so.conf'), 'include /etc/ld.so.conf.d/x.conf\n');
  writeFileSync(join(root, 'etc', 'ld.so.conf.d', 'x.conf'), 'include a/x.conf b/x.conf\n/usr/local/lib\n');
  symlinkSync('.', join(root, 'etc', 'ld.so.conf.d', 'a'));
  symlinkSync('.', join(root, 'etc', 'ld.so.conf.d', 'b'));
  const r = await run(['analyze', '--rootfs', root, '--program', '/usr/bin/true', '--no-cache'], 60_000);
  bounded(r, '/etc/ld.so.conf');
  assert.equal(r.code, 0, r.stderr);
});

/** A ustar header for one regular file. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/** A docker-save tarball (uncompressed) whose one layer is `layer` as stored. */
function dockerSave(layer: Buffer, diffId: string): Buffer {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: ['bomb:latest'], Layers: ['layer/layer.tar'] }]));
  const parts: Buffer[] = [];
  for (const [name, data] of [['manifest.json', manifest], [configName, config], ['layer/layer.tar', layer]] as const) {
    parts.push(tarHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

test('14: a gzip bomb (1 MiB that inflates to 1 GiB) is stopped while it inflates, and leaves no scratch tree', async () => {
  const chunk = 16 << 20;
  const count = 64;
  const zeros = gzipSync(Buffer.alloc(chunk), { level: 9 });
  // Concatenated gzip members inflate to one stream: a tar header, 1 GiB of zeros, the end blocks.
  const layer = Buffer.concat([gzipSync(tarHeader('zero', chunk * count)), ...Array.from({ length: count }, () => zeros), gzipSync(Buffer.alloc(1024))]);
  const tarball = join(work, 'bomb.tar');
  writeFileSync(tarball, dockerSave(layer, `sha256:${'0'.repeat(64)}`));
  assert.ok(layer.length < 2 << 20, `the bomb is ${layer.length} bytes`);
  const cache = join(work, 'bomb-cache');
  // A scratch tree of an extraction killed with -9 (its pid is gone): swept by the next run.
  const stale = join(cache, 'images', 'rootfs', '.tmp-deadbeef0000-999999999-AbC123');
  mkdirSync(join(stale, 'usr'), { recursive: true });
  const r = await run(['analyze', tarball, '--program', '/zero', '--cache-dir', cache]);
  bounded(r, tarball, 'extractionRatio');
  const left = readdirSync(join(cache, 'images', 'rootfs'));
  assert.deepEqual(left, [], `left in the cache: ${left.join(', ')}`);
});

test('16: 5,000 DT_NEEDED entries end at the limit, in one line', async () => {
  const strtab = Buffer.from('\0libx.so\0');
  const n = 5000;
  const dyn = Buffer.alloc((n + 3) * 16);
  for (let i = 0; i < n; i++) {
    dyn.writeBigUInt64LE(1n, i * 16);
    dyn.writeBigUInt64LE(1n, i * 16 + 8);
  }
  // The body follows the header and two program headers: code (16 bytes), strtab, the dynamic table.
  const bodyOff = 64 + 2 * 56;
  const strOff = 16;
  const dynOff = 32;
  dyn.writeBigUInt64LE(5n, n * 16); // DT_STRTAB
  dyn.writeBigUInt64LE(BigInt(BASE + bodyOff + strOff), n * 16 + 8);
  dyn.writeBigUInt64LE(10n, (n + 1) * 16); // DT_STRSZ
  dyn.writeBigUInt64LE(BigInt(strtab.length), (n + 1) * 16 + 8);
  const body = Buffer.concat([EXIT_CODE, Buffer.alloc(7), strtab, Buffer.alloc(16 - strtab.length), dyn]);
  const filled = craftElf(body, (off, len) => [...wholeFile(off, len), { type: PT_DYNAMIC, flags: PF_R, offset: off + dynOff, vaddr: BASE + off + dynOff, filesz: dyn.length }]);
  bounded(await analyse(rootfs('needed', { 'bin/prog': filled }), '/bin/prog'), '/bin/prog', 'neededEntries');
});

test('16: a cache that cannot be written is a warning and the analysis goes on uncached, leaving no temporary files', async () => {
  const root = trueRootfs('ro-cache');
  const cache = join(work, 'ro-cache-dir');
  mkdirSync(cache, { recursive: true });
  // A file where the facts directory goes: every write below it fails (ENOTDIR), even for root.
  writeFileSync(join(cache, 'facts'), 'not a directory');
  const r = await run(['analyze', '--rootfs', root, '--program', '/usr/bin/true', '--cache-dir', cache]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cannot be written \(ENOTDIR\): going on without caching/);
  assert.deepEqual(readdirSync(cache), ['facts']);
});

test('16: a full cache (ENOSPC) is a warning naming the cache, not an error blamed on a library, and leaves no temporary files', { skip: isRoot ? false : 'mounting a small tmpfs needs root' }, async () => {
  const root = trueRootfs('full-cache');
  const cache = join(work, 'full-cache-dir');
  mkdirSync(cache, { recursive: true });
  // 32 KiB: room for directories and small files, none for the facts of libc.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32k', 'tmpfs', cache]);
  try {
    const r = await run(['analyze', '--rootfs', root, '--program', '/usr/bin/true', '--cache-dir', cache]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`the cache ${cache}\\S* cannot be written \\(ENOSPC\\): going on without caching`));
    assert.doesNotMatch(r.stdout + r.stderr, /libc\.so\.6: .*ENOSPC|internal error/);
    const left = execFileSync('find', [cache, '-name', '*.tmp'], { encoding: 'utf8' }).trim();
    assert.equal(left, '', `temporary files left behind:\n${left}`);
  } finally {
    execFileSync('umount', [cache]);
  }
});

test('16: inactive (SHT_NULL) section headers claiming executable extents far past the file are ignored, not read', async () => {
  const body = Buffer.concat([EXIT_CODE, Buffer.alloc(7)]);
  // ALLOC|EXECINSTR over the code, then at an offset and size no file has.
  const elf = craftElf(body, wholeFile, (off) => [
    { type: SHT_NULL, flags: SHF_ALLOC | SHF_EXECINSTR, addr: BASE + off, offset: off, size: 2 ** 40 },
    { type: SHT_NULL, flags: SHF_ALLOC | SHF_EXECINSTR, addr: BASE + off, offset: 2 ** 52, size: 2 ** 52 },
  ]);
  const r = await analyse(rootfs('null-sections', { 'bin/prog': elf }), '/bin/prog');
  bounded(r, '/bin/prog');
  assert.equal(r.code, 0, `exit ${r.code}:\n${r.stderr}`);
  assert.match(r.stdout, /\/bin\/prog: [1-9]\d* syscalls/);
});
