/**
 * Downloads of the desk's exports (GET /desk/api/v1/exports/{what}): fetched with the bearer token,
 * then saved as the file the server names. The files part of the desk owns this module; this is a
 * minimal stand-in with its agreed signature (docs/desk.md).
 */
import { API_BASE } from './api';
import type { Host } from './host';
import { ProblemError, problemFrom } from './problem';

export async function downloadExport(
  host: Host,
  what: 'register' | 'bookings' | 'attendance' | 'recipients',
  params: Record<string, string>,
  format: 'xlsx' | 'csv',
): Promise<void> {
  const token = await host.getToken();
  if (!token) throw new ProblemError(problemFrom(401, null));
  const query = new URLSearchParams({ ...params, format }).toString();
  const response = await fetch(`${API_BASE}/exports/${what}?${query}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body: unknown = (response.headers.get('content-type') ?? '').includes('json') ? await response.json().catch(() => null) : null;
    throw new ProblemError(problemFrom(response.status, body));
  }
  const named = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = named?.[1] ?? `${what}.${format}`;
  link.click();
  URL.revokeObjectURL(link.href);
}
