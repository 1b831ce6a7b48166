// A reply too large to read is answered at once with an error, rather than left for its caller to time
// out: the id of the JSON-RPC response an over-long line carried is read from its first or last bytes
// (servers put `"id"` first or last), and the caller's request gets a synthetic error response.

import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { OversizedLine } from './line-buffer.js';

/** Marks the synthetic error, so the caller's failure can be told from one the server sent. */
export const MESSAGE_TOO_LARGE = 'message_too_large';

const ID = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
const ID_FIRST = new RegExp(String.raw`^\s*\{(?:\s*"jsonrpc"\s*:\s*"2\.0"\s*,)?\s*"id"\s*:\s*${ID}`);
const ID_LAST = new RegExp(String.raw`"id"\s*:\s*${ID}\s*(?:,\s*"jsonrpc"\s*:\s*"2\.0"\s*)?\}\s*$`);

/** The id of the response the line carried, or null when neither end names one at the top level. */
export function responseIdOf(line: OversizedLine): string | number | null {
  const found = ID_FIRST.exec(line.head)?.[1] ?? ID_LAST.exec(line.tail)?.[1];
  if (found === undefined) return null;
  return found.startsWith('"') ? (JSON.parse(found) as string) : Number(found);
}

export interface MessageTooLargeData {
  reason: typeof MESSAGE_TOO_LARGE;
  bytes: number;
  limitBytes: number;
}

/** The error response delivered in place of the reply that could not be read. */
export function tooLargeReply(id: string | number, bytes: number, limitBytes: number): JSONRPCMessage {
  const data: MessageTooLargeData = { reason: MESSAGE_TOO_LARGE, bytes, limitBytes };
  return { jsonrpc: '2.0', id, error: { code: -32603, message: 'reply over the message size limit', data } };
}

export function isMessageTooLarge(data: unknown): data is MessageTooLargeData {
  return typeof data === 'object' && data !== null && (data as { reason?: unknown }).reason === MESSAGE_TOO_LARGE;
}
