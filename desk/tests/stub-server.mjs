// A stand-in for the bot while its desk API is built on another branch: it serves desk/dist at
// /desk/ (index.html for client routes) and answers /desk/api/v1 and /desk/dev with JSON shaped
// like the contract in docs/desk-frontend.md. For development and the browser tests only.
//   node tests/stub-server.mjs [--port 4700] [--no-dev]
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = resolve(HERE, '..', 'dist');
const PROBLEMS = 'https://partnership-bot/problems';

export const PEOPLE = [
  { id: 'P01', name: 'Amina Okafor', roles: ['admin', 'business manager'] },
  { id: 'P02', name: 'Ben Hughes', roles: ['lead'] },
  { id: 'P03', name: 'Priya Shah', roles: ['chair', 'lead'] },
  { id: 'P04', name: 'Chloe Martin', roles: ['executive'] },
  { id: 'P05', name: 'Sam Ellis', roles: ['scrutineer'] },
  { id: 'P06', name: 'Dev Patel', roles: ['lead'] },
];
const GROUPS = [
  { code: 'QA', name: 'Quality assurance', chair: 'P03' },
  { code: 'LI', name: 'Learning and improvement', chair: 'P04' },
  { code: 'EH', name: 'Early help', chair: 'P01' },
];
const PRIORITIES = [
  { code: 'P1', name: 'Priority 1: children at risk' },
  { code: 'P2', name: 'Priority 2: neglect' },
  { code: 'P3', name: 'Priority 3: exploitation' },
];
const SOURCES = [
  { code: 'CSPR-7', name: 'Child safeguarding practice review 7' },
  { code: 'AUD-NEG', name: 'Multi-agency audit: neglect' },
  { code: 'PLAN', name: 'Business plan 2026–27' },
];
const AGENCIES = [
  { code: 'POL', name: 'Police' },
  { code: 'HLT', name: 'Health' },
  { code: 'LA', name: 'Local authority' },
  { code: 'EDU', name: 'Education' },
];
const STATUSES = ['not_started', 'in_progress', 'complete', 'dropped'];
const RAGS = ['red', 'amber', 'green'];
const TOPICS = [
  'Refresh the neglect toolkit',
  'Audit strategy discussions',
  'Train GPs on the threshold document',
  'Publish the exploitation pathway',
  'Review home visit recording',
  'Check escalation policy use',
  'Embed the voice of the child',
  'Improve school attendance referrals',
];

const name = (id) => PEOPLE.find((person) => person.id === id)?.name ?? id;
const isoDate = (day) => new Date(Date.UTC(2026, 9, 1) + day * 86400000).toISOString().slice(0, 10);

/** Sixty deterministic actions; one has a title that looks like markup, to prove it is shown as text. */
export function makeActions() {
  const leads = ['P02', 'P03', 'P06', 'P01'];
  return Array.from({ length: 60 }, (_, i) => {
    const group = GROUPS[i % 3];
    const status = STATUSES[i % 7 === 0 ? 2 : i % 2];
    const overdue = status !== 'complete' && i % 4 === 1 ? 3 + (i % 9) : 0;
    const title =
      i === 5 ? 'Check <img src=x onerror=alert(1)> is shown as text' : `${TOPICS[i % TOPICS.length]} (${group.code} ${i + 1})`;
    return {
      ref: `A-${String(i + 1).padStart(3, '0')}`,
      title,
      description: `What was found and what must change, number ${i + 1}.\nSecond line of the description.`,
      // The shapes of docs/desk.md: codes for group, priority and source, names beside them.
      group: group.code,
      group_code: group.code,
      group_name: group.name,
      priority: PRIORITIES[i % 3].code,
      priority_code: PRIORITIES[i % 3].code,
      priority_name: PRIORITIES[i % 3].name,
      source: SOURCES[i % 3].code,
      source_code: SOURCES[i % 3].code,
      source_title: SOURCES[i % 3].name,
      lead: name(leads[i % 4]),
      lead_id: leads[i % 4],
      agency: AGENCIES[i % 4].name,
      agency_code: AGENCIES[i % 4].code,
      status,
      rag: status === 'complete' ? null : overdue ? 'red' : RAGS[(i + 1) % 3],
      lead_rag: RAGS[i % 3],
      due: isoDate(i),
      revised_due: i % 5 === 0 ? isoDate(i + 30) : null,
      overdue_working_days: overdue,
      last_update_at: i % 6 === 3 ? null : isoDate(i + 10),
      stale: i % 6 === 3,
      impact_evidence: status === 'complete' && i % 2 === 0 ? null : status === 'complete' ? 'Audit shows 9 in 10 files now record the child’s view.' : null,
    };
  });
}

