({minPx, sample}) => {
  // The computed font size of every element that shows text of its own (a text node as a direct child), and of
  // the sampled elements (badges, small print) whatever they hold: those below minPx, and how many were sampled.
  const hidden = el => !!el.closest('.visually-hidden, script, style, [aria-hidden=true]');
  const measured = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (walker.currentNode.textContent.trim() && !hidden(el)) measured.add(el);
  }
  const sampled = [...document.querySelectorAll(sample)].filter(el => !hidden(el));
  sampled.forEach(el => measured.add(el));
  const small = [];
  for (const el of measured) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minPx - 0.05) {
      small.push({element: el.tagName.toLowerCase() +
                    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : ''),
                  text: el.textContent.trim().replace(/\s+/g, ' ').slice(0, 30), size});
    }
  }
  return {small, sampled: sampled.filter(el => el.getBoundingClientRect().height > 0).length};
}
