// The XDP guard: per-rule packets/s over the last minute, verdict counters, the busiest sources,
// bans with their remaining TTL, and block / unblock through the API (token required).
import * as api from '../api.js';
import { h, number } from '../dom.js';
import { lineChart } from '../chart.js';

function ttl(ban) {
  if (ban.ttl_seconds === undefined) return 'until unblocked';
  const left = Math.max(0, Math.round((new Date(ban.expires) - Date.now()) / 1000));
  return left >= 60 ? `${Math.floor(left / 60)}m ${left % 60}s left` : `${left}s left`;
}

export function render(main) {
  const cidr = h('input', { id: 'block-cidr', placeholder: '203.0.113.0/24', size: 22, required: true, 'aria-label': 'network to block' });
  const seconds = h('input', { id: 'block-ttl', type: 'number', min: 1, placeholder: 'TTL seconds (empty: until unblocked)', size: 30, 'aria-label': 'ban TTL in seconds' });
  const message = h('span', { id: 'block-message', role: 'status' });
  const form = h('form', { class: 'toolbar', id: 'block-form' }, h('strong', {}, 'Block a network'), cidr, seconds, h('button', { type: 'submit' }, 'Block'), message);
  const body = h('div', { id: 'xdp-state' });
  main.append(h('h1', {}, 'XDP guard'), form, body);
  let state = null;

  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      const request = { cidr: cidr.value.trim() };
      if (seconds.value) request.ttl_seconds = Number(seconds.value);
      await api.post('/api/xdp/blocks', request);
      message.className = 'ok';
      message.textContent = `blocked ${request.cidr}`;
      cidr.value = '';
      await load();
    } catch (e) {
      message.className = 'error';
      message.textContent = e.message;
    }
  });

  const unblock = async network => {
    try {
      await api.del(`/api/xdp/blocks/${encodeURIComponent(network)}`);
      message.className = 'ok';
      message.textContent = `unblocked ${network}`;
      await load();
    } catch (e) {
      message.className = 'error';
      message.textContent = e.message;
    }
  };

  const draw = () => {
    if (!state) return;
    if (!state.attached) {
      body.replaceChildren(h('p', { class: 'muted' }, 'The XDP guard is not attached on this node (vigil xdp attach IFACE).'));
      return;
    }
    body.replaceChildren(
      h('div', { class: 'panel' }, `Interfaces: ${state.interfaces.join(', ') || 'none'} · mode ${state.mode} · default ${state.default_action} · `,
        `sampling 1 in ${state.sample_every} · ${state.allow_prefixes} allow / ${state.deny_prefixes} deny prefixes`),
      h('h2', {}, `Rules (${state.rules.length})`),
      h('div', { class: 'grid', id: 'xdp-rules' }, state.rules.length === 0 ? h('p', { class: 'muted' }, 'No rules in force.') :
        state.rules.map(r => h('div', { class: 'panel' }, h('strong', {}, r.name), ' ', h('span', { class: 'badge' }, r.action),
          h('div', { class: 'muted mono' }, r.description), lineChart(r.pps_history),
          h('div', { class: 'muted' }, `${number(r.packets)} packets · ${number(r.dropped)} dropped`)))),
      h('h2', {}, 'Verdicts'),
      h('div', { class: 'grid' }, state.counters.map(c => h('div', { class: 'panel' }, h('strong', {}, c.name), lineChart(c.pps_history),
        h('div', { class: 'muted' }, `${number(c.packets)} packets · ${number(c.dropped)} dropped`)))),
      h('div', { class: 'grid' },
        h('div', {}, h('h2', {}, 'Top sources (last window)'),
          state.top_sources.length === 0 ? h('p', { class: 'muted' }, 'No sampled sources (auto-mitigation samples while the agent has the guard).') :
            h('table', { id: 'top-sources' }, h('tr', {}, h('th', {}, 'source'), h('th', {}, 'packets/s')),
              state.top_sources.map(t => h('tr', {}, h('td', { class: 'mono' }, t.cidr), h('td', {}, number(t.pps, 1)))))),
        h('div', {}, h('h2', {}, `Bans (${state.bans.length})`),
          h('table', { id: 'bans' }, h('tr', {}, h('th', {}, 'network'), h('th', {}, 'origin'), h('th', {}, 'TTL'), h('th', {})),
            state.bans.map(b => h('tr', { 'data-cidr': b.cidr }, h('td', { class: 'mono' }, b.cidr), h('td', {}, b.origin), h('td', { class: 'ttl' }, ttl(b)),
              h('td', {}, h('button', { type: 'button', onclick: () => unblock(b.cidr) }, 'Unblock'))))))));
  };

  const load = async () => {
    state = await api.get('/api/xdp');
    draw();
  };
  load().catch(e => body.replaceChildren(h('p', { class: 'error' }, e.message)));
  const timer = setInterval(() => load().catch(() => {}), 1000);
  return () => clearInterval(timer);
}
