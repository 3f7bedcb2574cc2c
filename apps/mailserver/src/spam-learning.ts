/**
 * Rspamd for the app: the options from the config (off unless MINIMAIL_RSPAMD_URL), and the IMAP
 * hook that teaches it: a message moved into the Junk mailbox is spam, moved out of it ham.
 * The IMAP package only reports moves (onMessagesMoved); it never imports the SMTP package.
 */
import type { Logger } from 'pino';
import type { MessagesMovedEvent } from '@minimail/imap';
import type { RspamdOptions } from '@minimail/smtp';
import type { Mailbox, MailStore } from '@minimail/store';
import type { Config } from './config.js';

export function rspamdOptions(config: Config, logger: Logger): RspamdOptions | null {
  if (!config.rspamdUrl) return null;
  return {
    url: config.rspamdUrl,
    ...(config.rspamdControllerUrl ? { controllerUrl: config.rspamdControllerUrl } : {}),
    ...(config.rspamdPassword ? { password: config.rspamdPassword } : {}),
    logger,
  };
}

const isJunk = (m: Mailbox): boolean => m.specialUse === '\\Junk';

/** The onMessagesMoved hook: learn spam on a move into Junk, ham on a move out of it. */
export function spamLearningHook(
  store: MailStore,
  options: RspamdOptions,
  logger: Logger,
): (event: MessagesMovedEvent) => void {
  return (event) => {
    const kind =
      isJunk(event.to) && !isJunk(event.from)
        ? 'spam'
        : isJunk(event.from) && !isJunk(event.to)
          ? 'ham'
          : null;
    if (kind === null) return;
    void (async () => {
      const { rspamdLearn } = await import('@minimail/smtp');
      for (const message of await store.getMessages(event.to.id, event.targetUids)) {
        await rspamdLearn(options, kind, await store.readBody(message.bodyHash));
      }
      logger.info(
        { userId: event.userId, kind, count: event.targetUids.length },
        `rspamd: learned ${kind} from an IMAP move`,
      );
    })().catch((err: unknown) => logger.warn({ err }, 'rspamd: learning from an IMAP move failed'));
  };
}
