import net from 'node:net';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { childPort } from './child-port.js';

describe('childPort', () => {
  it('gives a free port below the kernel ephemeral range, which a server can then bind', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const ports = await Promise.all(Array.from({ length: 5 }, () => childPort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(Math.min(Number(low), 32_768));
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('never gives a port something is listening on', async () => {
    const port = await childPort();
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const others = await Promise.all(Array.from({ length: 50 }, () => childPort()));
      expect(others).not.toContain(port);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
