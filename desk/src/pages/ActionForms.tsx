/**
 * What the desk's action forms share: the screening warning (worded as the chat's update card:
 * what was found, field by field, and "I confirm these are not personal data"), the "changed since
 * you opened it" message with its reload, and the form's layout (the page's own is pageStyles.ts).
 */
import {
  Button,
  Checkbox,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { Screening } from '../actionsApi';

export const useFormStyles = makeStyles({
  form: { display: 'grid', gap: tokens.spacingVerticalM, maxWidth: '40rem' },
  row: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(14rem, 1fr))',
    gap: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, marginTop: tokens.spacingVerticalS },
  warning: { display: 'grid', gap: tokens.spacingVerticalS },
});

export const SCREENING_HEADLINE = 'Before I save this: it may contain personal details';
export const SCREENING_ADVICE =
  'I hold business information only. Please remove these details, or confirm they are not about a child, a family ' +
  "or anyone else (for example a service's switchboard number). Your confirmation is recorded.";
export const SCREENING_CONFIRMATION = 'I confirm these are not personal data';

export function ScreeningWarning({
  screening,
  labels,
  confirmed,
  onConfirm,
}: {
  screening: Screening;
  labels: Record<string, string>;
  confirmed: boolean;
  onConfirm: (confirmed: boolean) => void;
}) {
  const styles = useFormStyles();
  return (
    <div className={styles.warning} role="group" aria-labelledby="screening-title">
      <MessageBar intent="warning" layout="multiline" role="alert">
        <MessageBarBody>
          <MessageBarTitle id="screening-title">{SCREENING_HEADLINE}</MessageBarTitle>
          <ul>
            {screening.findings.map((finding, index) => (
              <li key={index}>
                {labels[finding.field] ?? finding.field}: {finding.label}
              </li>
            ))}
          </ul>
          {SCREENING_ADVICE}
        </MessageBarBody>
      </MessageBar>
      <Checkbox
        checked={confirmed}
        onChange={(_, data) => onConfirm(data.checked === true)}
        label={SCREENING_CONFIRMATION}
      />
    </div>
  );
}

export function ConflictMessage({ detail, onReload }: { detail?: string; onReload: () => void }) {
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>Changed since you opened it</MessageBarTitle>
        {detail ?? 'Someone else saved a change first.'} What you typed is kept: reload, check it against their
        change, then save again.
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={onReload}>Reload the action</Button>
      </MessageBarActions>
    </MessageBar>
  );
}

/** A problem's field errors that belong to no field on the form, as one line each. */
export function unplaced(errors: Record<string, string>, fields: readonly string[]): [string, string][] {
  return Object.entries(errors).filter(([field]) => !fields.includes(field));
}
