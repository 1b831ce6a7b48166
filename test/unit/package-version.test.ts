// The version the package gives of itself, read from package.json: the CLI prints it and the gateway
// tells its clients it, unless the embedder names another.

import { readFileSync } from 'node:fs';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../../src/gateway/gateway.js';
import { packageVersion } from '../../src/package-version.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { inMemoryLayer } from '../support/service-harness.js';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('the package version', () => {
  it('is package.json’s', () => {
    expect(packageVersion()).toBe(manifest.version);
  });

  it('is what the gateway tells a client its server is, when the embedder names none', async () => {
    const supervisor = new Supervisor({ services: [] }, { connections: inMemoryLayer() }).start();
    const gateway = createGateway(supervisor);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gateway.connect(serverSide);
    const client = new Client({ name: 'test', version: '1.0.0' });
    try {
      await client.connect(clientSide);
      expect(client.getServerVersion()).toMatchObject({ name: 'mcp-supervisor', version: manifest.version });
    } finally {
      await client.close();
      await gateway.close();
      await supervisor.stop();
    }
  });
});
