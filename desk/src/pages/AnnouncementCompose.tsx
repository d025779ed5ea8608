/**
 * Compose or edit a draft announcement: the chat's compose card as a form. The server checks it
 * (usecases.broadcasts.save_draft): problems appear beside their fields, and text that screening
 * questions is held until it is changed or confirmed as not personal data. What was typed is kept.
 */
import {
  Body1,
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState, type FormEvent } from 'react';
import { saveDraft, type Announcement, type Choice, type ComposeOptions, type Draft } from '../announcementsApi';
import { useApi, useDesk } from '../desk';
import { problemOf, type Problem } from '../problem';
import { navigate, paths, usePageTitle } from '../router';
import { Loading, ProblemMessage } from '../ui';
import { PageHeading } from './Heading';
import { usePageStyles } from './pageStyles';

const useStyles = makeStyles({
  form: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)', gap: tokens.spacingVerticalM, maxWidth: '44rem', minWidth: 0, overflowWrap: 'anywhere' },
  fieldset: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    margin: 0,
    minWidth: 0,
    display: 'grid',
    gap: tokens.spacingVerticalXS,
  },
  choices: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(min(14rem, 100%), 1fr))' },
  error: { color: tokens.colorPaletteRedForeground1, margin: 0 },
});

const EMPTY: Draft = {
  title: '',
  body: '',
  image_url: '',
  link_title: '',
  link_url: '',
  course: null,
  everyone: false,
  groups: [],
  agencies: [],
  champions: false,
  booked_on: [],
  ack_days: null,
  confirm_not_personal: false,
};

function draftOf(a: Announcement): Draft {
  return {
    title: a.title,
    body: a.body,
    image_url: a.image_url,
    link_title: a.link_title,
    link_url: a.link_url,
    course: a.course,
    everyone: a.audience.everyone,
    groups: a.audience.groups,
    agencies: a.audience.agencies,
    champions: a.audience.champions,
    booked_on: a.audience.booked_on,
    ack_days: a.ack_days,
    confirm_not_personal: false,
  };
}

function ChoiceList({ legend, choices, picked, onChange, error }: {
  legend: string;
  choices: Choice[];
  picked: number[];
  onChange(ids: number[]): void;
  error?: string;
}) {
  const styles = useStyles();
  if (choices.length === 0) return null;
  return (
    <fieldset className={styles.fieldset}>
      <legend>{legend}</legend>
      <div className={styles.choices}>
        {choices.map((choice) => (
          <Checkbox
            key={choice.id}
            label={choice.name}
            checked={picked.includes(choice.id)}
            onChange={(_, data) => onChange(data.checked ? [...picked, choice.id] : picked.filter((id) => id !== choice.id))}
          />
        ))}
      </div>
      {error ? <p className={styles.error}>{error}</p> : null}
    </fieldset>
  );
}

