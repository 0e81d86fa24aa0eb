import test from 'ava';
import { readFileSync } from 'node:fs';
import {
  NVIDIA_SMI_QUERY_FIELDS,
  parseCsvHeader,
  parseCsvNumber,
  parseCsvRow,
  parseQueryLine,
  toGpuReading,
} from '../../../collectors/resources/gpu/nvidia-smi-csv.js';
import { describeThrottleReasons, gpuPoint } from '../../../collectors/resources/gpu/gpu-reading.js';

// The real captures from an H200 (driver 580.159.04); see their README.
const FIXTURES = new URL('../../fixtures/nvidia-smi/', import.meta.url);
const lines = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8').trim().split('\n');

function readings(name: string) {
  const [header, ...rows] = lines(name);
  const fields = parseCsvHeader(header!);
  return rows.map((row) => toGpuReading(parseCsvRow(row, fields)!)!);
}

test('the idle capture: unit-suffixed and bare rows give the exact reported values', (t) => {
  const [withUnits, bare] = readings('query_idle.csv');
  t.deepEqual(withUnits, {
    index: 0,
    name: 'NVIDIA H200',
    util_pct: 0,
    mem_util_pct: 0,
    mem_used_mib: 0,
    mem_total_mib: 143771,
    power_w: 107.99,
    power_limit_w: 700,
    temp_c: 35,
    sm_clock_mhz: 375,
    mem_clock_mhz: 3201,
    throttle_reasons_mask: 1,
  });
  t.is(bare!.power_w, 106.13);
  t.is(bare!.sm_clock_mhz, 345);
  t.is(describeThrottleReasons(bare!.throttle_reasons_mask!), 'gpu_idle');
});

test('the load capture: every row parses, from idle to 99 % at 693.59 W under the power cap', (t) => {
  const load = readings('query_load.csv');
  t.is(load.length, 20);
  t.deepEqual(
    load.map((reading) => reading.util_pct),
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 84, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99],
  );
  const loaded = load[11]!;
  t.like(loaded, {
    util_pct: 99,
    mem_util_pct: 24,
    mem_used_mib: 1139,
    mem_total_mib: 143771,
    power_w: 693.59,
    power_limit_w: 700,
    temp_c: 55,
    sm_clock_mhz: 1500,
    mem_clock_mhz: 3201,
    throttle_reasons_mask: 4,
  });
  t.is(describeThrottleReasons(loaded.throttle_reasons_mask!), 'sw_power_cap');
  t.is(load[4]!.throttle_reasons_mask, 0);
});

test('[N/A], N/A and other bracketed driver messages become null in every column of the all-fields capture', (t) => {
  const [header, row] = lines('all-fields.csv');
  const fields = parseCsvHeader(header!);
  t.is(fields.length, 188);
  const cells = parseCsvRow(row!, fields)!;
  // 45 × "[N/A]", 1 "[Requested functionality has been deprecated]", 9 bare "N/A" (fabric.*), 1 empty serial.
  t.is(Object.values(cells).filter((cell) => cell === null).length, 56);
  t.is(cells['fabric.state'], null);
  t.is(cells['fan.speed'], null);
  t.is(cells['display_mode'], null); // "[Requested functionality has been deprecated]"
  t.is(cells['power.draw'], '78.56 W');
  const reading = toGpuReading(cells)!;
  t.is(reading.power_w, 78.56);
  t.is(reading.sm_clock_mhz, 345);
});

test('a null field is left out of the gpu point, not written as 0', (t) => {
  const fields = ['index', 'name', 'utilization.gpu', 'power.draw', 'temperature.gpu'];
  const reading = toGpuReading(parseCsvRow('1, NVIDIA H200, 37, [Not Supported], [N/A]', fields)!)!;
  t.deepEqual(reading, { index: 1, name: 'NVIDIA H200', util_pct: 37 });
  const point = gpuPoint(reading, { run_id: 'r1', host: 'h' }, 1000.5);
  t.deepEqual(point, {
    measurement: 'gpu',
    tags: { run_id: 'r1', host: 'h', gpu: '1', name: 'NVIDIA H200' },
    fields: { util_pct: 37 },
    time_ms: 1000.5,
  });
});

test('the sampler query line parses in its own field order', (t) => {
  t.is(NVIDIA_SMI_QUERY_FIELDS.length, 12);
  const reading = parseQueryLine('0, NVIDIA H200, 99, 25, 1139, 143771, 517.55, 700.00, 55, 1500, 3201, 0x0000000000000004')!;
  t.like(reading, { index: 0, util_pct: 99, mem_used_mib: 1139, power_w: 517.55, throttle_reasons_mask: 4 });
  t.is(parseQueryLine('No devices were found'), undefined);
  t.is(parseQueryLine('0, NVIDIA H200, 99'), undefined);
});

const numbers = test.macro((t, cell: string | null, expected: number | undefined) => {
  t.is(parseCsvNumber(cell), expected);
});
test('number "107.99 W"', numbers, '107.99 W', 107.99);
test('number "0 %"', numbers, '0 %', 0);
test('number "143771 MiB"', numbers, '143771 MiB', 143771);
test('number "1980 MHz"', numbers, '1980 MHz', 1980);
test('number hex mask', numbers, '0x00000000000000A4', 0xa4);
test('number null', numbers, null, undefined);
test('number P0 is not a number', numbers, 'P0', undefined);

const reasons = test.macro((t, mask: number, expected: string) => {
  t.is(describeThrottleReasons(mask), expected);
});
test('throttle none', reasons, 0, 'none');
test('throttle several', reasons, 0x4 | 0x40, 'sw_power_cap|hw_thermal_slowdown');
test('throttle unknown bit shown as hex', reasons, 0x1000 | 0x1, 'gpu_idle|0x1000');
