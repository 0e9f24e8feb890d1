// The outline in the browser: each section's responsible person, chosen
// by the leader in the section's header and shown in every page's
// outline; the leader reorders sections with Alt+ArrowUp/Down on an
// outline link (read out in the status region, the focus staying on the
// moved section) and by dragging a section before another; the server
// holds the order and the member's page follows live; a member can do
// neither.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, createPlan, loginAs, nb, useServerAndBrowser, userIds, waitFor } from './harness.mjs';

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
});
