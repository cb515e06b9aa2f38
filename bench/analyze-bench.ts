// npm run bench: cold and warm analysis of nginx with its libraries, against objdump -d over the
// same files; then a cold analysis of a large Go program (dockerd, from docker.io) with its peak memory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../analysis/analyze.js';

const program = process.argv[2] ?? '/usr/sbin/nginx';
const cacheDir = mkdtempSync(join(tmpdir(), 'confine-bench-'));

// `graph` asks for the call graph, which bypasses the per-program result cache: facts alone are cached.
async function timed(label: string, graph = false, which = program, dir = cacheDir): Promise<{ seconds: number; objects: string[]; syscalls: number }> {
  const t = performance.now();
  const r = await analyze({ rootfs: '/', programs: [which], cacheDir: dir, ...(graph ? { onGraph: () => undefined } : {}) });
  const seconds = (performance.now() - t) / 1000;
  const objects = r.programs[0].objects;
  console.log(`${label}: ${seconds.toFixed(3)} s (${r.syscalls.length} syscalls, ${r.stats.objects} objects, ${r.stats.cachedObjects} from cache, ${r.stats.instructions} instructions)`);
  return { seconds, objects, syscalls: r.syscalls.length };
}

const cold = await timed('cold analysis (empty cache)');
const warm = await timed('warm analysis (cached result)');
await timed('warm analysis (cached facts, result recomputed)', true);
const t = performance.now();
for (const f of cold.objects) {
  const r = spawnSync('objdump', ['-d', f], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
  if (r.status !== 0) console.error(`objdump failed on ${f}`);
}
const objdump = (performance.now() - t) / 1000;
console.log(`objdump -d over the same ${cold.objects.length} files: ${objdump.toFixed(3)} s`);
console.log(`ratio cold / objdump: ${(cold.seconds / objdump).toFixed(2)}`);
console.log(`ratio warm / objdump: ${(warm.seconds / objdump).toFixed(2)}`);
rmSync(cacheDir, { recursive: true, force: true });

// A large Go program: functions from its pclntab, the stack-frame dataflow, tens of thousands of methods.
const GO_PROGRAM = process.env.CONFINE_BENCH_GO ?? '/usr/sbin/dockerd';
if (existsSync(GO_PROGRAM)) {
  const goCache = mkdtempSync(join(tmpdir(), 'confine-bench-go-'));
  await timed(`cold analysis of ${GO_PROGRAM} (empty cache)`, false, GO_PROGRAM, goCache);
  console.log(`peak resident memory of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (the analysis runs in its worker threads)`);
  rmSync(goCache, { recursive: true, force: true });
} else console.log(`${GO_PROGRAM} is not installed: no Go benchmark`);
