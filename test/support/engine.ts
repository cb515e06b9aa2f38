// The Docker engine for container tests: reachable or a reason to skip (CI insists it is reachable).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Docker from 'dockerode';
import { CONFINE_BIN } from './paths.js';

/** Test images built by e2e/images/build.sh. */
export const TEST_IMAGES = {
  nginx: 'confine-test/nginx:latest',
  redis: 'confine-test/redis:latest',
  scripted: 'confine-test/scripted:latest',
  go: 'confine-test/go:latest',
  static: 'confine-test/static:latest',
  alpine: 'confine-test/alpine:latest',
  postgres: 'confine-test/postgres:latest',
};

/** Why container tests cannot run here, or undefined when the engine and the test images are there. */
export async function engineUnavailable(images: string[]): Promise<string | undefined> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (e) {
    return why(`no Docker engine reachable (${(e as Error).message}); start it with scripts/dockerd.sh start`);
  }
  for (const i of images) {
    try {
      await docker.getImage(i).inspect();
    } catch {
      return why(`test image ${i} is missing; build it with e2e/images/build.sh`);
    }
  }
  return undefined;
}

// .ci/run sets CONFINE_REQUIRE_ENGINE=1: there a missing engine is a failure, not a skip.
function why(reason: string): string {
  if (process.env.CONFINE_REQUIRE_ENGINE === '1') throw new Error(reason);
  return reason;
}

/** Result of running the CLI. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/confine with `args` (asynchronously, so other tests in the process go on). */
export function confine(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CONFINE_BIN, ...args], { env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `docker` CLI for test set-up only (the product talks to the engine API). */
export function dockerCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Waits until `probe` returns true (polling every 100 ms) or throws after `ms`. */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

const ENGINE_LOCK = '/tmp/confine-engine-tests.lock';

/**
 * Serialises the test files that run containers on the host's network and read audit records
 * (containers.test.ts, harden.test.ts): they use the same ports and the same audit stream, and the
 * runner runs two files at once. An atomic mkdir is the lock; one left by a dead process is taken over.
 */
export async function lockEngineTests(): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(ENGINE_LOCK);
      writeFileSync(`${ENGINE_LOCK}/pid`, String(process.pid));
      return () => rmSync(ENGINE_LOCK, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = 0;
      try {
        owner = Number(readFileSync(`${ENGINE_LOCK}/pid`, 'utf8'));
      } catch {
        // Being created this instant: wait.
      }
      let alive = owner === 0;
      if (owner > 0) {
        try {
          process.kill(owner, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(ENGINE_LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}
