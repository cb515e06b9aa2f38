// The WebSocket bridge and the typed API proxy (renderer/ws-client.ts, renderer/api-client.ts),
// driven through a fake socket and fake timers; the access token from the URL fragment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_TOKEN_MESSAGE, takeAccessToken, WsBridge, wsProtocols, type SocketLike } from '../ws-client.js';
import { createApiClient } from '../api-client.js';
import { API_METHODS, type ConfineBridge } from '../../electron/api.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[] = [],
  ) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000): void {
    this.drop(code);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  reply(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const bridge = new WsBridge({
    url: 'ws://127.0.0.1:7000/api',
    protocols: wsProtocols('abc123'),
    connect: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      (t as { cleared: boolean }).cleared = true;
    },
  });
  const fire = () => {
    const t = timers.filter((x) => !x.cleared).pop()!;
    t.cleared = true;
    t.fn();
    return t.ms;
  };
  return { bridge, sockets, timers, fire, last: () => sockets[sockets.length - 1] };
}

test('requests wait for the socket, then answers and errors come back by id', async () => {
  const h = harness();
  assert.equal(h.sockets[0].url, 'ws://127.0.0.1:7000/api');
  assert.deepEqual(h.sockets[0].protocols, ['confine.v1', 'confine.token.abc123']);
  const a = h.bridge.invoke('listReports');
  const b = h.bridge.invoke('getReport', 'nope');
  assert.deepEqual(h.last().sent, []);
  h.last().open();
  assert.deepEqual(h.last().sent, [
    { id: 1, method: 'listReports', args: [] },
    { id: 2, method: 'getReport', args: ['nope'] },
  ]);
  h.last().reply({ id: 2, error: 'no such report: nope' });
  h.last().reply({ id: 1, result: [] });
  assert.deepEqual(await a, []);
  await assert.rejects(b, { message: 'no such report: nope' });
  assert.equal(h.bridge.state, 'open');
});

test('events reach their listeners until unsubscribed', () => {
  const h = harness();
  h.last().open();
  const got: unknown[] = [];
  const off = h.bridge.on('progress', (p) => got.push(p.phase));
  h.bridge.on('finished', (f) => got.push(`finished ${f.jobId}`));
  h.last().reply({ event: 'progress', data: { jobId: 'j', phase: 'objects', elapsedMs: 1 } });
  h.last().reply({ event: 'finished', data: { jobId: 'j' } });
  off();
  h.last().reply({ event: 'progress', data: { jobId: 'j', phase: 'graph', elapsedMs: 2 } });
  h.last().onmessage?.({ data: 'not json' });
  assert.deepEqual(got, ['objects', 'finished j']);
});

test('a closed socket rejects what was waiting, then reconnects with growing delays', async () => {
  const h = harness();
  const states: string[] = [];
  h.bridge.onStatus((s) => states.push(s));
  h.last().open();
  const pending = h.bridge.invoke('listImages');
  h.last().drop(1006);
  await assert.rejects(pending, /listImages: Lost the connection to the Confine service \(code 1006\)/);
  assert.deepEqual(states, ['connecting', 'open', 'closed'], 'a new listener hears the current state first');
  assert.equal(h.fire(), 250);
  assert.equal(h.sockets.length, 2);
  h.last().drop();
  assert.equal(h.fire(), 500);
  h.last().drop();
  assert.equal(h.fire(), 1000);
  h.last().open();
  // After a successful open the delay starts again from the bottom.
  h.last().drop();
  assert.equal(h.fire(), 250);
});

test('never connected: the message points at the token URL; a request during backoff retries at once', async () => {
  const h = harness();
  const first = h.bridge.invoke('hostInfo');
  h.last().drop(1006);
  await assert.rejects(first, /Cannot connect to the Confine service at ws:\/\/127\.0\.0\.1:7000\/api.*URL it printed/);
  assert.equal(h.sockets.length, 1);
  const second = h.bridge.invoke('hostInfo');
  assert.equal(h.sockets.length, 2, 'no waiting for the backoff timer');
  h.last().open();
  h.last().reply({ id: 2, result: { transport: 'web', nativeSave: false, version: '0.1.0' } });
  assert.equal((await second).transport, 'web');
});

