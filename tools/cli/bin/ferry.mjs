#!/usr/bin/env node
// Runs the built CLI; from a fresh clone (not built yet) it runs the sources through tsx.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (existsSync(built)) {
  await import(built);
} else {
  const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  // tsx is resolved from here, not from the current directory, so ferry works from any folder.
  const tsx = import.meta.resolve('tsx');
  const result = spawnSync(process.execPath, ['--conditions=@ferry/source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
