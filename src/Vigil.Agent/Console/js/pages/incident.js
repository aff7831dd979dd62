// One incident: verdict, confidence, what is missing, the causal chain as a graph, the timeline.
import * as api from '../api.js';
import { h, time, processLink } from '../dom.js';
import { causalGraph } from '../graph.js';
import { confidenceClass } from './incidents.js';

export function render(main, id) {
  main.append(h('h1', {}, 'Incident ', h('span', { class: 'mono' }, id)));
  api.get(`/api/incidents/${encodeURIComponent(id)}`).then(i => {
    const confidence = i['vigil.incident.confidence'];
    const missing = i['vigil.incident.missing'];
    main.append(
      h('div', { class: 'panel', id: 'incident-summary' },
        h('h2', {}, i['vigil.incident.title']),
        h('p', {}, 'Confidence ', h('strong', { id: 'incident-confidence', class: confidenceClass(confidence) }, confidence.toFixed(2)),
          ` · ${i['vigil.incident.status']} · revision ${i['vigil.incident.revision']} · first seen ${time(i['vigil.incident.first_seen'])} · last seen ${time(i.time)}`),
        h('p', {}, 'Root cause: ', h('strong', {}, i['vigil.incident.root_cause'].name)),
        h('div', { id: 'incident-missing' }, h('strong', {}, 'What is missing: '),
          missing.length === 0 ? h('span', { class: 'muted' }, 'nothing known') : h('ul', {}, missing.map(m => h('li', {}, m))))),
      h('h2', {}, 'Causal chain'),
      h('div', { class: 'panel', style: 'overflow-x: auto' }, causalGraph(i)),
      h('h2', {}, `Timeline (${i['vigil.incident.timeline'].length} signals)`),
      h('table', { id: 'incident-timeline' },
        h('tr', {}, ['time', 'kind', 'signal', 'process', 'detail'].map(t => h('th', {}, t))),
        i['vigil.incident.timeline'].map(sig => h('tr', { id: `signal-${sig.id}` },
          h('td', { class: 'mono' }, time(sig.time)), h('td', {}, sig.kind), h('td', {}, sig.name),
          h('td', {}, processLink(sig['vigil.exec_id'], sig['process.executable.path'] ?? sig['process.pid'])),
          h('td', { class: 'mono' }, sig.description ?? '')))));
  }).catch(e => main.append(h('p', { class: 'error' }, e.message)));
}
