/**
 * What the desk's action forms share: the screening warning (worded as the chat's update card:
 * what was found, field by field, and "I confirm these are not personal data"), the "changed since
 * you opened it" message with its reload, the state of a save (useActionSave) with the problem above
 * the fields and the save and cancel below them, and the form's layout (the page's own is
 * pageStyles.ts).
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
import { useCallback, useState } from 'react';
import { CONFLICT, SendError, errorsByField, type Screening } from '../actionsApi';
import { problemFrom, type Problem } from '../problem';
import { ProblemMessage } from '../ui';

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

export type Reloaded = 'no' | 'loading' | 'done';

/**
 * What an action form keeps while it saves: the refusal, screening's findings and the person's
 * confirmation, whether a save is under way, and a reload after a conflict. After "Reload the
 * action" saving waits for the newest version, and the status region says when it came.
 */
export function useActionSave() {
  const [reloads, setReloads] = useState(0);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [screening, setScreening] = useState<Screening | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [saving, setSaving] = useState(false);
  const [reloaded, setReloaded] = useState<Reloaded>('no');
  /** The action came (again): a reload under way is done. */
  const arrived = useCallback(() => setReloaded((state) => (state === 'loading' ? 'done' : state)), []);
  return {
    /** Counts the reloads asked for: a load that depends on it runs again. */
    reloads,
    problem,
    screening,
    confirmed,
    setConfirmed,
    saving,
    reloaded,
    busy: saving || reloaded === 'loading',
    /** The refusal's field errors, by field (none while screening's findings are shown instead). */
    errors: problem && !screening ? errorsByField(problem) : {},
    arrived,
    reload() {
      setProblem(null);
      setReloaded('loading');
      setReloads((n) => n + 1);
    },
    /** A save begins: the body, with the confirmation of what screening found once it is given. */
    begin<B extends object>(body: B): B {
      setSaving(true);
      if (screening && confirmed) Object.assign(body, { confirm_not_personal: true, screened: screening.screened });
      return body;
    },
    /** The save was refused: keeps its problem and findings (a confirmation stands only while they do). */
    refused(error: unknown): SendError {
      const sent = error instanceof SendError ? error : new SendError(problemFrom(0, null), null);
      setProblem(sent.problem);
      setScreening(sent.screening);
      if (!sent.screening) setConfirmed(false);
      setSaving(false);
      return sent;
    },
  };
}

export type ActionSave = ReturnType<typeof useActionSave>;

/** A field's label and its error from the refusal. */
export function fieldProps(save: ActionSave, labels: Record<string, string>, name: string) {
  const message = save.errors[name];
  return { label: labels[name], validationState: message ? ('error' as const) : undefined, validationMessage: message };
}

/** The top of an action form: the conflict with its reload, else the problem with the field errors
 * that belong to no field on the form. */
export function SaveProblem({ save, fields }: { save: ActionSave; fields: readonly string[] }) {
  const { problem, screening, errors } = save;
  if (problem?.type === CONFLICT) return <ConflictMessage detail={problem.detail} onReload={save.reload} />;
  if (!problem || screening) return null;
  return <ProblemMessage problem={{ ...problem, errors: unplaced(errors, fields).map(([f, m]) => ({ field: f, message: m })) }} />;
}

/** The end of an action form: screening's warning, what a reload did (a status region), save and cancel. */
export function SaveEnd({
  save,
  labels,
  saveText,
  onCancel,
}: {
  save: ActionSave;
  labels: Record<string, string>;
  saveText: string;
  onCancel: () => void;
}) {
  const styles = useFormStyles();
  return (
    <>
      {save.screening ? (
        <ScreeningWarning screening={save.screening} labels={labels} confirmed={save.confirmed} onConfirm={save.setConfirmed} />
      ) : null}
      <div role="status">
        {save.reloaded === 'loading' ? 'Reloading the action…' : null}
        {save.reloaded === 'done' ? 'Reloaded: the form now starts from the newest change, and what you typed is kept.' : null}
      </div>
      <div className={styles.actions}>
        <Button type="submit" appearance="primary" disabledFocusable={save.busy}>
          {save.saving ? 'Saving…' : saveText}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </>
  );
}
