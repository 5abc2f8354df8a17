import { del, get, patch, post, query, seg } from '../api.js';
import { announce, append, clear, facts, h, link, orDash, when } from '../dom.js';
import { apiForm, confirmAction, detailOrFailure, failure, notice, pagedList, table } from '../ui.js';
import { nameOf, policyChoices, productChoices, searchBar } from './common.js';

const STATUSES = [['active', 'Active'], ['inactive', 'Inactive'], ['suspended', 'Suspended'], ['revoked', 'Revoked']];

export default {
  path: 'licenses',
  nav: 'Licenses',
  title: 'Licenses',
  render(main, route) {
    const [, id] = route.parts;
    if (id === 'new') {
      return create(main, route.params);
    }
    return id ? detail(main, id) : list(main, route.params);
  },
};

const expired = (l) => l.expires_at && Date.parse(l.expires_at) < Date.now();

function statusText(l) {
  return expired(l) ? `${l.status}, expired` : l.status;
}

async function list(main, params) {
  main.append(h('h1', null, 'Licenses'), h('p', null, link('#/licenses/new', 'New license', { class: 'button' })));
  let products = [];
  try {
    products = await productChoices();
  } catch (error) {
    main.append(failure(error));
  }
  main.append(searchBar('licenses', 'Search licenses', [
    { name: 'q', label: 'Search licenses by key', type: 'search' },
    { name: 'status', label: 'Status', type: 'select', options: [['', 'Any status'], ...STATUSES] },
    { name: 'product_id', label: 'Product', type: 'select', options: [['', 'All products'], ...products.map((p) => [p.id, p.name])] },
  ], params));
  const results = h('section', { 'aria-label': 'Licenses found' });
  main.append(results);
  pagedList(results,
    (after) => get('/licenses' + query({ q: params.get('q'), status: params.get('status'),
      product_id: params.get('product_id'), starting_after: after })),
    (page) => table('Licenses', [
      ['Key', (l) => link('#/licenses/' + seg(l.id), l.key, { class: 'mono' })],
      ['Status', (l) => h('span', { class: 'status ' + l.status }, statusText(l))],
      ['Product', (l) => nameOf(products, l.product_id)],
      ['Expires', (l) => (l.expires_at ? when(l.expires_at) : 'Never')],
      ['Machines', (l) => `${l.machines_used} of ${l.max_machines}`],
      ['Created', (l) => when(l.created_at)],
    ], page.data, 'No licenses found.'),
    'licenses');
}

async function create(main, params) {
  main.append(h('h1', null, 'New license'));
  let policies;
  let products;
  try {
    [policies, products] = await Promise.all([policyChoices(params.get('product_id')), productChoices()]);
  } catch (error) {
    main.append(failure(error));
    return;
  }
  if (!policies.length) {
    main.append(notice('A license follows a policy: create a policy first.'), h('p', null, link('#/policies/new', 'New policy')));
    return;
  }
  const { form } = apiForm({
    label: 'New license',
    fields: [
      { name: 'policy_id', label: 'Policy', type: 'select', value: params.get('policy_id') || policies[0].id,
        options: policies.map((p) => [p.id, `${p.name} (${nameOf(products, p.product_id)})`]) },
      { name: 'key', label: 'License key', hint: 'Empty: generated. Else XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (A–Z, 0–9).', placeholder: 'Generated' },
      { name: 'expires_at', label: 'Expires at (UTC)', type: 'datetime', hint: 'Empty: from the policy’s duration (or never).' },
      { name: 'max_machines', label: 'Max machines', type: 'int', hint: 'Empty: the policy’s.' },
      { name: 'entitlements', label: 'Entitlements', type: 'list', hint: 'Comma-separated; empty: the policy’s.' },
      { name: 'status', label: 'Status', type: 'select', options: STATUSES, value: 'active' },
    ],
    submitLabel: 'Create license',
    submit: (body) => post('/licenses', body),
    done: (license) => {
      announce('License created');
      location.hash = '#/licenses/' + seg(license.id);
    },
  });
  main.append(form, h('p', { class: 'hint' }, 'Creating a license costs one credit when the account has a credit balance.'));
}

