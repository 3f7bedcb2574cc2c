import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { parseSendmailArgs } from './args.js';

describe('sendmail arguments', () => {
  it.each([
    [['-t', '-i'], { extractRecipients: true, ignoreDots: true, recipients: [] }],
    [['-oi', 'a@x.test', 'b@x.test'], { ignoreDots: true, recipients: ['a@x.test', 'b@x.test'] }],
    [['-fbounce@x.test', 'a@x.test'], { sender: 'bounce@x.test', recipients: ['a@x.test'] }],
    [['-f', '<bounce@x.test>', '-F', 'Cron Daemon'], { sender: 'bounce@x.test', fullName: 'Cron Daemon' }],
    [['-f', '<>'], { sender: '' }],
    [['-r', 'r@x.test'], { sender: 'r@x.test' }],
    [['-bs'], { smtpOnStdio: true }],
    [['-bm', '-odb', '-oem', '-B8BITMIME', '-v', '--', '-odd@x.test'], { recipients: ['-odd@x.test'] }],
    [['--config', 'c.json', '-t'], { configFile: 'c.json', extractRecipients: true }],
  ])('%j', (argv, expected) => {
    expect(parseSendmailArgs(argv)).toMatchObject(expected);
  });

  it.each([
    [['-bp'], 'sendmail: -bp is not supported (only -bm and -bs)'],
    [['-f'], 'sendmail: -f needs a value'],
    [['-Z'], 'sendmail: unknown option -Z'],
  ])('refuses %j with a usage error (EX_USAGE 64)', (argv, message) => {
    expect(() => parseSendmailArgs(argv)).toThrow(new CliError(message, 64));
    try {
      parseSendmailArgs(argv);
    } catch (err) {
      expect((err as CliError).exitCode).toBe(64);
    }
  });
});
