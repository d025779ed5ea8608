/**
 * Meetings and training sessions: a month as a table (weeks by weekday, each day's meetings and
 * sessions listed in it) or as a list by day, filtered by group or by course, in London time. The
 * address keeps the month, the view and the filters. A phone or Teams' narrow panel always gets
 * the list. The business team sees "Change" beside each and the ways to add one.
 */
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Field,
  Select,
  Subtitle1,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  MODE_WORDS,
  addMonths,
  dayTitle,
  isMonth,
  lastDayOf,
  londonToday,
  monthOf,
  monthTitle,
  monthWeeks,
  type CalendarChoices,
  type CalendarEntry,
  type CalendarPage as Page,
} from '../calendarApi';
import { useRef, useState, type KeyboardEvent } from 'react';
import { useApi } from '../desk';
import { Link, navigate, usePageTitle } from '../router';
import { Loading, ProblemMessage, TableScroller, useNarrow } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

const BASE = import.meta.env.BASE_URL;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const calendarPaths = {
  calendar: (search = '') => `${BASE}calendar${search}`,
  meeting: (id: number) => `${BASE}calendar/meetings/${id}`,
  session: (id: number) => `${BASE}calendar/sessions/${id}`,
  add: (kind: 'meeting' | 'session') => `${BASE}calendar/new?kind=${kind}`,
};

