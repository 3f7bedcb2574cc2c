/**
 * APPEND literals that may be in a spool file (docs/adr/0027): as the store takes a message (its
 * bytes or its spool file), or as bytes in memory (a CATENATE TEXT part, RFC 4469, which is
 * assembled in memory and bounded by APPENDLIMIT).
 */
import { readFile } from 'node:fs/promises';
import { SpoolError, type Logger } from '@minimail/protocol';
import type { DeliveryRequest } from '@minimail/store';
import { no } from '../errors.js';
import { isSpooled, type Literal } from '../protocol/frame.js';

/** The message as the store takes it: its bytes, or its spool file once all of it is on disk. */
export async function messageSource(
  message: Literal,
  logger: Logger,
): Promise<Pick<DeliveryRequest, 'raw' | 'spooled'>> {
  if (!isSpooled(message)) return { raw: message };
  const outcome = await finishSpool(message.writer, logger);
  return outcome.kind === 'file'
    ? { spooled: { path: outcome.path } }
    : { raw: Buffer.concat(outcome.chunks, outcome.size) };
}

/** The literal's bytes in memory (the caller has bounded its size). */
export async function literalBytes(literal: Literal, logger: Logger): Promise<Buffer> {
  if (!isSpooled(literal)) return literal;
  const outcome = await finishSpool(literal.writer, logger);
  if (outcome.kind !== 'file') return Buffer.concat(outcome.chunks, outcome.size);
  try {
    return await readFile(outcome.path);
  } catch (error) {
    logger.error({ err: error }, 'APPEND refused: the spool file could not be read');
    throw no('Cannot receive the message now, try again later', 'UNAVAILABLE');
  }
}

async function finishSpool(writer: Extract<Literal, { kind: 'spooled' }>['writer'], logger: Logger) {
  try {
    return await writer.finish();
  } catch (error) {
    if (error instanceof SpoolError) {
      // RFC 5530 3 UNAVAILABLE: the disk is full or failing; the client may retry later. The
      // operator is told: nothing else would show that the spool's disk is full.
      logger.error({ err: error }, 'APPEND refused: the spool file could not be written');
      throw no('Cannot receive the message now, try again later', 'UNAVAILABLE');
    }
    throw error;
  }
}
