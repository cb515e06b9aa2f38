// Test support: a tiny image made from the host's own binaries (dash as /bin/sh, true, sleep, id,
// the libraries ldd lists and the loader) with an /entrypoint.sh that runs several short-lived
// programs before exec'ing a long-lived one. Imported through the engine API, no registry needed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';

/** In-image path → host file to copy. */
const PROGRAMS: Record<string, string> = {
  '/bin/sh': '/bin/dash',
  '/bin/true': '/bin/true',
  '/bin/sleep': '/bin/sleep',
  '/usr/bin/id': '/usr/bin/id',
};

/** The fixture's /entrypoint.sh: three short-lived programs (true six times), then a long-lived one. */
export const FIXTURE_ENTRYPOINT = `#!/bin/sh
/bin/true
id
i=0
while [ $i -lt 5 ]; do
  /bin/true
  i=$((i+1))
done
exec /bin/sleep 30
`;

/** The shared libraries and loader a host binary needs, as ldd prints their paths. */
function lddPaths(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const paths: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) paths.push(m[1]);
  }
  return paths;
}

/** The files of the fixture image (in-image path → content). */
export function fixtureFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [inImage, host] of Object.entries(PROGRAMS)) {
    files.set(inImage, fs.readFileSync(fs.realpathSync(host)));
    for (const lib of lddPaths(host)) if (!files.has(lib)) files.set(lib, fs.readFileSync(fs.realpathSync(lib)));
  }
  files.set('/entrypoint.sh', Buffer.from(FIXTURE_ENTRYPOINT));
  return files;
}

/** Imports the fixture image as `confine-profile-test:<random>` and returns that reference. */
export async function importFixtureImage(docker: Docker): Promise<string> {
  const tag = randomBytes(6).toString('hex');
  const repo = 'confine-profile-test';
  const pack = tar.pack();
  const dirs = new Set<string>();
  const files = fixtureFiles();
  for (const p of files.keys()) {
    for (let d = path.posix.dirname(p); d !== '/'; d = path.posix.dirname(d)) dirs.add(d);
  }
  for (const d of [...dirs].sort()) pack.entry({ name: d.slice(1), type: 'directory', mode: 0o755 });
  for (const [p, content] of files) pack.entry({ name: p.slice(1), mode: 0o755 }, content);
  pack.finalize();
  const stream = await docker.importImage(pack as unknown as NodeJS.ReadableStream, {
    repo,
    tag,
    changes: ['CMD ["/entrypoint.sh"]', 'LABEL confine=profile-test'],
  } as unknown as object);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  return `${repo}:${tag}`;
}
