/**
 * Reference data: a tab per kind (priorities, sources, agencies, groups, courses and, for the
 * business team and the scrutineer, people), each a table. The business team adds and edits in a
 * dialog, retires (or reinstates) after confirming, and deactivates a person, giving the open
 * actions they lead new leads in the same dialog. A refusal shows beside its field, and what was
 * typed stays in the form. Everyone else reads; nobody else gets a button.
 */
import {
  Body1,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { apiGet } from '../api';
import { useDesk } from '../desk';
import type { Problem } from '../problem';
import {
  CONFLICT,
  ReferenceProblem,
  STILL_LEADS,
  errorsByField,
  referenceSend,
  type Item,
  type ItemList,
  type Kind,
  type OpenAction,
} from '../referenceApi';
import { navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage, TableScroller } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

const useStyles = makeStyles({
  tabs: { flexWrap: 'wrap', marginBottom: tokens.spacingVerticalM },
  table: { tableLayout: 'auto', minWidth: '36rem' },
  text: { whiteSpace: 'pre-wrap', overflowWrap: 'break-word', minWidth: '6rem' },
  rowActions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  form: { display: 'grid', gap: tokens.spacingVerticalM },
  surface: { maxWidth: 'min(40rem, calc(100vw - 32px))' },
  heading: { ...typographyStyles.subtitle1, margin: `${tokens.spacingVerticalS} 0`, ':focus': { outline: 'none' } },
});

type FieldKind = 'text' | 'textarea' | 'select' | 'checkbox';
type Option = { value: string; label: string };
type Lookups = { people: Item[]; agencies: Item[] };

interface FormField {
  name: string;
  label: string;
  kind?: FieldKind;
  hint?: string;
  required?: boolean;
  /** Only when adding: a code is fixed once made. */
  addOnly?: boolean;
  /** The choices; `current` is the field's value, kept as a choice even when retired. */
  options?: (lookups: Lookups, current: string) => Option[];
}

interface Column {
  name: string;
  label: string;
  show?: (item: Item) => ReactNode;
}

interface KindSpec {
  kind: Kind;
  title: string;
  one: string;
  retires: boolean;
  columns: Column[];
  fields: FormField[];
}

const CODE: FormField = { name: 'code', label: 'Code', required: true, addOnly: true, hint: 'Letters, digits, ".", "-" or "_"' };
const yesNo = (name: string) => (item: Item) => (item[name] ? 'Yes' : 'No');
const MODES: Option[] = [
  { value: 'online', label: 'Teams' },
  { value: 'in_person', label: 'In person' },
  { value: 'hybrid', label: 'Hybrid' },
  { value: 'e_learning', label: 'E-learning' },
];
const SOURCE_KINDS = ['plan', 'review', 'audit', 'scrutiny', 'other'].map((value) => ({ value, label: value[0].toUpperCase() + value.slice(1) }));

const KINDS: KindSpec[] = [
  {
    kind: 'priorities',
    title: 'Priorities',
    one: 'priority',
    retires: true,
    columns: [{ name: 'name', label: 'Name' }],
    fields: [CODE, { name: 'name', label: 'Name', required: true }],
  },
  {
    kind: 'sources',
    title: 'Sources',
    one: 'source',
    retires: true,
    columns: [
      { name: 'title', label: 'Title' },
      { name: 'kind', label: 'Kind' },
      { name: 'date', label: 'Date' },
    ],
    fields: [
      CODE,
      { name: 'title', label: 'Title', required: true },
      { name: 'kind', label: 'Kind', kind: 'select', required: true, options: () => SOURCE_KINDS },
      { name: 'date', label: 'Date', hint: 'For example 31/01/2027; leave blank for none' },
    ],
  },
  {
    kind: 'agencies',
    title: 'Agencies',
    one: 'agency',
    retires: true,
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'kind', label: 'Kind' },
      { name: 'statutory_partner', label: 'Statutory partner', show: yesNo('statutory_partner') },
    ],
    fields: [
      CODE,
      { name: 'name', label: 'Name', required: true },
      { name: 'kind', label: 'Kind of agency' },
      { name: 'statutory_partner', label: 'Statutory partner', kind: 'checkbox' },
    ],
  },
  {
    kind: 'groups',
    title: 'Groups',
    one: 'group',
    retires: true,
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'cadence', label: 'Cadence' },
      { name: 'chair_name', label: 'Chair' },
      { name: 'joint', label: 'Joint', show: yesNo('joint') },
      { name: 'aliases', label: 'Other names' },
    ],
    fields: [
      CODE,
      { name: 'name', label: 'Name', required: true },
      { name: 'cadence', label: 'Cadence', hint: 'How often it meets, for example "quarterly"' },
      {
        name: 'chair',
        label: 'Chair',
        kind: 'select',
        options: ({ people }) => [
          { value: '', label: 'No chair' },
          ...people.filter((p) => p.active).map((p) => ({ value: p.code, label: `${String(p.name)} (${p.code})` })),
        ],
      },
      { name: 'joint', label: 'Joint with a neighbouring partnership', kind: 'checkbox' },
      { name: 'aliases', label: 'Other names', hint: 'Separated by ";", for example "exec; exec board"' },
    ],
  },
  {
    kind: 'courses',
    title: 'Courses',
    one: 'course',
    retires: true,
    columns: [
      { name: 'title', label: 'Title' },
      { name: 'mode', label: 'Mode', show: (item) => MODES.find((m) => m.value === item.mode)?.label ?? String(item.mode) },
      { name: 'duration', label: 'Duration' },
      { name: 'capacity', label: 'Places', show: (item) => (item.capacity == null ? 'Unlimited' : String(item.capacity)) },
      { name: 'aliases', label: 'Other names' },
    ],
    fields: [
      CODE,
      { name: 'title', label: 'Title', required: true },
      { name: 'mode', label: 'Mode', kind: 'select', required: true, options: () => MODES },
      { name: 'duration', label: 'Duration', hint: 'For example "2 hours"' },
      { name: 'capacity', label: 'Places', hint: 'A number; blank for unlimited' },
      { name: 'venue', label: 'Venue', hint: 'Needed for a course held in person' },
      { name: 'link', label: 'Link', hint: 'https://…' },
      { name: 'description', label: 'Description', kind: 'textarea' },
      { name: 'complete_within_months', label: 'Complete within (months)' },
      { name: 'aliases', label: 'Other names', hint: 'Separated by ";", for example "GCP2; graded care profile"' },
    ],
  },
  {
    kind: 'people',
    title: 'People',
    one: 'person',
    retires: false,
    columns: [
      { name: 'name', label: 'Name' },
      { name: 'email', label: 'Email' },
      { name: 'agency_name', label: 'Agency' },
      { name: 'role', label: 'Role' },
      {
        name: 'roles',
        label: 'Desk roles',
        show: (item) => ['admin', 'scrutineer', 'champion'].filter((flag) => item[flag]).join(', ') || '—',
      },
    ],
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'email', label: 'Work email', required: true },
      {
        name: 'agency',
        label: 'Agency',
        kind: 'select',
        required: true,
        options: ({ agencies }, current) => [
          { value: '', label: 'Choose an agency' },
          ...agencies
            .filter((a) => a.active !== false || a.code === current)
            .map((a) => ({ value: a.code, label: a.active === false ? `${String(a.name)} (retired)` : String(a.name) })),
        ],
      },
      { name: 'role', label: 'Role' },
      { name: 'champion', label: 'Champion', kind: 'checkbox' },
      { name: 'admin', label: 'Business team (admin)', kind: 'checkbox' },
      { name: 'scrutineer', label: 'Scrutineer', kind: 'checkbox' },
    ],
  },
];

