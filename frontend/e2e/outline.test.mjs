// The outline in the browser: each section's responsible person, chosen
// by the leader in the section's header and shown in every page's
// outline; the leader reorders sections with Alt+ArrowUp/Down on an
// outline link (read out in the status region, the focus staying on the
// moved section) and by dragging a section before another; the server
// holds the order and the member's page follows live; a member can do
// neither.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, axeViolations, createPlan, editorText, loginAs, nb, sectionPath, serverText, useServerAndBrowser, userIds, waitEditor, waitFor } from './harness.mjs';

/** msg fills a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

/** top returns the titles of the outline's top level. */
function top(page) {
  return page.locator('nav.outline ol.tree:not(.sub) > li > a .title').allTextContents();
}

/** link is a section's link in the outline, by its title. */
const link = (page, title) => page.locator('nav.outline a', { has: page.locator('.title', { hasText: new RegExp(`^${title}$`) }) });

async function serverTop(server, plan) {
  return (await api(server, 'admin', 'GET', `/api/plans/${plan}`)).sections.map((s) => s.title);
}

const TOP = ['Innledning', 'Føringer', 'Generell boligutvikling', 'Boligsosiale forhold', 'Organisering og boligforvaltning', 'Målekort og oppfølging', 'Økonomiske konsekvenser'];

