/**
 * Signals (Debezium's SignalRecord and the data of its standard actions): a row of the signal table
 * (`id`, `type`, `data` in that order) or a line of the signal file, and the parsing of `execute-snapshot` /
 * `stop-snapshot` data (specs/debezium-postgres.md §4.6). Pure functions, no I/O.
 */

export const EXECUTE_SNAPSHOT = 'execute-snapshot';
export const STOP_SNAPSHOT = 'stop-snapshot';
export const PAUSE_SNAPSHOT = 'pause-snapshot';
export const RESUME_SNAPSHOT = 'resume-snapshot';
export const LOG = 'log';
export const WINDOW_OPEN = 'snapshot-window-open';
export const WINDOW_CLOSE = 'snapshot-window-close';

export interface SignalRecord {
  id: string;
  type: string;
  /** The JSON text of the data (may be empty). */
  data: string | null;
}

export type SnapshotType = 'INCREMENTAL' | 'BLOCKING';

export interface AdditionalCondition {
  /** Case-insensitive, matched against `schema.table`. */
  dataCollection: RegExp;
  filter: string;
}

export interface SnapshotRequest {
  type: SnapshotType;
  /** Regexes (case-sensitive, whole name) over `schema.table`. */
  dataCollections: string[];
  additionalConditions: AdditionalCondition[];
  surrogateKey: string | null;
}

/** The signal of a change on the signal table: an INSERT's row, or (insert_delete) a DELETE of an open watermark. */
export function signalFromRow(op: 'c' | 'd', row: readonly unknown[] | null): SignalRecord | null {
  if (!row || row.length < 3) return null;
  const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8'));
  const id = text(row[0]);
  if (id === null) return null;
  if (op === 'd') return { id: id.replace('open', 'close'), type: WINDOW_CLOSE, data: null };
  const type = text(row[1]);
  if (type === null) return null;
  return { id, type, data: text(row[2]) };
}

/** A line of the signal file: `{"id":"..","type":"..","data":{..}}`; throws on a malformed line. */
export function signalFromFileLine(line: string): SignalRecord {
  const j = JSON.parse(line) as { id?: unknown; type?: unknown; data?: unknown };
  if (j.id === undefined || j.type === undefined) throw new Error('a signal needs "id" and "type"');
  return { id: String(j.id), type: String(j.type), data: j.data === undefined ? null : JSON.stringify(j.data) };
}

/** The data document of a signal: `{}` when empty. Throws when it is not a JSON object. */
export function signalData(s: SignalRecord): Record<string, unknown> {
  if (s.data === null || s.data.trim() === '') return {};
  const v = JSON.parse(s.data) as unknown;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('signal data is not a JSON object');
  return v as Record<string, unknown>;
}

export function snapshotType(data: Record<string, unknown>): SnapshotType | null {
  const t = typeof data.type === 'string' ? data.type.toUpperCase() : 'INCREMENTAL';
  return t === 'INCREMENTAL' || t === 'BLOCKING' ? t : null;
}

/** `execute-snapshot` data; a string (reason) when the signal must be skipped. */
export function parseExecuteSnapshot(data: Record<string, unknown>): SnapshotRequest | string {
  const list = data['data-collections'];
  if (!Array.isArray(list) || list.length === 0) return `the requested field 'data-collections' is missing from data or is empty`;
  if (list.some((v) => typeof v !== 'string')) return `the requested field 'data-collections' contains a non-string data collection`;
  const type = snapshotType(data);
  if (!type) return `unexpected snapshot type '${String(data.type)}'`;
  const conds = Array.isArray(data['additional-conditions']) ? (data['additional-conditions'] as Record<string, unknown>[]) : [];
  const additionalConditions = conds.map((c) => ({
    dataCollection: new RegExp(`^(?:${String(c['data-collection'])})$`, 'i'),
    filter: String(c.filter ?? ''),
  }));
  const sk = typeof data['surrogate-key'] === 'string' && data['surrogate-key'].trim() !== '' ? data['surrogate-key'] : null;
  return { type, dataCollections: (list as string[]).map((s) => s.trim()), additionalConditions, surrogateKey: sk };
}

/** `stop-snapshot` data: the collections to stop (null = all); a string when the signal must be skipped. */
export function parseStopSnapshot(data: Record<string, unknown>): { type: SnapshotType; dataCollections: string[] | null } | string {
  const type = snapshotType(data);
  if (!type) return `unexpected snapshot type '${String(data.type)}'`;
  const list = data['data-collections'];
  if (!Array.isArray(list) || list.length === 0) return { type, dataCollections: null };
  if (list.some((v) => typeof v !== 'string')) return `the requested field 'data-collections' contains a non-string data collection`;
  return { type, dataCollections: (list as string[]).map((s) => s.trim()) };
}

/** Debezium's data-collection names are Java regexes matched against the whole name, case-sensitive. */
export function collectionPattern(name: string): RegExp {
  return new RegExp(`^(?:${name})$`);
}

/** The first additional condition whose data collection matches, in parentheses (as Debezium wraps it). */
export function conditionFor(req: SnapshotRequest, collection: string): string | null {
  const c = req.additionalConditions.find((x) => x.dataCollection.test(collection));
  return c && c.filter ? `(${c.filter})` : null;
}

/** SLF4J-style `{}` placeholder substitution (the `log` action passes the offset). */
export function formatLogMessage(message: string, arg: unknown): string {
  return message.replace('{}', typeof arg === 'string' ? arg : JSON.stringify(arg));
}
