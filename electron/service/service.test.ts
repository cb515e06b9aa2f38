// The service against real analyses: a host job for /usr/bin/true (progress, report, call-graph
// queries, disassembly, diff, review, exports) and cancelling an engine job during phase 1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { ConfineService } from './service.js';
import { stableJson } from './workspace.js';
import { reviewBasis, reviewChanges, reviewSubject } from '../../analysis/policy/review.js';
import { readDockerProfile } from '../../analysis/policy/profile-import.js';
import type { Report } from '../../analysis/graph/report.js';
import { INDIRECT_NAME } from '../../analysis/graph/graph-data.js';
import { engineUnavailable, TEST_IMAGES } from '../../test/support/engine.js';
import { JobEvents, parseYamlSubset, tempCacheDir } from '../testkit.js';

const TRUE = '/usr/bin/true';

describe('service with a host analysis of /usr/bin/true', () => {
  const cache = tempCacheDir();
  const events = new JobEvents();
  const workspaceFile = join(cache.dir, 'review', 'workspace.json');
  let service: ConfineService;
  let reportId: string;
  let report: Report;

  before(async () => {
    service = new ConfineService({ cacheDir: cache.dir, workspaceFile, emit: events.emit });
    const t0 = performance.now();
    const { jobId } = await service.startAnalysis({ target: { kind: 'host', programs: [TRUE] } });
    const f = await events.finishedOf(jobId);
    assert.equal(f.error, undefined, f.error);
    assert.ok(f.reportId);
    reportId = f.reportId;
    report = await service.getReport(reportId);
    console.log(`host job for ${TRUE}: ${report.syscalls.length} syscalls, ${events.progress.length} progress events, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await service.close();
    cache.cleanup();
  });

  test('the job streams progress and finishes exactly once with a listed report', async () => {
    const mine = events.progress.filter((p) => p.jobId === reportId);
    assert.ok(mine.length >= 3, `${mine.length} progress events`);
    const phases = new Set(mine.map((p) => p.phase));
    for (const p of ['load', 'objects', 'graph', 'done']) assert.ok(phases.has(p), `phase ${p} reported (${[...phases].join(', ')})`);
    assert.ok(mine.some((p) => p.file === TRUE));
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i].elapsedMs >= mine[i - 1].elapsedMs, 'elapsedMs grows');
    assert.equal(mine[mine.length - 1].phase, 'done');
    assert.equal(events.finished.filter((f) => f.jobId === reportId).length, 1);
    const list = await service.listReports();
    assert.equal(list.length, 1);
    assert.deepEqual({ ...list[0], createdAt: '' }, { id: reportId, title: TRUE, createdAt: '', syscalls: report.syscalls.length, programs: 1, unresolved: report.unresolved.length });
    assert.ok(report.syscalls.some((s) => s.name === 'exit_group'));
  });

  test('bad requests and ids are refused', async () => {
    await assert.rejects(service.startAnalysis({ target: { kind: 'host', programs: ['usr/bin/true'] } }), /absolute path/);
    await assert.rejects(service.startAnalysis({ target: { kind: 'nope' } } as never), /target kind/);
    await assert.rejects(service.getReport('../../etc'), /no report/);
    await assert.rejects(service.getReport('nosuchreport'), /no report nosuchreport/);
    await assert.rejects(service.cancelAnalysis('nosuchjob'), /no running analysis/);
  });

  test('issue 9 item 1: bad program paths are refused with the CLI\'s one-line error, never a 0-syscall success', async () => {
    for (const [p, why] of [
      ['/nonexistent/program', /^\/nonexistent\/program: no such file on this machine$/],
      ['/etc', /^\/etc: not a program: a directory, not a regular file$/],
      ['/etc/passwd', /^\/etc\/passwd: not a program: neither an ELF file nor a #! script$/],
    ] as const) {
      await assert.rejects(service.startAnalysis({ target: { kind: 'host', programs: [p] } }), (e: Error) => why.test(e.message), p);
    }
    // An image path that is a directory but not a rootfs of that program: the job fails with the reason.
    const { jobId } = await service.startAnalysis({ target: { kind: 'path', path: cache.dir }, programs: ['/usr/sbin/nginx'] });
    const f = await events.finishedOf(jobId);
    assert.equal(f.reportId, undefined);
    assert.match(f.error ?? '', /^\/usr\/sbin\/nginx: no such file in /);
  });

  test('issue 9 item 2: the Docker export of a host analysis says in the file that it is not a container policy', async () => {
    const docker = JSON.parse((await service.exportPolicy(reportId, 'docker')).text) as { comment?: string };
    assert.match(docker.comment ?? '', /^Not a container policy: .*runtime base set.*confine analyze IMAGE/);
    const k8s = (await service.exportPolicy(reportId, 'kubernetes')).text;
    assert.match(k8s, /^# Not a container policy: /m);
  });

  test('issue 9 item 16: concurrent jobs and review notes have limits', async () => {
    const started: string[] = [];
    try {
      for (let i = 0; i < 4; i++) started.push((await service.startAnalysis({ target: { kind: 'host', programs: ['/usr/bin/bash'] } })).jobId);
      await assert.rejects(service.startAnalysis({ target: { kind: 'host', programs: [TRUE] } }), /analyses are running already, the limit concurrentJobs = 4/);
    } finally {
      for (const id of started) await service.cancelAnalysis(id).catch(() => undefined);
      for (const id of started) await events.finishedOf(id, 30_000);
    }
    await assert.rejects(service.setReview(reportId, 'read', 'allow', 'x'.repeat(4001)), /note: 4001 characters, the limit noteChars = 4000/);
  });

  test('function search, roots and neighbours', async () => {
    const exits = await service.searchFunctions(reportId, TRUE, '_EXIT', 10);
    assert.equal(exits[0].name, '_exit', 'the exact match comes first, case-insensitively');
    assert.ok(exits[0].syscalls.includes(231), '_exit makes exit_group');
    assert.ok(exits.length <= 10);
    assert.ok((await service.searchFunctions(reportId, TRUE, 'main', 5)).length > 0);
    await assert.rejects(service.searchFunctions(reportId, '/usr/bin/false', 'x'), /no call graph/);

    const roots = await service.roots(reportId, TRUE);
    assert.equal(roots.program, TRUE);
    assert.equal(roots.nodes[0].root, 'program entry point');
    assert.equal(roots.nodes[0].object, TRUE);
    assert.ok(roots.nodes.every((n) => typeof n.root === 'string'));

    const entry = roots.nodes[0];
    const callees = await service.neighbours(reportId, TRUE, entry.id, 'callees');
    assert.equal(callees.nodes[0].id, entry.id);
    assert.ok(callees.edges.length > 0 && callees.edges.every((e) => e.from === entry.id));
    const ids = new Set(callees.nodes.map((n) => n.id));
    assert.ok(callees.edges.every((e) => ids.has(e.to)));
    assert.ok(callees.edges.every((e) => /^[0-9a-f]+$/.test(e.site)));

    const callers = await service.neighbours(reportId, TRUE, exits[0].id, 'callers', 3);
    assert.ok(callers.edges.length > 0 && callers.edges.every((e) => e.to === exits[0].id));
    assert.ok(callers.nodes.length <= 4);

    // Calls through pointers lead to one pseudo node that fans out to the address-taken functions.
    const [pseudo] = await service.searchFunctions(reportId, TRUE, INDIRECT_NAME, 1);
    assert.equal(pseudo.name, INDIRECT_NAME);
    const fan = await service.neighbours(reportId, TRUE, pseudo.id, 'callees', 5);
    assert.equal(fan.edges.length, 5);
    assert.equal(fan.truncated, true);
    assert.ok(fan.edges.every((e) => e.kind === 'indirect' && e.site === ''));
    const viaPointer = await service.neighbours(reportId, TRUE, fan.edges[0].to, 'callers', 1000);
    assert.ok(viaPointer.nodes.some((n) => n.id === pseudo.id), 'an address-taken function lists the pseudo node among its callers');
    await assert.rejects(service.neighbours(reportId, TRUE, 1e9, 'callers'), /no function/);
  });

  test('pathGraph of exit_group ends at a node holding the syscall, and its site disassembles to syscall', async () => {
    const s = report.syscalls.find((x) => x.name === 'exit_group')!;
    const g = await service.pathGraph(reportId, s.nr);
    assert.equal(g.program, TRUE);
    assert.equal(g.nodes.length, s.path.length);
    const last = g.nodes[g.nodes.length - 1];
    assert.ok(last.syscalls.includes(231), `${last.name} holds exit_group`);
    assert.equal(last.address, s.path[s.path.length - 1].address);
    assert.ok(g.nodes[0].root, 'the path starts at a root');
    assert.equal(g.edges.length, g.nodes.length - 1);
    g.edges.forEach((e, i) => {
      assert.equal(e.from, g.nodes[i].id);
      assert.equal(e.to, g.nodes[i + 1].id);
    });
    await assert.rejects(service.pathGraph(reportId, 9999), /does not allow/);

    const site = s.path[s.path.length - 1].site!;
    const d = await service.disassemble(reportId, last.object, site, 4);
    assert.equal(d.function, last.name);
    const focus = d.lines.filter((l) => l.focus);
    assert.equal(focus.length, 1);
    assert.equal(focus[0].address, site);
    assert.equal(focus[0].text, 'syscall');
    assert.equal(focus[0].bytes, '0f 05');
    assert.equal(d.lines[0].address, last.address, 'shown from the function entry');
    const fi = d.lines.indexOf(focus[0]);
    assert.ok(d.lines.length - fi - 1 <= 4, 'context after the focus is bounded');
    for (const l of d.lines) assert.match(l.bytes, /^[0-9a-f]{2}( [0-9a-f]{2})*$/);
    // A call site on the path names its target.
    const caller = s.path[s.path.length - 2];
    const dc = await service.disassemble(reportId, caller.object, caller.site!, 0);
    const callLine = dc.lines.find((l) => l.focus)!;
    assert.match(callLine.text, /^(call|jmp)/);

    await assert.rejects(service.disassemble(reportId, '/etc/passwd', '1000'), /not an object of report/);
    await assert.rejects(service.disassemble(reportId, '/../../../../etc/shadow', '1000'), /not an object of report/);
    await assert.rejects(service.disassemble(reportId, last.object, 'zz'), /not a hexadecimal address/);
    await assert.rejects(service.disassemble(reportId, last.object, '1'), /not in the code/);
  });

  test('diff of the report against the built-in docker-default has consistent counts', async () => {
    const profiles = await service.listProfiles();
    assert.equal(profiles[0].id, 'docker-default');
    assert.equal(profiles[0].kind, 'builtin');
    const d = await service.diff({ kind: 'report', id: reportId }, { kind: 'profile', id: 'docker-default' });
    assert.equal(d.left, TRUE);
    assert.equal(d.added + d.removed + d.common, d.rows.length);
    assert.equal(d.common + d.removed, report.syscalls.length);
    assert.equal(d.common + d.added, profiles[0].syscalls);
    for (const r of d.rows) {
      assert.equal(r.leftReason !== undefined, r.side !== 'added');
      assert.equal(r.rightReason !== undefined, r.side !== 'removed');
      if (r.rightReason) assert.equal(r.rightReason, "in profile Docker's default profile");
    }
    const exit = d.rows.find((r) => r.name === 'exit_group')!;
    assert.equal(exit.side, 'common');
    assert.equal(exit.nr, 231);
    assert.match(exit.leftReason!, / -> /);
    const nrs = d.rows.map((r) => r.nr!);
    assert.deepEqual(nrs, [...nrs].sort((a, b) => a - b));
    // Docker's argument rules are compared, not reduced to "in profile" (issue 11).
    const docker = (name: string) => d.rows.find((r) => r.name === name)!;
    assert.equal(docker('socket').rightArgs, 'arg0 != 0x28');
    assert.equal(docker('clone').rightArgs, 'arg0 & 0x7e020000 == 0x0');
    assert.equal(docker('personality').rightArgs, 'arg0 == 0x0 or arg0 == 0x8 or arg0 == 0x20000 or arg0 == 0x20008 or arg0 == 0xffffffff');
    assert.equal(docker('read').rightArgs, undefined);
    assert.equal(d.argsDiffer, d.rows.filter((r) => r.side === 'common' && r.leftArgs !== r.rightArgs).length);
    const same = await service.diff({ kind: 'report', id: reportId }, { kind: 'report', id: reportId });
    assert.equal(same.common, report.syscalls.length);
    assert.equal(same.added + same.removed + same.argsDiffer, 0);
    const readZero = await service.importProfile('read fd 0', JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }] }));
    const d3 = await service.diff({ kind: 'report', id: reportId }, { kind: 'profile', id: readZero.id });
    const read = d3.rows.find((r) => r.name === 'read')!;
    assert.deepEqual([read.side, read.leftArgs, read.rightArgs, read.argsDiffer], ['common', undefined, 'arg0 == 0x0', true]);
    assert.equal(d3.argsDiffer, 1);

    const imported = await service.importProfile('only read', JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }));
    assert.equal(imported.syscalls, 2);
    assert.ok((await service.listProfiles()).some((p) => p.id === imported.id && p.kind === 'imported'));
    const d2 = await service.diff({ kind: 'profile', id: imported.id }, { kind: 'report', id: reportId });
    assert.equal(d2.common, 2);
    assert.equal(d2.removed, 0);
    await assert.rejects(service.importProfile('broken', '{"syscalls":[]}'), /defaultAction/);
    await assert.rejects(service.diff({ kind: 'profile', id: '../x' }, { kind: 'report', id: reportId }), /no profile/);
  });

  test('reviews persist in a sorted, diff-friendly file and survive a restart', async () => {
    await service.setReview(reportId, 'exit_group', 'deny', 'the container never exits by itself');
    await service.setReview(reportId, 'ptrace', 'allow', 'debugger attached in staging');
    const ws = await service.setReview(reportId, 'read', 'allow', 'temporary');
    assert.equal(ws.path, workspaceFile);
    await service.setReview(reportId, 'read', null, '');
    await assert.rejects(service.setReview(reportId, 'not_a_syscall', 'deny', ''), /not an x86-64 syscall/);
    // A value of an argument rule is removed (deny) or restored (null), never "allowed".
    await service.setReview(reportId, 'arg:socket:0:17', 'deny', '');
    await service.setReview(reportId, 'arg:socket:0:17', null, '');
    await assert.rejects(service.setReview(reportId, 'arg:socket:0:17', 'allow', ''), /only be removed/);
    await assert.rejects(service.setReview(reportId, 'arg:not_a_syscall:0:17', 'deny', ''), /not an x86-64 syscall/);
    await assert.rejects(service.setReview(reportId, 'arg:socket:9:17', 'deny', ''), /not an x86-64 syscall/);
    await assert.rejects(service.setReview('nosuchreport', 'read', 'deny', ''), /no report/);
    const text = readFileSync(workspaceFile, 'utf8');
    assert.equal(text, stableJson(JSON.parse(text)), 'keys sorted, two-space indent');
    assert.match(text, /^\{\n {2}"reviews": \{\n/);

    const reopened = new ConfineService({ cacheDir: cache.dir, workspaceFile, emit: () => undefined });
    const w = await reopened.getWorkspace();
    const mine = w.reviews[`host · ${TRUE}`];
    assert.deepEqual(Object.keys(mine).sort(), ['exit_group', 'ptrace']);
    assert.equal(mine.exit_group.decision, 'deny');
    assert.equal(mine.exit_group.note, 'the container never exits by itself');
    assert.match(mine.ptrace.updatedAt, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(mine.ptrace.basis, { reportId, found: false, programs: [], path: '' }, 'ptrace was not found: the reviewer added it');
    assert.equal(mine.exit_group.basis?.found, true);
    await reopened.close();

    // A version-1 workspace (reviews per report id) is moved to the report's subject, with the basis of that report.
    const legacy = join(cache.dir, 'legacy-workspace.json');
    writeFileSync(legacy, JSON.stringify({ reviews: { [reportId]: { unlink: { decision: 'deny', note: 'old file', updatedAt: '2025-01-01T00:00:00.000Z' } }, gone: { read: { decision: 'deny', note: '', updatedAt: '' } } } }));
    const migrated = new ConfineService({ cacheDir: cache.dir, workspaceFile: legacy, emit: () => undefined });
    const lw = await migrated.getWorkspace();
    assert.deepEqual(Object.keys(lw.reviews).sort(), ['gone', `host · ${TRUE}`], 'a report that is gone keeps its key');
    assert.equal(lw.reviews[`host · ${TRUE}`].unlink.note, 'old file');
    assert.equal(lw.reviews[`host · ${TRUE}`].unlink.basis?.reportId, reportId);
    assert.equal((JSON.parse(readFileSync(legacy, 'utf8')) as { version: number }).version, 2);
    await migrated.close();

    // A damaged workspace is not overwritten.
    const bad = join(cache.dir, 'bad-workspace.json');
    writeFileSync(bad, '{ not json');
    const b = new ConfineService({ cacheDir: cache.dir, workspaceFile: bad, emit: () => undefined });
    await assert.rejects(b.getWorkspace(), /not valid JSON/);
    await assert.rejects(b.setReview(reportId, 'read', 'deny', ''), /not valid JSON/);
    assert.equal(readFileSync(bad, 'utf8'), '{ not json');
    await b.close();
  });

  test('issue 9 item 6: a review survives re-analysis, a new version\'s other evidence is marked, and exports carry the deny notes', async () => {
    // The same path analysed twice, a new program put there in between (a new version of the image).
    const dir = join(cache.dir, 'app-versions');
    mkdirSync(dir, { recursive: true });
    const app = join(dir, 'app');
    copyFileSync(TRUE, app);
    const analyse = async (): Promise<string> => {
      const f = await events.finishedOf((await service.startAnalysis({ target: { kind: 'host', programs: [app] } })).jobId);
      assert.equal(f.error, undefined, f.error);
      return f.reportId!;
    };
    const first = await analyse();
    const firstReport = await service.getReport(first);
    assert.ok(!firstReport.syscalls.some((s) => s.name === 'pause'), 'true never pauses');
    await service.setReview(first, 'pause', 'deny', 'the app never waits for a signal');
    await service.setReview(first, 'exit_group', 'deny', 'a server never exits');
    copyFileSync('/usr/bin/sleep', app);
    const second = await analyse();
    assert.notEqual(second, first);
    const secondReport = await service.getReport(second);
    assert.ok(secondReport.syscalls.some((s) => s.name === 'pause'), 'sleep pauses');
    const reviews = (await service.getWorkspace()).reviews[reviewSubject(secondReport)];
    assert.equal(reviews.pause.note, 'the app never waits for a signal', 'the review of the first report is the second one\'s');
    assert.deepEqual(reviewChanges(reviews.pause.basis, reviewBasis(secondReport, second, 'pause')), ['now found by the analysis']);
    const docker = JSON.parse((await service.exportPolicy(second, 'docker')).text) as { deniedByReview?: string[]; syscalls: { names: string[] }[] };
    assert.deepEqual(docker.deniedByReview, ['pause (34): denied by review: the app never waits for a signal', 'exit_group (231): denied by review: a server never exits']);
    assert.ok(!docker.syscalls.some((r) => r.names.includes('pause') || r.names.includes('exit_group')));
    assert.match((await service.exportPolicy(second, 'kubernetes')).text, /^# pause \(34\): denied by review: the app never waits for a signal$/m);
    // Confirming the review takes the new report as its basis: no longer marked.
    const confirmed = await service.setReview(second, 'pause', 'deny', 'the app never waits for a signal');
    assert.deepEqual(reviewChanges(confirmed.reviews[reviewSubject(secondReport)].pause.basis, reviewBasis(secondReport, second, 'pause')), []);
  });

  test('exports in all three formats reflect the review', async () => {
    await service.setReview(reportId, 'exit_group', 'deny', 'the container never exits by itself');
    await service.setReview(reportId, 'ptrace', 'allow', 'debugger attached in staging');
    const expected = new Set(report.syscalls.map((s) => s.name).filter((n) => n !== 'exit_group'));
    expected.add('ptrace');

    const docker = await service.exportPolicy(reportId, 'docker');
    assert.equal(docker.filename, 'usr-bin-true.seccomp.json');
    assert.equal(docker.mime, 'application/json');
    assert.deepEqual(readDockerProfile(docker.text).names, expected);
    const rules = (JSON.parse(docker.text) as { syscalls: { names: string[]; comment: string }[] }).syscalls;
    assert.equal(rules.find((r) => r.names[0] === 'ptrace')!.comment, 'ptrace: added by review: debugger attached in staging');
    assert.match(rules.find((r) => r.names[0] === 'exit')!.comment, /^exit: true:/);

    const oci = await service.exportPolicy(reportId, 'oci');
    assert.deepEqual(readDockerProfile(oci.text).names, expected);
    assert.ok(!oci.text.includes('comment'));

    const k8s = await service.exportPolicy(reportId, 'kubernetes');
    assert.equal(k8s.mime, 'application/yaml');
    const { value } = parseYamlSubset(k8s.text);
    const spec = (value as { spec: { syscalls: { names: string[] }[] } }).spec;
    // Syscalls with argument rules have rules of their own after the plain list.
    assert.deepEqual(new Set(spec.syscalls.flatMap((r) => r.names)), expected);
    assert.ok(k8s.text.includes('        # ptrace: added by review: debugger attached in staging\n        - ptrace\n'));
    assert.ok(!k8s.text.includes('- exit_group'));

    // The raw BPF: what the kernel loads, base64 over the contract; the container-wide program and
    // the program's own filter (harden's), which adds the launcher's exit_group the review denied.
    const bpf = await service.exportPolicy(reportId, 'bpf');
    assert.equal(bpf.encoding, 'base64');
    assert.equal(bpf.filename, 'usr-bin-true.seccomp.bpf');
    const bytes = Buffer.from(bpf.text, 'base64');
    assert.equal(bytes.length % 8, 0);
    assert.deepEqual([bytes.readUInt16LE(0), bytes.readUInt32LE(4)], [0x20, 4], 'the program starts by loading the architecture');
    const own = await service.exportPolicy(reportId, 'bpf', '/usr/bin/true');
    assert.equal(own.filename, 'usr-bin-true.usr-bin-true.seccomp.bpf');
    const k = (b: Buffer): number[] => Array.from({ length: b.length / 8 }, (_, i) => b.readUInt32LE(i * 8 + 4));
    assert.ok(!k(bytes).includes(231), 'exit_group, denied by the review, is compared in the container-wide program');
    assert.ok(k(Buffer.from(own.text, 'base64')).includes(231), "the program's own filter lacks the launcher's exit_group");
    await assert.rejects(service.exportPolicy(reportId, 'bpf', '/usr/bin/no-such'), /not an analysed program/);
    await assert.rejects(service.exportPolicy(reportId, 'pfc' as never), /export format/);
    await assert.rejects(service.saveExport(docker), /only in the desktop app/);
    const info = await service.hostInfo();
    assert.equal(info.transport, 'web');
    assert.equal(info.nativeSave, false);
    assert.match(info.version, /^\d+\.\d+\.\d+/);
  });

  test('cancelling a host job ends it once, as cancelled, without a report', async () => {
    const before = (await service.listReports()).length;
    const { jobId } = await service.startAnalysis({ target: { kind: 'host', programs: ['/usr/bin/bash', TRUE] } });
    await service.cancelAnalysis(jobId);
    await service.cancelAnalysis(jobId);
    const f = await events.finishedOf(jobId, 30_000);
    assert.deepEqual(f, { jobId, cancelled: true });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(events.finished.filter((x) => x.jobId === jobId).length, 1);
    assert.equal((await service.listReports()).length, before);
    await assert.rejects(service.cancelAnalysis(jobId), /no running analysis/);
  });

  test('engine status answers without throwing', async () => {
    const st = await service.engineStatus();
    assert.equal(typeof st.reachable, 'boolean');
    assert.match(st.endpoint, /^(unix|tcp|https|ssh):\/\//);
    if (st.reachable) {
      const images = await service.listImages();
      for (const i of images) {
        assert.match(i.created, /^\d{4}-\d\d-\d\dT/);
        assert.ok(i.tags.every((t) => t.includes(':') && t !== '<none>:<none>'));
      }
    } else assert.ok(st.error);
    const down = new ConfineService({ cacheDir: cache.dir, workspaceFile, docker: new Docker({ socketPath: join(cache.dir, 'no-such.sock') }), emit: () => undefined });
    const s = await down.engineStatus();
    assert.equal(s.reachable, false);
    assert.equal(s.endpoint, `unix://${join(cache.dir, 'no-such.sock')}`);
    assert.match(s.error!, /cannot connect/);
    await assert.rejects(down.listImages(), /cannot connect/);
    await down.close();
  });
});

describe('cancelling an engine job', async () => {
  const why = await engineUnavailable([TEST_IMAGES.nginx]);
  test('cancel during phase 1 finishes once as cancelled and removes the phase-1 container', { skip: why, timeout: 300_000 }, async () => {
    const cache = tempCacheDir();
    const events = new JobEvents();
    const service = new ConfineService({ cacheDir: cache.dir, workspaceFile: join(cache.dir, 'ws.json'), emit: events.emit });
    const docker = new Docker();
    // Only this process's recorders: other tests may run phase 1 at the same time.
    const phase1 = async (): Promise<string[]> => (await docker.listContainers({ all: true, filters: { label: ['confine=phase1', `confine.pid=${process.pid}`] } })).map((c) => c.Id);
    try {
      const before = new Set(await phase1());
      const { jobId } = await service.startAnalysis({ target: { kind: 'engine', image: TEST_IMAGES.nginx }, seconds: 60 });
      // Wait until this job's container exists and phase 1 is recording.
      let mine: string[] = [];
      const deadline = Date.now() + 240_000;
      while (Date.now() < deadline) {
        if (events.finished.some((f) => f.jobId === jobId)) break;
        mine = (await phase1()).filter((id) => !before.has(id));
        if (mine.length > 0 && events.progress.some((p) => p.jobId === jobId && p.phase === 'phase1')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(mine.length > 0, 'the phase-1 container was created');
      const t0 = performance.now();
      await service.cancelAnalysis(jobId);
      const f = await events.finishedOf(jobId, 30_000);
      const ms = performance.now() - t0;
      assert.deepEqual(f, { jobId, cancelled: true });
      assert.ok(ms < 15_000, `cancelled in ${ms.toFixed(0)} ms`);
      for (const id of mine) {
        await assert.rejects(docker.getContainer(id).inspect(), (e: { statusCode?: number }) => e.statusCode === 404, `container ${id.slice(0, 12)} removed`);
      }
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(events.finished.filter((x) => x.jobId === jobId).length, 1, 'finished exactly once');
      assert.deepEqual(await service.listReports(), []);
      console.log(`engine job cancelled during phase 1 in ${ms.toFixed(0)} ms; container removed`);
    } finally {
      await service.close();
      cache.cleanup();
    }
  });
});