const ROW_FIELDS = [
  'ref', 'title', 'group', 'group_name', 'priority', 'priority_name', 'source', 'lead', 'lead_id', 'agency',
  'status', 'rag', 'lead_rag', 'due', 'revised_due', 'overdue_working_days', 'last_update_at',
];
const SORT_FIELDS = ROW_FIELDS.filter((field) => !['group_name', 'priority_name', 'lead_id'].includes(field));
const pick = (action, fields) => Object.fromEntries(fields.map((field) => [field, action[field]]));

function problem(res, status, type, title, detail, errors) {
  const body = { type: `${PROBLEMS}/${type}`, title, status, ...(detail ? { detail } : {}), ...(errors ? { errors } : {}) };
  res.writeHead(status, { 'Content-Type': 'application/problem+json' });
  res.end(JSON.stringify(body));
}

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function me(person) {
  const scrutineer = person.roles.includes('scrutineer');
  const admin = person.roles.includes('admin');
  return {
    id: person.id,
    name: person.name,
    roles: person.roles,
    is_admin: admin,
    is_scrutineer: scrutineer,
    can: { edit_actions: !scrutineer, edit_reference: admin, import_files: admin },
    partnership: 'Northshire Safeguarding Children Partnership',
  };
}

function canUpdate(person, action) {
  if (person.roles.includes('scrutineer')) return false;
  if (person.roles.includes('admin')) return true;
  const chaired = GROUPS.find((group) => group.code === action.group_code)?.chair;
  return action.lead_id === person.id || chaired === person.id;
}

const BOOLEAN = /^(true|false)$/;

function listActions(actions, params, person) {
  const errors = [];
  const page = Number(params.get('page') ?? '1');
  const pageSize = Number(params.get('page_size') ?? '25');
  if (!Number.isInteger(page) || page < 1) errors.push({ field: 'page', message: 'Must be a whole number from 1' });
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) errors.push({ field: 'page_size', message: 'Must be from 1 to 100' });
  for (const flag of ['overdue', 'stale', 'no_impact']) {
    if (params.has(flag) && !BOOLEAN.test(params.get(flag))) errors.push({ field: flag, message: 'Must be true or false' });
  }
  const sort = params.get('sort');
  if (sort && !SORT_FIELDS.includes(sort)) errors.push({ field: 'sort', message: 'Not a sortable field' });
  if (errors.length) return { errors };
  const eq = (key, field) => (action) => !params.get(key) || action[field] === params.get(key);
  const flag = (key, test) => (action) => !params.has(key) || test(action) === (params.get(key) === 'true');
  const q = (params.get('q') ?? '').toLowerCase();
  let items = actions
    .filter(eq('group', 'group_code'))
    .filter(eq('priority', 'priority_code'))
    .filter(eq('source', 'source_code'))
    .filter(eq('lead', 'lead_id'))
    .filter(eq('agency', 'agency_code'))
    .filter(eq('status', 'status'))
    .filter(eq('rag', 'rag'))
    .filter(eq('lead_rag', 'lead_rag'))
    .filter(flag('overdue', (a) => Boolean(a.overdue_working_days)))
    .filter(flag('stale', (a) => a.stale))
    .filter(flag('no_impact', (a) => a.status === 'complete' && !a.impact_evidence))
    .filter((a) => !q || `${a.title} ${a.description}`.toLowerCase().includes(q));
  if (sort) {
    const direction = params.get('order') === 'desc' ? -1 : 1;
    items = [...items].sort((a, b) => {
      const [x, y] = [a[sort] ?? '', b[sort] ?? ''];
      return (x < y ? -1 : x > y ? 1 : 0) * direction || a.ref.localeCompare(b.ref);
    });
  }
  return {
    items: items.slice((page - 1) * pageSize, page * pageSize).map((a) => ({ ...pick(a, ROW_FIELDS), can_update: canUpdate(person, a) })),
    total: items.length,
    page,
    page_size: pageSize,
  };
}

function detail(action, person) {
  const n = Number(action.ref.slice(2));
  const { group_code, priority_code, source_code, agency_code, stale, ...facts } = action;
  return {
    action: facts,
    updates: [
      { at: `${isoDate(n)}T10:15:00Z`, dated: isoDate(n), by: action.lead, rag: 'amber', note: 'Started; the first audit is booked.', status: 'in_progress', revised_due: null, complete: false },
      { at: `${isoDate(n + 9)}T16:40:00Z`, dated: isoDate(n + 9), by: action.lead, rag: action.lead_rag, note: 'Waiting for <b>health</b> data; not markup.', status: action.status, revised_due: null, complete: action.status === 'complete' },
    ],
    history: [
      { at: `${isoDate(n - 20)}T09:00:00Z`, actor: 'Amina Okafor', event: 'created', field: 'status', from: null, to: 'not_started' },
      { at: `${isoDate(n)}T10:15:00Z`, actor: action.lead, event: 'updated', field: 'status', from: 'not_started', to: 'in_progress' },
      { at: `${isoDate(n + 9)}T16:40:00Z`, actor: 'Priya Shah', event: 'updated', field: 'revised_due_date', from: null, to: action.revised_due ?? action.due },
      { at: `${isoDate(n + 9)}T16:41:00Z`, actor: 'Priya Shah', event: 'updated', field: 'lead_id', from: 'Ben Hughes', to: action.lead },
    ],
    can_update: canUpdate(person, action),
  };
}

