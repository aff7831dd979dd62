// Live events: recent history, then the live stream, both filtered on the server. Rendering is
// batched per animation frame into a virtualised list; pause holds new events until resume.
import * as api from '../api.js';
import { h, time, number, processLink } from '../dom.js';
import { VirtualList } from '../virtual-list.js';

const TYPES = ['', 'exec', 'fork', 'exit', 'file', 'network', 'privilege', 'guard'];
const HELD_MAX = 20000;

export function summary(e) {
  switch (e['event.name']) {
    case 'process.exec': return e['process.command_line'];
    case 'process.fork': return `child ${e['vigil.child.pid']}`;
    case 'process.exit': return `exit ${e['process.exit.code']}${e['vigil.exit.signal'] ? ` signal ${e['vigil.exit.signal']}` : ''}`;
    case 'xdp.ban': return `banned ${e['vigil.xdp.network']} for ${e['vigil.xdp.ttl_seconds']}s`;
    default:
      if (e['file.path']) return e['file.path'];
      if (e['destination.address']) return `${e['source.address']}:${e['source.port']} -> ${e['destination.address']}:${e['destination.port']}`;
      return '';
  }
}

export function eventRow(e) {
  const kind = e['event.name'].split('.').pop();
  return h('span', {},
    h('span', { class: 'muted' }, time(e.time), ' '),
    h('span', { class: `tag ${kind}` }, kind), ' ',
    h('span', { class: 'muted' }, String(e['process.pid']).padStart(7), ' '),
    (e['process.name'] ?? '').padEnd(16), ' ',
    e['container.id'] && e['container.id'] !== 'host' ? h('span', { class: 'badge' }, e['container.id']) : '',
    ' ', summary(e));
}

const key = e => `${e.time}|${e['vigil.exec_id']}|${e['event.name']}`;

export function render(main) {
  const filters = {
    type: h('select', { id: 'filter-type', 'aria-label': 'event type' }, TYPES.map(t => h('option', { value: t }, t || 'all types'))),
    proc: h('input', { id: 'filter-proc', placeholder: 'process name', size: 14 }),
    container: h('input', { id: 'filter-container', placeholder: 'container id', size: 14 }),
    text: h('input', { id: 'filter-text', placeholder: 'text', size: 24 }),
  };
  const pause = h('button', { id: 'pause', type: 'button' }, 'Pause');
  const stats = h('span', { id: 'event-stats', class: 'muted' });
  const status = h('span', { id: 'stream-status', class: 'muted' }, 'connecting');
  const listBox = h('div', { class: 'vlist', id: 'event-list' });
  const detail = h('div', { id: 'event-detail' });
  main.append(h('h1', {}, 'Live events'),
    h('div', { class: 'toolbar' }, filters.type, filters.proc, filters.container, filters.text, pause, status, stats),
    listBox, detail);

  const list = new VirtualList(listBox, eventRow, {
    onSelect: e => detail.replaceChildren(
      h('h2', {}, e['event.name'], ' ', processLink(e['vigil.exec_id'], 'open process')),
      h('pre', {}, JSON.stringify(e, null, 2))),
  });

  let paused = false;
  let held = [];
  let incoming = [];
  let received = 0;
  let rate = 0;
  let abort = null;
  let flushing = false;
  let loadingRecent = true;

  const flush = () => {
    flushing = false;
    if (loadingRecent) return;
    if (paused) {
      held = held.concat(incoming).slice(-HELD_MAX);
    } else {
      list.prepend(incoming);
    }
    incoming = [];
  };
  const onEvent = e => {
    received++;
    incoming.push(e);
    if (!flushing) {
      flushing = true;
      requestAnimationFrame(flush);
    }
  };

  const query = () => {
    const q = new URLSearchParams();
    for (const [name, input] of Object.entries(filters)) {
      if (input.value.trim()) q.set(name, input.value.trim());
    }
    return q;
  };

  async function connect() {
    abort?.abort();
    const controller = new AbortController();
    abort = controller;
    list.clear();
    held = [];
    incoming = [];
    loadingRecent = true;
    status.textContent = 'connecting';
    delete status.dataset.query;
    try {
      const q = query();
      // Subscribe first, then fill in the recent past, so nothing falls between the two.
      const fillRecent = async () => {
        q.set('limit', '500');
        const recent = await api.get(`/api/events?${q}`, controller.signal);
        const live = new Set(incoming.map(key));
        incoming = recent.reverse().filter(e => !live.has(key(e))).concat(incoming);
        loadingRecent = false;
        status.textContent = 'live';
        status.dataset.query = q.toString();
        flush();
      };
      await api.stream(q.toString(), onEvent, () => fillRecent().catch(e => {
        if (!controller.signal.aborted) status.textContent = `error: ${e.message}`;
      }), controller.signal);
      if (!controller.signal.aborted) status.textContent = 'stream ended';
    } catch (e) {
      if (!controller.signal.aborted) status.textContent = `error: ${e.message}`;
    }
  }

  let debounce;
  for (const input of Object.values(filters)) {
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(connect, 300);
    });
  }
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      list.prepend(held);
      held = [];
    }
    showStats();
  });

  let last = 0;
  const showStats = () => {
    stats.textContent = `${number(rate)} events/s · ${number(list.length)} shown` +
      (paused ? ` · ${number(held.length)} held while paused` : '') +
      (list.dropped ? ` · ${number(list.dropped)} oldest let go` : '');
  };
  const ticker = setInterval(() => {
    rate = received - last;
    last = received;
    showStats();
  }, 1000);

  connect();
  return () => {
    abort?.abort();
    clearInterval(ticker);
    clearTimeout(debounce);
  };
}
