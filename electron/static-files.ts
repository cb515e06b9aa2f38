// The built renderer's files, for both hosts (the web host's HTTP server and Electron's app://
// protocol): a request path maps to a file inside the renderer directory or to nothing; no
// segment may climb out, and a symlink inside the directory may not lead out of it either.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

export const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The path's segments, decoded; undefined when one of them could leave the directory (or is not decodable). */
export function safeSegments(rawPath: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) return undefined;
    out.push(seg);
  }
  return out;
}

export interface StaticFile {
  body: Buffer;
  type: string;
  /** The SPA's entry page (never cached). */
  index: boolean;
}

/** The file a request path (still URL-encoded, no query) names inside `root`; "/" is index.html. */
export async function readStatic(root: string, rawPath: string): Promise<StaticFile | undefined> {
  const segments = safeSegments(rawPath);
  if (!segments) return undefined;
  if (segments.length === 0) segments.push('index.html');
  let base: string;
  try {
    base = await realpath(root);
  } catch {
    return undefined;
  }
  try {
    const file = await realpath(join(base, ...segments));
    if (!file.startsWith(base + sep) || !(await stat(file)).isFile()) return undefined;
    return { body: await readFile(file), type: MIME[extname(file).toLowerCase()] ?? 'application/octet-stream', index: segments.length === 1 && segments[0] === 'index.html' };
  } catch {
    return undefined;
  }
}
