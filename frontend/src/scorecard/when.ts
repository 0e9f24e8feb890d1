// Dates of the scorecard as Norwegians read them: 30.06.2027.
import { lang } from '../i18n';

/** formatDate writes a date YYYY-MM-DD as dd.mm.yyyy (the text as given when it is no date). */
export function formatDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(lang() === 'nn' ? 'nn-NO' : 'nb-NO', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(d);
}
