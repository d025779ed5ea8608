/**
 * One action: its facts, its updates, and its audit history (who changed which field from what to
 * what, and when). The update button shows only to someone who may update this action; the
 * scrutineer never sees it. Everything people typed is rendered as text.
 */
import {
  Body1,
  Button,
  Card,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { FactsForm } from '../actionsApi';
import { label, sentence, type ActionDetail } from '../api';
import { Overlaps } from './ActionOverlaps';
import { useApi, useDesk } from '../desk';
import { Link, navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage, RagBadge, TableScroller, When } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

const useStyles = makeStyles({
  value: { margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  text: { whiteSpace: 'pre-wrap', overflowWrap: 'break-word', minWidth: '12rem' },
  // Columns size to their content; in a narrow panel the region around the table scrolls sideways.
  table: { tableLayout: 'auto', minWidth: '40rem' },
});

/** The facts in the order a reader wants them; any other field the API sends follows, humanised. */
const FACTS: [string, string][] = [
  ['ref', 'Reference'],
  ['title', 'Title'],
  ['description', 'Description'],
  ['group_name', 'Group'],
  ['priority_name', 'Priority'],
  ['source_title', 'Source'],
  ['lead', 'Lead'],
  ['agency', 'Agency'],
  ['status', 'Status'],
  ['rag', 'RAG'],
  ['lead_rag', "Lead's RAG"],
  ['due', 'Due'],
  ['revised_due', 'Revised due'],
  ['revised_due_reason', 'Why the due date moved'],
  ['overdue_working_days', 'Overdue (working days)'],
  ['last_update_at', 'Last update'],
  ['impact_evidence', 'Impact evidence'],
];

/** Codes shown by their names above, and bookkeeping a reader has no use for. */
const HIDDEN_FACTS = new Set(['group', 'priority', 'source', 'lead_id', 'version', 'links']);

/** The audit trail's field names, as words (ids are answered as names by the server). */
const HISTORY_FIELDS: Record<string, string> = {
  group_id: 'Group',
  priority_id: 'Priority',
  source_id: 'Source',
  lead_id: 'Lead',
  lead_agency_id: 'Lead agency',
  text: 'Action',
  due_date: 'Due',
  revised_due_date: 'Revised due',
  lead_rag: "Lead's RAG",
  status_reason: 'Reason for the status',
  update_id: 'Progress update',
};

const DATE_FIELDS = new Set(['due', 'revised_due', 'created_at', 'updated_at', 'completed_at', 'completed_on', 'last_update_at']);
const RAG_FIELDS = new Set(['rag', 'lead_rag']);

function humanise(field: string): string {
  const known = FACTS.find(([key]) => key === field);
  if (known) return known[1];
  return sentence(field.replace(/_id$/, ''));
}

function FactValue({ field, value }: { field: string; value: unknown }) {
  if (RAG_FIELDS.has(field)) return <RagBadge value={value as string} />;
  if (field === 'status' && typeof value === 'string') return <>{sentence(value)}</>;
  if (DATE_FIELDS.has(field) && typeof value === 'string') return <When value={value} />;
  return <>{label(value)}</>;
}

/** An audit value as text: dates, names and flags in words; nothing becomes markup. */
function AuditValue({ value }: { value: unknown }) {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value)) return <When value={value} />;
  return <>{label(value)}</>;
}

