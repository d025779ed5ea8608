/**
 * The drift overview: the figures of the chat's overview card and the Executive's exception report
 * as charts, each with a table of the same numbers beside it (screen readers read the table; the
 * chart is one image with a summary). Bars are SVG drawn here, coloured from the theme's tokens so
 * they follow light, dark and high contrast; every RAG bucket also has its own pattern and its
 * word in the legend, so colour is never the only cue, and each bar is outlined in the text colour.
 */
import {
  Body1,
  Card,
  Subtitle1,
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
import { useId, type ReactNode } from 'react';
import type { BucketCounts, Drift, DriftRow } from '../actionsApi';
import { useApi } from '../desk';
import { Link, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage, TableScroller } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

const useStyles = makeStyles({
  pair: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 20rem), 1fr))',
    gap: tokens.spacingHorizontalXL,
    alignItems: 'start',
  },
  chart: { width: '100%', maxWidth: '27rem', height: 'auto', display: 'block' },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    listStyleType: 'none',
    margin: `${tokens.spacingVerticalS} 0 0`,
    padding: 0,
  },
  legendItem: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  totals: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(10rem, 1fr))',
    gap: tokens.spacingHorizontalM,
    margin: 0,
    padding: 0,
  },
  total: { padding: tokens.spacingHorizontalM },
  figure: { margin: 0 },
  // Seven columns: in a narrow panel the region around the table scrolls sideways instead.
  wide: { minWidth: '30rem' },
  number: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold, margin: 0 },
});

type Bucket = keyof BucketCounts;
const BUCKETS: Bucket[] = ['red', 'amber', 'green', 'complete', 'dropped'];
const BUCKET_WORDS: Record<Bucket, string> = {
  red: 'Red',
  amber: 'Amber',
  green: 'Green',
  complete: 'Complete',
  dropped: 'Dropped',
};
const BUCKET_COLOURS: Record<Bucket, string> = {
  red: tokens.colorPaletteRedBackground3,
  amber: tokens.colorPaletteDarkOrangeBorderActive,
  green: tokens.colorPaletteGreenBackground3,
  complete: tokens.colorNeutralForeground3,
  dropped: tokens.colorNeutralBackground5,
};

const WIDTH = 360; // the viewBox: text stays legible when the chart is drawn 340 px wide on a phone
const BAR = 18;
const ROW = 44;

/** One pattern per bucket, so the buckets differ in more than colour. */
function Patterns({ prefix }: { prefix: string }) {
  const ink = { stroke: tokens.colorNeutralForeground1, strokeWidth: 1.5 };
  return (
    <defs>
      {BUCKETS.map((bucket) => (
        <pattern key={bucket} id={`${prefix}-${bucket}`} width="8" height="8" patternUnits="userSpaceOnUse">
          <rect width="8" height="8" style={{ fill: BUCKET_COLOURS[bucket] }} />
          {bucket === 'amber' ? <path d="M0 8 L8 0" style={ink} /> : null}
          {bucket === 'green' ? <circle cx="4" cy="4" r="1.3" style={{ fill: tokens.colorNeutralForeground1 }} /> : null}
          {bucket === 'complete' ? <path d="M0 4 H8" style={{ ...ink, stroke: tokens.colorNeutralBackground1 }} /> : null}
          {bucket === 'dropped' ? <path d="M0 0 L8 8 M0 8 L8 0" style={ink} /> : null}
        </pattern>
      ))}
    </defs>
  );
}

function usePrefix(): string {
  return `drift${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
}

function Legend({ prefix }: { prefix: string }) {
  const styles = useStyles();
  return (
    <ul className={styles.legend} aria-label="Key">
      {BUCKETS.map((bucket) => (
        <li key={bucket} className={styles.legendItem}>
          <svg width="16" height="16" aria-hidden="true" focusable="false">
            <Patterns prefix={`${prefix}-key`} />
            <rect x="0.5" y="0.5" width="15" height="15" style={{ fill: `url(#${prefix}-key-${bucket})`, stroke: tokens.colorNeutralForeground1 }} />
          </svg>
          <Text size={200}>{BUCKET_WORDS[bucket]}</Text>
        </li>
      ))}
    </ul>
  );
}

