/** The page's one h1: focusable by script so a navigation can move focus to it. */
import { Title1, makeStyles } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({ heading: { margin: '0 0 12px', ':focus': { outline: 'none' } } });

export function PageHeading({ children }: { children: ReactNode }) {
  return (
    <Title1 as="h1" tabIndex={-1} className={useStyles().heading}>
      {children}
    </Title1>
  );
}
