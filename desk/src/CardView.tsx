/**
 * An Adaptive Card's content drawn from its JSON, for the announcement preview: the card the API
 * answers is the chat's own preview card (cards.broadcasts.recipient_card), so this shows exactly
 * what recipients get. It draws the elements announcements use (TextBlock with Teams' markdown
 * subset, Image, FactSet, Container, ColumnSet, and the card's actions) with Fluent's tokens, so
 * it follows the desk's themes; what a person typed is shown as text, never as HTML.
 */
import { Button, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

type Json = Record<string, unknown>;

const useStyles = makeStyles({
  card: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    maxWidth: '40rem',
    display: 'grid',
    gap: tokens.spacingVerticalS,
  },
  emphasis: { backgroundColor: tokens.colorNeutralBackground3, padding: tokens.spacingHorizontalS },
  small: { fontSize: tokens.fontSizeBase200 },
  large: { fontSize: tokens.fontSizeBase500 },
  bold: { fontWeight: tokens.fontWeightSemibold },
  subtle: { color: tokens.colorNeutralForeground2 },
  text: { margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  image: { maxWidth: '100%' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  columns: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `0 ${tokens.spacingHorizontalM}`, margin: 0 },
});

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === 'object') as Json[]) : [];
}

/** Teams' markdown escapes (a backslash before punctuation) and entities, undone for reading. */
function unescape(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** One line of Teams' markdown subset: **bold**, _italic_ and [links](https://...). */
export function inline(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  const pattern = /\*\*([^*]+)\*\*|_([^_]+)_|\[([^\]]*)\]\((https:\/\/[^)\s]+)\)/g;
  let last = 0;
  let key = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index > last) parts.push(unescape(text.slice(last, match.index)));
    if (match[1] !== undefined) parts.push(<strong key={key++}>{unescape(match[1])}</strong>);
    else if (match[2] !== undefined) parts.push(<em key={key++}>{unescape(match[2])}</em>);
    else parts.push(<a key={key++} href={match[4]} target="_blank" rel="noreferrer">{unescape(match[3] || match[4])}</a>);
    last = pattern.lastIndex;
  }
  if (last < text.length) parts.push(unescape(text.slice(last)));
  return parts;
}

function TextBlock({ item }: { item: Json }) {
  const styles = useStyles();
  const classes = [styles.text];
  if (item.size === 'Small') classes.push(styles.small);
  if (item.size === 'Large' || item.size === 'ExtraLarge') classes.push(styles.large);
  if (item.weight === 'Bolder') classes.push(styles.bold);
  if (item.isSubtle) classes.push(styles.subtle);
  const className = classes.join(' ');
  const lines = str(item.text).split('\n');
  const blocks: ReactNode[] = [];
  let bullets: string[] = [];
  const flush = () => {
    if (bullets.length) {
      blocks.push(
        <ul key={blocks.length} className={styles.list}>
          {bullets.map((b, i) => <li key={i}>{inline(b)}</li>)}
        </ul>,
      );
      bullets = [];
    }
  };
  for (const line of lines) {
    const bullet = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
    if (bullet) bullets.push(bullet[1]);
    else {
      flush();
      if (line.trim()) blocks.push(<p key={blocks.length} className={className}>{inline(line)}</p>);
    }
  }
  flush();
  return <div>{blocks}</div>;
}

function Element({ item }: { item: Json }) {
  const styles = useStyles();
  switch (item.type) {
    case 'TextBlock':
      return <TextBlock item={item} />;
    case 'Image':
      return <img className={styles.image} src={str(item.url)} alt={str(item.altText)} />;
    case 'FactSet':
      return (
        <dl className={styles.facts}>
          {list(item.facts).map((fact, i) => (
            <div key={i} style={{ display: 'contents' }}>
              <dt className={styles.bold}>{inline(str(fact.title))}</dt>
              <dd style={{ margin: 0 }}>{inline(str(fact.value))}</dd>
            </div>
          ))}
        </dl>
      );
    case 'Container':
      return (
        <div className={item.style === 'emphasis' || item.style === 'accent' ? styles.emphasis : undefined}>
          <Elements items={list(item.items)} />
        </div>
      );
    case 'ColumnSet':
      return (
        <div className={styles.columns}>
          {list(item.columns).map((column, i) => (
            <div key={i}>
              <Elements items={list(column.items)} />
            </div>
          ))}
        </div>
      );
    case 'ActionSet':
      return <Actions actions={list(item.actions)} />;
    default:
      return null;
  }
}

function Elements({ items }: { items: Json[] }) {
  return (
    <>
      {items.map((item, i) => (
        <Element key={i} item={item} />
      ))}
    </>
  );
}

/** The card's buttons as the recipient sees them: links open; the others work in Teams only. */
function Actions({ actions }: { actions: Json[] }) {
  const styles = useStyles();
  if (!actions.length) return null;
  return (
    <div className={styles.actions}>
      {actions.map((action, i) =>
        action.type === 'Action.OpenUrl' ? (
          <Button key={i} as="a" href={str(action.url)} target="_blank" rel="noreferrer">
            {str(action.title)}
          </Button>
        ) : (
          <Button key={i} disabledFocusable appearance={action.style === 'positive' ? 'primary' : 'secondary'}
            title="This button works on the card in Teams">
            {str(action.title)}
          </Button>
        ),
      )}
    </div>
  );
}

export function CardView({ card, label }: { card: Json; label: string }) {
  const styles = useStyles();
  return (
    <section className={styles.card} aria-label={label}>
      <Elements items={list(card.body)} />
      <Actions actions={list(card.actions)} />
    </section>
  );
}
