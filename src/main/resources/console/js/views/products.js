import { get, patch, post, query, seg } from '../api.js';
import { announce, facts, h, link, orDash, when } from '../dom.js';
import { apiForm, detailOrFailure, pagedList, secretPanel, table } from '../ui.js';
import { searchBar } from './common.js';

const STATUSES = [['active', 'Active'], ['archived', 'Archived'], ['disabled', 'Disabled']];

export default {
  path: 'products',
  nav: 'Products',
  title: 'Products',
  render(main, route) {
    const [, id] = route.parts;
    if (id === 'new') {
      return create(main);
    }
    return id ? detail(main, id) : list(main, route.params);
  },
};

function list(main, params) {
  main.append(
    h('h1', null, 'Products'),
    h('p', null, link('#/products/new', 'New product', { class: 'button' })),
    searchBar('products', 'Search products', [{ name: 'q', label: 'Search products by name', type: 'search' }], params));
  const results = h('section', { 'aria-label': 'Products found' });
  main.append(results);
  pagedList(results,
    (after) => get('/products' + query({ q: params.get('q'), starting_after: after })),
    (page) => table('Products', [
      ['Name', (p) => link('#/products/' + seg(p.id), p.name)],
      ['Status', (p) => h('span', { class: 'status ' + p.status }, p.status)],
      ['App id', (p) => h('code', null, p.app_id)],
      ['Daily validation limit', (p) => orDash(p.daily_validation_limit)],
      ['Created', (p) => when(p.created_at)],
    ], page.data, params.get('q') ? 'No product matches this search.' : 'No products yet.'),
    'products');
}

function create(main) {
  main.append(h('h1', null, 'New product'));
  const result = h('div');
  const { form } = apiForm({
    label: 'New product',
    fields: [
      { name: 'name', label: 'Name' },
      { name: 'daily_validation_limit', label: 'Daily validation limit', type: 'int',
        hint: 'Validations per UTC day across every dialect; leave empty for no limit.' },
    ],
    submitLabel: 'Create product',
    submit: (body) => post('/products', body),
    done: (product) => {
      form.hidden = true;
      result.append(
        secretPanel(`Product “${product.name}” created`, [
          ['App id', product.app_id],
          ['App secret', product.app_secret],
          ['Product key', product.product_key],
        ], 'Copy the app secret and the product key now: they are shown this once and cannot be shown again (only their digests are stored).'),
        h('p', null, link('#/products/' + seg(product.id), 'Open the product'), ' · ',
          link('#/policies/new' + query({ product_id: product.id }), 'Add a policy to it')));
      announce('Product created');
    },
  });
  main.append(form, result);
}

async function detail(main, id) {
  const product = await detailOrFailure(main, 'Product', '/products/' + seg(id));
  if (!product) {
    return;
  }
  const heading = h('h1', null, product.name);
  const summary = h('div');
  const draw = (p) => summary.replaceChildren(facts([
    ['Name', p.name],
    ['Status', h('span', { class: 'status ' + p.status }, p.status)],
    ['Environment', p.environment],
    ['App id', h('code', null, p.app_id)],
    ['Daily validation limit', orDash(p.daily_validation_limit)],
    ['Created', when(p.created_at)],
    ['Product id', h('code', null, p.id)],
  ], 'Product'));
  draw(product);
  const { form } = apiForm({
    label: 'Edit product',
    fields: [
      { name: 'name', label: 'Name', value: product.name },
      { name: 'status', label: 'Status', type: 'select', options: STATUSES, value: product.status,
        hint: 'Licenses of an archived or disabled product do not validate.' },
      { name: 'daily_validation_limit', label: 'Daily validation limit', type: 'int', value: product.daily_validation_limit,
        hint: 'Empty: no limit.' },
    ],
    submitLabel: 'Save product',
    changesOnly: true,
    submit: (body) => patch('/products/' + seg(id), body),
    done: (p) => {
      heading.textContent = p.name;
      draw(p);
      announce('Product saved');
    },
  });
  const q = query({ product_id: id });
  main.append(heading, summary,
    h('p', { class: 'links' }, link('#/policies' + q, 'Policies of this product'), ' · ',
      link('#/licenses' + q, 'Licenses of this product'), ' · ', link('#/rules' + q, 'Rules of this product')),
    h('h2', null, 'Edit'), form);
}
