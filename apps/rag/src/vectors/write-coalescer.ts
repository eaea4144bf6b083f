interface PendingWrite<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes go out one request at a time, and the writes that arrive while one is
 * in flight are merged into the next request (up to `maxItems`). Idle, a write goes out at
 * once; under load, requests grow instead of multiplying. Each caller's promise settles with
 * the request that carried its items, so a failure reaches every caller it concerns.
 */
export class WriteCoalescer<T> {
  private readonly waiting: PendingWrite<T>[] = [];
  private flushing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxItems: number,
  ) {}

  async add(items: T[]): Promise<void> {
    const written: Promise<void>[] = [];
    for (let start = 0; start < items.length; start += this.maxItems) {
      const piece = items.slice(start, start + this.maxItems);
      written.push(
        new Promise<void>((resolve, reject) =>
          this.waiting.push({ items: piece, resolve, reject }),
        ),
      );
    }
    void this.flush();
    await Promise.all(written);
  }

  private async flush(): Promise<void> {
    if (this.flushing) {
      return;
    }
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const request = this.nextRequest();
        try {
          await this.write(request.flatMap((pending) => pending.items));
          request.forEach((pending) => pending.resolve());
        } catch (error) {
          request.forEach((pending) => pending.reject(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The waiting writes, oldest first, that fit one request (at least one). */
  private nextRequest(): PendingWrite<T>[] {
    let size = this.waiting[0].items.length;
    let count = 1;
    while (
      count < this.waiting.length &&
      size + this.waiting[count].items.length <= this.maxItems
    ) {
      size += this.waiting[count].items.length;
      count++;
    }
    return this.waiting.splice(0, count);
  }
}
