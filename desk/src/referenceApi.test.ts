import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Host } from './host';
import { ReferenceProblem, STILL_LEADS, errorsByField, referenceSend } from './referenceApi';

const host = { getToken: async () => 'token' } as unknown as Host;

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });
}

afterEach(() => vi.unstubAllGlobals());

describe('referenceSend', () => {
  it('sends the body as JSON with the bearer token', async () => {
    const fetched = vi.fn(async () => answer(200, { code: 'P9', version: 'v' }));
    vi.stubGlobal('fetch', fetched);
    await expect(referenceSend(host, 'POST', '/priorities', { code: 'P9' })).resolves.toEqual({ code: 'P9', version: 'v' });
    const [url, init] = fetched.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toMatch(/api\/v1\/reference\/priorities$/);
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer token');
    expect(JSON.parse(String(init.body))).toEqual({ code: 'P9' });
  });

  it('a person who still leads open actions: the problem names them', async () => {
    vi.stubGlobal('fetch', async () => answer(409, { type: STILL_LEADS, title: 'Reassign their actions first', status: 409, actions: ['A05', 'A12'] }));
    const refused = await referenceSend(host, 'POST', '/people/P07/deactivate', { version: 'v' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ReferenceProblem);
    expect((refused as ReferenceProblem).actions).toEqual(['A05', 'A12']);
    expect((refused as ReferenceProblem).problem.type).toBe(STILL_LEADS);
  });

  it('a 422 keeps each field error, the first per field', async () => {
    vi.stubGlobal('fetch', async () =>
      answer(422, { title: 'Check what was sent', status: 422, errors: [{ field: 'code', message: 'is required' }, { field: 'code', message: 'again' }, { field: 'name', message: 'too long' }] }),
    );
    const refused = (await referenceSend(host, 'PUT', '/priorities/P1', {}).catch((error: unknown) => error)) as ReferenceProblem;
    expect(errorsByField(refused.problem)).toEqual({ code: 'is required', name: 'too long' });
    expect(refused.actions).toEqual([]);
  });
});
