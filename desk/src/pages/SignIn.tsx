/**
 * Development only: "Sign in as" any demo person. The backend offers /desk/dev/people and
 * /desk/dev/sign-in only in development on loopback; in production this page is never reached.
 */
import { Body1, Button, Caption1, Card, CardHeader, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { devPeople, devSignIn, type DemoPerson } from '../api';
import { problemOf, type Problem } from '../problem';
import { Loading, ProblemMessage } from '../ui';
import { GatePage } from './Gates';

const useStyles = makeStyles({
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'grid',
    gap: tokens.spacingVerticalS,
  },
});

export function SignInPage({ reason, onSignedIn }: { reason?: Problem; onSignedIn: (token: string) => void }) {
  const styles = useStyles();
  const [people, setPeople] = useState<DemoPerson[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    devPeople().then(setPeople, (error: unknown) => setProblem(problemOf(error)));
  }, []);

  const signIn = async (person: DemoPerson) => {
    setBusy(person.id);
    setProblem(null);
    try {
      onSignedIn(await devSignIn(person.id));
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(null);
    }
  };

  return (
    <GatePage title="Sign in as a demo person">
      <Body1 as="p">
        This is the development desk: no Teams, no password. Choose whom to be. In Teams the desk signs
        you in by itself.
      </Body1>
      {reason ? <Body1 as="p">Your previous sign-in has ended; choose again.</Body1> : null}
      {problem ? <ProblemMessage problem={problem} /> : null}
      {people === null && !problem ? <Loading what="the demo people" /> : null}
      {people ? (
        <ul className={styles.list} aria-label="Demo people">
          {people.map((person) => (
            <li key={person.id}>
              <Card size="small">
                <CardHeader
                  header={<Body1><strong>{person.name}</strong></Body1>}
                  description={<Caption1>{person.roles.length ? person.roles.join(', ') : 'No roles'}</Caption1>}
                  action={
                    <Button
                      appearance="primary"
                      disabled={busy !== null}
                      aria-label={`Sign in as ${person.name}`}
                      onClick={() => void signIn(person)}
                    >
                      Sign in
                    </Button>
                  }
                />
              </Card>
            </li>
          ))}
        </ul>
      ) : null}
    </GatePage>
  );
}
