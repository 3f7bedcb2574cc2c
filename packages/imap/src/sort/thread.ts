/**
 * THREAD (RFC 5256 4): ORDEREDSUBJECT, REFERENCES, and Dovecot's REFS (REFERENCES without
 * gathering by subject, threads ordered by their newest message). Pure: the command file reads
 * the headers and hands over one ThreadInput per matching message.
 */
import { compareKeys } from './collation.js';

export interface ThreadInput {
  /** What the response names the message by: its sequence number or its UID. */
  id: number;
  /** Mailbox order, the last tie-breaker (RFC 5256 3). */
  sequence: number;
  /** The sent date (Date: header, else the internal date), as for SORT (DATE). */
  date: number;
  /** The base subject as a collation key (sort-keys.ts), and whether it was a reply/forward. */
  subject: string;
  isReplyOrForward: boolean;
  /** Message-ID without duplicates (the command gives duplicates and absent ones a unique id). */
  messageId: string;
  /** References, else the first In-Reply-To id (RFC 5256 4 step 1). */
  references: readonly string[];
}

export type ThreadAlgorithm = 'ORDEREDSUBJECT' | 'REFERENCES' | 'REFS';

interface Node {
  message: ThreadInput | null;
  parent: Node | null;
  children: Node[];
}

/** The `* THREAD` response's data (without `THREAD`): `(2)(3 6 (4 23)(44 7 96))`. */
export function threadResponse(algorithm: ThreadAlgorithm, messages: readonly ThreadInput[]): string {
  const roots = algorithm === 'ORDEREDSUBJECT' ? orderedSubject(messages) : references(messages, algorithm);
  return roots.map((root) => `(${format(root)})`).join('');
}

/** RFC 5256 4 ORDEREDSUBJECT: by base subject, then date; the first of each is the parent of the rest. */
function orderedSubject(messages: readonly ThreadInput[]): Node[] {
  const sorted = [...messages].sort(
    (a, b) => compareKeys(a.subject, b.subject) || a.date - b.date || a.sequence - b.sequence,
  );
  const roots: Node[] = [];
  let current: Node | null = null;
  for (const message of sorted) {
    if (current?.message !== null && current?.message.subject === message.subject) {
      current.children.push({ message, parent: current, children: [] });
      continue;
    }
    current = { message, parent: null, children: [] };
    roots.push(current);
  }
  // Threads in the order of their first message's date (children are already by date).
  return roots.sort(byDate);
}

/** RFC 5256 4 REFERENCES (steps 1-6), and REFS: no step 5, threads by their newest message. */
function references(messages: readonly ThreadInput[], algorithm: 'REFERENCES' | 'REFS'): Node[] {
  const table = new Map<string, Node>();
  const nodeFor = (id: string): Node => {
    let node = table.get(id);
    if (node === undefined) {
      node = { message: null, parent: null, children: [] };
      table.set(id, node);
    }
    return node;
  };
  // Step 1: link each message's references into a chain and the message below its last one.
  for (const message of [...messages].sort((a, b) => a.sequence - b.sequence)) {
    const own = nodeFor(message.messageId);
    own.message = message;
    let previous: Node | null = null;
    for (const id of message.references) {
      const node = nodeFor(id);
      // (A) Link parent to child unless one is already linked or it would make a loop.
      if (previous !== null && node.parent === null && !isAncestor(node, previous) && node !== previous)
        link(previous, node);
      previous = node;
    }
    // (B) The last reference is the parent, replacing a link a truncated References made.
    if (own.parent !== null) unlink(own);
    if (previous !== null && previous !== own && !isAncestor(own, previous)) link(previous, own);
  }
  // Step 2: the root set; step 4: prune dummies.
  let roots = prune(
    [...new Set(table.values())].filter((node) => node.parent === null),
    true,
  );
  if (algorithm === 'REFERENCES') roots = gatherBySubject(roots);
  // Step 6: siblings by date (a dummy by its first child's).
  for (const root of roots) sortTree(root);
  if (algorithm === 'REFS') {
    // Dovecot's REFS: threads by their newest message (its date), oldest thread first.
    const newest = new Map(roots.map((root) => [root, newestDate(root)]));
    return roots.sort(
      (a, b) => (newest.get(a) as number) - (newest.get(b) as number) || firstSequence(a) - firstSequence(b),
    );
  }
  return roots.sort(byDate);
}

