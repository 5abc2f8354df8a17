// The console's one way to the gateway: the management API, same origin, with the API key
// the vendor pasted as a bearer token. The key lives in this tab's sessionStorage only: never
// in a cookie, a URL or a log line.

const PREFIX = '/api/v1/manage';
const STORAGE_KEY = 'lgw.console.apiKey';
const KEY_FORM = /^lk_(live|test)_[0-9A-Za-z]{32}$/;

export const session = {
  key() {
    return sessionStorage.getItem(STORAGE_KEY);
  },
  start(key) {
    sessionStorage.setItem(STORAGE_KEY, key);
  },
  end() {
    sessionStorage.removeItem(STORAGE_KEY);
  },
  /** 'live' or 'test', from the key's prefix (the gateway decides the same way). */
  environment(key = this.key()) {
    return key && key.startsWith('lk_test_') ? 'test' : 'live';
  },
  looksLikeKey(key) {
    return KEY_FORM.test(key);
  },
};

/** A refusal of the management API: its status, `error` code, message and field details. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && typeof body.message === 'string' && body.message) || `The gateway answered HTTP ${status}.`);
    this.status = status;
    this.code = body && typeof body.error === 'string' ? body.error : 'http_' + status;
    this.details = body && Array.isArray(body.details) ? body.details : [];
  }
}

let unauthorizedHandler = null;

/** Called when a signed-in call answers 401: the key was revoked, or the account closed. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/**
 * One management call. `body` undefined sends none. Resolves to the parsed JSON answer;
 * rejects with an ApiError (status 0 when the gateway could not be reached).
 */
export async function call(method, path, body, key = session.key()) {
  const headers = { Accept: 'application/json' };
  if (key) {
    headers.Authorization = 'Bearer ' + key;
  }
  const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(PREFIX + path, init);
  } catch (e) {
    throw new ApiError(0, { error: 'unreachable', message: 'The gateway could not be reached. Check your connection and try again.' });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && key === session.key() && unauthorizedHandler) {
      unauthorizedHandler(error);
    }
    throw error;
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body ?? {});
export const patch = (path, body) => call('PATCH', path, body);
export const del = (path) => call('DELETE', path);

/** `?a=1&b=2` from the non-empty values of `params` (an empty string when none). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      q.set(name, String(value));
    }
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** A path segment: ids and IPs go through here, never raw into a path. */
export const seg = (value) => encodeURIComponent(String(value));
