/**
 * The CPU budget of one run: every command, test and compared character spends steps; past the
 * step limit, or past the wall-clock limit (checked every CHECK_EVERY steps), the run stops with a
 * runtime error and delivery falls back to the implicit keep.
 */
import { SieveRuntimeError } from './errors.js';

const CHECK_EVERY = 4096;

export class Budget {
  private steps = 0;
  private nextCheck = CHECK_EVERY;
  private readonly deadline: number;
  constructor(
    private readonly maxSteps: number,
    maxMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.deadline = clock() + maxMs;
  }
  spend(n = 1): void {
    this.steps += n;
    if (this.steps > this.maxSteps)
      throw new SieveRuntimeError('step-budget', `script used more than ${this.maxSteps} steps`);
    if (this.steps >= this.nextCheck) {
      this.nextCheck = this.steps + CHECK_EVERY;
      if (this.clock() > this.deadline) throw new SieveRuntimeError('cpu-time', 'script ran out of time');
    }
  }
  get used(): number {
    return this.steps;
  }
}
