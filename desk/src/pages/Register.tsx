/**
 * The register: every action the person may read, paged, filtered and sorted by the server. The
 * address carries the query (query.ts), so filters survive a reload and the back button undoes them.
 * Wide windows get a table with sortable headers; a phone or Teams' narrow panel gets a list of cards.
 */
import {
  Body1,
  Button,
  Caption1,
  Card,
  Field,
  Input,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { label, sentence, type ActionPage, type ActionRow, type Filters } from '../api';
import { useApi, useDesk } from '../desk';
import { downloadExport } from '../download';
import { problemOf, type Problem } from '../problem';
import {
  FLAG_FILTERS,
  FLAG_LABELS,
  PAGE_SIZES,
  SELECT_FILTERS,
  SELECT_LABELS,
  SORT_FIELDS,
  addressQueryString,
  apiQueryString,
  clearFilters,
  describeFilters,
  hasFilters,
  parseQuery,
  toggleSort,
  type FlagFilter,
  type RegisterQuery,
  type SelectFilter,
  type SortField,
} from '../query';
import { Link, navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage, RagBadge, TableScroller, When, useNarrow } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

const useStyles = makeStyles({
  filters: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(11rem, 1fr))',
    gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    marginBottom: tokens.spacingVerticalM,
  },
  search: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: tokens.spacingHorizontalS,
    marginBottom: tokens.spacingVerticalM,
  },
  searchField: { flexGrow: 1, minWidth: '12rem', maxWidth: '32rem' },
  exportRow: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, marginTop: tokens.spacingVerticalS },
  status: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM, minHeight: '32px' },
  empty: { padding: tokens.spacingHorizontalL, marginTop: tokens.spacingVerticalM },
  cards: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalS },
  cardLine: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  pager: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    marginTop: tokens.spacingVerticalM,
  },
  nowrap: { whiteSpace: 'nowrap' },
  // Grid items would otherwise grow to their longest option and spill into the next column.
  field: { minWidth: 0 },
  // Columns size to their content; the region around the table scrolls when the window is narrower.
  table: { tableLayout: 'auto', minWidth: '64rem' },
  perPage: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalS, whiteSpace: 'nowrap' },
  summary: { cursor: 'pointer', padding: `${tokens.spacingVerticalS} 0`, fontWeight: tokens.fontWeightSemibold },
  overdue: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
});

type Column = { field: SortField; title: string };

const COLUMNS: Column[] = [
  { field: 'ref', title: 'Ref' },
  { field: 'title', title: 'Title' },
  { field: 'group', title: 'Group' },
  { field: 'priority', title: 'Priority' },
  { field: 'source', title: 'Source' },
  { field: 'lead', title: 'Lead' },
  { field: 'agency', title: 'Agency' },
  { field: 'status', title: 'Status' },
  { field: 'rag', title: 'RAG' },
  { field: 'lead_rag', title: "Lead's RAG" },
  { field: 'due', title: 'Due' },
  { field: 'overdue_working_days', title: 'Overdue' },
  { field: 'last_update_at', title: 'Last update' },
];

function options(filters: Filters | null, name: SelectFilter): { value: string; text: string }[] {
  if (!filters) return [];
  const codeNames = (list: { code: string; name: string }[] | undefined) =>
    (list ?? []).map((item) => ({ value: item.code, text: item.name }));
  const words = (list: string[] | undefined) => (list ?? []).map((item) => ({ value: item, text: sentence(item) }));
  switch (name) {
    case 'group':
      return codeNames(filters.groups);
    case 'priority':
      return codeNames(filters.priorities);
    case 'source':
      return codeNames(filters.sources);
    case 'agency':
      return codeNames(filters.agencies);
    case 'lead':
      return (filters.leads ?? []).map((lead) => ({ value: lead.id, text: lead.name }));
    case 'status':
      return words(filters.statuses);
    case 'rag':
      return words(filters.rags);
    case 'lead_rag':
      return words(filters.lead_rags ?? filters.rags.filter((rag) => rag !== 'none'));
  }
}

function Overdue({ days }: { days: number | null }) {
  const styles = useStyles();
  if (!days || days <= 0) return <span>—</span>;
  return <span className={styles.overdue}>{days === 1 ? '1 working day' : `${days} working days`}</span>;
}

