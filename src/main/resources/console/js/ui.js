// Shared pieces of every view: forms whose fields show the API's own validation errors,
// confirmations, secrets shown once, tables, cursor paging.

import { ApiError, get } from './api.js';
import { announce, append, clear, h, nextId } from './dom.js';

// ---- notices --------------------------------------------------------------------------

/** A message in the page: 'error' ones are alerts (read out at once), others plain notes. */
export function notice(text, kind = 'info') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}

/** What to show for a failed call: the API's message, or a plain one for an outage. */
export function failure(error) {
  if (error instanceof ApiError) {
    if (error.status === 0 || error.status >= 500) {
      return notice(`The gateway could not do this right now (${error.message}). Try again in a moment.`, 'error');
    }
    if (error.status === 403) {
      return notice(`Not allowed with this API key: ${error.message}`, 'error');
    }
    return notice(error.message, 'error');
  }
  return notice('Something went wrong in the console: ' + (error && error.message ? error.message : String(error)), 'error');
}

/** A detail page's resource; null once its heading and why it could not be read are on the page. */
export async function detailOrFailure(main, heading, path) {
  try {
    return await get(path);
  } catch (error) {
    main.append(h('h1', null, heading), failure(error));
    return null;
  }
}

// ---- forms ----------------------------------------------------------------------------

/**
 * A field of a form. `spec`: {name (the API's field), label, type: text|int|select|list|
 * datetime|checkbox|checks|password, value, options: [[value, label]], hint, emptyAs:
 * 'empty' (an empty list field is [] rather than null), autocomplete}.
 */
function buildField(spec) {
  const id = nextId('f-' + spec.name);
  const errorId = id + '-error';
  const hintId = spec.hint ? id + '-hint' : null;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  let input;
  let row;
  if (spec.type === 'checks') {
    const boxes = spec.options.map(([value, label]) => h('input', {
      type: 'checkbox', name: spec.name, value, id: nextId('c'), checked: (spec.value || []).includes(value),
    }));
    input = h('fieldset', { class: 'checks', 'aria-describedby': describedBy },
      h('legend', null, spec.label),
      boxes.map((box, i) => h('label', { class: 'check', for: box.id }, box, ' ', spec.options[i][1])));
    row = h('div', { class: 'field' }, input, hintId && h('p', { class: 'hint', id: hintId }, spec.hint), error);
    return { spec, row, input, error, boxes, read: () => boxes.filter((b) => b.checked).map((b) => b.value) };
  }
  if (spec.type === 'select') {
    input = h('select', { id, name: spec.name, 'aria-describedby': describedBy },
      spec.options.map(([value, label]) => h('option', { value, selected: String(spec.value ?? '') === value }, label)));
  } else if (spec.type === 'checkbox') {
    input = h('input', { id, name: spec.name, type: 'checkbox', checked: !!spec.value, 'aria-describedby': describedBy });
    row = h('div', { class: 'field check-field' }, h('label', { class: 'check', for: id }, input, ' ', spec.label),
      hintId && h('p', { class: 'hint', id: hintId }, spec.hint), error);
    return { spec, row, input, error, read: () => input.checked };
  } else {
    const type = { int: 'text', datetime: 'datetime-local', password: 'password' }[spec.type] || 'text';
    input = h('input', {
      id, name: spec.name, type, 'aria-describedby': describedBy,
      value: toInput(spec), autocomplete: spec.autocomplete || 'off', spellcheck: 'false',
      inputmode: spec.type === 'int' ? 'numeric' : null, step: spec.type === 'datetime' ? '1' : null,
      placeholder: spec.placeholder || null,
    });
  }
  row = h('div', { class: 'field' }, h('label', { for: id }, spec.label),
    hintId && h('p', { class: 'hint', id: hintId }, spec.hint), input, error);
  return { spec, row, input, error, read: () => fromInput(spec, input.value) };
}

function toInput(spec) {
  const v = spec.value;
  if (v === null || v === undefined) {
    return '';
  }
  if (spec.type === 'list') {
    return v.join(', ');
  }
  if (spec.type === 'datetime') {
    return String(v).replace(/Z$/, '');
  }
  return String(v);
}

