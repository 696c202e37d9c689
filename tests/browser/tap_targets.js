({minSize, exempt, sizeOnly}) => {
  // Every visible control a person can tap, and its target: the control's box, or for a checkbox or radio the box
  // of its label when the label covers it. Inline links inside running text are exempt (WCAG 2.5.5 "inline").
  // Labels of text fields and selects are not counted: the field itself is the target, and it is checked.
  // Targets inside `sizeOnly` (a map's markers) are measured but not checked for overlaps: where the map puts them
  // depends on the data, and a marker under a neighbour or a map control is the map's normal state.
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, label[for], [role=button], summary';

  const shown = el => {
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && r.width > 0 && r.height > 0 &&
      !el.closest('.visually-hidden, .visually-hidden-focusable:not(:focus-within), [aria-hidden=true]');
  };
  const inlineInText = el => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = el.closest('p, li, dd, td, blockquote, .form-text, .alert, label');
    return !!block && block.textContent.trim().length > el.textContent.trim().length;
  };
  const checkable = el => el.matches('input[type=radio], input[type=checkbox]');
  const labelOf = el => [...(el.labels || [])].find(label => {
    const a = label.getBoundingClientRect(), b = el.getBoundingClientRect();
    return a.left <= b.left + 1 && a.right >= b.right - 1 && a.top <= b.top + 1 && a.bottom >= b.bottom - 1;
  });
  const name = el => (el.getAttribute('aria-label') || el.textContent || el.value || el.name || el.id || '')
    .trim().replace(/\s+/g, ' ').slice(0, 40);
  const where = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const small = [], boxes = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el) || inlineInText(el) || (exempt && el.closest(exempt))) continue;
    if (el.tagName === 'LABEL') {
      const control = el.control;
      if (!control || !checkable(control)) continue;
    }
    const target = checkable(el) ? (labelOf(el) || el.closest('label') || el) : el;
    const r = target.getBoundingClientRect();
    if (r.width < minSize - 0.5 || r.height < minSize - 0.5) {
      small.push({control: where(el), name: name(el), width: Math.round(r.width * 10) / 10,
                  height: Math.round(r.height * 10) / 10});
    }
    if (sizeOnly && el.closest(sizeOnly)) continue;
    if (target === el || !boxes.some(b => b.target === target)) boxes.push({el, target, r});
  }
  // Spacing: two different targets may touch but not overlap (a tap meant for one would land on the other); one
  // inside the other (a box inside its label, a link inside a card) is one target.
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.target.contains(b.target) || b.target.contains(a.target)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 1.5 && h > 1.5) overlaps.push({first: where(a.el) + ' ' + name(a.el), second: where(b.el) + ' ' + name(b.el),
                                             width: Math.round(w), height: Math.round(h)});
    }
  }
  return {small, overlaps};
}
