/**
 * Snapshot progress for a source card, from the history's last points (pure: unit-tested in Node).
 */

/** One sample of a source's series (the history's SourcePoint, reduced to what is read here). */
export interface ProgressPoint {
  t: number;
  [series: string]: number | null | undefined;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Snapshot progress from the last points: tables done, rows scanned of the planner's estimate, and an ETA
 * from the scan rate over the last half minute. Null when no snapshot is running.
 */
export function snapshotProgress(points: ProgressPoint[]): string | null {
  const last = points[points.length - 1];
  if (!last) return null;
  const total = last['TotalTableCount'];
  const remaining = last['RemainingTableCount'];
  const rows = last['SnapshotRowsScanned'];
  if (typeof total !== 'number' || typeof remaining !== 'number' || remaining === 0 || total === 0) return null;
  let text = `${fmt(total - remaining)} of ${fmt(total)} tables`;
  if (typeof rows === 'number') {
    const estimate = last['SnapshotRowsEstimated'];
    text += typeof estimate === 'number' && estimate > rows ? ` · ${fmt(rows)} of ~${fmt(estimate)} rows` : ` · ${fmt(rows)} rows`;
    const since = points.find((p) => p.t >= last.t - 30_000 && typeof p['SnapshotRowsScanned'] === 'number');
    const before = since?.['SnapshotRowsScanned'];
    if (since && typeof before === 'number' && last.t > since.t && typeof estimate === 'number' && estimate > rows) {
      const perSecond = ((rows - before) / (last.t - since.t)) * 1000;
      if (perSecond > 0) text += ` · ${fmt(Math.round(perSecond))} rows/s · ETA ${duration((estimate - rows) / perSecond)}`;
    }
  }
  return text;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
