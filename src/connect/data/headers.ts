import type { Schema } from './schema.js';

/** One Connect header: a key with a schema'd value (`org.apache.kafka.connect.header.Header`). */
export interface Header {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

/** An ordered, mutable list of headers; keys may repeat (`ConnectHeaders`). */
export class ConnectHeaders implements Iterable<Header> {
  private items: Header[];

  constructor(items: Iterable<Header> = []) {
    this.items = [...items];
  }

  get size(): number {
    return this.items.length;
  }

  isEmpty(): boolean {
    return this.items.length === 0;
  }

  add(key: string, value: unknown, schema: Schema | null = null): this {
    this.items.push({ key, schema, value });
    return this;
  }

  addHeader(header: Header): this {
    this.items.push(header);
    return this;
  }

  lastWithName(key: string): Header | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.key === key) return this.items[i];
    return undefined;
  }

  allWithName(key: string): Header[] {
    return this.items.filter((h) => h.key === key);
  }

  remove(key: string): this {
    this.items = this.items.filter((h) => h.key !== key);
    return this;
  }

  clear(): this {
    this.items = [];
    return this;
  }

  duplicate(): ConnectHeaders {
    return new ConnectHeaders(this.items);
  }

  toArray(): readonly Header[] {
    return this.items;
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.items[Symbol.iterator]();
  }
}
