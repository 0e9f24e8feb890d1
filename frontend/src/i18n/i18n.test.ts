import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalogue, LANGS, setLang, t } from './index';

// The error codes of the registry in collab/errors.go.
function serverCodes(): string[] {
  const src = readFileSync(fileURLToPath(new URL('../../../collab/errors.go', import.meta.url)), 'utf8');
  return [...src.matchAll(/Code\w+\s+Code\s*=\s*"([a-z_]+)"/g)].map((m) => m[1]!);
}

describe('message catalogues', () => {
  it('have a message for every error code of the server', () => {
    const codes = serverCodes();
    assert.ok(codes.length >= 17, `found ${codes.length} codes`);
    for (const l of LANGS) {
      for (const code of codes) {
        const msg = catalogue(l)[`error.${code}`];
        assert.ok(msg && msg.trim(), `${l} lacks error.${code}`);
      }
    }
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