function sum(counts: BucketCounts): number {
  return BUCKETS.reduce((total, bucket) => total + counts[bucket], 0);
}

function summary(rows: DriftRow[], what: string): string {
  const parts = rows.map((row) => {
    const c = row.counts;
    return `${row.name}: ${c.red} red, ${c.amber} amber, ${c.green} green, ${c.complete} complete, ${c.dropped} dropped`;
  });
  return `Bar chart of actions by derived RAG, ${what}. ${parts.join('; ')}.`;
}

const text = { fill: tokens.colorNeutralForeground1, fontSize: '13px', fontFamily: tokens.fontFamilyBase };

/** Stacked bars, one a row, the row's name above its bar and its total after it. */
function StackedBars({ rows, what }: { rows: DriftRow[]; what: string }) {
  const styles = useStyles();
  const prefix = usePrefix();
  const most = Math.max(1, ...rows.map((row) => sum(row.counts)));
  const room = WIDTH - 40;
  return (
    <div>
      <svg className={styles.chart} viewBox={`0 0 ${WIDTH} ${rows.length * ROW + 4}`} role="img" aria-label={summary(rows, what)}>
        <Patterns prefix={prefix} />
        {rows.map((row, index) => {
          const y = index * ROW;
          let x = 0;
          const total = sum(row.counts);
          return (
            <g key={row.code}>
              <text x="0" y={y + 14} style={text}>
                {row.name.length > 52 ? `${row.name.slice(0, 50)}…` : row.name}
              </text>
              {BUCKETS.filter((bucket) => row.counts[bucket] > 0).map((bucket) => {
                const width = (row.counts[bucket] / most) * room;
                const segment = (
                  <rect
                    key={bucket}
                    x={x}
                    y={y + 20}
                    width={width}
                    height={BAR}
                    style={{ fill: `url(#${prefix}-${bucket})`, stroke: tokens.colorNeutralForeground1, strokeWidth: 1 }}
                  />
                );
                x += width;
                return segment;
              })}
              <text x={x + 6} y={y + 34} style={text}>
                {total}
              </text>
            </g>
          );
        })}
      </svg>
      <Legend prefix={prefix} />
    </div>
  );
}

function BucketTable({ rows, name, first }: { rows: DriftRow[]; name: string; first: string }) {
  const styles = useStyles();
  return (
    <TableScroller label={`${name} (table)`}>
      <Table size="small" aria-label={name} className={styles.wide}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{first}</TableHeaderCell>
            {BUCKETS.map((bucket) => (
              <TableHeaderCell key={bucket}>{BUCKET_WORDS[bucket]}</TableHeaderCell>
            ))}
            <TableHeaderCell>Total</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.code}>
              <TableCell>{row.name}</TableCell>
              {BUCKETS.map((bucket) => (
                <TableCell key={bucket}>{row.counts[bucket]}</TableCell>
              ))}
              <TableCell>{sum(row.counts)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableScroller>
  );
}

interface Bar {
  label: string;
  count: number;
}

