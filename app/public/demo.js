// The demo page of the authjwt reference app, in cookie mode, on the library's browser client
// (authjwt/client, served as /client.js): the access and refresh tokens sit in HttpOnly cookies this
// script never sees; the client sends the CSRF header, renews the cookies before they lapse (once for
// all tabs of this browser), and tells every tab at once when the session is over. Everything shown
// comes from the API, and it is always written with textContent, never as HTML: user agents are
// chosen by whoever logs in.

import { createAuthClient } from '/client.js';

const $ = (id) => document.getElementById(id);

const auth = createAuthClient({ mode: 'cookie' });

let loggedIn = false;
let socket; // the live connection, if any

// ---- talking to the API ------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `The server answered ${status}.`);
    this.status = status;
    this.code = body?.code;
  }
}

// The client adds the credentials, renews them when they lapse and waits out a 503's Retry-After.
async function api(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await auth.fetch(path, init);
  } catch {
    throw new ApiError(0, { code: 'network', message: 'The server cannot be reached. Is it running?' });
  }
  if (response.ok) return response.status === 204 ? undefined : response.json();
  throw new ApiError(response.status, await response.json().catch(() => undefined));
}

// ---- the live connection -----------------------------------------------------------------------

// The client's socket authenticates with the access cookie, moves onto each renewed cookie before
// the old one lapses, reconnects with back-off, and stops when the session is over.
function connectSocket() {
  socket?.close();
  socket = auth.socket('/ws', {
    onMessage(data) {
      const message = JSON.parse(data);
      if (message.type === 'hello') showSocket(true, message.username);
    },
    onStateChange(state) {
      if (state !== 'open') showSocket(false);
    },
  });
}

function showSocket(on, username) {
  $('socket').dataset.state = on ? 'on' : 'off';
  $('socket-text').textContent = on ? `Live connection: on (as ${username})` : 'Live connection: off';
}

// ---- the page's two states ---------------------------------------------------------------------

async function start() {
  const me = await api('GET', '/me');
  loggedIn = true;
  $('who').textContent = me.username;
  $('roles').textContent = `roles: ${me.roles.join(', ')}`;
  $('login-view').hidden = true;
  $('account-view').hidden = false;
  connectSocket();
  await loadSessions();
}

// Whether keyboard focus is in a part of the page about to be hidden. A button disabled while its
// action runs has already dropped the focus to <body>: that counts too.
function focusIn(view) {
  const active = document.activeElement;
  return !active || active === document.body || view.contains(active);
}

function showLoggedOut(message) {
  loggedIn = false;
  socket?.close();
  socket = undefined;
  showSocket(false);
  const focusWasOnAccount = focusIn($('account-view'));
  $('account-view').hidden = true;
  $('login-view').hidden = false;
  $('sessions').tBodies[0].replaceChildren();
  $('password').value = '';
  if (focusWasOnAccount) $('username').focus();
  say(message);
}

const endedBecause = {
  token_revoked: 'You have been logged out: this session was ended (from another device, or everywhere).',
  user_inactive: 'You have been logged out: this account has been deactivated.',
  token_missing: 'You have been logged out (in another tab of this browser).',
  refresh_token_reused:
    'You have been logged out: an old copy of this session was used, so it was ended to be safe.',
};

function loggedOutMessage({ reason, elsewhere }) {
  if (elsewhere && (reason === 'logout' || reason === 'logout-all')) {
    return 'You have been logged out (in another tab of this browser).';
  }
  if (reason === 'logout') return 'You have logged out on this device.';
  if (reason === 'logout-all')
    return 'You have logged out everywhere: every session of this account has ended.';
  return endedBecause[reason] ?? `You have been logged out (${reason}).`;
}

// Every tab of this browser hears it at once: a logout here or in another tab, or a 401 anywhere.
auth.on('logged-out', (event) => {
  if (loggedIn) showLoggedOut(loggedOutMessage(event));
});

// A login in another tab of this browser logs this one in too: they share the cookies.
auth.on('logged-in', ({ elsewhere }) => {
  if (elsewhere && !loggedIn) start().catch(failed);
});

// Every error ends here. A 401 that ended the session has already been said by the logged-out event.
function failed(error) {
  if (error.status === 401 && error.code !== 'invalid_credentials' && !loggedIn) return;
  showError(error);
}

function say(message) {
  $('error').hidden = true;
  $('status').textContent = message;
}

function showError(error) {
  $('status').textContent = '';
  $('error').textContent = error.code ? `${error.message} (${error.code})` : error.message;
  $('error').hidden = false;
}

// ---- sessions ----------------------------------------------------------------------------------

const browsers = [
  ['Edge', /Edg\/(\d+)/],
  ['Opera', /OPR\/(\d+)/],
  ['Firefox', /Firefox\/(\d+)/],
  ['Headless Chrome', /HeadlessChrome\/(\d+)/],
  ['Chrome', /Chrome\/(\d+)/],
  ['Safari', /Version\/(\d+).*Safari/],
];
// Android user agents also say Linux, and iPhones say "like Mac OS X": order matters.
const systems = [
  ['Android', /Android/],
  ['iOS', /iPhone|iPad/],
  ['Windows', /Windows/],
  ['macOS', /Mac OS X/],
  ['ChromeOS', /CrOS/],
  ['Linux', /Linux/],
];

