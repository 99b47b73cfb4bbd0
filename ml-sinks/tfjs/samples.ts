/**
 * Training samples kept compactly: pixels as bytes (csv input of 0..255 integers) or float32 (named
 * fields), labels as int32, plus where each sample came from (partition key and offset) so the task can
 * tell which offsets are safe to commit. 60,000 MNIST images take 47 MB, not arrays of JS numbers.
 */
import { DataException } from '../../src/connect/errors.js';

export class SampleStore {
  count = 0;
  private data: Uint8Array | Float32Array;
  private labels = new Int32Array(1024);
  private sources = new Int32Array(1024);
  private offsets = new Float64Array(1024);

  constructor(
    readonly width: number,
    readonly bytes: boolean,
  ) {
    this.data = bytes ? new Uint8Array(1024 * width) : new Float32Array(1024 * width);
  }

  /** Room for one more sample; returns the slot to fill with `width` values. */
  private grow(): void {
    const cap = this.labels.length * 2;
    const data = this.bytes ? new Uint8Array(cap * this.width) : new Float32Array(cap * this.width);
    data.set(this.data);
    this.data = data;
    const labels = new Int32Array(cap);
    labels.set(this.labels);
    this.labels = labels;
    const sources = new Int32Array(cap);
    sources.set(this.sources);
    this.sources = sources;
    const offsets = new Float64Array(cap);
    offsets.set(this.offsets);
    this.offsets = offsets;
  }

  add(values: ArrayLike<number>, label: number, source: number, offset: number): void {
    if (this.count === this.labels.length) this.grow();
    this.data.set(values, this.count * this.width);
    this.labels[this.count] = label;
    this.sources[this.count] = source;
    this.offsets[this.count] = offset;
    this.count++;
  }

  label(i: number): number {
    return this.labels[i]!;
  }
  source(i: number): number {
    return this.sources[i]!;
  }
  offset(i: number): number {
    return this.offsets[i]!;
  }

  /** Copies samples `indices` into `x` (scaled by 1/scale) and `y`. */
  gather(indices: ArrayLike<number>, n: number, scale: number, x: Float32Array, y: Int32Array): void {
    const w = this.width;
    const inv = 1 / scale;
    for (let r = 0; r < n; r++) {
      const i = indices[r]!;
      const src = i * w;
      const dst = r * w;
      for (let j = 0; j < w; j++) x[dst + j] = this.data[src + j]! * inv;
      y[r] = this.labels[i]!;
    }
  }
}

/**
 * Parses MnistToCsv's value (decimal numbers joined by commas) into `out`. `bytes`: every value must be
 * an integer 0..255. Throws DataException on a wrong width or a bad number.
 */
export function parseCsv(text: string, out: Float32Array | Uint8Array, bytes: boolean): void {
  const width = out.length;
  let n = 0;
  let start = 0;
  const len = text.length;
  for (let i = 0; i <= len; i++) {
    if (i < len && text.charCodeAt(i) !== 44 /* , */) continue;
    if (n >= width) throw new DataException(`Expected ${width} comma-separated values, got more`);
    let v: number;
    if (bytes) {
      v = 0;
      if (i === start || i - start > 3) throw new DataException(`Value ${n} is not a byte: '${text.slice(start, i)}'`);
      for (let j = start; j < i; j++) {
        const d = text.charCodeAt(j) - 48;
        if (d < 0 || d > 9) throw new DataException(`Value ${n} is not a byte: '${text.slice(start, i)}'`);
        v = v * 10 + d;
      }
      if (v > 255) throw new DataException(`Value ${n} is out of range 0..255: ${v}`);
    } else {
      const t = text.slice(start, i).trim();
      v = t === '' ? NaN : Number(t);
      if (!Number.isFinite(v)) throw new DataException(`Value ${n} is not a finite number: '${t}'`);
    }
    out[n++] = v;
    start = i + 1;
  }
  if (n !== width) throw new DataException(`Expected ${width} comma-separated values, got ${n}`);
}
