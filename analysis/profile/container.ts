// The throwaway container that phase 1 watches: created from the image with its own CMD (or the
// caller's), no network or the host's, labelled so that a leftover can be found, always removed.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { engineError, inspectImage } from '../image/engine.js';
import { containerSettings, securityOpts, type RunSettings } from './run-settings.js';

/** The label on every phase-1 container, to find leftovers: `docker ps -a --filter label=confine=phase1`. */
export const PHASE1_LABEL = { confine: 'phase1' };
/** Label holding the pid of the process that created a phase-1 container. */
export const PHASE1_OWNER_LABEL = 'confine.pid';

/** Checks that the engine answers and has `image`; InputError otherwise. */
export async function checkImage(docker: Docker, image: string): Promise<void> {
  await inspectImage(docker, image);
}

/** Creates (does not start) the phase-1 container. */
export async function createPhase1Container(
  docker: Docker,
  image: string,
  network: 'none' | 'host',
  opts: { cmd?: string[]; settings?: RunSettings; seccompProfile?: object; binds?: string[] } = {},
): Promise<Docker.Container> {
  const { cmd, seccompProfile } = opts;
  const { top, host } = containerSettings(opts.settings ?? {});
  try {
    return await docker.createContainer({
      ...top,
      name: `confine-phase1-${randomBytes(6).toString('hex')}`,
      Image: image,
      ...(cmd ? { Cmd: cmd } : {}),
      // The owner pid tells leftovers of a dead recorder (and concurrent recorders) apart.
      Labels: { ...PHASE1_LABEL, [PHASE1_OWNER_LABEL]: String(process.pid) },
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      OpenStdin: false,
      // The engine takes the profile's JSON text itself (the CLI reads the file and sends that).
      HostConfig: { ...host, NetworkMode: network, AutoRemove: false, SecurityOpt: securityOpts(opts.settings ?? {}, seccompProfile), ...(opts.binds?.length ? { Binds: opts.binds } : {}) },
    });
  } catch (e) {
    throw await engineError(docker, e, image);
  }
}

/** Resolves with the exit code when the container stops (for any reason); never rejects. */
export function waitForExit(container: Docker.Container): Promise<number | undefined> {
  return container.wait().then(
    (r: { StatusCode?: number }) => r?.StatusCode,
    () => undefined,
  );
}

/** Stops (gracefully unless `kill`) and removes the container; returns a warning on failure, never throws. */
export async function disposeContainer(container: Docker.Container, kill: boolean): Promise<string | undefined> {
  if (!kill) {
    try {
      await container.stop({ t: 2 });
    } catch {
      // Already stopped (304) or gone: remove below settles it.
    }
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await container.remove({ force: true, v: true });
      return undefined;
    } catch (e) {
      const err = e as { statusCode?: number; message?: string };
      if (err.statusCode === 404) return undefined;
      // 409: removal already in progress, or the engine is still tearing the task down.
      if (attempt < 5) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      return `could not remove container ${container.id.slice(0, 12)}: ${err.message ?? String(e)}`;
    }
  }
}
