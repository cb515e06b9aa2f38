// A justification path as one line, the form every consumer prints (the CLI, exports' comments, the
// UI, the review's basis): `nginx:main -> ngx_delete_file -> unlink@plt -> libc:unlink -> syscall 87`,
// each object named where the path enters it.
import type { PathStep } from '../graph/report.js';

/** Short object name: "libc" for /usr/lib/x86_64-linux-gnu/libc.so.6, "nginx" for /usr/sbin/nginx, "vdso" for [vdso]. */
export function shortObject(path: string): string {
  const base = path.split('/').pop() || path;
  if (base === '[vdso]') return 'vdso';
  const so = base.indexOf('.so');
  return so > 0 ? base.slice(0, so) : base;
}

/** The path's steps (and, given `nr`, the syscall it ends in). */
export function pathText(path: PathStep[], nr?: number): string {
  const parts: string[] = [];
  let prev = '';
  for (const s of path) {
    parts.push(s.object === prev ? s.function : `${shortObject(s.object)}:${s.function}`);
    prev = s.object;
  }
  if (nr !== undefined) parts.push(`syscall ${nr}`);
  return parts.join(' -> ');
}
