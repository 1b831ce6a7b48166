// The operators' token, as the page keeps it: in this tab's sessionStorage (no cookie, so no request
// carries it unless this code adds it), taken once from a `#token=…` fragment when the link has one
// (a fragment never leaves the browser), then removed from the address bar.

const KEY = 'mcp-supervisor-token';

export function takeTokenFromFragment(): void {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (match === null) return;
  setToken(decodeURIComponent(match[1] ?? ''));
  history.replaceState(null, '', location.pathname + location.search);
}

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string): void {
  if (token === '') sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
}

/** The Authorization header for the dashboard's API, when a token is kept. */
export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token === null ? {} : { Authorization: `Bearer ${token}` };
}
