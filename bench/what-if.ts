// The diagnosis of issue 10: which address-taken sources keep syscalls in a program's policy.
// 1. Every allowed syscall whose most believable path crosses an indirect edge, grouped by the
//    source that admitted its first such edge (where the address was taken or stored).
// 2. What-if (unsound on purpose, never the default): the policy when one object's relocated data
//    is taken to hold no code pointer, one object at a time and all at once: the most that
//    data-object reachability could gain per module.
// Usage: node dist/bench/what-if.js [--bound] [PROGRAM ...] (default /usr/sbin/nginx); --bound prints
// only the policy with and without every object's data pointers, one line per program.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../analysis/analyze.js';
import { shortObject } from '../analysis/policy/path-text.js';

const bound = process.argv.includes('--bound');
const args = process.argv.slice(2).filter((a) => a !== '--bound');
const programs = args.length > 0 ? args : ['/usr/sbin/nginx'];
const cacheDir = mkdtempSync(join(tmpdir(), 'confine-what-if-'));

if (bound) console.log('| program | allowed | without any data pointer | gain |\n|---|---:|---:|---:|');
for (const program of programs) {
  const base = await analyze({ rootfs: '/', programs: [program], cacheDir });
  if (bound) {
    const r = await analyze({ rootfs: '/', programs: [program], cacheDir, whatIf: { dropDataPointersOf: '*' } });
    console.log(`| ${program} | ${base.syscalls.length} | ${r.syscalls.length} | ${base.syscalls.length - r.syscalls.length} |`);
    continue;
  }
  console.log(`\n${program}: ${base.syscalls.length} syscalls allowed`);
  const bySource = new Map<string, string[]>();
  for (const s of base.syscalls) {
    const first = s.path.find((p) => p.edge === 'indirect');
    const source = first ? (first.takenBy ?? '?').replace(/ at 0x[0-9a-f]+/g, ' at 0x…').replace(/\/usr\/lib\/x86_64-linux-gnu\//g, '') : 'no indirect edge';
    const list = bySource.get(source) ?? [];
    list.push(s.name);
    bySource.set(source, list);
  }
  console.log('| syscalls | source of the first indirect edge on the path |');
  console.log('|---:|---|');
  for (const [source, names] of [...bySource].sort((a, b) => b[1].length - a[1].length)) console.log(`| ${names.length} | ${source}: ${names.join(' ')} |`);
  const objects = [...new Set(base.programs[0].objects)];
  console.log('| data pointers dropped from | allowed | gain |');
  console.log('|---|---:|---:|');
  for (const o of [...objects, '*']) {
    const r = await analyze({ rootfs: '/', programs: [program], cacheDir, whatIf: { dropDataPointersOf: o } });
    console.log(`| ${o === '*' ? 'every object' : shortObject(o)} | ${r.syscalls.length} | ${base.syscalls.length - r.syscalls.length} |`);
  }
}
rmSync(cacheDir, { recursive: true, force: true });
