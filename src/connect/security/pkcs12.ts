/**
 * Reads the certificates of a PKCS#12 trust store (RFC 7292), which Node's `pfx` option cannot load when the
 * store holds no private key (Java trust stores never do). Only what trust stores use: certificate bags in
 * plain or password-encrypted safe contents. Encryption: PBES2 (PBKDF2 with AES-CBC or 3DES: OpenSSL 3 and
 * current JDKs) and PKCS#12's own 3DES scheme; the store's MAC is checked, so a wrong password is refused.
 * Old JDK 8 stores use 40-bit RC2, which OpenSSL 3 only offers in its legacy provider: convert those to PEM.
 */
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, X509Certificate } from 'node:crypto';

interface Tlv {
  tag: number;
  /** Content bytes. */
  body: Buffer;
}

/** DER: the TLVs one after another in `buf`. */
function children(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < buf.length) {
    const tag = buf[i++]!;
    let len = buf[i++]!;
    if (len === 0x80) throw new Error('indefinite-length (BER) encoding is not supported');
    if (len > 0x80) {
      const n = len - 0x80;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + buf[i++]!;
    }
    if (i + len > buf.length) throw new Error('truncated DER data');
    out.push({ tag, body: buf.subarray(i, i + len) });
    i += len;
  }
  return out;
}

function one(buf: Buffer): Tlv {
  const [first] = children(buf);
  if (!first) throw new Error('empty DER data');
  return first;
}

function oid(body: Buffer): string {
  const parts = [Math.floor(body[0]! / 40), body[0]! % 40];
  let v = 0;
  for (let i = 1; i < body.length; i++) {
    v = v * 128 + (body[i]! & 0x7f);
    if ((body[i]! & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function int(body: Buffer): number {
  let v = 0;
  for (const b of body) v = v * 256 + b;
  return v;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha1DesEde3: '1.2.840.113549.1.12.1.3',
};

const HMAC_PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const DIGEST: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const CIPHERS: Record<string, string> = {
  '2.16.840.1.101.3.4.1.2': 'aes-128-cbc',
  '2.16.840.1.101.3.4.1.22': 'aes-192-cbc',
  '2.16.840.1.101.3.4.1.42': 'aes-256-cbc',
  '1.2.840.113549.3.7': 'des-ede3-cbc',
};

/** The certificates (PEM) of a PKCS#12 file. Throws with a reason (no secret) when it cannot. */
export function pkcs12Certificates(der: Buffer, password: string): string[] {
  const pfx = children(one(der).body);
  const authSafe = children(pfx[1]!.body);
  if (oid(authSafe[0]!.body) !== OID.data) throw new Error('public-key integrity mode is not supported');
  const authSafeContent = one(authSafe[1]!.body).body; // the OCTET STRING content: DER of AuthenticatedSafe
  if (pfx[2]) verifyMac(pfx[2].body, authSafeContent, password);

  const certs: string[] = [];
  for (const info of children(one(authSafeContent).body)) {
    const [type, content] = children(info.body);
    const kind = oid(type!.body);
    let safeContents: Buffer;
    if (kind === OID.data) safeContents = one(one(content!.body).body).body;
    else if (kind === OID.encryptedData) safeContents = one(decryptData(one(content!.body).body, password)).body;
    else continue;
    for (const bag of children(safeContents)) {
      const [bagId, bagValue] = children(bag.body);
      if (oid(bagId!.body) !== OID.certBag) continue;
      const [certId, certValue] = children(one(bagValue!.body).body);
      if (oid(certId!.body) !== OID.x509Certificate) continue;
      certs.push(new X509Certificate(one(certValue!.body).body).toString());
    }
  }
  if (certs.length === 0) throw new Error('no certificate in the store');
  return certs;
}

function decryptData(encryptedData: Buffer, password: string): Buffer {
  const [, encryptedContentInfo] = children(encryptedData);
  const [, algorithm, encrypted] = children(encryptedContentInfo!.body);
  const [algOid, params] = children(algorithm!.body);
  const alg = oid(algOid!.body);
  // encryptedContent is [0] IMPLICIT OCTET STRING: primitive (0x80) or constructed (0xa0) chunks.
  const data = encrypted!.tag === 0xa0 ? Buffer.concat(children(encrypted!.body).map((c) => c.body)) : encrypted!.body;
  if (alg === OID.pbes2) {
    const [kdf, scheme] = children(params!.body);
    const [kdfOid, kdfParams] = children(kdf!.body);
    if (oid(kdfOid!.body) !== OID.pbkdf2) throw new Error('unsupported key derivation');
    const p = children(kdfParams!.body);
    const salt = p[0]!.body;
    const iterations = int(p[1]!.body);
    const prfTlv = p.find((t) => t.tag === 0x30);
    const prf = prfTlv ? HMAC_PRF[oid(children(prfTlv.body)[0]!.body)] : 'sha1';
    const [cipherOid, iv] = children(scheme!.body);
    const cipher = CIPHERS[oid(cipherOid!.body)];
    if (!prf || !cipher) throw new Error('unsupported encryption');
    const keyLength = { 'aes-128-cbc': 16, 'aes-192-cbc': 24, 'aes-256-cbc': 32, 'des-ede3-cbc': 24 }[cipher]!;
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, prf);
    return decipher(cipher, key, iv!.body, data);
  }
  if (alg === OID.pbeSha1DesEde3) {
    const [salt, iterations] = children(params!.body);
    const pw = bmpPassword(password);
    const key = pkcs12Kdf('sha1', pw, salt!.body, int(iterations!.body), 1, 24);
    const iv = pkcs12Kdf('sha1', pw, salt!.body, int(iterations!.body), 2, 8);
    return decipher('des-ede3-cbc', key, iv, data);
  }
  throw new Error(`unsupported encryption ${alg} (old JDK stores use RC2-40: convert the trust store to PEM)`);
}

function decipher(cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(cipher, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new Error('wrong password or corrupted store');
  }
}

function verifyMac(macData: Buffer, content: Buffer, password: string): void {
  const [digestInfo, salt, iterations] = children(macData);
  const [algorithm, expected] = children(digestInfo!.body);
  const hash = DIGEST[oid(children(algorithm!.body)[0]!.body)];
  if (!hash) throw new Error('unsupported MAC algorithm');
  const size = createHash(hash).digest().length;
  const key = pkcs12Kdf(hash, bmpPassword(password), salt!.body, iterations ? int(iterations.body) : 1, 3, size);
  const actual = createHmac(hash, key).update(content).digest();
  if (!actual.equals(expected!.body)) throw new Error('wrong password or corrupted store (MAC check failed)');
}

/** The password as PKCS#12 wants it: UTF-16BE with a trailing NUL (empty password: no bytes). */
function bmpPassword(password: string): Buffer {
  if (password === '') return Buffer.alloc(0);
  const out = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** RFC 7292 appendix B.2 key derivation (id 1: key, 2: IV, 3: MAC key). */
function pkcs12Kdf(hash: string, password: Buffer, salt: Buffer, iterations: number, id: number, length: number): Buffer {
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const fill = (src: Buffer) => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const blocks: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    blocks.push(A);
    produced += A.length;
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % A.length]!;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}
