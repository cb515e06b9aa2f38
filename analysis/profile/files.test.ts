import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { layeredFs, procRootFs, resolveInLayers } from './container-files.js';
import { parseMaps, readExecMappings } from './maps.js';
import { scriptOf } from './poll.js';
import { parseShebang, programsFrom } from './programs.js';

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-profile-'));
  tempDirs.push(d);
  return d;
}

// /proc/PID/maps of /bin/sleep running as a container's init on the test VM, read from the host.
const CONTAINER_MAPS = `55bc4962e000-55bc49630000 r--p 00000000 00:27 16606955                   /bin/sleep
55bc49630000-55bc49635000 r-xp 00002000 00:27 16606955                   /bin/sleep
55bc49635000-55bc49637000 r--p 00007000 00:27 16606955                   /bin/sleep
55bc6984b000-55bc6986c000 rw-p 00000000 00:00 0                          [heap]
7fdc53c12000-7fdc53c15000 rw-p 00000000 00:00 0 
7fdc53c15000-7fdc53c3b000 r--p 00000000 00:27 16606950                   /lib/x86_64-linux-gnu/libc.so.6
7fdc53c3b000-7fdc53d91000 r-xp 00026000 00:27 16606950                   /lib/x86_64-linux-gnu/libc.so.6
7fdc53de8000-7fdc53dea000 rw-p 001d3000 00:27 16606950                   /lib/x86_64-linux-gnu/libc.so.6
7fdc53df9000-7fdc53dfd000 r--p 00000000 00:00 0                          [vvar]
7fdc53dfd000-7fdc53dff000 r--p 00000000 00:00 0                          [vvar_vclock]
7fdc53dff000-7fdc53e01000 r-xp 00000000 00:00 0                          [vdso]
7fdc53e02000-7fdc53e28000 r-xp 00001000 00:27 16606952                   /lib64/ld-linux-x86-64.so.2
7fdc53e34000-7fdc53e36000 rw-p 00033000 00:27 16606952                   /lib64/ld-linux-x86-64.so.2
7fdc53e40000-7fdc53e41000 r-xp 00000000 00:27 16606999                   /opt/my lib/libx.so (deleted)
7fdc53e50000-7fdc53e51000 r-xp 00000000 00:01 2049                       /memfd:jit (deleted)
7fffe8d0e000-7fffe8d2f000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;

test('parseMaps keeps executable file mappings only, once each, and flags deleted files', () => {
  assert.deepEqual(parseMaps(CONTAINER_MAPS), [
    { path: '/bin/sleep', deleted: false },
    { path: '/lib/x86_64-linux-gnu/libc.so.6', deleted: false },
    { path: '/lib64/ld-linux-x86-64.so.2', deleted: false },
    { path: '/opt/my lib/libx.so', deleted: true },
    { path: '/memfd:jit', deleted: true },
  ]);
});

test('readExecMappings reads a live process (this one) and strips a host prefix', () => {
  const own = readExecMappings(process.pid);
  assert.ok(own?.some((m) => m.path === fs.realpathSync(process.execPath)), 'node itself is mapped executable');
  assert.ok(own?.some((m) => /\/libc\.so\.6$/.test(m.path)));
  const stripped = readExecMappings(process.pid, path.dirname(fs.realpathSync(process.execPath)));
  assert.ok(stripped?.some((m) => m.path === '/' + path.basename(process.execPath)));
  assert.equal(readExecMappings(2 ** 22 + 1), undefined);
});

test('parseShebang follows the kernel: one interpreter, one optional argument', () => {
  assert.deepEqual(parseShebang(Buffer.from('#!/bin/sh\necho hi\n')), { interpreter: '/bin/sh' });
  assert.deepEqual(parseShebang(Buffer.from('#! /usr/bin/env  python3 -u\n')), { interpreter: '/usr/bin/env', arg: 'python3 -u' });
  assert.deepEqual(parseShebang(Buffer.from('#!/bin/bash\r\n')), { interpreter: '/bin/bash' });
  assert.equal(parseShebang(Buffer.from('\x7fELF\x02\x01\x01')), undefined);
  assert.equal(parseShebang(Buffer.from('#!\n')), undefined);
});

function writeFile(root: string, rel: string, content: string, mode = 0o755): void {
  fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), content, { mode });
}

test('resolveInLayers follows links inside the container and honours whiteouts', (t) => {
  const dir = tempDir();
  const upper = path.join(dir, 'upper');
  const lower = path.join(dir, 'lower');
  writeFile(lower, 'usr/bin/dash', '\x7fELF');
  writeFile(lower, 'gone.sh', '#!/bin/sh\n');
  fs.mkdirSync(path.join(lower, 'bin'));
  fs.symlinkSync('/usr/bin/dash', path.join(lower, 'bin/sh')); // absolute: must stay inside
  writeFile(upper, 'app/run.sh', '#!/bin/sh\n');
  fs.symlinkSync('../app/run.sh', path.join(upper, 'app/link.sh'));
  const layers = [upper, lower];
  assert.equal(resolveInLayers(layers, '/bin/sh'), path.join(lower, 'usr/bin/dash'));
  assert.equal(resolveInLayers(layers, '/app/link.sh'), path.join(upper, 'app/run.sh'));
  assert.equal(resolveInLayers(layers, '/../../app/run.sh'), path.join(upper, 'app/run.sh'));
  assert.equal(resolveInLayers(layers, '/nope'), undefined);
  assert.equal(resolveInLayers(layers, '/app/run.sh/x'), undefined);
  try {
    execFileSync('mknod', [path.join(upper, 'gone.sh'), 'c', '0', '0']);
  } catch {
    return t.skip('mknod not permitted (needs root): whiteouts not checked');
  }
  assert.equal(resolveInLayers(layers, '/gone.sh'), undefined);
});

test('procRootFs reads through a live process root (this process: the host root)', () => {
  const view = procRootFs(process.pid);
  assert.equal(view.head('/proc/self/status', 5)?.toString(), 'Name:');
  assert.equal(view.head('/no/such/file', 5), undefined);
});

test('programsFrom counts execs and adds interpreters, also nested ones', () => {
  const root = tempDir();
  writeFile(root, 'entrypoint.sh', '#!/bin/sh\nexec /app/tool.py\n');
  writeFile(root, 'app/tool.py', '#!/usr/local/bin/wrapper -x\nprint(1)\n');
  writeFile(root, 'usr/local/bin/wrapper', '#!/usr/bin/python3\n');
  writeFile(root, 'bin/sh', '\x7fELF');
  writeFile(root, 'usr/bin/python3', '\x7fELF');
  writeFile(root, 'bin/true', '\x7fELF');
  const { programs, warnings } = programsFrom(['/entrypoint.sh', '/bin/true', '/bin/true', '/app/tool.py', '/bin/missing', 'rel/x'], layeredFs([root]));
  assert.deepEqual(programs, [
    { path: '/app/tool.py', execs: 1 },
    { path: '/bin/missing', execs: 1 },
    { path: '/bin/sh', execs: 1, interpreterOf: ['/entrypoint.sh'] },
    { path: '/bin/true', execs: 2 },
    { path: '/entrypoint.sh', execs: 1 },
    { path: '/usr/bin/python3', execs: 1, interpreterOf: ['/usr/local/bin/wrapper'] },
    { path: '/usr/local/bin/wrapper', execs: 1, interpreterOf: ['/app/tool.py'] },
    { path: 'rel/x', execs: 1 },
  ]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /could not read \/bin\/missing/);
});

test('scriptOf finds the script in an interpreter\'s argv the way the kernel builds it', () => {
  const root = tempDir();
  writeFile(root, 'entrypoint.sh', '#!/bin/sh\n');
  writeFile(root, 'tool', '#!/usr/bin/env python3\n');
  const files = layeredFs([root]);
  assert.equal(scriptOf(['/bin/sh', '/entrypoint.sh', 'arg'], files), '/entrypoint.sh');
  assert.equal(scriptOf(['/usr/bin/env', 'python3', '/tool'], files), '/tool');
  // Not how the kernel would have started them: a shell reading a script it was handed.
  assert.equal(scriptOf(['/bin/bash', '/entrypoint.sh'], files), undefined);
  assert.equal(scriptOf(['/usr/bin/env', 'python2', '/tool'], files), undefined);
  assert.equal(scriptOf(['/bin/sh', '-c', 'true'], files), undefined);
  assert.equal(scriptOf(['/bin/sleep'], files), undefined);
});

test('programsFrom leaves out what the kernel provides under /proc and /dev/fd, and says so', () => {
  const r = programsFrom(['/bin/sh', '/proc/12986/exe', '/dev/fd/6'], undefined);
  assert.deepEqual(r.programs.map((p) => p.path), ['/bin/sh']);
  assert.ok(r.warnings.some((w) => /exec of \/proc\/12986\/exe: a file the kernel provides/.test(w)), r.warnings.join('\n'));
  assert.ok(r.warnings.some((w) => /exec of \/dev\/fd\/6/.test(w)));
});
