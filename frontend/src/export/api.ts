// The REST calls of exports (server/exports.go): ask for the plan, or one
// of its named versions, in a format; follow the job; fetch its file.
import type { Api } from '../api/client';

const enc = encodeURIComponent;

/** The export formats, in the order the dialog offers them. */
export const FORMATS = ['pdf', 'docx', 'html', 'xlsx'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed';

/** An export job as the server shows it. */
export interface ExportJob {
  id: string;
  plan: string;
  format: ExportFormat;
  /** The named version exported; absent for the current text. */
  version?: string;
  by: string;
  status: ExportStatus;
  /** 0–100. */
  progress: number;
  /** The error code of a failed job. */
  error?: string;
  message?: string;
  created: string;
  finished?: string;
  size?: number;
  /** The file's name and address, once done. */
  filename?: string;
  file?: string;
}

/** startExport asks for an export; version is a named version's seq or name ("" for the current text). */
export function startExport(api: Api, plan: string, format: ExportFormat, version: string): Promise<ExportJob> {
  const body: { format: ExportFormat; version?: string } = { format };
  if (version) body.version = version;
  return api.request<ExportJob>('POST', `/api/plans/${enc(plan)}/exports`, body);
}

/** exportStatus reads a job's status and progress. */
export function exportStatus(api: Api, plan: string, id: string): Promise<ExportJob> {
  return api.request<ExportJob>('GET', `/api/plans/${enc(plan)}/exports/${enc(id)}`);
}

/** exportFile fetches a finished job's file (it needs the access token, so not a plain link). */
export function exportFile(api: Api, job: ExportJob): Promise<Blob> {
  return api.blob(job.file ?? `/api/plans/${enc(job.plan)}/exports/${enc(job.id)}/file`);
}