function link(parent: Node, child: Node): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Node): void {
  const parent = child.parent;
  if (parent === null) return;
  parent.children = parent.children.filter((node) => node !== child);
  child.parent = null;
}

/** Whether `ancestor` is `node` or above it. */
function isAncestor(ancestor: Node, node: Node): boolean {
  for (let current: Node | null = node; current !== null; current = current.parent)
    if (current === ancestor) return true;
  return false;
}

/**
 * Step 4: dummies without children go; a dummy's children take its place, except at the root
 * where a dummy with several children stays (it holds a thread together).
 */
function prune(nodes: readonly Node[], atRoot: boolean): Node[] {
  const result: Node[] = [];
  for (const node of nodes) {
    node.children = prune(node.children, false);
    for (const child of node.children) child.parent = node;
    if (node.message !== null) {
      result.push(node);
      continue;
    }
    if (node.children.length === 0) continue;
    if (atRoot && node.children.length > 1) {
      result.push(node);
      continue;
    }
    for (const child of node.children) {
      child.parent = node.parent;
      result.push(child);
    }
  }
  return result;
}

/** The message a thread is known by: the node's own, or a dummy's first child's. */
function representative(node: Node): ThreadInput | null {
  if (node.message !== null) return node.message;
  const first = node.children[0];
  return first === undefined ? null : representative(first);
}

/** Step 5: roots with the same base subject become one thread. */
function gatherBySubject(roots: Node[]): Node[] {
  const bySubject = new Map<string, Node>();
  for (const root of roots) {
    const message = representative(root);
    // (A) An empty subject is not gathered.
    if (message === null || message.subject === '') continue;
    const existing = bySubject.get(message.subject);
    // (B) Prefer a dummy, then a message that is not a reply or forward.
    if (
      existing === undefined ||
      (root.message === null && existing.message !== null) ||
      (existing.message?.isReplyOrForward === true && root.message !== null && !root.message.isReplyOrForward)
    )
      bySubject.set(message.subject, root);
  }
  const result: Node[] = [];
  const merged = new Set<Node>();
  for (const root of roots) {
    const message = representative(root);
    const other = message === null || message.subject === '' ? undefined : bySubject.get(message.subject);
    if (other === undefined || other === root) {
      result.push(root);
      continue;
    }
    // (C) Merge this root into the one the table holds.
    merged.add(root);
    if (other.message === null && root.message === null) {
      for (const child of root.children) link(other, child);
      root.children = [];
    } else if (other.message === null) {
      link(other, root);
    } else if (root.message === null) {
      // The table prefers dummies, so this only happens when the table's was set first as one.
      link(root, other);
      bySubject.set(message!.subject, root);
      merged.delete(root);
      merged.add(other);
      replace(result, other, root);
    } else if (root.message.isReplyOrForward && !other.message.isReplyOrForward) {
      link(other, root);
    } else {
      // Both messages, equally replies or not: a new dummy holds both.
      const dummy: Node = { message: null, parent: null, children: [] };
      replace(result, other, dummy);
      bySubject.set(message!.subject, dummy);
      link(dummy, other);
      link(dummy, root);
    }
  }
  return result.filter((node) => node.parent === null);
}

function replace(list: Node[], from: Node, to: Node): void {
  const index = list.indexOf(from);
  if (index === -1) list.push(to);
  else list[index] = to;
}

function sortTree(node: Node): void {
  for (const child of node.children) sortTree(child);
  node.children.sort(byDate);
}

function dateOf(node: Node): number {
  return representative(node)?.date ?? 0;
}

function firstSequence(node: Node): number {
  return representative(node)?.sequence ?? 0;
}

function byDate(a: Node, b: Node): number {
  return dateOf(a) - dateOf(b) || firstSequence(a) - firstSequence(b);
}

function newestDate(node: Node): number {
  let newest = node.message?.date ?? Number.NEGATIVE_INFINITY;
  for (const child of node.children) newest = Math.max(newest, newestDate(child));
  return newest;
}

/** RFC 5256 5: thread-members = nz-number *(SP nz-number) [SP thread-nested]. */
function format(node: Node): string {
  const children = node.children;
  if (node.message === null) {
    if (children.length === 1) return format(children[0] as Node);
    return children.map((child) => `(${format(child)})`).join('');
  }
  const id = String(node.message.id);
  if (children.length === 0) return id;
  if (children.length === 1) return `${id} ${format(children[0] as Node)}`;
  return `${id} ${children.map((child) => `(${format(child)})`).join('')}`;
}
