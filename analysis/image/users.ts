// Which uid, gid and supplementary groups a container's USER names, resolved in the image's own
// /etc/passwd and /etc/group the way the engine does (moby through runc's user package): a name
// or a number, optionally `:group`; a number not in the file stands for itself; without a group,
// the user's primary group plus every group that lists the user's name as a member.
import { InputError } from '../errors.js';
import { readRegular } from '../limits/regular-file.js';
import { resolveInRootfs } from '../link/rootfs.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary gids, sorted. */
  groups: number[];
}

interface Entry {
  name: string;
  id: number;
  primary?: number;
  members: string[];
}

/** Lines of a passwd or group file in the rootfs ([] when it is absent: the engine then needs numbers). */
function entries(rootfs: string, file: string, kind: 'passwd' | 'group'): Entry[] {
  let text: string;
  try {
    text = readRegular(resolveInRootfs(rootfs, file).hostPath, file, 'textFileBytes').toString('utf8');
  } catch (e) {
    if (e instanceof InputError && /no such file/.test(e.problem)) return [];
    throw e;
  }
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const id = Number(f[2]);
    if (!Number.isInteger(id) || id < 0) continue;
    if (kind === 'passwd') out.push({ name: f[0], id, primary: Number(f[3]) || 0, members: [] });
    else out.push({ name: f[0], id, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

const numeric = (s: string): number | undefined => (/^\d{1,10}$/.test(s) && Number(s) <= 0xffffffff ? Number(s) : undefined);

/** Resolves `spec` (the image's USER or --user; '' is root) in the rootfs; `groupAdd` is --group-add. */
export function resolveUser(rootfs: string, spec: string, groupAdd: readonly string[] = []): ResolvedUser {
  const [userPart, groupPart] = spec === '' ? ['root', undefined] : (spec.split(':', 2) as [string, string | undefined]);
  const passwd = entries(rootfs, '/etc/passwd', 'passwd');
  const group = entries(rootfs, '/etc/group', 'group');
  const byName = passwd.find((e) => e.name === userPart);
  const byId = numeric(userPart);
  const user = byName ?? passwd.find((e) => e.id === byId);
  if (!user && byId === undefined) {
    if (spec === '') return { uid: 0, gid: 0, groups: [] };
    throw new InputError(`USER ${spec}`, `no user ${userPart} in the image's /etc/passwd: the engine cannot start it`);
  }
  const uid = user?.id ?? byId!;
  let gid = user?.primary ?? 0;
  const groups = new Set<number>();
  if (groupPart !== undefined) {
    const g = group.find((e) => e.name === groupPart) ?? group.find((e) => e.id === numeric(groupPart));
    const n = g?.id ?? numeric(groupPart);
    if (n === undefined) throw new InputError(`USER ${spec}`, `no group ${groupPart} in the image's /etc/group: the engine cannot start it`);
    gid = n;
  } else if (user) {
    for (const g of group) if (g.members.includes(user.name)) groups.add(g.id);
  }
  for (const a of groupAdd) {
    const g = group.find((e) => e.name === a) ?? group.find((e) => e.id === numeric(a));
    const n = g?.id ?? numeric(a);
    if (n === undefined) throw new InputError(`--group-add ${a}`, `no group ${a} in the image's /etc/group`);
    groups.add(n);
  }
  return { uid, gid, groups: [...groups].sort((a, b) => a - b) };
}
