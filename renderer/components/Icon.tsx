// A few 16px line icons (inline SVG: no icon font, no network).
export type IconName = 'images' | 'policy' | 'path' | 'graph' | 'diff' | 'review' | 'close' | 'refresh' | 'swap';

const PATHS: Record<IconName, string> = {
  images: 'M2 4h12v9H2zM2 7h12M5 4v3',
  policy: 'M8 1.5l5.5 2v4c0 3.5-2.5 6-5.5 7-3-1-5.5-3.5-5.5-7v-4z M5.5 8l2 2 3-3.5',
  path: 'M3 2.5v3M3 5.5c0 3 3 2 5 2s5 1 5 4M13 11.5v2M2 2.5h2M12 13.5h2',
  graph: 'M4 3.5a1.5 1.5 0 1 0 0 .01M12 3.5a1.5 1.5 0 1 0 0 .01M8 12.5a1.5 1.5 0 1 0 0 .01M4.8 4.8L7.2 11.2M11.2 4.8L8.8 11.2',
  diff: 'M5 2v12M11 2v12M2 5h6M8 11h6',
  review: 'M3 2h7l3 3v9H3zM5.5 8.5l1.8 1.8 3.2-3.6',
  close: 'M4 4l8 8M12 4l-8 8',
  refresh: 'M13 8a5 5 0 1 1-1.5-3.5M13 2.5v3h-3',
  swap: 'M3 5h10l-2.5-2.5M13 11H3l2.5 2.5',
};

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}
