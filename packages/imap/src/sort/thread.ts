/**
 * THREAD (RFC 5256 4): ORDEREDSUBJECT, REFERENCES, and Dovecot's REFS (REFERENCES without
 * gathering by subject, threads ordered by their newest message). Pure: the command file reads
 * the headers and hands over one ThreadInput per matching message.
 *
 * Every walk over a tree is iterative: a reply chain thousands of messages deep (anyone can mail
 * one in) must not overflow the stack.
 */
import { AsciiOut } from './ascii-out.js';
import { compareKeys } from './collation.js';

export interface ThreadInput {
  /** What the response names the message by: its sequence number or its UID. */
  id: number;
  /** Mailbox order, the last tie-breaker (RFC 5256 2.2). */
  sequence: number;
  /** The sent date (RFC 5256 2.2: Date: header in UTC, else the internal date), as SORT (DATE). */
  date: number;
  /** The base subject (RFC 5256 2.1) as an i;unicode-casemap key, and whether it was a reply/forward. */
  subject: string;
  isReplyOrForward: boolean;
  /** Message-ID, unique among the inputs (the command gives duplicates and absent ones their own). */
  messageId: string;
  /** References, else the first In-Reply-To id (RFC 5256 4 step 1); never the message's own id. */
  references: readonly string[];
}

export type ThreadAlgorithm = 'ORDEREDSUBJECT' | 'REFERENCES' | 'REFS';

interface Node {
  /** null for a dummy: a message referred to but not among the inputs. */
  message: ThreadInput | null;
  parent: Node | null;
  children: Node[];
}

/** The `* THREAD` response's data (without `THREAD`): `(2)(3 6 (4 23)(44 7 96))`. */
export function threadResponse(algorithm: ThreadAlgorithm, messages: readonly ThreadInput[]): string {
  const roots = algorithm === 'ORDEREDSUBJECT' ? orderedSubject(messages) : references(messages, algorithm);
  const out = new AsciiOut();
  for (const root of roots) {
    out.byte(OPEN);
    format(root, out);
    out.byte(CLOSE);
  }
  return out.text();
}

/**
 * RFC 5256 4 ORDEREDSUBJECT: sorted by base subject, then sent date; each run of one base subject
 * is a thread whose first message is the parent of all the others (no grandchildren); threads in
 * the order of their first message's sent date.
 */
function orderedSubject(messages: readonly ThreadInput[]): Node[] {
  const sorted = [...messages].sort(
    (a, b) => compareKeys(a.subject, b.subject) || a.date - b.date || a.sequence - b.sequence,
  );
  const roots: Node[] = [];
  let current: Node | null = null;
  for (const message of sorted) {
    if (current !== null && current.message?.subject === message.subject) {
      current.children.push({ message, parent: current, children: [] });
      continue;
    }
    current = { message, parent: null, children: [] };
    roots.push(current);
  }
  return sortByDate(roots);
}

/** RFC 5256 4 REFERENCES (steps 1-6); REFS skips step 5 and orders threads by their newest message. */
function references(messages: readonly ThreadInput[], algorithm: 'REFERENCES' | 'REFS'): Node[] {
  const table = new Map<string, Node>();
  const nodeFor = (id: string): Node => {
    let node = table.get(id);
    if (node === undefined) {
      // (1)(A): a Message-ID no message has becomes a dummy, used for every later reference to it.
      node = { message: null, parent: null, children: NO_CHILDREN };
      table.set(id, node);
    }
    return node;
  };
  for (const message of inSequenceOrder(messages)) {
    const own = nodeFor(message.messageId);
    own.message = message;
    // (1)(A): each reference is the parent of the next, unless the child already has a parent
    // (a References line may have been truncated) or the link would make a loop.
    let previous: Node | null = null;
    for (const id of message.references) {
      const node = nodeFor(id);
      if (previous !== null && node.parent === null && !isAncestorOrSelf(node, previous))
        link(previous, node);
      previous = node;
    }
    // (1)(B): the last reference is the message's parent, replacing a link an earlier message's
    // truncated References made; none when that would make a loop or there are no references.
    unlink(own);
    if (previous !== null && !isAncestorOrSelf(own, previous)) link(previous, own);
  }
  // (2) The messages without a parent are the root's children; (3) dummies are pruned.
  const parentless: Node[] = [];
  for (const node of table.values()) if (node.parent === null) parentless.push(node);
  let roots = prune(parentless);
  if (algorithm === 'REFS') {
    // Dovecot's REFS: no subject gathering; siblings by sent date, threads by their newest
    // message's sent date (oldest first, so the most recently active thread is last).
    sortSiblings(roots);
    const newest = newestDates(roots);
    return roots.sort(
      (a, b) => (newest.get(a) as number) - (newest.get(b) as number) || firstSequence(a) - firstSequence(b),
    );
  }
  // (4) The root's children by sent date, a dummy by its first (oldest) child.
  sortSiblings(roots);
  sortByDate(roots);
  // (5) Threads with the same base subject are merged.
  roots = gatherBySubject(roots);
  // (6) Every set of siblings by sent date, the deepest first.
  sortSiblings(roots);
  return sortByDate(roots);
}

