/** Home: who you are, your roles, what you may do, and the ways into the register. */
import { Badge, Body1, Card, Subtitle1, makeStyles, tokens } from '@fluentui/react-components';
import { label } from '../api';
import { mayEdit, useDesk } from '../desk';
import { Link, paths, usePageTitle } from '../router';
import { PageHeading } from './Heading';

const useStyles = makeStyles({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(16rem, 1fr))',
    gap: tokens.spacingHorizontalL,
  },
  card: { padding: tokens.spacingHorizontalL },
  roles: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, listStyleType: 'none', padding: 0 },
  links: { margin: 0, paddingLeft: tokens.spacingHorizontalXL, display: 'grid', gap: tokens.spacingVerticalS },
});

function permissionsInWords(me: ReturnType<typeof useDesk>['me']): string {
  if (me.is_scrutineer) return 'You can read the whole register and its history; the scrutineer changes nothing.';
  if (me.is_admin) return 'You can see and change everything in the desk.';
  if (mayEdit(me)) return 'You can read the actions the partnership shares with you and update the ones you lead or oversee.';
  return 'You can read the actions the partnership shares with you.';
}

export function HomePage() {
  const styles = useStyles();
  const { me } = useDesk();
  usePageTitle('Home');
  const partnership = label(me.partnership);
  return (
    <>
      <PageHeading>Welcome, {me.name}</PageHeading>
      <div className={styles.grid}>
        <Card className={styles.card}>
          <Subtitle1 as="h2">Who you are</Subtitle1>
          <Body1 as="p">
            {me.name}
            {partnership !== '—' ? `, ${partnership}` : ''}
          </Body1>
          <ul className={styles.roles} aria-label="Your roles">
            {me.roles.map((role) => (
              <li key={role}>
                <Badge appearance="outline" color="brand">
                  {role}
                </Badge>
              </li>
            ))}
            {me.roles.length === 0 ? <li>No roles</li> : null}
          </ul>
          <Body1 as="p">{permissionsInWords(me)}</Body1>
        </Card>
        <Card className={styles.card}>
          <Subtitle1 as="h2">The register</Subtitle1>
          <ul className={styles.links}>
            <li>
              <Link href={paths.register()}>Every action you can see</Link>
            </li>
            <li>
              <Link href={paths.register(`?lead=${encodeURIComponent(me.id)}`)}>Actions you lead</Link>
            </li>
            <li>
              <Link href={paths.register('?overdue=true&sort=overdue_working_days&order=desc')}>
                Overdue actions, most overdue first
              </Link>
            </li>
            <li>
              <Link href={paths.register('?stale=true')}>Stale actions (no recent update)</Link>
            </li>
          </ul>
        </Card>
      </div>
    </>
  );
}
