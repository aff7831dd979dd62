// The console's shell: sign-in, navigation (hash routes) and the page in view. Each page module
// exports render(main, ...params) returning a function that stops its timers and streams.
import * as api from './api.js';
import { h } from './dom.js';
import * as events from './pages/events.js';
import * as processes from './pages/processes.js';
import * as processPage from './pages/process.js';
import * as incidents from './pages/incidents.js';
import * as incidentPage from './pages/incident.js';
import * as xdp from './pages/xdp.js';
import * as health from './pages/health.js';

const routes = [
  [/^#\/events$/, events, 'events'],
  [/^#\/processes$/, processes, 'processes'],
  [/^#\/process\/(.+)$/, processPage, 'processes'],
  [/^#\/incidents$/, incidents, 'incidents'],
  [/^#\/incident\/(.+)$/, incidentPage, 'incidents'],
  [/^#\/xdp$/, xdp, 'xdp'],
  [/^#\/health$/, health, 'health'],
];

const main = document.getElementById('page');
const login = document.getElementById('login');
let stop = () => {};

function show() {
  stop();
  main.replaceChildren();
  const hash = location.hash || '#/events';
  const route = routes.find(([pattern]) => pattern.test(hash));
  if (!route) {
    main.append(h('p', { class: 'error' }, `No page at ${hash}.`));
    return;
  }
  const [pattern, page, nav] = route;
  document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', a.dataset.page === nav));
  if (!api.token()) {
    askForToken();
    return;
  }
  const params = hash.match(pattern).slice(1).map(decodeURIComponent);
  stop = page.render(main, ...params) ?? (() => {});
}

function askForToken(message = '') {
  document.getElementById('login-error').textContent = message;
  document.getElementById('logout').hidden = true;
  if (!login.open) login.showModal();
}

document.getElementById('login-form').addEventListener('submit', async event => {
  event.preventDefault();
  const candidate = document.getElementById('token').value.trim();
  if (!(await api.tokenWorks(candidate))) {
    document.getElementById('login-error').textContent = 'The agent refused this token.';
    return;
  }
  api.setToken(candidate);
  login.close();
  document.getElementById('logout').hidden = false;
  show();
});

document.getElementById('logout').addEventListener('click', () => {
  api.setToken(null);
  show();
});

api.onUnauthorized(() => {
  api.setToken(null);
  stop();
  askForToken('The agent refused the token (was it replaced?).');
});

window.addEventListener('hashchange', show);
document.getElementById('logout').hidden = !api.token();
show();
