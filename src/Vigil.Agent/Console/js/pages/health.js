// The agent's own health: sensors, drops by stage, sink queues, the process cache; BPF program
// CPU and ring-buffer fill from /metrics; fleet nodes when the agent reports a fleet.
import * as api from '../api.js';
import { h, number } from '../dom.js';

/** Prometheus text format: [{name, labels, value}] for the series whose name passes keep(name). */
export function parseMetrics(text, keep) {
  const series = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m || !keep(m[1])) continue;
    const labels = {};
    for (const [, k, v] of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    series.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return series;
}

const kernelSeries = name => /^vigil_.*(bpf|program|ring)/.test(name);

export function render(main) {
  const body = h('div', { id: 'health' });
  main.append(h('h1', {}, 'Health'), body);
  const load = async () => {
    const health = await api.get('/api/health');
    const metrics = await fetch('/metrics').then(r => (r.ok ? r.text() : ''));
    const kernel = parseMetrics(metrics, kernelSeries);
    const fleet = await api.get('/api/fleet').catch(e => (e.status === 404 ? null : { error: e.message }));
    body.replaceChildren(
      h('div', { class: 'panel' }, h('strong', { class: health.status === 'ok' ? 'ok' : 'warn' }, health.status),
        ` · vigil ${health.version} on ${health.hostname} · up ${number(health.uptime_seconds)} s · ${number(health.events_evaluated)} events evaluated · `,
        `${health.rules_active} rules, ${health.sequences} sequences · ${health.processes.cached} of ${health.processes.capacity} processes cached`),
      h('div', { class: 'grid' },
        h('div', {}, h('h2', {}, 'Sensors'), h('table', { id: 'sensors' }, h('tr', {}, h('th', {}, 'sensor'), h('th', {}, 'state'), h('th', {}, 'kernel drops')),
          health.sensors.map(s => h('tr', {}, h('td', {}, s.name), h('td', { class: s.state === 'running' ? 'ok' : 'bad' }, s.state, s.reason ? ` (${s.reason})` : ''),
            h('td', {}, number(s.kernel_drops)))))),
        h('div', {}, h('h2', {}, 'Drops by stage'), h('table', { id: 'drops' }, health.drops.map(d =>
          h('tr', {}, h('td', {}, d.stage), h('td', { class: d.count ? 'warn' : 'muted' }, number(d.count))))))),
      h('h2', {}, 'Sink queues (lag)'),
      h('table', { id: 'sinks' }, h('tr', {}, h('th', {}, 'sink'), h('th', {}, 'queued'), h('th', {}, 'fill'), h('th', {}, 'dropped')),
        health.sinks.map(s => h('tr', {}, h('td', {}, s.name), h('td', {}, `${number(s.depth)} / ${number(s.capacity)}`),
          h('td', {}, h('div', { class: 'bar' }, h('span', { style: `width: ${Math.min(100, (100 * s.depth) / s.capacity)}%` }))),
          h('td', {}, number(s.dropped))))),
      h('h2', {}, 'BPF programs and ring buffers'),
      kernel.length === 0 ? h('p', { class: 'muted' }, 'No BPF program or ring-buffer series on /metrics yet.') :
        h('table', { id: 'kernel-metrics' }, kernel.map(m => h('tr', {}, h('td', { class: 'mono' }, m.name),
          h('td', { class: 'mono' }, Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(' ')), h('td', {}, number(m.value, 4))))),
      h('h2', {}, 'Fleet'),
      fleet === null ? h('p', { class: 'muted' }, 'No fleet configured (NATS) on this agent.') :
        h('pre', { id: 'fleet' }, JSON.stringify(fleet, null, 2)));
  };
  load().catch(e => body.replaceChildren(h('p', { class: 'error' }, e.message)));
  const timer = setInterval(() => load().catch(() => {}), 2000);
  return () => clearInterval(timer);
}
