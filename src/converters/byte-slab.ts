/**
 * Output bytes of a converter, carved from shared slabs instead of one allocation per record.
 *
 * Why: a source task converts thousands of records per batch; `Buffer.from(text)` per record allocates
 * (Node's 8 KiB pool) and encodes the whole text, including a schema part that is the same for every record.
 * Here a record's bytes are written once into the current slab (a constant prefix copied as bytes, the
 * variable text encoded as UTF-8) and handed out as a `subarray` view. A slab is freed when no view of it
 * is alive any more, so a view kept for long keeps at most one slab (`SLAB_BYTES`) alive.
 */

const SLAB_BYTES = 64 * 1024;
/** Records bigger than this get a buffer of their own (an exact fit, never a slab). */
const OWN_BUFFER_BYTES = SLAB_BYTES / 4;

export class ByteSlab {
  private slab: Buffer = Buffer.allocUnsafe(0);
  private pos = 0;

  /** `prefix` bytes, then `text` as UTF-8, then the byte `suffix` (or none when < 0), as one Buffer. */
  write(prefix: Uint8Array | null, text: string, suffix = -1): Buffer {
    const prefixLength = prefix === null ? 0 : prefix.length;
    // Worst case: 3 bytes per UTF-16 unit (a surrogate pair is 2 units for 4 bytes).
    const max = prefixLength + text.length * 3 + 1;
    let buf: Buffer;
    let start: number;
    if (max > OWN_BUFFER_BYTES) {
      buf = Buffer.allocUnsafe(prefixLength + Buffer.byteLength(text, 'utf8') + (suffix >= 0 ? 1 : 0));
      start = 0;
    } else {
      if (this.pos + max > this.slab.length) {
        this.slab = Buffer.allocUnsafe(SLAB_BYTES);
        this.pos = 0;
      }
      buf = this.slab;
      start = this.pos;
    }
    let p = start;
    if (prefix !== null) {
      buf.set(prefix, p);
      p += prefixLength;
    }
    p += buf.write(text, p);
    if (suffix >= 0) buf[p++] = suffix;
    if (buf !== this.slab) return buf;
    this.pos = p;
    return buf.subarray(start, p);
  }
}
