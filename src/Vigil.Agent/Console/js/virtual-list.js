// A list that renders only the rows in view, so tens of thousands of entries scroll smoothly and
// appending at 1,000 per second costs one repaint per frame, not one per entry.

export class VirtualList {
  /** renderRow(item) returns the row's content (a Node); rows have a fixed height in pixels. */
  constructor(container, renderRow, { rowHeight = 22, capacity = 20000, onSelect } = {}) {
    this.container = container;
    this.renderRow = renderRow;
    this.rowHeight = rowHeight;
    this.capacity = capacity;
    this.onSelect = onSelect;
    this.items = [];
    this.dropped = 0;
    this.followTail = false; // newest first: the view stays at the top unless scrolled away
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    container.replaceChildren(this.spacer);
    this.scheduled = false;
    container.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(container);
  }

  /** Adds entries at the top (newest first); the oldest beyond the capacity are let go. */
  prepend(entries) {
    if (entries.length === 0) return;
    const keptTop = this.container.scrollTop > 0;
    this.items = entries.slice().reverse().concat(this.items);
    if (this.items.length > this.capacity) {
      this.dropped += this.items.length - this.capacity;
      this.items.length = this.capacity;
    }
    // Someone reading further down keeps their place.
    this.spacer.style.height = `${this.items.length * this.rowHeight}px`;
    if (keptTop) this.container.scrollTop += entries.length * this.rowHeight;
    this.schedule();
  }

  clear() {
    this.items = [];
    this.dropped = 0;
    this.container.scrollTop = 0;
    this.schedule();
  }

  get length() {
    return this.items.length;
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  draw() {
    const { scrollTop, clientHeight } = this.container;
    this.spacer.style.height = `${this.items.length * this.rowHeight}px`;
    const first = Math.max(0, Math.floor(scrollTop / this.rowHeight) - 5);
    const last = Math.min(this.items.length, Math.ceil((scrollTop + clientHeight) / this.rowHeight) + 5);
    const rows = [];
    for (let i = first; i < last; i++) {
      const item = this.items[i];
      const row = document.createElement('div');
      row.className = 'vrow';
      row.style.top = `${i * this.rowHeight}px`;
      row.append(this.renderRow(item));
      if (this.onSelect) row.addEventListener('click', () => this.onSelect(item));
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
  }
}
