/**
 * The desk's files calls: an upload for its dry run (multipart), and the import of a file held
 * since its clean dry run. Shapes follow web/desk/files_schemas.py.
 */
import { apiSend } from './api';
import type { Host } from './host';

export type ImportKind = 'plan' | 'roster' | 'reference' | 'calendar';

export interface FileProblem {
  sheet: string;
  row: number;
  field: string;
  message: string;
}

export interface Tally {
  what: string;
  created: number;
  updated: number;
  unchanged: number;
}

export interface FileOutcome {
  kind: ImportKind;
  file_name: string;
  dry_run: boolean;
  ok: boolean;
  problems: FileProblem[];
  tallies: Tally[];
  notes: string[];
  id: string | null;
  expires_at: string | null;
}

export interface UploadOptions {
  confirm_not_personal: boolean;
  deactivate_missing: boolean;
  sheet: '' | 'priorities' | 'sources' | 'courses';
}

export function checkUpload(host: Host, kind: ImportKind, file: File, options: UploadOptions): Promise<FileOutcome> {
  const form = new FormData();
  form.append('kind', kind);
  form.append('confirm_not_personal', String(options.confirm_not_personal));
  form.append('deactivate_missing', String(options.deactivate_missing));
  form.append('sheet', options.sheet);
  form.append('file', file, file.name);
  return apiSend<FileOutcome>(host, 'POST', '/imports', form);
}

export function importUpload(host: Host, id: string): Promise<FileOutcome> {
  return apiSend<FileOutcome>(host, 'POST', `/imports/${encodeURIComponent(id)}`);
}
