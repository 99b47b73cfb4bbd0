/**
 * A pull parser over JSON text: the JsonConverter reads values straight into Connect objects with it (no
 * intermediate tree), keeps numbers exact (the raw digits are available), and can skip a value to learn its
 * extent (used to cut out the `schema` text for the schema cache).
 *
 * Grammar as Jackson's defaults plus ALLOW_LEADING_ZEROS_FOR_NUMBERS (what Kafka's JsonDeserializer enables).
 */

/** A malformed document; the converter wraps it in Kafka's "serialization error" DataException. */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

/** Jackson's `JsonNodeType` names, used in Kafka's error messages. */
export type NodeType = 'OBJECT' | 'ARRAY' | 'STRING' | 'NUMBER' | 'BOOLEAN' | 'NULL' | 'MISSING';

const C_QUOTE = 34;
const C_BACKSLASH = 92;
const C_COMMA = 44;
const C_COLON = 58;
const C_LBRACE = 123;
const C_RBRACE = 125;
const C_LBRACKET = 91;
const C_RBRACKET = 93;
const C_MINUS = 45;
const C_PLUS = 43;
const C_DOT = 46;
const C_0 = 48;
const C_9 = 57;

export class JsonReader {
  pos = 0;
  /** Whether the last number read had no fraction or exponent. */
  integral = true;

  constructor(readonly text: string) {}

