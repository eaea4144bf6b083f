import { ApiError, type LiveFrame, NetworkError, WidgetApi, type WidgetConfig } from './api';
import { type AnswerRef, ChatPanel, type Rating } from './chat-panel';
import { VisitorStore } from './visitor-store';

export interface InitOptions {
  /** The widget's public key, `pk_…`. */
  key: string;
  position?: WidgetConfig['position'];
  /** The API's origin; by default the origin this script was loaded from. */
  apiBase?: string;
}

const loader = document.currentScript as HTMLScriptElement | null;
const defaultApiBase = loader?.src ? new URL(loader.src).origin : location.origin;
const MAX_RECONNECT_DELAY_MS = 15_000;

/** One widget on the page: its panel, its visitor session and its conversation. */
class ChatWidget {
  private conversationId?: string;
  private loadedConversation?: string;
  private busy = false;
  /** The chat socket following the conversation, once a person was asked for. */
  private live?: { conversationId: string; socket: WebSocket };

  private readonly panel: ChatPanel;

  constructor(
    private readonly api: WidgetApi,
    private readonly store: VisitorStore,
    private readonly config: WidgetConfig,
  ) {
    const host = document.createElement('tenantbot-chat');
    document.body.append(host);
    this.panel = new ChatPanel(host, config, {
      send: (text) => void this.send(text),
      opened: () => void this.loadTranscript(),
      handoff: () => void this.handoff(),
      rate: (answer, rating) => this.rate(answer, rating),
    });
    this.conversationId = store.read().conversationId;
    this.panel.showTranscript([]);
    // Another tab went on with the conversation: show where it is now.
    store.onChange((state) => {
      this.conversationId = state.conversationId;
      this.loadedConversation = undefined;
      void this.loadTranscript();
    });
  }

  private async loadTranscript(): Promise<void> {
    const id = this.conversationId;
    if (!id || this.loadedConversation === id || this.busy) {
      return;
    }
    try {
      const { messages } = await this.api.conversation(id);
      this.loadedConversation = id;
      this.panel.showTranscript(messages);
      this.followLive(id);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONVERSATION_NOT_FOUND') {
        this.conversationId = undefined;
        this.store.update({ conversationId: undefined });
        return;
      }
      this.panel.setStatus(describe(error));
    }
  }

  private async rate(answer: AnswerRef, rating: Rating): Promise<void> {
    try {
      const id = typeof answer === 'string' ? answer : await answer();
      if (id) {
        await this.api.rate(id, rating);
        this.panel.setStatus('');
      }
    } catch (error) {
      this.panel.setStatus(describe(error));
      throw error;
    }
  }

  private async send(text: string): Promise<void> {
    this.busy = true;
    this.panel.setBusy(true);
    this.panel.setStatus('');
    this.panel.addMessage('user', text, []);
    const bubble = this.panel.startAnswer();
    try {
      const answer = await this.api.ask(text, this.conversationId, (delta) => bubble.append(delta));
      if (answer.handled_by === 'human') {
        bubble.remove();
        if (answer.response) {
          this.panel.addMessage('system', answer.response, []);
        }
        this.followLive(answer.conversation_id);
      } else {
        const conversationId = answer.conversation_id;
        bubble.finish(answer.response, answer.sources ?? [], () =>
          this.api.lastAnswerId(conversationId),
        );
      }
      this.conversationId = answer.conversation_id;
      this.loadedConversation = answer.conversation_id;
      this.store.update({ conversationId: answer.conversation_id });
    } catch (error) {
      bubble.remove();
      this.panel.setStatus(describe(error));
      if (error instanceof NetworkError) {
        void this.reconnect(text);
      }
    } finally {
      this.busy = false;
      this.panel.setBusy(false);
    }
  }

  /** The visitor asks for a person: the conversation waits for one, followed live. */
  private async handoff(): Promise<void> {
    const id = this.conversationId;
    if (!id) {
      return this.panel.setStatus('Write your question first: a person will then join.');
    }
    try {
      await this.api.requestHandoff(id);
      this.panel.setHandoffOffered(false);
      this.followLive(id);
      this.loadedConversation = undefined;
      await this.loadTranscript();
    } catch (error) {
      this.panel.setStatus(describe(error));
    }
  }

  /** Agents' replies, typing and the conversation's status, as they happen. */
  private followLive(conversationId: string): void {
    if (!this.config.handoff_enabled || this.live?.conversationId === conversationId) {
      return;
    }
    this.live?.socket.close();
    this.api
      .follow(conversationId, (frame) => this.onLive(frame))
      .then(
        (socket) => {
          this.live = { conversationId, socket };
          socket.addEventListener('close', () => {
            if (this.live?.socket === socket) {
              this.live = undefined;
            }
          });
        },
        () => undefined,
      );
  }

  private onLive(frame: LiveFrame): void {
    if (frame.type === 'message') {
      this.panel.setAgentTyping(false);
      this.panel.addMessage(frame.message.role, frame.message.content, []);
    } else if (frame.type === 'typing' && frame.from === 'agent') {
      this.panel.setAgentTyping(frame.is_typing);
    } else if (frame.type === 'status' || frame.type === 'following') {
      this.panel.setHandoffOffered(frame.status === 'bot');
      this.panel.setStatus(STATUS_TEXT[frame.status]);
    }
  }

  /**
   * After a dropped connection: wait until the API answers again, show the conversation as
   * the server has it, and send the question again only if the server never got it.
   */
  private async reconnect(pendingQuestion: string): Promise<void> {
    for (let delay = 1000; ; delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS)) {
      await waitForNetwork(delay);
      try {
        const messages = this.conversationId
          ? (await this.api.conversation(this.conversationId)).messages
          : [];
        this.loadedConversation = this.conversationId;
        this.panel.showTranscript(messages);
        this.panel.setStatus('');
        const received = messages.some(
          (message) => message.role === 'user' && message.content === pendingQuestion,
        );
        if (!received) {
          await this.send(pendingQuestion);
        }
        return;
      } catch (error) {
        if (!(error instanceof NetworkError)) {
          return this.panel.setStatus(describe(error));
        }
      }
    }
  }
}

