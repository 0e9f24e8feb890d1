// What the export dialog shows, as pure functions: the choices of format
// and version, and the words for a job's status (read out by the live
// region as the job goes).
import type { Plan } from '../api/types';
import { errorText, t, type MessageKey } from '../i18n';
import { FORMATS, type ExportFormat, type ExportJob } from './api';

/** A choice of a select or radio group. */
export interface Choice {
  value: string;
  label: string;
}

const FORMAT_LABELS: Record<ExportFormat, MessageKey> = {
  pdf: 'export.format.pdf',
  docx: 'export.format.docx',
  html: 'export.format.html',
  xlsx: 'export.format.xlsx',
};

/** formatChoices are the formats offered, PDF first. */
export function formatChoices(): Choice[] {
  return FORMATS.map((f) => ({ value: f, label: t(FORMAT_LABELS[f]) }));
}

/** versionChoices are the current text and the plan's named versions, newest first; a version's value is its seq. */
export function versionChoices(plan: Pick<Plan, 'versions'>): Choice[] {
  const versions = [...(plan.versions ?? [])].sort((a, b) => b.seq - a.seq);
  return [
    { value: '', label: t('export.version.current') },
    ...versions.map((v) => ({ value: String(v.seq), label: `${v.name} (${shortDate(v.at)})` })),
  ];
}

function shortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('nb-NO', { day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

/** statusText says where a job stands, for the live region. */
export function statusText(job: ExportJob): string {
  switch (job.status) {
    case 'queued':
      return t('export.queued');
    case 'running':
      return t('export.running', { progress: job.progress });
    case 'done':
      return t('export.done');
    case 'failed':
      return t('export.failed', { message: job.error ? errorText(job.error) : t('error.generic') });
  }
}

/** finished reports whether a job will change no more. */
export function finished(job: ExportJob): boolean {
  return job.status === 'done' || job.status === 'failed';
}
