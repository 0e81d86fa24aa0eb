/**
 * The files of a run directory (DESIGN §6). run-start.json is written before any load and run.json once at the
 * end, last of all: a directory with the first and not the second is a run that never ended (killed).
 */
export const RUN_FILES = {
  start: 'run-start.json',
  run: 'run.json',
  requests: 'requests.jsonl',
  resources: 'resources.jsonl',
  windows: 'windows.jsonl',
  reportMd: 'report.md',
  reportHtml: 'report.html',
} as const;
