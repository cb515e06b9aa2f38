import { useEffect, useRef } from 'react';
import type { DisasmEntry } from '../../state/detail.js';

export function DisasmPanel({ entry, onRetry }: { entry?: DisasmEntry; onRetry?: () => void }) {
  const focus = useRef<HTMLTableRowElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  // Centre the focus line inside the listing only (not the page).
  useEffect(() => {
    const row = focus.current;
    const box = scroller.current;
    if (!row || !box) return;
    box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 2 + row.offsetHeight / 2);
  }, [entry]);
  return (
    <div className="disasm" data-testid="disasm">
      {!entry && <div className="muted pad">No call site to show.</div>}
      {entry?.status === 'loading' && <div className="muted pad">Disassembling…</div>}
      {entry?.status === 'error' && (
        <div className="notice error pad" data-testid="disasm-error">
          Cannot disassemble: {entry.message}{' '}
          {onRetry && (
            <button type="button" className="link-btn" onClick={onRetry}>
              Retry
            </button>
          )}
        </div>
      )}
      {entry?.status === 'ok' && (
        <>
          {entry.data.function && <div className="disasm-fn mono">{entry.data.function}</div>}
          <div className="disasm-scroll" ref={scroller}>
            <table className="disasm-table mono">
              <tbody>
                {entry.data.lines.map((l) => (
                  <tr key={l.address} ref={l.focus ? focus : undefined} className={l.focus ? 'focus' : ''} data-testid={l.focus ? 'disasm-focus' : undefined}>
                    <td className="d-addr">{l.address}</td>
                    <td className="d-bytes">{l.bytes}</td>
                    <td className="d-text">{l.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