function serveFile(res, path) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json' };
  res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
  createReadStream(path).pipe(res);
}

function serveDist(res, pathname, dist) {
  const relative = normalize(decodeURIComponent(pathname.slice('/desk/'.length)));
  const file = join(dist, relative);
  if (relative && !relative.startsWith('..') && file.startsWith(dist) && existsSync(file) && statSync(file).isFile()) {
    return serveFile(res, file);
  }
  if (pathname.startsWith('/desk/assets/')) return problem(res, 404, 'not-found', 'Not found');
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return problem(res, 503, 'not-built', 'The desk is not built', 'Run make desk first.');
  return serveFile(res, index);
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Starts the stub; resolves to { url, close }. dev: offer /desk/dev (development), else 404 there. */
export function startStub({ port = 0, host = '127.0.0.1', dev = true, dist = DIST } = {}) {
  const actions = makeActions();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const path = url.pathname;
    if (path === '/') {
      res.writeHead(302, { Location: '/desk/' });
      return res.end();
    }
    if (path === '/desk/dev' || path.startsWith('/desk/dev/')) {
      if (!dev) return problem(res, 404, 'not-found', 'Not found');
      if (path === '/desk/dev' && req.method === 'GET') {
        return json(res, 200, { people: '/desk/dev/people', sign_in: '/desk/dev/sign-in' });
      }
      if (path === '/desk/dev/people' && req.method === 'GET') return json(res, 200, PEOPLE);
      if (path === '/desk/dev/sign-in' && req.method === 'POST') {
        const body = await readJson(req);
        const person = PEOPLE.find((p) => p.id === body?.person_id);
        if (!person) return problem(res, 422, 'validation', 'Unknown person', undefined, [{ field: 'person_id', message: 'No such demo person' }]);
        return json(res, 200, { token: `stub-${person.id}` });
      }
      return problem(res, 404, 'not-found', 'Not found');
    }
    if (path.startsWith('/desk/api/')) {
      const token = /^Bearer (stub-P\d\d)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return problem(res, 401, 'unauthorized', 'Sign in again');
      const person = PEOPLE.find((p) => `stub-${p.id}` === token);
      if (!person) {
        return problem(res, 403, 'not-on-roster', 'You are not on the roster',
          'Your account is not on the partnership roster. Ask the business team (business@northshire.example) to add you.');
      }
      if (req.method !== 'GET') return problem(res, 405, 'method-not-allowed', 'Method not allowed');
      if (path === '/desk/api/v1/me') return json(res, 200, me(person));
      if (path === '/desk/api/v1/actions/filters') {
        return json(res, 200, {
          groups: GROUPS.map(({ code, name: n }) => ({ code, name: n })),
          priorities: PRIORITIES,
          sources: SOURCES,
          leads: ['P01', 'P02', 'P03', 'P06'].map((id) => ({ id, name: name(id) })),
          agencies: AGENCIES,
          statuses: STATUSES,
          rags: [...RAGS, 'none'],
          lead_rags: RAGS,
        });
      }
      if (path === '/desk/api/v1/actions') {
        const result = listActions(actions, url.searchParams, person);
        if (result.errors) return problem(res, 422, 'validation', 'The query is not valid', 'Check the highlighted fields.', result.errors);
        return json(res, 200, result);
      }
      const match = /^\/desk\/api\/v1\/actions\/([^/]+)$/.exec(path);
      if (match?.[1] === 'A-RESTRICTED') {
        return problem(res, 403, 'forbidden', 'Forbidden', 'This action belongs to a group whose actions you cannot read.');
      }
      if (match) {
        const action = actions.find((a) => a.ref === decodeURIComponent(match[1]));
        if (!action) return problem(res, 404, 'not-found', 'No such action', `There is no action ${decodeURIComponent(match[1])}.`);
        return json(res, 200, detail(action, person));
      }
      return problem(res, 404, 'not-found', 'Not found');
    }
    if (path === '/desk' || path.startsWith('/desk/')) return serveDist(res, path === '/desk' ? '/desk/' : path, dist);
    return problem(res, 404, 'not-found', 'Not found');
  });
  return new Promise((resolveStart) => {
    server.listen(port, host, () => {
      const address = server.address();
      resolveStart({
        url: `http://${host}:${address.port}/desk/`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 4700;
  const { url } = await startStub({ port, dev: !process.argv.includes('--no-dev') });
  console.log(`desk stub: ${url} (Ctrl-C to stop)`);
}