function ComposeForm({ options, initial, id }: { options: ComposeOptions; initial: Draft; id?: number }) {
  const styles = useStyles();
  const layout = usePageStyles();
  const { host } = useDesk();
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [held, setHeld] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const saved = await saveDraft(host, { ...draft, confirm_not_personal: held !== null && draft.confirm_not_personal }, id);
      navigate(paths.announcement(saved.id));
    } catch (error) {
      const found = problemOf(error);
      if (found.type.endsWith('/needs-confirmation')) {
        setHeld(found.detail ?? found.title);
        setErrors({});
      } else if (found.errors) {
        setErrors(Object.fromEntries(found.errors.map((e) => [e.field, e.message])));
        setHeld(null);
      } else setProblem(found);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label={id ? 'Edit announcement' : 'New announcement'}>
      {Object.keys(errors).length ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>Please check the fields marked below; nothing was saved yet.</MessageBarBody>
        </MessageBar>
      ) : null}
      {problem ? <ProblemMessage problem={problem} /> : null}
      <Field label="Title" required validationMessage={errors.title} hint="At most 120 characters">
        <Input value={draft.title} onChange={(_, d) => set('title', d.value)} />
      </Field>
      <Field label="Message" required validationMessage={errors.body} hint={options.markdown_help}>
        <Textarea value={draft.body} rows={8} resize="vertical" onChange={(_, d) => set('body', d.value)} />
      </Field>
      <Field label="Image address (optional, https)" validationMessage={errors.image_url}>
        <Input value={draft.image_url} onChange={(_, d) => set('image_url', d.value)} />
      </Field>
      <Field label="Link button label (optional)" validationMessage={errors.link_title}>
        <Input value={draft.link_title} onChange={(_, d) => set('link_title', d.value)} />
      </Field>
      <Field label="Link button address (https)" validationMessage={errors.link_url}>
        <Input value={draft.link_url} onChange={(_, d) => set('link_url', d.value)} />
      </Field>
      {options.courses.length ? (
        <Field label="Training course (optional)" validationMessage={errors.course}>
          <Select className={layout.select} select={{ className: layout.select }} value={draft.course === null ? '' : String(draft.course)} onChange={(_, d) => set('course', d.value ? Number(d.value) : null)}>
            <option value="">No course</option>
            {options.courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      <fieldset className={styles.fieldset}>
        <legend>Audience (anyone in any part receives one copy)</legend>
        <Checkbox label="Everyone" checked={draft.everyone} onChange={(_, d) => set('everyone', Boolean(d.checked))} />
        <Checkbox label="Neglect champions network" checked={draft.champions} onChange={(_, d) => set('champions', Boolean(d.checked))} />
        {errors.audience ? <p className={styles.error}>{errors.audience}</p> : null}
      </fieldset>
      <ChoiceList legend="Groups" choices={options.groups} picked={draft.groups} onChange={(ids) => set('groups', ids)} />
      <ChoiceList legend="Agencies" choices={options.agencies} picked={draft.agencies} onChange={(ids) => set('agencies', ids)} />
      <ChoiceList legend="People booked on a course" choices={options.courses} picked={draft.booked_on} onChange={(ids) => set('booked_on', ids)} />
      <Field
        label="Remind people to acknowledge after this many working days (optional)"
        validationMessage={errors.ack_days}
      >
        <Input
          type="number"
          min={0}
          max={20}
          value={draft.ack_days === null ? '' : String(draft.ack_days)}
          onChange={(_, d) => set('ack_days', d.value === '' || Number.isNaN(Number(d.value)) ? null : Number(d.value))}
        />
      </Field>
      {held !== null ? (
        <MessageBar intent="warning" layout="multiline" role="alert">
          <MessageBarBody>
            <MessageBarTitle>Check for personal details</MessageBarTitle> {held}
            <Checkbox
              label="I have checked: this is not personal data"
              checked={draft.confirm_not_personal}
              onChange={(_, d) => set('confirm_not_personal', Boolean(d.checked))}
            />
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={layout.buttons}>
        <Button appearance="primary" type="submit" disabled={busy}>
          Save draft
        </Button>
        <Button onClick={() => navigate(id ? paths.announcement(id) : paths.announcements())}>Cancel</Button>
      </div>
      <Body1 as="p">Sending hours: {options.sending_hours}. Nothing goes out until you send or schedule it.</Body1>
    </form>
  );
}

export function AnnouncementComposePage({ id }: { id?: number }) {
  usePageTitle(id ? 'Edit announcement' : 'New announcement');
  const options = useApi<ComposeOptions>('/announcements/options');
  const existing = useApi<Announcement>(id ? `/announcements/${id}` : '/announcements/options');
  const [initial, setInitial] = useState<Draft | null>(id ? null : EMPTY);
  useEffect(() => {
    if (id && existing.state === 'done') setInitial(draftOf(existing.data as Announcement));
  }, [id, existing]);
  const problem = options.state === 'problem' ? options.problem : id && existing.state === 'problem' ? existing.problem : null;
  return (
    <>
      <PageHeading>{id ? 'Edit announcement' : 'New announcement'}</PageHeading>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {!problem && (options.state === 'loading' || !initial) ? <Loading what="the form" /> : null}
      {options.state === 'done' && initial ? <ComposeForm options={options.data} initial={initial} id={id} /> : null}
    </>
  );
}
