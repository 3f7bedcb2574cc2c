/** A failure the CLI reports as one line on stderr, with a non-zero exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    /**
     * 1 = the operation failed, 2 = the command line was wrong (usage). `sendmail` answers with
     * sendmail's own sysexits codes (64 usage, 65 data, 67 no such user, 75 try again...), as
     * PHP's mail(), cron and scripts expect of /usr/sbin/sendmail.
     */
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}
