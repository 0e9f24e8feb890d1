// The export dialog's words and choices: the formats in their order, the
// versions newest first with the current text on top, and what the live
// region says as a job goes, in bokmål and nynorsk.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setLang } from '../i18n';
import type { ExportJob } from './api';
import { finished, formatChoices, statusText, versionChoices } from './model';

function job(over: Partial<ExportJob>): ExportJob {
  return { id: 'e1', plan: 'p1', format: 'pdf', by: 'u1', status: 'queued', progress: 0, created: '2026-11-28T09:00:00Z', ...over };
}

describe('export dialog', () => {
  it('offers the formats, PDF first', () => {
    setLang('nb');
    assert.deepEqual(
      formatChoices().map((c) => c.value),
      ['pdf', 'docx', 'html', 'xlsx'],
    );
    assert.equal(formatChoices()[3]!.label, 'Regneark med økonomi og målekort (XLSX)');
  });

  it('offers the current text and the versions, newest first, by seq', () => {
    setLang('nb');
    const choices = versionChoices({
      versions: [
        { name: 'Utkast 1', seq: 12, at: '2026-10-01T10:00:00Z', by: 'u1', sections: {} },
        { name: 'Høringsutkast', seq: 40, at: '2027-03-02T10:00:00Z', by: 'u2', sections: {} },
      ],
    });
    assert.deepEqual(
      choices.map((c) => c.value),
      ['', '40', '12'],
    );
    assert.equal(choices[0]!.label, 'Gjeldende tekst');
    assert.match(choices[1]!.label, /^Høringsutkast \(2\. mars 2027\)$/);
    assert.deepEqual(versionChoices({}).map((c) => c.value), ['']);
  });

  it('says where a job stands', () => {
    setLang('nb');
    assert.equal(statusText(job({ status: 'queued' })), 'Eksporten står i kø …');
    assert.equal(statusText(job({ status: 'running', progress: 20 })), 'Lager eksporten … 20 %');
    assert.equal(statusText(job({ status: 'done', progress: 100 })), 'Eksporten er klar.');
    assert.match(statusText(job({ status: 'failed', error: 'export_unavailable' })), /^Eksporten mislyktes: Eksporten kan ikke lages på serveren nå/);
    assert.match(statusText(job({ status: 'failed' })), /^Eksporten mislyktes: Noe gikk galt/);
    setLang('nn');
    assert.equal(statusText(job({ status: 'running', progress: 55 })), 'Lagar eksporten … 55 %');
    setLang('nb');
  });

  it('knows when a job will change no more', () => {
    assert.equal(finished(job({ status: 'queued' })), false);
    assert.equal(finished(job({ status: 'running' })), false);
    assert.equal(finished(job({ status: 'done' })), true);
    assert.equal(finished(job({ status: 'failed' })), true);
  });
});
