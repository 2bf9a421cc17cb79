import { createHash } from 'node:crypto';
import { escapeHtml, hiddenInput, layout, PAGE_CSP, pageHeaders, STYLE } from './html';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['" onmouseover="alert(1)', '&quot; onmouseover=&quot;alert(1)'],
    ["' onfocus='x", '&#39; onfocus=&#39;x'],
    ['&lt;already&gt;', '&amp;lt;already&amp;gt;'],
    ['</title><img src=x onerror=alert(1)>', '&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ['plain text é 日本', 'plain text é 日本'],
    ['', ''],
  ])('escapes %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('leaves no character that can open a tag or close an attribute', () => {
    const hostile = `<>"'&`.repeat(50) + '\u0000<svg/onload=alert(1)>';
    expect(escapeHtml(hostile)).not.toMatch(/[<>"']/);
  });
});

describe('layout', () => {
  const page = layout('<Title>', '<p>body</p>');

  it('is a complete, mobile-ready page with an escaped title', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<title>&lt;Title&gt;</title>');
  });

  it('loads nothing external and runs no script', () => {
    expect(page).not.toMatch(/<script|<link|src=|https?:\/\//);
  });

  it('allows its inline style by hash in the CSP', () => {
    const hash = createHash('sha256').update(STYLE).digest('base64');
    expect(PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(PAGE_CSP).toContain("default-src 'none'");
    expect(PAGE_CSP).toContain("frame-ancestors 'none'");
    expect(PAGE_CSP).not.toContain('script-src');
    expect(page).toContain(`<style>${STYLE}</style>`);
  });

  it('sends headers that stop caching, framing and referrer leaks', () => {
    expect(pageHeaders()).toMatchObject({
      'Content-Security-Policy': PAGE_CSP,
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
  });
});

it('hiddenInput escapes name and value', () => {
  expect(hiddenInput('a"b', '"><x>')).toBe(
    '<input type="hidden" name="a&quot;b" value="&quot;&gt;&lt;x&gt;">',
  );
});
