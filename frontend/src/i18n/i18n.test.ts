import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalogue, LANGS, setLang, t } from './index';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

// goSources lists the Go files of the server (not tests, not the UI's node_modules).
function goSources(dir = repo): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'frontend' || e.name === 'testdata') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...goSources(p));
    else if (e.name.endsWith('.go') && !e.name.endsWith('_test.go')) out.push(p);
  }
  return out;
}

/**
 * serverCodes reads, from the Go source as it is now, every error code the
 * API can answer: the constants of type Code (collab/errors.go and any
 * other), codes written as literals (collab.Code("…"), Errorf("…", …)),
 * and it fails on a Code… name used anywhere that no constant defines —
 * so a new code cannot reach a person without a Norwegian message.
 */
function serverCodes(): { codes: Set<string>; names: Map<string, string>; unresolved: string[] } {
  const names = new Map<string, string>();
  const codes = new Set<string>();
  const used = new Set<string>();
  for (const file of goSources()) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\b(Code\w+)\s+(?:collab\.)?Code\s*=\s*"([a-z0-9_]+)"/g)) names.set(m[1]!, m[2]!);
    for (const m of src.matchAll(/\b(?:collab\.)?Code\("([a-z0-9_]+)"\)/g)) codes.add(m[1]!);
    for (const m of src.matchAll(/\b(?:collab\.)?(?:Errorf|Wrap)\(\s*"([a-z0-9_]+)"/g)) codes.add(m[1]!);
    for (const m of src.matchAll(/\bcollab\.(Code[A-Z]\w*)\b/g)) used.add(m[1]!);
  }
  for (const code of names.values()) codes.add(code);
  const unresolved = [...used].filter((n) => !names.has(n) && !/^Codes?$/.test(n));
  return { codes, names, unresolved };
}

describe('message catalogues', () => {
  it('have a message for every error code of the server', () => {
    const { codes, names, unresolved } = serverCodes();
    assert.ok(names.size >= 29, `found ${names.size} code constants`);
    assert.deepEqual(unresolved, [], 'every code the server uses is a constant the test can read');
    // The registry of collab/errors.go is among them.
    const registry = readFileSync(path.join(repo, 'collab', 'errors.go'), 'utf8');
    for (const m of registry.matchAll(/\b(Code\w+)\s+Code\s*=/g)) assert.ok(names.has(m[1]!), m[1]);
    for (const l of LANGS) {
      const missing = [...codes].filter((code) => !catalogue(l)[`error.${code}`]?.trim());
      assert.deepEqual(missing, [], `${l} lacks a message for these error codes`);
    }
  });

  it('have the messages the client itself shows for a failure without a code', () => {
    for (const l of LANGS) for (const key of ['error.generic', 'error.network']) assert.ok(catalogue(l)[key]?.trim(), `${l} ${key}`);
  });

  it('have the same keys and the same placeholders in every language', () => {
    const nb = catalogue('nb');
    for (const l of LANGS) {
      const c = catalogue(l);
      assert.deepEqual(Object.keys(c).sort(), Object.keys(nb).sort(), l);
      for (const [k, v] of Object.entries(nb)) {
        const ph = (s: string) => [...s.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();
        assert.deepEqual(ph(c[k]!), ph(v), `${l} ${k}`);
      }
    }
  });

  it('are flat objects of strings', () => {
    for (const l of LANGS) {
      const raw = JSON.parse(readFileSync(fileURLToPath(new URL(`./${l}.json`, import.meta.url)), 'utf8'));
      for (const [k, v] of Object.entries(raw)) assert.equal(typeof v, 'string', `${l} ${k}`);
    }
  });

  it('fills in placeholders', () => {
    setLang('nb');
    assert.equal(t('presence.you', { name: 'Kari' }), 'Kari (deg)');
    setLang('nn');
    assert.equal(t('save.saved'), 'Alle endringar er lagra');
    setLang('nb');
    assert.equal(t('save.saved'), 'Alle endringer er lagret');
  });
});
