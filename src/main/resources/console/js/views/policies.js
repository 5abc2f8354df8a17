import { get, patch, post, query, seg } from '../api.js';
import { announce, facts, h, link, when } from '../dom.js';
import { apiForm, detailOrFailure, failure, notice, pagedList, table } from '../ui.js';
import { nameOf, productChoices, searchBar } from './common.js';

const IP_MODES = [['open', 'Open: any IP'], ['allowlist', 'Allow-list: registered IPs only']];

export default {
  path: 'policies',
  nav: 'Policies',
  title: 'Policies',
  render(main, route) {
    const [, id] = route.parts;
    if (id === 'new') {
      return create(main, route.params);
    }
    return id ? detail(main, id) : list(main, route.params);
  },
};

function describe(p) {
  return [
    ['Max machines', String(p.max_machines)],
    ['Duration', p.duration_days === null ? 'Perpetual' : `${p.duration_days} days`],
    ['Heartbeat interval', p.heartbeat_interval_s === null ? 'None required' : `${p.heartbeat_interval_s} s`],
    ['Entitlements', p.entitlements.length ? p.entitlements.join(', ') : '—'],
    ['Max IPs', p.max_ips === null ? 'Unlimited' : String(p.max_ips)],
    ['IP mode', p.ip_mode],
  ];
}

/** Every field a policy takes besides its product; `p` pre-fills them (editing). */
function fields(p = {}) {
  return [
    { name: 'name', label: 'Name', value: p.name },
    { name: 'max_machines', label: 'Max machines', type: 'int', value: p.max_machines,
      hint: 'Machines a license may have active at once (at least 1).' },
    { name: 'duration_days', label: 'Duration (days)', type: 'int', value: p.duration_days,
      hint: 'Sets a new license’s expiry; empty: perpetual.' },
    { name: 'heartbeat_interval_s', label: 'Heartbeat interval (seconds)', type: 'int', value: p.heartbeat_interval_s,
      hint: 'Empty: no heartbeat required.' },
    { name: 'entitlements', label: 'Entitlements', type: 'list', value: p.entitlements, emptyAs: 'empty',
      hint: 'Comma-separated, for example: export, pro' },
    { name: 'max_ips', label: 'Max IPs', type: 'int', value: p.max_ips, hint: 'Empty: unlimited.' },
    { name: 'ip_mode', label: 'IP mode', type: 'select', options: IP_MODES, value: p.ip_mode || 'open' },
  ];
}

async function list(main, params) {
  main.append(h('h1', null, 'Policies'), h('p', null, link('#/policies/new' + query({ product_id: params.get('product_id') }),
    'New policy', { class: 'button' })));
  let products = [];
  try {
    products = await productChoices();
  } catch (error) {
    main.append(failure(error));
    return;
  }
  main.append(searchBar('policies', 'Search policies', [
    { name: 'q', label: 'Search policies by name', type: 'search' },
    { name: 'product_id', label: 'Product', type: 'select', options: [['', 'All products'], ...products.map((p) => [p.id, p.name])] },
  ], params));
  const results = h('section', { 'aria-label': 'Policies found' });
  main.append(results);
  pagedList(results,
    (after) => get('/policies' + query({ q: params.get('q'), product_id: params.get('product_id'), starting_after: after })),
    (page) => table('Policies', [
      ['Name', (p) => link('#/policies/' + seg(p.id), p.name)],
      ['Product', (p) => nameOf(products, p.product_id)],
      ['Max machines', (p) => String(p.max_machines)],
      ['Duration', (p) => (p.duration_days === null ? 'Perpetual' : `${p.duration_days} days`)],
      ['Heartbeat', (p) => (p.heartbeat_interval_s === null ? '—' : `${p.heartbeat_interval_s} s`)],
      ['Entitlements', (p) => (p.entitlements.length ? p.entitlements.join(', ') : '—')],
      ['IP mode', (p) => p.ip_mode],
    ], page.data, 'No policies found.'),
    'policies');
}

async function create(main, params) {
  main.append(h('h1', null, 'New policy'));
  let products;
  try {
    products = await productChoices();
  } catch (error) {
    main.append(failure(error));
    return;
  }
  if (!products.length) {
    main.append(notice('A policy belongs to a product: create a product first.'), h('p', null, link('#/products/new', 'New product')));
    return;
  }
  const { form } = apiForm({
    label: 'New policy',
    fields: [{ name: 'product_id', label: 'Product', type: 'select', value: params.get('product_id') || products[0].id,
      options: products.map((p) => [p.id, p.name]) }, ...fields()],
    submitLabel: 'Create policy',
    submit: (body) => post('/policies', body),
    done: (policy) => {
      announce('Policy created');
      location.hash = '#/policies/' + seg(policy.id);
    },
  });
  main.append(form);
}

async function detail(main, id) {
  const policy = await detailOrFailure(main, 'Policy', '/policies/' + seg(id));
  if (!policy) {
    return;
  }
  const heading = h('h1', null, 'Policy ', policy.name);
  const summary = h('div');
  const draw = (p) => summary.replaceChildren(facts([
    ['Name', p.name],
    ['Product', link('#/products/' + seg(p.product_id), 'Open the product')],
    ...describe(p),
    ['Created', when(p.created_at)],
    ['Policy id', h('code', null, p.id)],
  ], 'Policy'));
  draw(policy);
  const { form } = apiForm({
    label: 'Edit policy',
    fields: fields(policy),
    submitLabel: 'Save policy',
    changesOnly: true,
    submit: (body) => patch('/policies/' + seg(id), body),
    done: (p) => {
      heading.replaceChildren('Policy ', p.name);
      draw(p);
      announce('Policy saved');
    },
  });
  main.append(heading, summary,
    h('p', { class: 'links' }, link('#/licenses/new' + query({ policy_id: id }), 'New license with this policy')),
    h('h2', null, 'Edit'), form,
    h('p', { class: 'hint' }, 'Changes apply to the policy’s licenses at once; a license’s own overrides stay.'));
}
