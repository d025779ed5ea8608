/**
 * Training: each course with its sessions (upcoming, and for the business team and the scrutineer the
 * last two weeks too, whose attendance is still to mark): places left, booked and waiting, each
 * session linking to its own page. Numbers only: who is booked is on the session's page, for those who
 * may read names.
 */
import {
  Badge,
  Body1,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
} from '@fluentui/react-components';
import { useApi } from '../desk';
import { Link, paths, usePageTitle } from '../router';
import type { CourseItem, TrainingOverview } from '../trainingApi';
import { Loading, ProblemMessage, TableScroller } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';
import { placesLeft, sessionWhen, sessionWhere } from './trainingFormat';

const useStyles = makeStyles({
  table: { tableLayout: 'auto', minWidth: '36rem' },
  number: { textAlign: 'end' },
});

function CourseSessions({ course }: { course: CourseItem }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const headingId = `course-${course.code}`;
  return (
    <section className={layout.section} aria-labelledby={headingId}>
      <Subtitle1 as="h2" id={headingId}>
        {course.code}: {course.title} {course.active ? null : <Badge appearance="outline">Retired</Badge>}
      </Subtitle1>
      {course.sessions.length === 0 ? (
        <Body1 as="p" className={layout.paragraph}>{course.mode === 'e_learning' ? 'E-learning: no sessions to book.' : 'No sessions planned.'}</Body1>
      ) : (
        <TableScroller label={`Sessions of ${course.code} (scrolls sideways)`}>
          <Table aria-labelledby={headingId} size="small" className={styles.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Session</TableHeaderCell>
                <TableHeaderCell>Where</TableHeaderCell>
                <TableHeaderCell>Places left</TableHeaderCell>
                <TableHeaderCell>Booked</TableHeaderCell>
                <TableHeaderCell>Waiting</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {course.sessions.map((session) => (
                <TableRow key={session.id}>
                  <TableCell>
                    <Link href={paths.session(session.id)}>{sessionWhen(session)}</Link>{' '}
                    {session.cancelled ? <Badge appearance="tint" color="danger">Cancelled</Badge> : null}
                  </TableCell>
                  <TableCell>{sessionWhere(session)}</TableCell>
                  <TableCell>{placesLeft(session)}</TableCell>
                  <TableCell>{session.booked}</TableCell>
                  <TableCell>{session.waiting}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableScroller>
      )}
    </section>
  );
}

export function TrainingPage() {
  const layout = usePageStyles();
  usePageTitle('Training');
  const loaded = useApi<TrainingOverview>('/training');
  return (
    <>
      <PageHeading>Training</PageHeading>
      {loaded.state === 'loading' ? <Loading what="the courses" /> : null}
      {loaded.state === 'problem' ? <ProblemMessage problem={loaded.problem} /> : null}
      {loaded.state === 'done' ? (
        <>
          <Body1 as="p" className={layout.paragraph}>
            {loaded.data.reads_names
              ? 'Courses and their sessions, with those of the last two weeks for marking attendance. Open a session to see who is booked and waiting.'
              : 'Courses and their coming sessions, with the places left. Who is booked is known to the business team.'}
          </Body1>
          {loaded.data.courses.map((course) => (
            <CourseSessions key={course.code} course={course} />
          ))}
        </>
      ) : null}
    </>
  );
}