/** The messages by sequence number (the command passes them so already: then no copy). */
function inSequenceOrder(messages: readonly ThreadInput[]): readonly ThreadInput[] {
  for (let i = 1; i < messages.length; i += 1)
    if ((messages[i] as ThreadInput).sequence < (messages[i - 1] as ThreadInput).sequence)
      return [...messages].sort((a, b) => a.sequence - b.sequence);
  return messages;
}

/**
 * The children of every node that has none yet: one shared empty array, never added to (link
 * gives a node its own array), so 100,000 childless messages cost no 100,000 arrays.
 */
const NO_CHILDREN: Node[] = [];

function link(parent: Node, child: Node): void {
  child.parent = parent;
  if (parent.children === NO_CHILDREN) parent.children = [child];
  else parent.children.push(child);
}

function unlink(child: Node): void {
  const parent = child.parent;
  if (parent === null) return;
  parent.children = parent.children.filter((node) => node !== child);
  child.parent = null;
}

/** Whether `ancestor` is `node` or above it (linking `ancestor` below `node` would make a loop). */
function isAncestorOrSelf(ancestor: Node, node: Node): boolean {
  // A node without children is above nothing (the common case: a message seen the first time).
  if (ancestor.children.length === 0) return ancestor === node;
  for (let current: Node | null = node; current !== null; current = current.parent)
    if (current === ancestor) return true;
  return false;
}

/** The nodes of the trees under `roots`, every child before its parent. */
function childrenFirst(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    order.push(node);
    stack.push(...node.children);
  }
  return order.reverse();
}

/** childrenFirst without the childless nodes (nothing to prune or sort below them). */
function parentsChildrenFirst(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const stack: Node[] = [];
  for (const root of roots) if (root.children.length > 0) stack.push(root);
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    order.push(node);
    for (const child of node.children) if (child.children.length > 0) stack.push(child);
  }
  return order.reverse();
}

/**
 * (3) A dummy without children is deleted; a dummy with children is replaced by them, except
 * at the top where a dummy with several children stays (it holds a thread together).
 */
function prune(roots: readonly Node[]): Node[] {
  const promoted = (nodes: readonly Node[], parent: Node | null, atRoot: boolean): Node[] => {
    const kept: Node[] = [];
    for (const node of nodes) {
      if (node.message !== null || (atRoot && node.children.length > 1)) {
        node.parent = parent;
        kept.push(node);
        continue;
      }
      // Its children were pruned already (children first), so none of them is a dummy.
      for (const child of node.children) {
        child.parent = parent;
        kept.push(child);
      }
    }
    return kept;
  };
  for (const node of parentsChildrenFirst(roots)) node.children = promoted(node.children, node, false);
  return promoted(roots, null, true);
}

/** Sorts the children of every node under `roots` by sent date, the deepest first. */
function sortSiblings(roots: readonly Node[]): void {
  for (const node of parentsChildrenFirst(roots)) if (node.children.length > 1) sortByDate(node.children);
}

/**
 * `nodes.sort(byDate)` (the same stable order), with each node's date and sequence read once
 * instead of in every comparison: a node's representative cannot change while its siblings are
 * sorted (its own children are sorted already, children first).
 */
function sortByDate(nodes: Node[]): Node[] {
  const count = nodes.length;
  if (count < 16) return nodes.sort(byDate);
  const dates = new Float64Array(count);
  const sequences = new Float64Array(count);
  const order = new Array<number>(count);
  for (let i = 0; i < count; i += 1) {
    const message = representative(nodes[i] as Node);
    dates[i] = message?.date ?? 0;
    sequences[i] = message?.sequence ?? 0;
    order[i] = i;
  }
  order.sort(
    (a, b) =>
      (dates[a] as number) - (dates[b] as number) || (sequences[a] as number) - (sequences[b] as number),
  );
  const before = nodes.slice();
  for (let i = 0; i < count; i += 1) nodes[i] = before[order[i] as number] as Node;
  return nodes;
}

/** The message a node is known by: its own, or a dummy's first child's (never a dummy after (3)). */
function representative(node: Node): ThreadInput | null {
  return node.message ?? node.children[0]?.message ?? null;
}

