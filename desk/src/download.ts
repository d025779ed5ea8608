/**
 * Downloads of the desk's exports (GET /desk/api/v1/exports/{what}?format=xlsx|csv): fetched with
 * the bearer token, then saved from a blob under the name the server gives (Content-Disposition).
 * A minimal version: the files part of the desk owns this module and its fuller version wins.
 */
import { API_BASE } from './api';
import type { Host } from './host';
import { ProblemError, problemFrom } from './problem';

export type ExportName = 'register' | 'bookings' | 'attendance' | 'recipients';

function fileName(disposition: string | null, fallback: string): string {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  return match ? decodeURIComponent(match[1]) : fallback;
}

export async function downloadExport(
  host: Host,
  what: ExportName,
  params: Record<string, string>,
  format: 'xlsx' | 'csv',
): Promise<void> {
  const token = await host.getToken().catch(() => null);
  if (!token) throw new ProblemError(problemFrom(401, null));
  const query = new URLSearchParams({ ...params, format });
  let response: Response;
  try {
    response = await fetch(`${API_BASE}/exports/${what}?${query.toString()}`, { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    throw new ProblemError(problemFrom(0, null));
  }
  if (!response.ok) {
    const type = response.headers.get('content-type') ?? '';
    throw new ProblemError(problemFrom(response.status, type.includes('json') ? await response.json().catch(() => null) : null));
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName(response.headers.get('content-disposition'), `${what}.${format}`);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
