// Innstillinger: the municipality's login methods, the e-mail domains of
// single sign-on, and the defaults of new plans (privacy threshold,
// hearing length). The form says what the server would refuse before it
// is sent; the server decides again.
import type { Me } from '../api/types';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText } from '../pages/labels';
import type { AdminApi, MunicipalityAdmin } from './api';
import { readSettings, type FormProblem } from './logic';

export class SettingsPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private alive = true;

  constructor(
    private readonly admin: AdminApi,
    private readonly me: Me,
    private readonly announce: (text: string) => void,
  ) {
    const headId = uniqueId('settings-h');
    this.body = h('div', { 'aria-busy': 'true' }, h('p', null, t('admin.loading')));
    this.element = h(
      'section',
      { class: 'admin-panel', 'aria-labelledby': headId },
      h('h2', { id: headId }, t('admin.settings.heading', { municipality: this.me.municipality.name })),
      this.body,
    );
    void this.load();
  }

  destroy(): void {
    this.alive = false;
  }

  private async load(): Promise<void> {
    try {
      const m = await this.admin.municipality();
      if (!this.alive) return;
      replace(this.body, this.form(m));
    } catch (err) {
      if (!this.alive) return;
      replace(this.body, h('p', { class: 'error', role: 'alert' }, problemText(err)));
    }
    this.body.removeAttribute('aria-busy');
  }

  private form(m: MunicipalityAdmin): HTMLElement {
    const ids = {
      password: uniqueId('set-password'),
      oidc: uniqueId('set-oidc'),
      oidcHint: uniqueId('set-oidc-hint'),
      methodsErr: uniqueId('set-methods-err'),
      domains: uniqueId('set-domains'),
      domainsHint: uniqueId('set-domains-hint'),
      domainsErr: uniqueId('set-domains-err'),
      threshold: uniqueId('set-threshold'),
      thresholdHint: uniqueId('set-threshold-hint'),
      thresholdErr: uniqueId('set-threshold-err'),
      weeks: uniqueId('set-weeks'),
      weeksHint: uniqueId('set-weeks-hint'),
      weeksErr: uniqueId('set-weeks-err'),
      language: uniqueId('set-language'),
      languageHint: uniqueId('set-language-hint'),
      languageErr: uniqueId('set-language-err'),
    };
    const s = m.settings;
    const password = h('input', { id: ids.password, type: 'checkbox', checked: s.login_methods.includes('password'), 'data-testid': 'setting-password', 'aria-describedby': ids.methodsErr });
    const oidc = h('input', {
      id: ids.oidc,
      type: 'checkbox',
      checked: s.login_methods.includes('oidc'),
      // Without a provider SSO cannot be turned on; one left on (from a
      // provider since removed) can still be turned off.
      disabled: !m.oidc_configured && !s.login_methods.includes('oidc'),
      'aria-describedby': m.oidc_configured ? ids.methodsErr : `${ids.oidcHint} ${ids.methodsErr}`,
      'data-testid': 'setting-oidc',
    });
    const domains = h('textarea', { id: ids.domains, rows: '3', cols: '40', spellcheck: 'false', 'aria-describedby': `${ids.domainsHint} ${ids.domainsErr}`, 'data-testid': 'setting-domains' });
    domains.value = s.email_domains.join('\n');
    const threshold = h('input', {
      id: ids.threshold, type: 'number', inputmode: 'numeric', min: '1', max: '100', step: '1', value: String(s.privacy_threshold),
      'aria-describedby': `${ids.thresholdHint} ${ids.thresholdErr}`, 'data-testid': 'setting-threshold',
    });
    const weeks = h('input', {
      id: ids.weeks, type: 'number', inputmode: 'numeric', min: '1', max: '52', step: '1', value: String(s.hearing_weeks),
      'aria-describedby': `${ids.weeksHint} ${ids.weeksErr}`, 'data-testid': 'setting-weeks',
    });
    const language = h(
      'select',
      { id: ids.language, 'aria-describedby': `${ids.languageHint} ${ids.languageErr}`, 'data-testid': 'setting-language' },
      h('option', { value: 'nb' }, t('admin.settings.languageNb')),
      h('option', { value: 'nn' }, t('admin.settings.languageNn')),
    ) as HTMLSelectElement;
    language.value = s.language === 'nn' ? 'nn' : 'nb';
    const errs = {
      methods: h('p', { id: ids.methodsErr, class: 'field-error' }),
      domains: h('p', { id: ids.domainsErr, class: 'field-error' }),
      threshold: h('p', { id: ids.thresholdErr, class: 'field-error' }),
      weeks: h('p', { id: ids.weeksErr, class: 'field-error' }),
      language: h('p', { id: ids.languageErr, class: 'field-error' }),
    };
    const fields: Record<FormProblem['field'], HTMLElement> = { methods: password, domains, threshold, weeks, language };
    const summary = h('p', { class: 'error', role: 'alert', 'data-testid': 'settings-error' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'settings-save' }, t('admin.settings.save'));
    const show = (problems: FormProblem[]) => {
      for (const [k, el] of Object.entries(errs)) {
        const p = problems.find((x) => x.field === k);
        el.textContent = p ? t(p.key, p.params) : '';
        const field = fields[k as FormProblem['field']];
        if (p) field.setAttribute('aria-invalid', 'true');
        else field.removeAttribute('aria-invalid');
      }
    };
    const form = h(
      'form',
      {
        class: 'settings',
        novalidate: true,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          const { settings, problems } = readSettings(
            { password: password.checked, oidc: oidc.checked, domains: domains.value, threshold: threshold.value, weeks: weeks.value, language: language.value },
            m.oidc_configured,
          );
          show(problems);
          if (!settings) {
            summary.textContent = t('admin.settings.fix');
            fields[problems[0]!.field].focus();
            return;
          }
          summary.textContent = '';
          submit.disabled = true;
          submit.textContent = t('admin.settings.busy');
          try {
            const saved = await this.admin.saveSettings(settings);
            if (!this.alive) return;
            domains.value = saved.settings.email_domains.join('\n');
            this.announce(t('admin.settings.saved'));
          } catch (ex) {
            summary.textContent = problemText(ex);
          } finally {
            submit.disabled = false;
            submit.textContent = t('admin.settings.save');
          }
        },
      },
      h(
        'fieldset',
        null,
        h('legend', null, t('admin.settings.methods')),
        h('p', null, h('span', { class: 'radio' }, password, h('label', { for: ids.password }, t('admin.settings.password')))),
        h('p', null, h('span', { class: 'radio' }, oidc, h('label', { for: ids.oidc }, t('admin.settings.oidc')))),
        m.oidc_configured ? null : h('p', { id: ids.oidcHint, class: 'hint' }, t('admin.settings.oidcMissing')),
        errs.methods,
      ),
      settingField('field', ids.domains, t('admin.settings.domains'), domains, ids.domainsHint, t('admin.settings.domainsHint'), errs.domains),
      settingField('field narrow', ids.threshold, t('admin.settings.threshold'), threshold, ids.thresholdHint, t('admin.settings.thresholdHint'), errs.threshold),
      settingField('field narrow', ids.weeks, t('admin.settings.weeks'), weeks, ids.weeksHint, t('admin.settings.weeksHint'), errs.weeks),
      settingField('field narrow', ids.language, t('admin.settings.language'), language, ids.languageHint, t('admin.settings.languageHint'), errs.language),
      summary,
      h('p', { class: 'buttons' }, submit),
    );
    return form;
  }
}

/** settingField is one labelled setting: its label, control, hint and error line. */
function settingField(cls: string, id: string, label: string, control: HTMLElement, hintId: string, hint: string, err: HTMLElement): HTMLElement {
  return h('div', { class: cls }, h('label', { for: id }, label), control, h('span', { id: hintId, class: 'hint' }, hint), err);
}
