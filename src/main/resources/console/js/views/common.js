// Pieces several views share: the search-and-filter bar of a list, product and policy pickers.

import { get, query } from '../api.js';
import { h, nextId } from '../dom.js';

/**
 * A list's search bar. Its values live in the route (`#/licenses?q=…&status=…`), so a search
 * can be bookmarked in the tab and Back returns to the previous one.
 * `fields`: [{name, label, type: 'search'|'select', options?: [[value, label]]}].
 */
export function searchBar(path, label, fields, params) {
  const inputs = fields.map((f) => {
    const id = nextId('s-' + f.name);
    const control = f.type === 'select'
      ? h('select', { id, name: f.name }, f.options.map(([value, text]) =>
        h('option', { value, selected: (params.get(f.name) || '') === value }, text)))
      : h('input', { id, name: f.name, type: 'search', value: params.get(f.name) || '', autocomplete: 'off', spellcheck: 'false' });
    return { f, control, row: h('div', { class: 'field' }, h('label', { for: id }, f.label), control) };
  });
  const form = h('form', { role: 'search', 'aria-label': label, class: 'search-bar' },
    inputs.map((i) => i.row), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Search')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = Object.fromEntries(inputs.map((i) => [i.f.name, i.control.value.trim()]));
    location.hash = '#/' + path + query(values);
  });
  return form;
}

/** Up to 100 of the account's products, newest first: for pickers and for naming products in tables. */
export async function productChoices() {
  const page = await get('/products' + query({ limit: 100 }));
  return page.data;
}

export async function policyChoices(productId) {
  const page = await get('/policies' + query({ limit: 100, product_id: productId }));
  return page.data;
}

export function nameOf(items, id) {
  const item = items.find((i) => i.id === id);
  return item ? item.name : id;
}
