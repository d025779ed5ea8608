/**
 * One announcement: its content and audience, the exact card recipients get (the chat's preview),
 * what the business team can do next (edit, send now, schedule, cancel, resend to failed), and once
 * it has gone out, its delivery report: every recipient by name and status, filtered and paged by the
 * server, with an export. The scrutineer sees the same but changes nothing.
 */
import {
  Body1,
  Button,
  Field,
  Input,
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
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState, type FormEvent } from 'react';
import {
  DELIVERY_WORDS,
  REPORT_FILTERS,
  act,
  preview,
  schedule,
  type Announcement,
  type DeliveryCounts,
  type Report,
  type ReportFilter,
} from '../announcementsApi';
import { apiGet } from '../api';
import { CardView } from '../CardView';
import { useApi, useDesk } from '../desk';
import { downloadExport } from '../download';
import { problemOf, type Problem } from '../problem';
import { Link, navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage, TableScroller, When } from '../ui';
import { PageHeading } from './Heading';

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXL, display: 'grid', gap: tokens.spacingVerticalS },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalM}`, margin: 0 },
  dd: { margin: 0 },
  body: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  counts: { maxWidth: '30rem' },
});

const EVENTS: Record<string, string> = {
  saved: 'Draft saved.',
  started: 'Sending has started.',
  scheduled: 'Scheduled.',
  unscheduled: 'The schedule was cancelled: it is a draft again.',
  stopped: 'The send was stopped.',
  resent: 'Sent again to those whose copy failed.',
  nobody_failed: 'Nobody’s copy failed, so nothing was resent.',
  nothing_to_cancel: 'There is nothing to cancel.',
  not_finished: 'The send has not finished yet; resend once it has.',
  nobody_in_audience: 'Nobody is in this audience; edit it first.',
  already_sent: 'It has already gone out.',
  already_scheduled: 'It is already scheduled; cancel the schedule first.',
  not_editable_sent: 'It has gone out, so it cannot be edited.',
  not_editable_scheduled: 'It is scheduled: cancel the schedule to edit it.',
};

const STATE_WORDS: Record<string, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  sending: 'Sending',
  sent: 'Sent',
  cancelled: 'Cancelled',
};

function CountsTable({ counts }: { counts: DeliveryCounts }) {
  const styles = useStyles();
  const rows: [string, number][] = [
    ['Recipients', counts.recipients],
    ['Waiting', counts.pending],
    ['Sent', counts.sent],
    ['Failed', counts.failed],
    ['Not reachable', counts.unreachable],
    ['Cancelled', counts.cancelled],
    ['Acknowledged', counts.acknowledged],
  ];
  return (
    <>
      <Table aria-label="Delivery counts" size="small" className={styles.counts}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Where copies stand</TableHeaderCell>
            <TableHeaderCell>People</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map(([name, n]) => (
            <TableRow key={name}>
              <TableCell>{name}</TableCell>
              <TableCell>{n.toLocaleString('en-GB')}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {counts.reasons.length ? (
        <ul aria-label="Why copies did not arrive">
          {counts.reasons.map((r) => (
            <li key={r.code}>
              {r.count.toLocaleString('en-GB')}: {r.words}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function ReportTable({ id, refresh, onRefresh }: { id: number; refresh: number; onRefresh(): void }) {
  const styles = useStyles();
  const { host } = useDesk();
  const [filter, setFilter] = useState<ReportFilter>('');
  const [page, setPage] = useState(1);
  const [exportProblem, setExportProblem] = useState<Problem | null>(null);
  const pageSize = 50;
  const loaded = useApi<Report>(`/announcements/${id}/recipients?status=${filter}&page=${page}&page_size=${pageSize}&r=${refresh}`);
  const data = loaded.state === 'done' ? loaded.data : null;
  const pages = data ? Math.max(1, Math.ceil(data.total / pageSize)) : 1;
  async function exportAs(format: 'xlsx' | 'csv') {
    setExportProblem(null);
    try {
      await downloadExport(host, 'recipients', { announcement: String(id) }, format);
    } catch (error) {
      setExportProblem(problemOf(error));
    }
  }
  return (
    <>
    <section className={styles.section} aria-labelledby="counts-heading">
      <Subtitle1 as="h2" id="counts-heading">
        Where it stands
      </Subtitle1>
      {data ? <CountsTable counts={data.counts} /> : null}
      <div>
        <Button onClick={onRefresh}>Refresh the report</Button>
      </div>
    </section>
    <section className={styles.section} aria-labelledby="report-heading">
      <Subtitle1 as="h2" id="report-heading">
        Delivery report
      </Subtitle1>
      <div className={styles.row}>
        <Field label="Show">
          <Select
            value={filter}
            onChange={(_, d) => {
              setFilter(d.value as ReportFilter);
              setPage(1);
            }}
          >
            {REPORT_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </Select>
        </Field>
        <Button onClick={() => exportAs('xlsx')}>Export to Excel</Button>
        <Button onClick={() => exportAs('csv')}>Export as CSV</Button>
      </div>
      {exportProblem ? <ProblemMessage problem={exportProblem} /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      <div role="status">{data ? `${data.total.toLocaleString('en-GB')} ${data.total === 1 ? 'person' : 'people'}; page ${data.page} of ${pages}` : 'Loading the report…'}</div>
      {data && data.items.length ? (
        <TableScroller label="Recipients">
          <Table aria-label="Recipients" size="small" aria-busy={loaded.state === 'loading'}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Agency</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
                <TableHeaderCell>Why not</TableHeaderCell>
                <TableHeaderCell>Sent</TableHeaderCell>
                <TableHeaderCell>Acknowledged</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.items.map((line, index) => (
                <TableRow key={`${line.email}-${index}`}>
                  <TableCell>{line.name}</TableCell>
                  <TableCell>{line.agency}</TableCell>
                  <TableCell>{DELIVERY_WORDS[line.status] ?? line.status}</TableCell>
                  <TableCell>{line.reason || '—'}</TableCell>
                  <TableCell>
                    <When value={line.sent_at} />
                  </TableCell>
                  <TableCell>
                    <When value={line.acknowledged_at} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableScroller>
      ) : null}
      {data && pages > 1 ? (
        <nav aria-label="Report pages" className={styles.row}>
          <Button disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous page
          </Button>
          <Button disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next page
          </Button>
        </nav>
      ) : null}
    </section>
    </>
  );
}

function Preview({ id, version }: { id: number; version: string }) {
  const { host } = useDesk();
  const styles = useStyles();
  const [card, setCard] = useState<Record<string, unknown> | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    let live = true;
    preview(host, id).then(
      (found) => live && setCard(found.card),
      (error: unknown) => live && setProblem(problemOf(error)),
    );
    return () => {
      live = false;
    };
  }, [host, id, version]);
  return (
    <section className={styles.section} aria-labelledby="preview-heading">
      <Subtitle1 as="h2" id="preview-heading">
        Preview: the card recipients get
      </Subtitle1>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {card ? <CardView card={card} label="The announcement card" /> : problem ? null : <Loading what="the preview" />}
    </section>
  );
}

function Actions({ announcement, onChange }: { announcement: Announcement; onChange(a: Announcement): void }) {
  const styles = useStyles();
  const { host } = useDesk();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [date, setDate] = useState('');
  const [time, setTime] = useState('09:30');
  const [scheduleError, setScheduleError] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const { may, reach, counts } = announcement;
  if (!Object.values(may).some(Boolean)) return null;

  async function run(step: () => Promise<Announcement>) {
    setBusy(true);
    setProblem(null);
    setScheduleError({});
    try {
      onChange(await step());
    } catch (error) {
      const found = problemOf(error);
      if (found.errors) setScheduleError(Object.fromEntries(found.errors.map((e) => [e.field, e.message])));
      else setProblem(found);
    } finally {
      setBusy(false);
    }
  }

  function submitSchedule(event: FormEvent) {
    event.preventDefault();
    void run(() => schedule(host, announcement.id, date, time));
  }

  const reachWords = reach ? `Send now: reaches ${reach.now + reach.install_first} of ${reach.people}` : 'Send now';
  return (
    <section className={styles.section} aria-labelledby="actions-heading">
      <Subtitle1 as="h2" id="actions-heading">
        What next
      </Subtitle1>
      {problem ? <ProblemMessage problem={problem} /> : null}
      <div className={styles.row}>
        {may.edit ? <Button onClick={() => navigate(paths.announcementEdit(announcement.id))}>Edit</Button> : null}
        {may.send ? (
          <Button appearance="primary" disabled={busy} onClick={() => run(() => act(host, announcement.id, 'send'))}>
            {reachWords}
          </Button>
        ) : null}
        {may.cancel ? (
          <Button disabled={busy} onClick={() => run(() => act(host, announcement.id, 'cancel'))}>
            {announcement.status === 'scheduled' ? 'Cancel the schedule' : 'Cancel the send'}
          </Button>
        ) : null}
        {may.resend && counts ? (
          <Button disabled={busy} onClick={() => run(() => act(host, announcement.id, 'resend'))}>
            Resend to {counts.failed} failed
          </Button>
        ) : null}
      </div>
      {may.schedule ? (
        <form className={styles.row} onSubmit={submitSchedule} aria-label="Schedule">
          <Field label="Send on (London date)" validationMessage={scheduleError.date}>
            <Input type="date" value={date} onChange={(_, d) => setDate(d.value)} />
          </Field>
          <Field label="At (London time)" validationMessage={scheduleError.time}>
            <Input type="time" value={time} onChange={(_, d) => setTime(d.value)} />
          </Field>
          <Button type="submit" disabled={busy}>
            Schedule
          </Button>
        </form>
      ) : null}
    </section>
  );
}

export function AnnouncementPage({ id }: { id: number }) {
  const styles = useStyles();
  const { host } = useDesk();
  const loaded = useApi<Announcement>(`/announcements/${id}`);
  const [current, setCurrent] = useState<Announcement | null>(null);
  const [refresh, setRefresh] = useState(0);
  const announcement = current ?? (loaded.state === 'done' ? loaded.data : null);
  usePageTitle(announcement ? announcement.title : 'Announcement');
  return (
    <>
      <PageHeading>{announcement ? announcement.title : 'Announcement'}</PageHeading>
      <p>
        <Link href={paths.announcements()}>All announcements</Link>
      </p>
      {loaded.state === 'loading' && !current ? <Loading what="the announcement" /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      {announcement ? (
        <>
          {current && EVENTS[current.event] ? (
            <MessageBar intent="success" role="status">
              <MessageBarBody>{EVENTS[current.event]}</MessageBarBody>
            </MessageBar>
          ) : null}
          <dl className={styles.facts}>
            <dt>State</dt>
            <dd className={styles.dd}>{STATE_WORDS[announcement.status]}</dd>
            <dt>Audience</dt>
            <dd className={styles.dd}>{announcement.audience.words || '—'}</dd>
            {announcement.reach ? (
              <>
                <dt>Reach now</dt>
                <dd className={styles.dd}>
                  {announcement.reach.people} people; {announcement.reach.now} can be reached now
                  {announcement.reach.install_first ? `, ${announcement.reach.install_first} once the bot is installed for them` : ''}
                  {announcement.reach.cannot.length
                    ? `; cannot be reached: ${announcement.reach.cannot.map((c) => `${c.count} ${c.words}`).join('; ')}`
                    : ''}
                </dd>
              </>
            ) : null}
            {announcement.scheduled_for ? (
              <>
                <dt>Goes out</dt>
                <dd className={styles.dd}>
                  <When value={announcement.scheduled_for} />
                </dd>
              </>
            ) : null}
            {announcement.started_at ? (
              <>
                <dt>Started</dt>
                <dd className={styles.dd}>
                  <When value={announcement.started_at} />
                </dd>
              </>
            ) : null}
            {announcement.finished_at ? (
              <>
                <dt>Finished</dt>
                <dd className={styles.dd}>
                  <When value={announcement.finished_at} />
                </dd>
              </>
            ) : null}
          </dl>
          <Actions
            announcement={announcement}
            onChange={(next) => {
              setCurrent(next);
              setRefresh((n) => n + 1);
            }}
          />
          {announcement.may.preview ? (
            <Preview id={announcement.id} version={`${announcement.title}|${announcement.body}|${announcement.status}`} />
          ) : (
            <section className={styles.section} aria-labelledby="content-heading">
              <Subtitle1 as="h2" id="content-heading">
                Message
              </Subtitle1>
              <Body1 as="p" className={styles.body}>
                {announcement.body}
              </Body1>
            </section>
          )}
          {announcement.counts ? (
            <ReportTable
              id={announcement.id}
              refresh={refresh}
              onRefresh={() => {
                setRefresh((n) => n + 1);
                // The state moves on too (a send found finished is closed when the team opens it).
                apiGet<Announcement>(host, `/announcements/${id}`).then(
                  (fresh) => setCurrent({ ...fresh, event: 'opened' }),
                  () => undefined,
                );
              }}
            />
          ) : null}
        </>
      ) : null}
    </>
  );
}
