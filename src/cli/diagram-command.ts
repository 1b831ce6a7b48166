// `mcp-supervisor diagram`: the service lifecycle statechart, derived from the machine itself.

import { toDiagramJson, toMermaid } from '../machines/diagram.js';
import { serviceMachine } from '../machines/service.machine.js';
import { parseCommandArgs, UsageError, type Command } from './command.js';

const FORMATS = ['mermaid', 'json'] as const;

export const diagramCommand: Command = {
  help: `Usage: mcp-supervisor diagram [--format mermaid|json]

Prints the lifecycle statechart every service runs, generated from the machine itself (so it cannot
drift from the code): its seven states and every transition with the events, guards and delays that
take it.

Options:
  --format mermaid|json   mermaid (default): a stateDiagram-v2 to paste into a Markdown file or
                          https://mermaid.live; json: { states, edges: [{ from, to, causes }] }
  -h, --help              show this help
`,
  execute(args, io) {
    const { values } = parseCommandArgs('diagram', args, { format: { type: 'string', short: 'f', default: 'mermaid' } }, { max: 0 });
    const format = values.format;
    if (format === 'json') io.stdout.write(`${JSON.stringify(toDiagramJson(serviceMachine), null, 2)}\n`);
    else if (format === 'mermaid') io.stdout.write(toMermaid(serviceMachine));
    else throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`, 'diagram');
    return Promise.resolve(0);
  },
};
