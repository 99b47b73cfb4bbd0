/**
 * Java's `Double.toString` (and so `Arrays.toString(double[])`, Flink's `DenseVector.toString` and Scala's
 * tuple printing), for the prediction lines the blog demos print. JavaScript and Java (JDK 19+) both
 * produce the shortest decimal that round-trips; they differ only in layout:
 * - 10^-3 <= |d| < 10^7: plain decimal with at least one fraction digit (`5.0`, `0.001`, `1234567.5`);
 * - otherwise computerized scientific notation (`1.0E7`, `1.5E-5`), no `+` in the exponent.
 */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : s + '.0';
  }
  // toExponential() with no argument gives the shortest round-tripping digits: "1.5e-5", "1e+21".
  const [mantissa, exp] = d.toExponential().split('e') as [string, string];
  const m = mantissa.includes('.') ? mantissa : mantissa + '.0';
  return `${m}E${Number(exp)}`;
}

/** `Arrays.toString(double[])`: `[5.4, 3.7, 1.5, 0.2]`. */
export function javaDoubleArray(values: ArrayLike<number>): string {
  let s = '[';
  for (let i = 0; i < values.length; i++) s += (i === 0 ? '' : ', ') + javaDouble(values[i]!);
  return s + ']';
}
