// The UI's call-graph data on real programs: well-formed, every justification path of the report
// maps onto it, and queries stay fast on a graph of 10,000+ functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../analysis/analyze.js';
import { callGraphData, CallGraphIndex, EDGE_KINDS, INDIRECT_NAME, type CallGraphData } from '../analysis/graph/graph-data.js';
import { tempCacheDir } from './testkit.js';

async function graphOf(program: string, cacheDir: string): Promise<{ data: CallGraphData; report: Awaited<ReturnType<typeof analyze>> }> {
  let data: CallGraphData | undefined;
  const report = await analyze({ rootfs: '/', programs: [program], cacheDir: join(cacheDir, 'facts'), onGraph: (_p, g, roots) => (data = callGraphData(g, roots)) });
  assert.ok(data);
  return { data: JSON.parse(JSON.stringify(data)) as CallGraphData, report };
}

function checkShape(d: CallGraphData): void {
  const n = d.obj.length;
  assert.equal(d.entry.length, n);
  assert.equal(d.name.length, n);
  assert.equal(d.edges.length % 4, 0);
  for (let i = 0; i < d.edges.length; i += 4) {
    assert.ok(d.edges[i] >= 0 && d.edges[i] < n && d.edges[i + 1] >= 0 && d.edges[i + 1] < n);
    assert.ok(d.edges[i + 2] >= 0 && d.edges[i + 2] < EDGE_KINDS.length);
    if (d.edges[i] === d.indirect) assert.equal(EDGE_KINDS[d.edges[i + 2]], 'indirect');
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (i === d.indirect) {
      assert.equal(d.obj[i], -1);
      assert.equal(d.name[i], INDIRECT_NAME);
      continue;
    }
    const k = `${d.obj[i]}:${d.entry[i]}`;
    assert.ok(!seen.has(k), `one node per function (${k})`);
    seen.add(k);
  }
  for (const r of d.roots) assert.ok(r >= 0 && r < n);
}

test('call-graph data of /usr/bin/true: well-formed, and every syscall path maps onto it', { timeout: 300_000 }, async () => {
  const cache = tempCacheDir();
  try {
    const { data, report } = await graphOf('/usr/bin/true', cache.dir);
    checkShape(data);
    assert.equal(data.program, '/usr/bin/true');
    assert.ok(data.indirect >= 0, 'glibc makes indirect calls');
    const idx = new CallGraphIndex(data);
    assert.ok(idx.degree(data.indirect).callees > 10);
    let direct = 0;
    const viaWrapper: string[] = [];
    for (const s of report.syscalls) {
      const sub = idx.pathSubgraph(s.path);
      assert.ok(sub, `the path of ${s.name} maps onto the graph`);
      // A syscall the kernel makes on the program's behalf shows the path to its trigger.
      const steps = s.path.filter((x) => x.edge !== 'kernel');
      assert.equal(sub.edges.length, steps.length - 1);
      if (steps.length !== s.path.length) continue;
      // The last step holds the syscall instruction: with the number as a constant, or (a wrapper
      // such as syscall()) with the number in a register its caller sets.
      const last = sub.nodes[sub.nodes.length - 1];
      if (last.syscalls.includes(s.nr)) direct++;
      else viaWrapper.push(`${s.name} in ${last.name}`);
    }
    assert.ok(direct >= report.syscalls.length * 0.8, `${direct} of ${report.syscalls.length} paths end at a constant site; wrappers: ${viaWrapper.join(', ')}`);
    // Direct syscall numbers on nodes are what the report found through direct sites.
    const constants = new Set(Object.values(data.syscalls).flat());
    assert.ok(constants.has(231) && constants.has(60));
  } finally {
    cache.cleanup();
  }
});

test('queries stay fast on a graph of 10,000+ functions (nginx)', { timeout: 300_000, skip: existsSync('/usr/sbin/nginx') ? undefined : '/usr/sbin/nginx is not installed' }, async () => {
  const cache = tempCacheDir();
  try {
    const { data } = await graphOf('/usr/sbin/nginx', cache.dir);
    checkShape(data);
    assert.ok(data.obj.length > 10_000, `${data.obj.length} nodes`);
    let t = performance.now();
    const idx = new CallGraphIndex(data);
    const indexMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < 50; i++) idx.search('ngx_', 50);
    const searchMs = (performance.now() - t) / 50;
    t = performance.now();
    for (let i = 0; i < idx.size; i++) {
      idx.neighbours(i, 'callers', 100);
      idx.neighbours(i, 'callees', 100);
    }
    const neighbourUs = ((performance.now() - t) * 1000) / (2 * idx.size);
    console.log(`nginx: ${data.obj.length} nodes, ${data.edges.length / 4} edges, ${JSON.stringify(data).length} bytes; index ${indexMs.toFixed(0)} ms, search ${searchMs.toFixed(2)} ms, neighbours ${neighbourUs.toFixed(1)} µs`);
    assert.ok(indexMs < 2000, `index built in ${indexMs} ms`);
    assert.ok(searchMs < 50, `search in ${searchMs} ms`);
    assert.ok(neighbourUs < 1000, `neighbours in ${neighbourUs} µs`);
    const main = idx.search('main', 5)[0];
    assert.equal(main.name, 'main');
    assert.equal(main.object, '/usr/sbin/nginx');
  } finally {
    cache.cleanup();
  }
});
