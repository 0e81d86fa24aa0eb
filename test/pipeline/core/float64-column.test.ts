import test from 'ava';
import { Float64Column } from '../../../pipeline/core/float64-column.js';

test('a Float64Column keeps every value in order across its growth steps', (t) => {
  const column = new Float64Column(4);
  const values = Array.from({ length: 10_000 }, (_, i) => i * 0.5 - 7);
  for (const value of values) column.push(value);
  t.is(column.length, values.length);
  t.deepEqual([...column.view()], values);
  t.true(column.view() instanceof Float64Array);
  t.is(new Float64Column().view().length, 0);
});
