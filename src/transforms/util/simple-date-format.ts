/**
 * A subset of Java's `SimpleDateFormat`, always in UTC, for TimestampConverter and TimestampRouter.
 *
 * Pattern letters: G y Y M L d D E u H k K h m s S a z Z X, and `'quoted'` literals (`''` is a quote).
 * Formatting follows Java's rules for counts (e.g. `yy` two-digit year, `MMM` short month name, `S` millis
 * as a number padded to the count). Parsing reads numbers (exactly `count` digits when the next pattern
 * element is also numeric, as Java does for abutting fields), names case-insensitively, and offsets.
 */
import { ConfigException } from '../../connect/errors.js';

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

const LETTERS = new Set('GyYMLdDEuHkKhmsSazZXFwW'.split(''));
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const NUMERIC = new Set('yYMLdDuHkKhmsSFwW'.split(''));

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let literal = '';
  const flush = () => {
    if (literal) tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new ConfigException(`Unterminated quote in pattern: ${pattern}`);
      // '' inside quotes is an escaped quote
      let j = i + 1;
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            literal += "'";
            j += 2;
            continue;
          }
          break;
        }
        literal += pattern[j];
        j++;
      }
      if (j >= pattern.length) throw new ConfigException(`Unterminated quote in pattern: ${pattern}`);
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      if (!LETTERS.has(c)) throw new ConfigException(`Illegal pattern character '${c}'`);
      flush();
      let n = 1;
      while (pattern[i + n] === c) n++;
      tokens.push({ kind: 'field', letter: c, count: n });
      i += n;
      continue;
    }
    literal += c;
    i++;
  }
  flush();
  return tokens;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

