/**
 * Files: upload the business plan, the roster, reference data, or meetings and sessions; read the
 * dry run (every problem with its row and field, or what will be created, updated and left
 * alone); import; and download the register, a session's bookings or attendance, or an
 * announcement's recipients. Uploads are the business team's; the scrutineer sees the downloads.
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
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useId, useRef, useState, type FormEvent } from 'react';
import { useDesk } from '../desk';
import { downloadExport, type ExportWhat } from '../download';
import { checkUpload, importUpload, type FileOutcome, type ImportKind, type UploadOptions } from '../filesApi';
import { problemOf, type Problem } from '../problem';
import { usePageTitle } from '../router';
import { ProblemMessage } from '../ui';
import { PageHeading } from './Heading';

const KINDS: { value: ImportKind; text: string; accept: string }[] = [
  { value: 'plan', text: 'Business plan (actions)', accept: '.xlsx,.csv' },
  { value: 'roster', text: 'Roster (people, agencies, groups)', accept: '.xlsx,.csv' },
  { value: 'reference', text: 'Reference data (priorities, sources, courses)', accept: '.xlsx,.csv' },
  { value: 'calendar', text: 'Meetings and sessions', accept: '.ics,.csv' },
];

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '40rem' },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  section: { marginTop: tokens.spacingVerticalXXL },
  scroll: { overflowX: 'auto', maxWidth: '100%' },
  fileInput: { color: tokens.colorNeutralForeground1, maxWidth: '100%' },
  result: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, marginTop: tokens.spacingVerticalL },
});

function OutcomeView({ outcome }: { outcome: FileOutcome }) {
  const styles = useStyles();
  const title = outcome.dry_run
    ? outcome.ok
      ? `${outcome.file_name} is ready to import`
      : `${outcome.file_name} has ${outcome.problems.length} ${outcome.problems.length === 1 ? 'problem' : 'problems'}; nothing was imported`
    : outcome.ok
      ? `${outcome.file_name} is imported`
      : `${outcome.file_name} was not imported`;
  return (
    <div className={styles.result}>
      <MessageBar intent={outcome.ok ? 'success' : 'error'} layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{title}</MessageBarTitle>
          {outcome.ok && outcome.dry_run ? ' This was a dry run: nothing has changed yet.' : null}
          {!outcome.ok ? ' Fix these in the file and upload it again.' : null}
        </MessageBarBody>
      </MessageBar>
      {outcome.problems.length > 0 ? (
        <div className={styles.scroll} tabIndex={0} role="region" aria-label="Problems in the file">
          <Table aria-label="Problems, by row and field" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Sheet</TableHeaderCell>
                <TableHeaderCell>Row</TableHeaderCell>
                <TableHeaderCell>Field</TableHeaderCell>
                <TableHeaderCell>Problem</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {outcome.problems.map((problem, index) => (
                <TableRow key={index}>
                  <TableCell>{problem.sheet}</TableCell>
                  <TableCell>{problem.row === 0 ? 'whole file' : problem.row}</TableCell>
                  <TableCell>{problem.field || '—'}</TableCell>
                  <TableCell>{problem.message}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}
      {outcome.tallies.length > 0 ? (
        <div className={styles.scroll} tabIndex={0} role="region" aria-label="What the import does">
          <Table aria-label={outcome.dry_run ? 'What the import will do' : 'What the import did'} size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Records</TableHeaderCell>
                <TableHeaderCell>Created</TableHeaderCell>
                <TableHeaderCell>Updated</TableHeaderCell>
                <TableHeaderCell>Left alone</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {outcome.tallies.map((tally) => (
                <TableRow key={tally.what}>
                  <TableCell>{tally.what}</TableCell>
                  <TableCell>{tally.created}</TableCell>
                  <TableCell>{tally.updated}</TableCell>
                  <TableCell>{tally.unchanged}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}
      {outcome.notes.length > 0 ? (
        <ul aria-label="Also">
          {outcome.notes.map((note, index) => (
            <li key={index}>{note}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function UploadSection() {
  const styles = useStyles();
  const { host } = useDesk();
  const fileId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [kind, setKind] = useState<ImportKind>('plan');
  const [options, setOptions] = useState<UploadOptions>({ confirm_not_personal: false, deactivate_missing: false, sheet: '' });
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'checking' | 'importing' | null>(null);
  const [checked, setChecked] = useState<FileOutcome | null>(null);
  const [imported, setImported] = useState<FileOutcome | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fileError, setFileError] = useState('');

  const check = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setImported(null);
    setChecked(null);
    if (!file) {
      setFileError('Choose a file to check.');
      fileInput.current?.focus();
      return;
    }
    setFileError('');
    setBusy('checking');
    try {
      setChecked(await checkUpload(host, kind, file, options));
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(null);
    }
  };

  const runImport = async () => {
    if (!checked?.id) return;
    setProblem(null);
    setBusy('importing');
    try {
      setImported(await importUpload(host, checked.id));
      setChecked(null);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(null);
    }
  };

  const accept = KINDS.find((k) => k.value === kind)?.accept ?? '';
  return (
    <section aria-labelledby="upload-heading">
      <Text as="h2" id="upload-heading" size={500} weight="semibold" block>
        Upload a file
      </Text>
      <Body1 as="p">
        First the desk checks the file (a dry run) and lists every problem with its row and field, or what the import will
        create, update and leave alone. Nothing changes until you choose Import. The import is all or nothing.
      </Body1>
      <form className={styles.form} onSubmit={check} aria-label="Upload a file">
        <Field label="What the file holds">
          <Select value={kind} onChange={(_, data) => setKind(data.value as ImportKind)}>
            {KINDS.map((item) => (
              <option key={item.value} value={item.value}>
                {item.text}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label={{ children: 'File', htmlFor: fileId }}
          hint={kind === 'calendar' ? 'An iCalendar (.ics) or CSV file' : 'An Excel workbook (.xlsx) or CSV file'}
          validationMessage={fileError || undefined}
        >
          <input
            id={fileId}
            ref={fileInput}
            className={styles.fileInput}
            type="file"
            accept={accept}
            aria-invalid={fileError ? true : undefined}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setChecked(null);
              setImported(null);
              setFileError('');
            }}
          />
        </Field>
        {kind === 'reference' ? (
          <Field label="A CSV file is the sheet" hint="Not needed for a workbook with Priorities, Sources or Courses sheets">
            <Select value={options.sheet} onChange={(_, data) => setOptions({ ...options, sheet: data.value as UploadOptions['sheet'] })}>
              <option value="">(a workbook)</option>
              <option value="priorities">Priorities</option>
              <option value="sources">Sources</option>
              <option value="courses">Courses</option>
            </Select>
          </Field>
        ) : null}
        {kind === 'roster' ? (
          <Checkbox
            checked={options.deactivate_missing}
            onChange={(_, data) => setOptions({ ...options, deactivate_missing: data.checked === true })}
            label="People not in the file leave the roster"
          />
        ) : null}
        <Checkbox
          checked={options.confirm_not_personal}
          onChange={(_, data) => setOptions({ ...options, confirm_not_personal: data.checked === true })}
          label="What screening finds in the text is not personal data (recorded in the audit log)"
        />
        <div className={styles.row}>
          <Button type="submit" appearance="primary" disabled={busy !== null}>
            Check the file
          </Button>
          {busy === 'checking' ? <Spinner size="tiny" label="Checking…" /> : null}
        </div>
      </form>
      <div role="status" aria-live="polite">
        {problem ? <ProblemMessage problem={problem} /> : null}
        {checked ? <OutcomeView outcome={checked} /> : null}
        {imported ? <OutcomeView outcome={imported} /> : null}
      </div>
      {checked?.ok && checked.id ? (
        <div className={styles.row}>
          <Button appearance="primary" onClick={() => void runImport()} disabled={busy !== null}>
            Import {checked.file_name}
          </Button>
          {busy === 'importing' ? <Spinner size="tiny" label="Importing…" /> : null}
        </div>
      ) : null}
    </section>
  );
}

function DownloadButtons({ what, params, ready }: { what: ExportWhat; params: Record<string, string>; ready: boolean }) {
  const { host } = useDesk();
  const [problem, setProblem] = useState<Problem | null>(null);
  const get = async (format: 'xlsx' | 'csv') => {
    setProblem(null);
    try {
      await downloadExport(host, what, params, format);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };
  return (
    <>
      <Button disabled={!ready} onClick={() => void get('xlsx')}>
        Download {what} (Excel)
      </Button>
      <Button disabled={!ready} onClick={() => void get('csv')}>
        Download {what} (CSV)
      </Button>
      {problem ? <ProblemMessage problem={problem} /> : null}
    </>
  );
}

function DownloadSection({ lists }: { lists: boolean }) {
  const styles = useStyles();
  const [session, setSession] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const whole = (text: string) => /^[1-9][0-9]{0,9}$/.test(text.trim());
  return (
    <section aria-labelledby="downloads-heading" className={styles.section}>
      <Text as="h2" id="downloads-heading" size={500} weight="semibold" block>
        Downloads
      </Text>
      <Body1 as="p">Every download opens in Excel; text that a spreadsheet would run as a formula stays text.</Body1>
      <div className={styles.row}>
        <DownloadButtons what="register" params={{}} ready />
      </div>
      {lists ? (
        <>
          <div className={styles.row}>
            <Field label="Session number" hint="From the session's card, or python -m manage sessions">
              <Input inputMode="numeric" value={session} onChange={(_, data) => setSession(data.value)} />
            </Field>
            <DownloadButtons what="bookings" params={{ session: session.trim() }} ready={whole(session)} />
            <DownloadButtons what="attendance" params={{ session: session.trim() }} ready={whole(session)} />
          </div>
          <div className={styles.row}>
            <Field label="Announcement number">
              <Input inputMode="numeric" value={announcement} onChange={(_, data) => setAnnouncement(data.value)} />
            </Field>
            <DownloadButtons what="recipients" params={{ announcement: announcement.trim() }} ready={whole(announcement)} />
          </div>
        </>
      ) : null}
    </section>
  );
}

export function FilesPage() {
  const { me } = useDesk();
  usePageTitle('Files');
  return (
    <>
      <PageHeading>Files</PageHeading>
      {me.can.import_files && !me.is_scrutineer ? <UploadSection /> : null}
      <DownloadSection lists={me.is_admin || me.is_scrutineer} />
    </>
  );
}
