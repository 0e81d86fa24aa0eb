import test from 'ava';
import { exponential, gammaVariate, mixSeed, mulberry32 } from '../../../pipeline/load/random.js';
import { cvOf, meanOf } from './helpers.js';

const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

test('mulberry32 is deterministic per seed and differs between seeds', (t) => {
  t.deepEqual(draw(5, mulberry32(7)), draw(5, mulberry32(7)));
  t.notDeepEqual(draw(5, mulberry32(7)), draw(5, mulberry32(8)));
  t.true(draw(10_000, mulberry32(1)).every((u) => u >= 0 && u < 1));
});

test('mulberry32 is uniform: mean 1/2, variance 1/12', (t) => {
  const values = draw(100_000, mulberry32(3));
  const mean = meanOf(values);
  t.true(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  const variance = meanOf(values.map((u) => (u - mean) ** 2));
  t.true(Math.abs(variance - 1 / 12) < 0.001, `variance ${variance}`);
});

test('mixSeed gives distinct sub-streams', (t) => {
  const seeds = new Set(Array.from({ length: 1000 }, (_, i) => mixSeed(42, i)));
  t.is(seeds.size, 1000);
  t.not(mixSeed(1, 0), mixSeed(2, 0));
  t.is(mixSeed(42, 3), mixSeed(42, 3));
});

test('exponential has mean 1 and CV 1', (t) => {
  const random = mulberry32(11);
  const values = draw(100_000, () => exponential(random));
  t.true(Math.abs(meanOf(values) - 1) < 0.02);
  t.true(Math.abs(cvOf(values) - 1) < 0.02);
});

const gammaMoments = test.macro({
  exec(t, shape: number) {
    const random = mulberry32(5);
    const values = draw(200_000, () => gammaVariate(random, shape));
    t.true(values.every((v) => v >= 0));
    // Gamma(k, 1): mean k, CV 1/√k.
    t.true(Math.abs(meanOf(values) / shape - 1) < 0.02, `mean ${meanOf(values)}`);
    t.true(Math.abs(cvOf(values) * Math.sqrt(shape) - 1) < 0.03, `cv ${cvOf(values)}`);
  },
  title: (_, shape) => `gamma(${shape}) has mean k and CV 1/√k`,
});
for (const shape of [0.25, 0.5, 1, 2, 10]) test(gammaMoments, shape);

test('gamma refuses a non-positive shape', (t) => {
  t.throws(() => gammaVariate(mulberry32(1), 0), { instanceOf: RangeError });
});
