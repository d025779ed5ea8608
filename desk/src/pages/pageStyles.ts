/**
 * The page layout the desk's pages share: the link back above a heading, paragraphs and sections,
 * a row of buttons, a list of facts (term and value, one column on a phone) and a select that fills
 * its field. Each page keeps in its own makeStyles only what is its own.
 */
import { makeStyles, tokens } from '@fluentui/react-components';

export const usePageStyles = makeStyles({
  back: { display: 'block', marginBottom: tokens.spacingVerticalS },
  paragraph: { display: 'block', margin: `${tokens.spacingVerticalS} 0` },
  section: { marginTop: tokens.spacingVerticalXL },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, margin: `${tokens.spacingVerticalS} 0` },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'minmax(8rem, max-content) 1fr',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    margin: 0,
    padding: tokens.spacingHorizontalL,
    '@media (max-width: 600px)': { gridTemplateColumns: '1fr' },
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
  // Grid and flex items would otherwise grow to their longest option.
  select: { minWidth: 0, width: '100%' },
});