export class SimpleDateFormat {
  private readonly tokens: Token[];

  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern);
  }

  format(date: Date): string {
    let out = '';
    for (const t of this.tokens) {
      if (t.kind === 'literal') {
        out += t.text;
        continue;
      }
      const n = t.count;
      switch (t.letter) {
        case 'G':
          out += date.getUTCFullYear() > 0 ? 'AD' : 'BC';
          break;
        case 'y':
        case 'Y':
        case 'u':
          if (t.letter === 'u') {
            out += pad(date.getUTCDay() === 0 ? 7 : date.getUTCDay(), n);
            break;
          }
          out += n === 2 ? pad(date.getUTCFullYear() % 100, 2) : pad(date.getUTCFullYear(), n);
          break;
        case 'M':
        case 'L':
          if (n >= 4) out += MONTHS[date.getUTCMonth()]!;
          else if (n === 3) out += MONTHS[date.getUTCMonth()]!.slice(0, 3);
          else out += pad(date.getUTCMonth() + 1, n);
          break;
        case 'd':
          out += pad(date.getUTCDate(), n);
          break;
        case 'D':
          out += pad(Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, n);
          break;
        case 'E':
          out += n >= 4 ? DAYS[date.getUTCDay()]! : DAYS[date.getUTCDay()]!.slice(0, 3);
          break;
        case 'H':
          out += pad(date.getUTCHours(), n);
          break;
        case 'k':
          out += pad(date.getUTCHours() === 0 ? 24 : date.getUTCHours(), n);
          break;
        case 'K':
          out += pad(date.getUTCHours() % 12, n);
          break;
        case 'h':
          out += pad(date.getUTCHours() % 12 === 0 ? 12 : date.getUTCHours() % 12, n);
          break;
        case 'm':
          out += pad(date.getUTCMinutes(), n);
          break;
        case 's':
          out += pad(date.getUTCSeconds(), n);
          break;
        case 'S':
          out += pad(date.getUTCMilliseconds(), n);
          break;
        case 'a':
          out += date.getUTCHours() < 12 ? 'AM' : 'PM';
          break;
        case 'z':
          out += n >= 4 ? 'Coordinated Universal Time' : 'UTC';
          break;
        case 'Z':
          out += '+0000';
          break;
        case 'X':
          out += 'Z';
          break;
        default:
          throw new ConfigException(`Unsupported pattern character '${t.letter}'`);
      }
    }
    return out;
  }

  /** Parses `text` from its start; returns null when it does not match the pattern. */
  parse(text: string): Date | null {
    let pos = 0;
    let year = 1970, month = 0, day = 1, hour = 0, minute = 0, second = 0, milli = 0;
    let pm: boolean | null = null;
    let hour12: number | null = null;
    let offsetMinutes = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.kind === 'literal') {
        if (text.slice(pos, pos + t.text.length) !== t.text) return null;
        pos += t.text.length;
        continue;
      }
      const next = this.tokens[i + 1];
      const abutting = next !== undefined && next.kind === 'field' && NUMERIC.has(next.letter);
      const readNumber = (): number | null => {
        let end = pos;
        if (text[end] === '-' || text[end] === '+') end++;
        const limit = abutting ? pos + t.count : text.length;
        while (end < limit && end < text.length && text[end]! >= '0' && text[end]! <= '9') end++;
        const s = text.slice(pos, end);
        if (!/\d/.test(s)) return null;
        pos = end;
        return Number(s);
      };
      const readName = (names: string[], short: boolean): number | null => {
        for (let k = 0; k < names.length; k++) {
          for (const candidate of short ? [names[k]!.slice(0, 3), names[k]!] : [names[k]!, names[k]!.slice(0, 3)]) {
            if (text.slice(pos, pos + candidate.length).toLowerCase() === candidate.toLowerCase()) {
              pos += candidate.length;
              return k;
            }
          }
        }
        return null;
      };
      let v: number | null;
      switch (t.letter) {
        case 'y':
        case 'Y': {
          const start = pos;
          v = readNumber();
          if (v === null) return null;
          // Two-digit years (pattern yy, exactly two digits) map into the century around now, like Java.
          if (t.count <= 2 && pos - start === 2) {
            const now = new Date().getUTCFullYear();
            const base = now - 80;
            v = Math.floor(base / 100) * 100 + v;
            if (v < base) v += 100;
          }
          year = v;
          break;
        }
        case 'M':
        case 'L':
          if (t.count >= 3) v = readName(MONTHS, t.count === 3);
          else {
            const n = readNumber();
            v = n === null ? null : n - 1;
          }
          if (v === null) return null;
          month = v;
          break;
        case 'd':
          v = readNumber();
          if (v === null) return null;
          day = v;
          break;
        case 'E':
          if (readName(DAYS, t.count < 4) === null) return null;
          break;
        case 'H':
        case 'k':
          v = readNumber();
          if (v === null) return null;
          hour = t.letter === 'k' && v === 24 ? 0 : v;
          break;
        case 'h':
        case 'K':
          v = readNumber();
          if (v === null) return null;
          hour12 = t.letter === 'h' && v === 12 ? 0 : v;
          break;
        case 'm':
          v = readNumber();
          if (v === null) return null;
          minute = v;
          break;
        case 's':
          v = readNumber();
          if (v === null) return null;
          second = v;
          break;
        case 'S':
          v = readNumber();
          if (v === null) return null;
          milli = v;
          break;
        case 'a': {
          const s = text.slice(pos, pos + 2).toUpperCase();
          if (s !== 'AM' && s !== 'PM') return null;
          pm = s === 'PM';
          pos += 2;
          break;
        }
        case 'Z':
        case 'X':
        case 'z': {
          const rest = text.slice(pos);
          if (/^(Z|UTC|GMT)/i.test(rest) && !/^(UTC|GMT)[+-]/i.test(rest)) {
            pos += rest[0] === 'Z' || rest[0] === 'z' ? 1 : 3;
            offsetMinutes = 0;
            break;
          }
          const m = /^(?:GMT|UTC)?([+-])(\d{2}):?(\d{2})?/.exec(rest);
          if (!m) return null;
          offsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
          pos += m[0].length;
          break;
        }
        case 'G': {
          const s = text.slice(pos, pos + 2).toUpperCase();
          if (s !== 'AD' && s !== 'BC') return null;
          pos += 2;
          break;
        }
        default:
          if (readNumber() === null) return null;
      }
    }
    // Like SimpleDateFormat.parse(String), text after the pattern is ignored.
    if (hour12 !== null) hour = hour12 + (pm ? 12 : 0);
    else if (pm !== null && pm && hour < 12) hour += 12;
    const d = new Date(0);
    d.setUTCFullYear(year, month, day);
    d.setUTCHours(hour, minute, second, milli);
    return new Date(d.getTime() - offsetMinutes * 60_000);
  }
}
