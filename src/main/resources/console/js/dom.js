// Building the page. Every piece of text, vendor-controlled or not, enters the document as a
// text node or an attribute value: nothing in the console parses a string as HTML
// (ConsoleAssetsTest fails on any use of the HTML-parsing DOM APIs).

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'tabIndex']);

/**
 * An element: `h('button', {type: 'button', onclick: fn, 'aria-label': 'Delete'}, 'Delete')`.
 * Children are nodes or values shown as text; null, undefined and false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      el.className = value;
    } else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (PROPERTIES.has(name)) {
      el[name] = value;
    } else if (name === 'href') {
      el.setAttribute('href', safeHref(value));
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Links stay inside the console (hash routes) or the gateway: never javascript: or elsewhere. */
function safeHref(value) {
  const href = String(value);
  return href.startsWith('#/') || href === '#main' || (href.startsWith('/') && !href.startsWith('//')) ? href : '#/';
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** A route link: `link('#/licenses/' + id, key)`, ids escaped. */
export function link(path, text, props = {}) {
  return h('a', { href: path, ...props }, text);
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** An API time (`2027-01-31T00:00:00Z`) as `2027-01-31 00:00:00 UTC`; a dash for none. */
export function when(ts) {
  return ts ? String(ts).replace('T', ' ').replace('Z', ' UTC') : '—';
}

export function orDash(value) {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

/** A definition list of [term, value] pairs; values are nodes or text. */
export function facts(pairs, label) {
  return h('dl', { class: 'facts', 'aria-label': label },
    pairs.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]));
}

const statusRegion = () => document.getElementById('status');

/** Says something to screen readers (and shows nothing): after an action that changed the page. */
export function announce(message) {
  const region = statusRegion();
  region.textContent = '';
  // A fresh text node, so the same message twice is announced twice.
  setTimeout(() => { region.textContent = message; }, 30);
}
