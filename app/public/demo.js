// The demo page of the authjwt reference app, in cookie mode: the access and refresh tokens sit in
// HttpOnly cookies this script never sees. It reads only the CSRF cookie, to send it back in the
// X-CSRF-Token header on every unsafe request (double submit). Everything shown comes from the API,
// and it is always written with textContent, never as HTML: user agents are chosen by whoever logs in.

const $ = (id) => document.getElementById(id);

// The access token's lifetime in seconds, written into the page by the server (ACCESS_TTL).
const accessTtl = Number(document.querySelector('meta[name="access-ttl"]')?.content) || 900;
// When this browser last got fresh cookies. Kept in localStorage because every tab shares the cookies.
const issuedKey = 'authjwt-demo:issued-at';

let loggedIn = false;
let socket; // the live WebSocket, if any
let refreshTimer;
let reconnectDelay = 1000;

// ---- talking to the API ------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `The server answered ${status}.`);
    this.status = status;
    this.code = body?.code;
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)__Host-csrf=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : undefined;
}

async function request(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken()) headers['x-csrf-token'] = csrfToken();
  let response;
  try {
    response = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { code: 'network', message: 'The server cannot be reached. Is it running?' });
  }
  if (response.ok) return response.status === 204 ? undefined : response.json();
  throw new ApiError(response.status, await response.json().catch(() => undefined));
}

// Like request(), but an access cookie that lapsed (the browser drops it at expiry, or the token
// inside has expired) is renewed once with the refresh cookie and the request retried.
async function api(method, path, body) {
  try {
    return await request(method, path, body);
  } catch (error) {
    if (error.code !== 'token_expired' && error.code !== 'token_missing') throw error;
    if (!csrfToken()) throw error; // no CSRF cookie: no refresh cookie either, never logged in
    await refresh();
    return request(method, path, body);
  }
}

let refreshing; // one refresh at a time: a spent refresh token must not be sent twice
function refresh() {
  refreshing ??= request('POST', '/auth/cookie/refresh')
    .then(() => {
      noteIssued();
      // The open socket was authenticated with the previous access token and is closed when that
      // token expires: open a new one now (it replaces the old one once greeted).
      if (loggedIn) connectSocket();
    })
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

function noteIssued() {
  try {
    localStorage.setItem(issuedKey, String(Date.now()));
  } catch {} // storage disabled: refreshes are then only scheduled from this tab's own timer
  scheduleRefresh();
}

function issuedAt() {
  try {
    return Number(localStorage.getItem(issuedKey)) || 0;
  } catch {
    return 0;
  }
}

// Renew the cookies at two thirds of the access token's life, so a slow network or a throttled
// background tab still renews in time. Should the timer fire late anyway, api() renews on demand.
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!loggedIn) return;
  const issued = issuedAt();
  const due = issued + (accessTtl * 1000 * 2) / 3 - Date.now();
  refreshTimer = setTimeout(
    () => {
      // Another tab may have renewed the shared cookies in the meantime: then just wait longer.
      if (issuedAt() !== issued) return scheduleRefresh();
      refresh().catch((error) => {
        failed(error);
        if (error.status !== 401) refreshTimer = setTimeout(scheduleRefresh, 5000); // try again
      });
    },
    Math.max(0, due),
  );
}

// ---- the live connection -----------------------------------------------------------------------

function connectSocket() {
  const previous = socket;
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  socket = ws;
  // The access cookie goes with the upgrade request; the server checks it and our Origin.
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== 'hello') return;
    previous?.close(1000); // replaced: closing only now keeps the indicator from blinking
    reconnectDelay = 1000;
    showSocket(true, message.username);
  });
  ws.addEventListener('close', (event) => {
    if (ws !== socket) return; // a replaced socket
    previous?.close(1000);
    socket = undefined;
    showSocket(false);
    if (loggedIn) void socketClosed(event.code);
  });
}

// 4401 means the token lapsed or the session ended (here, on another device, everywhere). Ask
// the API which: /me renews a lapsed token and succeeds, or fails and we show the logged-out page.
async function socketClosed(code) {
  try {
    await api('GET', '/me'); // a renewal inside it opens the new socket itself
    if (code === 4401) {
      if (loggedIn && !socket) connectSocket();
      return;
    }
  } catch (error) {
    // This page logged out while /me was on its way (a logout closes the socket before it answers):
    // the logout has said what happened.
    if (!loggedIn) return;
    if (error.status === 401) return failed(error);
    showError(error); // unreachable or unavailable: say so, and keep trying below
  }
  // Any other close (the server restarted, the network went away): try again, less and less often.
  setTimeout(() => loggedIn && !socket && connectSocket(), reconnectDelay);
  reconnectDelay = Math.min(reconnectDelay * 2, 30_000);
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
  scheduleRefresh();
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
  clearTimeout(refreshTimer);
  const open = socket;
  socket = undefined;
  open?.close(1000);
  showSocket(false);
  try {
    localStorage.removeItem(issuedKey);
  } catch {}
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

// Every error ends here. A 401 while logged in means the session is over; anything else is shown.
function failed(error) {
  if (loggedIn && error.status === 401) {
    showLoggedOut(endedBecause[error.code] ?? `You have been logged out: ${error.message}`);
  } else {
    showError(error);
  }
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
    await request('POST', '/auth/cookie/login', {
      username: form.username.value,
      password: form.password.value,
    });
    noteIssued();
    await start();
    $('account-title').focus(); // the form is gone: keep keyboard focus from falling to <body>
    say('');
  }),
);

$('logout').addEventListener(
  'click',
  action($('logout'), async () => {
    await api('POST', '/auth/cookie/logout');
    showLoggedOut('You have logged out on this device.');
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
    showLoggedOut('You have logged out everywhere: every session of this account has ended.');
  }),
);

$('reload').addEventListener(
  'click',
  action($('reload'), async () => {
    await loadSessions();
    say('Session list reloaded.');
  }),
);

// Another tab renewed the cookies this tab shares: follow its schedule, and move the live
// connection onto the new access token before the old one expires.
addEventListener('storage', (event) => {
  if (event.key !== issuedKey || !loggedIn || event.newValue === null) return;
  scheduleRefresh();
  connectSocket();
});

// On load: no CSRF cookie means no refresh cookie either (they share a lifetime), so nobody is
// logged in. Otherwise the cookies may still hold a live session (api() renews a lapsed access cookie).
if (csrfToken()) {
  start().catch((error) => {
    $('login-view').hidden = false;
    if (error.status !== 401) showError(error); // a 401 just means the session is over
  });
} else {
  $('login-view').hidden = false;
}
