/**
 * One meeting or training session: its facts for everyone who may read it, and for the business
 * team the form that changes, moves, cancels or puts it back on (or adds a new one), in London
 * time. The server applies the calendar import's checks; each problem shows beside its field and
 * what was typed stays. A moved, cancelled or reinstated session says how many people booked or
 * waiting were told. A recurring meeting is changed on its own or as its series.
 */
import {
  Body1,
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Select,
  Subtitle1,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import {
  MODE_WORDS,
  dayTitle,
  londonToday,
  saveEvent,
  type CalendarChoices,
  type CalendarEntry,
  type EntryKind,
  type EventForm,
  type Saved,
} from '../calendarApi';
import { useApi, useDesk } from '../desk';
import { problemOf, type Problem } from '../problem';
import { Link, usePageTitle } from '../router';
import { Loading, ProblemMessage } from '../ui';
import { calendarPaths } from './Calendar';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

const useStyles = makeStyles({
  form: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)', gap: tokens.spacingVerticalM, maxWidth: '40rem' },
  row: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(9rem, 100%), 1fr))',
    gap: tokens.spacingHorizontalM,
  },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`, margin: 0 },
  detail: { margin: 0, overflowWrap: 'anywhere' },
});

type Values = Required<Omit<EventForm, 'capacity'>> & { capacity: string; code: string };

function valuesOf(kind: EntryKind, entry: CalendarEntry | null): Values {
  return {
    code: entry?.code ?? '',
    group: '',
    course: '',
    day: entry?.day ?? londonToday(),
    start: entry?.start ?? '10:00',
    end: entry?.end ?? '12:00',
    mode: (entry && kind === 'meeting' ? entry.mode : '') as Values['mode'],
    venue: entry?.venue ?? '',
    link: entry?.link ?? '',
    agenda: entry?.agenda ?? '',
    title: entry && entry.title !== entry.name ? entry.title : '',
    notes: entry?.notes ?? '',
    capacity: entry?.capacity ? String(entry.capacity) : '',
    cancelled: entry?.cancelled ?? false,
    confirm_not_personal: false,
    scope: 'occurrence',
  };
}

function formOf(kind: EntryKind, values: Values, cancelled: boolean): EventForm {
  const shared = {
    day: values.day,
    start: values.start,
    end: values.end,
    mode: values.mode,
    venue: values.venue,
    link: values.link,
    cancelled,
    confirm_not_personal: values.confirm_not_personal,
  };
  if (kind === 'meeting') {
    return { ...shared, group: values.code, title: values.title, agenda: values.agenda, notes: values.notes, scope: values.scope };
  }
  const capacity = values.capacity.trim() === '' ? null : Number(values.capacity);
  return { ...shared, course: values.code, capacity };
}

function told(saved: Saved): string {
  const people = saved.people_told === 1 ? '1 person' : `${saved.people_told} people`;
  const what = { moved: 'has moved', cancelled: 'is cancelled', reinstated: 'is back on', '': '' }[saved.change];
  if (saved.series_changed) return `The series was changed: ${saved.meetings_changed} meetings follow it.`;
  if (saved.entry.kind === 'session' && what) return `The session ${what}: ${people} booked or waiting told.`;
  return 'Saved.';
}

function Facts({ entry }: { entry: CalendarEntry }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const rows: [string, string][] = [
    ['When', `${dayTitle(entry.day)}, ${entry.start}–${entry.end} (London time)`],
    [entry.kind === 'meeting' ? 'Group' : 'Course', `${entry.name} (${entry.code})`],
    ['How', MODE_WORDS[entry.mode] ?? entry.mode],
    ['Where', entry.venue || '—'],
    ['Status', entry.cancelled ? 'Cancelled' : 'On'],
  ];
  if (entry.kind === 'session') rows.push(['Places', `${entry.booked} booked${entry.capacity ? ` of ${entry.capacity}` : ''}, ${entry.waiting} waiting`]);
  if (entry.series_id !== null) rows.push(['Repeats', entry.changed_on_its_own ? 'Yes; this meeting was changed on its own' : 'Yes']);
  return (
    <dl className={styles.facts}>
      {rows.map(([term, detail]) => (
        <div key={term} style={{ display: 'contents' }}>
          <dt className={layout.term}>{term}</dt>
          <dd className={styles.detail}>{detail}</dd>
        </div>
      ))}
      {entry.link ? (
        <div style={{ display: 'contents' }}>
          <dt className={layout.term}>Join</dt>
          <dd className={styles.detail}>
            <a href={entry.link} target="_blank" rel="noreferrer">
              Join link (opens outside the desk)
            </a>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function EventFormView({ kind, entry, choices }: { kind: EntryKind; entry: CalendarEntry | null; choices: CalendarChoices }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const { host } = useDesk();
  const [values, setValues] = useState<Values>(() => valuesOf(kind, entry));
  const [current, setCurrent] = useState<CalendarEntry | null>(entry);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<Saved | null>(null);
  const [busy, setBusy] = useState(false);
  const errors = new Map<string, string>();
  problem?.errors?.forEach((error) => errors.set(error.field === 'code' || error.field === 'group' || error.field === 'course' ? 'code' : error.field === 'date' ? 'day' : error.field, error.message));
  const unplaced = problem?.errors?.filter((error) => !['code', 'group', 'course', 'day', 'date', 'start', 'end', 'mode', 'venue', 'link', 'agenda', 'title', 'notes', 'capacity'].includes(error.field));
  const set = <K extends keyof Values>(name: K, value: Values[K]) => setValues((old) => ({ ...old, [name]: value }));
  // A retired group or course keeps its own meetings and sessions, and is offered for no other.
  const owners = (kind === 'meeting' ? choices.groups : choices.courses).filter((owner) => owner.active || owner.code === entry?.code);

  const save = async (cancelled: boolean) => {
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      const saved = await saveEvent(host, kind, current?.id ?? null, formOf(kind, values, cancelled));
      setDone(saved);
      setCurrent(saved.entry);
      setValues((old) => ({ ...valuesOf(kind, saved.entry), scope: old.scope }));
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(values.cancelled);
  };
  const noun = kind === 'meeting' ? 'meeting' : 'session';
  const message = (name: string) => (errors.has(name) ? { validationMessage: errors.get(name), validationState: 'error' as const } : {});

  return (
    <>
    {current ? <Facts entry={current} /> : null}
    <Subtitle1 as="h2">{current ? 'Change, move or cancel' : 'Details'}</Subtitle1>
    <form className={styles.form} onSubmit={submit} noValidate aria-label={current ? `Change this ${noun}` : `Add a ${noun}`}>
      {done ? (
        <MessageBar intent="success" role="status" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Saved</MessageBarTitle> {told(done)}{' '}
            {!entry ? <Link href={kind === 'meeting' ? calendarPaths.meeting(done.entry.id) : calendarPaths.session(done.entry.id)}>Open it</Link> : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {problem && !problem.errors ? <ProblemMessage problem={problem} /> : null}
      {problem?.errors ? (
        <MessageBar intent="error" role="alert" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Nothing was saved</MessageBarTitle> Check the fields marked below.
            {unplaced?.length ? (
              <ul>
                {unplaced.map((error, index) => (
                  <li key={index}>{error.message}</li>
                ))}
              </ul>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Field label={kind === 'meeting' ? 'Group' : 'Course'} required {...message('code')}>
        <Select className={layout.select} select={{ className: layout.select }} value={values.code} onChange={(_, data) => set('code', data.value)}>
          <option value="">Choose…</option>
          {owners.map((owner) => (
            <option key={owner.code} value={owner.code}>
              {kind === 'session' ? `${owner.code}: ` : ''}
              {owner.name}
              {owner.active ? '' : ' (retired)'}
            </option>
          ))}
        </Select>
      </Field>
      {current?.series_id != null ? (
        <Field label="Change">
          <RadioGroup value={values.scope} onChange={(_, data) => set('scope', data.value as Values['scope'])}>
            <Radio value="occurrence" label="This meeting only" />
            <Radio value="series" label="The whole series (its days stay; time, length, how and where change)" />
          </RadioGroup>
        </Field>
      ) : null}
      <div className={styles.row}>
        <Field label="Date" required {...message('day')}>
          <Input type="date" value={values.day} onChange={(_, data) => set('day', data.value)} />
        </Field>
        <Field label="Starts (London time)" required {...message('start')}>
          <Input type="time" value={values.start} onChange={(_, data) => set('start', data.value)} />
        </Field>
        <Field label="Ends (London time)" required {...message('end')}>
          <Input type="time" value={values.end} onChange={(_, data) => set('end', data.value)} />
        </Field>
      </div>
      <Field label="How it is held" {...message('mode')}>
        <Select className={layout.select} select={{ className: layout.select }} value={values.mode} onChange={(_, data) => set('mode', data.value as Values['mode'])}>
          <option value="">{kind === 'session' ? "The course's way" : 'From the venue and link'}</option>
          <option value="online">Online (Teams)</option>
          <option value="in_person">In person</option>
          <option value="hybrid">Hybrid</option>
        </Select>
      </Field>
      <Field label="Venue" {...message('venue')}>
        <Input value={values.venue} onChange={(_, data) => set('venue', data.value)} />
      </Field>
      <Field label="Teams link" {...message('link')}>
        <Input type="url" value={values.link} onChange={(_, data) => set('link', data.value)} />
      </Field>
      {kind === 'meeting' ? (
        <>
          <Field label="Title (blank: the group's name)" {...message('title')}>
            <Input value={values.title} onChange={(_, data) => set('title', data.value)} />
          </Field>
          <Field label="Agenda link" {...message('agenda')}>
            <Input type="url" value={values.agenda} onChange={(_, data) => set('agenda', data.value)} />
          </Field>
          <Field label="Notes" {...message('notes')}>
            <Textarea value={values.notes} onChange={(_, data) => set('notes', data.value)} />
          </Field>
        </>
      ) : (
        <Field label="Places (blank: the course's)" {...message('capacity')}>
          <Input type="number" min={1} value={values.capacity} onChange={(_, data) => set('capacity', data.value)} />
        </Field>
      )}
      <Checkbox
        checked={values.confirm_not_personal}
        onChange={(_, data) => set('confirm_not_personal', data.checked === true)}
        label="The venue, title and notes hold no personal data (confirm if the check flags a false alarm)"
      />
      <div className={layout.buttons}>
        <Button type="submit" appearance="primary" disabled={busy}>
          {current ? 'Save changes' : `Add the ${noun}`}
        </Button>
        {current && !current.cancelled ? (
          <Button type="button" disabled={busy} onClick={() => void save(true)}>
            {values.scope === 'series' && current.series_id != null ? 'Cancel this and later meetings' : `Cancel this ${noun}`}
          </Button>
        ) : null}
        {current?.cancelled ? (
          <Button type="button" disabled={busy} onClick={() => void save(false)}>
            Put it back on
          </Button>
        ) : null}
      </div>
    </form>
    </>
  );
}

export function CalendarEditPage({ kind, id }: { kind: EntryKind; id: number | null }) {
  const choices = useApi<CalendarChoices>('/calendar/choices');
  const entry = useApi<CalendarEntry>(id === null ? '/calendar/choices' : `/calendar/${kind}s/${id}`);
  const title = id === null ? `Add a ${kind === 'meeting' ? 'meeting' : 'training session'}` : kind === 'meeting' ? 'Meeting' : 'Training session';
  const loaded = id !== null && entry.state === 'done' ? (entry.data as CalendarEntry) : null;
  usePageTitle(loaded ? `${loaded.title}, ${loaded.day}` : title);
  return (
    <>
      <PageHeading>{loaded ? loaded.title : title}</PageHeading>
      <p>
        <Link href={calendarPaths.calendar(loaded ? `?month=${loaded.day.slice(0, 7)}` : '')}>Back to meetings and training</Link>
      </p>
      {choices.state === 'loading' || entry.state === 'loading' ? <Loading what={kind} /> : null}
      {choices.state === 'problem' ? <ProblemMessage problem={choices.problem} /> : null}
      {entry.state === 'problem' ? <ProblemMessage problem={entry.problem} /> : null}
      {choices.state === 'done' && (id === null || loaded) ? (
        choices.data.can_edit ? (
          <EventFormView key={`${kind}-${id ?? 'new'}`} kind={kind} entry={loaded} choices={choices.data} />
        ) : loaded ? (
          <Facts entry={loaded} />
        ) : (
          <Body1 as="p">Only the business team adds meetings and sessions.</Body1>
        )
      ) : null}
    </>
  );
}
