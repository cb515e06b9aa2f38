// How a container is started changes what the runtime does after it installs the seccomp filter:
// without no-new-privileges runc loads the filter *before* it drops to the image's user, so
// setgroups/setresuid, capset and the fchown of the stdio fds of a non-root user all run under the
// policy. Phase 1, `verify` and the runtime base-set probe therefore start their containers with the
// same settings, and the base set is cached per settings (design rule 6).
import type Docker from 'dockerode';
import { InputError } from '../errors.js';

/** The `docker run` options that change the runtime's path into the program. */
export interface RunSettings {
  /** `--user`; unset: the image's own USER. */
  user?: string;
  /** `--group-add`. */
  groupAdd?: string[];
  /** `--tty`. */
  tty?: boolean;
  /** `--read-only`. */
  readOnly?: boolean;
  /** `--security-opt no-new-privileges`. */
  noNewPrivileges?: boolean;
  /** `--cap-add` / `--cap-drop`. */
  capAdd?: string[];
  capDrop?: string[];
}

/** A Linux capability name as Docker takes it (`NET_ADMIN`, `CAP_NET_ADMIN`, `ALL`). */
const CAPABILITY = /^(CAP_)?[A-Z_]{2,32}$/;
/** `name`, `uid`, `name:group`, `uid:gid` (what Docker's --user takes). */
const USER_SPEC = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}(:[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63})?$/;

/** Checks settings from a user (CLI flags, the UI's form); InputError naming the bad one. */
export function checkRunSettings(s: RunSettings): RunSettings {
  if (s.user !== undefined && !USER_SPEC.test(s.user)) throw new InputError('--user', `not a user or user:group (got ${JSON.stringify(s.user)})`);
  for (const g of s.groupAdd ?? []) if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}$/.test(g)) throw new InputError('--group-add', `not a group name or id (got ${JSON.stringify(g)})`);
  for (const [flag, caps] of [['--cap-add', s.capAdd], ['--cap-drop', s.capDrop]] as const) {
    for (const c of caps ?? []) if (!CAPABILITY.test(c.toUpperCase())) throw new InputError(flag, `not a capability name (got ${JSON.stringify(c)})`);
  }
  return s;
}

/** The parts of a dockerode createContainer body that carry the settings (HostConfig merged by the caller). */
export function containerSettings(s: RunSettings): { top: Partial<Docker.ContainerCreateOptions>; host: Partial<Docker.HostConfig> } {
  const host: Partial<Docker.HostConfig> = {};
  if (s.groupAdd?.length) host.GroupAdd = s.groupAdd;
  if (s.readOnly) host.ReadonlyRootfs = true;
  if (s.capAdd?.length) host.CapAdd = s.capAdd;
  if (s.capDrop?.length) host.CapDrop = s.capDrop;
  return { top: { ...(s.user !== undefined ? { User: s.user } : {}), Tty: s.tty === true }, host };
}

/** The security options for a container: the settings' no-new-privileges and a seccomp profile. */
export function securityOpts(s: RunSettings, seccompProfile?: object): string[] | undefined {
  const opts = [...(s.noNewPrivileges ? ['no-new-privileges'] : []), ...(seccompProfile ? [`seccomp=${JSON.stringify(seccompProfile)}`] : [])];
  return opts.length > 0 ? opts : undefined;
}

/** The settings as `docker run` flags, for messages and printed command lines. */
export function runFlags(s: RunSettings): string[] {
  return [
    ...(s.user !== undefined ? ['--user', s.user] : []),
    ...(s.groupAdd ?? []).flatMap((g) => ['--group-add', g]),
    ...(s.tty ? ['--tty'] : []),
    ...(s.readOnly ? ['--read-only'] : []),
    ...(s.noNewPrivileges ? ['--security-opt', 'no-new-privileges'] : []),
    ...(s.capAdd ?? []).flatMap((c) => ['--cap-add', c]),
    ...(s.capDrop ?? []).flatMap((c) => ['--cap-drop', c]),
  ];
}
