/**
 * RFC 5256 2.1: the base subject SORT (SUBJECT) and THREAD compare. The input is the Subject
 * already decoded from RFC 2047 encoded words (step 1's first half).
 */

/** A bounded loop guard: each pass removes at least one character, so this is never reached. */
const MAX_PASSES = 10_000;

/** RFC 5256 5: subj-blob = "[" *BLOBCHAR "]" *WSP. */
const BLOB = /^\[[^[\]]*\][ \t]*/;
/** RFC 5256 5: subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":". */
const REFWD = /^(?:re|fwd?)[ \t]*(?:\[[^[\]]*\][ \t]*)?:/i;

export interface BaseSubject {
  /** The base subject (RFC 5256 2.1 step 7). */
  base: string;
  /** RFC 5256 2.1 / 5: whether a reply or forward prefix or trailer was removed (THREAD uses it). */
  isReplyOrForward: boolean;
}

export function baseSubject(decoded: string): BaseSubject {
  // (1) Tabs and folding to single spaces, runs of spaces to one.
  let subject = decoded.replace(/\r?\n/g, '').replace(/[ \t]+/g, ' ');
  let isReplyOrForward = false;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    // (2) Remove trailing "(fwd)" and whitespace, repeatedly.
    for (;;) {
      const trimmed = subject.replace(/[ \t]+$/, '');
      if (/\(fwd\)$/i.test(trimmed)) {
        subject = trimmed.slice(0, -5);
        isReplyOrForward = true;
        continue;
      }
      subject = trimmed;
      break;
    }
    // (3)-(5) Remove leaders (blobs before re/fw/fwd ":", and whitespace) and lone leading blobs.
    for (;;) {
      const leader = stripLeader(subject);
      if (leader !== null) {
        subject = leader.rest;
        if (leader.refwd) isReplyOrForward = true;
        continue;
      }
      const blob = BLOB.exec(subject);
      // (4) A leading blob goes only if something is left after it.
      if (blob !== null && subject.length > blob[0].length) {
        subject = subject.slice(blob[0].length);
        continue;
      }
      break;
    }
    // (6) "[fwd: ... ]" around the whole: unwrap and start again at (2).
    if (/^\[fwd:/i.test(subject) && subject.endsWith(']')) {
      subject = subject.slice(5, -1).replace(/^[ \t]+/, '');
      isReplyOrForward = true;
      continue;
    }
    break;
  }
  return { base: subject, isReplyOrForward };
}

/**
 * RFC 5256 5: subj-leader = (*subj-blob subj-refwd) / WSP. Returns the text after one leader, or
 * null when none starts the subject.
 */
function stripLeader(subject: string): { rest: string; refwd: boolean } | null {
  if (subject.startsWith(' ') || subject.startsWith('\t')) return { rest: subject.slice(1), refwd: false };
  let rest = subject;
  for (;;) {
    const refwd = REFWD.exec(rest);
    if (refwd !== null) return { rest: rest.slice(refwd[0].length), refwd: true };
    const blob = BLOB.exec(rest);
    if (blob === null) return null;
    rest = rest.slice(blob[0].length);
  }
}
