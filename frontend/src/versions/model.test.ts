// The Versjoner view's diff rendering: parts with long unchanged text cut
// to its context, <ins>/<del> with visible marks and screen-reader words
// (not colour alone), the measure and cost table, the name rules and who
// may restore what.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatKroner } from '../content/money';
import { setLang } from '../i18n';
import type { PlanDiff, SectionDiff, Segment } from './api';
import { diffParts, measureRows, nameProblem, reasonsText, renderParts, restorable, sectionCounts, shownText, type Builder } from './model';

/** html renders nodes as HTML strings, escaping text, to check the structure. */
const html: Builder<string> = {
  text: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  el: (tag, cls, children, hidden) => `<${tag} class="${cls}"${hidden ? ' aria-hidden="true"' : ''}>${children.join('')}</${tag}>`,
};

const seg = (op: Segment['op'], text: string): Segment => ({ op, text });

function section(over: Partial<SectionDiff> = {}): SectionDiff {
  return {
    id: 's1',
    title: 'Innledning',
    depth: 0,
    change: 'changed',
    renamed: false,
    v_from: 4,
    v_to: 9,
    segments: [seg('equal', 'Kommunen skal bygge '), seg('delete', '20'), seg('insert', '30'), seg('equal', ' nye boliger.\n')],
    words_from: 6,
    words_to: 6,
    inserted: 1,
    deleted: 1,
    share: 1 / 6,
    substantial: false,
    ...over,
  };
}

function diff(over: Partial<PlanDiff> = {}): PlanDiff {
  const zero = { investment: 0, operating: 0, total: 0 };
  return {
    from: { name: 'Høringsutkast', seq: 12, at: '2026-11-01T10:00:00Z', now: false, system: true },
    to: { name: 'now', seq: 30, at: '2026-11-28T10:00:00Z', now: true, system: false },
    sections: [section()],
    goals: [],
    strategies: [],
    measures: [],
    indicators: [],
    milestones: [],
    period_from: { from: 2027, to: 2030 },
    period_to: { from: 2027, to: 2030 },
    costs_from: zero,
    costs_to: zero,
    substantial: false,
    reasons: [],
    ...over,
  };
}

describe('diffParts', () => {
  it('keeps short texts whole and every insert and delete', () => {
    const parts = diffParts(section().segments);
    assert.deepEqual(parts, [
      { kind: 'equal', text: 'Kommunen skal bygge ' },
      { kind: 'delete', text: '20', shown: '20' },
      { kind: 'insert', text: '30', shown: '30' },
      { kind: 'equal', text: ' nye boliger.\n' },
    ]);
  });

  it('cuts long unchanged stretches to the context around the changes', () => {
    const long = 'æ'.repeat(100) + 'ø'.repeat(100);
    const parts = diffParts([seg('equal', long), seg('insert', 'Ny setning.'), seg('equal', long), seg('delete', 'Gammel.'), seg('equal', long)], 10);
    assert.deepEqual(
      parts.map((p) => (p.kind === 'gap' ? `…${p.skipped}…` : `${p.kind}:${p.text}`)),
      [
        '…190…',
        `equal:${'ø'.repeat(10)}`,
        'insert:Ny setning.',
        `equal:${'æ'.repeat(10)}`,
        '…180…',
        `equal:${'ø'.repeat(10)}`,
        'delete:Gammel.',
        `equal:${'æ'.repeat(10)}`,
        '…190…',
      ],
    );
  });

  it('never cuts a surrogate pair in half', () => {
    const parts = diffParts([seg('equal', '🏠'.repeat(200)), seg('insert', 'x')], 5);
    const tail = parts[1];
    assert.ok(tail && tail.kind === 'equal');
    assert.equal(tail.text, '🏠'.repeat(5));
  });

  it('makes a change of white space alone visible', () => {
    assert.equal(shownText('\n'), '¶\n');
    assert.equal(shownText('  '), '··');
    assert.equal(shownText(' ord '), ' ord ');
    assert.deepEqual(diffParts([seg('equal', 'a'), seg('insert', '\n'), seg('equal', 'b')]), [
      { kind: 'equal', text: 'a' },
      { kind: 'insert', text: '\n', shown: '¶\n' },
      { kind: 'equal', text: 'b' },
    ]);
  });
});

