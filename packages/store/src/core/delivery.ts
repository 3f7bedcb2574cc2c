import { parseAddress } from './addresses.js';
import { normalizeFlags } from './flags.js';
import { StoreError, type DeliveryRequest } from './types.js';
import type { PreparedDelivery } from './write-ops.js';
import type { IndexedBody } from './search-types.js';

/**
 * The checks every backend makes before a delivery reaches its write transaction: a body, at
 * least one local target or remote recipient, valid flags and date, normalized recipients. The
 * MIME description is computed here too, outside the transaction, so parsing never holds up the
 * other writes of a group commit.
 */
export function prepareDelivery(
  request: DeliveryRequest,
  describe: (raw: Buffer) => string | null,
  index: (raw: Buffer) => IndexedBody | null = () => null,
  sortKeys: (raw: Buffer) => string | null = () => null,
): PreparedDelivery {
  const raw = request.raw;
  if (raw === undefined || request.spooled !== undefined)
    throw new StoreError('INVALID', 'a delivery needs exactly one of raw and spooled');
  if (raw.length === 0) throw new StoreError('INVALID', 'message is empty');
  const recipients = (request.outbound?.recipients ?? []).map((recipient) => parseAddress(recipient).address);
  if (request.targets.length === 0 && recipients.length === 0) {
    throw new StoreError('INVALID', 'delivery has neither local targets nor outbound recipients');
  }
  const internalDate = request.internalDate ?? new Date();
  if (Number.isNaN(internalDate.getTime()))
    throw new StoreError('INVALID', 'internal date is not a valid date');
  return {
    raw: compactBytes(raw),
    targets: request.targets.map((t) => (t.flags ? { ...t, flags: normalizeFlags(t.flags) } : t)),
    flags: normalizeFlags(request.flags ?? []),
    internalDate,
    recipients,
    sender: request.outbound?.sender ?? '',
    dsn: recipients.map((_, i) => request.outbound?.dsn?.[i] ?? null),
    structure: describe(raw),
    sortKeys: sortKeys(raw),
    enforceQuota: request.quota === 'enforce',
    search: index(raw),
  };
}

/**
 * A message that is a small view on a much larger buffer (e.g. a literal sliced from a read
 * buffer) is copied out: posted to a writer thread, a view clones its whole backing buffer.
 */
function compactBytes(raw: Buffer): Buffer {
  return raw.byteLength * 2 < raw.buffer.byteLength ? Buffer.from(raw) : raw;
}