function byDate(a: Node, b: Node): number {
  return (
    (representative(a)?.date ?? 0) - (representative(b)?.date ?? 0) || firstSequence(a) - firstSequence(b)
  );
}

function firstSequence(node: Node): number {
  return representative(node)?.sequence ?? 0;
}

/** Each root's newest sent date over its whole thread. */
function newestDates(roots: readonly Node[]): Map<Node, number> {
  const newest = new Map<Node, number>();
  for (const node of childrenFirst(roots)) {
    let date = node.message?.date ?? Number.NEGATIVE_INFINITY;
    for (const child of node.children) date = Math.max(date, newest.get(child) as number);
    newest.set(node, date);
  }
  return newest;
}

/** (5)(B)(i) The thread's subject: the root message's base subject, or a dummy's first child's. */
function threadSubject(root: Node): string {
  return representative(root)?.subject ?? '';
}

/** (5) Gathers the root's children that have the same base subject (roots in (4)'s order). */
function gatherBySubject(roots: readonly Node[]): Node[] {
  // Each distinct non-empty subject gets a slot (one Map lookup per root, not one per pass).
  const slots = new Map<string, number>();
  const slotOf = new Int32Array(roots.length);
  // (A), (B): one root per subject, preferring a dummy, then a message that is not a reply.
  const held: Node[] = [];
  for (let i = 0; i < roots.length; i += 1) {
    const root = roots[i] as Node;
    const subject = threadSubject(root);
    if (subject === '') {
      slotOf[i] = -1;
      continue;
    }
    let slot = slots.get(subject);
    if (slot === undefined) {
      slot = held.length;
      slots.set(subject, slot);
      held.push(root);
    } else {
      const kept = held[slot] as Node;
      if (
        kept.message !== null &&
        (root.message === null || (kept.message.isReplyOrForward && !root.message.isReplyOrForward))
      )
        held[slot] = root;
    }
    slotOf[i] = slot;
  }
  // (C): every other root with that subject is merged into the table's.
  const result: Node[] = [];
  // Where each slot's held root is in `result` (-1: not placed).
  const placedAt = new Int32Array(held.length).fill(-1);
  for (let i = 0; i < roots.length; i += 1) {
    const root = roots[i] as Node;
    const slot = slotOf[i] as number;
    const table = slot === -1 ? undefined : (held[slot] as Node);
    if (table === undefined || table === root) {
      if (slot !== -1) placedAt[slot] = result.length;
      result.push(root);
      continue;
    }
    if (table.message === null && root.message === null) {
      // Both dummies: the current one's children join the table's.
      for (const child of root.children) link(table, child);
      root.children = NO_CHILDREN;
    } else if (table.message === null) {
      link(table, root);
    } else if (root.message !== null && root.message.isReplyOrForward && !table.message.isReplyOrForward) {
      link(table, root);
    } else {
      // A new dummy holds both, and takes the table's place (and its place among the roots:
      // the table's root came first in (4)'s order, see below).
      const dummy: Node = { message: null, parent: null, children: NO_CHILDREN };
      const index = placedAt[slot] as number;
      if (index === -1) {
        placedAt[slot] = result.length;
        result.push(dummy);
      } else {
        result[index] = dummy;
      }
      link(dummy, table);
      link(dummy, root);
      held[slot] = dummy;
    }
  }
  // The table only ever holds a later root than the current one when that root is a dummy or a
  // non-reply replacing a reply; both merge the current root below it, so a merged root is never
  // in `result` and a dummy made in (C) replaces a root already placed.
  return result;
}

/**
 * RFC 5256 5: thread-list = "(" (thread-members / thread-nested) ")", thread-members =
 * nz-number *(SP nz-number) [SP thread-nested], thread-nested = 2*thread-list. Iterative.
 */
function format(root: Node, out: AsciiOut): void {
  // Nodes and literal characters (OPEN, CLOSE, SPACE) still to write, the next on top.
  const stack: Array<Node | number> = [root];
  while (stack.length > 0) {
    const item = stack.pop() as Node | number;
    if (typeof item === 'number') {
      out.byte(item);
      continue;
    }
    const children = item.children;
    if (item.message !== null) out.number(item.message.id);
    if (children.length === 1) {
      stack.push(children[0] as Node);
    } else if (children.length > 1) {
      for (let i = children.length - 1; i >= 0; i -= 1) stack.push(CLOSE, children[i] as Node, OPEN);
    }
    if (item.message !== null && children.length > 0) stack.push(SPACE);
  }
}

const OPEN = 0x28;
const CLOSE = 0x29;
const SPACE = 0x20;
