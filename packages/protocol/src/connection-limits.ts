import { LIMITS } from './limits.js';

export interface ConnectionLimiterOptions {
  /** Defaults to LIMITS.maxConnections. */
  maxTotal?: number;
  /** Defaults to LIMITS.maxConnectionsPerIp. */
  maxPerIp?: number;
}

/** Releases a slot taken by tryAcquire. Calling it more than once has no further effect. */
export type ReleaseConnection = () => void;

/** Counts open connections in total and per IP; a listener asks it before serving a client. */
export class ConnectionLimiter {
  readonly maxTotal: number;
  readonly maxPerIp: number;
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(options: ConnectionLimiterOptions = {}) {
    this.maxTotal = options.maxTotal ?? LIMITS.maxConnections;
    this.maxPerIp = options.maxPerIp ?? LIMITS.maxConnectionsPerIp;
  }

  /** A release function if a slot was free for this IP, otherwise null. */
  tryAcquire(ip: string): ReleaseConnection | null {
    const forIp = this.perIp.get(ip) ?? 0;
    if (this.total >= this.maxTotal || forIp >= this.maxPerIp) return null;
    this.total += 1;
    this.perIp.set(ip, forIp + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perIp.get(ip) ?? 1) - 1;
      // Deleting emptied entries keeps the map as small as the set of connected IPs.
      if (left <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    };
  }

  /** Open connections, in total or from one IP. */
  count(ip?: string): number {
    return ip === undefined ? this.total : (this.perIp.get(ip) ?? 0);
  }
}
