package e2e

import "testing"

// auditScript checks what a page must have for people using a screen
// reader or a keyboard, and returns one line per problem:
//   - the document has a language and a title, and exactly one h1;
//   - every form control a person fills in has an accessible name (a
//     label, aria-label, aria-labelledby or title);
//   - every visible link and button says what it does (text, aria-label,
//     title, or an image with alt text);
//   - every image has an alt attribute (empty for decoration);
//   - no id is used twice (labels and aria references name ids).
const auditScript = `(() => {
  const out = [];
  const visible = el => (el.offsetWidth || el.offsetHeight || el.getClientRects().length) && getComputedStyle(el).visibility !== 'hidden';
  const text = v => (v || '').trim() !== '';
  const named = el => text(el.getAttribute('aria-label')) || text(el.getAttribute('title')) ||
    (el.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => id && text(document.getElementById(id)?.textContent)) ||
    [...(el.labels || [])].some(l => text(l.textContent));
  const what = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') +
    (el.getAttribute('href') ? '[href=' + el.getAttribute('href').slice(0, 60) + ']' : '');
  if (!text(document.documentElement.lang)) out.push('the html element has no lang');
  if (!text(document.title)) out.push('the page has no title');
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) out.push(h1 + ' h1 elements, want 1');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes((el.getAttribute('type') || '').toLowerCase())) continue;
    if (!named(el)) out.push(what(el) + ' has no label');
  }
  for (const el of document.querySelectorAll('a[href], button, [role=button]')) {
    if (!visible(el)) continue;
    if (!text(el.textContent) && !named(el) && !el.querySelector('img[alt]:not([alt=""])')) out.push(what(el) + ' says nothing');
  }
  for (const el of document.querySelectorAll('img')) {
    if (!el.hasAttribute('alt')) out.push(what(el) + ' (' + el.getAttribute('src').slice(0, 40) + ') has no alt');
  }
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) out.push('id "' + id + '" is used ' + n + ' times');
  return out;
})()`

// Audit fails the test for each accessibility problem auditScript finds on
// the page; name says which page it is.
func (b *Browser) Audit(t testing.TB, name string) {
	t.Helper()
	var problems []string
	b.Eval(t, auditScript, &problems)
	for _, p := range problems {
		t.Errorf("accessibility, %s: %s", name, p)
	}
}