describe('outline', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('shows who is responsible, and lets the leader reorder by keyboard and by drag and drop', async () => {
    const plan = await createPlan(server, 'Rekkefølgeplanen');
    const ids = await userIds(server);
    // Tall enough that a drag in the outline needs no scrolling.
    const leader = await loginAs(server, browser, 'leader', { path: `/plans/${plan.id}`, contextOptions: { viewport: { width: 1280, height: 1600 } } });
    const member = await loginAs(server, browser, 'member', { path: `/plans/${plan.id}` });
    try {
      const page = leader.page;
      await page.locator('nav.outline .outline-tree > ol').waitFor();
      assert.deepEqual(await top(page), TOP);

      // The leader makes Mats Medlem responsible for the introduction.
      await link(page, 'Innledning').click();
      await page.getByRole('heading', { level: 2, name: 'Innledning' }).waitFor();
      await page.getByLabel(nb['outline.responsibleLabel'], { exact: true }).selectOption({ label: 'Mats Medlem' });
      const shown = msg('outline.responsible', { name: 'Mats Medlem' });
      await link(page, 'Innledning').getByTestId('outline-responsible').filter({ hasText: shown }).waitFor();
      await link(member.page, 'Innledning').getByTestId('outline-responsible').filter({ hasText: shown }).waitFor();
      assert.equal((await api(server, 'admin', 'GET', `/api/plans/${plan.id}`)).sections[0].responsible, ids.member);

      // Alt+ArrowDown on the link moves the section one down; the status region says where.
      const hint = await link(page, 'Innledning').getAttribute('aria-describedby');
      assert.equal(await page.locator(`#${hint}`).textContent(), nb['outline.reorderHint']);
      await link(page, 'Innledning').focus();
      await page.keyboard.press('Alt+ArrowDown');
      await page.locator('.page-plan p.notice[role="status"]', { hasText: msg('outline.moved', { title: 'Innledning', index: 2, count: 7 }) }).waitFor();
      const moved = ['Føringer', 'Innledning', ...TOP.slice(2)];
      assert.deepEqual(await top(page), moved);
      assert.equal(await page.evaluate(() => document.activeElement?.querySelector('.title')?.textContent), 'Innledning', 'the focus stays on the moved section');
      assert.deepEqual(await serverTop(server, plan.id), moved);
      await waitFor(async () => JSON.stringify(await top(member.page)) === JSON.stringify(moved), { message: "the member's outline to follow" });
      // And back up; at the top, Alt+ArrowUp does nothing.
      await page.keyboard.press('Alt+ArrowUp');
      await waitFor(async () => JSON.stringify(await top(page)) === JSON.stringify(TOP), { message: 'Innledning back at the top' });
      await page.keyboard.press('Alt+ArrowUp');
      assert.deepEqual(await serverTop(server, plan.id), TOP);

      // Drag «Generell boligutvikling» onto the upper half of «Føringer»: it goes before it.
      await link(page, 'Generell boligutvikling').dragTo(link(page, 'Føringer'), { targetPosition: { x: 10, y: 2 } });
      const dragged = ['Innledning', 'Generell boligutvikling', 'Føringer', ...TOP.slice(3)];
      await waitFor(async () => JSON.stringify(await top(page)) === JSON.stringify(dragged), { message: 'the dragged section before Føringer' });
      assert.deepEqual(await serverTop(server, plan.id), dragged);
      await page.locator('.page-plan p.notice[role="status"]', { hasText: msg('outline.moved', { title: 'Generell boligutvikling', index: 2, count: 7 }) }).waitFor();
      await waitFor(async () => JSON.stringify(await top(member.page)) === JSON.stringify(dragged), { message: "the member's outline to follow the drag" });
      await page.screenshot({ path: 'test-results/screenshots/outline-leader.png', fullPage: true });

      // A sub-section dropped on another parent's section stays where it is.
      await link(page, 'Nasjonale føringer').dragTo(link(page, 'Innledning'), { targetPosition: { x: 10, y: 2 } });
      assert.deepEqual(await serverTop(server, plan.id), dragged);

      // The member: nothing to drag, no hint, and the keys move nothing.
      assert.equal(await link(member.page, 'Innledning').getAttribute('draggable'), null);
      assert.equal(await member.page.locator('.outline-hint').count(), 0);
      await link(member.page, 'Innledning').focus();
      await member.page.keyboard.press('Alt+ArrowDown');
      await member.page.waitForTimeout(300);
      assert.deepEqual(await serverTop(server, plan.id), dragged);
    } finally {
      await leader.context.close();
      await member.context.close();
    }
  });

  it('shows the whole plan as one scrolling document, each section in its own editor, with the outline in view', async () => {
    const plan = await createPlan(server, 'Dokumentplanen');
    const foringer = plan.sections[1];
    const boligsosial = plan.sections[3];
    let count = 0;
    const walk = (list) => list.forEach((x) => (count++, walk(x.children ?? [])));
    walk(plan.sections);
    // bypassCSP: axe is injected as a script.
    const leader = await loginAs(server, browser, 'leader', { path: `/plans/${plan.id}`, contextOptions: { bypassCSP: true } });
    const member = await loginAs(server, browser, 'member', { path: sectionPath(plan.id, foringer.id) });
    try {
      const page = leader.page;
      await waitEditor(member.page, { editable: false });
      const toggle = page.getByTestId('document-mode');
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      const doc = page.getByTestId('document-view');
      const parts = doc.getByTestId('doc-section');
      await waitFor(async () => (await parts.count()) === count, { message: `${count} sections in the document` });
      assert.deepEqual(
        (await parts.evaluateAll((els) => els.slice(0, 3).map((el) => el.querySelector(':scope > :is(h2,h3,h4)').firstChild.textContent))),
        ['Innledning', 'Føringer', 'Nasjonale føringer'],
      );
      // Every section's own editor, editable for the leader.
      const part = (id) => doc.locator(`[data-testid="doc-section"][data-section="${id}"]`);
      await part(foringer.id).locator('.editor[data-readonly="false"] .ql-editor[contenteditable="true"]').waitFor();
      assert.equal(await doc.locator('.ql-editor').count(), count);
      await waitFor(async () => (await doc.locator('.save-status[data-state="loading"]').count()) === 0, { message: 'every text loaded' });
      assert.deepEqual(await axeViolations(page), [], 'the document view');

      // The leader writes in «Føringer» from the document; the member's single section shows it.
      await part(foringer.id).locator('.ql-editor').click();
      await page.keyboard.type('Skrevet i dokumentvisningen.');
      await part(foringer.id).locator('.editor[data-pending="false"] .save-status[data-state="saved"]').waitFor();
      await waitFor(async () => (await serverText(server, plan.id, foringer.id)) === 'Skrevet i dokumentvisningen.\n', { message: 'the text on the server' });
      await waitFor(async () => (await editorText(member.page)) === 'Skrevet i dokumentvisningen.\n', { message: 'the member to see it' });
      // (the member's page is the single section: editorText reads its one editor)
      // (An opened empty section gets its final newline, as in the single view.)
      assert.equal((await serverText(server, plan.id, plan.sections[0].id)).trim(), '', 'the other sections are untouched');

      // The member turns the document on too: the leader's cursor is in the «Føringer» editor.
      await member.page.getByTestId('document-mode').click();
      const memberDoc = member.page.getByTestId('document-view');
      await memberDoc.locator(`[data-testid="doc-section"][data-section="${foringer.id}"] .editor[data-readonly="true"]`).waitFor();
      await page.keyboard.type(' Mer.');
      await memberDoc
        .locator(`[data-testid="doc-section"][data-section="${foringer.id}"] .ql-cursor .ql-cursor-name`, { hasText: 'Lene Leder' })
        .waitFor({ state: 'attached' });
      assert.equal(await memberDoc.locator('.ql-cursor').count(), 1, 'one cursor, in that section only');

      // A link in the outline scrolls to its section; the outline stays in view.
      await page.locator('nav.outline a', { has: page.locator('.title', { hasText: /^Boligsosiale forhold$/ }) }).click();
      await waitFor(() => page.evaluate((id) => document.activeElement?.id === `doc-head-${id}`, boligsosial.id), { message: 'the focus on its heading' });
      const headTop = await part(boligsosial.id).evaluate((el) => el.getBoundingClientRect().top);
      assert.ok(headTop >= 0 && headTop < 50, `the section at the top of the window (${headTop})`);
      const outlineTop = await page.locator('nav.outline').evaluate((el) => el.getBoundingClientRect().top);
      assert.ok(await page.evaluate(() => window.scrollY > 0), 'the page scrolled');
      assert.ok(outlineTop >= -1 && outlineTop < 50, `the outline sticks at the top (${outlineTop})`);
      await page.screenshot({ path: 'test-results/screenshots/document-mode.png' });

      // The tab remembers the choice over a reload.
      await page.reload();
      await doc.waitFor();
      assert.equal(await page.getByTestId('document-mode').getAttribute('aria-pressed'), 'true');
      await part(foringer.id).locator('.editor[data-readonly="false"]').waitFor();

      // Off again: one section's editor.
      await toggle.click();
      await doc.waitFor({ state: 'detached' });
      await waitEditor(page);
      assert.equal(await page.locator('.ql-editor').count(), 1);
    } finally {
      await leader.context.close();
      await member.context.close();
    }
  });
});
