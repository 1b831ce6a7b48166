// The package's own version, read once from package.json (one level up from src/ and dist/): the CLI
// prints it, and the supervisor's MCP client and the gateway's server give it as theirs.

import { readFileSync } from 'node:fs';

let version: string | undefined;

export function packageVersion(): string {
  if (version === undefined) {
    const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const found = (manifest as { version?: unknown }).version;
    version = typeof found === 'string' ? found : 'unknown';
  }
  return version;
}