type Values = Record<string, string | boolean>;

function formValues(spec: KindSpec, item: Item | null): Values {
  const values: Values = {};
  for (const field of spec.fields) {
    const stored = item?.[field.name];
    values[field.name] = field.kind === 'checkbox' ? Boolean(stored) : stored == null ? '' : String(stored);
  }
  return values;
}

/** The body a form sends: an edit leaves the code to the address, and names the version it began from. */
function formBody(spec: KindSpec, values: Values, item: Item | null, confirm: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { ...values };
  if (item) {
    delete body.code;
    body.version = item.version;
  }
  if (spec.kind !== 'people') body.confirm_not_personal = confirm;
  return body;
}

function FormInput({
  field,
  value,
  error,
  lookups,
  onChange,
}: {
  field: FormField;
  value: string | boolean;
  error?: string;
  lookups: Lookups;
  onChange: (value: string | boolean) => void;
}) {
  const state = error ? ('error' as const) : ('none' as const);
  if (field.kind === 'checkbox') {
    return (
      <Field validationMessage={error} validationState={state}>
        <Checkbox label={field.label} checked={Boolean(value)} onChange={(_, data) => onChange(Boolean(data.checked))} />
      </Field>
    );
  }
  const common = { label: field.label, hint: field.hint, required: field.required, validationMessage: error, validationState: state };
  if (field.kind === 'select') {
    return (
      <Field {...common}>
        <Select value={String(value)} onChange={(_, data) => onChange(data.value)}>
          {(field.options?.(lookups, String(value)) ?? []).map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </Select>
      </Field>
    );
  }
  if (field.kind === 'textarea') {
    return (
      <Field {...common}>
        <Textarea value={String(value)} onChange={(_, data) => onChange(data.value)} resize="vertical" />
      </Field>
    );
  }
  return (
    <Field {...common}>
      <Input value={String(value)} onChange={(_, data) => onChange(data.value)} />
    </Field>
  );
}

function FormProblem({ problem, fields }: { problem: Problem | null; fields: string[] }) {
  if (!problem) return null;
  if (problem.status === 422) {
    const elsewhere = (problem.errors ?? []).filter((error) => !fields.includes(error.field));
    return (
      <MessageBar intent="error" layout="multiline" role="alert">
        <MessageBarBody>
          Check the values marked below.
          {elsewhere.map((error) => ` ${error.message}`).join('')}
        </MessageBarBody>
      </MessageBar>
    );
  }
  return <ProblemMessage problem={problem} />;
}

/** Add or edit one item; the dialog stays open, with what was typed, until the server accepts it. */
function EditDialog({
  spec,
  item,
  lookups,
  onClose,
  onSaved,
}: {
  spec: KindSpec;
  item: Item | null;
  lookups: Lookups;
  onClose: () => void;
  onSaved: (saved: Item) => void;
}) {
  const styles = useStyles();
  const { host } = useDesk();
  const [values, setValues] = useState<Values>(() => formValues(spec, item));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const errors = errorsByField(problem);
  const fields = spec.fields.filter((field) => !(item && field.addOnly));
  const screened = Object.values(errors).some((message) => message.includes('looks like'));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const path = item ? `/${spec.kind}/${encodeURIComponent(item.code)}` : `/${spec.kind}`;
      const saved = await referenceSend<Item>(host, item ? 'PUT' : 'POST', path, formBody(spec, values, item, confirm));
      onSaved(saved);
    } catch (error) {
      setProblem(error instanceof ReferenceProblem ? error.problem : { type: 'about:blank', title: 'Not saved', status: 0 });
    } finally {
      setBusy(false);
    }
  };

  const title = item ? `Edit ${spec.one} ${item.code}` : `Add a ${spec.one}`;
  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} aria-label={title}>
        <form onSubmit={save} noValidate>
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={styles.form}>
              <FormProblem problem={problem} fields={fields.map((f) => f.name)} />
              {problem?.type === CONFLICT ? <Body1>Close this form to see the latest values, then make your change again.</Body1> : null}
              {fields.map((field) => (
                <FormInput
                  key={field.name}
                  field={field}
                  value={values[field.name]}
                  error={errors[field.name]}
                  lookups={lookups}
                  onChange={(value) => setValues((before) => ({ ...before, [field.name]: value }))}
                />
              ))}
              {screened ? (
                <Checkbox
                  label="I have checked: this text holds no personal details"
                  checked={confirm}
                  onChange={(_, data) => setConfirm(Boolean(data.checked))}
                />
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button type="submit" appearance="primary" disabled={busy}>
                {item ? 'Save changes' : `Add ${spec.one}`}
              </Button>
              <Button type="button" onClick={onClose}>
                Cancel
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/** Retire or reinstate, after saying what it means. */
function RetireDialog({ spec, item, onClose, onSaved }: { spec: KindSpec; item: Item; onClose: () => void; onSaved: (saved: Item) => void }) {
  const { host } = useDesk();
  const [problem, setProblem] = useState<Problem | null>(null);
  const retiring = item.active !== false;
  const verb = retiring ? 'Retire' : 'Reinstate';
  const go = async () => {
    try {
      const path = `/${spec.kind}/${encodeURIComponent(item.code)}/${retiring ? 'retire' : 'reinstate'}`;
      onSaved(await referenceSend<Item>(host, 'POST', path, { version: item.version }));
    } catch (error) {
      setProblem(error instanceof ReferenceProblem ? error.problem : { type: 'about:blank', title: 'Not saved', status: 0 });
    }
  };
  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>
            {verb} {spec.one} {item.code}?
          </DialogTitle>
          <DialogContent>
            {problem ? <ProblemMessage problem={problem} /> : null}
            <Body1 as="p">
              {retiring
                ? `It stays on every action, session, meeting, person and record that already has it, with its history; nothing new can use it.`
                : `It can be chosen again for new actions, sessions and people.`}
            </Body1>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={() => void go()}>
              {verb}
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** Deactivate a person; if they lead open actions, the server says which, and each gets a new lead here. */
function DeactivateDialog({
  person,
  lookups,
  onClose,
  onSaved,
}: {
  person: Item;
  lookups: Lookups;
  onClose: () => void;
  onSaved: (saved: Item) => void;
}) {
  const styles = useStyles();
  const { host } = useDesk();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [actions, setActions] = useState<OpenAction[]>([]);
  const [leads, setLeads] = useState<Record<string, string>>({});
  const errors = errorsByField(problem);
  const others = lookups.people.filter((p) => p.active && p.code !== person.code);

  const go = async () => {
    try {
      const path = `/people/${encodeURIComponent(person.code)}/deactivate`;
      onSaved(await referenceSend<Item>(host, 'POST', path, { version: person.version, reassign: leads }));
    } catch (error) {
      if (!(error instanceof ReferenceProblem)) throw error;
      setProblem(error.problem);
      if (error.problem.type === STILL_LEADS) {
        const open = await apiGet<{ items: OpenAction[] }>(host, `/reference/people/${encodeURIComponent(person.code)}/open-actions`);
        setActions(open.items);
      }
    }
  };
  const missing = actions.some((action) => !leads[action.ref]);
  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Deactivate {String(person.name)}?</DialogTitle>
          <DialogContent className={styles.form}>
            {problem && problem.status !== 422 ? <ProblemMessage problem={problem} /> : null}
            {problem?.status === 422 ? <FormProblem problem={problem} fields={actions.map((a) => a.ref)} /> : null}
            <Body1 as="p">
              They will no longer be able to use the bot or the desk, and reminders queued for them are cancelled. Their history stays.
            </Body1>
            {actions.map((action) => (
              <Field
                key={action.ref}
                label={`New lead for ${action.ref}: ${action.title}`}
                required
                validationMessage={errors[action.ref]}
                validationState={errors[action.ref] ? 'error' : 'none'}
              >
                <Select value={leads[action.ref] ?? ''} onChange={(_, data) => setLeads((before) => ({ ...before, [action.ref]: data.value }))}>
                  <option value="">Choose someone</option>
                  {others.map((p) => (
                    <option key={p.code} value={p.code}>
                      {`${String(p.name)} (${String(p.agency_name)})`}
                    </option>
                  ))}
                </Select>
              </Field>
            ))}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={actions.length > 0 && missing} onClick={() => void go()}>
              {actions.length > 0 ? 'Reassign and deactivate' : 'Deactivate'}
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

type Open = { what: 'edit'; item: Item | null } | { what: 'retire'; item: Item } | { what: 'deactivate'; item: Item } | null;

function KindTab({ spec, lookups, onChanged }: { spec: KindSpec; lookups: Lookups; onChanged: () => void }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const { host, me } = useDesk();
  const [list, setList] = useState<{ state: 'loading' } | { state: 'done'; data: ItemList } | { state: 'problem'; problem: Problem }>({ state: 'loading' });
  const [open, setOpenState] = useState<Open>(null);
  const [said, setSaid] = useState('');
  const opener = useRef<HTMLElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement | null>(null);
  // A dialog closed: focus goes back to the button that opened it, or (gone, say a deactivated
  // person's) to the tab's heading, never to the page's start.
  const setOpen = (next: Open) => {
    if (next) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    } else {
      window.setTimeout(() => (opener.current?.isConnected ? opener.current : headingRef.current)?.focus(), 0);
    }
    setOpenState(next);
  };
  const load = useCallback(
    () =>
      apiGet<ItemList>(host, `/reference/${spec.kind}`).then(
        (data) => setList({ state: 'done', data }),
        (error: unknown) => setList({ state: 'problem', problem: (error as ReferenceProblem).problem }),
      ),
    [host, spec.kind],
  );
  useEffect(() => {
    void load();
  }, [load]);

  // Said once the table shows the change, so what is announced is what is there.
  const saved = (message: string) => () => {
    setOpen(null);
    void load().then(() => setSaid(message));
    onChanged();
  };
  if (list.state === 'loading') return <Loading what={spec.title.toLowerCase()} />;
  if (list.state === 'problem') return <ProblemMessage problem={list.problem} />;
  const canEdit = list.data.can_edit && !me.is_scrutineer;
  return (
    <section aria-labelledby={`${spec.kind}-heading`}>
      <h2 id={`${spec.kind}-heading`} ref={headingRef} tabIndex={-1} className={styles.heading}>
        {spec.title}
      </h2>
      <div role="status">{said}</div>
      {canEdit ? (
        <div className={layout.toolbar}>
          <Button appearance="primary" onClick={() => setOpen({ what: 'edit', item: null })}>
            Add a {spec.one}
          </Button>
        </div>
      ) : null}
      <TableScroller label={`${spec.title} (scrolls sideways)`}>
        <Table aria-label={spec.title} size="small" className={styles.table}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Code</TableHeaderCell>
              {spec.columns.map((column) => (
                <TableHeaderCell key={column.name}>{column.label}</TableHeaderCell>
              ))}
              <TableHeaderCell>State</TableHeaderCell>
              {canEdit ? <TableHeaderCell>Change</TableHeaderCell> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.data.items.map((item) => (
              <TableRow key={item.code}>
                <TableCell>{item.code}</TableCell>
                {spec.columns.map((column) => (
                  <TableCell key={column.name} className={styles.text}>
                    {column.show ? column.show(item) : item[column.name] === '' || item[column.name] == null ? '—' : String(item[column.name])}
                  </TableCell>
                ))}
                <TableCell>
                  {item.active === false ? <Text weight="semibold">{spec.kind === 'people' ? 'Inactive' : 'Retired'}</Text> : 'Active'}
                </TableCell>
                {canEdit ? (
                  <TableCell>
                    <div className={styles.rowActions}>
                      <Button size="small" aria-label={`Edit ${item.code}`} onClick={() => setOpen({ what: 'edit', item })}>
                        Edit
                      </Button>
                      {spec.retires ? (
                        <Button size="small" aria-label={`${item.active === false ? 'Reinstate' : 'Retire'} ${item.code}`} onClick={() => setOpen({ what: 'retire', item })}>
                          {item.active === false ? 'Reinstate' : 'Retire'}
                        </Button>
                      ) : null}
                      {spec.kind === 'people' && item.active !== false && item.code !== me.id ? (
                        <Button size="small" aria-label={`Deactivate ${item.code}`} onClick={() => setOpen({ what: 'deactivate', item })}>
                          Deactivate
                        </Button>
                      ) : null}
                    </div>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableScroller>
      {open?.what === 'edit' ? (
        <EditDialog
          spec={spec}
          item={open.item}
          lookups={lookups}
          onClose={() => setOpen(null)}
          onSaved={(item) => saved(`${open.item ? 'Saved' : 'Added'} ${spec.one} ${item.code}.`)()}
        />
      ) : null}
      {open?.what === 'retire' ? (
        <RetireDialog
          spec={spec}
          item={open.item}
          onClose={() => setOpen(null)}
          onSaved={(item) => saved(`${item.active ? 'Reinstated' : 'Retired'} ${spec.one} ${item.code}.`)()}
        />
      ) : null}
      {open?.what === 'deactivate' ? (
        <DeactivateDialog person={open.item} lookups={lookups} onClose={() => setOpen(null)} onSaved={(item) => saved(`Deactivated ${String(item.name)}.`)()} />
      ) : null}
    </section>
  );
}

/** The people and agencies the business team's forms choose from (chairs, new leads, agencies). */
function useLookups(enabled: boolean): [Lookups, () => void] {
  const { host } = useDesk();
  const [lookups, setLookups] = useState<Lookups>({ people: [], agencies: [] });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    Promise.all([apiGet<ItemList>(host, '/reference/people'), apiGet<ItemList>(host, '/reference/agencies')]).then(
      ([people, agencies]) => setLookups({ people: people.items, agencies: agencies.items }),
      () => undefined,
    );
  }, [host, enabled, round]);
  return [lookups, () => setRound((n) => n + 1)];
}

export function ReferencePage({ search }: { search: string }) {
  const styles = useStyles();
  const { me } = useDesk();
  usePageTitle('Reference data');
  const kinds = KINDS.filter((spec) => spec.kind !== 'people' || me.is_admin || me.is_scrutineer);
  const asked = new URLSearchParams(search).get('tab');
  const current = kinds.find((spec) => spec.kind === asked) ?? kinds[0];
  const [lookups, refresh] = useLookups(me.is_admin && !me.is_scrutineer);
  return (
    <>
      <PageHeading>Reference data</PageHeading>
      <TabList
        className={styles.tabs}
        selectedValue={current.kind}
        onTabSelect={(_, data) => navigate(`${paths.reference()}?tab=${String(data.value)}`, { replace: true, keepFocus: true })}
        aria-label="Kinds of reference data"
      >
        {kinds.map((spec) => (
          <Tab key={spec.kind} value={spec.kind}>
            {spec.title}
          </Tab>
        ))}
      </TabList>
      <div role="tabpanel" aria-label={current.title}>
        <KindTab key={current.kind} spec={current} lookups={lookups} onChanged={refresh} />
      </div>
    </>
  );
}
