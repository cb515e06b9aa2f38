import * as path from 'node:path';
import { InputError } from '../errors.js';
import { lstatKind, readDir, readLink, readText, realPath } from './probe.js';

// Paths inside the analysed root filesystem are resolved by hand, one component at a time, so
// that a symlink is always interpreted as the kernel would inside a chroot at the rootfs: the
// host never follows a link itself, and nothing outside the rootfs is ever read. Every observation
// goes through probe.ts, so that an analysis can record (and later re-check) what it looked at.

/** Linux's limit on symlinks followed while resolving one path (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/** A file found inside a rootfs: where the host reads it and its canonical path in the rootfs. */
export interface RootfsFile {
  hostPath: string;
  rootfsPath: string;
}

interface Component {
  name: string;
  /** Set when the component came from a symlink target: "<link> -> <target>", for messages. */
  link?: string;
}

function splitComponents(p: string, link?: string): Component[] {
  return p
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .map((name) => (link === undefined ? { name } : { name, link }));
}

/** The host path of the rootfs itself, canonical so that joined paths never pass through a link. */
function hostRoot(rootfs: string): string {
  const real = realPath(rootfs);
  if (real === undefined) throw new InputError(rootfs, 'the rootfs directory does not exist');
  return real;
}

function toHost(root: string, stack: string[]): string {
  return stack.length === 0 ? root : path.join(root, ...stack);
}

/** Resolves an absolute in-rootfs path as the kernel would inside a chroot at `rootfs`, following every symlink. */
export function resolveInRootfs(rootfs: string, p: string): RootfsFile {
  const root = hostRoot(rootfs);
  const missing = (): InputError => new InputError(p, `no such file in the rootfs ${rootfs}`);
  const stack: string[] = [];
  const queue = splitComponents(p);
  let links = 0;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c.name === '..') {
      // ".." at the root of a chroot stays at the root; we only accept that for the path the
      // caller gave, while a link that needs it is reported because it points outside the image.
      if (stack.length === 0) {
        if (c.link !== undefined) throw new InputError(p, `symlink escapes the rootfs: ${c.link}`);
        continue;
      }
      stack.pop();
      continue;
    }
    const host = toHost(root, [...stack, c.name]);
    const kind = lstatKind(host);
    if (kind === 'missing') throw missing();
    if (kind === 'link') {
      if (++links > MAX_SYMLINKS) throw new InputError(p, `too many levels of symbolic links in the rootfs ${rootfs}`);
      const target = readLink(host);
      if (target === undefined) throw missing();
      const linkDesc = `${'/' + [...stack, c.name].join('/')} -> ${target}`;
      if (target.startsWith('/')) stack.length = 0;
      queue.unshift(...splitComponents(target, linkDesc));
      continue;
    }
    if (queue.length > 0 && kind !== 'dir') throw missing();
    stack.push(c.name);
  }
  return { hostPath: toHost(root, stack), rootfsPath: '/' + stack.join('/') };
}

/** True when an in-rootfs path resolves to an existing file or directory inside the rootfs. */
export function existsInRootfs(rootfs: string, p: string): boolean {
  try {
    resolveInRootfs(rootfs, p);
    return true;
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
}

/** Lists the entry names of an in-rootfs directory, sorted; empty when it does not exist. */
export function listRootfsDir(rootfs: string, dir: string): string[] {
  let resolved: RootfsFile;
  try {
    resolved = resolveInRootfs(rootfs, dir);
  } catch (e) {
    if (e instanceof InputError) return [];
    throw e;
  }
  return readDir(resolved.hostPath) ?? [];
}

/** Reads an in-rootfs text file; undefined when it does not exist or cannot be read. */
export function readRootfsText(rootfs: string, p: string): string | undefined {
  let hostPath: string;
  try {
    hostPath = resolveInRootfs(rootfs, p).hostPath;
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
  return readText(hostPath);
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

/** Expands a glob(3)-style absolute pattern inside the rootfs; matches are sorted like glob's and hidden files need an explicit dot. */
export function globInRootfs(rootfs: string, pattern: string): string[] {
  let current = ['/'];
  for (const part of pattern.split('/').filter((c) => c !== '')) {
    const next: string[] = [];
    for (const dir of current) {
      const joined = (name: string): string => (dir === '/' ? '/' + name : dir + '/' + name);
      if (!/[*?[]/.test(part)) {
        if (existsInRootfs(rootfs, joined(part))) next.push(joined(part));
        continue;
      }
      const re = globToRegExp(part);
      for (const name of listRootfsDir(rootfs, dir)) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (re.test(name)) next.push(joined(name));
      }
    }
    current = next;
  }
  return current.filter((p) => p !== '/');
}
