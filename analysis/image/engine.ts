// Images in a Docker engine, through its API (dockerode): inspect for the id and config, then the
// image export endpoint (the same tarball `docker save` writes) when the rootfs is not cached yet.
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import { InputError } from '../errors.js';
import { imageConfigFrom, type ImageConfig, type ImageProgress } from './types.js';

/** What inspect says about an engine image. */
export interface EngineImage {
  id: string;
  config: ImageConfig;
  size: number;
}

const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed',
};

const ENGINE = 'Docker engine';

/** The engine to use: the caller's, or one from DOCKER_HOST (default: the local socket). */
export function dockerFrom(docker: Docker | undefined): Docker {
  if (docker) return docker;
  try {
    return new Docker();
  } catch (e) {
    throw new InputError('DOCKER_HOST', `${(e as Error).message} (it is ${JSON.stringify(process.env.DOCKER_HOST ?? '')})`);
  }
}

interface ModemLike {
  socketPath?: string | (() => Promise<string> | string);
  host?: string;
  port?: string | number;
  protocol?: string;
}

/** Where a dockerode instance connects, in DOCKER_HOST syntax. */
export async function engineEndpoint(docker: Docker): Promise<string> {
  const modem = (docker as unknown as { modem?: ModemLike }).modem ?? {};
  if (modem.socketPath) {
    const path = typeof modem.socketPath === 'function' ? await modem.socketPath() : modem.socketPath;
    return `unix://${path}`;
  }
  const scheme = modem.protocol === 'ssh' ? 'ssh' : modem.protocol === 'https' ? 'https' : 'tcp';
  return `${scheme}://${modem.host ?? 'localhost'}${modem.port ? `:${modem.port}` : ''}`;
}

/** Turns a dockerode failure into the InputError a user can act on (or a plain Error if it is the engine's fault). */
export async function engineError(docker: Docker, e: unknown, ref: string): Promise<Error> {
  const err = (e ?? {}) as { statusCode?: number; code?: string; message?: string; json?: { message?: string } | null };
  const detail = err.json?.message ?? err.message ?? String(e);
  if (err.statusCode === 404) return new InputError(ref, 'no such image in the Docker engine');
  if (err.statusCode === 400) return new InputError(ref, `not a valid image reference (${detail})`);
  if (err.code && err.code in CONNECT_ERRORS) {
    const env = process.env.DOCKER_HOST;
    const hint = env ? `DOCKER_HOST is ${env}` : 'DOCKER_HOST is not set; set it to reach another engine';
    return new InputError(ENGINE, `cannot connect to ${await engineEndpoint(docker)} (${CONNECT_ERRORS[err.code]}; ${hint})`);
  }
  // The engine failed on this image (e.g. `docker save` refuses layers it can run but not export):
  // one line naming the image, not an internal error.
  if (err.statusCode !== undefined && err.statusCode >= 500) return new InputError(ref, `the Docker engine failed on this image: ${detail.trim()}`);
  return new Error(`${ENGINE}: ${detail}`);
}

/** Id, run config and size of an image in the engine; InputError if the engine or the image is not there. */
export async function inspectImage(docker: Docker, ref: string): Promise<EngineImage> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await docker.getImage(ref).inspect();
  } catch (e) {
    throw await engineError(docker, e, ref);
  }
  return { id: info.Id, config: imageConfigFrom(info.Config), size: info.Size ?? 0 };
}

const PROGRESS_STEP = 8 << 20;

/** Writes the engine's export (docker save format) of image `id` to `file`, reporting bytes written. */
export async function exportImage(docker: Docker, id: string, file: string, approxSize: number, onProgress?: (p: ImageProgress) => void): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.getImage(id).get();
  } catch (e) {
    throw await engineError(docker, e, id);
  }
  let done = 0;
  let reported = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      if (onProgress && done - reported >= PROGRESS_STEP) {
        reported = done;
        onProgress({ phase: 'export', file: id, done, total: Math.max(approxSize, done) });
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(stream, count, createWriteStream(file));
  } catch (e) {
    throw await engineError(docker, e, id);
  }
}