/** Plain bars of counts (one colour: here the bar's length is the only thing it says). */
function CountBars({ bars, summaryText }: { bars: Bar[]; summaryText: string }) {
  const styles = useStyles();
  const most = Math.max(1, ...bars.map((bar) => bar.count));
  const room = WIDTH - 40;
  return (
    <svg className={styles.chart} viewBox={`0 0 ${WIDTH} ${bars.length * ROW + 4}`} role="img" aria-label={summaryText}>
      {bars.map((bar, index) => {
        const y = index * ROW;
        const width = (bar.count / most) * room;
        return (
          <g key={bar.label}>
            <text x="0" y={y + 14} style={text}>
              {bar.label}
            </text>
            {bar.count > 0 ? (
              <rect
                x="0"
                y={y + 20}
                width={width}
                height={BAR}
                style={{ fill: tokens.colorBrandBackground, stroke: tokens.colorNeutralForeground1, strokeWidth: 1 }}
              />
            ) : null}
            <text x={width + 6} y={y + 34} style={text}>
              {bar.count}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function CountTable({ bars, name, first }: { bars: Bar[]; name: string; first: string }) {
  return (
    <Table size="small" aria-label={name}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{first}</TableHeaderCell>
          <TableHeaderCell>Actions</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {bars.map((bar) => (
          <TableRow key={bar.label}>
            <TableCell>{bar.label}</TableCell>
            <TableCell>{bar.count}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Section({ id, title, intro, children }: { id: string; title: string; intro: string; children: ReactNode }) {
  const styles = useStyles();
  const layout = usePageStyles();
  return (
    <section aria-labelledby={id} className={layout.section}>
      <Subtitle1 as="h2" id={id} block>
        {title}
      </Subtitle1>
      <Body1 as="p" block>
        {intro}
      </Body1>
      <div className={styles.pair}>{children}</div>
    </section>
  );
}

function Overview({ drift }: { drift: Drift }) {
  const styles = useStyles();
  const t = drift.totals;
  const headline: Bar[] = [
    { label: 'Overdue', count: t.overdue },
    { label: 'No update for a long time (stale)', count: t.stale },
    { label: 'Due soon', count: t.due_soon },
    { label: 'Complete without evidence of impact', count: t.without_impact },
    { label: "Lead's RAG differs from the derived RAG", count: t.disagreements },
  ];
  const bands: Bar[] = drift.overdue_bands.map((band) => ({ label: `${band.label} working days`, count: band.count }));
  return (
    <>
      <Body1 as="p" block>
        {drift.everything ? 'Every action in the register.' : `The groups you chair: ${drift.group_names.join(', ') || 'none'}.`}{' '}
        The <Link href={paths.register('?overdue=true&sort=overdue_working_days&order=desc')}>overdue actions</Link> and the{' '}
        <Link href={paths.register('?stale=true')}>stale ones</Link> are listed in the register.
      </Body1>
      <ul className={styles.totals} aria-label="Headline figures">
        {[
          ['Open actions', t.open],
          ['Overdue', t.overdue],
          ['Stale', t.stale],
          ['Without evidence of impact', t.without_impact],
        ].map(([name, count]) => (
          <li key={name} style={{ listStyleType: 'none' }}>
            <Card className={styles.total}>
              <Text>{name}</Text>
              <p className={styles.number}>{count}</p>
            </Card>
          </li>
        ))}
      </ul>
      <Section id="drift-groups" title="Derived RAG by group" intro="Open actions by the RAG the partnership's rules derive, and the closed ones, per group.">
        <StackedBars rows={drift.by_group} what="per group" />
        <BucketTable rows={drift.by_group} name="Derived RAG by group" first="Group" />
      </Section>
      <Section id="drift-late" title="How late the overdue actions are" intro="Overdue open actions by working days past their (revised) due date.">
        <CountBars bars={bands} summaryText={`Bar chart of overdue actions by working days late. ${bands.map((b) => `${b.label}: ${b.count}`).join('; ')}.`} />
        <CountTable bars={bands} name="Overdue actions by working days late" first="Working days late" />
      </Section>
      <Section id="drift-signals" title="Signs of drift" intro="What the Executive's exception report and the chat's overview count.">
        <CountBars bars={headline} summaryText={`Bar chart of signs of drift. ${headline.map((b) => `${b.label}: ${b.count}`).join('; ')}.`} />
        <CountTable bars={headline} name="Signs of drift" first="Sign" />
      </Section>
      <Section id="drift-priorities" title="Derived RAG by priority" intro="The same buckets per priority, as in the chat's overview card.">
        <StackedBars rows={drift.by_priority} what="per priority" />
        <BucketTable rows={drift.by_priority} name="Derived RAG by priority" first="Priority" />
      </Section>
    </>
  );
}

export function DriftPage() {
  usePageTitle('Drift');
  const loaded = useApi<Drift>('/drift');
  return (
    <>
      <PageHeading>Drift</PageHeading>
      {loaded.state === 'loading' ? <Loading what="the drift overview" /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      {loaded.state === 'done' ? <Overview drift={loaded.data} /> : null}
    </>
  );
}
