/**
 * Small pieces shared by the pages: how a problem is shown, the loading state, RAG badges, dates,
 * and a table wrapper that scrolls sideways in a narrow panel and can be reached by keyboard.
 */
import {
  Badge,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState, type ReactNode } from 'react';
import { label, type Named } from './api';
import { problemKind, type Problem } from './problem';

export function ProblemMessage({ problem }: { problem: Problem }) {
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>
          {problemKind(problem) === 'forbidden' ? 'You are not allowed to see or do this' : problem.title}
        </MessageBarTitle>
        {problem.detail ? ` ${problem.detail}` : null}
        {problem.errors ? (
          <ul>
            {problem.errors.map((error, index) => (
              <li key={index}>
                {error.field ? `${error.field}: ` : ''}
                {error.message}
              </li>
            ))}
          </ul>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Loading({ what }: { what: string }) {
  return <Spinner size="small" label={`Loading ${what}…`} />;
}

const RAG_COLOURS: Record<string, 'danger' | 'warning' | 'success'> = {
  red: 'danger',
  r: 'danger',
  amber: 'warning',
  a: 'warning',
  green: 'success',
  g: 'success',
};

/** A RAG rating as a badge that carries its word, so colour is never the only signal. */
export function RagBadge({ value }: { value: Named }) {
  const text = label(value);
  if (text === '—') return <span>—</span>;
  const colour = RAG_COLOURS[text.toLowerCase()];
  return (
    <Badge appearance="tint" color={colour ?? 'informative'} shape="rounded">
      {text.charAt(0).toUpperCase() + text.slice(1)}
    </Badge>
  );
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});

/** A date ("2026-12-04") or a moment ("2026-12-04T10:15:00Z") in British form, inside <time>. */
export function When({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const parsed = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed.getTime())) return <span>{value}</span>;
  return <time dateTime={value}>{(dateOnly ? dateFormat : dateTimeFormat).format(parsed)}</time>;
}

const useStyles = makeStyles({
  scroller: {
    overflowX: 'auto',
    maxWidth: '100%',
    ':focus-visible': {
      outline: `2px solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: '2px',
    },
  },
});

/** Wraps a wide table: it scrolls sideways in a narrow panel, and the keyboard can scroll it too. */
export function TableScroller({ label: name, children }: { label: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.scroller} role="region" aria-label={name} tabIndex={0}>
      {children}
    </div>
  );
}

/** True when the window is narrower than a phone's or Teams' side panel (about 600 px). */
export function useNarrow(): boolean {
  const query = '(max-width: 600px)';
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const update = () => setNarrow(media.matches);
    media.addEventListener('change', update);
    return () => media.removeEventListener('change', update);
  }, []);
  return narrow;
}