async function detail(main, id) {
  let license = await detailOrFailure(main, 'License', '/licenses/' + seg(id));
  if (!license) {
    return;
  }
  const heading = h('h1', null, 'License ', h('span', { class: 'mono' }, license.key));
  const summary = h('div');
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'License actions' });
  const machinesBox = h('section', { 'aria-labelledby': 'lic-machines' }, h('h2', { id: 'lic-machines' }, 'Machines'));
  const ipsBox = h('section', { 'aria-labelledby': 'lic-ips' }, h('h2', { id: 'lic-ips' }, 'IP addresses'));
  const editBox = h('section', { 'aria-labelledby': 'lic-edit' }, h('h2', { id: 'lic-edit' }, 'Edit'));
  main.append(heading, summary, actions, machinesBox, ipsBox, editBox);

  const refreshLicense = async () => {
    license = await get('/licenses/' + seg(id));
    draw();
  };

  function draw() {
    const l = license;
    // append() skips the nulls of absent parts (replaceChildren would print them).
    append(clear(summary), [
      facts([
        ['Status', h('span', { class: 'status ' + l.status }, l.status)],
        ['Expires', l.expires_at ? [when(l.expires_at), expired(l) ? ' (expired)' : ''] : 'Never'],
        ['Machines', `${l.machines_used} of ${l.max_machines} slots held`],
        ['Entitlements', l.entitlements.length ? h('ul', { class: 'tags' }, l.entitlements.map((e) => h('li', null, e))) : '—'],
        ['Product', link('#/products/' + seg(l.product_id), 'Open the product')],
        ['Policy', link('#/policies/' + seg(l.policy_id), 'Open the policy')],
        ['Environment', l.environment],
        ['Created', when(l.created_at)],
        ['Updated', when(l.updated_at)],
        ['License id', h('code', null, l.id)],
      ], 'License'),
      expired(l) ? notice('This license has expired: it does not validate whatever its status.', 'error') : null]);
    append(clear(actions), [
      l.status !== 'suspended' ? actionButton('Suspend', 'Suspend this license?',
        'Its machines stop validating until it is reinstated. Nothing is deleted.', 'Suspend license', { status: 'suspended' }) : null,
      l.status !== 'active' ? actionButton('Reinstate', 'Reinstate this license?',
        'It becomes active again: its machines validate (unless it has expired).', 'Reinstate license', { status: 'active' }, false) : null,
      l.status !== 'revoked' ? actionButton('Revoke', 'Revoke this license?',
        'Its machines stop validating for good, unless you reinstate it later.', 'Revoke license', { status: 'revoked' }) : null,
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete')]);
  }

  function actionButton(label, title, message, confirmLabel, body, danger = true) {
    return h('button', {
      type: 'button', class: danger ? 'danger-outline' : '',
      onclick: async () => {
        if (!(await confirmAction({ title, message, confirmLabel, danger }))) {
          return;
        }
        try {
          license = await patch('/licenses/' + seg(id), body);
          draw();
          drawEdit();
          announce(`License ${license.status}`);
          actions.querySelector('button')?.focus();
        } catch (error) {
          actions.append(failure(error));
        }
      },
    }, label);
  }

  async function remove() {
    const ok = await confirmAction({ title: 'Delete this license?',
      message: `The key ${license.key} will answer “not found” everywhere and cannot be used again. This cannot be undone.`,
      confirmLabel: 'Delete license' });
    if (!ok) {
      return;
    }
    try {
      await del('/licenses/' + seg(id));
      announce('License deleted');
      location.hash = '#/licenses';
    } catch (error) {
      actions.append(failure(error));
    }
  }

  draw();
  await Promise.all([drawMachines(), drawIps()]);
  drawEdit();

  async function drawMachines() {
    const box = h('div');
    machinesBox.replaceChildren(machinesBox.firstChild, box);
    let page;
    try {
      page = await get('/licenses/' + seg(id) + '/machines');
    } catch (error) {
      box.append(failure(error));
      return;
    }
    const label = (m) => m.name || m.hostname || m.machine_id.slice(0, 12);
    box.append(table('Machines', [
      ['Machine', (m) => [m.name ? h('div', null, m.name) : null, h('code', { class: 'wrap', title: m.machine_id }, m.machine_id)]],
      ['Platform', (m) => orDash(m.platform)],
      ['Hostname', (m) => orDash(m.hostname)],
      ['IP', (m) => orDash(m.ip)],
      ['Activated', (m) => when(m.activated_at)],
      ['Last heartbeat', (m) => when(m.last_heartbeat_at)],
      ['Slot', (m) => (m.holds_slot ? 'Holds its slot' : 'Released (silent too long)')],
      ['Actions', (m) => h('div', { class: 'row-actions' },
        h('button', {
          type: 'button', class: 'danger-outline', 'aria-label': `Deactivate machine ${label(m)}`,
          onclick: async () => {
            if (await confirmAction({ title: 'Deactivate this machine?',
              message: `Machine ${label(m)} loses its activation and frees its slot. The software on it must activate again.`,
              confirmLabel: 'Deactivate machine' })) {
              await run(() => del('/licenses/' + seg(id) + '/machines/' + seg(m.machine_id)), 'Machine deactivated', box);
            }
          },
        }, 'Deactivate'),
        m.ip ? h('button', {
          type: 'button', class: 'danger-outline', 'aria-label': `Block IP ${m.ip}`,
          onclick: () => blockIp(m.ip, box),
        }, 'Block IP') : null)],
    ], page.data, 'No machine is activated on this license.'));
    if (page.data.length) {
      box.append(h('div', { class: 'actions' }, h('button', {
        type: 'button', class: 'danger-outline',
        onclick: async () => {
          if (await confirmAction({ title: 'Deactivate every machine?',
            message: `All ${page.data.length} machines lose their activation and free their slots.`,
            confirmLabel: 'Deactivate all machines' })) {
            await run(() => del('/licenses/' + seg(id) + '/machines'), 'Every machine deactivated', box);
          }
        },
      }, 'Deactivate all machines')));
    }
  }

  async function blockIp(ip, where) {
    if (await confirmAction({ title: `Block IP ${ip}?`,
      message: `Requests for this license from ${ip} are refused until the IP is unblocked or removed.`,
      confirmLabel: 'Block IP' })) {
      await run(() => post('/licenses/' + seg(id) + '/ips', { ip, blocked: true }), `IP ${ip} blocked`, where);
    }
  }

  /** One action, then everything it may have changed drawn again. */
  async function run(action, done, where) {
    try {
      await action();
      announce(done);
      await Promise.all([refreshLicense(), drawMachines(), drawIps()]);
    } catch (error) {
      where.append(failure(error));
    }
  }

  async function drawIps() {
    const box = h('div');
    ipsBox.replaceChildren(ipsBox.firstChild, box);
    let page;
    try {
      page = await get('/licenses/' + seg(id) + '/ips');
    } catch (error) {
      box.append(failure(error));
      return;
    }
    box.append(table('IP addresses', [
      ['IP', (i) => h('code', null, i.ip)],
      ['State', (i) => (i.blocked ? 'Blocked' : 'Registered')],
      ['Added', (i) => when(i.created_at)],
      ['Actions', (i) => h('div', { class: 'row-actions' },
        i.blocked
          ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Unblock IP ${i.ip}`,
            onclick: () => run(() => post('/licenses/' + seg(id) + '/ips', { ip: i.ip, blocked: false }), `IP ${i.ip} unblocked`, box) }, 'Unblock')
          : h('button', { type: 'button', class: 'danger-outline', 'aria-label': `Block IP ${i.ip}`,
            onclick: () => blockIp(i.ip, box) }, 'Block'),
        h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove IP ${i.ip}`,
          onclick: async () => {
            if (await confirmAction({ title: `Remove IP ${i.ip}?`, message: 'It is no longer registered or blocked on this license.',
              confirmLabel: 'Remove IP' })) {
              await run(() => del('/licenses/' + seg(id) + '/ips/' + seg(i.ip)), `IP ${i.ip} removed`, box);
            }
          } }, 'Remove'))],
    ], page.data, 'No IP is registered or blocked on this license.'));
    const { form } = apiForm({
      label: 'Register an IP',
      fields: [
        { name: 'ip', label: 'IP address', hint: 'Registered IPs are the only ones allowed under an allow-list policy.' },
        { name: 'blocked', label: 'Block this IP instead of registering it', type: 'checkbox' },
      ],
      submitLabel: 'Add IP',
      submit: async (body) => {
        if (body.blocked && !(await confirmAction({ title: `Block IP ${body.ip}?`,
          message: `Requests for this license from ${body.ip} are refused until it is unblocked.`, confirmLabel: 'Block IP' }))) {
          return null;
        }
        return post('/licenses/' + seg(id) + '/ips', body);
      },
      done: async (entry) => {
        if (entry) {
          announce(`IP ${entry.ip} ${entry.blocked ? 'blocked' : 'registered'}`);
          await Promise.all([refreshLicense(), drawIps()]);
        }
      },
    });
    box.append(form);
  }

  function drawEdit() {
    const { form } = apiForm({
      label: 'Edit license',
      fields: [
        { name: 'status', label: 'Status', type: 'select', options: STATUSES, value: license.status },
        { name: 'expires_at', label: 'Expires at (UTC)', type: 'datetime', value: license.expires_at, hint: 'Empty: never expires.' },
        { name: 'max_machines', label: 'Max machines', type: 'int', value: license.max_machines, hint: 'Empty: the policy’s.' },
        { name: 'entitlements', label: 'Entitlements', type: 'list', value: license.entitlements,
          hint: 'Comma-separated; empty: the policy’s.' },
      ],
      submitLabel: 'Save license',
      changesOnly: true,
      submit: (body) => patch('/licenses/' + seg(id), body),
      done: async (l) => {
        license = l;
        draw();
        announce('License saved');
      },
    });
    editBox.replaceChildren(editBox.firstChild, form);
  }
}
