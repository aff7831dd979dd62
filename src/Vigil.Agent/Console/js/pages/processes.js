// The process tree from the agent's process cache, each process with its container; a filter
// narrows it to matching processes and their ancestors.
import * as api from '../api.js';
import { h, clip, processLink } from '../dom.js';

function matches(node, text) {
  return !text || `${node['process.name']} ${node['process.command_line']} ${node['process.pid']} ${node['container.id'] ?? ''}`.toLowerCase().includes(text);
}

/** The node as a list item, or null when neither it nor a descendant matches. */
function item(node, text) {
  const children = node.children.map(c => item(c, text)).filter(Boolean);
  if (children.length === 0 && !matches(node, text)) return null;
  const exited = node['vigil.exit.time'] ? h('span', { class: 'badge' }, 'exited') : '';
  const badge = node['container.id'] && node['container.id'] !== 'host' ? h('span', { class: 'badge' }, `container ${node['container.id']}`) : '';
  return h('li', {},
    h('span', { class: 'muted mono' }, String(node['process.pid']).padStart(7), ' '),
    processLink(node['vigil.exec_id'], node['process.name'] || node['process.executable.path'] || '?'), ' ',
    h('span', { class: 'muted mono', title: node['process.command_line'] }, clip(node['process.command_line'], 100)), badge, exited,
    children.length ? h('ul', {}, children) : '');
}

/** A container's own trees: its processes whose parent runs outside it. */
function containerRoots(nodes, container, parentInside = false, found = []) {
  for (const node of nodes) {
    const inside = node['container.id'] === container;
    if (inside && !parentInside) found.push(node);
    containerRoots(node.children, container, inside, found);
  }
  return found;
}

export function render(main) {
  const filter = h('input', { id: 'process-filter', placeholder: 'filter: name, command line, pid, container', size: 40 });
  const refresh = h('button', { type: 'button' }, 'Refresh');
  const containers = h('div', { class: 'panel', id: 'containers' });
  const tree = h('div', { class: 'tree panel', id: 'process-tree' });
  const count = h('span', { class: 'muted' });
  main.append(h('h1', {}, 'Processes'), h('div', { class: 'toolbar' }, filter, refresh, count), containers, tree);
  let data = null;
  let container = '';

  const draw = () => {
    if (!data) return;
    const text = filter.value.trim().toLowerCase();
    count.textContent = `${data.count} processes cached`;
    const pick = id => () => {
      container = container === id ? '' : id;
      draw();
    };
    containers.replaceChildren(h('strong', {}, 'Containers (click to show only one): '),
      ...data.containers.map(c => h('button', { type: 'button', class: c['container.id'] === container ? 'badge active' : 'badge', 'data-container': c['container.id'], onclick: pick(c['container.id']) },
        `${c['container.id']} (${c['container.runtime']}${c['container.name'] ? `, ${c['container.name']}` : ''}): ${c.processes}`)));
    const roots = container ? containerRoots(data.roots, container) : data.roots;
    tree.replaceChildren(h('ul', {}, roots.map(r => item(r, text)).filter(Boolean)));
  };
  const load = async () => {
    data = await api.get('/api/processes');
    draw();
  };
  filter.addEventListener('input', draw);
  refresh.addEventListener('click', load);
  load().catch(e => tree.replaceChildren(h('p', { class: 'error' }, e.message)));
}
