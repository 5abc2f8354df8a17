import { ApiError, get, seg } from '../api.js';
import { facts, h, link, orDash } from '../dom.js';
import { failure, notice, table } from '../ui.js';

/** The account at a glance: GET /account and GET /usage. */
export default {
  path: 'overview',
  nav: 'Overview',
  title: 'Overview',
  async render(main) {
    main.append(h('h1', null, 'Overview'));
    const accountBox = h('section', { 'aria-labelledby': 'ov-account' }, h('h2', { id: 'ov-account' }, 'Account'));
    const usageBox = h('section', { 'aria-labelledby': 'ov-usage' }, h('h2', { id: 'ov-usage' }, 'Usage'));
    main.append(accountBox, usageBox);
    const [account, usage] = await Promise.allSettled([get('/account'), get('/usage')]);
    if (account.status === 'fulfilled') {
      const a = account.value;
      accountBox.append(facts([
        ['Name', a.name],
        ['Status', h('span', { class: 'status ' + a.status }, a.status)],
        ['Credits', a.credits === null ? 'Unlimited' : String(a.credits)],
        ['Account id', h('code', null, a.id)],
      ], 'Account'));
      if (a.status !== 'active') {
        accountBox.append(notice(`This account is ${a.status.replace('_', ' ')}: its licenses do not validate.`, 'error'));
      }
    } else {
      accountBox.append(failure(account.reason));
    }
    if (usage.status === 'fulfilled') {
      const u = usage.value;
      usageBox.append(facts([
        ['Products', String(u.products)],
        ['Licenses', String(u.licenses)],
        ['Active machines', String(u.active_machines)],
      ], 'Counts'));
      usageBox.append(h('h3', null, `Validations today (${u.day}, UTC)`));
      usageBox.append(table('Validations today per product', [
        ['Product', (p) => link('#/products/' + seg(p.product_id), p.name)],
        ['Status', (p) => p.status],
        ['Validations', (p) => p.validations_today === null ? 'Not counted' : String(p.validations_today)],
        ['Daily limit', (p) => orDash(p.daily_validation_limit)],
        ['Used', (p) => quota(p)],
      ], u.validations, 'No products yet.'));
      if (u.validations_has_more) {
        usageBox.append(notice('Only the 100 newest products are listed.'));
      }
      usageBox.append(h('p', { class: 'hint' },
        'Validations are counted only for products with a daily validation limit; refused ones past the limit count too.'));
    } else if (usage.reason instanceof ApiError && usage.reason.status === 403) {
      usageBox.append(notice('This API key cannot read products (products:read), so usage is not shown.'));
    } else {
      usageBox.append(failure(usage.reason));
    }
  },
};

function quota(p) {
  if (p.validations_today === null || !p.daily_validation_limit) {
    return '—';
  }
  const used = Math.min(p.validations_today, p.daily_validation_limit);
  const percent = Math.round((100 * p.validations_today) / p.daily_validation_limit);
  return h('span', { class: 'quota' },
    h('meter', { min: '0', max: String(p.daily_validation_limit), value: String(used),
      high: String(Math.ceil(p.daily_validation_limit * 0.8)), 'aria-label': `${p.name}: ${percent}% of the daily limit` }),
    ` ${percent}%`);
}
