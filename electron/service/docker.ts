// The Docker engine as the UI sees it: whether it answers (and where the service looked) and its images.
import Docker from 'dockerode';
import type { EngineStatus, ImageInfo } from '../api.js';
import { dockerFrom, engineEndpoint, engineError } from '../../analysis/image/engine.js';

const PING_TIMEOUT_MS = 3000;

/** The engine the service talks to: the caller's, or the one DOCKER_HOST names (default: the local socket). */
export function makeDocker(docker?: Docker): { docker?: Docker; error?: string } {
  // The one engine adapter (analysis/image/engine.ts): the service keeps its failure as a status.
  try {
    return { docker: dockerFrom(docker) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Connection options a worker thread can rebuild the same dockerode client from. */
export function dockerOptions(docker: Docker | undefined): Docker.DockerOptions | undefined {
  const modem = (docker as unknown as { modem?: { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown } } | undefined)?.modem;
  if (!modem) return undefined;
  if (typeof modem.socketPath === 'string') return { socketPath: modem.socketPath };
  if (typeof modem.host === 'string') {
    const out: Docker.DockerOptions = { host: modem.host };
    if (typeof modem.port === 'string' || typeof modem.port === 'number') out.port = modem.port;
    if (modem.protocol === 'http' || modem.protocol === 'https' || modem.protocol === 'ssh') out.protocol = modem.protocol;
    return out;
  }
  return undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms / 1000} s`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Pings the engine. Never rejects: an unreachable engine is a status, not an error. */
export async function engineStatus(docker: Docker | undefined, makeError?: string): Promise<EngineStatus> {
  if (!docker) return { reachable: false, endpoint: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock', error: makeError ?? 'no Docker client' };
  let endpoint: string;
  try {
    endpoint = await engineEndpoint(docker);
  } catch (e) {
    endpoint = process.env.DOCKER_HOST ?? '';
    return { reachable: false, endpoint, error: (e as Error).message };
  }
  try {
    await withTimeout(docker.ping(), PING_TIMEOUT_MS, 'ping');
    return { reachable: true, endpoint };
  } catch (e) {
    return { reachable: false, endpoint, error: (await engineError(docker, e, 'Docker engine')).message };
  }
}

/** The engine's images, newest first. */
export async function listImages(docker: Docker | undefined, makeError?: string): Promise<ImageInfo[]> {
  if (!docker) throw new Error(makeError ?? 'no Docker engine');
  let list: Docker.ImageInfo[];
  try {
    list = await withTimeout(docker.listImages(), 15_000, 'listing images');
  } catch (e) {
    throw await engineError(docker, e, 'Docker engine');
  }
  return list
    .map((i) => ({
      id: i.Id,
      tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      size: i.Size,
      created: new Date(i.Created * 1000).toISOString(),
    }))
    .sort((a, b) => b.created.localeCompare(a.created) || (a.tags[0] ?? '').localeCompare(b.tags[0] ?? ''));
}
