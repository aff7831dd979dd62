// The agent's local API as the console uses it. The token lives in sessionStorage (this tab
// only, gone when it closes) and goes out as a bearer header; a 401 asks for it again.

const KEY = 'vigil-api-token';
const listeners = new Set();

export class Unauthorized extends Error {}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

/** Called with no arguments whenever the API refuses the token. */
export function onUnauthorized(listener) {
  listeners.add(listener);
}

function headers(extra = {}) {
  const t = token();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

async function request(method, path, body, signal) {
  const response = await fetch(path, {
    method,
    signal,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    listeners.forEach(l => l());
    throw new Unauthorized('the API refused the token');
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(data?.error ?? `${method} ${path}: ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

export const get = (path, signal) => request('GET', path, undefined, signal);
export const post = (path, body) => request('POST', path, body);
export const del = path => request('DELETE', path);

/** Checks a token against a protected route without keeping it. */
export async function tokenWorks(candidate) {
  const response = await fetch('/api/config', { headers: { Authorization: `Bearer ${candidate}` } });
  return response.ok;
}

/**
 * Reads /api/events/stream (server-sent events) with fetch, since EventSource cannot send the
 * bearer header. Calls onEvent(parsedEvent) per event; resolves when the stream ends or the
 * signal aborts.
 */
export async function stream(query, onEvent, onReady, signal) {
  const response = await fetch(`/api/events/stream?${query}`, { headers: headers(), signal });
  if (response.status === 401) {
    listeners.forEach(l => l());
    throw new Unauthorized('the API refused the token');
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data = [];
        for (const line of message.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (type === 'ready') onReady();
        else if (type === 'event') onEvent(JSON.parse(data.join('\n')));
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  }
}
