// The hearing and the adoption in the browser (issue 10), as one story
// against the real binary (-demo -demo-clock): the steering group decides
// and starts the hearing in Høring; the public page /h/<token>, in a fresh
// context with nobody signed in, shows the Høringsutkast and the deadline;
// a response is sent there and its receipt shown; the leader, whose Høring
// is open, sees it arrive live and publishes it after a confirmation (a
// second one is rejected: not public, no assessment needed); the
// server's clock moves past the deadline; the steering group, told before
// that the hearing cannot end yet, closes it; the lock is refused while the
// response has no assessment; the leader writes one (Tatt til følge, with
// a reason) and the merknadsbehandling shows it; the steering group locks
// and approves the final proposal; the leader records the council's
// decision without amendments in Vedtak and the plan is adopted; the
// public adopted page /v/<token>, in a fresh context, shows "Vedtatt
// plan"; Versjoner compares Høringsutkast with Vedtatt plan; the leader
// starts the rullering and lands on the new plan, which links back.
// A second test takes a decision with amendments through amending.
// Full-page screenshots: test-results/screenshots/hearing-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ApiFailure, advanceClock, api, createPlan, frontendDir, loginAs, nb, newContext, transition, useServerAndBrowser, waitFor } from './harness.mjs';
import { writeSection } from './wsclient.mjs';

const SHOTS = path.join(frontendDir, 'test-results', 'screenshots');

/** msg fills a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

/** banner is the phase banner when it shows `phase`. */
const banner = (page, phase) => page.locator(`[data-testid="phase-banner"][data-phase="${phase}"]`);

/** alert is the plan page's or a view's error message showing `text`. */
const alert = (page, text) => page.locator('[role="alert"]', { hasText: text });

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** expectRefused runs an API call that must fail with code. */
async function expectRefused(call, code) {
  await assert.rejects(call, (err) => err instanceof ApiFailure && err.code === code);
}

const TEXT = 'Kommunen skal bygge flere boliger for unge i sentrum.';
const RESPONSE = 'Planen bør også nevne boliger for eldre som vil flytte nærmere sentrum.';
const REASON = 'Innspillet er tatt inn: planen nevner nå boliger for eldre.';

