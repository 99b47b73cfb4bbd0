/**
 * Reusable buffers for encoding appends. A partition log encodes each append into one buffer that is
 * needed only until its write call returns; allocating a fresh one per append churns megabytes of memory
 * outside the JS heap, which is freed only when the GC finds the buffer dead. A few buffers are kept here
 * (process-wide, at most `MAX_KEPT` of at most `MAX_BYTES` each) and handed out again.
 */

const MAX_KEPT = 2;
const MAX_BYTES = 8 * 1024 * 1024;
const MIN_BYTES = 256 * 1024;

const free: Buffer[] = [];

/** A buffer of at least `size` bytes (content undefined); give it back with `releaseScratch`. */
export function acquireScratch(size: number): Buffer {
  for (let i = 0; i < free.length; i++) {
    if (free[i]!.length >= size) return free.splice(i, 1)[0]!;
  }
  if (size > MAX_BYTES) return Buffer.allocUnsafeSlow(size);
  // Powers of two, so that appends of similar sizes share buffers.
  let n = MIN_BYTES;
  while (n < size) n *= 2;
  return Buffer.allocUnsafeSlow(n);
}

/** Returns a buffer from `acquireScratch` once nothing refers to its bytes any more. */
export function releaseScratch(buf: Buffer): void {
  if (buf.length > MAX_BYTES) return;
  if (free.length < MAX_KEPT) {
    free.push(buf);
    return;
  }
  // Keep the larger ones.
  let smallest = 0;
  for (let i = 1; i < free.length; i++) if (free[i]!.length < free[smallest]!.length) smallest = i;
  if (free[smallest]!.length < buf.length) free[smallest] = buf;
}