const useStyles = makeStyles({
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    marginBottom: tokens.spacingVerticalM,
  },
  field: { minWidth: 0, flexGrow: 1, flexBasis: '12rem', maxWidth: '24rem' },
  card: { minWidth: 0, overflowWrap: 'anywhere' },
  monthNav: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM, margin: `${tokens.spacingVerticalS} 0` },
  table: { borderCollapse: 'collapse', width: '100%', minWidth: '56rem', tableLayout: 'fixed' },
  th: { padding: tokens.spacingHorizontalXS, textAlign: 'left', borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}` },
  td: {
    verticalAlign: 'top',
    height: '6rem',
    padding: tokens.spacingHorizontalXS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  today: { backgroundColor: tokens.colorNeutralBackground2 },
  cell: { ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' } },
  dayList: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalXXS },
  cancelled: { textDecorationLine: 'line-through' },
  days: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalM },
  cards: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalS },
  line: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  // Read by screen readers, not shown.
  hidden: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
});

interface View {
  month: string;
  view: 'month' | 'list';
  group: string;
  course: string;
}

function parse(search: string): View {
  const params = new URLSearchParams(search);
  const month = params.get('month');
  return {
    month: isMonth(month) ? month : monthOf(londonToday()),
    view: params.get('view') === 'list' ? 'list' : 'month',
    group: params.get('group') ?? '',
    course: params.get('course') ?? '',
  };
}

function address(view: View): string {
  const params = new URLSearchParams({ month: view.month });
  if (view.view === 'list') params.set('view', 'list');
  if (view.group) params.set('group', view.group);
  if (view.course) params.set('course', view.course);
  return `?${params.toString()}`;
}

function apiPath(view: View): string {
  const params = new URLSearchParams({ since: `${view.month}-01`, until: lastDayOf(view.month) });
  if (view.group) params.set('group', view.group);
  if (view.course) params.set('course', view.course);
  return `/calendar?${params.toString()}`;
}

function entryPath(entry: CalendarEntry): string {
  if (entry.kind === 'meeting') return calendarPaths.meeting(entry.id);
  return entry.href;
}

function kindWords(entry: CalendarEntry): string {
  return entry.kind === 'meeting' ? `Meeting · ${entry.code}` : `Training · ${entry.code}`;
}

function EntryLink({ entry }: { entry: CalendarEntry }) {
  const styles = useStyles();
  return (
    <Link href={entryPath(entry)} className={entry.cancelled ? styles.cancelled : undefined}>
      {entry.start} {entry.title}
      {entry.cancelled ? ' (cancelled)' : ''}
    </Link>
  );
}

const STEPS: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

/** The day `by` days on from `day`, kept inside the month. */
function stepDay(day: string, by: number, month: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + by);
  const next = date.toISOString().slice(0, 10);
  return monthOf(next) === month ? next : day;
}

function MonthTable({ month, items }: { month: string; items: CalendarEntry[] }) {
  const styles = useStyles();
  const today = londonToday();
  const byDay = new Map<string, CalendarEntry[]>();
  items.forEach((item) => byDay.set(item.day, [...(byDay.get(item.day) ?? []), item]));
  // One day is in the Tab order; the arrow keys move between days (a grid's roving focus).
  const [current, setCurrent] = useState(monthOf(today) === month ? today : `${month}-01`);
  const table = useRef<HTMLTableElement>(null);
  const move = (event: KeyboardEvent<HTMLTableElement>) => {
    const cell = (event.target as HTMLElement).closest<HTMLElement>('td[data-day]');
    if (!cell || !(event.key in STEPS) || event.target !== cell) return;
    event.preventDefault();
    const next = stepDay(cell.dataset.day ?? current, STEPS[event.key], month);
    setCurrent(next);
    table.current?.querySelector<HTMLElement>(`td[data-day="${next}"]`)?.focus();
  };
  return (
    <TableScroller label={`${monthTitle(month)} (scrolls sideways)`}>
      <Caption1 as="p">Use the arrow keys to move between days, and Tab to reach what is on a day.</Caption1>
      <table className={styles.table} ref={table} onKeyDown={move}>
        <caption className={styles.hidden}>
          Meetings and training in {monthTitle(month)}, London time
        </caption>
        <thead>
          <tr>
            {WEEKDAYS.map((day) => (
              <th key={day} scope="col" className={styles.th}>
                <abbr title={day}>{day.slice(0, 3)}</abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {monthWeeks(month).map((week, index) => (
            <tr key={index}>
              {week.map((day, column) =>
                day === null ? (
                  <td key={column} className={styles.td} />
                ) : (
                  <td
                    key={day}
                    data-day={day}
                    tabIndex={day === current ? 0 : -1}
                    onFocus={() => setCurrent(day)}
                    className={`${styles.td} ${styles.cell} ${day === today ? styles.today : ''}`}
                    aria-current={day === today ? 'date' : undefined}
                  >
                    <Text weight="semibold" aria-hidden>
                      {Number(day.slice(8))}
                    </Text>
                    <span className={styles.hidden}>{dayTitle(day)}</span>
                    {byDay.get(day)?.length ? (
                      <ul className={styles.dayList} aria-label={dayTitle(day)}>
                        {byDay.get(day)!.map((entry) => (
                          <li key={`${entry.kind}-${entry.id}`}>
                            <Caption1>
                              <EntryLink entry={entry} />
                            </Caption1>
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

function EntryCard({ entry }: { entry: CalendarEntry }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const where = [MODE_WORDS[entry.mode] ?? entry.mode, entry.venue].filter(Boolean).join(' · ');
  return (
    <Card size="small" className={styles.card}>
      <Text weight="semibold">
        <EntryLink entry={entry} />
      </Text>
      <div className={styles.line}>
        <Caption1>
          {entry.start}–{entry.end} · {kindWords(entry)}
        </Caption1>
        {entry.cancelled ? (
          <Badge appearance="tint" color="danger">
            Cancelled
          </Badge>
        ) : null}
        {entry.series_id !== null ? (
          <Badge appearance="outline" color="informative">
            Recurring
          </Badge>
        ) : null}
      </div>
      <Caption1>{where}</Caption1>
      {entry.kind === 'session' ? (
        <Caption1>
          {entry.booked} booked{entry.capacity ? ` of ${entry.capacity}` : ''} · {entry.waiting} waiting
        </Caption1>
      ) : null}
      {entry.can_edit ? (
        <div className={layout.buttons}>
          <Link href={entry.kind === 'meeting' ? calendarPaths.meeting(entry.id) : calendarPaths.session(entry.id)}>
            Change, move or cancel<span className={styles.hidden}> {entry.title} on {dayTitle(entry.day)}</span>
          </Link>
        </div>
      ) : null}
    </Card>
  );
}

function DayList({ items }: { items: CalendarEntry[] }) {
  const styles = useStyles();
  const days = [...new Set(items.map((item) => item.day))];
  if (items.length === 0) return <Body1 as="p">Nothing is on in this month for these filters.</Body1>;
  return (
    <ul className={styles.days} aria-label="Days with meetings or training">
      {days.map((day) => (
        <li key={day}>
          <Subtitle1 as="h3">{dayTitle(day)}</Subtitle1>
          <ul className={styles.cards}>
            {items
              .filter((item) => item.day === day)
              .map((entry) => (
                <li key={`${entry.kind}-${entry.id}`}>
                  <EntryCard entry={entry} />
                </li>
              ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

export function CalendarPage({ search }: { search: string }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const narrow = useNarrow();
  const view = parse(search);
  const choices = useApi<CalendarChoices>('/calendar/choices');
  const page = useApi<Page>(apiPath(view));
  usePageTitle('Calendar');
  const go = (next: View) => navigate(calendarPaths.calendar(address(next)), { keepFocus: true });
  const offered = choices.state === 'done' ? choices.data : null;
  const asList = narrow || view.view === 'list';
  return (
    <>
      <PageHeading>Calendar</PageHeading>
      <p>
        <Body1>Times are London time.</Body1>
      </p>
      <div className={styles.bar}>
        <Field label="Group" className={styles.field}>
          <Select className={layout.select} select={{ className: layout.select }} value={view.group} onChange={(_, data) => go({ ...view, group: data.value, course: data.value ? '' : view.course })}>
            <option value="">Any</option>
            {offered?.groups.map((group) => (
              <option key={group.code} value={group.code}>
                {group.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Course" className={styles.field}>
          <Select className={layout.select} select={{ className: layout.select }} value={view.course} onChange={(_, data) => go({ ...view, course: data.value, group: data.value ? '' : view.group })}>
            <option value="">Any</option>
            {offered?.courses.map((course) => (
              <option key={course.code} value={course.code}>
                {course.code}: {course.name}
              </option>
            ))}
          </Select>
        </Field>
        {!narrow ? (
          <div role="group" aria-label="Show as" className={layout.buttons}>
            <Button aria-pressed={view.view === 'month'} appearance={view.view === 'month' ? 'primary' : 'secondary'} onClick={() => go({ ...view, view: 'month' })}>
              Month
            </Button>
            <Button aria-pressed={view.view === 'list'} appearance={view.view === 'list' ? 'primary' : 'secondary'} onClick={() => go({ ...view, view: 'list' })}>
              List
            </Button>
          </div>
        ) : null}
        {offered?.can_edit ? (
          <div className={layout.buttons}>
            <Link href={calendarPaths.add('meeting')}>Add a meeting</Link>
            <Link href={calendarPaths.add('session')}>Add a training session</Link>
          </div>
        ) : null}
      </div>
      <nav aria-label="Months" className={styles.monthNav}>
        <Button onClick={() => go({ ...view, month: addMonths(view.month, -1) })}>Previous month</Button>
        <Subtitle1 as="h2" aria-live="polite">
          {monthTitle(view.month)}
        </Subtitle1>
        <Button onClick={() => go({ ...view, month: addMonths(view.month, 1) })}>Next month</Button>
      </nav>
      {page.state === 'loading' ? <Loading what="the calendar" /> : null}
      {page.state === 'problem' ? <ProblemMessage problem={page.problem} /> : null}
      {page.state === 'done' ? (
        asList ? (
          <DayList items={page.data.items} />
        ) : (
          <MonthTable month={view.month} items={page.data.items} />
        )
      ) : null}
    </>
  );
}
