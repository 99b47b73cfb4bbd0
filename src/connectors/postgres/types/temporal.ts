/**
 * Parsing PostgreSQL's text output of dates, times, timestamps and intervals (DateStyle ISO,
 * IntervalStyle postgres) into the numbers Debezium emits, with exact integer arithmetic (no JS Date, whose
 * range and two-digit-year rules do not fit).
 */

const US_PER_DAY = 86_400_000_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year: 1 BC = 0). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number (inverse of daysFromCivil). */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const DATE_RE = /^(\d+)-(\d{2})-(\d{2})( BC)?$/;

/** `2017-09-15` (or `... BC`) -> days since epoch; null for ±infinity. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) {
    if (text === 'infinity' || text === '-infinity') return null;
    throw new Error(`Cannot parse date '${text}'`);
  }
  let y = Number(m[1]);
  if (m[4]) y = 1 - y;
  return daysFromCivil(y, Number(m[2]), Number(m[3]));
}

/** Microseconds of `HH:MM:SS[.ffffff]` starting at `pos` in `s`; returns [µs, end index]. */
function parseClock(s: string, pos: number): [number, number] {
  const h = twoDigits(s, pos);
  const mi = twoDigits(s, pos + 3);
  const se = twoDigits(s, pos + 6);
  let us = ((h * 60 + mi) * 60 + se) * 1_000_000;
  let i = pos + 8;
  if (s.charCodeAt(i) === 46 /* . */) {
    let j = i + 1;
    let frac = 0;
    let digits = 0;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c < 48 || c > 57) break;
      if (digits < 6) {
        frac = frac * 10 + (c - 48);
        digits++;
      }
      j++;
    }
    while (digits < 6) {
      frac *= 10;
      digits++;
    }
    us += frac;
    i = j;
  }
  return [us, i];
}

/** `HH:MM:SS[.ffffff]` -> µs past midnight (`24:00:00` -> 86400000000). */
export function parseTime(text: string): number {
  return parseClock(text, 0)[0];
}

/** Offset `+HH[:MM[:SS]]` at `pos` -> seconds east of UTC. */
function parseOffset(s: string, pos: number): number {
  const sign = s.charCodeAt(pos) === 45 /* - */ ? -1 : 1;
  // Up to three `:`-separated numbers (hours, minutes, seconds), read without slicing (hot path).
  let seconds = 0;
  let unit = 3600;
  let i = pos + 1;
  for (let part = 0; part < 3 && i <= s.length; part++) {
    let n = 0;
    for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
    seconds += n * unit;
    unit /= 60;
    if (s.charCodeAt(i) !== 58 /* : */) break;
    i++;
  }
  return sign * seconds;
}

