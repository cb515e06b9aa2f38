// Which view is shown. The app mirrors it in location.hash (#/policy) so a reload keeps it.
import type { Slice } from './types.js';

export const VIEWS = ['images', 'policy', 'syscall', 'explorer', 'diff', 'review'] as const;
export type ViewName = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<ViewName, string> = {
  images: 'Images',
  policy: 'Policy',
  syscall: 'Syscall detail',
  explorer: 'Call graph',
  diff: 'Diff',
  review: 'Review & export',
};

/** Views that need an open report. */
export const NEEDS_REPORT: ReadonlySet<ViewName> = new Set<ViewName>(['policy', 'syscall', 'explorer', 'review']);

export interface NavSlice {
  view: ViewName;
  navigate(view: ViewName): void;
}

export function parseView(hash: string): ViewName | undefined {
  const v = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (VIEWS as readonly string[]).includes(v) ? (v as ViewName) : undefined;
}

export const createNavSlice: Slice<NavSlice> = (set) => ({
  view: 'images',
  navigate(view) {
    set({ view });
  },
});
