// Allowed / denied / needs-review per category: horizontal stacked bars in plain SVG.
import { CATEGORY_LABELS } from '../../syscall-categories.js';
import type { CategoryBar } from '../../state/policy-model.js';
import { useConfine } from '../../store-context.js';

const ROW = 18;
const LABEL_W = 78;
const BAR_W = 210;
const COUNT_W = 58;

export function CategoryChart({ bars }: { bars: CategoryBar[] }) {
  const category = useConfine((s) => s.policyFilter.category);
  const setCategory = useConfine((s) => s.setCategoryFilter);
  const max = Math.max(1, ...bars.map((b) => b.allowed + b.denied + b.review));
  const scale = BAR_W / max;
  const height = bars.length * ROW + 22;
  return (
    <figure className="chart" data-testid="category-chart">
      <svg width={LABEL_W + BAR_W + COUNT_W} height={height} role="img" aria-label="Allowed and denied syscalls per category">
        {bars.map((b, i) => {
          const y = i * ROW;
          const wa = b.allowed * scale;
          const wd = b.denied * scale;
          const wr = b.review * scale;
          const active = category === b.category;
          return (
            <g
              key={b.category}
              className={`chart-row${active ? ' active' : ''}`}
              data-testid={`chart-${b.category}`}
              onClick={() => setCategory(active ? 'all' : b.category)}
              style={{ cursor: 'pointer' }}
            >
              <title>{`${CATEGORY_LABELS[b.category]}: ${b.allowed} allowed, ${b.denied} denied, ${b.review} need review`}</title>
              <rect x={0} y={y} width={LABEL_W + BAR_W + COUNT_W} height={ROW} className="chart-hit" />
              <text x={LABEL_W - 6} y={y + 13} textAnchor="end" className="chart-label">
                {CATEGORY_LABELS[b.category]}
              </text>
              <rect x={LABEL_W} y={y + 3} width={wa} height={ROW - 6} className="bar-allowed" />
              <rect x={LABEL_W + wa} y={y + 3} width={wd} height={ROW - 6} className="bar-denied" />
              <rect x={LABEL_W + wa + wd} y={y + 3} width={wr} height={ROW - 6} className="bar-review" />
              <text x={LABEL_W + wa + wd + wr + 4} y={y + 13} className="chart-count">
                <tspan className="n-allowed">{b.allowed}</tspan>
                {b.denied > 0 && <tspan className="n-denied">{` ${b.denied}`}</tspan>}
                {b.review > 0 && <tspan className="n-review">{` ${b.review}`}</tspan>}
              </text>
            </g>
          );
        })}
        <g transform={`translate(${LABEL_W}, ${bars.length * ROW + 8})`} className="chart-legend">
          <rect x={0} y={0} width={9} height={9} className="bar-allowed" />
          <text x={13} y={8}>allowed</text>
          <rect x={66} y={0} width={9} height={9} className="bar-denied" />
          <text x={79} y={8}>denied</text>
          <rect x={126} y={0} width={9} height={9} className="bar-review" />
          <text x={139} y={8}>needs review</text>
        </g>
      </svg>
    </figure>
  );
}
