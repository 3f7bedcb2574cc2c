import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * A loopback port for a child process to listen on (a CLI takes ports from its environment, where
 * 0 means "off", so the test has to choose one).
 *
 * Not `listen(0)` then close: that port comes from the kernel's ephemeral range, the same range
 * every outgoing connection takes its local port from, so in the moment between the check and the
 * child's bind any client socket on the machine (another test file flooding a server with
 * connections, say) may be given it, and the child fails with EADDRINUSE. The ports here lie below
 * the ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default),
 * which the kernel never hands out by itself; each is checked free before it is returned, and a
 * random choice keeps two test files from picking the same one.
 */
export async function childPort(host = '127.0.0.1'): Promise<number> {
  const high = Math.min(ephemeralLow(), 32_768);
  const low = Math.max(1_024, high - 12_000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port, host)) return port;
  }
  throw new Error(`childPort: no free port in ${low}-${high - 1}`);
}

function ephemeralLow(): number {
  try {
    const [first] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(first);
    return Number.isInteger(value) && value > 2_048 ? value : 32_768;
  } catch {
    return 32_768; // not Linux: IANA's dynamic range starts at 49152, so this is below it too
  }
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
