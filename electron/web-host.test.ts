// The browser host's guards: token -> cookie and a fragment, cookie plus subprotocol token on
// upgrades, Host and Origin checks on requests and WebSocket upgrades, loopback-only listening,
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
  const res = await get(port, `/?token=${token}`);
  const set = res.headers['set-cookie'];
  assert.equal(res.status, 302);
  assert.ok(Array.isArray(set) && set.length === 1);
  return set[0].split(';')[0];
}

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
  let token: string;
  let cookie: string;
  let good: string[];
  let origin: string;

  before(async () => {
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Confine</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1);\n');
    writeFileSync(join(cache.dir, 'secret.txt'), 'outside the renderer\n');
    symlinkSync(join(cache.dir, 'secret.txt'), join(renderer, 'assets', 'leak.txt'));
    host = await startWebHost({ port: 0, cacheDir: cache.dir, workspaceFile: join(cache.dir, 'ws.json'), rendererDir: renderer });
    port = host.port;
    token = new URL(host.url).searchParams.get('token')!;
    cookie = await exchange(port, token);
    good = [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + token];
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
    assert.equal((await get(port, `/?token=${token.slice(0, 10)}`)).status, 401);
    assert.equal((await get(port, '/', { Cookie: `confine_${port}=${'0'.repeat(64)}` })).status, 401);
    assert.equal((await get(port, '/', { Cookie: `confine_${port}=${token}` })).status, 401, 'the token is not the cookie');
    assert.equal(await upgrade(port, { Origin: origin }), 401);
    assert.equal(await upgrade(port, { Origin: origin, Cookie: `confine_${port}=wrong` }, good), 401);
  });

  test('the right token sets an HttpOnly SameSite=Strict cookie (not the token) and redirects to / with the token in the fragment only', async () => {
    const res = await get(port, `/?token=${token}`);
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, `/#token=${token}`);
    const set = res.headers['set-cookie']!;
    assert.equal(set.length, 1);
    assert.match(set[0], new RegExp(`^confine_${port}=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/$`));
    assert.ok(!set[0].includes(token), 'the cookie reaches every port of 127.0.0.1: it must not reveal the token');
    for (const path of [`/index.html?x=1&token=${token}`, `/assets/app.js?token=${token}`]) {
      assert.equal((await get(port, path)).headers.location, `/#token=${token}`, path);
    }
    const page = await get(port, '/', { Cookie: cookie });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Confine<\/title>/);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    const js = await get(port, '/assets/app.js', { Cookie: `other=1; ${cookie}` });
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(await upgrade(port, { Cookie: cookie, Origin: origin }, good), 'open');
    assert.equal(await upgrade(port, { Cookie: cookie, Origin: origin }, [WS_TOKEN_PREFIX + token, WS_SUBPROTOCOL]), 'open', 'answered with confine.v1 in any order, never the token');
    assert.equal(await upgrade(port, { Cookie: cookie, Origin: origin }, good, '/other'), 404);
  });

  test('the redirect stays on this origin: no path is echoed', async () => {
    for (const path of [`//evil.example/?token=${token}`, `///evil.example/?token=${token}`, `/\\evil.example/?token=${token}`, `/%2F%2Fevil.example/?token=${token}`]) {
      const res = await get(port, path);
      assert.equal(res.status, 302, path);
      assert.equal(res.headers.location, `/#token=${token}`, path);
    }
  });

  test('an upgrade needs the cookie AND the token subprotocol (the cookie also reaches other local ports)', async () => {
    const h = { Cookie: cookie, Origin: origin };
    assert.equal(await upgrade(port, h), 401, 'cookie, no subprotocol');
    assert.equal(await upgrade(port, h, [WS_SUBPROTOCOL]), 401, 'cookie, no token subprotocol');
    assert.equal(await upgrade(port, h, [WS_SUBPROTOCOL, `${WS_TOKEN_PREFIX}${'0'.repeat(64)}`]), 401, 'wrong token');
    assert.equal(await upgrade(port, h, [WS_SUBPROTOCOL, `${WS_TOKEN_PREFIX}${token.slice(0, 10)}`]), 401, 'a prefix of the token');
    assert.equal(await upgrade(port, h, [WS_TOKEN_PREFIX + token]), 401, 'token without confine.v1');
    assert.equal(await upgrade(port, { Origin: origin }, good), 401, 'token, no cookie');
    assert.equal(await upgrade(port, { Origin: origin, Cookie: `confine_${port}=${token}` }, good), 401, 'the token as the cookie');
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
    assert.equal((await get(port, `/?token=${token}`, { Origin: 'http://evil.example' })).status, 403, 'not even the token exchange');
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
});