/** The field's value as the API takes it; numbers that are not numbers go as typed, for the API to judge. */
function fromInput(spec, raw) {
  const text = raw.trim();
  if (text === '') {
    return spec.type === 'list' && spec.emptyAs === 'empty' ? [] : null;
  }
  switch (spec.type) {
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'datetime':
      // The input shows UTC (its label says so): YYYY-MM-DDTHH:MM[:SS] → RFC 3339 with Z.
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text) ? text + ':00Z' : text + 'Z';
    default:
      return text;
  }
}

/**
 * A form posting to the API. `fields`: specs (see buildField). `submit(body)` returns the
 * call's promise; `done(result)` runs after a success. With `changesOnly` (PATCH forms) the
 * body holds only fields whose value differs from the one shown at first.
 * The API's `details` land beside their fields; anything else above the submit button.
 */
export function apiForm({ label, fields, submitLabel, submit, done, changesOnly = false, extraButtons = [] }) {
  const built = fields.map(buildField);
  const initial = new Map(built.map((f) => [f.spec.name, JSON.stringify(f.read())]));
  const formError = h('div', { class: 'form-error' });
  const button = h('button', { type: 'submit' }, submitLabel);
  const form = h('form', { novalidate: true, 'aria-label': label, class: 'api-form' },
    built.map((f) => f.row), formError, h('div', { class: 'actions' }, button, extraButtons));

  function clearErrors() {
    clear(formError);
    for (const f of built) {
      f.error.hidden = true;
      f.error.textContent = '';
      f.input.removeAttribute('aria-invalid');
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const body = {};
    for (const f of built) {
      const value = f.read();
      if (changesOnly && JSON.stringify(value) === initial.get(f.spec.name)) {
        continue;
      }
      // Creating, an empty field is left out (the API's default applies); editing, it clears.
      if (value === null && !changesOnly) {
        continue;
      }
      body[f.spec.name] = value;
    }
    if (changesOnly && Object.keys(body).length === 0) {
      formError.append(notice('Nothing to save: no field was changed.'));
      return;
    }
    button.disabled = true;
    try {
      const result = await submit(body);
      if (changesOnly) {
        for (const f of built) {
          initial.set(f.spec.name, JSON.stringify(f.read()));
        }
      }
      await done(result, body);
    } catch (error) {
      showErrors(error);
    } finally {
      button.disabled = false;
    }
  });

  function showErrors(error) {
    const byName = new Map(built.map((f) => [f.spec.name, f]));
    const unplaced = [];
    for (const detail of error instanceof ApiError ? error.details : []) {
      const f = byName.get(detail && detail.field);
      if (f) {
        f.error.hidden = false;
        append(f.error, [f.error.textContent ? ' ' : '', String(detail.message || 'is invalid')]);
        f.input.setAttribute('aria-invalid', 'true');
      } else {
        unplaced.push(detail && detail.field ? `${detail.field} ${detail.message}` : String(detail && detail.message));
      }
    }
    const firstBad = built.find((f) => !f.error.hidden);
    if (!firstBad || unplaced.length) {
      formError.append(unplaced.length ? notice(unplaced.join('; '), 'error') : failure(error));
    }
    if (firstBad) {
      (firstBad.boxes ? firstBad.boxes[0] : firstBad.input).focus();
      announce('The form has errors: ' + built.filter((f) => !f.error.hidden).map((f) => f.spec.label).join(', '));
    }
  }

  return { form, fields: Object.fromEntries(built.map((f) => [f.spec.name, f])), showErrors };
}

// ---- confirmation -----------------------------------------------------------------------

/**
 * Asks before an action: a modal dialog with the consequence spelled out. Resolves true when
 * the vendor presses the confirm button (named `confirmLabel`), false on Cancel or Escape.
 */