describe('the hearing and the adoption', () => {
  let server;
  let browser;
  useServerAndBrowser(
    (s, b) => {
      server = s;
      browser = b;
    },
    { demoClock: true },
  );

  /** The pages of the story, by name: on a failure each is saved as hearing-failure-<name>.png. */
  const pages = new Map();
  it('runs from the steering group’s start of the hearing to the adopted plan and its rullering', async () => {
    try {
      await story();
    } catch (err) {
      for (const [name, page] of pages) await shot(page, `hearing-failure-${name}`).catch(() => {});
      throw err;
    }
  });

  it('takes a decision with amendments: refused dates in the form, the leader writes them in, the steering group confirms them', async () => {
    try {
      await amendments();
    } catch (err) {
      for (const [name, page] of pages) await shot(page, `hearing-failure-${name}`).catch(() => {});
      throw err;
    }
  });

  async function story() {
    // A plan approved for the hearing (Fase 1 over the API; its UI has its own suites).
    const plan = await createPlan(server, 'Boligplan på høring');
    const section = plan.sections[0];
    await writeSection(server, 'leader', plan.id, section.id, [TEXT]);
    await transition(server, 'leader', plan.id, 'submit');
    await transition(server, 'steering', plan.id, 'lock');
    await transition(server, 'steering', plan.id, 'approve');
    await transition(server, 'political', plan.id, 'approve');
    const hoering = `/plans/${plan.id}/hoering`;

    // The steering group decides the form and the bodies, then starts the hearing.
    const steering = await loginAs(server, browser, 'steering', { path: hoering });
    const sp = steering.page;
    pages.set('steering', sp);
    await sp.getByLabel(nb['hearing.form'], { exact: true }).fill('Digitalt på kommunens nettsider og på rådhuset.');
    await sp.getByRole('button', { name: nb['hearing.save'] }).click();
    await sp.getByText(nb['hearing.decided']).first().waitFor();
    const deadlineInput = sp.getByLabel(nb['hearing.deadline'], { exact: true });
    await waitFor(async () => (await deadlineInput.inputValue()) !== '', { message: 'a suggested deadline' });
    await sp.getByRole('button', { name: nb['hearing.start'], exact: true }).click();
    await sp.getByTestId('hearing-start-confirm').click();
    await banner(sp, 'hearing').waitFor();
    const link = sp.getByTestId('hearing-public-link');
    await link.waitFor();
    const publicUrl = await link.getAttribute('href');
    assert.match(new URL(publicUrl).pathname, /^\/h\/[A-Za-z0-9]+$/);
    const { hearing, today } = await api(server, 'leader', 'GET', `/api/plans/${plan.id}/hearing`);
    assert.ok(hearing.deadline, 'the hearing has a deadline');
    // Before the deadline the steering group is told why the hearing cannot end yet.
    await sp.getByTestId('hearing-not-over').waitFor();
    assert.equal(await sp.getByTestId('hearing-close').count(), 0);
    await expectRefused(api(server, 'steering', 'POST', `/api/plans/${plan.id}/hearing/close`), 'hearing_not_over');

    // The leader follows the hearing in Høring.
    const leader = await loginAs(server, browser, 'leader', { path: hoering });
    const lp = leader.page;
    pages.set('leader', lp);
    await lp.getByTestId('responses-live').waitFor();
    assert.equal(await lp.getByTestId('response').count(), 0);

    // The public page, with nobody signed in: the Høringsutkast and the deadline.
    const publicCtx = await newContext(browser, 'public');
    const pub = await publicCtx.newPage();
    pages.set('public', pub);
    const res = await pub.goto(publicUrl);
    assert.equal(res.status(), 200);
    await pub.locator('h1', { hasText: plan.title }).waitFor();
    const header = await pub.locator('header').textContent();
    assert.match(header, /Høringsutkast/);
    const [y, m, d] = hearing.deadline.split('-');
    const deadlineForms = [hearing.deadline, `${d}.${m}.${y}`, new Intl.DateTimeFormat('nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(+y, +m - 1, +d)))];
    assert.ok(deadlineForms.some((f) => header.includes(f)), `the deadline (${hearing.deadline}) in the header: ${header}`);
    assert.ok((await pub.locator('article').textContent()).includes(TEXT), 'the frozen text is on the page');
    assert.equal(await pub.getByText('Lene Leder').count(), 0, 'no member names on the public page');
    await shot(pub, 'hearing-public');

    // A response is sent there; the receipt is shown.
    await pub.getByLabel('Navn (frivillig)').fill('Kari Innbygger');
    await pub.getByLabel('Organisasjon (frivillig)').fill('Sentrum velforening');
    await pub.getByLabel('Gjelder del av planen (frivillig)').selectOption(section.id);
    await pub.getByLabel('Innspill', { exact: true }).fill(RESPONSE);
    await pub.getByRole('button', { name: 'Send innspill' }).click();
    const receiptEl = pub.locator('.receipt strong');
    await receiptEl.waitFor();
    const receipt = (await receiptEl.textContent()).trim();
    assert.match(receipt, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await shot(pub, 'hearing-public-receipt');

    // The leader sees it arrive without a reload, with its journal metadata.
    const card = lp.locator(`[data-testid="response"][data-receipt="${receipt}"]`);
    await card.waitFor({ timeout: 20_000 });
    const meta = await card.locator('dl').textContent();
    for (const want of ['Kari Innbygger', 'Sentrum velforening', section.title, receipt]) assert.ok(meta.includes(want), `${want} in ${meta}`);
    assert.ok((await card.textContent()).includes(RESPONSE));
    assert.equal(await card.getAttribute('data-moderation'), '');
    // It needs an assessment (the form is there at once, for the leader).
    assert.equal(await lp.getByTestId('assessments-missing').getAttribute('data-missing'), '1');

    // Published after a confirmation.
    await card.getByTestId('response-publish').click();
    await lp.getByTestId('moderation-dialog-confirm').click();
    await lp.locator(`[data-testid="response"][data-receipt="${receipt}"][data-moderation="published"]`).waitFor();
    await pub.goto(publicUrl);
    assert.ok((await pub.locator('body').textContent()).includes(RESPONSE), 'the published response is on the public page');

    // A second response is rejected after a confirmation: it is not published and needs no assessment.
    await pub.getByLabel('Innspill', { exact: true }).fill('Dette er reklame for et firma.');
    await pub.getByRole('button', { name: 'Send innspill' }).click();
    await pub.locator('.receipt strong').waitFor();
    const spam = (await pub.locator('.receipt strong').textContent()).trim();
    const spamCard = lp.locator(`[data-testid="response"][data-receipt="${spam}"]`);
    await spamCard.waitFor();
    await lp.locator('[data-testid="assessments-missing"][data-missing="2"]').waitFor();
    await spamCard.getByTestId('response-reject').click();
    await lp.getByTestId('moderation-dialog').getByText(msg('hearing.rejectHeading', { receipt: spam })).waitFor();
    await lp.getByTestId('moderation-dialog-confirm').click();
    await lp.locator(`[data-testid="response"][data-receipt="${spam}"][data-moderation="rejected"]`).waitFor();
    await lp.locator('[data-testid="assessments-missing"][data-missing="1"]').waitFor();
    assert.equal(await spamCard.getByTestId('assessment-form').count(), 0, 'no assessment of a rejected response');
    await pub.goto(publicUrl);
    assert.ok(!(await pub.locator('body').textContent()).includes('reklame'), 'the rejected response is not public');

    // The clock passes the deadline; the steering group closes the hearing.
    const days = Math.round((Date.parse(`${hearing.deadline}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000) + 2;
    await advanceClock(server, days);
    await sp.reload();
    await sp.getByTestId('hearing-close').click();
    await sp.getByTestId('hearing-close-dialog-confirm').click();
    await banner(sp, 'processing').waitFor();
    await banner(lp, 'processing').waitFor();

    // The lock waits for the assessment.
    await sp.getByTestId('action-lock').click();
    await sp.getByTestId('lock-dialog-confirm').click();
    await alert(sp, nb['error.assessments_missing']).waitFor();
    assert.equal((await api(server, 'leader', 'GET', `/api/plans/${plan.id}`)).phase, 'processing');

    // The leader writes the assessment; the count and the merknadsbehandling follow.
    const form = lp.locator(`[data-testid="response"][data-receipt="${receipt}"] [data-testid="assessment-form"]`);
    await form.getByTestId('assessment-save').click();
    await form.getByText(nb['assessment.outcomeRequired']).waitFor();
    await form.getByLabel(nb['assessment.outcome.taken'], { exact: true }).check();
    await form.getByLabel(nb['assessment.reason']).fill(REASON);
    await form.getByTestId('assessment-save').click();
    await lp.locator('[data-testid="assessments-missing"][data-missing="0"]').waitFor();
    const row = lp.locator(`[data-testid="assessment-table"] tr[data-receipt="${receipt}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId('assessment-outcome').textContent(), nb['assessment.outcome.taken']);
    assert.ok((await row.textContent()).includes(REASON));
    const table = await api(server, 'member', 'GET', `/api/plans/${plan.id}/hearing/assessments`);
    assert.equal(table.missing, 0);
    await shot(lp, 'hearing-processing');
    // The downloads go with the access token: the archive's responses and the merknadsbehandling.
    const download = async (testid) => {
      const [file] = await Promise.all([lp.waitForEvent('download'), lp.getByTestId(testid).click()]);
      return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
    };
    const csv = await download('export-assessments-csv');
    assert.equal(csv.name, 'merknadsbehandling.csv');
    assert.ok(csv.text.includes(receipt) && csv.text.includes(REASON), csv.text);
    const json = await download('export-responses-json');
    assert.ok(json.text.includes(RESPONSE), json.text);
    // The leader writes the assessment into the text (processing is editable).
    await writeSection(server, 'leader', plan.id, section.id, ['', 'Kommunen skal også legge til rette for boliger for eldre.']);

    // The steering group locks and approves the final proposal.
    await sp.reload();
    await sp.getByTestId('action-lock').click();
    await sp.getByTestId('lock-dialog-confirm').click();
    await banner(sp, 'final_review').waitFor();
    const approve = sp.getByTestId('action-approve');
    assert.equal(await approve.textContent(), nb['action.approveFinal']);
    await approve.click();
    await sp.locator('[data-testid="approvals"] li[data-role="steering"][data-approved="true"]').waitFor();

    // The leader records the council's decision without amendments.
    await lp.goto(`${server.url}/plans/${plan.id}/vedtak`);
    const dform = lp.getByTestId('decision-form');
    await dform.waitFor();
    assert.equal(await lp.getByLabel(nb['adoption.body']).inputValue(), 'Kommunestyret');
    await waitFor(async () => (await lp.getByLabel(nb['adoption.date']).inputValue()) !== '', { message: "the decision's date from the server" });
    await lp.getByTestId('decision-submit').click();
    await dform.getByText(nb['decision.caseRequired']).waitFor();
    await lp.getByLabel(nb['adoption.caseNumber']).fill('2026/123');
    await lp.getByTestId('decision-submit').click();
    await lp.getByTestId('decision-dialog-confirm').click();
    await banner(lp, 'adopted').waitFor();
    const decision = lp.getByTestId('decision');
    await decision.waitFor();
    assert.match(await decision.textContent(), /Kommunestyret/);
    assert.match(await decision.textContent(), /2026\/123/);
    await banner(sp, 'adopted').waitFor();

    // The public adopted page, with nobody signed in.
    const adoptedLink = lp.getByTestId('adopted-public-link');
    await adoptedLink.waitFor();
    const adoptedUrl = await adoptedLink.getAttribute('href');
    assert.match(new URL(adoptedUrl).pathname, /^\/v\/[A-Za-z0-9]+$/);
    const adoptedCtx = await newContext(browser, 'public-adopted');
    const ap = await adoptedCtx.newPage();
    pages.set('adopted', ap);
    const ares = await ap.goto(adoptedUrl);
    assert.equal(ares.status(), 200);
    await ap.getByText('Vedtatt plan').first().waitFor();
    assert.ok((await ap.locator('body').textContent()).includes(TEXT));
    await shot(ap, 'hearing-adopted-public');
    await shot(lp, 'hearing-vedtak');

    // Versjoner compares the Høringsutkast with the Vedtatt plan.
    await lp.goto(`${server.url}/plans/${plan.id}/versjoner`);
    const versions = await api(server, 'leader', 'GET', `/api/plans/${plan.id}/versions`);
    const seqOf = (name) => versions.items.find((v) => v.name === name)?.seq;
    assert.ok(seqOf('Høringsutkast') && seqOf('Vedtatt plan'), `both versions: ${versions.items.map((v) => v.name)}`);
    await lp.getByTestId('diff-from').selectOption(String(seqOf('Høringsutkast')));
    await lp.getByTestId('diff-to').selectOption(String(seqOf('Vedtatt plan')));
    await lp.getByTestId('diff-show').click();
    await lp.getByTestId('diff-result').getByText(msg('versions.diff.heading', { from: 'Høringsutkast', to: 'Vedtatt plan' })).waitFor();
    const changed = lp.locator(`[data-testid="diff-result"] [data-testid="diff-section"][data-section="${section.id}"]`);
    await changed.waitFor();
    assert.match((await changed.locator('ins.diff-ins').allTextContents()).join(' '), /eldre/);
    await shot(lp, 'hearing-versions-diff');

    // The rullering: a new plan in draft that links back.
    await lp.goto(`${server.url}/plans/${plan.id}/vedtak`);
    await lp.getByTestId('start-rullering').click();
    await lp.getByTestId('rullering-dialog-confirm').click();
    await waitFor(() => !lp.url().includes(plan.id), { message: 'the new plan' });
    await banner(lp, 'draft').waitFor();
    const back = lp.getByTestId('banner-links').getByRole('link', { name: msg('banner.previous', { title: plan.title }) });
    await back.waitFor();
    const next = await api(server, 'leader', 'GET', `/api/plans/${new URL(lp.url()).pathname.split('/')[2]}`);
    assert.equal(next.phase, 'draft');
    assert.equal(next.previous?.plan_id, plan.id);

    await publicCtx.close();
    await adoptedCtx.close();
    await steering.context.close();
    await leader.context.close();
  }

  /** finalProposal takes a new plan over the API through the hearing to the steering group's approval of the final proposal. */
  async function finalProposal(title) {
    const plan = await createPlan(server, title);
    const section = plan.sections[0];
    await writeSection(server, 'leader', plan.id, section.id, [TEXT]);
    await transition(server, 'leader', plan.id, 'submit');
    await transition(server, 'steering', plan.id, 'lock');
    await transition(server, 'steering', plan.id, 'approve');
    await transition(server, 'political', plan.id, 'approve');
    await api(server, 'steering', 'PUT', `/api/plans/${plan.id}/hearing`, { form: 'Digitalt.' });
    await api(server, 'steering', 'POST', `/api/plans/${plan.id}/hearing/start`, { weeks: 6 });
    const h = await api(server, 'leader', 'GET', `/api/plans/${plan.id}/hearing`);
    const posted = await fetch(server.url + h.path, { method: 'POST', body: new URLSearchParams({ name: 'Ola', text: RESPONSE }) });
    assert.equal(posted.status, 200);
    const days = Math.round((Date.parse(`${h.hearing.deadline}T00:00:00Z`) - Date.parse(`${h.today}T00:00:00Z`)) / 86_400_000) + 2;
    await advanceClock(server, days);
    await api(server, 'steering', 'POST', `/api/plans/${plan.id}/hearing/close`);
    const { items } = await api(server, 'member', 'GET', `/api/plans/${plan.id}/hearing/responses`);
    for (const r of items) await api(server, 'member', 'PUT', `/api/plans/${plan.id}/hearing/responses/${r.id}/assessment`, { outcome: 'not', reason: 'Ligger utenfor planens tema.' });
    await transition(server, 'steering', plan.id, 'lock');
    return { plan, section };
  }

  async function amendments() {
    const { plan, section } = await finalProposal('Boligplan med endringer');
    const vedtak = `/plans/${plan.id}/vedtak`;
    const leader = await loginAs(server, browser, 'leader', { path: vedtak });
    const lp = leader.page;
    pages.set('leader-amend', lp);
    // Before the steering group's approval there is no form, only the reason.
    await lp.getByTestId('approval-missing').waitFor();
    assert.equal(await lp.getByTestId('decision-form').count(), 0);
    await expectRefused(api(server, 'leader', 'POST', `/api/plans/${plan.id}/decision`, { date: '2020-01-01', body: 'Kommunestyret', case_number: '1', amendments: '' }), 'approval_missing');
    await transition(server, 'steering', plan.id, 'approve');
    const form = lp.getByTestId('decision-form');
    await form.waitFor();

    // The form checks the date as the server does: not after the server's today.
    const date = lp.getByLabel(nb['adoption.date']);
    await waitFor(async () => (await date.inputValue()) !== '', { message: "the decision's date from the server" });
    const today = await date.inputValue();
    const later = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await date.fill(later);
    await lp.getByLabel(nb['adoption.caseNumber']).fill('2027/7');
    await lp.getByTestId('decision-submit').click();
    await form.getByText(nb['decision.dateFuture']).waitFor();
    assert.equal(await date.getAttribute('aria-invalid'), 'true');
    assert.equal(await date.evaluate((el) => el === document.activeElement), true, 'the focus goes to the field to fix');
    await date.fill(today);
    await lp.getByLabel(nb['adoption.body']).fill('Bystyret');
    await lp.getByLabel(nb['adoption.amendmentsLabel']).fill('Punkt 1: boliger for eldre skal nevnes.');
    // Keyboard only: Enter in a field sends the form, the dialog's confirmation by keyboard.
    await lp.getByLabel(nb['adoption.caseNumber']).press('Enter');
    await lp.getByTestId('decision-dialog').waitFor();
    await lp.getByTestId('decision-dialog-confirm').focus();
    await lp.keyboard.press('Enter');
    await banner(lp, 'amending').waitFor();
    const decision = lp.getByTestId('decision');
    await decision.waitFor();
    assert.match(await decision.textContent(), /Bystyret/);
    assert.match(await decision.textContent(), /boliger for eldre skal nevnes/);

    // The leader writes the amendment in; the steering group confirms it.
    await writeSection(server, 'leader', plan.id, section.id, ['', 'Kommunen skal også nevne boliger for eldre.']);
    const steering = await loginAs(server, browser, 'steering', { path: vedtak });
    const sp = steering.page;
    pages.set('steering-amend', sp);
    assert.equal(await sp.getByTestId('action-approve').textContent(), nb['action.confirmAmendments']);
    await sp.getByTestId('confirm-amendments').click();
    await sp.getByTestId('amendments-dialog-confirm').click();
    await banner(sp, 'adopted').waitFor();
    await banner(lp, 'adopted').waitFor();
    await lp.getByTestId('adopted-public-link').waitFor();
    await shot(sp, 'hearing-vedtak-amended');
    await steering.context.close();
    await leader.context.close();
  }
});
