/**
 * Downloads of the desk's exports: GET /desk/api/v1/exports/{what}?format=xlsx|csv with the bearer
 * token (a plain link cannot send it), then the file is saved under the name the server gives in
 * Content-Disposition. A refusal throws a ProblemError, as every other call does.
 */
import { apiFetch } from './api';
import type { Host } from './host';

export type ExportWhat = 'register' | 'bookings' | 'attendance' | 'recipients';

/** The file name in a Content-Disposition header (RFC 6266: filename* first), else a fallback. */
export function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

export async function downloadExport(
  host: Host,
  what: ExportWhat,
  params: Record<string, string>,
  format: 'xlsx' | 'csv',
): Promise<void> {
  const query = new URLSearchParams({ ...params, format });
  const response = await apiFetch(host, `/exports/${what}?${query.toString()}`);
  const blob = await response.blob();
  const name = fileNameFrom(response.headers.get('content-disposition'), `${what}.${format}`);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
