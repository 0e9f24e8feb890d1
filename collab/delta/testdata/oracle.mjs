// Oracle for the differential test of package delta: runs quill-delta (the
// copy the frontend installs) on cases read as JSON lines from stdin and
// writes one JSON line per case to stdout: {"r": result} or {"e": message}.
//
// Cases: {"fn": "compose"|"transform"|"transformPosition"|"invert"|"diff"|
// "slice"|"concat"|"push"|"chop"|"length", "a": delta, "b": delta,
// "priority": bool, "index": n, "start": n, "end": n|null, "ops": [op]}.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const Delta = require(join(here, '../../../frontend/node_modules/quill-delta'));

const run = {
  compose: (c) => new Delta(c.a).compose(new Delta(c.b)),
  transform: (c) => new Delta(c.a).transform(new Delta(c.b), c.priority),
  transformPosition: (c) => new Delta(c.a).transformPosition(c.index, c.priority),
  invert: (c) => new Delta(c.a).invert(new Delta(c.b)),
  diff: (c) => new Delta(c.a).diff(new Delta(c.b)),
  slice: (c) => new Delta(c.a).slice(c.start, c.end == null ? Infinity : c.end),
  concat: (c) => new Delta(c.a).concat(new Delta(c.b)),
  push: (c) => c.ops.reduce((d, op) => d.push(op), new Delta()),
  chop: (c) => new Delta(c.a).chop(),
  length: (c) => [new Delta(c.a).length(), new Delta(c.a).changeLength()],
};

const out = [];
for (const line of readFileSync(0, 'utf8').split('\n')) {
  if (line === '') continue;
  const c = JSON.parse(line);
  try {
    const fn = run[c.fn];
    if (!fn) throw new Error(`unknown fn ${c.fn}`);
    out.push(JSON.stringify({ r: fn(c) }));
  } catch (err) {
    out.push(JSON.stringify({ e: String(err && err.message) }));
  }
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
