// A call through a writable function-pointer variable (`call *hook(%rip)` into .data) must be able
// to reach any address-taken function, not only the one the variable starts with: the program can
// reassign it. Checked on the call site's edges in the real call graph of a gcc-built program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../analysis/analyze.js';
import type { ProgramGraph } from '../analysis/graph/program-graph.js';
import { buildTrap } from './support/build-traps.js';

test('a call through a .data function pointer may reach every address-taken function', async () => {
  const binary = await buildTrap('fnptr-var');
  const cacheDir = mkdtempSync(join(tmpdir(), 'confine-fnptr-var-'));
  let graph: ProgramGraph | undefined;
  try {
    await analyze({ rootfs: '/', programs: [binary], cacheDir, workers: 0, onGraph: (_p, g) => (graph = g) });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  assert.ok(graph);
  const main = graph.nodes.findIndex((n) => graph!.objects[n.obj].path === binary && n.fn.name === 'main');
  assert.ok(main >= 0, 'main not found');
  const slotCalls = graph.nodes[main].fn.calls.filter((c) => c.slot !== undefined && !c.tail);
  // printf goes through the GOT (a PLT stub or -fno-plt), hook through .data: find hook's site.
  const hookSites = graph.edges(main).filter((e) => e.call.slot !== undefined && slotCalls.includes(e.call) && e.to === graph!.INDIRECT);
  assert.ok(hookSites.length > 0, `main's call through hook has no indirect edge: ${JSON.stringify(graph.edges(main).map((e) => ({ site: e.site.toString(16), kind: e.kind, to: e.to === graph!.INDIRECT ? 'INDIRECT' : graph!.functionName(e.to) })))}`);
});
