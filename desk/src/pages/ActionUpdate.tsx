/**
 * Update an action from the desk: the chat's update card as a form (PATCH /actions/{ref}, the same
 * use case). A progress note always; status, the lead's RAG, slipping, a revised due date with its
 * reason, dropping with a reason, completion with the impact and its evidence. Errors show beside
 * their fields and what was typed stays; screening's findings are confirmed as on the card; a save
 * over someone else's newer change is refused and the page offers to reload the action.
 */
import {
  Body1,
  Checkbox,
  Field,
  Input,
  Select,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { apiChange } from '../actionsApi';
import { apiGet, type ActionDetail } from '../api';
import { reportedProblem, useDesk } from '../desk';
import type { Problem } from '../problem';
import { Link, navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage } from '../ui';
import { initialValues, updateBody, type UpdateValues } from '../actionForms';
import { SaveEnd, SaveProblem, fieldProps, useActionSave, useFormStyles } from './ActionForms';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

/** The card's labels (domain/action_updates.py FIELD_LABELS). */
export const UPDATE_LABELS: Record<string, string> = {
  status: 'Status',
  rag: 'Your RAG rating',
  slipping: 'Slipping behind plan',
  note: 'Progress note',
  revised_due: 'Revised due date',
  revised_reason: 'Reason for the new date',
  drop_reason: 'Reason for dropping',
  completed_on: 'Completed on',
  impact: 'Impact',
  evidence: 'Evidence of impact',
};
const FIELDS = Object.keys(UPDATE_LABELS);

const useStyles = makeStyles({ facts: { color: tokens.colorNeutralForeground2 } });

export function ActionUpdatePage({ actionRef }: { actionRef: string }) {
  const { host, sessionProblem } = useDesk();
  const form = useFormStyles();
  const layout = usePageStyles();
  const styles = useStyles();
  const saving = useActionSave();
  const { reloads, arrived } = saving;
  const [loaded, setLoaded] = useState<{ action?: ActionDetail; problem?: Problem }>({});
  const [values, setValues] = useState<UpdateValues | null>(null);
  usePageTitle(`Update ${actionRef}`);

  useEffect(() => {
    const controller = new AbortController();
    apiGet<ActionDetail>(host, `/actions/${encodeURIComponent(actionRef)}`, controller.signal).then(
      (action) => {
        setLoaded({ action });
        arrived();
        // A reload keeps what was typed and takes the action's newest facts and version.
        setValues((typed) => typed ?? initialValues(action.action));
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setLoaded({ problem: reportedProblem(error, sessionProblem) });
      },
    );
    return () => controller.abort();
  }, [host, sessionProblem, actionRef, reloads, arrived]);

  const set = useCallback(<K extends keyof UpdateValues>(name: K, value: UpdateValues[K]) => {
    setValues((current) => (current ? { ...current, [name]: value } : current));
  }, []);

  const action = loaded.action;
  // Every state of the page keeps the same link and heading first, so the heading focused on
  // arrival stays the same element (and keeps focus) when the action arrives.
  const frame = (content: ReactNode) => (
    <>
      <Link className={layout.back} href={paths.action(actionRef)}>
        Back to {actionRef}
      </Link>
      <PageHeading>Update {actionRef}</PageHeading>
      {content}
    </>
  );
  if (loaded.problem) return frame(<ProblemMessage problem={loaded.problem} />);
  if (!action || !values) return frame(<Loading what="the action" />);
  if (!action.can_update) {
    return frame(
      <Body1 as="p" block>
        You can read this action but not update it.
      </Body1>,
    );
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!action || !values || saving.busy) return;
    const body = saving.begin(updateBody(values, action.action));
    try {
      await apiChange<ActionDetail>(host, 'PATCH', `/actions/${encodeURIComponent(actionRef)}`, body);
      navigate(paths.action(actionRef));
    } catch (error) {
      saving.refused(error);
    }
  }

  const field = (name: keyof UpdateValues) => fieldProps(saving, UPDATE_LABELS, name);

  return frame(
    <>
      <Body1 as="p" block className={styles.facts}>
        {action.action.title}
      </Body1>
      <form className={form.form} onSubmit={save} noValidate aria-label={`Update ${actionRef}`}>
        <SaveProblem save={saving} fields={FIELDS} />
        <Field {...field('note')} required hint="What has happened since the last update.">
          <Textarea value={values.note} onChange={(_, d) => set('note', d.value)} resize="vertical" rows={4} />
        </Field>
        <div className={form.row}>
          <Field {...field('status')}>
            <Select className={layout.select} value={values.status} onChange={(_, d) => set('status', d.value)}>
              <option value="not_started">Not started</option>
              <option value="in_progress">In progress</option>
              <option value="complete">Complete</option>
              <option value="dropped">Dropped</option>
            </Select>
          </Field>
          <Field {...field('rag')}>
            <Select className={layout.select} value={values.rag} onChange={(_, d) => set('rag', d.value)}>
              <option value="">No rating</option>
              <option value="green">Green</option>
              <option value="amber">Amber</option>
              <option value="red">Red</option>
            </Select>
          </Field>
        </div>
        <Field validationState={saving.errors.slipping ? 'error' : undefined} validationMessage={saving.errors.slipping}>
          <Checkbox checked={values.slipping} onChange={(_, d) => set('slipping', d.checked === true)} label={UPDATE_LABELS.slipping} />
        </Field>
        {values.status === 'not_started' || values.status === 'in_progress' ? (
          <div className={form.row}>
            <Field {...field('revised_due')} hint="Leave as it is to keep the due date.">
              <Input type="date" value={values.revised_due} onChange={(_, d) => set('revised_due', d.value)} />
            </Field>
            <Field {...field('revised_reason')}>
              <Textarea value={values.revised_reason} onChange={(_, d) => set('revised_reason', d.value)} resize="vertical" />
            </Field>
          </div>
        ) : null}
        {values.status === 'dropped' ? (
          <Field {...field('drop_reason')} required>
            <Textarea value={values.drop_reason} onChange={(_, d) => set('drop_reason', d.value)} resize="vertical" />
          </Field>
        ) : null}
        {values.status === 'complete' ? (
          <>
            <div className={form.row}>
              <Field {...field('completed_on')} hint="Today when left empty.">
                <Input type="date" value={values.completed_on} onChange={(_, d) => set('completed_on', d.value)} />
              </Field>
              <Field {...field('impact')} required>
                <Select className={layout.select} value={values.impact} onChange={(_, d) => set('impact', d.value)}>
                  <option value="">Choose</option>
                  <option value="evidenced">Evidenced</option>
                  <option value="awaited">Awaited</option>
                  <option value="not_applicable">Not applicable</option>
                </Select>
              </Field>
            </div>
            <Field {...field('evidence')}>
              <Textarea value={values.evidence} onChange={(_, d) => set('evidence', d.value)} resize="vertical" />
            </Field>
          </>
        ) : null}
        <SaveEnd save={saving} labels={UPDATE_LABELS} saveText="Save update" onCancel={() => navigate(paths.action(actionRef))} />
      </form>
    </>
  );
}
