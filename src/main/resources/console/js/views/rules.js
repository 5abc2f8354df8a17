import { del, get, post, query, seg } from '../api.js';
import { announce, h, when } from '../dom.js';
import { apiForm, confirmAction, failure, notice, pagedList, table } from '../ui.js';
import { nameOf, productChoices, searchBar } from './common.js';

const KINDS = [
  ['block_hwid', 'Block a machine id'],
  ['allow_hwid', 'Allow a machine id (then only allowed ones may activate)'],
  ['block_ip', 'Block an IP or CIDR'],
  ['allow_ip', 'Allow an IP or CIDR (then only allowed ones may activate)'],
];
const kindName = (kind) => (KINDS.find(([k]) => k === kind) || [kind, kind])[1].replace(/ \(.*\)$/, '');

/** A product's HWID and IP lists: GET, POST and DELETE /rules. */
export default {
  path: 'rules',
  nav: 'Rules',
  title: 'Rules',
  async render(main, route) {
    const params = route.params;
    main.append(h('h1', null, 'Rules'),
      h('p', null, 'Per product: machine ids (SHA-256, 64 hex characters) and IPs to block or allow. With any allow rule of a kind, the product requires a match of that kind.'));
    let products;
    try {
      products = await productChoices();
    } catch (error) {
      main.append(failure(error));
      return;
    }
    if (!products.length) {
      main.append(notice('Rules belong to a product: create a product first.'));
      return;
    }
    const createBox = h('section', { 'aria-labelledby': 'rule-new' }, h('h2', { id: 'rule-new' }, 'New rule'));
    const results = h('section', { 'aria-labelledby': 'rule-list' }, h('h2', { id: 'rule-list' }, 'Existing rules'));
    let listing = null;
    const { form } = apiForm({
      label: 'New rule',
      fields: [
        { name: 'product_id', label: 'Product', type: 'select', value: params.get('product_id') || products[0].id,
          options: products.map((p) => [p.id, p.name]) },
        { name: 'kind', label: 'Kind', type: 'select', options: KINDS, value: 'block_hwid' },
        { name: 'value', label: 'Value', hint: 'A machine id for machine rules; an IP or CIDR such as 203.0.113.0/24 for IP rules.' },
      ],
      submitLabel: 'Add rule',
      submit: (body) => post('/rules', body),
      done: (rule) => {
        announce(`Rule added: ${kindName(rule.kind)} ${rule.value}`);
        form.querySelector('input[name="value"]').value = '';
        listing?.reload();
      },
    });
    createBox.append(form);
    results.append(searchBar('rules', 'Filter rules', [
      { name: 'product_id', label: 'Product', type: 'select', options: [['', 'All products'], ...products.map((p) => [p.id, p.name])] },
    ], params));
    main.append(createBox, results);
    listing = pagedList(results,
      (after) => get('/rules' + query({ product_id: params.get('product_id'), starting_after: after })),
      (page) => table('Rules', [
        ['Kind', (r) => kindName(r.kind)],
        ['Value', (r) => h('code', { class: 'wrap' }, r.value)],
        ['Product', (r) => nameOf(products, r.product_id)],
        ['Created', (r) => when(r.created_at)],
        ['Actions', (r) => h('button', {
          type: 'button', class: 'danger-outline', 'aria-label': `Delete rule ${kindName(r.kind)} ${r.value}`,
          onclick: async () => {
            if (await confirmAction({ title: 'Delete this rule?', message: `${kindName(r.kind)}: ${r.value}. It stops applying at once.`,
              confirmLabel: 'Delete rule' })) {
              try {
                await del('/rules/' + seg(r.id));
                announce('Rule deleted');
                listing.reload();
              } catch (error) {
                results.append(failure(error));
              }
            }
          },
        }, 'Delete')],
      ], page.data, 'No rules.'),
      'rules');
  },
};
