// Lazy mode: instead of every tool of the fleet (thousands of schemas in the agent's context), three
// meta-tools — search the fleet's tools by words, describe one, call one by its full name.

import type { Tool } from '@modelcontextprotocol/server';
import type { ToolEntry } from './catalogue.js';

export const SEARCH_TOOL = 'search_tools';
export const DESCRIBE_TOOL = 'describe_tool';
export const CALL_TOOL = 'call_tool';

export const LAZY_TOOLS: readonly Tool[] = [
  {
    name: SEARCH_TOOL,
    title: 'Search the fleet’s tools',
    description:
      'Finds tools of the MCP servers behind this gateway by words of their names and descriptions. Returns the best matches, with their full names; describe one with describe_tool, then call it with call_tool.',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Words to look for, e.g. "create issue" or "read file".' },
        limit: { type: 'integer', minimum: 1, maximum: 50, description: 'How many matches at most (default 10).' },
      },
      required: ['query'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: DESCRIBE_TOOL,
    title: 'Describe a tool',
    description: 'The full description and input schema of one tool, by the full name search_tools gave.',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: CALL_TOOL,
    title: 'Call a tool',
    description: 'Calls one tool of the fleet by its full name, with the arguments its input schema describes.',
    inputSchema: {
      type: 'object',
      properties: { name: { type: 'string' }, arguments: { type: 'object', additionalProperties: true } },
      required: ['name'],
    },
  },
];

/** The tool as a client would list it: the server's, under its gateway name. */
export function listedTool(entry: ToolEntry): Tool {
  return { ...entry.tool, name: entry.name } as Tool;
}

/**
 * The tools matching most of the query's words: a word in the name counts twice, in the title or
 * description once; ties go by name. Tools matching no word are left out.
 */
export function searchTools(tools: readonly ToolEntry[], query: string, limit: number): ToolEntry[] {
  const words = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length === 0) return [];
  return tools
    .map((entry) => {
      const name = entry.name.toLowerCase();
      const text = `${entry.tool.title ?? ''} ${entry.tool.description ?? ''}`.toLowerCase();
      const score = words.reduce((sum, word) => sum + (name.includes(word) ? 2 : 0) + (text.includes(word) ? 1 : 0), 0);
      return { entry, score };
    })
    .filter((scored) => scored.score > 0)
    .sort((a, b) => b.score - a.score || a.entry.name.localeCompare(b.entry.name))
    .slice(0, limit)
    .map((scored) => scored.entry);
}
