import { del, get, post, seg, session } from '../api.js';
import { announce, h, when } from '../dom.js';
import { apiForm, confirmAction, failure, secretPanel, table } from '../ui.js';

const SCOPES = [
  ['products:read', 'products:read — read products and policies'],
  ['products:write', 'products:write — create and edit products and policies'],
  ['licenses:read', 'licenses:read — read licenses and their machines'],
  ['licenses:write', 'licenses:write — create, edit, suspend and delete licenses'],
  ['machines:write', 'machines:write — deactivate machines'],
  ['rules:write', 'rules:write — manage rules and license IPs'],
  ['keys:write', 'keys:write — manage API keys'],
  ['webhooks:read', 'webhooks:read — list webhooks and their deliveries'],
  ['webhooks:write', 'webhooks:write — create, change and delete webhooks, rotate secrets, retry deliveries'],
  ['licenses:validate', 'licenses:validate — validate licenses from a server (/v1)'],
];

/** API keys: GET, POST and DELETE /keys. */
export default {
  path: 'keys',
  nav: 'API keys',
  title: 'API keys',
  async render(main) {
    main.append(h('h1', null, 'API keys'));
    const env = session.environment();
    const created = h('div');
    const listBox = h('section', { 'aria-labelledby': 'keys-list' }, h('h2', { id: 'keys-list' }, 'Active keys'));
    const { form } = apiForm({
      label: 'New API key',
      fields: [
        { name: 'name', label: 'Name', hint: 'What the key is for, for example: billing server' },
        { name: 'scopes', label: 'Scopes', type: 'checks', options: SCOPES, value: [],
          hint: 'A key can grant only scopes the key you signed in with holds.' },
        { name: 'environment', label: 'Environment', type: 'select', value: env,
          options: env === 'test' ? [['test', 'Test']] : [['live', 'Live'], ['test', 'Test']] },
      ],
      submitLabel: 'Create API key',
      submit: (body) => post('/keys', { ...body, scopes: body.scopes || [] }),
      done: (key) => {
        created.replaceChildren(secretPanel(`API key “${key.name}” created`, [['API key', key.key]],
          'Copy the key now: it is shown this once and cannot be shown again (only its digest is stored).'));
        announce('API key created');
        draw();
      },
    });
    main.append(h('section', { 'aria-labelledby': 'keys-new' }, h('h2', { id: 'keys-new' }, 'New API key'), form, created), listBox);

    async function draw() {
      const box = h('div');
      listBox.replaceChildren(listBox.firstChild, box);
      let page;
      try {
        page = await get('/keys');
      } catch (error) {
        box.append(failure(error));
        return;
      }
      box.append(table('API keys', [
        ['Name', (k) => k.name],
        ['Key', (k) => h('code', null, k.hint)],
        ['Scopes', (k) => k.scopes.join(', ')],
        ['Environment', (k) => k.environment],
        ['Created', (k) => when(k.created_at)],
        ['Actions', (k) => h('button', {
          type: 'button', class: 'danger-outline', 'aria-label': `Revoke key ${k.name}`,
          onclick: async () => {
            if (await confirmAction({ title: `Revoke the key “${k.name}”?`,
              message: 'Every call made with it fails from now on, on every gateway instance. This cannot be undone.',
              confirmLabel: 'Revoke key' })) {
              try {
                await del('/keys/' + seg(k.id));
                announce(`Key ${k.name} revoked`);
                draw();
              } catch (error) {
                box.append(failure(error));
              }
            }
          },
        }, 'Revoke')],
      ], page.data, 'No active keys.'));
    }
    await draw();
  },
};
