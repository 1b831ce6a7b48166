// What the gateway's catalogue costs an agent's context: the size of `tools/list` in full mode and in
// lazy mode, on the demo fleet (config/services.yaml) and on a 500-tool fleet. Tokens are estimated as
// characters / 4 (the usual rule of thumb for English and JSON; a model's tokenizer varies).
//
//   npm run bench:gateway-catalogue

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { loadConfigFile } from '../src/config/load.js';
import { createGateway } from '../src/gateway/gateway.js';
import { Supervisor } from '../src/supervisor/supervisor.js';
import { writeResultsSection } from './support/results-file.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function listSizes(supervisor: Supervisor): Promise<{ tools: number; full: number; lazy: number }> {
  supervisor.start();
  await Promise.all(supervisor.listServices().map((service) => supervisor.waitForService(service.key, { timeoutMs: 30_000 })));
  const sizes: Record<'full' | 'lazy', number> = { full: 0, lazy: 0 };
  let tools = 0;
  for (const mode of ['full', 'lazy'] as const) {
    const gateway = createGateway(supervisor, { mode });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gateway.connect(serverSide);
    const client = new Client({ name: 'catalogue-bench', version: '1.0.0' });
    await client.connect(clientSide);
    const listed = await client.listTools();
    sizes[mode] = JSON.stringify(listed.tools).length;
    if (mode === 'full') tools = listed.tools.length;
    await client.close();
    await gateway.close();
  }
  await supervisor.stop();
  return { tools, ...sizes };
}

const demo = await listSizes(Supervisor.fromConfig(await loadConfigFile(path.join(REPO, 'config/services.yaml'))));
const server = path.join(REPO, 'test/fixtures/mcp-test-server.mjs');
const big = await listSizes(
  new Supervisor({
    services: [
      { name: 'big_a', transport: { type: 'stdio', command: process.execPath, args: [server, '--tools', '245'], env: {} } },
      { name: 'big_b', transport: { type: 'stdio', command: process.execPath, args: [server, '--tools', '245'], env: {} } },
    ],
  }),
);

const row = (label: string, sizes: { tools: number; full: number; lazy: number }) =>
  `| ${label} | ${sizes.tools} | ${sizes.full.toLocaleString('en')} chars ≈ ${Math.round(sizes.full / 4).toLocaleString('en')} tokens | ${sizes.lazy.toLocaleString('en')} chars ≈ ${Math.round(sizes.lazy / 4).toLocaleString('en')} tokens |`;
const section = `## Gateway: the catalogue's size in an agent's context, full and lazy mode

\`npm run bench:gateway-catalogue\`: the JSON of \`tools/list\` through the gateway (tokens ≈ characters / 4).

| fleet | tools | full mode | lazy mode (3 meta-tools) |
|---|---|---|---|
${row('demo (config/services.yaml)', demo)}
${row('2 test servers, 500 tools', big)}

Lazy mode's cost is fixed; each \`search_tools\` answer adds the names and descriptions of at most 10
matches (\`limit\`), and \`describe_tool\` one tool's schema.
`;
console.log(section);
await writeResultsSection("## Gateway: the catalogue's size in an agent's context, full and lazy mode", section);
process.exit(0);