describe('renderParts', () => {
  it('renders <ins> and <del> with visible marks and words for screen readers', () => {
    setLang('nb');
    const out = renderParts(diffParts(section().segments), html).join('');
    assert.equal(
      out,
      'Kommunen skal bygge ' +
        '<del class="diff-del"><span class="diff-mark" aria-hidden="true">−</span><span class="visually-hidden">Slettet: </span>20</del>' +
        '<ins class="diff-ins"><span class="diff-mark" aria-hidden="true">+</span><span class="visually-hidden">Lagt til: </span>30</ins>' +
        ' nye boliger.\n',
    );
  });

  it('speaks nynorsk, escapes the text and says what a gap leaves out', () => {
    setLang('nn');
    const out = renderParts(
      diffParts([seg('equal', 'x'.repeat(300)), seg('delete', '<b>Røst</b> & Værøy')], 20),
      html,
    ).join('');
    assert.ok(out.startsWith('<span class="diff-gap">… 280 teikn uendra …</span>'), out);
    assert.ok(out.includes('<span class="visually-hidden">Sletta: </span>&lt;b&gt;Røst&lt;/b&gt; &amp; Værøy</del>'), out);
    setLang('nb');
  });
});

describe('the summary', () => {
  it('counts the words of a section and names the reasons', () => {
    setLang('nb');
    assert.equal(sectionCounts(section()), '1 ord lagt til, 1 ord slettet (17 % av ordene)'.replace(' %', '\u00a0%'));
    assert.equal(reasonsText(['sections', 'measures']), 'teksten i minst én del, tiltak eller kostnader');
  });

  it('puts a measure whose costs changed in the table with its totals before and after', () => {
    setLang('nb');
    const rows = measureRows(
      diff({
        measures: [
          {
            id: 'm1',
            title: 'Startlån til unge',
            change: 'changed',
            fields: [{ field: 'costs', from: [], to: [] }, { field: 'status', from: 'planned', to: 'done' }],
            costs_from: { investment: 1_500_000, operating: 250_000, total: 1_750_000 },
            costs_to: { investment: 2_000_000, operating: 250_000, total: 2_250_000 },
          },
          { id: 'm2', title: 'Nytt tiltak', change: 'added', fields: [], costs_from: null, costs_to: { investment: 0, operating: 0, total: 0 } },
        ],
      }),
    );
    assert.deepEqual(rows[0], {
      id: 'm1',
      title: 'Startlån til unge',
      change: 'Endret',
      fields: 'Kostnader, Status',
      from: `${formatKroner(1_750_000)} kr (investering ${formatKroner(1_500_000)}, drift ${formatKroner(250_000)})`,
      to: `${formatKroner(2_250_000)} kr (investering ${formatKroner(2_000_000)}, drift ${formatKroner(250_000)})`,
      costsChanged: true,
    });
    assert.equal(rows[1]!.from, '–');
    assert.equal(rows[1]!.change, 'Lagt til');
    assert.equal(rows[1]!.costsChanged, false);
  });
});

describe('nameProblem', () => {
  it('says what the server would refuse', () => {
    setLang('nb');
    assert.equal(nameProblem('Utkast 2', ['Utkast 1']), null);
    assert.match(nameProblem('  ', []) ?? '', /./);
    assert.equal(nameProblem('2027', []), 'Navnet kan ikke bare være tall.');
    assert.equal(nameProblem('høringsutkast', []), 'Dette navnet brukes av systemet. Velg et annet.');
    assert.equal(nameProblem('Vedtatt plan (2)', []), 'Dette navnet brukes av systemet. Velg et annet.');
    assert.equal(nameProblem('Nå', []), 'Dette navnet brukes av systemet. Velg et annet.');
    assert.equal(nameProblem('UTKAST 1', ['Utkast 1']), 'Planen har allerede en versjon med dette navnet.');
    assert.equal(nameProblem('æ'.repeat(101), []), 'Navnet kan ha høyst 100 tegn.');
    assert.equal(nameProblem('æ'.repeat(100), []), null);
  });
});

describe('restorable', () => {
  it('offers the leader to restore a changed section from a version compared with now', () => {
    const d = diff();
    assert.equal(restorable(d, section(), true), true);
    assert.equal(restorable(d, section(), false), false, 'not the leader');
    assert.equal(restorable(diff({ to: { ...d.from } }), section(), true), false, 'two versions: nothing to restore now');
    assert.equal(restorable(d, section({ change: 'added', v_from: null }), true), false, 'added since');
    assert.equal(restorable(d, section({ change: 'removed', v_to: null }), true), false, 'removed since');
    assert.equal(restorable(d, section({ renamed: true, segments: [seg('equal', 'Samme tekst.\n')], inserted: 0, deleted: 0 }), true), false, 'only renamed');
  });
});
