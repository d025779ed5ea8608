/**
 * The desk's root: connect to the host, follow its theme, then decide which page the person sees
 * first: "open it in Teams", the development "sign in as", "sign in again", "how to be added", or
 * the signed-in desk itself.
 */
import { FluentProvider, makeStaticStyles, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { apiGet, type Me } from './api';
import { DeskContext, type Desk } from './desk';
import { colorScheme, connectHost, fluentTheme, type Host, type ThemeName } from './host';
import { problemKind, problemOf, type Problem } from './problem';
import { HostContext } from './hostContext';
import { Shell } from './Shell';
import { GatePage, NotOnRosterPage, OpenInTeamsPage, SignInAgainPage } from './pages/Gates';
import { SignInPage } from './pages/SignIn';
import { Loading } from './ui';

// Styles go through Fluent's style engine (no inline <style> in index.html), so one CSP rule covers all.
const useGlobalStyles = makeStaticStyles({ body: { margin: 0 } });

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
  },
});

type Session =
  | { state: 'loading' }
  | { state: 'signed-out'; reason?: Problem }
  | { state: 'problem'; problem: Problem }
  | { state: 'ready'; me: Me };

function SessionView({ host }: { host: Host }) {
  const [session, setSession] = useState<Session>({ state: 'loading' });

  const sessionProblem = useCallback(
    (problem: Problem) => {
      if (problemKind(problem) === 'sign-in' && host.kind === 'dev') {
        host.setDevToken(null);
        setSession({ state: 'signed-out', reason: problem });
      } else {
        setSession({ state: 'problem', problem });
      }
    },
    [host],
  );

  const load = useCallback(async () => {
    if (host.kind === 'dev' && !(await host.getToken())) {
      setSession({ state: 'signed-out' });
      return;
    }
    setSession({ state: 'loading' });
    try {
      setSession({ state: 'ready', me: await apiGet<Me>(host, '/me') });
    } catch (error) {
      sessionProblem(problemOf(error));
    }
  }, [host, sessionProblem]);

  useEffect(() => {
    if (host.kind !== 'outside') void load();
  }, [host, load]);

  const desk = useMemo<Desk | null>(
    () => (session.state === 'ready' ? { host, me: session.me, sessionProblem } : null),
    [host, session, sessionProblem],
  );

  if (host.kind === 'outside') return <OpenInTeamsPage />;
  if (session.state === 'loading') return <GatePage title="Partnership desk"><Loading what="the desk" /></GatePage>;
  if (session.state === 'signed-out') {
    return (
      <SignInPage
        reason={session.reason}
        onSignedIn={(token) => {
          host.setDevToken(token);
          void load();
        }}
      />
    );
  }
  if (session.state === 'problem') {
    const kind = problemKind(session.problem);
    if (kind === 'not-on-roster') return <NotOnRosterPage problem={session.problem} />;
    if (kind === 'sign-in') return <SignInAgainPage onRetry={() => void load()} />;
    return (
      <GatePage title="The desk could not open" problem={session.problem} onRetry={() => void load()} />
    );
  }
  return (
    <DeskContext.Provider value={desk}>
      <Shell />
    </DeskContext.Provider>
  );
}

export function App() {
  useGlobalStyles();
  const styles = useStyles();
  const [host, setHost] = useState<Host | null>(null);
  const [theme, setTheme] = useState<ThemeName>('light');

  useEffect(() => {
    let unsubscribe = () => {};
    void connectHost().then((connected) => {
      setHost(connected);
      setTheme(connected.theme());
      unsubscribe = connected.onThemeChange(setTheme);
    });
    return () => unsubscribe();
  }, []);

  useEffect(() => {
    document.documentElement.style.colorScheme = colorScheme(theme);
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  return (
    <FluentProvider theme={fluentTheme(theme)} className={styles.root}>
      {host ? (
        <HostContext.Provider value={host}>
          <SessionView host={host} />
        </HostContext.Provider>
      ) : (
        <GatePage title="Partnership desk">
          <Loading what="the desk" />
        </GatePage>
      )}
    </FluentProvider>
  );
}