/** The two-digit number at `pos` (PostgreSQL's ISO output always writes two digits there); NaN otherwise. */
function twoDigits(s: string, pos: number): number {
  const a = s.charCodeAt(pos) - 48;
  const b = s.charCodeAt(pos + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number(s.slice(pos, pos + 2));
}

export interface ParsedTimestamp {
  /** µs since the epoch (UTC), or ±Infinity for PostgreSQL's infinities. */
  epochUs: number;
}

/**
 * `2018-06-20 15:13:16.945104[+02[:30]][ BC]` -> µs since the epoch. Without an offset the wall clock is read
 * as UTC (timestamp without time zone). Values beyond ±2^53 µs lose precision; such years are exotic.
 */
export function parseTimestamp(text: string): number {
  if (text === 'infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  const [days, us] = parseTimestampParts(text);
  return days * US_PER_DAY + us;
}

/**
 * The same as [days since epoch, µs within the day (may be outside 0..day after the offset)], exact for
 * every year PostgreSQL accepts (the single µs number is not exact beyond about ±285 years from 1970).
 */
export function parseTimestampParts(text: string): [number, number] {
  const bc = text.endsWith(' BC');
  const s = bc ? text.slice(0, -3) : text;
  const dash1 = s.indexOf('-', 1);
  let y = Number(s.slice(0, dash1));
  if (bc) y = 1 - y;
  const mo = twoDigits(s, dash1 + 1);
  const d = twoDigits(s, dash1 + 4);
  const [clock, end] = parseClock(s, dash1 + 7);
  let us = clock;
  if (end < s.length) us -= parseOffset(s, end) * 1_000_000;
  let days = daysFromCivil(y, mo, d);
  const shift = Math.floor(us / US_PER_DAY);
  days += shift;
  us -= shift * US_PER_DAY;
  return [days, us];
}

function pad(n: number, w: number): string {
  if (w === 2 && n >= 0 && n < 100) return n < 10 ? '0' + n : '' + n; // the usual case, without padStart
  return String(n).padStart(w, '0');
}

/** Java ISO year spelling: 4 digits, `+` above 9999, `-` for years before 1 AD (0 = 1 BC). */
function isoYear(y: number): string {
  if (y > 9999) return '+' + y;
  if (y < 0) return '-' + pad(-y, 4);
  return pad(y, 4);
}

/** µs since epoch -> `yyyy-MM-ddTHH:mm:ss[.f{digits}]Z` (ZonedTimestamp with exactly `digits` fraction digits). */
export function formatZonedTimestamp(epochUs: number, digits: number): string {
  const day = Math.floor(epochUs / US_PER_DAY);
  return formatZonedParts(day, epochUs - day * US_PER_DAY, digits);
}

/** Like formatZonedTimestamp, from [days, µs within the day]. */
export function formatZonedParts(day: number, rem: number, digits: number): string {
  const [y, m, d] = civilFromDays(day);
  const h = Math.floor(rem / 3_600_000_000);
  rem -= h * 3_600_000_000;
  const mi = Math.floor(rem / 60_000_000);
  rem -= mi * 60_000_000;
  const s = Math.floor(rem / 1_000_000);
  const us = rem - s * 1_000_000;
  let out = `${isoYear(y)}-${pad(m, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
  if (digits > 0) out += '.' + pad(us, 6).slice(0, Math.min(digits, 6)) + (digits > 6 ? '0'.repeat(digits - 6) : '');
  return out + 'Z';
}

/** µs since epoch -> ISO instant with the fraction trimmed (IsoTimestamp), e.g. `2019-07-09T02:28:57.123456Z`. */
export function formatIsoInstant(epochUs: number): string {
  const full = formatZonedTimestamp(epochUs, 6);
  return trimFraction(full.slice(0, -1)) + 'Z';
}

function trimFraction(s: string): string {
  if (!s.includes('.')) return s;
  const t = s.replace(/0+$/, '');
  return t.endsWith('.') ? t.slice(0, -1) : t;
}

/** `13:51:30.123789+02` -> `11:51:30.123789Z` (ZonedTime; fraction trimmed, seconds always printed). */
export function parseTimeTzToUtc(text: string): string {
  let [us, end] = parseClock(text, 0);
  if (end < text.length) us -= parseOffset(text, end) * 1_000_000;
  us = ((us % US_PER_DAY) + US_PER_DAY) % US_PER_DAY;
  return formatClock(us) + 'Z';
}

/** µs past midnight -> `HH:mm:ss[.fraction trimmed]`. */
export function formatClock(us: number): string {
  const h = Math.floor(us / 3_600_000_000);
  us -= h * 3_600_000_000;
  const mi = Math.floor(us / 60_000_000);
  us -= mi * 60_000_000;
  const s = Math.floor(us / 1_000_000);
  const f = us - s * 1_000_000;
  let out = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
  if (f > 0) out += '.' + pad(f, 6).replace(/0+$/, '');
  return out;
}

/** ISO date `2017-09-15Z` (IsoDate). */
export function formatIsoDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${isoYear(y)}-${pad(m, 2)}-${pad(d, 2)}Z`;
}

export interface IntervalParts {
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  /** Seconds with fraction, signed like the time part. */
  seconds: number;
  /** The seconds text as printed (for the string form), signed. */
  secondsText: string;
}

/** `1 year 2 mons 3 days 04:05:06.78` / `-1 days +02:00:00` / `00:00:00` (IntervalStyle postgres). */
export function parseInterval(text: string): IntervalParts {
  const p: IntervalParts = { years: 0, months: 0, days: 0, hours: 0, minutes: 0, seconds: 0, secondsText: '0' };
  const tokens = text.trim().split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.includes(':')) {
      const neg = t.startsWith('-');
      const body = t.replace(/^[+-]/, '');
      const [h, mi, s] = body.split(':');
      const sign = neg ? -1 : 1;
      p.hours = sign * Number(h);
      p.minutes = sign * Number(mi);
      p.seconds = sign * Number(s ?? '0');
      const st = trimFraction(s ?? '0').replace(/^0+(?=\d)/, '');
      p.secondsText = (neg && Number(s) !== 0 ? '-' : '') + st;
      continue;
    }
    const n = Number(t);
    const unit = tokens[++i] ?? '';
    if (unit.startsWith('year')) p.years = n;
    else if (unit.startsWith('mon')) p.months = n;
    else if (unit.startsWith('day')) p.days = n;
    else throw new Error(`Cannot parse interval '${text}'`);
  }
  return p;
}

/** MicroDuration: the Debezium formula, in double precision, truncated toward zero. */
export function intervalMicros(p: IntervalParts): number {
  const v = ((((p.years * 12 + p.months) * 30.4375 + p.days) * 24 + p.hours) * 60 + p.minutes) * 60 + p.seconds;
  return Math.trunc(v * 1e6);
}

/** `P1Y2M3DT4H5M6.78S`. */
export function intervalIsoString(p: IntervalParts): string {
  return `P${p.years}Y${p.months}M${p.days}DT${p.hours}H${p.minutes}M${p.secondsText}S`;
}
