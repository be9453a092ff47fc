// Group commit for one-job-at-a-time workers (BullMQ): a job's promise resolves only
// after its delivery row is committed, but rows from concurrent jobs share one INSERT.

import { DeliveryCounter, insertDeliveries, type Query } from "./deliveries.js";

type Pending = { key: string; resolve: () => void; reject: (e: unknown) => void };

export class GroupCommitter {
  private buf: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly q: Query,
    readonly counter: DeliveryCounter,
    private readonly maxBatch: number,
    private readonly flushMs: number,
  ) {}

  add(key: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.buf.push({ key, resolve, reject });
      if (this.buf.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buf;
    this.buf = [];
    if (batch.length === 0) return;
    insertDeliveries(this.q, batch.map((p) => p.key), this.counter).then(
      () => batch.forEach((p) => p.resolve()),
      (e) => batch.forEach((p) => p.reject(e)),
    );
  }
}
