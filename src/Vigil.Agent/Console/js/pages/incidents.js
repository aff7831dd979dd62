// Incidents, most recently active first, with their confidence and findings.
import * as api from '../api.js';
import { h, time } from '../dom.js';

export function confidenceClass(c) {
  return c >= 0.8 ? 'bad' : c >= 0.5 ? 'warn' : 'muted';
}

export function render(main) {
  const body = h('div', { id: 'incident-list' });
  main.append(h('h1', {}, 'Incidents'), body);
  const load = async () => {
    const incidents = await api.get('/api/incidents');
    body.replaceChildren(incidents.length === 0 ? h('p', { class: 'muted' }, 'No incidents.') : h('table', {},
      h('tr', {}, ['last seen', 'incident', 'status', 'confidence', 'signals', 'root cause'].map(t => h('th', {}, t))),
      incidents.map(i => h('tr', {},
        h('td', { class: 'mono' }, time(i.time)),
        h('td', {}, h('a', { href: `#/incident/${encodeURIComponent(i['vigil.incident.id'])}` }, i['vigil.incident.title'])),
        h('td', {}, i['vigil.incident.status']),
        h('td', { class: confidenceClass(i['vigil.incident.confidence']) }, i['vigil.incident.confidence'].toFixed(2)),
        h('td', {}, i['vigil.incident.timeline'].length),
        h('td', {}, i['vigil.incident.root_cause'].name)))));
  };
  load().catch(e => body.replaceChildren(h('p', { class: 'error' }, e.message)));
  const timer = setInterval(() => load().catch(() => {}), 3000);
  return () => clearInterval(timer);
}