const STATUS_TEXT: Record<'bot' | 'waiting_human' | 'human' | 'closed', string> = {
  bot: '',
  waiting_human: 'A person will reply here.',
  human: 'You are talking to a person.',
  closed: 'This conversation is closed.',
};

function waitForNetwork(delay: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      window.removeEventListener('online', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, delay);
    window.addEventListener('online', done);
  });
}

/** What went wrong, in words a visitor understands. */
function describe(error: unknown): string {
  if (error instanceof NetworkError) {
    return 'Connection lost. Reconnecting…';
  }
  if (error instanceof ApiError) {
    if (error.code === 'RATE_LIMITED') {
      const wait = error.retryAfterSeconds ? ` in ${error.retryAfterSeconds} seconds` : ' later';
      return `You are sending messages faster than this chat allows. Please try again${wait}.`;
    }
    if (
      error.code === 'BUDGET_EXCEEDED' ||
      error.code === 'WIDGET_INACTIVE' ||
      error.code === 'TENANT_INACTIVE'
    ) {
      return 'This chat is not available right now. Please try again later.';
    }
    if (error.code === 'VALIDATION_FAILED') {
      return 'That message could not be sent: it may be too long.';
    }
  }
  return 'Sorry, something went wrong. Please try again.';
}

async function init(options: InitOptions): Promise<void> {
  if (!options?.key) {
    throw new Error('TenantbotChat.init needs { key: "pk_…" }');
  }
  const store = new VisitorStore(options.key);
  const api = new WidgetApi(
    (options.apiBase ?? defaultApiBase).replace(/\/$/, ''),
    options.key,
    store.read().visitorId,
    (visitorId) => store.update({ visitorId }),
  );
  let config: WidgetConfig;
  try {
    config = await api.config();
  } catch (error) {
    console.warn(
      'tenantbot: the chat widget is not available on this page:',
      String((error as Error).message),
    );
    return;
  }
  if (options.position) {
    config.position = options.position;
  }
  const start = () => new ChatWidget(api, store, config);
  if (document.body) {
    start();
  } else {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  }
}

declare global {
  interface Window {
    TenantbotChat: { init(options: InitOptions): Promise<void> };
  }
}

window.TenantbotChat = { init };
const scriptKey = loader?.dataset.key;
if (scriptKey) {
  const position = loader?.dataset.position as WidgetConfig['position'] | undefined;
  void init({ key: scriptKey, ...(position ? { position } : {}) });
}
