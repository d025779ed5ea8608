/**
 * Add an action, or edit an action's facts: its text, group, priority, source, lead, lead agency
 * and due date (and a new action's reference: left empty, it takes the next in the register's
 * series). Admins add and edit anywhere; a chair in the groups she chairs (the server decides and
 * offers only those groups). The text is screened as the chat screens an update; an edit over a
 * newer change is refused, with a reload that keeps what was typed.
 */
import { Body1, Field, Input, Select, Textarea } from '@fluentui/react-components';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { apiChange, type FactChoices, type FactValues, type FactsForm } from '../actionsApi';
import { apiGet, type ActionDetail, type CodeName } from '../api';
import { reportedProblem, useDesk } from '../desk';
import type { Problem } from '../problem';
import { Link, navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage } from '../ui';
import { factsBody } from '../actionForms';
import { SaveEnd, SaveProblem, fieldProps, useActionSave, useFormStyles } from './ActionForms';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

export const FACT_LABELS: Record<string, string> = {
  reference: 'Reference',
  text: 'Action',
  group: 'Group',
  priority: 'Priority',
  source: 'Source',
  lead: 'Lead',
  agency: 'Lead agency',
  due: 'Due date',
};
const FIELDS = Object.keys(FACT_LABELS);
const EMPTY: FactValues = { text: '', group: '', priority: '', source: '', lead: '', agency: '', due: '' };

/** The options of a choice, keeping the stored one when it is no longer offered (a retired code). */
function options(list: CodeName[], stored: string): CodeName[] {
  return stored && !list.some((item) => item.code === stored) ? [{ code: stored, name: stored }, ...list] : list;
}

interface Loaded {
  choices?: FactChoices;
  form?: FactsForm | null;
  problem?: Problem;
}

export function ActionFactsPage({ actionRef }: { actionRef?: string }) {
  const { host, sessionProblem } = useDesk();
  const styles = useFormStyles();
  const layout = usePageStyles();
  const title = actionRef ? `Edit ${actionRef}` : 'New action';
  usePageTitle(title);
  const saving = useActionSave();
  const { reloads, arrived } = saving;
  const [loaded, setLoaded] = useState<Loaded>({});
  const [values, setValues] = useState<(FactValues & { reference: string }) | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const form = actionRef
      ? apiGet<FactsForm>(host, `/action-facts/${encodeURIComponent(actionRef)}`, controller.signal)
      : Promise.resolve(null);
    Promise.all([apiGet<FactChoices>(host, '/action-facts/choices', controller.signal), form]).then(
      ([choices, found]) => {
        setLoaded({ choices, form: found });
        arrived();
        setValues((typed) => typed ?? { ...(found ? found.values : EMPTY), reference: '' });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setLoaded({ problem: reportedProblem(error, sessionProblem) });
      },
    );
    return () => controller.abort();
  }, [host, sessionProblem, actionRef, reloads, arrived]);

  const back = actionRef ? paths.action(actionRef) : paths.register();
  const backText = actionRef ? `Back to ${actionRef}` : 'Back to the register';
  // Every state of the page keeps the same link and heading first, so the heading focused on
  // arrival stays the same element (and keeps focus) when the form arrives.
  const frame = (content: ReactNode) => (
    <>
      <Link className={layout.back} href={back}>
        {backText}
      </Link>
      <PageHeading>{title}</PageHeading>
      {content}
    </>
  );
  if (loaded.problem) return frame(<ProblemMessage problem={loaded.problem} />);
  const { choices, form } = loaded;
  if (!choices || !values) return frame(<Loading what="the form" />);
  if (form && !form.can_edit) {
    return frame(
      <Body1 as="p" block>
        Only the business team and the group&apos;s chair change this action&apos;s facts.
      </Body1>,
    );
  }

  const set = (name: keyof FactValues | 'reference', value: string) =>
    setValues((current) => (current ? { ...current, [name]: value } : current));

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!values || !choices || saving.busy) return;
    const body = factsBody(values, form ? form.values : null);
    if (form) body.version = form.version;
    saving.begin(body);
    const path = form ? `/action-facts/${encodeURIComponent(form.ref)}` : '/action-facts';
    try {
      const page = await apiChange<ActionDetail>(host, form ? 'PATCH' : 'POST', path, body);
      navigate(paths.action(page.action.ref));
    } catch (error) {
      reportedProblem(saving.refused(error), sessionProblem);
    }
  }

  const field = (name: string) => fieldProps(saving, FACT_LABELS, name);

  function choice(name: 'group' | 'priority' | 'source' | 'agency', list: CodeName[], empty: string) {
    const stored = form ? form.values[name] : '';
    return (
      <Field {...field(name)} required={name !== 'agency'}>
        <Select className={layout.select} value={values![name]} onChange={(_, d) => set(name, d.value)}>
          <option value="">{empty}</option>
          {options(list, stored).map((item) => (
            <option key={item.code} value={item.code}>
              {item.name}
            </option>
          ))}
        </Select>
      </Field>
    );
  }

  return frame(
    <>
      <form className={styles.form} onSubmit={save} noValidate aria-label={title}>
        <SaveProblem save={saving} fields={FIELDS} />
        {form ? null : (
          <Field {...field('reference')} hint={`Leave empty for ${choices.next_reference}, the next in the register.`}>
            <Input value={values.reference} onChange={(_, d) => set('reference', d.value)} maxLength={16} />
          </Field>
        )}
        <Field {...field('text')} required hint="A sentence or two; no personal details.">
          <Textarea value={values.text} onChange={(_, d) => set('text', d.value)} resize="vertical" rows={3} />
        </Field>
        <div className={styles.row}>
          {choice('group', choices.groups, 'Choose a group')}
          {choice('priority', choices.priorities, 'Choose a priority')}
          {choice('source', choices.sources, 'Choose a source')}
          <Field {...field('lead')}>
            <Select className={layout.select} value={values.lead} onChange={(_, d) => set('lead', d.value)}>
              <option value="">No lead yet</option>
              {options(
                choices.people.map((p) => ({ code: p.id, name: p.name })),
                form ? form.values.lead : '',
              ).map((item) => (
                <option key={item.code} value={item.code}>
                  {item.name}
                </option>
              ))}
            </Select>
          </Field>
          {choice('agency', choices.agencies, "The lead's agency")}
          <Field {...field('due')} required>
            <Input type="date" value={values.due} onChange={(_, d) => set('due', d.value)} />
          </Field>
        </div>
        <SaveEnd save={saving} labels={FACT_LABELS} saveText={form ? 'Save changes' : 'Add the action'} onCancel={() => navigate(back)} />
      </form>
    </>
  );
}
