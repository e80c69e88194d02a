/**
 * Picks the node for a new subscriber connection: at random, but not the one picked last time when
 * there is another, since a new connection is only needed when the last one gave up on its node.
 */
export function nodePicker<T>(): (nodes: readonly T[]) => T {
  let previous: T | undefined;
  return (nodes) => {
    const candidates = nodes.length > 1 ? nodes.filter((node) => node !== previous) : nodes;
    const node = candidates[Math.floor(Math.random() * candidates.length)];
    if (node === undefined) throw new Error('no cluster master known yet');
    previous = node;
    return node;
  };
}
