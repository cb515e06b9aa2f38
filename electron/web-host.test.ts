// The browser host's guards: a one-time launch token -> a session's cookie and API secret (in the
// fragment), cookie plus the secret as a subprotocol on upgrades, idle expiry, Host and Origin checks on requests and WebSocket upgrades, loopback-only listening,
// security headers, and no way out of the renderer directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebHost, type WebHost } from './web-host.js';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_PREFIX } from './ws-protocol.js';
import { tempCacheDir } from './testkit.js';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The cookie the token exchange sets ("name=value"). */
async function exchange(port: number, token: string): Promise<string> {
  return (await login(port, token)).cookie;
}

/** Exchanges a launch token: the session's cookie ("name=value") and its API secret (from the fragment). */
async function login(port: number, token: string): Promise<{ cookie: string; secret: string }> {
  const res = await get(port, `/?token=${token}`);
  const set = res.headers['set-cookie'];
  assert.equal(res.status, 302);
  assert.ok(Array.isArray(set) && set.length === 1);
  const m = /^\/#token=([0-9a-f]{64})$/.exec(String(res.headers.location));
  assert.ok(m, `location ${String(res.headers.location)}`);
  return { cookie: set[0].split(';')[0], secret: m[1] };
}

const launchToken = (h: WebHost): string => new URL(h.url).searchParams.get('token')!;

/** A raw request: the path is sent exactly as given (no normalisation). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Tries a WebSocket upgrade offering `protocols`: 'open' (answered with confine.v1) or the HTTP status it was refused with. */
function upgrade(port: number, headers: Record<string, string>, protocols: string[] = [], path = WS_PATH): Promise<string | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(ws.protocol === WS_SUBPROTOCOL ? 'open' : `open with subprotocol ${JSON.stringify(ws.protocol)}`);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

