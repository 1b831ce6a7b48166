// A snapshot's config shows the transport redacted; handing it back as a service's transport fails to
// type-check, and at run time is refused with what to do, rather than connecting with `***` as secrets.

import { describe, expect, expectTypeOf, it } from 'vitest';
import { isRedactedTransport, redactTransport, type RedactedTransportConfig, type TransportConfig } from '../../src/config/transport.js';
import { initialServiceContext, type ServiceContext } from '../../src/machines/service.context.js';
import { RedactedTransportError } from '../../src/supervisor/errors.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const stdio: TransportConfig = { type: 'stdio', command: 'node', args: ['notes.mjs'], env: { NOTES_TOKEN: 'hunter2' } };
const http: TransportConfig = {
  type: 'streamable-http',
  url: 'https://user:pass@mcp.example.com/mcp?key=abc',
  headers: { Authorization: 'Bearer hunter2' },
  sseFallback: false,
};

async function runningFleet() {
  const clock = new VirtualClock();
  const supervisor = new Supervisor({ services: [{ name: 'notes', transport: stdio }] }, { connections: inMemoryLayer(clock), clock }).start();
  await flush();
  return supervisor;
}

describe('a redacted transport', () => {
  it('is what a snapshot shows, distinct in type from the real one', async () => {
    const supervisor = await runningFleet();
    const shown: RedactedTransportConfig = supervisor.getServiceInfo('notes').config.transport;
    expect(shown).toEqual({ ...stdio, env: { NOTES_TOKEN: '***' } });
    expect(isRedactedTransport(shown)).toBe(true);
    await supervisor.stop();
  });

  it('does not type-check as a service to add, and is refused at run time with what to do', async () => {
    const supervisor = await runningFleet();
    const shown = supervisor.getServiceInfo('notes').config.transport;
    // @ts-expect-error -- deliberate type assertion: a snapshot's redacted transport is not a ServiceSpec's transport.
    expect(() => supervisor.addService({ name: 'copy', transport: shown })).toThrow(RedactedTransportError);
    expect(() => supervisor.addService({ name: 'copy', transport: shown as TransportConfig })).toThrow(
      "the transport given for service 'copy' is a redacted copy, as snapshots show it (its secret values read '***') — " +
        'pass the real transport config: the one you loaded or built, not snapshot.config.transport',
    );
    expect(supervisor.listServices().map((service) => service.key)).toEqual(['notes']);
    await supervisor.stop();
  });

  it('is refused when built into a fleet from code', () => {
    const shown = redactTransport(stdio);
    // @ts-expect-error -- deliberate type assertion: a fleet's services take real transports only.
    expect(() => new Supervisor({ services: [{ name: 'copy', transport: shown }] })).toThrow(RedactedTransportError);
  });

  it('is recognised after a copy that loses its brand (spread, JSON), by its `***` values', () => {
    for (const real of [stdio, http]) {
      const redacted = redactTransport(real);
      expect(isRedactedTransport(redacted)).toBe(true);
      expect(isRedactedTransport({ ...redacted })).toBe(true);
      expect(isRedactedTransport(JSON.parse(JSON.stringify(redacted)) as TransportConfig)).toBe(true);
      expect(isRedactedTransport(real)).toBe(false);
    }
    // A URL whose only secret was its credentials still reads `***` there.
    expect(isRedactedTransport({ ...redactTransport({ ...http, headers: {} }) })).toBe(true);
  });

  it('leaves real transports alone: one with nothing to hide is added as it is', async () => {
    const supervisor = await runningFleet();
    supervisor.addService({ name: 'plain', transport: { type: 'stdio', command: 'node', args: ['plain.mjs'], env: {} } });
    supervisor.addService({ name: 'remote', transport: http });
    expect(supervisor.listServices().map((service) => service.key).sort()).toEqual(['notes', 'plain', 'remote']);
    await supervisor.stop();
  });
});

describe('the service context', () => {
  it('holds the redacted copy of the transport it was given, typed as one', () => {
    expectTypeOf<ServiceContext['transport']>().toEqualTypeOf<RedactedTransportConfig>();
    const { transport } = initialServiceContext({ serviceName: 'notes', transport: stdio }, 0);
    expect(isRedactedTransport(transport)).toBe(true);
    expect(transport).toMatchObject({ env: { NOTES_TOKEN: '***' } });
  });
});
