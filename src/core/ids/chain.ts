/**
 * The chain of hops: `root,hop,hop`. Pure.
 *
 * The root is the request id; each tracehop service that receives a request
 * appends its own hop id (its server span id). The chain is bounded so that
 * it stays far inside the W3C Baggage limits whatever a caller sends: the
 * root and the `MAX_CHAIN_HOPS` most recent hops are kept, at most
 * 128 + 9 * (1 + 128) = 1,289 bytes.
 */

/** How many hops (not counting the root) a chain keeps. */
export const MAX_CHAIN_HOPS = 9;

/** Appends `hop` to `incoming` (root first), keeping the root and the most recent hops. */
export function extendChain(incoming: readonly string[], hop: string): string {
  const hops = incoming.length - 1;
  if (hops < MAX_CHAIN_HOPS) {
    return incoming.length === 1 ? `${incoming[0]},${hop}` : `${incoming.join(',')},${hop}`;
  }
  const kept = incoming.slice(incoming.length - (MAX_CHAIN_HOPS - 1));
  return `${incoming[0]},${kept.join(',')},${hop}`;
}
