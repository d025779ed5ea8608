import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CardView } from './CardView';

const card = {
  type: 'AdaptiveCard',
  body: [
    { type: 'TextBlock', text: 'Audit <b>dates</b>', size: 'Large', weight: 'Bolder' },
    { type: 'TextBlock', text: 'The **new toolkit** is _out_.\n- Read [it](https://example.org/t)\n- Bring figures\\!' },
    { type: 'FactSet', facts: [{ title: 'When', value: 'Tue 22 Dec' }] },
  ],
  actions: [
    { type: 'Action.Execute', title: 'Got it', verb: 'broadcast_ack' },
    { type: 'Action.OpenUrl', title: 'Book', url: 'https://example.org/book' },
  ],
};

describe('CardView', () => {
  const html = renderToStaticMarkup(createElement(CardView, { card, label: "The card" }));

  it('shows typed text as text, never as markup', () => {
    expect(html).toContain('Audit &lt;b&gt;dates&lt;/b&gt;');
    expect(html).not.toContain('<b>');
  });

  it("draws Teams' markdown subset: bold, italic, lists and https links", () => {
    expect(html).toContain('<strong>new toolkit</strong>');
    expect(html).toContain('<em>out</em>');
    expect(html).toMatch(/<ul[^>]*><li>Read <a href="https:\/\/example.org\/t"[^>]*>it<\/a><\/li><li>Bring figures!<\/li><\/ul>/);
  });

  it('keeps facts and the actions, links as links', () => {
    expect(html).toContain('When');
    expect(html).toContain('Got it');
    expect(html).toMatch(/<a[^>]*href="https:\/\/example.org\/book"[^>]*>Book<\/a>/);
  });
});
