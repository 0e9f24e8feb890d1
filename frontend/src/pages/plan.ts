// The plan page: the phase banner (phase, approvals, the transitions the
// user may ask for), the outline (live, from the plan's events), the tabs
// of the plan's parts, the editor of the selected section or the view of
// the selected tab (pages/views.ts), structure actions, and who is here.
// What the user may do comes from the server (plan.you.actions): editors
// are read-only and structure actions absent unless it says otherwise, and
// every plan event that is not about sections re-fetches the plan, so a
// lock, a return or a changed role shows in every tab at once.
import { ApiError, type Api } from '../api/client';
import { SECTION_STATUSES, type Me, type Plan, type Section, type SectionStatus, type Suggestion, type Thread } from '../api/types';
import type { DocSync } from '../collab/docsync';
import type { Session } from '../collab/session';
import { confirmDialog, promptText } from '../dialog';
import { h, replace, uniqueId } from '../dom';
import { MeasureEmbeds } from '../content/embed';
import { MeasureInserter } from '../content/inserter';
import { DocumentView } from '../editor/document';
import { SectionEditor } from '../editor/editor';
import { ExportControl } from '../export/dialog';
import { lang, t, type MessageKey } from '../i18n';
import { PresenceTracker, initials, type Peer } from '../presence/presence';
import { SectionChecks } from '../process/sectionchecks';
import { ReviewController } from '../review/controller';
import { applyEvent, findSection, PLAN_NEUTRAL_EVENTS, walk, type MoveTarget } from './outline';
import { movedText, outlineTree, responsibleSelect } from './outlinetree';
import { kindText, municipalityText, phaseText, problemText, roleText, statusText, typeText } from './labels';
import { approvals, bannerActions, bannerLinks, can, readOnlyReason, sortRoles, type BannerAction } from './phase';
import { planPath, viewPath, type Page, type Route, type Router } from './router';
import { VIEW_ACTIONS, VIEW_NAMES, type PlanView, type ViewContext, type ViewFactory, type ViewName } from './views';

/**
 * The views of the plan page's tabs, by name, each loaded when it is first
 * opened (a chunk of its own): the page with a section's text, which most
 * people open first, does not wait for the code of every view.
 */
const VIEWS: Partial<Record<ViewName, () => Promise<ViewFactory | undefined>>> = {
  oversikt: () => import('../content/overview').then((m) => m.overviewView),
  tiltak: () => import('../content/measures').then((m) => m.measuresView),
  malekort: () => import('../scorecard/view').then((m) => m.scorecardView),
  okonomi: () => import('../content/economics').then((m) => m.economicsView),
  fremdrift: () => import('../process/views').then((m) => m.processViews.fremdrift),
  personvern: () => import('../process/views').then((m) => m.processViews.personvern),
  klarsprak: () => import('../process/views').then((m) => m.processViews.klarsprak),
  versjoner: () => import('../versions/view').then((m) => m.versionsView),
  hoering: () => import('../hearing/view').then((m) => m.hearingView),
  vedtak: () => import('../adoption/view').then((m) => m.adoptionView),
  medlemmer: () => import('../members/view').then((m) => m.membersView),
  logg: () => import('../members/view').then((m) => m.auditView),
};

/** The tab remembers whether the Tekst tab shows the whole plan as one document. */
const DOC_MODE_KEY = 'temaplan.documentMode';

/** How long after the last change of the text the section's checks run again (ms). */
const CHECKS_IDLE = 1500;

export class PlanPage implements Page {
  readonly element: HTMLElement;
  private plan: Plan | null = null;
  private selected: string | null;
  private editor: SectionEditor | null = null;
  private editorDoc: string | null = null;
  /** The review (comments, suggestions, history) of the section in the editor. */
  private review: ReviewController | null = null;
  /** The klarspråk and personvern checks over the section in the editor. */
  private checks: SectionChecks | null = null;
  private checksTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubContent: (() => void) | null = null;
  /** The measures shown live in the section's text. */
  private embeds: MeasureEmbeds | null = null;
  /** The leader's "Sett inn tiltak" of the section in the editor. */
  private inserter: MeasureInserter | null = null;
  /** A range to show once the section's text is there (ViewContext.openSection). */
  private pendingReveal: { section: string; range: { index: number; length: number } } | null = null;
  /** The selected tab's view (null: the text). */
  private view: ViewName | null;
  private viewInst: { name: ViewName; view: PlanView } | null = null;
  /** The view whose code is being loaded. */
  private viewLoading: ViewName | null = null;
  /** The section the Tekst tab leads back to. */
  private lastSection: string | null;
  private readonly tabsEl: HTMLElement;
  /** The header's "Eksporter" (export/dialog.ts). */
  private readonly exporter: ExportControl;
  private readonly badgeEl: HTMLElement;
  private readonly headerEl: HTMLElement;
  private readonly bannerEl: HTMLElement;
  private readonly outlineActionsEl: HTMLElement;
  private readonly noticeEl: HTMLElement;
  private readonly alertEl: HTMLElement;
  private readonly outlineEl: HTMLElement;
  private readonly paneEl: HTMLElement;
  private readonly presenceEl: HTMLElement;
  private readonly tracker: PresenceTracker;
  private unsubPlan: (() => void) | null = null;
  private reloading: Promise<void> | null = null;
  /** An event came while a reload was under way: its answer may predate it. */
  private reloadAgain = false;
  /** A transition is under way (its buttons are disabled). */
  private acting = false;
  /** The plan seq at which held changes were last sent again. */
  private resumedAt = -1;
  private alive = true;
  private presenceFrame = 0;
  /** The plan subscription has been opened once (a later opening is a reconnect). */
  private planOpened = false;
  /** The section of the address, subscribed before the plan is here (its text loads meanwhile). */
  private earlyDoc: { section: string; sync: DocSync } | null = null;
  /** The review of the address's section, asked for beside the plan. */
  private earlyReview: { section: string; review: Promise<[Thread[], Suggestion[]]> } | null = null;
  /** The review on screen was fetched before the plan: it is fetched again once the plan is followed. */
  private reviewEarly = false;
  /** What the list of people here shows (it is drawn again only when that changes). */
  private presenceKey = '';
  /** The Tekst tab shows every section as one scrolling document (editor/document.ts). */
  private docMode = storedDocMode();
  private docView: DocumentView | null = null;
  /** The section the document was last scrolled to. */
  private docRevealed: string | null = null;
  private readonly docToggle: HTMLButtonElement;

