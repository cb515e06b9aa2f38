// Test support: a ConfineApi whose methods reject unless a test supplies them, and a small report.
import { API_METHODS, reviewBasis, reviewSubject, type ConfineApi, type ReviewDecision, type Workspace } from '../../electron/api.js';
import type { Report } from '../../electron/api.js';

export function fakeApi(impl: Partial<ConfineApi> = {}): ConfineApi & { calls: { method: string; args: unknown[] }[] } {
  const calls: { method: string; args: unknown[] }[] = [];
  const api: Record<string, unknown> = { calls };
  for (const m of API_METHODS) {
    api[m] = (...args: unknown[]) => {
      calls.push({ method: m, args });
      const f = impl[m] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      return f ? f(...args) : Promise.reject(new Error(`${m} is not faked`));
    };
  }
  return api as unknown as ConfineApi & { calls: { method: string; args: unknown[] }[] };
}

/** An in-memory workspace behind getWorkspace/setReview, for reports that are all `report` (the service keys them by subject and keeps the basis). */
export function workspaceApi(initial: Workspace = { path: '/tmp/ws.json', reviews: {} }, report: Report = sampleReport()): Pick<ConfineApi, 'getWorkspace' | 'setReview'> & { ws: Workspace } {
  const subject = reviewSubject(report);
  const self = {
    ws: initial,
    getWorkspace: () => Promise.resolve(self.ws),
    setReview: (reportId: string, syscall: string, decision: ReviewDecision | null, note: string) => {
      const reviews = { ...self.ws.reviews, [subject]: { ...(self.ws.reviews[subject] ?? {}) } };
      if (decision === null) delete reviews[subject][syscall];
      else reviews[subject][syscall] = { decision, note, updatedAt: '2024-01-01T00:00:00.000Z', basis: reviewBasis(report, reportId, syscall) };
      self.ws = { ...self.ws, reviews };
      return Promise.resolve(self.ws);
    },
  };
  return self;
}

const step = (object: string, fn: string, address: string, edge: Report['syscalls'][number]['path'][number]['edge'], site?: string) => ({ object, function: fn, address, edge, ...(site ? { site } : {}) });

/** nginx with a handful of syscalls: read, write, openat, socket, unlink, futex, one runtime-only (capset), one unresolved site. */
export function sampleReport(): Report {
  const main = step('/usr/sbin/nginx', 'main', '4a0f0', 'root', '4a1b2');
  const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6';
  const sys = (name: string, nr: number, fn: string, programs = ['/usr/sbin/nginx']) => ({
    name,
    nr,
    programs,
    path: [main, step('/usr/sbin/nginx', `${fn}@plt`, '2a030', 'call', '2a030'), step(libc, fn, '11c0a0', 'plt', '11c0b5')],
  });
  return {
    tool: 'confine',
    version: 3,
    kernel: '6.11',
    rootfs: '/',
    programs: [
      { path: '/usr/sbin/nginx', objects: ['/usr/sbin/nginx', libc], syscalls: 6, unresolved: 1, warnings: [] },
      { path: '/usr/bin/true', objects: ['/usr/bin/true', libc], syscalls: 2, unresolved: 0, warnings: [] },
    ],
    syscalls: [
      sys('read', 0, 'read', ['/usr/sbin/nginx', '/usr/bin/true']),
      sys('write', 1, 'write', ['/usr/sbin/nginx', '/usr/bin/true']),
      sys('socket', 41, 'socket'),
      sys('unlink', 87, 'unlink'),
      { name: 'capset', nr: 126, programs: [], path: [], runtime: true },
      sys('futex', 202, 'futex'),
      sys('openat', 257, 'open64'),
    ],
    unresolved: [
      {
        program: '/usr/sbin/nginx',
        object: libc,
        function: 'syscall',
        address: '11d0b9',
        reason: 'syscall number comes from rdi of a caller reached through a function pointer',
        path: [main, step('/usr/sbin/nginx', 'ngx_spawn', '4c000', 'call', '4c010'), step(libc, 'syscall', '11d0a0', 'indirect', '11d0b9')],
      },
    ],
    warnings: [],
    stats: { objects: 2, functions: 5000, instructions: 400000, cachedObjects: 0, seconds: 1.5 },
  };
}

/** Resolves after pending promise callbacks have run. */
export function flush(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
