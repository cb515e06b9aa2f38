// The one test command: type check (build), the renderer's type check and build, lint, then every
// *.test.js under dist with node's runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

run('npx', ['tsc', '-p', 'tsconfig.json']);
run('npx', ['tsc', '-p', 'renderer/tsconfig.json']);
// The UI the web host serves (and the end-to-end tests drive), built by Vite into dist/ui.
run('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
run('npx', ['eslint', '.']);
const filter = process.argv[2];
const files = findTests('dist').filter((f) => !filter || f.includes(filter)).sort();
// Tests run concurrently two at a time: the machine has two cores and some tests spawn compilers.
run(process.execPath, ['--test', '--test-concurrency=2', ...files]);