function Facts({ action }: { action: ActionDetail['action'] }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const known = FACTS.map(([key]) => key);
  const keys = [...known.filter((key) => key in action), ...Object.keys(action).filter((key) => !known.includes(key))].filter(
    (key) => !HIDDEN_FACTS.has(key),
  );
  return (
    <Card>
      <dl className={layout.facts}>
        {keys.map((key) => (
          <div key={key} style={{ display: 'contents' }}>
            <dt className={layout.term}>{humanise(key)}</dt>
            <dd className={styles.value}>
              <FactValue field={key} value={action[key]} />
            </dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function Updates({ detail }: { detail: ActionDetail }) {
  const styles = useStyles();
  if (detail.updates.length === 0) return <Body1 as="p">No updates yet.</Body1>;
  return (
    <TableScroller label="Updates (scrolls sideways)">
      <Table aria-labelledby="updates-heading" size="small" className={styles.table}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>By</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell>RAG</TableHeaderCell>
            <TableHeaderCell>Note</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {detail.updates.map((update, index) => (
            <TableRow key={`${update.at}-${index}`}>
              <TableCell>
                <When value={update.dated ?? update.at} />
              </TableCell>
              <TableCell>{label(update.by)}</TableCell>
              <TableCell>{update.status ? sentence(update.status) : update.complete ? 'Complete' : '—'}</TableCell>
              <TableCell>
                <RagBadge value={update.rag} />
              </TableCell>
              <TableCell className={styles.text}>{update.note || '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableScroller>
  );
}

function History({ detail }: { detail: ActionDetail }) {
  const styles = useStyles();
  if (detail.history.length === 0) return <Body1 as="p">No recorded changes yet.</Body1>;
  return (
    <TableScroller label="Audit history (scrolls sideways)">
      <Table aria-labelledby="history-heading" size="small" className={styles.table}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>Who</TableHeaderCell>
            <TableHeaderCell>What</TableHeaderCell>
            <TableHeaderCell>Field</TableHeaderCell>
            <TableHeaderCell>From</TableHeaderCell>
            <TableHeaderCell>To</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {detail.history.map((entry, index) => (
            <TableRow key={`${entry.at}-${index}`}>
              <TableCell>
                <When value={entry.at} />
              </TableCell>
              <TableCell>{label(entry.actor)}</TableCell>
              <TableCell>{entry.event ? sentence(entry.event) : '—'}</TableCell>
              <TableCell>{HISTORY_FIELDS[entry.field] ?? humanise(entry.field)}</TableCell>
              <TableCell className={styles.text}>
                <AuditValue value={entry.from} />
              </TableCell>
              <TableCell className={styles.text}>
                <AuditValue value={entry.to} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableScroller>
  );
}

export function ActionPage({ actionRef }: { actionRef: string }) {
  const layout = usePageStyles();
  const { me } = useDesk();
  const fetched = useApi<ActionDetail>(`/actions/${encodeURIComponent(actionRef)}`);
  // An overlap decision answers the action as it now is, which replaces what was loaded.
  const [decided, setDecided] = useState<ActionDetail | null>(null);
  const loaded: typeof fetched = decided ? { state: 'done', data: decided } : fetched;
  const facts = useApi<FactsForm>(`/action-facts/${encodeURIComponent(actionRef)}`);
  const title = loaded.state === 'done' ? `${loaded.data.action.ref}: ${loaded.data.action.title}` : actionRef;
  usePageTitle(title);
  // The server decides per action; the scrutineer's flag is checked too so no button ever shows to her.
  const mayUpdate = loaded.state === 'done' && loaded.data.can_update && !me.is_scrutineer;
  const mayEditFacts = facts.state === 'done' && facts.data.can_edit && !me.is_scrutineer;

  return (
    <>
      <Link className={layout.back} href={paths.register()}>
        Back to the register
      </Link>
      <PageHeading>{title}</PageHeading>
      {loaded.state === 'loading' ? <Loading what="the action" /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      {loaded.state === 'done' ? (
        <>
          {mayUpdate || mayEditFacts ? (
            <div className={layout.toolbar}>
              {mayUpdate ? (
                <Button appearance="primary" onClick={() => navigate(paths.update(actionRef))}>
                  Update this action
                </Button>
              ) : null}
              {mayEditFacts ? <Button onClick={() => navigate(paths.editAction(actionRef))}>Edit facts</Button> : null}
            </div>
          ) : null}
          <section aria-labelledby="facts-heading" className={layout.section}>
            <Subtitle1 as="h2" id="facts-heading" block>
              Facts
            </Subtitle1>
            <Facts action={loaded.data.action} />
          </section>
          <section aria-labelledby="overlaps-heading" className={layout.section}>
            <Subtitle1 as="h2" id="overlaps-heading" block>
              Overlaps: the same work from other sources
            </Subtitle1>
            <Overlaps detail={loaded.data} mayDecide={mayUpdate} onDecided={setDecided} />
          </section>
          <section aria-labelledby="updates-heading" className={layout.section}>
            <Subtitle1 as="h2" id="updates-heading" block>
              Updates
            </Subtitle1>
            <Updates detail={loaded.data} />
          </section>
          <section aria-labelledby="history-heading" className={layout.section}>
            <Subtitle1 as="h2" id="history-heading" block>
              History: who changed what, and when
            </Subtitle1>
            <History detail={loaded.data} />
          </section>
        </>
      ) : null}
    </>
  );
}
