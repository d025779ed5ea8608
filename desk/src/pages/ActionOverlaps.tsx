/**
 * An action's overlaps: actions from other sources that may be (suggested) or are (linked) the same
 * work. Someone who may update the action links a suggestion or dismisses it, as with the chat's
 * overlap card (POST /actions/{ref}/overlaps, the chat's `decide_overlap`). The result is said in a
 * status region, and a refusal plainly beside the list.
 */
import { Badge, Body1, Button, Card, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { apiChange, type Link as OverlapLink } from '../actionsApi';
import { label, sentence, type ActionDetail } from '../api';
import { reportedProblem, useDesk } from '../desk';
import type { Problem } from '../problem';
import { Link, paths } from '../router';
import { ProblemMessage } from '../ui';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalS },
  card: { padding: tokens.spacingHorizontalM },
  line: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  title: { overflowWrap: 'anywhere' },
});

function links(detail: ActionDetail): OverlapLink[] {
  const found = detail.action.links;
  return Array.isArray(found) ? (found as OverlapLink[]) : [];
}

export function Overlaps({
  detail,
  mayDecide,
  onDecided,
}: {
  detail: ActionDetail;
  mayDecide: boolean;
  onDecided: (page: ActionDetail) => void;
}) {
  const styles = useStyles();
  const { host, sessionProblem } = useDesk();
  const [said, setSaid] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = detail.action.ref;
  const found = links(detail);

  async function decide(other: string, decision: 'link' | 'dismiss') {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      const page = await apiChange<ActionDetail>(host, 'POST', `/actions/${encodeURIComponent(ref)}/overlaps`, { other, decision });
      setSaid(
        decision === 'link'
          ? `Linked ${ref} and ${other}: the overlap now shows on both.`
          : `Noted: ${other} is not the same work; it will not be suggested again.`,
      );
      onDecided(page);
    } catch (error) {
      setProblem(reportedProblem(error, sessionProblem));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div role="status">{said ? <Body1 as="p" block>{said}</Body1> : null}</div>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {found.length === 0 ? (
        <Body1 as="p" block>No possible overlaps.</Body1>
      ) : (
        <ul className={styles.list} aria-label={`Overlaps of ${ref}`}>
          {found.map((link) => (
            <li key={link.ref}>
              <Card className={styles.card}>
                <div className={styles.line}>
                  <Link href={paths.action(link.ref)}>{link.ref}</Link>
                  <Badge appearance="outline" color={link.state === 'linked' ? 'brand' : 'informative'}>
                    {link.state === 'linked' ? 'Linked: the same work' : 'Possible overlap'}
                  </Badge>
                  <Text size={200}>
                    {label(link.source)} · {sentence(label(link.status))}
                  </Text>
                </div>
                <Body1 className={styles.title}>{link.title}</Body1>
                {mayDecide ? (
                  <div className={styles.line}>
                    {link.state !== 'linked' ? (
                      <Button size="small" appearance="primary" disabledFocusable={busy} onClick={() => decide(link.ref, 'link')}>
                        Link {link.ref}
                      </Button>
                    ) : null}
                    <Button size="small" disabledFocusable={busy} onClick={() => decide(link.ref, 'dismiss')}>
                      {link.state === 'linked' ? `Unlink ${link.ref}: not the same work` : `Dismiss ${link.ref}`}
                    </Button>
                  </div>
                ) : null}
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
