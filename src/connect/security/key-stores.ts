/**
 * Reading Java-style `ssl.*` key and trust stores for Node's TLS, shared by the REST listeners
 * (rest/security/ssl-config.ts) and the Kafka client (topics/kafka/client-config.ts): what a store file is,
 * reading it with an error naming the setting, PEM blocks (also from one-line values, as Kafka accepts them in a
 * properties file), and `ssl.enabled.protocols` as Node's version range. Each caller keeps its own messages.
 */
import { readFileSync } from 'node:fs';
import type { SecureVersion } from 'node:tls';
import { ConfigException } from '../errors.js';

export type StoreKind = 'PEM' | 'PKCS12' | 'JKS' | 'JCEKS' | 'unknown';

/** What a key/trust store file is, from its first bytes (a declared `ssl.*.type` may be stale). */
export function storeKind(b: Buffer): StoreKind {
  if (b.length >= 4 && b.readUInt32BE(0) === 0xfeedfeed) return 'JKS';
  if (b.length >= 4 && b.readUInt32BE(0) === 0xcececece) return 'JCEKS';
  if (b.subarray(0, 2048).toString('latin1').includes('-----BEGIN ')) return 'PEM';
  if (b[0] === 0x30) return 'PKCS12';
  return 'unknown';
}

/** The bytes of a store file; a ConfigException naming `key` when it cannot be read. */
export function readStoreFile(key: string, location: string): Buffer {
  try {
    return readFileSync(location.trim());
  } catch (e) {
    throw new ConfigException(key, location, `Cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** PEM text with each block's line breaks restored (Kafka accepts PEM values on one line). */
export function normalizePem(text: string): string {
  return text.replace(BLOCK, (block, label: string) => {
    const body = block.slice(`-----BEGIN ${label}-----`.length, block.length - `-----END ${label}-----`.length).replace(/\s+/g, '');
    const lines = body.match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
  });
}

/** The PEM blocks of a text (normalized), as [label, block] pairs. */
export function pemBlocks(text: string): { label: string; block: string }[] {
  return [...normalizePem(text).matchAll(BLOCK)].map((m) => ({ label: m[1]!, block: m[0] }));
}

export const TLS_VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Positions of `ssl.enabled.protocols` entries in TLS_VERSIONS (-1 for an unknown name). */
export function protocolIndexes(list: string): number[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => TLS_VERSIONS.findIndex((v) => v.toLowerCase() === s.toLowerCase()));
}