test('an answer on an old socket is ignored; close() rejects and stops reconnecting', async () => {
  const h = harness();
  const old = h.last();
  old.open();
  old.drop();
  h.fire();
  h.last().open();
  const p = h.bridge.invoke('listProfiles');
  old.reply({ id: 1, result: ['stale'] });
  h.bridge.close();
  await assert.rejects(p, /shut down/);
  const timersBefore = h.timers.filter((t) => !t.cleared).length;
  assert.equal(timersBefore, 0);
  await assert.rejects(h.bridge.invoke('listProfiles'), /shut down/);
});

test('request timeouts, when set', async () => {
  const timers: (() => void)[] = [];
  const sockets: FakeSocket[] = [];
  const bridge = new WsBridge({
    url: 'ws://x/api',
    timeoutMs: 5000,
    connect: (u) => {
      const s = new FakeSocket(u);
      sockets.push(s);
      return s;
    },
    setTimer: (fn) => {
      timers.push(fn);
      return fn;
    },
    clearTimer: () => undefined,
  });
  sockets[0].open();
  const p = bridge.invoke('engineStatus');
  timers[0]();
  await assert.rejects(p, /did not answer engineStatus within 5 s/);
});

test('the token: taken once from #token=, kept for reloads, fragment removed; none without either', () => {
  const kept = new Map<string, string>();
  const store = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
  let dropped = 0;
  const drop = (): void => void dropped++;
  assert.equal(takeAccessToken('', store, drop), undefined, 'a new tab from the bare URL');
  assert.equal(takeAccessToken('#/policy', store, drop), undefined);
  assert.equal(takeAccessToken('#token=ab12', store, drop), 'ab12');
  assert.equal(dropped, 1);
  assert.equal(takeAccessToken('', store, drop), 'ab12', 'a reload');
  assert.equal(takeAccessToken('#/policy?report=r', store, drop), 'ab12');
  assert.equal(takeAccessToken('#token=cd34', store, drop), 'cd34', 'a newly printed URL wins');
  assert.equal(takeAccessToken('#token=a b', store, drop), 'cd34', 'not a token');
  assert.equal(dropped, 2);
});

test('without a token the bridge never connects and says to open the printed URL again', async () => {
  let connects = 0;
  const bridge = new WsBridge({
    url: 'ws://x/api',
    unavailable: NO_TOKEN_MESSAGE,
    connect: (u) => {
      connects++;
      return new FakeSocket(u);
    },
  });
  const states: [string, string | undefined][] = [];
  bridge.onStatus((s, d) => states.push([s, d]));
  assert.deepEqual(states, [['closed', NO_TOKEN_MESSAGE]]);
  assert.match(NO_TOKEN_MESSAGE, /Open the URL `confine serve` printed/);
  await assert.rejects(bridge.invoke('listReports'), { message: NO_TOKEN_MESSAGE });
  assert.equal(connects, 0);
});

test('the API client forwards every method with its arguments', async () => {
  const seen: unknown[][] = [];
  const bridge = {
    invoke: (m: string, ...args: unknown[]) => {
      seen.push([m, ...args]);
      return Promise.resolve(m);
    },
    on: () => () => undefined,
  } as unknown as ConfineBridge;
  const api = createApiClient(bridge);
  for (const m of API_METHODS) assert.equal(typeof api[m], 'function', m);
  assert.equal(await api.neighbours('r', '/bin/ls', 3, 'callers', 25), 'neighbours');
  await api.setReview('r', 'read', null, '');
  assert.deepEqual(seen, [
    ['neighbours', 'r', '/bin/ls', 3, 'callers', 25],
    ['setReview', 'r', 'read', null, ''],
  ]);
});
