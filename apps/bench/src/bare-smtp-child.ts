/**
 * The baseline: smtp-server as it comes (only reverse DNS turned off, as no test may resolve
 * names), reading each message to its end and throwing it away. It shows what SMTP parsing and
 * the library cost before anything is stored. Prints `bench-server-ready {"smtp":port}`.
 */
import { SMTPServer } from 'smtp-server';

const server = new SMTPServer({
  disableReverseLookup: true,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('end', () => callback());
    stream.resume();
  },
});
server.on('error', (error) => process.stderr.write(`bare smtp-server: ${error.message}\n`));
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bench-server-ready ${JSON.stringify({ smtp: port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