function Due({ row }: { row: ActionRow }) {
  if (row.revised_due) {
    return (
      <span>
        <When value={row.revised_due} /> <Caption1>(revised)</Caption1>
      </span>
    );
  }
  return <When value={row.due} />;
}

function FilterControls({
  query,
  filters,
  onChange,
}: {
  query: RegisterQuery;
  filters: Filters | null;
  onChange: (query: RegisterQuery) => void;
}) {
  const styles = useStyles();
  const layout = usePageStyles();
  const setSelect = (name: SelectFilter, value: string) =>
    onChange({ ...query, page: 1, select: { ...query.select, [name]: value || undefined } });
  const setFlag = (name: FlagFilter, value: string) =>
    onChange({ ...query, page: 1, flags: { ...query.flags, [name]: value === '' ? undefined : value === 'true' } });
  return (
    <div className={styles.filters}>
      {SELECT_FILTERS.map((name) => (
        <Field key={name} label={SELECT_LABELS[name]} className={styles.field}>
          <Select className={layout.select} select={{ className: layout.select }} value={query.select[name] ?? ''} onChange={(_, data) => setSelect(name, data.value)}>
            <option value="">Any</option>
            {options(filters, name).map((option) => (
              <option key={option.value} value={option.value}>
                {option.text}
              </option>
            ))}
            {/* A value from the address that the list no longer offers stays visible, not silently dropped. */}
            {query.select[name] && filters && !options(filters, name).some((o) => o.value === query.select[name]) ? (
              <option value={query.select[name]}>{query.select[name]}</option>
            ) : null}
          </Select>
        </Field>
      ))}
      {FLAG_FILTERS.map((name) => (
        <Field key={name} label={FLAG_LABELS[name].label} className={styles.field}>
          <Select
            className={layout.select}
            select={{ className: layout.select }}
            value={query.flags[name] === undefined ? '' : String(query.flags[name])}
            onChange={(_, data) => setFlag(name, data.value)}
          >
            <option value="">Any</option>
            <option value="true">Yes</option>
            <option value="false">No</option>
          </Select>
        </Field>
      ))}
      <Field label="Sort by" className={styles.field}>
        <Select
          className={layout.select}
          select={{ className: layout.select }}
          value={query.sort ?? ''}
          onChange={(_, data) =>
            onChange({ ...query, page: 1, sort: (data.value || null) as SortField | null })
          }
        >
          <option value="">Default</option>
          {SORT_FIELDS.map((field) => (
            <option key={field} value={field}>
              {COLUMNS.find((column) => column.field === field)?.title ?? field}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Order" className={styles.field}>
        <Select
          className={layout.select}
          select={{ className: layout.select }}
          value={query.order}
          onChange={(_, data) => onChange({ ...query, page: 1, order: data.value === 'desc' ? 'desc' : 'asc' })}
        >
          <option value="asc">Ascending</option>
          <option value="desc">Descending</option>
        </Select>
      </Field>
    </div>
  );
}

function SearchForm({ query, onChange }: { query: RegisterQuery; onChange: (query: RegisterQuery) => void }) {
  const styles = useStyles();
  const [text, setText] = useState(query.q);
  useEffect(() => setText(query.q), [query.q]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...query, page: 1, q: text.trim() });
  };
  return (
    <form role="search" aria-label="Search the register" className={styles.search} onSubmit={submit}>
      <Field label="Search titles and descriptions" className={styles.searchField}>
        <Input type="search" value={text} onChange={(_, data) => setText(data.value)} />
      </Field>
      <Button type="submit" appearance="primary">
        Search
      </Button>
      {hasFilters(query) ? (
        <Button type="button" onClick={() => onChange(clearFilters(query))}>
          Clear filters
        </Button>
      ) : null}
    </form>
  );
}

function RegisterTable({
  page,
  query,
  onChange,
}: {
  page: ActionPage;
  query: RegisterQuery;
  onChange: (query: RegisterQuery) => void;
}) {
  const styles = useStyles();
  return (
    <TableScroller label="The register's actions (scrolls sideways)">
      <Table sortable aria-label="Actions" size="small" className={styles.table}>
        <TableHeader>
          <TableRow>
            {COLUMNS.map((column) => (
              <TableHeaderCell
                key={column.field}
                sortDirection={
                  query.sort === column.field ? (query.order === 'asc' ? 'ascending' : 'descending') : undefined
                }
                onClick={() => onChange(toggleSort(query, column.field))}
                className={styles.nowrap}
              >
                {column.title}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {page.items.map((row) => (
            <TableRow key={row.ref}>
              <TableCell className={styles.nowrap}>{row.ref}</TableCell>
              <TableCell>
                <Link href={paths.action(row.ref)}>{row.title}</Link>
              </TableCell>
              <TableCell>{row.group_name || label(row.group)}</TableCell>
              <TableCell>{row.priority_name || label(row.priority)}</TableCell>
              <TableCell>{label(row.source)}</TableCell>
              <TableCell>{label(row.lead)}</TableCell>
              <TableCell>{label(row.agency)}</TableCell>
              <TableCell>{sentence(label(row.status))}</TableCell>
              <TableCell>
                <RagBadge value={row.rag} />
              </TableCell>
              <TableCell>
                <RagBadge value={row.lead_rag} />
              </TableCell>
              <TableCell className={styles.nowrap}>
                <Due row={row} />
              </TableCell>
              <TableCell className={styles.nowrap}>
                <Overdue days={row.overdue_working_days} />
              </TableCell>
              <TableCell className={styles.nowrap}>
                <When value={row.last_update_at} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableScroller>
  );
}

function RegisterCards({ page }: { page: ActionPage }) {
  const styles = useStyles();
  return (
    <ul className={styles.cards} aria-label="Actions">
      {page.items.map((row) => (
        <li key={row.ref}>
          <Card size="small">
            <Text weight="semibold">
              <Link href={paths.action(row.ref)}>{row.title}</Link>
            </Text>
            <Caption1>
              {row.ref} · {row.group_name || label(row.group)} · {sentence(label(row.status))}
            </Caption1>
            <div className={styles.cardLine}>
              <Caption1>RAG</Caption1> <RagBadge value={row.rag} />
              <Caption1>Lead&apos;s</Caption1> <RagBadge value={row.lead_rag} />
            </div>
            <Caption1>
              Lead: {label(row.lead)} · Due: <Due row={row} /> · Overdue: <Overdue days={row.overdue_working_days} />
            </Caption1>
          </Card>
        </li>
      ))}
    </ul>
  );
}

function Pager({ page, query, onChange }: { page: ActionPage; query: RegisterQuery; onChange: (q: RegisterQuery) => void }) {
  const styles = useStyles();
  const sizeId = useId();
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  return (
    <nav aria-label="Pages of the register" className={styles.pager}>
      <Button disabledFocusable={query.page <= 1} onClick={() => onChange({ ...query, page: query.page - 1 })}>
        Previous page
      </Button>
      <Body1>
        Page {Math.min(query.page, pages)} of {pages}
      </Body1>
      <Button disabledFocusable={query.page >= pages} onClick={() => onChange({ ...query, page: query.page + 1 })}>
        Next page
      </Button>
      <span className={styles.perPage}>
        <label htmlFor={sizeId}>Per page</label>
        <Select
          id={sizeId}
          value={String(query.page_size)}
          onChange={(_, data) => onChange({ ...query, page: 1, page_size: Number(data.value) })}
        >
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </Select>
      </span>
    </nav>
  );
}

/** "Export": the register with these filters, as Excel or CSV (downloadExport, ../download). */
function ExportControl({ query }: { query: RegisterQuery }) {
  const { host } = useDesk();
  const [problem, setProblem] = useState<Problem | null>(null);
  const params = Object.fromEntries(new URLSearchParams(apiQueryString(query)));
  const get = async (format: 'xlsx' | 'csv') => {
    setProblem(null);
    try {
      await downloadExport(host, 'register', params, format);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };
  return (
    <div role="group" aria-label="Export the register with these filters" className={useStyles().exportRow}>
      <Button onClick={() => void get('xlsx')}>Export (Excel)</Button>
      <Button onClick={() => void get('csv')}>Export (CSV)</Button>
      {problem ? <ProblemMessage problem={problem} /> : null}
    </div>
  );
}

export function RegisterPage({ search }: { search: string }) {
  const styles = useStyles();
  const { me } = useDesk();
  const narrow = useNarrow();
  const query = parseQuery(search);
  const filters = useApi<Filters>('/actions/filters');
  const loaded = useApi<ActionPage>(`/actions?${apiQueryString(query)}`);
  // Keep the last page on screen while the next one loads, so focus stays where the person left it.
  const last = useRef<ActionPage | null>(null);
  if (loaded.state === 'done') last.current = loaded.data;
  const page = loaded.state === 'done' ? loaded.data : loaded.state === 'loading' ? last.current : null;
  usePageTitle('Register');

  const change = (next: RegisterQuery) => navigate(paths.register(addressQueryString(next)), { keepFocus: true });
  const filterData = filters.state === 'done' ? filters.data : null;
  const described = describeFilters(query, filterData);
  const first = page && page.total > 0 ? (query.page - 1) * query.page_size + 1 : 0;
  const lastShown = page ? Math.min(page.total, first + page.items.length - 1) : 0;

  return (
    <>
      <PageHeading>Register</PageHeading>
      {me.can.create_actions && !me.is_scrutineer ? (
        <Button appearance="primary" onClick={() => navigate(paths.newAction())}>
          New action
        </Button>
      ) : null}
      <section aria-labelledby="filters-heading">
        <Text as="h2" id="filters-heading" size={400} weight="semibold" block>
          Filters
        </Text>
        {filters.state === 'problem' ? <ProblemMessage problem={filters.problem} /> : null}
        {narrow ? (
          // On a phone the thirteen controls would push the actions off the screen: they fold away.
          <details>
            <summary className={styles.summary}>
              Show filters{described.length > 0 ? ` (${described.length} in use)` : ''}
            </summary>
            <FilterControls query={query} filters={filterData} onChange={change} />
          </details>
        ) : (
          <FilterControls query={query} filters={filterData} onChange={change} />
        )}
        <SearchForm query={query} onChange={change} />
        <ExportControl query={query} />
      </section>
      <section aria-labelledby="results-heading" aria-busy={loaded.state === 'loading'}>
        <Text as="h2" id="results-heading" size={400} weight="semibold" block>
          Actions
        </Text>
        <div className={styles.status} role="status">
          {loaded.state === 'loading' ? <Loading what="actions" /> : null}
          {page && page.total > 0 && page.items.length > 0 ? (
            <Body1>
              Showing {first}–{lastShown} of {page.total} {page.total === 1 ? 'action' : 'actions'}
            </Body1>
          ) : null}
          {page && page.total === 0 && loaded.state === 'done' ? <Body1>No actions to show.</Body1> : null}
        </div>
        {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
        {page && page.total === 0 ? (
          <Card className={styles.empty}>
            {described.length > 0 ? (
              <>
                <Body1 as="p">No action matches all of these filters:</Body1>
                <ul aria-label="Filters in use">
                  {described.map((text) => (
                    <li key={text}>{text}</li>
                  ))}
                </ul>
                <div>
                  <Button onClick={() => change(clearFilters(query))}>Clear filters</Button>
                </div>
              </>
            ) : (
              <Body1 as="p">There are no actions you can see yet.</Body1>
            )}
          </Card>
        ) : null}
        {page && page.total > 0 && page.items.length === 0 ? (
          <Card className={styles.empty}>
            <Body1 as="p">
              There is no page {query.page}: these actions fill {Math.ceil(page.total / page.page_size)}{' '}
              {Math.ceil(page.total / page.page_size) === 1 ? 'page' : 'pages'}.
            </Body1>
            <div>
              <Button onClick={() => change({ ...query, page: 1 })}>Go to the first page</Button>
            </div>
          </Card>
        ) : null}
        {page && page.items.length > 0 ? (
          narrow ? <RegisterCards page={page} /> : <RegisterTable page={page} query={query} onChange={change} />
        ) : null}
        {page && page.total > 0 ? <Pager page={page} query={query} onChange={change} /> : null}
      </section>
    </>
  );
}
