// Builds what the browser tests run against: the UI (frontend/dist, unless
// it is newer than every source of it) and the Go binary that embeds it.
// The binary goes to $TEMAPLAN_BIN, default <tmp>/temaplan-e2e/temaplan.
// Set E2E_SKIP_BUILD=1 to use an existing binary as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { binaryPath, frontendDir, repoRoot } from './harness.mjs';

function run(cmd, args, cwd) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`e2e build: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`e2e build: ${cmd} ${args.join(' ')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

// newest returns the latest modification time of the files under p.
function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((f) => newest(path.join(p, f))));
}

function uiIsCurrent() {
  const built = path.join(frontendDir, 'dist', 'index.html');
  if (!existsSync(built)) return false;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package-lock.json'].map((f) => path.join(frontendDir, f));
  sources.push(path.join(repoRoot, 'collab', 'delta', 'formats.json'));
  return statSync(built).mtimeMs >= Math.max(...sources.map(newest));
}

const bin = binaryPath();
if (process.env.E2E_SKIP_BUILD === '1') {
  if (!existsSync(bin)) {
    console.error(`e2e build: E2E_SKIP_BUILD=1 but ${bin} does not exist`);
    process.exit(1);
  }
} else {
  if (uiIsCurrent()) console.log('e2e build: frontend/dist is current');
  else run('npx', ['vite', 'build', '--logLevel', 'warn'], frontendDir);
  mkdirSync(path.dirname(bin), { recursive: true });
  run('go', ['build', '-o', bin, './cmd/temaplan'], repoRoot);
}