  /** Skips whitespace; returns the next char code, or -1 at the end. */
  peek(): number {
    const t = this.text;
    let p = this.pos;
    let c = t.charCodeAt(p);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++p);
    this.pos = p;
    return p < t.length ? c : -1;
  }

  atEnd(): boolean {
    return this.peek() === -1;
  }

  nodeType(): NodeType {
    const c = this.peek();
    switch (c) {
      case C_LBRACE:
        return 'OBJECT';
      case C_LBRACKET:
        return 'ARRAY';
      case C_QUOTE:
        return 'STRING';
      case 116: // t
      case 102: // f
        return 'BOOLEAN';
      case 110: // n
        return 'NULL';
      case -1:
        return 'MISSING';
      default:
        if (c === C_MINUS || (c >= C_0 && c <= C_9)) return 'NUMBER';
        throw this.error(`Unexpected character ('${String.fromCharCode(c)}' (code ${c}))`);
    }
  }

  error(message: string): JsonSyntaxError {
    return new JsonSyntaxError(`${message} at position ${this.pos}`);
  }

  expect(code: number): void {
    if (this.peek() !== code) throw this.error(`Expected '${String.fromCharCode(code)}'`);
    this.pos++;
  }

  /** Consumes `code` if it comes next. */
  tryConsume(code: number): boolean {
    if (this.peek() === code) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** After a member/element: true if a ',' follows (more to come), false if `close` ends the container. */
  more(close: number): boolean {
    const c = this.peek();
    if (c === C_COMMA) {
      this.pos++;
      return true;
    }
    if (c === close) {
      this.pos++;
      return false;
    }
    throw this.error(`Unexpected character, expected ',' or '${String.fromCharCode(close)}'`);
  }

  /** Opens an object; returns false (and consumes '}') when it is empty. */
  beginObject(): boolean {
    this.expect(C_LBRACE);
    return !this.tryConsume(C_RBRACE);
  }

  /** Opens an array; returns false (and consumes ']') when it is empty. */
  beginArray(): boolean {
    this.expect(C_LBRACKET);
    return !this.tryConsume(C_RBRACKET);
  }

  /** Reads a member name and the ':' after it. */
  readKey(): string {
    if (this.peek() !== C_QUOTE) throw this.error('Expected a field name');
    const key = this.readString();
    this.expect(C_COLON);
    return key;
  }

  endObject(): void {
    while (this.more(C_RBRACE)) {
      this.readKey();
      this.skipValue();
    }
  }

  readString(): string {
    const t = this.text;
    const start = this.pos + 1;
    let p = start;
    // Fast path: no escapes.
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === C_QUOTE) {
        this.pos = p + 1;
        return t.slice(start, p);
      }
      if (c === C_BACKSLASH) break;
      if (c < 32 || p >= t.length) {
        this.pos = p;
        throw this.error(p >= t.length ? 'Unexpected end-of-input in a string' : 'Illegal unquoted character in a string');
      }
      p++;
    }
    let out = t.slice(start, p);
    for (;;) {
      if (p >= t.length) {
        this.pos = p;
        throw this.error('Unexpected end-of-input in a string');
      }
      const c = t.charCodeAt(p);
      if (c === C_QUOTE) {
        this.pos = p + 1;
        return out;
      }
      if (c < 32) {
        this.pos = p;
        throw this.error('Illegal unquoted character in a string');
      }
      if (c !== C_BACKSLASH) {
        let q = p + 1;
        while (q < t.length) {
          const d = t.charCodeAt(q);
          if (d === C_QUOTE || d === C_BACKSLASH || d < 32) break;
          q++;
        }
        out += t.slice(p, q);
        p = q;
        continue;
      }
      const e = t.charCodeAt(p + 1);
      p += 2;
      switch (e) {
        case C_QUOTE: out += '"'; break;
        case C_BACKSLASH: out += '\\'; break;
        case 47: out += '/'; break;
        case 98: out += '\b'; break;
        case 102: out += '\f'; break;
        case 110: out += '\n'; break;
        case 114: out += '\r'; break;
        case 116: out += '\t'; break;
        case 117: {
          const hex = t.slice(p, p + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = p;
            throw this.error('Invalid unicode escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          this.pos = p - 1;
          throw this.error('Unrecognized character escape');
      }
    }
  }

  /** Reads a number and returns its raw text; sets `integral`. */
  readNumber(): string {
    const t = this.text;
    const start = this.pos;
    let p = start;
    let c = t.charCodeAt(p);
    if (c === C_MINUS) c = t.charCodeAt(++p);
    const intStart = p;
    while (c >= C_0 && c <= C_9) c = t.charCodeAt(++p);
    if (p === intStart) {
      this.pos = p;
      throw this.error('Expected a digit');
    }
    let integral = true;
    if (c === C_DOT) {
      integral = false;
      const fracStart = ++p;
      c = t.charCodeAt(p);
      while (c >= C_0 && c <= C_9) c = t.charCodeAt(++p);
      if (p === fracStart) {
        this.pos = p;
        throw this.error('Decimal point not followed by a digit');
      }
    }
    if (c === 101 || c === 69) {
      integral = false;
      c = t.charCodeAt(++p);
      if (c === C_PLUS || c === C_MINUS) c = t.charCodeAt(++p);
      const expStart = p;
      while (c >= C_0 && c <= C_9) c = t.charCodeAt(++p);
      if (p === expStart) {
        this.pos = p;
        throw this.error('Exponent indicator not followed by a digit');
      }
    }
    this.pos = p;
    this.integral = integral;
    return t.slice(start, p);
  }

  /** Reads `true`, `false` or `null`; returns the boolean, or null. */
  readLiteral(): boolean | null {
    const t = this.text;
    const p = this.pos;
    if (t.startsWith('true', p)) {
      this.pos = p + 4;
      this.checkLiteralEnd();
      return true;
    }
    if (t.startsWith('false', p)) {
      this.pos = p + 5;
      this.checkLiteralEnd();
      return false;
    }
    if (t.startsWith('null', p)) {
      this.pos = p + 4;
      this.checkLiteralEnd();
      return null;
    }
    throw this.error('Unrecognized token');
  }

  private checkLiteralEnd(): void {
    const c = this.text.charCodeAt(this.pos);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= C_0 && c <= C_9) || c === 95) {
      throw this.error('Unrecognized token');
    }
  }

  /** Skips one value of any kind (validating it). */
  skipValue(): void {
    const c = this.peek();
    switch (c) {
      case C_LBRACE:
        if (this.beginObject()) {
          do {
            this.readKey();
            this.skipValue();
          } while (this.more(C_RBRACE));
        }
        return;
      case C_LBRACKET:
        if (this.beginArray()) {
          do this.skipValue();
          while (this.more(C_RBRACKET));
        }
        return;
      case C_QUOTE:
        this.skipString();
        return;
      case -1:
        throw this.error('Unexpected end-of-input');
      default:
        if (c === C_MINUS || (c >= C_0 && c <= C_9)) this.readNumber();
        else this.readLiteral();
    }
  }

  /**
   * Skips one value without validating it (bracket matching only); for the fast path, where anything
   * skipped is validated later or the whole document is re-read carefully on error.
   */
  skipFast(): void {
    const t = this.text;
    let p = this.pos;
    const first = t.charCodeAt(p);
    if (first !== C_LBRACE && first !== C_LBRACKET) {
      this.skipValue();
      return;
    }
    let depth = 0;
    for (;;) {
      const c = t.charCodeAt(p++);
      if (c === C_QUOTE) {
        for (;;) {
          const q = t.indexOf('"', p);
          if (q < 0) throw this.error('Unexpected end-of-input in a string');
          let b = q - 1;
          while (t.charCodeAt(b) === C_BACKSLASH) b--;
          p = q + 1;
          if ((q - 1 - b) % 2 === 0) break;
        }
      } else if (c === C_LBRACE || c === C_LBRACKET) {
        depth++;
      } else if (c === C_RBRACE || c === C_RBRACKET) {
        if (--depth === 0) break;
      } else if (p > t.length) {
        throw this.error('Unexpected end-of-input');
      }
    }
    this.pos = p;
  }

  private skipString(): void {
    const t = this.text;
    const start = this.pos + 1;
    let p = start;
    for (;;) {
      const q = t.indexOf('"', p);
      if (q < 0) {
        this.pos = t.length;
        throw this.error('Unexpected end-of-input in a string');
      }
      // Count the backslashes right before the quote: an odd number escapes it.
      let b = q - 1;
      while (b >= start && t.charCodeAt(b) === C_BACKSLASH) b--;
      if ((q - 1 - b) % 2 === 0) {
        for (let i = start; i < q; i++) {
          if (t.charCodeAt(i) < 32) {
            this.pos = i;
            throw this.error('Illegal unquoted character in a string');
          }
        }
        this.pos = q + 1;
        return;
      }
      p = q + 1;
    }
  }
}
