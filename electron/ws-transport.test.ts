// The WebSocket transport end to end: a web host on a random port, the `ws` client with the cookie
// from the token exchange and the token as a subprotocol, API calls, and the events of a real host analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebHost } from './web-host.js';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_PREFIX, type WsEvent, type WsResponse } from './ws-protocol.js';
import type { HostInfo, JobFinished, JobProgress, ReportMeta } from './api.js';
import { tempCacheDir } from './testkit.js';

/** The one-time exchange: the session's cookie and its API secret (the fragment of the redirect). */
function tokenExchange(url: string): Promise<{ cookie: string; secret: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      res.resume();
      const c = res.headers['set-cookie']?.[0];
      const secret = /^\/#token=([\w-]+)$/.exec(res.headers.location ?? '')?.[1];
      if (res.statusCode !== 302 || !c || !secret) reject(new Error(`token exchange answered ${res.statusCode}`));
      else resolve({ cookie: c.split(';')[0], secret });
    })
      .on('error', reject)
      .end();
  });
}

test('the API over the WebSocket: calls, errors and job events', { timeout: 300_000 }, async () => {
  const cache = tempCacheDir();
  const host = await startWebHost({ port: 0, cacheDir: cache.dir, workspaceFile: join(cache.dir, 'ws.json') });
  const session = await tokenExchange(host.url);
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WS_PATH}`, [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + session.secret], {
    headers: { Cookie: session.cookie },
    origin: `http://127.0.0.1:${host.port}`,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, WS_SUBPROTOCOL);
    const pending = new Map<number, (r: WsResponse) => void>();
    const progress: JobProgress[] = [];
    const finished: JobFinished[] = [];
    let onFinished: ((f: JobFinished) => void) | undefined;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as WsResponse | WsEvent;
      if ('event' in m) {
        if (m.event === 'progress') progress.push(m.data as JobProgress);
        if (m.event === 'finished') {
          finished.push(m.data as JobFinished);
          onFinished?.(m.data as JobFinished);
        }
        return;
      }
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    });
    let next = 1;
    const send = (payload: unknown): Promise<WsResponse> => {
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, ...(payload as object) }));
      });
    };
    const call = async <T>(method: string, ...args: unknown[]): Promise<T> => {
      const r = await send({ method, args });
      if ('error' in r) throw new Error(r.error);
      return r.result as T;
    };

    const info = await call<HostInfo>('hostInfo');
    assert.equal(info.transport, 'web');
    assert.equal(info.nativeSave, false);
    assert.deepEqual(await call<ReportMeta[]>('listReports'), []);
    const err = await send({ method: 'constructor', args: [] });
    assert.ok('error' in err && /unknown method/.test(err.error));
    const bad = await send({ method: 'listReports', args: 'x' });
    assert.ok('error' in bad && /args must be a list/.test(bad.error));
    await assert.rejects(call('getReport', '../x'), /no report/);
    await assert.rejects(call('saveExport', { text: '' }), /only in the desktop app/);

    const done = new Promise<JobFinished>((resolve) => (onFinished = resolve));
    const { jobId } = await call<{ jobId: string }>('startAnalysis', { target: { kind: 'host', programs: ['/usr/bin/true'] } });
    const f = await done;
    assert.equal(f.jobId, jobId);
    assert.equal(f.error, undefined, f.error);
    assert.ok(f.reportId);
    assert.ok(progress.length > 0 && progress.every((p) => p.jobId === jobId && typeof p.elapsedMs === 'number'));
    assert.equal(progress[progress.length - 1].phase, 'done');
    assert.equal(await call('cancelAnalysis', jobId).catch((e: Error) => e.message), `no running analysis ${jobId}`);
    const list = await call<ReportMeta[]>('listReports');
    assert.equal(list.length, 1);
    assert.equal(list[0].id, f.reportId);
    const exported = await call<{ text: string }>('exportPolicy', f.reportId, 'docker');
    assert.match(exported.text, /"SCMP_ACT_ERRNO"/);
    assert.equal(finished.length, 1);
    console.log(`WebSocket job: ${progress.length} progress events, report ${f.reportId}`);
  } finally {
    ws.close();
    await host.close();
    cache.cleanup();
  }
});
