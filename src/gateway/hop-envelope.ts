// A result the gateway passes on keeps everything its server sent but the protocol's own envelope keys
// in `_meta` (`io.modelcontextprotocol/…`, such as the server's identity): those described the hop from
// the server to the gateway, and the gateway's SDK writes its own for the hop to the client.

const RESERVED_PREFIX = 'io.modelcontextprotocol/';

export function withoutHopEnvelope<T extends { _meta?: Record<string, unknown> }>(result: T): T {
  const meta = result._meta;
  if (!meta || !Object.keys(meta).some((key) => key.startsWith(RESERVED_PREFIX))) return result;
  const kept = Object.fromEntries(Object.entries(meta).filter(([key]) => !key.startsWith(RESERVED_PREFIX)));
  const { _meta: _dropped, ...rest } = result;
  return (Object.keys(kept).length === 0 ? rest : { ...rest, _meta: kept }) as T;
}
