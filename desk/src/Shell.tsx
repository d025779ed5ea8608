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
import { FilesPage } from './pages/Files';
import { HomePage } from './pages/Home';
import { NotFoundPage, UpdatePlaceholderPage } from './pages/Other';
import { RegisterPage } from './pages/Register';
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
      return <UpdatePlaceholderPage actionRef={route.ref} />;
    case 'files':
      return <FilesPage />;
    default:
      return <NotFoundPage />;
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
  const section = route.name === 'home' || route.name === 'files' ? route.name : route.name === 'not-found' ? null : 'register';

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
