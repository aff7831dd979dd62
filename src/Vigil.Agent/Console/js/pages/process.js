// One process: what it is, where it sits (ancestors, children), and its recent events,
// connections and files.
import * as api from '../api.js';
import { h, time, clip, processLink } from '../dom.js';
import { summary } from './events.js';

function eventTable(events, empty) {
  if (events.length === 0) return h('p', { class: 'muted' }, empty);
  return h('table', {}, h('tr', {}, h('th', {}, 'time'), h('th', {}, 'event'), h('th', {}, 'detail')),
    events.map(e => h('tr', {}, h('td', { class: 'mono' }, time(e.time)), h('td', {}, e['event.name']), h('td', { class: 'mono' }, summary(e)))));
}

function processRow(p) {
  return h('tr', {}, h('td', { class: 'mono' }, p['process.pid']), h('td', {}, processLink(p['vigil.exec_id'], p['process.name'])),
    h('td', { class: 'mono', title: p['process.command_line'] }, clip(p['process.command_line'], 120)), h('td', { class: 'mono' }, time(p['process.creation.time'])));
}

export function render(main, execId) {
  main.append(h('h1', {}, 'Process ', h('span', { class: 'mono' }, execId)));
  api.get(`/api/processes/${encodeURIComponent(execId)}`).then(data => {
    const p = data.process;
    main.append(
      h('div', { class: 'panel', id: 'process-facts' }, h('table', {},
        [['command line', p['process.command_line']], ['executable', p['process.executable.path']], ['pid', p['process.pid']],
          ['parent', processLink(p['vigil.parent.exec_id'], `${p['process.parent.pid']}`)], ['user id', p['user.id']],
          ['container', p['container.id'] ?? 'unknown'], ['started', p['process.creation.time']], ['exited', p['vigil.exit.time'] ?? 'running']]
          .map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { class: 'mono' }, v))))),
      h('h2', {}, `Ancestry (${data.ancestors.length})`),
      h('p', { id: 'process-ancestry' }, data.ancestors.slice().reverse().flatMap(a =>
        [h('span', { title: a['process.command_line'] }, processLink(a['vigil.exec_id'], `${a['process.name']} (${a['process.pid']})`)), ' › ']),
        h('strong', {}, `${p['process.name']} (${p['process.pid']})`)),
      h('h2', {}, `Children (${data.children.length})`), h('table', { id: 'process-children' }, data.children.map(processRow)),
      h('h2', {}, `Events (${data.events.length})`), h('div', { id: 'process-events' }, eventTable(data.events, 'No recent events.')),
      h('h2', {}, `Connections (${data.connections.length})`), eventTable(data.connections, 'No connections seen.'),
      h('h2', {}, `Files (${data.files.length})`), eventTable(data.files, 'No file activity seen.'));
  }).catch(e => main.append(h('p', { class: 'error' }, e.message)));
}
