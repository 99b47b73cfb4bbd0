/** Small shared pieces: state badges, error and notice banners, the confirmation dialog, number formats. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`badge state-${state.toLowerCase()}`} data-state={state}>
      {state}
    </span>
  );
}

export function ErrorBanner({ message, onClose }: { message: string | null; onClose?: () => void }) {
  if (!message) return null;
  return (
    <div class="banner error" role="alert" data-testid="error">
      <span>{message}</span>
      {onClose && (
        <button class="link" onClick={onClose} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <div class="banner notice">{children}</div>;
}

export interface ConfirmRequest {
  title: string;
  body: string;
  action: string;
  danger?: boolean;
  run: () => Promise<void>;
}

export function ConfirmDialog({ request, onDone }: { request: ConfirmRequest | null; onDone: () => void }) {
  const ok = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!request) return;
    ok.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onDone();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [request]);
  if (!request) return null;
  return (
    <div class="modal-backdrop" onClick={onDone}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" onClick={(e) => e.stopPropagation()} data-testid="confirm">
        <h3 id="confirm-title">{request.title}</h3>
        <p>{request.body}</p>
        <div class="row end">
          <button onClick={onDone}>Cancel</button>
          <button
            ref={ok}
            class={request.danger ? 'danger' : 'primary'}
            data-testid="confirm-ok"
            onClick={() => {
              onDone();
              void request.run();
            }}
          >
            {request.action}
          </button>
        </div>
      </div>
    </div>
  );
}

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
export const num = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US'));

export function bytes(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${v < 0 ? '-' : ''}${x.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function shortClass(cls: string | undefined): string {
  if (!cls) return '–';
  const i = cls.lastIndexOf('.');
  return i < 0 ? cls : cls.slice(i + 1);
}
