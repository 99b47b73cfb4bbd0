/** Small byte helpers shared by the converters (a Connect `bytes` value may be any Uint8Array view). */

/** The same bytes as a Buffer, without copying (a Buffer is returned as is). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Standard base64 with padding, as Java's `Base64.getEncoder()` (and Jackson for byte[]) writes it. */
export function toBase64(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64');
}
