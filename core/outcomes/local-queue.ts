import { errorFields, log } from '../log.js';
// An in-process queue with SQS's delivery semantics, for npm start and tests: every message is
// delivered at least once to the consumer; a delivery that throws is retried with backoff, and
// after `maxReceives` failed deliveries the message moves to the dead-letter list. Bounded in
// what it holds. Used for payment outcomes here, and for any other queue a local run needs.

export interface LocalQueueOptions<T> {
  name: string;
  consumer: (message: T) => Promise<void>;
  /** Failed deliveries before a message is dead-lettered (SQS's maxReceiveCount). */
  maxReceives?: number;
  retryDelayMs?: number;
  capacity?: number;
  /** Deliveries at once, like a Lambda event source's concurrency. */
  concurrency?: number;
}

export const DEFAULT_MAX_RECEIVES = 5;
const DEFAULT_RETRY_DELAY_MS = 200;
const DEFAULT_CAPACITY = 100_000;
const DEFAULT_CONCURRENCY = 16;
const MAX_DEAD_LETTERS = 10_000;

export class LocalQueue<T> {
  readonly deadLetters: { message: T; error: string }[] = [];
  private inFlight = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void)[] = [];

  constructor(private readonly options: LocalQueueOptions<T>) {}

  /** Accepts the messages; throws only when the queue is full. */
  send(messages: T[]): void {
    if (this.inFlight + messages.length > (this.options.capacity ?? DEFAULT_CAPACITY))
      throw new Error(`local queue ${this.options.name} is full`);
    for (const message of messages) {
      this.inFlight += 1;
      this.whenFree(() => void this.deliver(message, 1));
    }
  }

  /** Runs `start` now if fewer than `concurrency` deliveries are running, else when one ends. */
  private whenFree(start: () => void): void {
    if (this.active < (this.options.concurrency ?? DEFAULT_CONCURRENCY)) {
      this.active += 1;
      setImmediate(start);
    } else {
      this.waiting.push(start);
    }
  }

  private freed(): void {
    const next = this.waiting.shift();
    if (next) setImmediate(next);
    else this.active -= 1;
  }

  /** Resolves once every message sent so far was delivered or dead-lettered. */
  drained(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  private async deliver(message: T, receive: number): Promise<void> {
    try {
      await this.options.consumer(message);
      this.done();
    } catch (error) {
      const maxReceives = this.options.maxReceives ?? DEFAULT_MAX_RECEIVES;
      if (receive >= maxReceives) {
        if (this.deadLetters.length < MAX_DEAD_LETTERS)
          this.deadLetters.push({ message, error: error instanceof Error ? error.message : String(error) });
        log().error(`local queue ${this.options.name}: dead-lettered after ${receive} receives`, {
          error: errorFields(error),
        });
        this.done();
        return;
      }
      const delay = (this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS) * 2 ** (receive - 1);
      setTimeout(() => this.whenFree(() => void this.deliver(message, receive + 1)), delay).unref();
    } finally {
      this.freed();
    }
  }

  private done(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}

/** A queue port (payment outcomes, expiry) over the in-process queue: it accepts what it is sent. */
export class LocalQueueSender<T> {
  constructor(readonly queue: LocalQueue<T>) {}

  async send(messages: T[]): Promise<{ failed: string[] }> {
    this.queue.send(messages);
    return { failed: [] };
  }
}

export { LocalQueueSender as LocalOutcomeQueue };
