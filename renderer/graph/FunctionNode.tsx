// A function in a graph: `object:function`, its address, and badges (root, syscalls, the path's syscall site).
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';

export type FunctionNodeData = {
  label: string;
  sub: string;
  /** root / path / site / plain */
  role: 'root' | 'path' | 'site' | 'plain';
  selected: boolean;
  badges: string[];
  /** Instruction lines shown inside the node (the syscall site). */
  snippet?: { text: string; focus: boolean }[];
  direction: 'DOWN' | 'RIGHT';
  testId: string;
};

export type FunctionFlowNode = Node<FunctionNodeData, 'function'>;

function FunctionNodeView({ data }: NodeProps<FunctionFlowNode>) {
  const vertical = data.direction === 'DOWN';
  return (
    <div className={`fn-node role-${data.role}${data.selected ? ' selected' : ''}`} data-testid={data.testId} title={`${data.label}\n${data.sub}`}>
      <Handle type="target" position={vertical ? Position.Top : Position.Left} className="fn-handle" isConnectable={false} />
      <div className="fn-label mono">{data.label}</div>
      <div className="fn-sub">
        <span className="mono">{data.sub}</span>
        {data.badges.map((b) => (
          <span key={b} className="fn-badge">
            {b}
          </span>
        ))}
      </div>
      {data.snippet && (
        <div className="fn-snippet mono">
          {data.snippet.map((l, i) => (
            <div key={i} className={l.focus ? 'focus' : ''}>
              {l.text}
            </div>
          ))}
        </div>
      )}
      <Handle type="source" position={vertical ? Position.Bottom : Position.Right} className="fn-handle" isConnectable={false} />
    </div>
  );
}

export const FunctionNode = memo(FunctionNodeView);
