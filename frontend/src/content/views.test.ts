// The pure parts of the content views: the rows of Oversikt, the target
// areas of Tiltak, the measure block in the text, where "Sett inn tiltak"
// is offered, and the sign-off's status line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Measure, Plan, Section } from '../api/types';
import { setLang } from '../i18n';
import { embedModel, periodText } from './embed';
import { placeOf } from './inserter';
import { planPeriod, targetAreas } from './measures';
import { overviewRows, statusCounts } from './overview';
import { signOffState, signOffText } from './signoff';

function section(id: string, kind: Section['kind'], children: Section[] = [], over: Partial<Section> = {}): Section {
  return { id, title: id.toUpperCase(), kind, status: 'not_started', contributors: [], children, ...over };
}

function measure(id: string, area: string, over: Partial<Measure> = {}): Measure {
  return {
    id,
    seq: 1,
    target_area: area,
    title: `Tiltak ${id}`,
    description: '',
    goals: [],
    unit: '',
    start_year: 2027,
    end_year: 2028,
    priority: 'high',
    target_group: '',
    status: 'planned',
    costs: [],
    ...over,
  };
}

const sections: Section[] = [
  section('intro', 'section', [], { status: 'done', responsible: 'u1', contributors: ['u2', 'gone'] }),
  section('ta1', 'target_area', [
    section('an1', 'analysis', [section('sit1', 'section')]),
    section('act1', 'action', [section('goals1', 'section'), section('tiltak1', 'section', [], { status: 'in_progress' })]),
  ]),
  section('ta2', 'target_area', [section('act2', 'action')]),
];

const plan = {
  id: 'p',
  sections,
  members: [
    { user: 'u1', name: 'Lene Leder', email: 'l@x', roles: ['leader'] },
    { user: 'u2', name: 'Mats Medlem', email: 'm@x', roles: ['member'] },
  ],
  goals: [{ id: 'g1', seq: 1, target_area: 'ta1', title: 'Flere eier', description: '' }],
  strategies: [],
  measures: [
    measure('m1', 'ta1', {
      costs: [
        { year: 2028, investment: 0, operating: 500_000 },
        { year: 2027, investment: 1_500_000, operating: 250_000 },
      ],
    }),
    measure('m2', 'ta2', { start_year: 2029, end_year: 2029 }),
  ],
} as unknown as Plan;

describe('Oversikt', () => {
  it('lists every section in outline order with its depth and the names of its people', () => {
    const rows = overviewRows(plan);
    assert.deepEqual(
      rows.map((r) => [r.id, r.depth]),
      [
        ['intro', 0],
        ['ta1', 0],
        ['an1', 1],
        ['sit1', 2],
        ['act1', 1],
        ['goals1', 2],
        ['tiltak1', 2],
        ['ta2', 0],
        ['act2', 1],
      ],
    );
    assert.equal(rows[0]!.responsible, 'Lene Leder');
    assert.deepEqual(rows[0]!.contributors, ['Mats Medlem', 'gone']);
    assert.equal(rows[1]!.responsible, '');
  });

  it('counts the sections in every status', () => {
    assert.deepEqual(statusCounts(overviewRows(plan)), [
      { status: 'not_started', count: 7 },
      { status: 'in_progress', count: 1 },
      { status: 'ready_for_review', count: 0 },
      { status: 'done', count: 1 },
    ]);
  });
});

describe('Tiltak', () => {
  it('groups goals and measures by target area, in outline order', () => {
    const areas = targetAreas(plan);
    assert.deepEqual(
      areas.map((a) => [a.area.id, a.goals.map((g) => g.id), a.measures.map((m) => m.id)]),
      [
        ['ta1', ['g1'], ['m1']],
        ['ta2', [], ['m2']],
      ],
    );
  });

  it('takes the plan period, or the default for an old plan', () => {
    assert.deepEqual(planPeriod({ period: { from: 2027, to: 2030 } }), { from: 2027, to: 2030 });
    const y = new Date().getFullYear();
    assert.deepEqual(planPeriod({}), { from: y + 1, to: y + 4 });
  });
});

describe('the measure block in the text', () => {
  it('shows the measure as the plan has it, costs by year', () => {
    setLang('nb');
    const m = embedModel(plan, 'm1');
    assert.equal(m.kind, 'measure');
    if (m.kind !== 'measure') return;
    assert.equal(m.period, '2027–2028');
    assert.deepEqual(
      m.costs.map((c) => [c.year, c.total]),
      [
        [2027, 1_750_000],
        [2028, 500_000],
      ],
    );
    assert.deepEqual(m.total, { investment: 1_500_000, operating: 750_000, total: 2_250_000 });
    assert.equal(periodText(2029, 2029), '2029');
  });

  it('says when the measure is gone', () => {
    assert.deepEqual(embedModel(plan, 'nope'), { kind: 'deleted' });
    assert.deepEqual(embedModel({ ...plan, measures: undefined } as unknown as Plan, 'm1'), { kind: 'deleted' });
  });

  it('is offered in the action part of a target area, not elsewhere', () => {
    const area = (id: string) => placeOf(sections, id)?.area?.id ?? null;
    assert.deepEqual([area('tiltak1'), placeOf(sections, 'tiltak1')?.inAction], ['ta1', true]);
    assert.deepEqual([area('act2'), placeOf(sections, 'act2')?.inAction], ['ta2', true]);
    assert.deepEqual([area('sit1'), placeOf(sections, 'sit1')?.inAction], ['ta1', false]);
    assert.deepEqual([area('ta1'), placeOf(sections, 'ta1')?.inAction], ['ta1', false]);
    assert.deepEqual([area('intro'), placeOf(sections, 'intro')?.inAction], [null, false]);
    assert.equal(placeOf(sections, 'missing'), null);
  });
});

describe('the sign-off', () => {
  const signed = { by: 'u1', at: '2027-01-15T09:30:00Z', comment: 'Ser bra ut', seq: 4, hash: 'sha256:x', lapsed: false };

  it('is signed, lapsed or not given', () => {
    assert.equal(signOffState(null), 'none');
    assert.equal(signOffState(undefined), 'none');
    assert.equal(signOffState(signed), 'signed');
    assert.equal(signOffState({ ...signed, lapsed: true }), 'lapsed');
  });

  it('says who signed and when, or since when it no longer holds', () => {
    setLang('nb');
    assert.equal(signOffText(signed, plan.members), 'Økonomisk kvalitetssikret av Lene Leder 15. januar 2027 kl. 10:30');
    assert.equal(signOffText({ ...signed, lapsed: true }, plan.members), 'Kvalitetssikringen gjelder ikke lenger: kostnadene er endret etter 15. januar 2027 kl. 10:30');
    assert.equal(signOffText(null, plan.members), 'Økonomien er ikke kvalitetssikret ennå.');
  });
});
