/**
 * One training session: its places, bookings and waiting list. The business team marks attendance
 * (from the day of the session), exports it, and books or removes a person on their behalf; the
 * scrutineer reads the list and has no buttons; everyone else sees the numbers only (names are
 * personal). Every change goes through the chat's own training use cases on the server.
 */
import {
  Badge,
  Body1,
  Button,
  Card,
  Checkbox,
  Field,
  MessageBar,
  MessageBarBody,
  Select,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { reportedProblem, useApi, useDesk } from '../desk';
import { downloadExport } from '../download';
import type { Problem } from '../problem';
import { Link, paths, usePageTitle } from '../router';
import {
  sessionPath,
  trainingSend,
  type AttendanceAnswer,
  type BookingAnswer,
  type ListedPerson,
  type RemovalAnswer,
  type SessionDetail,
} from '../trainingApi';
import { Loading, ProblemMessage, TableScroller, When } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';
import { placesLeft, sessionWhen, sessionWhere } from './trainingFormat';

const useStyles = makeStyles({
  table: { tableLayout: 'auto', minWidth: '32rem' },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'end' },
  field: { minWidth: 'min(14rem, 100%)', maxWidth: '28rem', flexGrow: 1 },
  select: { width: '100%', maxWidth: '100%' },
  checks: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, margin: `${tokens.spacingVerticalS} 0` },
  fieldset: { border: 'none', margin: 0, padding: 0 },
});

const WHO: Record<string, string> = {
  booked: 'Booked',
  waiting: 'Waiting',
  already_booked: 'already had a place',
  already_waiting: 'was already on the waiting list',
};

