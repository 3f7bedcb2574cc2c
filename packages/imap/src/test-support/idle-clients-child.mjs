// Holds N IMAP connections in IDLE from a process of its own, so that a test measuring the
// server's heap per connection does not count the clients' sockets. Each connection pipelines
// LOGIN, SELECT INBOX and IDLE as user idle<i % users>@example.com; once every one has read
// "+ idling" it prints "ready <n>", and it ends its connections when stdin closes.
/* global process, console */
import net from 'node:net';

const [port, count, users] = process.argv.slice(2).map(Number);
const sockets = [];
let ready = 0;
let failed = 0;
const open = (i) =>
  new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let seen = '';
    socket.setEncoding('utf8');
    const fail = () => {
      if (seen === null) return;
      seen = null;
      failed += 1;
      resolve();
    };
    socket.on('error', fail);
    socket.on('close', fail);
    socket.on('data', (chunk) => {
      if (seen === null) return;
      seen += chunk;
      if (process.env.IDLE_CHILD_DEBUG) process.stderr.write(chunk);
      if (seen.includes('+ idling')) {
        seen = null;
        ready += 1;
        resolve();
      }
    });
    socket.write(`a LOGIN idle${i % users}@example.com x\r\nb SELECT INBOX\r\nc IDLE\r\n`);
    sockets.push(socket);
  });
// A few at a time: a burst of thousands of handshakes at once would overflow the listen backlog.
for (let first = 0; first < count; first += 100) {
  const batch = [];
  for (let i = first; i < Math.min(count, first + 100); i++) batch.push(open(i));
  await Promise.all(batch);
}
console.log(`ready ${ready} failed ${failed}`);
process.stdin.resume();
process.stdin.on('end', () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
