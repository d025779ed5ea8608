/**
 * The pages shown instead of the desk: open it in Teams, sign in again, how to be added to the
 * roster, and a plain error. Each is a page of its own with a main landmark and one heading.
 */
import { Body1, Button, Title1, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, type ReactNode } from 'react';
import type { Problem } from '../problem';
import { ProblemMessage } from '../ui';

const useStyles = makeStyles({
  main: {
    maxWidth: '40rem',
    margin: '0 auto',
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalL}`,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
  },
});

export function GatePage({
  title,
  problem,
  onRetry,
  children,
}: {
  title: string;
  problem?: Problem;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  const styles = useStyles();
  useEffect(() => {
    document.title = title === 'Partnership desk' ? title : `${title} – Partnership desk`;
  }, [title]);
  return (
    <main className={styles.main} id="main">
      <Title1 as="h1">{title}</Title1>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {children}
      {onRetry ? (
        <div>
          <Button appearance="primary" onClick={onRetry}>
            Try again
          </Button>
        </div>
      ) : null}
    </main>
  );
}

export function OpenInTeamsPage() {
  return (
    <GatePage title="Open the desk in Teams">
      <Body1 as="p">
        The partnership desk works inside Microsoft Teams, where it knows who you are without another
        password. Open Teams, choose the partnership bot&apos;s app, and select its <strong>Desk</strong> tab.
      </Body1>
      <Body1 as="p">If the app is not in your Teams yet, ask the business team to add it for you.</Body1>
    </GatePage>
  );
}

export function SignInAgainPage({ onRetry }: { onRetry: () => void }) {
  return (
    <GatePage title="Please sign in again" onRetry={onRetry}>
      <Body1 as="p">
        Your sign-in has ended or could not be checked. Try again; if it keeps happening, close the tab
        and open the desk from Teams once more.
      </Body1>
    </GatePage>
  );
}

export function NotOnRosterPage({ problem }: { problem: Problem }) {
  return (
    <GatePage title="You are not on the partnership's roster yet">
      <Body1 as="p">
        The desk is for the people on the safeguarding partnership&apos;s roster. Your Teams account is
        signed in, but it is not linked to anyone on it.
      </Body1>
      {problem.detail ? <Body1 as="p">{problem.detail}</Body1> : null}
      <Body1 as="p">
        To be added, ask the partnership&apos;s business team: they add people to the roster, and once you are
        on it the desk opens for you here.
      </Body1>
    </GatePage>
  );
}
