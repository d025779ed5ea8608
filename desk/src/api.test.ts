import { afterEach, describe, expect, it, vi } from 'vitest';
import { SendError, NEEDS_CONFIRMATION, apiChange } from './actionsApi';
import { apiSend } from './api';
import { downloadExport } from './download';
import type { Host } from './host';
import { ProblemError } from './problem';

const host = { getToken: async () => 'token' } as unknown as Host;
const signedOut = { getToken: async () => null } as unknown as Host;

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });
}

afterEach(() => vi.unstubAllGlobals());

describe('apiSend', () => {
  it('sends a FormData as it is, leaving its multipart Content-Type to the browser', async () => {
    const fetched = vi.fn(async () => answer(200, { ok: true }));
    vi.stubGlobal('fetch', fetched);
    const form = new FormData();
    form.append('kind', 'plan');
    await expect(apiSend(host, 'POST', '/imports', form)).resolves.toEqual({ ok: true });
    const [url, init] = fetched.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toMatch(/api\/v1\/imports$/);
    expect(init.body).toBe(form);
    const headers = init.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer token');
    expect(headers['Content-Type']).toBeUndefined();
  });

  it('without a token asks to sign in, and sends nothing', async () => {
    const fetched = vi.fn(async () => answer(200, {}));
    vi.stubGlobal('fetch', fetched);
    const refused = await apiSend(signedOut, 'POST', '/imports').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).problem.status).toBe(401);
    expect(fetched).not.toHaveBeenCalled();
  });

  it('an unreachable server is a problem with status 0', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const refused = (await apiSend(host, 'PUT', '/x', {}).catch((error: unknown) => error)) as ProblemError;
    expect(refused.problem.status).toBe(0);
  });
});

describe('apiChange', () => {
  it('keeps what screening found beside the problem', async () => {
    vi.stubGlobal('fetch', async () =>
      answer(422, {
        type: NEEDS_CONFIRMATION,
        title: 'Check for personal details',
        status: 422,
        findings: [{ field: 'note', kind: 'email', label: 'an email address' }],
        screened: 'abc',
      }),
    );
    const refused = await apiChange(host, 'PATCH', '/actions/A1', { note: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SendError);
    expect((refused as SendError).screening).toEqual({ findings: [{ field: 'note', kind: 'email', label: 'an email address' }], screened: 'abc' });
  });

  it('any other refusal has no screening', async () => {
    vi.stubGlobal('fetch', async () => answer(409, { type: 'https://partnership-bot/problems/conflict', title: 'Changed meanwhile', status: 409 }));
    const refused = (await apiChange(host, 'PATCH', '/actions/A1', {}).catch((error: unknown) => error)) as SendError;
    expect(refused.problem.status).toBe(409);
    expect(refused.screening).toBeNull();
  });
});

describe('downloadExport', () => {
  it('a refusal throws the problem and saves nothing', async () => {
    vi.stubGlobal('fetch', async () => answer(403, { type: 'https://partnership-bot/problems/forbidden', title: 'Not yours', status: 403 }));
    const refused = (await downloadExport(host, 'register', {}, 'csv').catch((error: unknown) => error)) as ProblemError;
    expect(refused).toBeInstanceOf(ProblemError);
    expect(refused.problem.title).toBe('Not yours');
  });
});
