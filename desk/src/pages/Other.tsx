/** Pages with little in them: not found. */
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
