/**
 * Aborts a provider call that stays silent too long: no answer, or no next chunk of a
 * stream. A long answer that keeps streaming is never cut off. Also aborts when the
 * caller's signal does.
 */
export class IdleDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = () => this.controller.abort(this.caller.reason);
  timedOut = false;

  constructor(
    private readonly caller: AbortSignal,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    if (caller.aborted) {
      this.onCallerAbort();
    } else {
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The provider made progress: the silence starts over. */
  touch(): void {
    if (!this.controller.signal.aborted) {
      this.timer.refresh();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}
