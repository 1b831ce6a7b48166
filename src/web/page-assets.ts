// The dashboard's page and its bundled script and style, as `npm run build` leaves them in
// dist/web-assets (src/web and dist/web are both two levels below the package root, so the same
// relative path finds them from either). They carry no fleet data: served without the token.

import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web-assets');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

// Everything the page loads comes from this listener; nothing runs inline, nothing may frame it.
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export class PageAssets {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly dir = ASSETS_DIR) {}

  /** Serves `pathname` if it is one of the page's files; false if it is not. */
  serve(pathname: string, response: ServerResponse): boolean {
    const entry = FILES[pathname];
    if (entry === undefined) return false;
    let body = this.cache.get(entry.file);
    if (body === undefined) {
      try {
        body = readFileSync(path.join(this.dir, entry.file));
      } catch {
        response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        response.end(`the web dashboard is not built (no ${path.join(this.dir, entry.file)}): run npm run build\n`);
        return true;
      }
      this.cache.set(entry.file, body);
    }
    response.writeHead(200, { 'Content-Type': entry.type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
    response.end(body);
    return true;
  }
}