  constructor(
    private readonly router: Router,
    private readonly session: Session,
    private readonly api: Api,
    private readonly me: Me,
    private readonly planId: string,
    section: string | null,
    view: ViewName | null,
  ) {
    this.selected = section;
    this.lastSection = section;
    this.view = section ? null : view;
    this.headerEl = h('header', { class: 'plan-header' }, h('h1', { tabindex: '-1' }, t('plan.loading')));
    this.exporter = new ExportControl(api, planId);
    this.badgeEl = h('p', { class: 'plan-badges', hidden: true });
    this.tabsEl = this.renderTabs();
    this.updateTabs();
    this.bannerEl = h('section', { class: 'phase-banner', 'data-testid': 'phase-banner', hidden: true });
    this.outlineActionsEl = h('p', { class: 'outline-actions' });
    this.noticeEl = h('p', { class: 'notice', role: 'status' });
    this.alertEl = h('p', { class: 'error', role: 'alert' });
    this.outlineEl = h('div', { class: 'outline-tree' });
    this.paneEl = h('section', { class: 'section-pane', 'aria-label': t('plan.select') });
    this.presenceEl = h('ul', { class: 'peers' });
    this.docToggle = h(
      'button',
      { type: 'button', class: 'doc-toggle', 'aria-pressed': String(this.docMode), 'data-testid': 'document-mode', onclick: () => this.toggleDocument() },
      t('plan.documentMode'),
    );
    const outlineHead = uniqueId('outline');
    const presenceHead = uniqueId('presence');
    this.element = h(
      'div',
      { class: this.docMode ? 'page page-plan doc-mode' : 'page page-plan' },
      h('p', { class: 'back' }, h('a', { href: '/', 'data-link': '' }, `← ${t('plan.back')}`)),
      this.headerEl,
      this.badgeEl,
      this.bannerEl,
      this.alertEl,
      this.noticeEl,
      this.tabsEl,
      h(
        'div',
        { class: 'plan-layout' },
        h(
          'nav',
          { class: 'outline', 'aria-labelledby': outlineHead },
          h('h2', { id: outlineHead, tabindex: '-1' }, t('plan.outline')),
          h('p', { class: 'doc-mode' }, this.docToggle),
          this.outlineEl,
          this.outlineActionsEl,
        ),
        this.paneEl,
        h('aside', { class: 'presence', 'aria-labelledby': presenceHead }, h('h2', { id: presenceHead }, t('presence.heading')), this.presenceEl),
      ),
    );
    this.tracker = new PresenceTracker(this.session, planId, session.clientId, () => this.schedulePresence());
    // The section's text and review are fetched at once, beside the plan, not after it.
    if (section) {
      this.earlyDoc = { section, sync: session.openDoc(planId, section) };
      const review = Promise.all([api.comments(planId, { section }), api.suggestions(planId, { section })]);
      review.catch(() => {}); // the panel reports it, if it takes it
      this.earlyReview = { section, review };
    }
    this.renderPresence();
    void this.load();
  }

  update(route: Route): boolean {
    if (route.name !== 'plan' || route.plan !== this.planId) return false;
    this.select(route.section, route.view);
    return true;
  }

  destroy(): void {
    if (!this.alive) return;
    this.alive = false;
    this.dropEarlyDoc();
    if (this.presenceFrame) cancelAnimationFrame(this.presenceFrame);
    this.unsubPlan?.();
    this.exporter.destroy();
    this.tracker.destroy();
    this.closeView();
    this.closeEditor();
    this.closeDocument();
  }

  // Loading and live updates.

  private async load(): Promise<void> {
    try {
      const plan = await this.api.getPlan(this.planId);
      if (!this.alive) return;
      this.setPlan(plan, true);
      this.unsubPlan = this.session.subscribePlan(this.planId, () => this.plan?.seq ?? 0, {
        event: (e) => {
          if (!this.plan) return;
          // Comments and suggestions are fetched by the review of the open section.
          this.review?.onEvent(e.kind);
          if (e.seq > this.plan.seq && !e.kind.startsWith('section.') && !PLAN_NEUTRAL_EVENTS.has(e.kind)) {
            // Phase, approvals, members, ...: what the user may do may have
            // changed, and only the server knows what.
            void this.reload();
            return;
          }
          const next = applyEvent(this.plan, e);
          if (next) {
            if (next !== this.plan) this.setPlan(next);
          } else {
            void this.reload();
          }
        },
        presence: (p) => this.tracker.handle(p),
        opened: () => {
          this.tracker.clearPeers();
          this.tracker.subscribed();
          // After a reconnect the review may have missed events; the first
          // subscription starts at the plan the review was fetched after —
          // unless it was fetched beside the plan, when a comment made
          // between the two answers would be in neither.
          if (this.planOpened || this.reviewEarly) void this.review?.refresh();
          this.planOpened = true;
          this.reviewEarly = false;
        },
        error: (e) => {
          if (e.code === 'forbidden') this.revoked();
        },
      });
    } catch (err) {
      if (!this.alive) return;
      replace(this.headerEl, h('h1', { tabindex: '-1' }, t('notfound.heading')));
      this.alertEl.textContent = problemText(err);
    }
  }

