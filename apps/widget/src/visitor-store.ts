/** The visitor's id and conversation, per widget key, kept across reloads and shared by tabs. */
export interface VisitorState {
  visitorId?: string;
  conversationId?: string;
}

export class VisitorStore {
  private readonly storageKey: string;

  constructor(key: string) {
    this.storageKey = `tenantbot:${key}`;
  }

  read(): VisitorState {
    try {
      return JSON.parse(localStorage.getItem(this.storageKey) ?? '{}') as VisitorState;
    } catch {
      return {};
    }
  }

  update(patch: VisitorState): void {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify({ ...this.read(), ...patch }));
    } catch {
      // storage disabled (private mode): the conversation lasts as long as the page
    }
  }

  /** Another tab changed the state (e.g. started the conversation). */
  onChange(listener: (state: VisitorState) => void): void {
    window.addEventListener('storage', (event) => {
      if (event.key === this.storageKey) {
        listener(this.read());
      }
    });
  }
}
