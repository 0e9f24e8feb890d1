// The notification settings (/varsler), from the user menu: how often
// e-mail about mentions and review rounds comes — at once, as a daily
// digest, or not at all — and in bokmål or nynorsk. Invitations and
// password links are sent whatever is chosen.
import type { Api } from '../api/client';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText } from './labels';
import type { Page } from './router';

export type NotificationMode = 'instant' | 'digest' | 'off';
export type MailLang = 'nb' | 'nn';

/** NotificationSettings is the body of GET and PUT /api/me/notifications. */
export interface NotificationSettings {
  mode: NotificationMode;
  lang: MailLang;
  updated?: string;
}

export const MODES: NotificationMode[] = ['instant', 'digest', 'off'];
export const MAIL_LANGS: MailLang[] = ['nb', 'nn'];

export class NotificationsPage implements Page {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private destroyed = false;

  constructor(private readonly api: Api) {
    this.body = h('div', null, h('p', { 'aria-busy': 'true' }, t('app.loading')));
    this.element = h(
      'div',
      { class: 'page page-notifications' },
      h('h1', { tabindex: '-1' }, t('notify.heading')),
      h('p', null, t('notify.intro')),
      this.body,
    );
    void this.load();
  }

  destroy(): void {
    this.destroyed = true;
  }

  private async load(): Promise<void> {
    try {
      const s = await this.api.request<NotificationSettings>('GET', '/api/me/notifications');
      if (!this.destroyed) this.show(s);
    } catch (err) {
      if (!this.destroyed) replace(this.body, h('p', { class: 'error', role: 'alert' }, problemText(err)));
    }
  }

  private show(s: NotificationSettings): void {
    const name = uniqueId('notify-mode');
    const langId = uniqueId('notify-lang');
    const radios = MODES.map((m) => {
      const id = `${name}-${m}`;
      const input = h('input', { type: 'radio', id, name, value: m, checked: m === s.mode, 'data-testid': `notify-mode-${m}` });
      return {
        input,
        row: h(
          'p',
          { class: 'choice' },
          input,
          ' ',
          h('label', { for: id }, h('strong', null, t(`notify.mode.${m}`)), h('span', { class: 'hint' }, ' – ', t(`notify.mode.${m}.hint`))),
        ),
      };
    });
    const lang = h(
      'select',
      { id: langId, 'data-testid': 'notify-lang' },
      MAIL_LANGS.map((l) => h('option', { value: l, selected: l === s.lang }, t(`lang.${l}`))),
    );
    const status = h('p', { role: 'status', class: 'notice', 'data-testid': 'notify-status' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'notify-save' }, t('notify.save'));
    const form = h(
      'form',
      {
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          if (submit.disabled) return;
          const mode = radios.find((r) => r.input.checked)?.input.value as NotificationMode | undefined;
          submit.disabled = true;
          status.textContent = '';
          try {
            const saved = await this.api.request<NotificationSettings>('PUT', '/api/me/notifications', { mode: mode ?? s.mode, lang: lang.value });
            s = saved;
            status.textContent = t('notify.saved');
          } catch (err) {
            status.textContent = problemText(err);
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('fieldset', null, h('legend', null, t('notify.mode')), radios.map((r) => r.row)),
      h('p', { class: 'field' }, h('label', { for: langId }, t('notify.lang')), lang),
      h('p', { class: 'hint' }, t('notify.always')),
      h('p', { class: 'buttons' }, submit),
      status,
    );
    replace(this.body, form);
  }
}