export function confirmAction({ title, message, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    const titleId = nextId('dlg-title');
    const textId = nextId('dlg-text');
    const opener = document.activeElement;
    let answered = false;
    const finish = (answer) => {
      if (answered) {
        return;
      }
      answered = true;
      dialog.close();
      dialog.remove();
      if (opener && opener.isConnected) {
        opener.focus();
      }
      resolve(answer);
    };
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => finish(false) }, 'Cancel');
    const confirm = h('button', { type: 'button', class: danger ? 'danger' : '', onclick: () => finish(true) }, confirmLabel);
    const dialog = h('dialog', { 'aria-labelledby': titleId, 'aria-describedby': textId, class: 'confirm' },
      h('h2', { id: titleId }, title),
      h('p', { id: textId }, message),
      h('div', { class: 'actions' }, cancel, confirm));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

// ---- secrets shown once -------------------------------------------------------------------

/**
 * Credentials the API shows this once: each with a copy button, under a warning that says
 * they cannot be shown again. `entries`: [[label, value]].
 */
export function secretPanel(title, entries, warning) {
  const headingId = nextId('secret');
  return h('section', { class: 'secret-panel', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title),
    h('p', { class: 'warning', role: 'alert' }, warning),
    entries.map(([label, value]) => {
      const id = nextId('secret-value');
      const field = h('input', { id, type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false' });
      const copy = h('button', {
        type: 'button', class: 'secondary',
        onclick: async () => {
          await copyText(field);
          announce(label + ' copied');
          copy.textContent = 'Copied';
          setTimeout(() => { copy.textContent = 'Copy'; }, 2000);
        },
        'aria-label': 'Copy ' + label,
      }, 'Copy');
      return h('div', { class: 'field secret-field' }, h('label', { for: id }, label), h('div', { class: 'inline' }, field, copy));
    }));
}

async function copyText(field) {
  try {
    await navigator.clipboard.writeText(field.value);
  } catch (e) {
    // No clipboard API (a page not served over HTTPS or loopback): select it for Ctrl-C.
    field.focus();
    field.select();
  }
}

// ---- tables and paging ---------------------------------------------------------------------

/**
 * A table of `rows`; `columns`: [[header, (row) => node or text]]. Wrapped in a region that
 * scrolls sideways on a narrow screen (and can be scrolled with the keyboard).
 */
export function table(caption, columns, rows, empty) {
  if (!rows.length) {
    return notice(empty);
  }
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption + ' table', tabindex: '0' },
    h('table', null,
      // The section's heading already says it on screen; the caption names the table for screen readers.
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, columns.map(([header]) => h('th', { scope: 'col' }, header)))),
      h('tbody', null, rows.map((row) => h('tr', null, columns.map(([, cell]) => h('td', null, cell(row))))))));
}

/**
 * Cursor paging over a list endpoint: `load(startingAfter)` resolves to `{data, has_more}`;
 * `render(page)` draws it. Previous pages are remembered as the cursors that led to them.
 */
export function pagedList(container, load, render, noun) {
  const cursors = [];
  let current = null;
  const prev = h('button', { type: 'button', class: 'secondary', onclick: () => go(cursors.pop() ?? null, false) }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary' }, 'Next page');
  const where = h('span', { class: 'page-number' });
  const body = h('div');
  const nav = h('div', { class: 'pager', role: 'group', 'aria-label': `Pages of ${noun}` }, prev, where, next);
  container.append(body, nav);
  let lastPage = null;

  next.addEventListener('click', () => {
    if (lastPage && lastPage.data.length) {
      cursors.push(current);
      go(lastPage.data[lastPage.data.length - 1].id, true);
    }
  });

  async function go(after, forward) {
    current = after;
    clear(body).append(h('p', { class: 'loading' }, 'Loading…'));
    try {
      lastPage = await load(after);
      clear(body).append(render(lastPage));
      prev.disabled = cursors.length === 0;
      next.disabled = !lastPage.has_more;
      where.textContent = `Page ${cursors.length + 1}`;
      nav.hidden = cursors.length === 0 && !lastPage.has_more;
      if (forward !== undefined) {
        announce(`Page ${cursors.length + 1} of ${noun}`);
      }
    } catch (error) {
      clear(body).append(failure(error));
    }
  }

  go(null);
  return { reload: () => go(current) };
}
