/**
 * Writes grafana/dashboards/*.json from the generator: `npx tsx grafana/generator/build-dashboards.ts`.
 * The JSON is committed (Grafana provisions it as is); test/grafana/dashboards.test.ts fails when it differs
 * from what this would write, so edit the generator, not the JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboardJson, DASHBOARDS } from './dashboards.js';

export const DASHBOARD_DIR = fileURLToPath(new URL('../dashboards/', import.meta.url));

function main(): void {
  mkdirSync(DASHBOARD_DIR, { recursive: true });
  for (const { file, build } of DASHBOARDS) {
    writeFileSync(`${DASHBOARD_DIR}${file}`, dashboardJson(build()));
    console.log(`wrote grafana/dashboards/${file}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
