/** Reach at a glance: how many on the roster the bot can reach now, why the others cannot be
 * reached, and what fixes each reason (the chat's reach report, usecases/reach.py). */
import { Body1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import type { ReachReport } from '../announcementsApi';
import { useApi } from '../desk';
import { usePageTitle } from '../router';
import { Loading, ProblemMessage, TableScroller } from '../ui';
import { PageHeading } from './Heading';

function share(part: number, whole: number): string {
  return whole ? `${Math.round((100 * part) / whole)}%` : '—';
}

export function ReachPage() {
  usePageTitle('Reach');
  const loaded = useApi<ReachReport>('/reach');
  return (
    <>
      <PageHeading>Reach at a glance</PageHeading>
      {loaded.state === 'loading' ? <Loading what="the reach report" /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      {loaded.state === 'done' ? (
        <>
          <Body1 as="p">
            The bot can reach <strong>{loaded.data.reachable.toLocaleString('en-GB')}</strong> of the{' '}
            {loaded.data.on_roster.toLocaleString('en-GB')} people on the roster now ({share(loaded.data.reachable, loaded.data.on_roster)}).{' '}
            {loaded.data.installs_on
              ? 'Installs through Microsoft Graph are on.'
              : 'Installs through Microsoft Graph are off: only people who opened the bot can be reached.'}
          </Body1>
          <TableScroller label="Reach by reason">
            <Table aria-label="Reach by reason" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Reason</TableHeaderCell>
                  <TableHeaderCell>People</TableHeaderCell>
                  <TableHeaderCell>Share</TableHeaderCell>
                  <TableHeaderCell>What it means and how to fix it</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {loaded.data.rows.map((row) => (
                  <TableRow key={row.reason}>
                    <TableCell>{row.label}</TableCell>
                    <TableCell>{row.count.toLocaleString('en-GB')}</TableCell>
                    <TableCell>{share(row.count, loaded.data.on_roster)}</TableCell>
                    <TableCell>{row.fix || '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableScroller>
          <Body1 as="p">
            Guests on the roster: {loaded.data.guests.toLocaleString('en-GB')}. Guests are left out of announcements to groups and agencies.
          </Body1>
        </>
      ) : null}
    </>
  );
}
