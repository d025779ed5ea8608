/** Announcements: how many are drafts, scheduled, sending, sent and cancelled, and the newest of
 * each, with a way to compose a new one (the business team only). */
import { Button, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from '@fluentui/react-components';
import { STATUSES, STATUS_WORDS, type Lists } from '../announcementsApi';
import { useApi } from '../desk';
import { Link, navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage, TableScroller, When } from '../ui';
import { PageHeading } from './Heading';

const useStyles = makeStyles({
  top: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalL, marginBottom: tokens.spacingVerticalM },
  section: { marginTop: tokens.spacingVerticalL },
  counts: { maxWidth: '28rem' },
});

export function AnnouncementsPage() {
  usePageTitle('Announcements');
  const styles = useStyles();
  const loaded = useApi<Lists>('/announcements');
  return (
    <>
      <PageHeading>Announcements</PageHeading>
      {loaded.state === 'loading' ? <Loading what="announcements" /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      {loaded.state === 'done' ? (
        <>
          <div className={styles.top}>
            {loaded.data.can_compose ? (
              <Button appearance="primary" onClick={() => navigate(paths.announcementNew())}>
                New announcement
              </Button>
            ) : null}
            {loaded.data.can_compose ? <Link href={paths.reach()}>Reach at a glance</Link> : null}
          </div>
          <Table aria-label="How many in each state" size="small" className={styles.counts}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>How many</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {STATUSES.map((status) => (
                <TableRow key={status}>
                  <TableCell>{STATUS_WORDS[status]}</TableCell>
                  <TableCell>{loaded.data.counts[status]}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {STATUSES.map((status) => (
            <section key={status} className={styles.section} aria-labelledby={`list-${status}`}>
              <Subtitle1 as="h2" id={`list-${status}`}>
                {STATUS_WORDS[status]} ({loaded.data.counts[status]})
              </Subtitle1>
              {loaded.data[status].length === 0 ? (
                <p>None.</p>
              ) : (
                <TableScroller label={STATUS_WORDS[status]}>
                  <Table aria-label={`${STATUS_WORDS[status]} announcements`} size="small">
                    <TableHeader>
                      <TableRow>
                        <TableHeaderCell>Title</TableHeaderCell>
                        <TableHeaderCell>{status === 'scheduled' ? 'Goes out' : status === 'draft' ? 'Last changed' : 'Started'}</TableHeaderCell>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {loaded.data[status].map((item) => (
                        <TableRow key={item.id}>
                          <TableCell>
                            <Link href={paths.announcement(item.id)}>{item.title}</Link>
                          </TableCell>
                          <TableCell>
                            <When value={status === 'scheduled' ? item.scheduled_for : status === 'draft' ? item.updated_at : item.started_at} />
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                </TableScroller>
              )}
            </section>
          ))}
        </>
      ) : null}
    </>
  );
}
