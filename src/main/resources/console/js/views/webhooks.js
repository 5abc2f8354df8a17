// Webhooks: endpoints (create, list, enable/disable, edit, rotate the secret, delete) and each
// endpoint's recent deliveries, filterable by state, with a retry button on those not delivered.
// The API: /webhooks… of the management API (docs/webhooks.md).

import { del, get, patch, post, query, seg } from '../api.js';
import { announce, append, clear, facts, h, link, nextId, orDash, when } from '../dom.js';
import { apiForm, confirmAction, detailOrFailure, failure, notice, pagedList, secretPanel, table } from '../ui.js';

/** The event types an endpoint may subscribe to (docs/webhooks.md). */
const EVENTS = [
  ['license.created', 'license.created — a license was created'],
  ['license.updated', 'license.updated — a license (or its IPs) changed'],
  ['license.suspended', 'license.suspended — suspended or made inactive'],
  ['license.reinstated', 'license.reinstated — active again'],
  ['license.revoked', 'license.revoked'],
  ['license.deleted', 'license.deleted'],
  ['license.expired', 'license.expired'],
  ['machine.activated', 'machine.activated — a slot taken'],
  ['machine.deactivated', 'machine.deactivated'],
  ['machine.released', 'machine.released — a slot freed by silence'],
  ['policy.updated', 'policy.updated'],
  ['product.updated', 'product.updated (also when its rules change)'],
  ['account.credits_low', 'account.credits_low — the credit balance runs low'],
  ['webhook.disabled', 'webhook.disabled — another endpoint was disabled'],
];

const STATES = [['', 'Every state'], ['pending', 'Pending'], ['delivered', 'Delivered'], ['failed', 'Failed']];

const SECRET_WARNING = 'Copy the signing secret now: it is shown this once and cannot be shown again. '
  + 'Your receiver needs it to verify each delivery’s webhook-signature.';

/** The events an endpoint receives, in words: the API lists every type for one that receives all. */
function eventsText(events) {
  return EVENTS.every(([name]) => events.includes(name)) ? 'All events' : events.join(', ');
}

/** No box checked means every event type: the API takes that as `events` left out (create) or null (edit). */
const eventsField = (value) => ({
  name: 'events', label: 'Events', type: 'checks', options: EVENTS, value,
  hint: 'Leave every box unchecked to receive every event type, including types added later.',
});

export default [{
  path: 'webhooks',
  nav: 'Webhooks',
  title: 'Webhooks',
  render(main, route) {
    const [, id] = route.parts;
    return id ? detail(main, id) : list(main);
  },
}];

function list(main) {
  main.append(h('h1', null, 'Webhooks'),
    h('p', null, 'The gateway posts each change (a license suspended, a machine activated…) to your endpoints, signed with the endpoint’s secret, and retries a failed delivery for 3 days.'));
  const created = h('div');
  const results = h('section', { 'aria-labelledby': 'hooks-list' }, h('h2', { id: 'hooks-list' }, 'Endpoints'));
  let listing = null;
  const { form, fields } = apiForm({
    label: 'New webhook',
    fields: [
      { name: 'url', label: 'URL', hint: 'https, on a public address: for example https://hooks.example.com/licenses' },
      eventsField([]),
    ],
    submitLabel: 'Create webhook',
    submit: (body) => {
      const { events, ...rest } = body;
      return post('/webhooks', events && events.length ? { ...rest, events } : rest);
    },
    done: (hook) => {
      fields.url.input.value = '';
      fields.events.boxes.forEach((b) => { b.checked = false; });
      created.replaceChildren(secretPanel('Webhook created', [['Signing secret', hook.secret]], SECRET_WARNING),
        h('p', null, link('#/webhooks/' + seg(hook.id), 'Open the webhook ' + hook.url)));
      announce('Webhook created');
      listing?.reload();
    },
  });
  main.append(h('section', { 'aria-labelledby': 'hooks-new' }, h('h2', { id: 'hooks-new' }, 'New webhook'), form, created),
    results);
  listing = pagedList(results,
    (after) => get('/webhooks' + query({ starting_after: after })),
    (page) => table('Webhooks', [
      ['URL', (w) => link('#/webhooks/' + seg(w.id), w.url, { class: 'mono wrap' })],
      ['Events', (w) => eventsText(w.events)],
      ['Status', (w) => h('span', { class: 'status ' + w.status }, w.status)],
      ['Created', (w) => when(w.created_at)],
    ], page.data, 'No webhooks yet.'),
    'webhooks');
}

