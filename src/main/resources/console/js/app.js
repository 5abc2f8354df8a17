// The console: sign-in, navigation, and a hash router over the views. Each view module
// exports {path, title, nav?, render(main, route)}; adding a section is adding a module here.

import { ApiError, call, get, onUnauthorized, session } from './api.js';
import { announce, append, clear, h } from './dom.js';
import { apiForm, notice } from './ui.js';
import overview from './views/overview.js';
import products from './views/products.js';
import policies from './views/policies.js';
import licenses from './views/licenses.js';
import rules from './views/rules.js';
import keys from './views/keys.js';
import webhooks from './views/webhooks.js';

// Order of the navigation. Webhooks plug in through their own module (views/webhooks.js),
// which exports its section(s) as a list.
const SECTIONS = [overview, products, policies, licenses, rules, keys, ...webhooks];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const navList = document.getElementById('nav-list');
const badge = document.getElementById('env-badge');
const accountName = document.getElementById('account-name');
const signOutButton = document.getElementById('sign-out');

/** `#/licenses/ID?status=active` → {parts: ['licenses', 'ID'], params}. */
function currentRoute() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [path, search] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search || '') };
}

function setChrome(signedIn, account) {
  nav.hidden = !signedIn;
  signOutButton.hidden = !signedIn;
  badge.hidden = !signedIn;
  accountName.hidden = !signedIn || !account;
  if (signedIn) {
    const env = session.environment();
    badge.textContent = env === 'test' ? 'Test' : 'Live';
    badge.className = 'badge ' + env;
    badge.setAttribute('aria-label', env === 'test' ? 'Test environment' : 'Live environment');
    badge.title = env === 'test' ? 'Signed in with a test key: you see test data only' : 'Signed in with a live key';
    if (account) {
      accountName.textContent = account.name;
    }
  } else {
    accountName.textContent = '';
  }
}

function buildNav() {
  clear(navList).append(...SECTIONS.filter((s) => s.nav).map((s) =>
    h('li', null, h('a', { href: '#/' + s.path, 'data-section': s.path }, s.nav))));
}

function markNav(section) {
  for (const a of navList.querySelectorAll('a')) {
    if (a.dataset.section === section) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
}

let renderSeq = 0;

async function render() {
  const seq = ++renderSeq;
  if (!session.key()) {
    showSignIn();
    return;
  }
  const route = currentRoute();
  const section = SECTIONS.find((s) => s.path === (route.parts[0] || 'overview')) || overview;
  markNav(section.path);
  // Each render draws into a container of its own: one overtaken by a newer render (two route
  // changes in quick succession) goes on drawing into a detached one, never into the page.
  const view = h('div', { class: 'view' });
  clear(main).append(view);
  document.title = `${section.title} · License Gateway console`;
  try {
    await section.render(view, route);
  } catch (error) {
    if (seq === renderSeq) {
      view.append(notice(error && error.message ? error.message : String(error), 'error'));
    }
  }
  if (seq === renderSeq) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: false });
    }
  }
}

function showSignIn(message) {
  setChrome(false);
  clear(main);
  document.title = 'Sign in · License Gateway console';
  const { form, fields } = apiForm({
    label: 'Sign in',
    fields: [{
      name: 'api_key', label: 'API key', type: 'password', autocomplete: 'off',
      hint: 'Paste a management API key (lk_live_… or lk_test_…). It stays in this browser tab only and is forgotten when you sign out or close the tab.',
    }],
    submitLabel: 'Sign in',
    submit: async (body) => {
      const key = body.api_key || '';
      if (!session.looksLikeKey(key)) {
        throw new ApiError(400, { error: 'bad_request', message: 'That is not an API key.',
          details: [{ field: 'api_key', message: 'must start with lk_live_ or lk_test_ followed by 32 letters and digits' }] });
      }
      try {
        // Checked before it is kept: a key the gateway refuses never reaches sessionStorage.
        return { key, account: await call('GET', '/account', undefined, key) };
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          throw new ApiError(401, { error: error.code, message: error.message,
            details: [{ field: 'api_key', message: 'was refused by the gateway: ' + error.message }] });
        }
        throw error;
      }
    },
    done: ({ key, account }) => {
      fields.api_key.input.value = '';
      session.start(key);
      signedIn(account);
    },
  });
  append(main, [
    h('h1', null, 'Sign in to the console'),
    message ? notice(message, 'error') : null,
    h('p', null, 'The console manages products, policies, licenses and machines through the management API, with the API key you paste here.'),
    form]);
  fields.api_key.input.focus();
}

function signedIn(account) {
  setChrome(true, account);
  announce(`Signed in to ${account.name}, ${session.environment()} environment`);
  if (!location.hash.startsWith('#/')) {
    location.hash = '#/overview';
  } else {
    render();
  }
}

function signOut(message) {
  session.end();
  setChrome(false);
  history.replaceState(null, '', location.pathname);
  showSignIn(message);
  announce('Signed out');
}

async function boot() {
  buildNav();
  signOutButton.addEventListener('click', () => signOut());
  onUnauthorized(() => signOut('The gateway no longer accepts this API key (revoked, or the account was closed). Sign in with another key.'));
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/') || location.hash === '') {
      render();
    }
  });
  if (!session.key()) {
    showSignIn();
    return;
  }
  try {
    const account = await get('/account');
    setChrome(true, account);
    render();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      setChrome(true);
      render();
    }
  }
}

boot();
