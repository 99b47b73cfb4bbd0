import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaDouble, javaDoubleArray } from '../../../ml-sinks/common/java-format.js';

test("Java's Double.toString layout", () => {
  const cases: [number, string][] = [
    [5.4, '5.4'], [0, '0.0'], [-0, '-0.0'], [1, '1.0'], [100, '100.0'], [0.001, '0.001'], [1e-4, '1.0E-4'],
    [1.5e-5, '1.5E-5'], [1e7, '1.0E7'], [9999999, '9999999.0'], [123456789, '1.23456789E8'], [-2.5e10, '-2.5E10'],
    [NaN, 'NaN'], [Infinity, 'Infinity'], [0.1 + 0.2, '0.30000000000000004'],
  ];
  for (const [d, s] of cases) assert.equal(javaDouble(d), s, String(d));
  assert.equal(javaDoubleArray([5.4, 3.7, 1.5, 0.2]), '[5.4, 3.7, 1.5, 0.2]');
  assert.equal(javaDoubleArray([6, 3, 1, 0]), '[6.0, 3.0, 1.0, 0.0]');
});
