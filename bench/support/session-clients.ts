// The load of the gateway-sessions bench, in its own process so that its memory is not the gateway's:
// CLIENTS SDK v2 clients, each its own Streamable HTTP session (2025-era handshake), calling `echo` one
// call after another until DURATION_MS has passed; then each ends its session (DELETE) and closes.
// Prints one JSON line: calls, errors (and the first few distinct causes), p50 and p99 in ms, elapsed ms.
//
//   node --import tsx bench/support/session-clients.ts <url> <clients> <durationMs>

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const [url, clientsArg, durationArg] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: session-clients.ts <url> <clients> <durationMs>');
const clients = Number(clientsArg ?? 100);
const durationMs = Number(durationArg ?? 60_000);

const connected = await Promise.all(
  Array.from({ length: clients }, async (_, index) => {
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const client = new Client({ name: `load-${index}`, version: '1.0.0' });
    await client.connect(transport);
    return { client, transport };
  }),
);
console.error(`connected ${connected.length}`);
const times: number[] = [];
let errors = 0;
/** The first few distinct error texts, for the report. */
const causes = new Set<string>();
const note = (text: string) => {
  if (causes.size < 5) causes.add(text.slice(0, 200));
};
const started = performance.now();
const deadline = started + durationMs;
await Promise.all(
  connected.map(async ({ client }, index) => {
    while (performance.now() < deadline) {
      const at = performance.now();
      try {
        const result = await client.callTool({ name: 'echo', arguments: { text: `client ${index}` } });
        if (result.isError) {
          errors += 1;
          note(`isError: ${JSON.stringify(result.content)}`);
        } else times.push(performance.now() - at);
      } catch (error) {
        errors += 1;
        note(error instanceof Error ? error.message : String(error));
      }
    }
  }),
);
const elapsed = performance.now() - started;
console.error('calls done');
await Promise.all(connected.map(async ({ client, transport }) => {
  await transport.terminateSession().catch(() => undefined);
  await client.close();
}));
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))] ?? NaN;
console.log(JSON.stringify({ calls: times.length, errors, p50: at(0.5), p99: at(0.99), elapsedMs: elapsed, causes: [...causes] }));
process.exit(0);
