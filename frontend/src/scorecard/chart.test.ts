import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Indicator } from '../api/types';
import { setLang } from '../i18n';
import { chartLabel } from './chart';

const ind = (reports: Indicator['reports']): Indicator => ({
  id: 'i',
  seq: 1,
  goal: 'g',
  name: 'Bostedsløse',
  definition: '',
  unit: 'antall',
  baseline: { value: 48, year: 2024 },
  targets: [
    { year: 2030, value: 20 },
    { year: 2027, value: 35.5 },
  ],
  source: '',
  frequency: 'yearly',
  responsible: '',
  reports,
  status: 'no_data',
});

const report = (date: string, value: number) => ({ id: date, date, value, note: '', by: 'u', at: '' });

describe('chartLabel', () => {
  it('says in one sentence what the chart shows: baseline, targets in year order, the reports and the latest', () => {
    setLang('nb');
    const nb = '\u00a0';
    assert.equal(
      chartLabel(ind([])),
      `Diagram for Bostedsløse. Utgangsverdi 48${nb}antall i 2024. Mål: 35,5${nb}antall i 2027, 20${nb}antall i 2030. Ingen verdier er rapportert.`,
    );
    assert.match(chartLabel(ind([report('2025-11-30', 47)])), /Én rapportert verdi: 47\u00a0antall \(30\.11\.2025\)\.$/);
    assert.match(chartLabel(ind([report('2026-11-30', 44), report('2025-11-30', 47)])), /2 rapporterte verdier, den siste 44\u00a0antall \(30\.11\.2026\)\.$/);
  });
});