function Facts({ session }: { session: SessionDetail }) {
  const layout = usePageStyles();
  const facts: [string, string][] = [
    ['When', sessionWhen(session)],
    ['Where', sessionWhere(session)],
    ['Places', session.capacity === null ? 'Unlimited' : String(session.capacity)],
    ['Booked', String(session.booked)],
    ['Places left', placesLeft(session)],
    ['Waiting', String(session.waiting)],
  ];
  if (session.cancelled) facts.push(['Status', 'Cancelled']);
  if (!session.course_active) facts.push(['Course', 'Retired']);
  return (
    <Card>
      <dl className={layout.facts}>
        {facts.map(([term, value]) => (
          <div key={term} style={{ display: 'contents' }}>
            <dt className={layout.term}>{term}</dt>
            <dd className={layout.value}>{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

interface Changes {
  busy: boolean;
  remove(person: ListedPerson): void;
}

function RemoveButton({ person, changes }: { person: ListedPerson; changes: Changes }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button size="small" disabled={changes.busy} onClick={() => setConfirming(true)}>
        Remove {person.name}
      </Button>
    );
  }
  return (
    <span role="group" aria-label={`Remove ${person.name}?`} style={{ display: 'inline-flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' }}>
      <Button size="small" appearance="primary" autoFocus disabled={changes.busy} onClick={() => changes.remove(person)}>
        Yes, remove {person.name}
      </Button>
      <Button size="small" onClick={() => setConfirming(false)}>
        Keep
      </Button>
    </span>
  );
}

function PeopleTable({
  caption,
  headingId,
  people,
  when,
  changes,
  waiting = false,
}: {
  caption: string;
  headingId: string;
  people: ListedPerson[];
  when: (person: ListedPerson) => string | null;
  changes: Changes | null;
  waiting?: boolean;
}) {
  const styles = useStyles();
  return (
    <TableScroller label={`${caption} (scrolls sideways)`}>
      <Table aria-labelledby={headingId} size="small" className={styles.table}>
        <TableHeader>
          <TableRow>
            {waiting ? <TableHeaderCell>Position</TableHeaderCell> : null}
            <TableHeaderCell>Name</TableHeaderCell>
            <TableHeaderCell>Agency</TableHeaderCell>
            <TableHeaderCell>{waiting ? 'Joined the list' : caption === 'Cancelled' ? 'Cancelled' : 'Booked'}</TableHeaderCell>
            {caption === 'Places' ? <TableHeaderCell>Attendance</TableHeaderCell> : null}
            {changes ? <TableHeaderCell>Change</TableHeaderCell> : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {people.map((person) => (
            <TableRow key={person.id}>
              {waiting ? <TableCell>{person.position}</TableCell> : null}
              <TableCell>{person.name}</TableCell>
              <TableCell>{person.agency}</TableCell>
              <TableCell>
                <When value={when(person)} />
              </TableCell>
              {caption === 'Places' ? (
                <TableCell>{person.status === 'attended' ? <Badge appearance="tint" color="success">Attended</Badge> : 'Not marked attended'}</TableCell>
              ) : null}
              {changes ? (
                <TableCell>
                  <RemoveButton person={person} changes={changes} />
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableScroller>
  );
}

function Attendance({ session, busy, save }: { session: SessionDetail; busy: boolean; save: (attended: string[]) => void }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const places = (session.people ?? []).filter((p) => p.status === 'booked' || p.status === 'attended');
  const [ticked, setTicked] = useState<Set<string>>(() => new Set(places.filter((p) => p.status === 'attended').map((p) => p.id)));
  if (!session.can_mark) return <Body1 as="p" className={layout.paragraph}>{session.mark_problem}</Body1>;
  if (places.length === 0) return <Body1 as="p" className={layout.paragraph}>Nobody holds a place on this session.</Body1>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save([...ticked]);
  };
  return (
    <form onSubmit={submit} aria-labelledby="attendance-heading">
      <fieldset className={styles.fieldset}>
        <legend>Tick each person who attended; everyone else did not attend.</legend>
        <div className={styles.checks}>
          {places.map((person) => (
            <Checkbox
              key={person.id}
              label={`${person.name} (${person.agency}) attended`}
              checked={ticked.has(person.id)}
              onChange={(_, data) => {
                const next = new Set(ticked);
                if (data.checked) next.add(person.id);
                else next.delete(person.id);
                setTicked(next);
              }}
            />
          ))}
        </div>
      </fieldset>
      <Button type="submit" appearance="primary" disabled={busy}>
        Save attendance
      </Button>
    </form>
  );
}

function BookOnBehalf({ session, busy, book, problem }: { session: SessionDetail; busy: boolean; book: (person: string) => void; problem: Problem | null }) {
  const styles = useStyles();
  const onList = new Set((session.people ?? []).filter((p) => p.status !== 'cancelled').map((p) => p.id));
  const choices = session.roster.filter((p) => !onList.has(p.id));
  const [person, setPerson] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!person) {
      setMissing(true);
      return;
    }
    setMissing(false);
    book(person);
  };
  const full = session.places_left === 0;
  return (
    <form onSubmit={submit} aria-labelledby="book-heading">
      <div className={styles.row}>
        <Field
          label="Person to book"
          className={styles.field}
          validationState={missing || problem ? 'error' : 'none'}
          validationMessage={missing ? 'Choose a person from the roster.' : problem ? (problem.detail ?? problem.title) : undefined}
          hint={full ? 'The session is full: they join the waiting list.' : undefined}
        >
          <Select className={styles.select} select={{ className: styles.select }} value={person} onChange={(_, data) => setPerson(data.value)}>
            <option value="">Choose a person…</option>
            {choices.map((choice) => (
              <option key={choice.id} value={choice.id}>
                {choice.name} ({choice.agency})
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" appearance="primary" disabled={busy}>
          {full ? 'Add to the waiting list' : 'Book a place'}
        </Button>
      </div>
    </form>
  );
}

function SessionBody({ initial }: { initial: SessionDetail }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const desk = useDesk();
  const [session, setSession] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [bookProblem, setBookProblem] = useState<Problem | null>(null);
  const [attendanceRound, setAttendanceRound] = useState(0);
  const names = (id: string) => session.roster.find((p) => p.id === id)?.name ?? (session.people ?? []).find((p) => p.id === id)?.name ?? id;
  const mayChange = session.can_change && !desk.me.is_scrutineer;

  async function run<T>(action: () => Promise<T>, done: (answer: T) => string, onProblem = setProblem): Promise<void> {
    setBusy(true);
    setProblem(null);
    setBookProblem(null);
    setNotice('');
    try {
      const answer = await action();
      setNotice(done(answer));
    } catch (error) {
      onProblem(reportedProblem(error, desk.sessionProblem));
    } finally {
      setBusy(false);
    }
  }

  const changes: Changes | null = mayChange && session.open_for_changes
    ? {
        busy,
        remove: (person) =>
          void run(
            () => trainingSend<RemovalAnswer>(desk.host, 'DELETE', `${sessionPath(session.id)}/bookings/${encodeURIComponent(person.id)}`),
            (answer) => {
              setSession(answer.session);
              const what = answer.result === 'cancelled' ? `${person.name}'s place is cancelled.` : `${person.name} is off the waiting list.`;
              return answer.promoted ? `${what} The place has gone to ${names(answer.promoted)}, who will be told.` : what;
            },
          ),
      }
    : null;

  const book = (code: string) =>
    void run(
      () => trainingSend<BookingAnswer>(desk.host, 'POST', `${sessionPath(session.id)}/bookings`, { person: code }),
      (answer) => {
        setSession(answer.session);
        const name = names(code);
        if (answer.result === 'booked') return `${name} is booked.`;
        if (answer.result === 'waiting') return `The session is full: ${name} is number ${answer.position} on the waiting list.`;
        return `${name} ${WHO[answer.result]}.`;
      },
      setBookProblem,
    );

  const saveAttendance = (attended: string[]) =>
    void run(
      () => trainingSend<AttendanceAnswer>(desk.host, 'PUT', `${sessionPath(session.id)}/attendance`, { attended }),
      (answer) => {
        setSession(answer.session);
        setAttendanceRound((n) => n + 1);
        return `Attendance saved (${answer.changed} ${answer.changed === 1 ? 'change' : 'changes'}).`;
      },
    );

  const exportAttendance = (format: 'xlsx' | 'csv') =>
    void run(
      () => downloadExport(desk.host, 'attendance', { session: String(session.id) }, format),
      () => `The attendance list is downloading (${format === 'xlsx' ? 'Excel' : 'CSV'}).`,
    );

  const people = session.people;
  const places = (people ?? []).filter((p) => p.status === 'booked' || p.status === 'attended');
  const waiting = (people ?? []).filter((p) => p.status === 'waiting');
  const cancelled = (people ?? []).filter((p) => p.status === 'cancelled');

  return (
    <>
      <Facts session={session} />
      <div role="status" aria-live="polite">
        {notice ? (
          <MessageBar intent="success" layout="multiline">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {people === null ? (
        <Body1 as="p" className={mergeClasses(layout.paragraph, layout.section)}>
          Who is booked is personal: the business team keeps the list.
        </Body1>
      ) : (
        <>
          {mayChange && session.open_for_changes ? (
            <section className={layout.section} aria-labelledby="book-heading">
              <Subtitle1 as="h2" id="book-heading">
                Book someone
              </Subtitle1>
              <BookOnBehalf session={session} busy={busy} book={book} problem={bookProblem} />
            </section>
          ) : null}
          <section className={layout.section} aria-labelledby="places-heading">
            <Subtitle1 as="h2" id="places-heading">
              Places ({places.length})
            </Subtitle1>
            {places.length === 0 ? <Body1 as="p" className={layout.paragraph}>Nobody is booked.</Body1> : (
              <PeopleTable caption="Places" headingId="places-heading" people={places} when={(p) => p.booked_at ?? p.queued_at} changes={changes} />
            )}
          </section>
          <section className={layout.section} aria-labelledby="waiting-heading">
            <Subtitle1 as="h2" id="waiting-heading">
              Waiting list ({waiting.length})
            </Subtitle1>
            {waiting.length === 0 ? <Body1 as="p" className={layout.paragraph}>Nobody is waiting.</Body1> : (
              <PeopleTable caption="Waiting list" headingId="waiting-heading" people={waiting} when={(p) => p.queued_at} changes={changes} waiting />
            )}
          </section>
          {mayChange ? (
            <section className={layout.section} aria-labelledby="attendance-heading">
              <Subtitle1 as="h2" id="attendance-heading">
                Attendance
              </Subtitle1>
              <Attendance key={attendanceRound} session={session} busy={busy} save={saveAttendance} />
            </section>
          ) : null}
          <section className={layout.section} aria-labelledby="export-heading">
            <Subtitle1 as="h2" id="export-heading">
              Export attendance
            </Subtitle1>
            <div className={styles.row}>
              <Button disabled={busy} onClick={() => exportAttendance('xlsx')}>
                Download attendance (Excel)
              </Button>
              <Button disabled={busy} onClick={() => exportAttendance('csv')}>
                Download attendance (CSV)
              </Button>
            </div>
          </section>
          {cancelled.length > 0 ? (
            <section className={layout.section} aria-labelledby="cancelled-heading">
              <Subtitle1 as="h2" id="cancelled-heading">
                Cancelled ({cancelled.length})
              </Subtitle1>
              <PeopleTable caption="Cancelled" headingId="cancelled-heading" people={cancelled} when={(p) => p.cancelled_at} changes={null} />
            </section>
          ) : null}
        </>
      )}
    </>
  );
}

export function SessionPage({ sessionId }: { sessionId: string }) {
  const layout = usePageStyles();
  const loaded = useApi<SessionDetail>(sessionPath(sessionId));
  const title = loaded.state === 'done' ? `${loaded.data.course_title}: ${sessionWhen(loaded.data)}` : 'Training session';
  usePageTitle(title);
  return (
    <>
      <Link className={layout.back} href={paths.training()}>
        Back to training
      </Link>
      <PageHeading>{title}</PageHeading>
      {loaded.state === 'loading' ? <Loading what="the session" /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      {loaded.state === 'done' ? <SessionBody initial={loaded.data} /> : null}
    </>
  );
}