function deviceName(userAgent) {
  if (!userAgent) return 'Unknown device';
  const browser = browsers.find(([, pattern]) => pattern.test(userAgent));
  const system = systems.find(([, pattern]) => pattern.test(userAgent));
  if (!browser) return userAgent.split(/[\s/]/)[0] || 'Unknown device'; // curl/8.5.0 -> curl
  const name = `${browser[0]} ${userAgent.match(browser[1])[1]}`;
  return system ? `${name} on ${system[0]}` : name;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function timeCell(iso) {
  const time = document.createElement('time');
  const date = new Date(iso);
  time.dateTime = iso;
  time.title = absolute.format(date);
  const seconds = (date.getTime() - Date.now()) / 1000;
  const steps = [
    [60, 'second'],
    [3600, 'minute'],
    [86_400, 'hour'],
    [Infinity, 'day'],
  ];
  if (Math.abs(seconds) < 60) time.textContent = 'just now';
  else {
    const index = steps.findIndex(([limit]) => Math.abs(seconds) < limit);
    const [, unit] = steps[index];
    time.textContent = relative.format(Math.round(seconds / steps[index - 1][0]), unit);
  }
  return time;
}

// The label repeats the column heading on narrow screens, where the table is laid out as a list.
function cell(label, ...children) {
  const td = document.createElement('td');
  if (label) td.dataset.label = label;
  td.append(...children);
  return td;
}

function sessionRow(session) {
  const row = document.createElement('tr');
  row.dataset.sessionId = session.id;
  const name = document.createElement('strong');
  name.textContent = deviceName(session.user_agent);
  const agent = document.createElement('small');
  agent.textContent = session.user_agent ?? '';
  agent.title = session.user_agent ?? '';
  const device = cell('', name, agent);
  device.className = 'device';
  let action;
  if (session.current) {
    row.dataset.current = '';
    action = document.createElement('span');
    action.className = 'badge';
    action.textContent = 'This device';
  } else {
    action = document.createElement('button');
    action.type = 'button';
    action.className = 'small';
    action.textContent = 'End';
    action.setAttribute('aria-label', `End the session on ${name.textContent}`);
    action.addEventListener('click', () => endSession(session.id, action));
  }
  row.append(
    device,
    cell('IP address', session.ip ?? 'unknown'),
    cell('Logged in', timeCell(session.created_at)),
    cell('Last used', timeCell(session.last_seen_at)),
    cell('', action),
  );
  return row;
}

async function loadSessions() {
  const sessions = await api('GET', '/sessions');
  // This device first, then the most recently used.
  sessions.sort((a, b) => b.current - a.current || b.last_seen_at.localeCompare(a.last_seen_at));
  $('sessions').tBodies[0].replaceChildren(...sessions.map(sessionRow));
}

async function endSession(id, button) {
  button.disabled = true;
  try {
    await api('DELETE', `/sessions/${encodeURIComponent(id)}`);
    say('That session has been ended; its device is logged out.');
  } catch (error) {
    failed(error);
  }
  if (loggedIn) await loadSessions().catch(failed);
}

// ---- wiring ------------------------------------------------------------------------------------

// Runs an action from a button or form, keeping the control disabled meanwhile.
function action(control, run) {
  return async (event) => {
    event.preventDefault();
    control.disabled = true;
    try {
      await run();
    } catch (error) {
      failed(error);
    } finally {
      control.disabled = false;
    }
  };
}

const form = $('login-form');
form.addEventListener(
  'submit',
  action(form.querySelector('button'), async () => {
    await auth.login({ username: form.username.value, password: form.password.value });
    await start();
    $('account-title').focus(); // the form is gone: keep keyboard focus from falling to <body>
    say('');
  }),
);

$('logout').addEventListener(
  'click',
  action($('logout'), async () => {
    await auth.logout(); // every tab, this one included, hears the logged-out event
  }),
);

$('logout-others').addEventListener(
  'click',
  action($('logout-others'), async () => {
    await api('POST', '/auth/logout-others');
    await loadSessions();
    say('Every other session of this account has ended; this device stays logged in.');
  }),
);

$('logout-all').addEventListener(
  'click',
  action($('logout-all'), async () => {
    await api('POST', '/auth/logout-all');
    auth.markLoggedOut('logout-all'); // the session ended through a route the client does not know
  }),
);

$('reload').addEventListener(
  'click',
  action($('reload'), async () => {
    await loadSessions();
    say('Session list reloaded.');
  }),
);

// On load: no CSRF cookie means no refresh cookie either (they share a lifetime), so nobody is
// logged in. Otherwise the cookies may still hold a live session (the client renews a lapsed one).
if (auth.loggedIn) {
  start().catch((error) => {
    $('login-view').hidden = false;
    if (error.status !== 401) showError(error); // a 401 just means the session is over
  });
} else {
  $('login-view').hidden = false;
}
