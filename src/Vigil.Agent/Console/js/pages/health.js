// The agent's own health: sensors, drops by stage, sink queues, the process cache; BPF program
// CPU (from run-time counters between two scrapes), ring-buffer fill and sink lag from /metrics
// (docs/metrics.md); fleet nodes when the agent is in a fleet.
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

const series = (metrics, name) => metrics.filter(m => m.name === name);

/** CPU share of each BPF program between two scrapes (run time is a counter of seconds). */
function programCpu(now, before, seconds) {
  return series(now, 'vigil_bpf_program_run_time_seconds_total').map(m => {
    const key = JSON.stringify(m.labels);
    const prev = series(before, m.name).find(b => JSON.stringify(b.labels) === key);
    const runs = series(now, 'vigil_bpf_program_runs_total').find(r => JSON.stringify(r.labels) === key);
    const prevRuns = series(before, 'vigil_bpf_program_runs_total').find(r => JSON.stringify(r.labels) === key);
    return {
      program: m.labels.program,
      sensor: m.labels.sensor,
      cpu: prev && seconds > 0 ? (100 * (m.value - prev.value)) / seconds : null,
      runsPerSecond: runs && prevRuns && seconds > 0 ? (runs.value - prevRuns.value) / seconds : null,
    };
  });
}

export function render(main) {
  const body = h('div', { id: 'health' });
  main.append(h('h1', {}, 'Health'), body);
  let before = [];
  let beforeAt = 0;
  const load = async () => {
    const health = await api.get('/api/health');
    const text = await fetch('/metrics').then(r => (r.ok ? r.text() : ''));
    const metrics = parseMetrics(text, name => name.startsWith('vigil_'));
    const at = performance.now();
    const programs = programCpu(metrics, before, (at - beforeAt) / 1000);
    const rings = series(metrics, 'vigil_ringbuf_fill_ratio');
    const lag = Object.fromEntries(series(metrics, 'vigil_sink_lag_seconds').map(m => [m.labels.sink, m.value]));
    before = metrics;
    beforeAt = at;
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
      h('table', { id: 'sinks' }, h('tr', {}, ['sink', 'queued', 'fill', 'lag', 'dropped'].map(t => h('th', {}, t))),
        health.sinks.map(s => h('tr', {}, h('td', {}, s.name), h('td', {}, `${number(s.depth)} / ${number(s.capacity)}`),
          h('td', {}, h('div', { class: 'bar' }, h('span', { style: `width: ${Math.min(100, (100 * s.depth) / s.capacity)}%` }))),
          h('td', {}, s.name in lag ? `${number(lag[s.name], 3)} s` : '–'),
          h('td', {}, number(s.dropped))))),
      h('div', { class: 'grid' },
        h('div', {}, h('h2', {}, 'BPF program CPU'),
          programs.length === 0 ? h('p', { class: 'muted' }, 'No BPF program series on /metrics.') :
            h('table', { id: 'bpf-programs' }, h('tr', {}, ['sensor', 'program', 'runs/s', 'CPU'].map(t => h('th', {}, t))),
              programs.map(p => h('tr', {}, h('td', {}, p.sensor), h('td', { class: 'mono' }, p.program),
                h('td', {}, p.runsPerSecond === null ? '…' : number(p.runsPerSecond)),
                h('td', {}, p.cpu === null ? '…' : `${number(p.cpu, 3)} %`))))),
        h('div', {}, h('h2', {}, 'Ring-buffer fill'),
          rings.length === 0 ? h('p', { class: 'muted' }, 'No ring-buffer series on /metrics.') :
            h('table', { id: 'rings' }, rings.map(r => h('tr', {}, h('td', { class: 'mono' }, r.labels.ring),
              h('td', {}, h('div', { class: 'bar' }, h('span', { style: `width: ${Math.min(100, 100 * r.value)}%` }))),
              h('td', {}, `${number(100 * r.value, 1)} %`)))))),
      h('h2', {}, 'Fleet'),
      fleet === null ? h('p', { class: 'muted' }, 'No fleet configured (NATS) on this agent.') :
        fleet.error ? h('p', { class: 'error' }, fleet.error) :
          h('table', { id: 'fleet' }, h('tr', {}, ['node', 'health', 'version', 'last seen', 'sensors', 'drops'].map(t => h('th', {}, t))),
            fleet.map(n => h('tr', {}, h('td', {}, n.node), h('td', { class: n.health === 'ok' ? 'ok' : 'warn' }, n.health), h('td', {}, n.version),
              h('td', {}, `${number(Math.max(0, (Date.now() - new Date(n.last_seen)) / 1000))} s ago`),
              h('td', {}, Object.entries(n.sensors).map(([k, v]) => `${k} ${v}`).join(', ')),
              h('td', {}, Object.values(n.drops).reduce((a, b) => a + b, 0) || 'none')))));
  };
  load().catch(e => body.replaceChildren(h('p', { class: 'error' }, e.message)));
  const timer = setInterval(() => load().catch(() => {}), 2000);
  return () => clearInterval(timer);
}
