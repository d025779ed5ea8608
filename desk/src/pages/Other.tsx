/** Pages with little in them: not found, and the place the edit button leads until editing lands. */
import { Body1 } from '@fluentui/react-components';
import { Link, paths, usePageTitle } from '../router';
import { PageHeading } from './Heading';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <Body1 as="p">
        There is no desk page at this address. Go to the <Link href={paths.home()}>desk&apos;s home</Link> or the{' '}
        <Link href={paths.register()}>register</Link>.
      </Body1>
    </>
  );
}

export function UpdatePlaceholderPage({ actionRef }: { actionRef: string }) {
  usePageTitle(`Update ${actionRef}`);
  return (
    <>
      <PageHeading>Update {actionRef}</PageHeading>
      <Body1 as="p">
        Updating an action from the desk comes with the desk&apos;s next part. Until then, post the update from
        the update card in the bot&apos;s chat.
      </Body1>
      <Body1 as="p">
        <Link href={paths.action(actionRef)}>Back to {actionRef}</Link>
      </Body1>
    </>
  );
}