async function detail(main, id) {
  let hook = await detailOrFailure(main, 'Webhook', '/webhooks/' + seg(id));
  if (!hook) {
    return;
  }
  const path = '/webhooks/' + seg(id);
  const heading = h('h1', null, 'Webhook ', h('span', { class: 'mono wrap' }, hook.url));
  const summary = h('div');
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Webhook actions' });
  const secretBox = h('div');
  const deliveriesBox = h('section', { 'aria-labelledby': 'hook-deliveries' }, h('h2', { id: 'hook-deliveries' }, 'Recent deliveries'));
  const editBox = h('section', { 'aria-labelledby': 'hook-edit' }, h('h2', { id: 'hook-edit' }, 'Edit'));
  main.append(h('p', null, link('#/webhooks', 'All webhooks')), heading, summary, actions, secretBox, deliveriesBox, editBox);

  function draw() {
    heading.replaceChildren('Webhook ', h('span', { class: 'mono wrap' }, hook.url));
    append(clear(summary), [
      facts([
        ['URL', h('code', { class: 'wrap' }, hook.url)],
        ['Status', h('span', { class: 'status ' + hook.status }, hook.status)],
        ['Events', eventsText(hook.events)],
        ['Environment', hook.environment],
        ['Created', when(hook.created_at)],
        ['Updated', when(hook.updated_at)],
        ['Webhook id', h('code', null, hook.id)],
      ], 'Webhook'),
      hook.status === 'disabled' && hook.disabled_reason
        ? notice('Disabled by the gateway: ' + hook.disabled_reason, 'error') : null]);
    append(clear(actions), [
      hook.status === 'enabled'
        ? h('button', { type: 'button', class: 'danger-outline', onclick: () => setStatus('disabled') }, 'Disable')
        : h('button', { type: 'button', onclick: () => setStatus('enabled') }, 'Enable'),
      h('button', { type: 'button', class: 'secondary', onclick: rotate }, 'Rotate secret'),
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete')]);
  }

  async function setStatus(status) {
    if (status === 'disabled' && !(await confirmAction({ title: 'Disable this webhook?',
      message: 'Nothing is sent to it while it is disabled, and events in between are not queued for it. You can enable it again.',
      confirmLabel: 'Disable webhook' }))) {
      return;
    }
    try {
      hook = await patch(path, { status });
      draw();
      drawEdit();
      announce(`Webhook ${hook.status}`);
      actions.querySelector('button')?.focus();
    } catch (error) {
      actions.append(failure(error));
    }
  }

  async function rotate() {
    if (!(await confirmAction({ title: 'Rotate the signing secret?',
      message: 'A new secret signs every delivery from now on; the current one keeps signing too for 24 hours, so update your receiver within that time.',
      confirmLabel: 'Rotate secret' }))) {
      return;
    }
    try {
      const rotated = await post(path + '/rotate-secret');
      const { secret, ...rest } = rotated;
      hook = rest;
      draw();
      secretBox.replaceChildren(secretPanel('New signing secret', [['Signing secret', secret]], SECRET_WARNING));
      announce('Signing secret rotated');
    } catch (error) {
      actions.append(failure(error));
    }
  }

  async function remove() {
    if (!(await confirmAction({ title: 'Delete this webhook?',
      message: `Nothing is sent to ${hook.url} any more, and its delivery history is deleted with it. This cannot be undone.`,
      confirmLabel: 'Delete webhook' }))) {
      return;
    }
    try {
      await del(path);
      announce('Webhook deleted');
      location.hash = '#/webhooks';
    } catch (error) {
      actions.append(failure(error));
    }
  }

  function drawEdit() {
    const { form } = apiForm({
      label: 'Edit webhook',
      fields: [
        { name: 'url', label: 'URL', value: hook.url, hint: 'https, on a public address.' },
        eventsField(eventsText(hook.events) === 'All events' ? [] : hook.events),
      ],
      submitLabel: 'Save webhook',
      changesOnly: true,
      submit: (body) => patch(path, 'events' in body && !body.events.length ? { ...body, events: null } : body),
      done: (saved) => {
        hook = saved;
        draw();
        announce('Webhook saved');
      },
    });
    editBox.replaceChildren(editBox.firstChild, form);
  }

  // ---- deliveries ---------------------------------------------------------------------------

  const stateId = nextId('delivery-state');
  const stateSelect = h('select', { id: stateId }, STATES.map(([value, label]) => h('option', { value }, label)));
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh deliveries');
  const listBox = h('div');
  deliveriesBox.append(
    h('div', { class: 'inline filter' }, h('label', { for: stateId }, 'Show deliveries'), stateSelect, refresh),
    listBox);
  let deliveries = null;

  function showDeliveries() {
    clear(listBox);
    deliveries = pagedList(listBox,
      (after) => get(path + '/deliveries' + query({ state: stateSelect.value, starting_after: after })),
      (page) => table('Deliveries', [
        ['Event', (d) => h('code', { class: 'wrap' }, d.event_id)],
        ['Type', (d) => d.type],
        ['State', (d) => h('span', { class: 'status ' + d.state }, d.state)],
        ['Attempts', (d) => String(d.attempts)],
        ['Last status', (d) => (d.last_status_code ? String(d.last_status_code) : orDash(d.last_error))],
        ['Last attempt', (d) => when(d.last_attempt_at)],
        ['Next attempt', (d) => when(d.next_attempt_at)],
        ['Actions', (d) => (d.state === 'delivered' ? '—' : h('button', {
          type: 'button', class: 'secondary', 'aria-label': `Retry delivery ${d.event_id}`,
          onclick: () => retry(d),
        }, 'Retry'))],
      ], page.data, stateSelect.value ? `No ${stateSelect.value} deliveries.` : 'No deliveries yet.'),
      'deliveries');
  }

  async function retry(d) {
    try {
      await post(path + '/deliveries/' + seg(d.id) + '/retry');
      announce(`Delivery ${d.event_id} is due again now`);
      deliveries.reload();
    } catch (error) {
      listBox.prepend(failure(error));
    }
  }

  stateSelect.addEventListener('change', () => {
    showDeliveries();
    announce(stateSelect.value ? `Showing ${stateSelect.value} deliveries` : 'Showing every delivery');
  });
  refresh.addEventListener('click', () => {
    deliveries.reload();
    announce('Deliveries refreshed');
  });

  draw();
  drawEdit();
  showDeliveries();
}
