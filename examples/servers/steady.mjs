#!/usr/bin/env node
// Demo server "steady": always answers at once. A few small, useful tools.
//
//   node examples/servers/steady.mjs

import { z } from 'zod';
import { serveOverStdio, serverFlags, text } from './demo-server.mjs';

serverFlags({});

serveOverStdio('steady', (server) => {
  server.registerTool(
    'echo',
    { description: 'Returns the text it is given.', inputSchema: z.object({ text: z.string() }) },
    async ({ text: value }) => text(value),
  );
  server.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    async ({ a, b }) => text(a + b),
  );
  server.registerTool(
    'now',
    { description: 'The current time as ISO-8601 (UTC), and the server’s time zone.' },
    async () => text(`${new Date().toISOString()} (${Intl.DateTimeFormat().resolvedOptions().timeZone})`),
  );
  server.registerTool(
    'word_count',
    { description: 'Counts the words, lines and characters of a text.', inputSchema: z.object({ text: z.string() }) },
    async ({ text: value }) => {
      const words = value.trim() === '' ? 0 : value.trim().split(/\s+/).length;
      return text(JSON.stringify({ words, lines: value.split('\n').length, characters: [...value].length }));
    },
  );
});
