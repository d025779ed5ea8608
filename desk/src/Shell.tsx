/**
 * The signed-in desk's frame: a skip link, the banner with the navigation (and, in development, a
 * theme switch and sign-out), and the main landmark that holds the current page.
 */
import { Button, Caption1, Select, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useContext, useId } from 'react';
import { useDesk } from './desk';
import type { ThemeName } from './host';
import { HostContext } from './hostContext';
import { ActionPage } from './pages/Action';
import { AnnouncementPage } from './pages/Announcement';
import { AnnouncementComposePage } from './pages/AnnouncementCompose';
import { AnnouncementsPage } from './pages/Announcements';
import { ReachPage } from './pages/Reach';
import { CalendarPage, calendarPaths } from './pages/Calendar';
import { CalendarEditPage } from './pages/CalendarEdit';
import { FilesPage } from './pages/Files';
import { HomePage } from './pages/Home';
import { ActionFactsPage } from './pages/ActionFacts';
import { ActionUpdatePage } from './pages/ActionUpdate';
import { DriftPage } from './pages/Drift';
import { NotFoundPage } from './pages/Other';
import { ReferencePage } from './pages/Reference';
import { RegisterPage } from './pages/Register';
import { SessionPage } from './pages/Session';
import { TrainingPage } from './pages/Training';
import { Link, paths, routeFor, useLocation, type Route } from './router';

const useStyles = makeStyles({
  skip: {
    position: 'absolute',
    left: '-10000px',
    top: 'auto',
    ':focus': {
      left: tokens.spacingHorizontalM,
      top: tokens.spacingVerticalS,
      zIndex: 10,
      padding: tokens.spacingHorizontalS,
      backgroundColor: tokens.colorNeutralBackground1,
      outline: `2px solid ${tokens.colorStrokeFocus2}`,
    },
  },
  banner: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  navList: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalL,
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  current: { fontWeight: tokens.fontWeightSemibold },
  spacer: { flexGrow: 1 },
  devTools: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  main: {
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalL}`,
    maxWidth: '90rem',
    ':focus': { outline: 'none' },
  },
});

function PageFor({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'register':
      return <RegisterPage search={route.search} />;
    case 'action':
      return <ActionPage key={route.ref} actionRef={route.ref} />;
    case 'update':
      return <ActionUpdatePage key={route.ref} actionRef={route.ref} />;
    case 'new-action':
      return <ActionFactsPage />;
    case 'edit-action':
      return <ActionFactsPage key={route.ref} actionRef={route.ref} />;
    case 'drift':
      return <DriftPage />;
    case 'announcements':
      return <AnnouncementsPage />;
    case 'announcement':
      return <AnnouncementPage key={route.id} id={route.id} />;
    case 'announcement-new':
      return <AnnouncementComposePage />;
    case 'announcement-edit':
      return <AnnouncementComposePage key={route.id} id={route.id} />;
    case 'reach':
      return <ReachPage />;
    case 'training':
      return <TrainingPage />;
    case 'session':
      return <SessionPage key={route.id} sessionId={route.id} />;
    case 'calendar':
      return <CalendarPage search={route.search} />;
    case 'calendar-entry':
      return <CalendarEditPage key={`${route.kind}-${route.id}`} kind={route.kind} id={route.id} />;
    case 'reference':
      return <ReferencePage search={route.search} />;
    case 'files':
      return <FilesPage />;
    default:
      return <NotFoundPage />;
  }
}

/** The navigation entry a page belongs to (marked as the current one), or none. */
function sectionOf(route: Route): string | null {
  switch (route.name) {
    case 'not-found':
      return null;
    case 'home':
    case 'drift':
    case 'training':
    case 'reference':
    case 'files':
      return route.name;
    case 'session':
      return 'training';
    case 'calendar':
    case 'calendar-entry':
      return 'calendar';
    case 'announcements':
    case 'announcement':
    case 'announcement-new':
    case 'announcement-edit':
    case 'reach':
      return 'announcements';
    default:
      return 'register';
  }
}

function DevTools() {
  const host = useContext(HostContext);
  const { sessionProblem } = useDesk();
  const themeId = useId();
  const styles = useStyles();
  if (!host || host.kind !== 'dev') return null;
  return (
    <div className={styles.devTools}>
      <label htmlFor={themeId}>
        <Caption1>Theme (development)</Caption1>
      </label>
      <Select
        id={themeId}
        size="small"
        defaultValue={host.theme()}
        onChange={(_, data) => host.setTheme(data.value as ThemeName)}
      >
        <option value="light">Light</option>
        <option value="dark">Dark</option>
        <option value="contrast">High contrast</option>
      </Select>
      <Button
        size="small"
        onClick={() => sessionProblem({ type: 'about:blank', title: 'Signed out', status: 401 })}
      >
        Sign out
      </Button>
    </div>
  );
}

export function Shell() {
  const styles = useStyles();
  const { me } = useDesk();
  const location = useLocation();
  const route = routeFor(location.pathname, location.search);
  const section = sectionOf(route);

  return (
    <>
      <a className={styles.skip} href="#main">
        Skip to main content
      </a>
      <header className={styles.banner}>
        <Text weight="semibold" size={400}>
          Partnership desk
        </Text>
        <nav aria-label="Desk">
          <ul className={styles.navList}>
            <li>
              <Link
                href={paths.home()}
                className={mergeClasses(section === 'home' && styles.current)}
                aria-current={section === 'home' ? 'page' : undefined}
              >
                Home
              </Link>
            </li>
            <li>
              <Link
                href={paths.register()}
                className={mergeClasses(section === 'register' && styles.current)}
                aria-current={section === 'register' ? 'page' : undefined}
              >
                Register
              </Link>
            </li>
            {me.can.see_drift ? (
              <li>
                <Link href={paths.drift()} className={mergeClasses(section === 'drift' && styles.current)} aria-current={section === 'drift' ? 'page' : undefined}>
                  Drift
                </Link>
              </li>
            ) : null}
            <li>
              <Link href={calendarPaths.calendar()} className={mergeClasses(section === 'calendar' && styles.current)} aria-current={section === 'calendar' ? 'page' : undefined}>
                Calendar
              </Link>
            </li>
            <li>
              <Link href={paths.training()} className={mergeClasses(section === 'training' && styles.current)} aria-current={section === 'training' ? 'page' : undefined}>
                Training
              </Link>
            </li>
            {me.is_admin || me.is_scrutineer ? (
              <li>
                <Link
                  href={paths.announcements()}
                  className={mergeClasses(section === 'announcements' && styles.current)}
                  aria-current={section === 'announcements' ? 'page' : undefined}
                >
                  Announcements
                </Link>
              </li>
            ) : null}
            <li>
              <Link
                href={paths.reference()}
                className={mergeClasses(section === 'reference' && styles.current)}
                aria-current={section === 'reference' ? 'page' : undefined}
              >
                Reference data
              </Link>
            </li>
            {me.can.import_files || me.is_scrutineer ? (
              <li>
                <Link href={paths.files()} className={mergeClasses(section === 'files' && styles.current)} aria-current={section === 'files' ? 'page' : undefined}>
                  Files
                </Link>
              </li>
            ) : null}
          </ul>
        </nav>
        <span className={styles.spacer} />
        <Caption1>Signed in as {me.name}</Caption1>
        <DevTools />
      </header>
      <main id="main" className={styles.main} tabIndex={-1}>
        <PageFor route={route} />
      </main>
    </>
  );
}
