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

test('view() joins the chunks once; pushes after it go on from there', (t) => {
  const column = new Float64Column(2);
  for (let i = 0; i < 50_000; i++) column.push(i);
  const first = column.view();
  t.is(first.length, 50_000);
  t.is(first[49_999], 49_999);
  t.is(column.view().buffer, first.buffer, 'joined once, not again');
  column.push(-1);
  const second = column.view();
  t.is(second.length, 50_001);
  t.is(second[50_000], -1);
  t.is(second[12_345], 12_345);
});