  private reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = this.api
      .getPlan(this.planId)
      .then((p) => {
        if (this.alive) this.setPlan(p, true);
      })
      .catch((err) => {
        if (!this.alive) return;
        if (err instanceof ApiError && (err.code === 'forbidden' || err.code === 'not_found')) this.revoked();
        else this.alertEl.textContent = problemText(err);
      })
      .finally(() => {
        this.reloading = null;
        if (this.reloadAgain && this.alive) {
          this.reloadAgain = false;
          void this.reload();
        }
      });
    return this.reloading;
  }

  // revoked leaves a plan the user may no longer see (their membership was
  // taken away): nothing of it stays on the screen.
  private revoked(): void {
    if (!this.alive) return;
    const title = this.plan?.title ?? '';
    this.destroy();
    this.router.navigate('/', { replace: true, notice: t('plan.revoked', { title }) });
  }

  /** setPlan shows the plan; fetched says it came from the server (not an event applied here). */
  private setPlan(plan: Plan, fetched = false): void {
    if (this.plan && plan.seq < this.plan.seq) return; // an older answer
    // A section event applied here keeps what only a fetch brings.
    if (this.plan && !plan.you) plan = { ...plan, you: this.plan.you, members: this.plan.members, approvals: this.plan.approvals };
    const before = this.plan;
    this.plan = plan;
    // Someone else moved the plan on (a lock, a return, an approval, the
    // draft submitted): the status region says so, as the banner changes.
    if (before && before.phase !== plan.phase) this.noticeEl.textContent = t('plan.live.phase', { phase: phaseText(plan.phase) });
    else if (before && !before.submitted && plan.submitted) this.noticeEl.textContent = t('plan.live.submitted');
    const h1 = this.headerEl.querySelector('h1');
    const hadFocus = document.activeElement === h1;
    const exportFocused = document.activeElement === this.exporter.element;
    this.exporter.update(plan);
    replace(
      this.headerEl,
      h('h1', { tabindex: '-1' }, plan.title),
      h('p', { class: 'meta' }, t('plan.meta', { municipality: municipalityText(plan.municipality, this.me), type: typeText(plan.type), phase: phaseText(plan.phase) })),
      plan.archived ? h('p', { class: 'notice archived-notice', 'data-testid': 'archived-notice' }, t('plan.archived')) : null,
      this.renderRoles(plan),
      h('p', { class: 'plan-actions' }, this.exporter.element),
    );
    if (exportFocused) this.exporter.element.focus();
    this.renderBadges(plan);
    this.showTabs(plan);
    this.renderBanner();
    this.renderOutlineActions();
    if (fetched && can(plan, 'edit_text') && plan.seq !== this.resumedAt) {
      // The server says the plan is open for editing: changes a lock held
      // go out now (once per plan state: should they be refused again,
      // the next change of the plan brings the next try).
      this.resumedAt = plan.seq;
      this.session.resumeAfterLock(plan.id);
    }
    if (hadFocus) (this.headerEl.querySelector('h1') as HTMLElement | null)?.focus();
    document.title = `${plan.title} – ${t('app.title')}`;
    if (this.selected && !findSection(plan.sections, this.selected)) {
      // The section was deleted (here or by someone else).
      this.alertEl.textContent = t('error.not_found');
      this.router.navigate(planPath(this.planId), { replace: true });
      return;
    }
    this.renderOutline();
    this.renderPane();
    this.viewInst?.view.update(plan);
    this.embeds?.render();
  }

  // The outline.

  private renderOutline(): void {
    const plan = this.plan;
    if (!plan) return;
    const active = document.activeElement;
    const focusedHref = active instanceof HTMLAnchorElement && this.outlineEl.contains(active) ? active.getAttribute('href') : null;
    const reorder = can(plan, 'edit_structure') ? (id: string, to: MoveTarget) => void this.moveTo(id, to) : null;
    replace(this.outlineEl, outlineTree({ plan, selected: this.selected, reorder }));
    if (focusedHref) (this.outlineEl.querySelector(`a[href="${CSS.escape(focusedHref)}"]`) as HTMLElement | null)?.focus();
  }

  private select(section: string | null, view: ViewName | null = null): void {
    if (section) view = null;
    if (section === this.selected && view === this.view) return;
    this.selected = section;
    this.view = view;
    if (section) this.lastSection = section;
    this.updateTabs();
    this.renderOutline();
    this.renderPane();
  }

  // The tabs: Tekst (the section editor) and the plan's views.

  private renderTabs(): HTMLElement {
    return h(
      'nav',
      { class: 'plan-tabs', 'aria-label': t('views.nav'), 'data-testid': 'plan-tabs' },
      h(
        'ul',
        null,
        h('li', null, h('a', { href: planPath(this.planId, this.lastSection), 'data-link': '', dataset: { tab: 'tekst' } }, t('views.tekst'))),
        // A view for some only (the audit log) shows its tab once the plan says who may.
        VIEW_NAMES.map((v) => h('li', { hidden: VIEW_ACTIONS[v] !== undefined }, h('a', { href: viewPath(this.planId, v), 'data-link': '', dataset: { tab: v } }, t(`views.${v}` as MessageKey)))),
      ),
    );
  }

  // updateTabs marks the selected tab (in place, so the focus stays on it).
  private updateTabs(): void {
    const current = this.view ?? 'tekst';
    for (const a of this.tabsEl.querySelectorAll<HTMLAnchorElement>('a[data-tab]')) {
      if (a.dataset.tab === current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
      if (a.dataset.tab === 'tekst') a.setAttribute('href', planPath(this.planId, this.lastSection));
    }
  }

  // showTabs hides the tabs of views the user may not open (the audit log).
  private showTabs(plan: Plan): void {
    for (const a of this.tabsEl.querySelectorAll<HTMLAnchorElement>('a[data-tab]')) {
      const need = VIEW_ACTIONS[a.dataset.tab as ViewName];
      if (need) a.parentElement!.hidden = !can(plan, need);
    }
  }

  // The badges under the title: the economics sign-off that no longer holds.
  private renderBadges(plan: Plan): void {
    const lapsed = plan.economics_signoff?.lapsed === true;
    this.badgeEl.hidden = !lapsed;
    replace(
      this.badgeEl,
      lapsed
        ? h('a', { class: 'badge badge-warning', href: viewPath(plan.id, 'okonomi'), 'data-link': '', 'data-testid': 'signoff-lapsed-badge' }, t('content.signoff.badge'))
        : null,
    );
  }

  // The selected view.

  private viewContext(): ViewContext {
    return {
      api: this.api,
      me: this.me,
      planId: this.planId,
      plan: () => this.plan!,
      reload: () => this.reload(),
      openSection: (section, range) => {
        this.pendingReveal = range ? { section, range } : null;
        if (this.selected === section) this.takeReveal();
        else this.router.navigate(planPath(this.planId, section));
      },
      announce: (text) => {
        this.noticeEl.textContent = text;
      },
      navigate: (path, notice) => this.router.navigate(path, notice ? { notice } : undefined),
    };
  }

  private renderView(plan: Plan, name: ViewName): void {
    this.closeEditor();
    this.tracker.update('', 0, 0);
    // The view is a region named by its own heading: the pane around it
    // takes no name, or there would be two regions of the same name.
    this.paneEl.removeAttribute('aria-labelledby');
    this.paneEl.removeAttribute('aria-label');
    if (this.viewInst?.name === name || this.viewLoading === name) return;
    this.closeView();
    const load = VIEWS[name];
    if (!load) {
      replace(this.paneEl, h('p', { class: 'hint' }, t('views.missing')));
      return;
    }
    this.viewLoading = name;
    replace(this.paneEl, h('p', { class: 'hint', 'aria-busy': 'true' }, t('app.loading')));
    load()
      .then((factory) => {
        // Another view or a section may have been chosen meanwhile.
        if (!this.alive || this.viewLoading !== name) return;
        this.viewLoading = null;
        if (!factory) {
          replace(this.paneEl, h('p', { class: 'hint' }, t('views.missing')));
          return;
        }
        const view = factory(this.viewContext());
        this.viewInst = { name, view };
        replace(this.paneEl, view.element);
        view.update(this.plan ?? plan);
      })
      .catch(() => {
        if (!this.alive || this.viewLoading !== name) return;
        this.viewLoading = null;
        replace(this.paneEl, h('p', { class: 'error', role: 'alert' }, t('error.network')));
      });
  }

  private closeView(): void {
    this.viewLoading = null;
    if (!this.viewInst) return;
    const { view } = this.viewInst;
    this.viewInst = null;
    view.destroy();
    view.element.remove();
  }

  // takeReveal shows the range openSection asked for in the open section
  // (the checks wait for its text to load).
  private takeReveal(): void {
    const want = this.pendingReveal;
    if (!want || !this.checks || want.section !== this.editorDoc) return;
    this.pendingReveal = null;
    this.checks.reveal(want.range);
  }

  private renderPane(): void {
    const plan = this.plan;
    if (!plan) return;
    if (this.view) {
      this.closeDocument();
      this.renderView(plan, this.view);
      return;
    }
    this.closeView();
    if (this.docMode) {
      this.renderDocument(plan);
      return;
    }
    this.closeDocument();
    const found = this.selected ? findSection(plan.sections, this.selected) : null;
    if (!found) {
      this.closeEditor();
      this.tracker.update('', 0, 0);
      replace(this.paneEl, h('p', { class: 'hint' }, t('plan.select')));
      this.paneEl.setAttribute('aria-label', t('plan.select'));
      return;
    }
    const s = found.section;
    const headId = `section-head-${s.id}`;
    this.paneEl.removeAttribute('aria-label');
    this.paneEl.setAttribute('aria-labelledby', headId);
    const statusId = uniqueId('status');
    const statusSelect = h(
      'select',
      { id: statusId, dataset: { action: 'status' }, onchange: () => void this.setStatus(s.id, statusSelect.value as SectionStatus) },
      SECTION_STATUSES.map((st) => h('option', { value: st, selected: st === s.status }, statusText(st))),
    );
    const header = h(
      'header',
      { class: 'section-header' },
      h('p', { class: 'kind' }, kindText(s.kind)),
      h('h2', { id: headId, tabindex: '-1' }, s.title),
      can(plan, 'edit_structure') ? this.sectionActions(s, found.index, found.list.length, statusSelect, statusId) : h('p', { class: 'section-status' }, h('span', { class: `status status-${s.status}` }, statusText(s.status))),
    );
    if (this.editorDoc !== s.id) {
      this.closeEditor();
      const editor = new SectionEditor({
        title: s.title,
        onSelection: (r) => this.tracker.update(s.id, r?.index ?? 0, r?.length ?? 0),
        // The phase or the user's roles changed under them: show what holds now.
        onRefused: (code) => {
          if (code === 'locked' || code === 'forbidden') void this.reload();
        },
      });
      editor.setAllowed(can(plan, 'edit_text'));
      const sync = this.takeEarlyDoc(s.id) ?? this.session.openDoc(plan.id, s.id);
      editor.bind(sync);
      this.editor = editor;
      this.editorDoc = s.id;
      const early = this.earlyReview?.section === s.id ? this.earlyReview.review : undefined;
      this.earlyReview = null;
      this.reviewEarly = early !== undefined && !this.planOpened;
      this.review = new ReviewController({ api: this.api, me: this.me, plan, section: s.id, editor, timeline: sync, prefetched: early });
      // The section's tools: the leader's "Sett inn tiltak", the checks' toggles.
      const tools = h('div', { class: 'section-tools', role: 'group', 'aria-label': t('content.sectionTools') });
      this.inserter = new MeasureInserter({ quill: editor.quill, section: s.id, plan: () => this.plan, announce: (text) => (this.noticeEl.textContent = text) });
      tools.append(this.inserter.element);
      const host = h('div', { class: 'checks-layer' });
      editor.quill.container.append(host);
      this.checks = new SectionChecks({ api: this.api, planId: plan.id, section: s.id, quill: editor.quill, host, bar: tools });
      this.embeds = new MeasureEmbeds(editor.quill.root, () => this.plan);
      this.unsubContent = editor.onContent(() => {
        this.embeds?.schedule();
        if (this.checksTimer) clearTimeout(this.checksTimer);
        this.checksTimer = setTimeout(() => {
          this.checksTimer = null;
          this.checks?.refresh();
        }, CHECKS_IDLE);
      });
      this.tracker.update(s.id, 0, 0);
      replace(this.paneEl, header, tools, this.review.element);
      this.renderCursors();
      this.takeReveal();
      // A link to a thread (#thread-<id>, from the list of required changes) opens it.
      const linked = /^#thread-(.+)$/.exec(location.hash);
      if (linked) this.review.focusThread(decodeURIComponent(linked[1]!));
    } else {
      // Same section, new title or status: keep the focus where it was.
      const old = this.paneEl.firstElementChild!;
      const action = old.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.action : undefined;
      this.paneEl.replaceChild(header, old);
      if (action) {
        const again = header.querySelector<HTMLElement>(`[data-action="${action}"]`);
        if (again && !(again as HTMLButtonElement).disabled) again.focus();
        else (header.querySelector('h2') as HTMLElement | null)?.focus();
      }
      this.editor?.quill.root.setAttribute('aria-label', t('editor.label', { title: s.title }));
      this.editor?.setAllowed(can(plan, 'edit_text'));
      this.review?.setPlan(plan);
      this.inserter?.update();
    }
  }

  // The whole plan as one document (the Tekst tab's toggle).

  private toggleDocument(): void {
    this.docMode = !this.docMode;
    try {
      if (this.docMode) sessionStorage.setItem(DOC_MODE_KEY, '1');
      else sessionStorage.removeItem(DOC_MODE_KEY);
    } catch {
      // Storage may be disabled: the choice lasts for this page.
    }
    this.docToggle.setAttribute('aria-pressed', String(this.docMode));
    this.element.classList.toggle('doc-mode', this.docMode);
    this.docRevealed = null;
    if (this.view) this.router.navigate(planPath(this.planId, this.lastSection));
    else this.renderPane();
  }

  private renderDocument(plan: Plan): void {
    this.closeEditor();
    this.dropEarlyDoc();
    this.paneEl.removeAttribute('aria-labelledby');
    this.paneEl.setAttribute('aria-label', t('plan.documentMode'));
    if (!this.docView) {
      this.docView = new DocumentView({
        open: (section) => this.session.openDoc(plan.id, section),
        close: (section) => this.session.closeDoc(section),
        onSelection: (section, r) => this.tracker.update(section, r?.index ?? 0, r?.length ?? 0),
        onRefused: (code) => {
          if (code === 'locked' || code === 'forbidden') void this.reload();
        },
      });
      replace(this.paneEl, this.docView.element);
    }
    this.docView.update(plan, can(plan, 'edit_text'));
    if (this.selected && this.selected !== this.docRevealed) {
      this.docRevealed = this.selected;
      this.docView.reveal(this.selected);
    }
  }

  private closeDocument(): void {
    if (!this.docView) return;
    this.docView.destroy();
    this.docView = null;
    this.docRevealed = null;
  }

  // The user's roles in the plan (and administrator, held per account).

  private renderRoles(plan: Plan): HTMLElement {
    const roles = sortRoles([...(plan.you?.roles ?? plan.roles ?? []), ...(this.me.admin ? ['admin'] : [])]);
    const headId = uniqueId('roles');
    return h(
      'div',
      { class: 'my-roles' },
      h('span', { id: headId, class: 'label' }, `${t('roles.label')}:`),
      ' ',
      roles.length > 0
        ? h(
            'ul',
            { class: 'role-list', 'aria-labelledby': headId, 'data-testid': 'role-list' },
            roles.map((r) => h('li', { dataset: { role: r } }, roleText(r))),
          )
        : h('span', { class: 'role-list', 'data-testid': 'role-list' }, t('roles.none')),
    );
  }

  // The phase banner.

  private renderBanner(): void {
    const plan = this.plan;
    if (!plan) return;
    const el = this.bannerEl;
    const hadFocus = el.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.testid : undefined;
    const headId = uniqueId('banner');
    el.hidden = false;
    el.dataset.phase = plan.phase;
    el.dataset.submitted = String(plan.submitted === true);
    el.setAttribute('aria-labelledby', headId);
    const rows = approvals(plan);
    const why = readOnlyReason(plan);
    const actions = bannerActions(plan.you?.actions, plan.phase);
    const links = bannerLinks(plan);
    replace(
      el,
      h(
        'h2',
        { id: headId, class: 'phase-name' },
        h('span', { class: 'visually-hidden' }, `${t('banner.label')}: `),
        h('span', { class: `phase phase-${plan.phase}` }, phaseText(plan.phase)),
      ),
      plan.submitted ? h('p', { class: 'submitted', 'data-testid': 'submitted' }, t('banner.submitted')) : null,
      rows.length > 0
        ? h(
            'ul',
            { class: 'approvals', 'data-testid': 'approvals' },
            rows.map((r) =>
              h(
                'li',
                { dataset: { role: r.role, approved: String(r.approved) } },
                t(r.role === 'steering' ? 'banner.steering' : 'banner.political', { status: t(r.approved ? 'banner.approved' : 'banner.waiting') }),
              ),
            ),
          )
        : null,
      this.renderRequirements(plan),
      why ? h('p', { class: 'hint', 'data-testid': 'readonly-reason' }, t(why === 'phase' ? 'banner.readOnlyPhase' : 'banner.readOnlyRole')) : null,
      actions.length > 0
        ? h(
            'div',
            { class: 'buttons phase-actions', role: 'group', 'aria-label': t('banner.actions') },
            actions.map((a) =>
              h(
                'button',
                {
                  type: 'button',
                  class: a.action === 'return' ? '' : 'primary',
                  'data-testid': `action-${a.action}`,
                  disabled: this.acting,
                  onclick: () => void this.transition(a),
                },
                t(a.label),
              ),
            ),
          )
        : null,
      links.length > 0
        ? h(
            'ul',
            { class: 'phase-links', 'aria-label': t('banner.links'), 'data-testid': 'banner-links' },
            links.map((l) =>
              h(
                'li',
                null,
                l.kind === 'view'
                  ? h('a', { href: viewPath(plan.id, l.view), 'data-link': '', dataset: { action: l.action } }, t(l.label))
                  : h('a', { href: planPath(l.plan), 'data-link': '', dataset: { action: l.label } }, t(l.label, { title: l.title })),
              ),
            ),
          )
        : null,
    );
    if (hadFocus) {
      const again = el.querySelector<HTMLElement>(`[data-testid="${hadFocus}"]`);
      (again && !(again as HTMLButtonElement).disabled ? again : (el.querySelector('h2') as HTMLElement | null))?.focus();
    }
  }

  // renderRequirements lists the open required changes of the steering
  // group, each a link to its thread: they block the approval.
  private renderRequirements(plan: Plan): HTMLElement | null {
    const reqs = plan.open_requirements ?? [];
    if (reqs.length === 0) return null;
    const headId = uniqueId('requirements');
    return h(
      'div',
      { class: 'requirements', 'data-testid': 'banner-requirements', role: 'region', 'aria-labelledby': headId },
      h('p', { class: 'requirements-head' }, h('strong', { id: headId }, t('banner.requirements', { n: reqs.length })), ' ', t('banner.requirementsHint')),
      h(
        'ul',
        null,
        reqs.map((r) => {
          const where = findSection(plan.sections, r.section)?.section.title;
          return h(
            'li',
            { 'data-thread-id': r.id, 'data-done': String(r.done) },
            h(
              'a',
              {
                href: `${planPath(plan.id, r.section)}#thread-${encodeURIComponent(r.id)}`,
                'data-testid': 'requirement-link',
                'data-thread-id': r.id,
                onclick: (e: MouseEvent) => {
                  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                  e.preventDefault();
                  this.openThread(r.section, r.id);
                },
              },
              r.quote ? `«${shorten(r.quote, 80)}»` : shorten(r.body, 80),
            ),
            where ? ` ${t('banner.requirementIn', { section: where })}` : '',
            r.quote && r.body ? h('span', { class: 'requirement-body' }, `: ${shorten(r.body, 120)}`) : null,
            r.done ? h('span', { class: 'requirement-done' }, ` (${t('banner.requirementDone')})`) : null,
          );
        }),
      ),
    );
  }

  // openThread shows a section's thread in the review panel.
  private openThread(section: string, thread: string): void {
    if (this.selected !== section) this.router.navigate(planPath(this.planId, section));
    this.review?.focusThread(thread);
  }

  // transition asks the server for a phase step; the answer is the plan
  // after it, and every other tab learns of it from the plan's event.
  private async transition(a: BannerAction): Promise<void> {
    const plan = this.plan;
    if (!plan || this.acting) return;
    let comment: string | undefined;
    if (a.ask === 'confirm') {
      const ok = await confirmDialog({ heading: t('action.lockHeading'), text: t('action.lockText'), confirm: t('action.lockConfirm'), testid: 'lock-dialog' });
      if (!ok) return;
    } else if (a.ask === 'comment') {
      const text = await promptText({
        heading: t('action.return'),
        label: t('action.returnLabel'),
        submit: t('action.returnConfirm'),
        multiline: true,
        required: t('action.returnRequired'),
        testid: 'return-dialog',
      });
      if (!text) return;
      comment = text;
    }
    if (!this.alive) return;
    this.alertEl.textContent = '';
    this.noticeEl.textContent = '';
    this.acting = true;
    this.renderBanner();
    try {
      const next = await this.api.transition(plan.id, comment === undefined ? { action: a.action } : { action: a.action, comment });
      if (!this.alive) return;
      this.acting = false;
      this.setPlan(next, true);
      this.noticeEl.textContent = t(`action.done.${a.action}` as MessageKey);
    } catch (err) {
      if (!this.alive) return;
      this.acting = false;
      this.renderBanner();
      this.alertEl.textContent = problemText(err);
      if (err instanceof ApiError && (err.code === 'conflict' || err.code === 'wrong_phase' || err.code === 'forbidden' || err.code === 'required_changes_open')) await this.reload();
    }
  }

  // The structure actions beside the outline.
  private renderOutlineActions(): void {
    const show = can(this.plan, 'edit_structure');
    const el = this.outlineActionsEl;
    if (show === (el.childElementCount > 0)) return;
    if (!show) {
      replace(el);
      el.hidden = true;
      return;
    }
    el.hidden = false;
    replace(
      el,
      h('button', { type: 'button', onclick: () => void this.addSection('', 'section') }, t('outline.addSection')),
      h('button', { type: 'button', onclick: () => void this.addSection('', 'target_area') }, t('outline.addTarget')),
    );
  }

  private sectionActions(s: Section, index: number, count: number, statusSelect: HTMLSelectElement, statusId: string): HTMLElement {
    return h(
      'div',
      { class: 'section-actions', role: 'group', 'aria-label': t('outline.actions') },
      h('span', { class: 'field inline' }, h('label', { for: statusId }, t('outline.status')), statusSelect),
      this.responsibleField(s),
      h('button', { type: 'button', dataset: { action: 'rename' }, onclick: () => void this.rename(s.id) }, t('outline.rename')),
      h('button', { type: 'button', dataset: { action: 'add' }, onclick: () => void this.addSection(s.id, 'section') }, t('outline.addChild')),
      h('button', { type: 'button', dataset: { action: 'up' }, disabled: index === 0, onclick: () => void this.move(s.id, -1) }, t('outline.moveUp')),
      h('button', { type: 'button', dataset: { action: 'down' }, disabled: index === count - 1, onclick: () => void this.move(s.id, 1) }, t('outline.moveDown')),
      h('button', { type: 'button', dataset: { action: 'delete' }, class: 'danger', onclick: () => void this.remove(s.id) }, t('outline.delete')),
    );
  }

  // takeEarlyDoc hands over the document subscribed before the plan came,
  // if it is the section being opened; another one is released.
  private takeEarlyDoc(section: string): DocSync | null {
    const early = this.earlyDoc;
    if (!early) return null;
    this.earlyDoc = null;
    if (early.section === section) return early.sync;
    this.session.closeDoc(early.section);
    return null;
  }

  private dropEarlyDoc(): void {
    if (this.earlyDoc) this.session.closeDoc(this.earlyDoc.section);
    this.earlyDoc = null;
  }

  private closeEditor(): void {
    this.unsubContent?.();
    this.unsubContent = null;
    if (this.checksTimer) clearTimeout(this.checksTimer);
    this.checksTimer = null;
    this.checks?.destroy();
    this.checks = null;
    this.embeds?.destroy();
    this.embeds = null;
    this.inserter?.destroy();
    this.inserter = null;
    this.review?.destroy();
    this.review = null;
    if (!this.editor) return;
    this.editor.destroy();
    if (this.editorDoc) this.session.closeDoc(this.editorDoc);
    this.editor = null;
    this.editorDoc = null;
  }

  // Structure actions. Each carries the plan seq it was made on; the
  // answer (or, failing that, a reload) brings the outline up to date.

  private async mutate(run: (seq: number) => Promise<unknown>): Promise<Plan | null> {
    if (!this.plan) return null;
    this.alertEl.textContent = '';
    try {
      const res = await run(this.plan.seq);
      const plan = planOf(res);
      if (plan) this.setPlan(plan);
      else await this.reload();
      return this.plan;
    } catch (err) {
      this.alertEl.textContent = problemText(err);
      if (err instanceof ApiError && (err.code === 'conflict' || err.code === 'not_found')) await this.reload();
      return null;
    }
  }

  private async addSection(parent: string, kind: 'section' | 'target_area'): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    const parentTitle = parent ? findSection(plan.sections, parent)?.section.title : '';
    const title = await promptText({
      heading: kind === 'target_area' ? t('outline.addTarget') : parent ? t('outline.addChild') : t('outline.addSection'),
      label: kind === 'target_area' ? t('outline.newTarget') : parent ? t('outline.newChild', { title: parentTitle ?? '' }) : t('outline.newSection'),
      submit: t('outline.save'),
    });
    if (!title) return;
    const before = new Set<string>();
    walk(plan.sections, (s) => before.add(s.id));
    let index = -1;
    if (kind === 'target_area' && !parent) {
      // After the last target area, so it joins the others.
      const last = plan.sections.map((s) => s.kind).lastIndexOf('target_area');
      if (last >= 0) index = last + 1;
    }
    const next = await this.mutate((seq) => this.api.addSection(plan.id, { parent, index, title, kind, seq }));
    if (!next) return;
    let added: string | null = null;
    walk(next.sections, (s) => {
      if (!added && !before.has(s.id)) added = s.id;
    });
    if (added) this.router.navigate(planPath(plan.id, added));
  }

  private async rename(id: string): Promise<void> {
    const plan = this.plan;
    const s = plan && findSection(plan.sections, id)?.section;
    if (!plan || !s) return;
    const title = await promptText({ heading: t('outline.rename'), label: t('outline.renameTo', { title: s.title }), value: s.title, submit: t('outline.save') });
    if (!title || title === s.title) return;
    await this.mutate((seq) => this.api.updateSection(plan.id, id, { title, seq }));
  }

  private async setStatus(id: string, status: SectionStatus): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    await this.mutate((seq) => this.api.updateSection(plan.id, id, { status, seq }));
  }

  // The leader's choice of the section's responsible person.
  private responsibleField(s: Section): HTMLElement | null {
    const plan = this.plan;
    if (!plan) return null;
    const id = uniqueId('responsible');
    const setTo = (user: string) =>
      this.mutate((seq) =>
        this.api.request('PUT', `/api/plans/${encodeURIComponent(plan.id)}/sections/${encodeURIComponent(s.id)}/responsibility`, { responsible: user, contributors: s.contributors ?? [], seq }),
      );
    const select = responsibleSelect(plan, s, id, (user) => void setTo(user));
    return h('span', { class: 'field inline' }, h('label', { for: id }, t('outline.responsibleLabel')), select);
  }

  // moveTo moves a section from the outline (its keys or a drop) and says where it went.
  private async moveTo(id: string, to: MoveTarget): Promise<void> {
    const title = this.plan && findSection(this.plan.sections, id)?.section.title;
    const next = await this.mutate((seq) => this.api.moveSection(this.planId, id, { ...to, seq }));
    if (next && title) this.noticeEl.textContent = movedText(next, to, title);
  }

  private async move(id: string, by: number): Promise<void> {
    const plan = this.plan;
    const f = plan && findSection(plan.sections, id);
    if (!plan || !f) return;
    const index = f.index + by;
    if (index < 0 || index >= f.list.length) return;
    await this.mutate((seq) => this.api.moveSection(plan.id, id, { parent: f.parent?.id ?? '', index, seq }));
  }

  private async remove(id: string): Promise<void> {
    const plan = this.plan;
    const s = plan && findSection(plan.sections, id)?.section;
    if (!plan || !s) return;
    const ok = await confirmDialog({
      heading: t('outline.confirmDelete', { title: s.title }),
      text: t('outline.confirmDeleteText'),
      confirm: t('outline.confirm'),
    });
    if (!ok) return;
    const next = await this.mutate((seq) => this.api.deleteSection(plan.id, id, seq));
    if (next) {
      this.alertEl.textContent = '';
      this.router.navigate(planPath(plan.id));
      (this.element.querySelector('.outline h2') as HTMLElement | null)?.focus();
    }
  }

  // Presence.

  // schedulePresence draws who is here at the next frame: presence comes
  // up to ten times a second from every person, and one frame shows all
  // that came meanwhile.
  private schedulePresence(): void {
    if (this.presenceFrame || !this.alive) return;
    this.presenceFrame = requestAnimationFrame(() => {
      this.presenceFrame = 0;
      if (this.alive) this.renderPresence();
    });
  }

  private renderPresence(): void {
    const peers = [...this.tracker.peers.values()].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    const me = this.session.user?.name || '';
    const sectionTitle = (doc: string) => (doc && this.plan ? findSection(this.plan.sections, doc)?.section.title : undefined);
    const item = (p: Pick<Peer, 'name' | 'color' | 'doc'>, you: boolean) => {
      const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.name));
      avatar.style.backgroundColor = p.color;
      const where = sectionTitle(p.doc);
      return h(
        'li',
        null,
        avatar,
        h('span', { class: 'name' }, you ? t('presence.you', { name: p.name }) : p.name),
        where ? h('span', { class: 'where' }, ` ${t('presence.in', { section: where })}`) : null,
      );
    };
    // A cursor that moved changes nothing in the list.
    const key = JSON.stringify([lang(), me, sectionTitle(this.editorDoc ?? ''), peers.map((p) => [p.client, p.name, p.color, sectionTitle(p.doc)])]);
    if (key !== this.presenceKey) {
      this.presenceKey = key;
      replace(
        this.presenceEl,
        me ? item({ name: me, color: '#57606a', doc: this.editorDoc ?? '' }, true) : null,
        peers.map((p) => item(p, false)),
      );
      if (peers.length === 0) this.presenceEl.append(h('li', { class: 'nobody' }, t('presence.nobody')));
    }
    this.renderCursors();
  }

  private renderCursors(): void {
    this.docView?.cursors(this.tracker.peers.values());
    const editor = this.editor;
    if (!editor) return;
    const here = new Set<string>();
    for (const p of this.tracker.peers.values()) {
      if (p.doc !== this.editorDoc) continue;
      here.add(p.client);
      editor.cursors.set(p.client, p.name, p.color, { index: p.index, length: p.length });
    }
    for (const id of editor.cursors.ids()) if (!here.has(id)) editor.cursors.remove(id);
  }
}

// storedDocMode reads whether this tab last showed the whole plan as one document.
function storedDocMode(): boolean {
  try {
    return sessionStorage.getItem(DOC_MODE_KEY) === '1';
  } catch {
    return false;
  }
}

// shorten cuts a text to max characters for a list.
function shorten(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

// planOf returns the plan in a REST answer, if it carries one.
function planOf(res: unknown): Plan | null {
  if (!res || typeof res !== 'object') return null;
  const r = res as { sections?: unknown; plan?: unknown };
  if (Array.isArray(r.sections) && typeof (res as Plan).seq === 'number') return res as Plan;
  if (r.plan && typeof r.plan === 'object') return planOf(r.plan);
  return null;
}
