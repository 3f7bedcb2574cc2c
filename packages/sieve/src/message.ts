/**
 * What a script can see of a message (RFC 5228 1.1: headers, envelope, size; RFC 5173: body
 * parts). The interpreter reads only this interface; messageFromRaw builds it from the stored
 * bytes with @minimail/mime, lazily, so a script that tests one header never decodes the body.
 */
import {
  decodeText,
  decodeTransferEncoding,
  headerFields,
  parseMessage,
  type MimePart,
} from '@minimail/mime';

export interface SieveBodyPart {
  /** Lower-cased "type/subtype". */
  contentType: string;
  /** Decoded text (transfer encoding and charset undone); for non-text parts, the decoded octets as latin1. */
  text(): string;
}

export interface SieveEnvelope {
  /** Reverse path without angle brackets; "" for the null sender "<>". */
  from: string;
  /** The recipient this run is for (RFC 5228 5.4: the envelope "to" is the final recipient). */
  to: string;
  /** The authenticated submitter, when there is one. */
  auth?: string;
}

export interface SieveMessage {
  /** Every value of a header field (case-insensitive name), in order, unfolded and RFC 2047-decoded. */
  header(name: string): string[];
  /** RFC 5228 5.9: the message size in octets. */
  readonly size: number;
  /** RFC 5173 :raw: the body after the header, undecoded. */
  rawBody(): string;
  /** RFC 5173 :content: the parts in depth-first order (multiparts included, with empty text). */
  parts(): SieveBodyPart[];
}

/** A SieveMessage over the stored bytes of a message. */
export function messageFromRaw(raw: Buffer, maxParts = 64): SieveMessage {
  let root: MimePart | null = null;
  let fields: Map<string, string[]> | null = null;
  const tree = (): MimePart => (root ??= parseMessage(raw));
  return {
    size: raw.length,
    header(name) {
      if (!fields) {
        fields = new Map();
        const r = tree();
        for (const f of headerFields(raw, r)) {
          const key = f.name.toLowerCase();
          const list = fields.get(key);
          if (list) list.push(f.value);
          else fields.set(key, [f.value]);
        }
      }
      return fields.get(name.toLowerCase()) ?? [];
    },
    rawBody() {
      const r = tree();
      return raw.subarray(r.bodyStart, r.bodyEnd).toString('latin1');
    },
    parts() {
      const out: SieveBodyPart[] = [];
      const stack: MimePart[] = [tree()];
      while (stack.length > 0 && out.length < maxParts) {
        const p = stack.pop()!;
        const type = `${p.contentType.type}/${p.contentType.subtype}`;
        if (p.message) {
          out.push({ contentType: type, text: () => '' });
          stack.push(p.message);
        } else if (p.children.length > 0) {
          out.push({ contentType: type, text: () => '' });
          for (let i = p.children.length - 1; i >= 0; i--) stack.push(p.children[i]!);
        } else {
          out.push({
            contentType: type,
            text: () => {
              const body = decodeTransferEncoding(raw.subarray(p.bodyStart, p.bodyEnd), p.encoding);
              return p.contentType.type === 'text'
                ? decodeText(body, p.contentType.params['charset'])
                : body.toString('latin1');
            },
          });
        }
      }
      return out;
    },
  };
}