describe('web host security', () => {
  const cache = tempCacheDir();
  const renderer = join(cache.dir, 'renderer');
  let host: WebHost;
  let port: number;
  let secret: string;
  let cookie: string;
  let good: string[];
  let printed: string[];
  let origin: string;

  before(async () => {
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Confine</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1);\n');
    writeFileSync(join(cache.dir, 'secret.txt'), 'outside the renderer\n');
    symlinkSync(join(cache.dir, 'secret.txt'), join(renderer, 'assets', 'leak.txt'));
    printed = [];
    host = await startWebHost({ port: 0, cacheDir: cache.dir, workspaceFile: join(cache.dir, 'ws.json'), rendererDir: renderer, onNewUrl: (u) => printed.push(u) });
    port = host.port;
    ({ cookie, secret } = await login(port, launchToken(host)));
    good = [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + secret];
    origin = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await host.close();
    cache.cleanup();
  });

  test('listens on 127.0.0.1 only, with a 32-byte token in the printed URL', async () => {
    const addr = host.server.address();
    assert.ok(addr && typeof addr === 'object');
    assert.equal(addr.address, '127.0.0.1');
    assert.equal(addr.family, 'IPv4');
    assert.match(host.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[0-9a-f]{64}$`));
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    if (others.length === 0) console.log('no non-loopback IPv4 address on this machine: only server.address() was checked');
    for (const ip of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect({ host: ip, port, timeout: 2000 });
        s.on('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.on('error', () => resolve(true));
        s.on('timeout', () => {
          s.destroy();
          resolve(true);
        });
      });
      assert.ok(refused, `port ${port} must not answer on ${ip}`);
    }
  });

  test('no token, or a wrong one: 401 for pages and upgrades', async () => {
    const page = await get(port, '/');
    assert.equal(page.status, 401);
    assert.doesNotMatch(page.body, /Confine<\/title>/);
    assert.equal((await get(port, '/assets/app.js')).status, 401);
    assert.equal((await get(port, `/?token=${'0'.repeat(64)}`)).status, 401);
    assert.equal((await get(port, `/?token=${launchToken(host).slice(0, 10)}`)).status, 401);
    assert.equal((await get(port, '/', { Cookie: `confine_${port}=${'0'.repeat(64)}` })).status, 401);
    assert.equal((await get(port, '/', { Cookie: `confine_${port}=${launchToken(host)}` })).status, 401, 'the launch token is not the cookie');
    assert.equal((await get(port, '/', { Cookie: `confine_${port}=${secret}` })).status, 401, 'the API secret is not the cookie');
    assert.equal(await upgrade(port, { Origin: origin }), 401);
    assert.equal(await upgrade(port, { Origin: origin, Cookie: `confine_${port}=wrong` }, good), 401);
  });

  test('the launch token works once: it sets an HttpOnly SameSite=Strict cookie and puts a per-session secret (not the token) in the fragment; the next URL is printed', async () => {
    const token = launchToken(host);
    const res = await get(port, `/?token=${token}`);
    assert.equal(res.status, 302);
    const loc = String(res.headers.location);
    assert.match(loc, /^\/#token=[0-9a-f]{64}$/);
    assert.ok(!loc.includes(token), 'the fragment holds the session secret, not the launch token');
    const set = res.headers['set-cookie']!;
    assert.equal(set.length, 1);
    assert.match(set[0], new RegExp(`^confine_${port}=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/$`));
    assert.ok(!set[0].includes(token) && !set[0].includes(loc.slice(8)), 'the cookie reaches every port of 127.0.0.1: it must reveal neither secret');
    const replay = await get(port, `/?token=${token}`);
    assert.equal(replay.status, 401, 'a used URL (from the browser history) is refused');
    assert.match(replay.body, /used already/);
    assert.equal(printed[printed.length - 1], host.url, 'the next URL was printed');
    assert.notEqual(launchToken(host), token);
    for (const path of ['/index.html?x=1&token=', '/assets/app.js?token=']) {
      assert.match(String((await get(port, path + launchToken(host))).headers.location), /^\/#token=[0-9a-f]{64}$/, path);
    }
    const page = await get(port, '/', { Cookie: cookie });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Confine<\/title>/);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    const js = await get(port, '/assets/app.js', { Cookie: `other=1; ${cookie}` });
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(await upgrade(port, { Cookie: cookie, Origin: origin }, good), 'open');
    assert.equal(await upgrade(port, { Cookie: cookie, Origin: origin }, [WS_TOKEN_PREFIX + secret, WS_SUBPROTOCOL]), 'open', 'answered with confine.v1 in any order, never the secret');
    const other = await login(port, launchToken(host));
    assert.equal(await upgrade(port, { Cookie: other.cookie, Origin: origin }, good), 401, "one session's cookie with another session's secret");
    assert.equal(await upgrade(port, { Cookie: other.cookie, Origin: origin }, [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + other.secret]), 'open');
    assert.equal(await upgrade(port, { Cookie: cookie, Origin: origin }, good, '/other'), 404);
  });

  test('the redirect stays on this origin: no path is echoed', async () => {
    for (const path of ['//evil.example/?token=', '///evil.example/?token=', '/\\evil.example/?token=', '/%2F%2Fevil.example/?token=']) {
      const res = await get(port, path + launchToken(host));
      assert.equal(res.status, 302, path);
      assert.match(String(res.headers.location), /^\/#token=[0-9a-f]{64}$/, path);
    }
  });

  test('an upgrade needs the cookie AND the token subprotocol (the cookie also reaches other local ports)', async () => {
    const h = { Cookie: cookie, Origin: origin };
    assert.equal(await upgrade(port, h), 401, 'cookie, no subprotocol');
    assert.equal(await upgrade(port, h, [WS_SUBPROTOCOL]), 401, 'cookie, no token subprotocol');
    assert.equal(await upgrade(port, h, [WS_SUBPROTOCOL, `${WS_TOKEN_PREFIX}${'0'.repeat(64)}`]), 401, 'wrong token');
    assert.equal(await upgrade(port, h, [WS_SUBPROTOCOL, `${WS_TOKEN_PREFIX}${secret.slice(0, 10)}`]), 401, 'a prefix of the secret');
    assert.equal(await upgrade(port, h, [WS_TOKEN_PREFIX + secret]), 401, 'secret without confine.v1');
    assert.equal(await upgrade(port, h, [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + launchToken(host)]), 401, 'the launch token is not the API secret');
    assert.equal(await upgrade(port, { Origin: origin }, good), 401, 'secret, no cookie');
    assert.equal(await upgrade(port, { Origin: origin, Cookie: `confine_${port}=${secret}` }, good), 401, 'the secret as the cookie');
  });

  test('an upgrade without Origin is refused (browsers always send it)', async () => {
    assert.equal(await upgrade(port, { Cookie: cookie }, good), 403);
  });

  test('a foreign Origin is refused on requests and upgrades', async () => {
    const c = cookie;
    for (const o of ['http://evil.example', `http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`, 'null']) {
      assert.equal((await get(port, '/', { Cookie: c, Origin: o })).status, 403, o);
      assert.equal(await upgrade(port, { Cookie: c, Origin: o }, good), 403, o);
    }
    assert.equal((await get(port, `/?token=${launchToken(host)}`, { Origin: 'http://evil.example' })).status, 403, 'not even the token exchange');
  });

  test('a Host other than 127.0.0.1:port or localhost:port is refused (DNS rebinding)', async () => {
    const c = cookie;
    for (const h of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `[::1]:${port}`]) {
      assert.equal((await get(port, '/', { Cookie: c, Host: h })).status, 403, h);
      assert.equal(await upgrade(port, { Cookie: c, Host: h, Origin: `http://${h}` }, good), 403, h);
    }
    assert.equal(await upgrade(port, { Cookie: c, Host: `localhost:${port}`, Origin: `http://localhost:${port}` }, good), 'open');
    assert.equal((await get(port, '/', { Cookie: c, Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).status, 200);
    assert.equal((await get(port, '/', { Cookie: c, Host: `localhost:${port}`, Origin: `http://127.0.0.1:${port}` })).status, 403);
  });

  test('security headers on every answer', async () => {
    const c = cookie;
    for (const res of [await get(port, '/', { Cookie: c }), await get(port, '/'), await get(port, '/nope', { Cookie: c })]) {
      assert.equal(
        res.headers['content-security-policy'],
        `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      );
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    }
  });

  test('no way out of the renderer directory', async () => {
    const c = cookie;
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt', '/assets%2f..%2f..%2fsecret.txt', '/%00', '/assets/leak.txt', '/../../../../etc/passwd', '/%E0%A4%A']) {
      const res = await get(port, p, { Cookie: c });
      assert.equal(res.status, 404, p);
      assert.doesNotMatch(res.body, /outside the renderer|"name": "confine"|root:/, p);
    }
    assert.equal((await get(port, '/', { Cookie: c }, 'POST')).status, 405);
    assert.equal((await get(port, WS_PATH, { Cookie: c })).status, 426);
  });

  test('without a built renderer the page says to build it', async () => {
    const other = await startWebHost({ port: 0, cacheDir: cache.dir, workspaceFile: join(cache.dir, 'ws.json'), rendererDir: join(cache.dir, 'missing') });
    try {
      const c = await exchange(other.port, new URL(other.url).searchParams.get('token')!);
      const res = await get(other.port, '/', { Cookie: c });
      assert.equal(res.status, 200);
      assert.match(res.body, /not built yet/);
      assert.equal((await get(other.port, '/assets/app.js', { Cookie: c })).status, 404);
      assert.equal((await get(other.port, '/', { Cookie: cookie.replace(`confine_${port}=`, `confine_${other.port}=`) })).status, 401, "another instance's cookie does not open this one");
    } finally {
      await other.close();
    }
  });

  test('a session without an open connection expires after the idle time; an open connection keeps it', async () => {
    const idle = await startWebHost({ port: 0, cacheDir: cache.dir, workspaceFile: join(cache.dir, 'ws.json'), rendererDir: renderer, idleMs: 300 });
    try {
      const o = `http://127.0.0.1:${idle.port}`;
      const a = await login(idle.port, launchToken(idle));
      const protocols = [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + a.secret];
      // Held open across the idle time: the session lives.
      const ws = new WebSocket(`ws://127.0.0.1:${idle.port}${WS_PATH}`, protocols, { headers: { Cookie: a.cookie, Origin: o } });
      await new Promise((r) => ws.once('open', r));
      await new Promise((r) => setTimeout(r, 600));
      assert.equal((await get(idle.port, '/', { Cookie: a.cookie })).status, 200, 'alive while a connection is open');
      ws.close();
      await new Promise((r) => ws.once('close', r));
      await new Promise((r) => setTimeout(r, 600));
      assert.equal((await get(idle.port, '/', { Cookie: a.cookie })).status, 401, 'expired after the idle time');
      assert.equal(await upgrade(idle.port, { Cookie: a.cookie, Origin: o }, protocols), 401);
    } finally {
      await idle.close();
    }
  });
});
