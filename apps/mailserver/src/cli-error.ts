/** A failure the CLI reports as one line on stderr, with a non-zero exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    /** 1 = the operation failed, 2 = the command line was wrong (usage). */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
