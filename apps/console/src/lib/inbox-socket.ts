import { session } from '../api/client';
import { type InboxFrame, inboxFrameOf, typingFrame } from './inbox';

const RECONNECT_MS = [1000, 2000, 5000, 10_000];

/**
 * The inbox's live socket: reconnects with a fresh token (the access token lives minutes),
 * and reports whether it is up so the page can poll meanwhile.
 */
export class InboxSocket {
  private socket: WebSocket | undefined;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly onFrame: (frame: InboxFrame) => void,
    private readonly onLive: (live: boolean) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }

  /** Tells the customer the agent is (no longer) typing; dropped while disconnected. */
  typing(conversationId: string, isTyping: boolean): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(typingFrame(conversationId, isTyping));
    }
  }

  private connect(): void {
    const socket = new WebSocket(session.socketUrl('/api/v1/inbox/ws'));
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.onLive(true);
    };
    socket.onmessage = (event) => this.onFrame(inboxFrameOf(String(event.data)));
    socket.onclose = () => {
      if (this.socket !== socket) {
        return;
      }
      this.onLive(false);
      if (!this.stopped) {
        const delay = RECONNECT_MS[Math.min(this.attempts++, RECONNECT_MS.length - 1)];
        this.timer = setTimeout(() => void this.reconnect(), delay);
      }
    };
  }

  /** A refused upgrade is most often an expired access token: rotate it first. */
  private async reconnect(): Promise<void> {
    if (this.attempts > 1) {
      await session.refresh();
    }
    if (!this.stopped && session.signedIn) {
      this.connect();
    }
  }
}
