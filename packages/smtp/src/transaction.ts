import type { RecipientPlan } from './envelope-policy.js';

/** One mail transaction (MAIL .. DATA) of one connection, as far as this package tracks it. */
export interface Transaction {
  startedAt: number;
  /** The envelope sender, '' for the null sender. */
  from: string;
  /** Accepted recipients by lower-cased address; a repeated RCPT replaces its entry. */
  plans: Map<string, RecipientPlan>;
  /** Refused recipients, for the log line. */
  rejected: Array<{ address: string; code: number }>;
}

/**
 * Transactions by connection id. smtp-server keeps the envelope itself; what it cannot keep is
 * what each accepted RCPT resolved to, which DATA needs, so that lives here.
 */
export class TransactionBook {
  private readonly byConnection = new Map<string, Transaction>();

  /** MAIL FROM starts a new transaction and forgets the previous one (RFC 5321 4.1.4). */
  begin(connectionId: string, from: string): Transaction {
    const transaction: Transaction = { startedAt: Date.now(), from, plans: new Map(), rejected: [] };
    this.byConnection.set(connectionId, transaction);
    return transaction;
  }

  get(connectionId: string): Transaction | undefined {
    return this.byConnection.get(connectionId);
  }

  end(connectionId: string): void {
    this.byConnection.delete(connectionId);
  }
}
