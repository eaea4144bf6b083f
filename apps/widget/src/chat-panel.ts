import type { MessageRole, Source, WidgetConfig } from './api';
import { widgetStyles } from './styles';

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

/** What the panel asks of the widget's logic. */
export interface PanelActions {
  send(text: string): void;
  opened(): void;
  /** The visitor asked for a person. */
  handoff(): void;
  /** The visitor rated an answer; resolves once it is recorded. */
  rate(answer: AnswerRef, rating: Rating): Promise<void>;
}

export type Rating = 'up' | 'down';
/** An answer's id, or how to find it (a streamed answer learns its id afterwards). */
export type AnswerRef = string | (() => Promise<string | undefined>);

/** A bubble being written as the answer streams in. */
export interface StreamingBubble {
  append(text: string): void;
  finish(text: string, sources: Source[], answer?: AnswerRef): void;
  remove(): void;
}

/**
 * The launcher and the chat panel, in a Shadow DOM of their own: the page's CSS cannot reach
 * inside, and nothing inside leaks out. Every text is set as text, never as HTML.
 */
export class ChatPanel {
  private readonly root: ShadowRoot;
  private readonly launcher: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly log: HTMLElement;
  private readonly status: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private typing?: HTMLElement;
  private readonly handoffButton?: HTMLButtonElement;

  constructor(
    host: HTMLElement,
    private readonly config: WidgetConfig,
    private readonly actions: PanelActions,
  ) {
    this.root = host.attachShadow({ mode: 'open' });
    const side = config.position === 'bottom-left' ? 'left' : 'right';
    const style = document.createElement('style');
    style.textContent = widgetStyles(config.primary_color, side);
    this.root.append(style);

    this.panel = element('section', { class: 'panel', role: 'dialog', 'aria-label': config.title });
    this.panel.hidden = true;
    const header = element('header');
    if (config.logo_url) {
      header.append(element('img', { src: config.logo_url, alt: '' }));
    }
    const title = element('h2', { id: 'tb-title' }, config.title);
    const close = element('button', { type: 'button', 'aria-label': 'Close chat' }, '×');
    close.addEventListener('click', () => this.close());
    header.append(title);
    if (config.handoff_enabled) {
      this.handoffButton = element(
        'button',
        { type: 'button', class: 'handoff', 'aria-label': 'Talk to a person' },
        'Talk to a person',
      );
      this.handoffButton.addEventListener('click', () => this.actions.handoff());
      header.append(this.handoffButton);
    }
    header.append(close);

    this.log = element('div', { class: 'log', role: 'log', 'aria-live': 'polite', tabindex: '0' });
    this.status = element('div', { class: 'status', role: 'status' });
    this.status.hidden = true;
    const form = element('form');
    this.input = element('textarea', {
      'aria-label': 'Your message',
      placeholder: config.placeholder,
      maxlength: '4000',
      rows: '1',
    });
    this.sendButton = element('button', { type: 'submit' }, 'Send');
    form.append(this.input, this.sendButton);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.submit();
      }
    });
    this.panel.append(header, this.log, this.status, form);
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        this.close();
      }
    });

    this.launcher = element('button', {
      class: 'launcher',
      type: 'button',
      'aria-label': `Open chat: ${config.title}`,
      'aria-expanded': 'false',
    });
    this.launcher.innerHTML = CHAT_ICON;
    this.launcher.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    this.root.append(this.panel, this.launcher);
  }

  open(): void {
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.input.focus();
    this.actions.opened();
  }

  close(): void {
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }

  /** Replaces the transcript: the greeting, then the stored messages. */
  showTranscript(
    messages: { id: string; role: MessageRole; content: string; sources: Source[] }[],
  ): void {
    this.log.replaceChildren();
    if (this.config.greeting) {
      this.addMessage('assistant', this.config.greeting, []);
    }
    for (const message of messages) {
      this.addMessage(
        message.role,
        message.content,
        message.sources,
        message.role === 'assistant' ? message.id : undefined,
      );
    }
  }

  addMessage(role: MessageRole, text: string, sources: Source[], answer?: AnswerRef): HTMLElement {
    const bubble = element('div', { class: `message ${role}` });
    const body = element('div', {}, text);
    bubble.append(body);
    if (sources.length) {
      bubble.append(sourceList(sources));
    }
    if (answer) {
      bubble.append(this.ratingButtons(answer));
    }
    this.log.append(bubble);
    this.log.scrollTop = this.log.scrollHeight;
    return bubble;
  }

  /** Shows the typing indicator until the first words of the answer arrive. */
  startAnswer(): StreamingBubble {
    this.setTyping(true);
    let bubble: HTMLElement | undefined;
    let written = '';
    const ensureBubble = () => {
      this.setTyping(false);
      bubble ??= this.addMessage('assistant', '', []);
      return bubble;
    };
    return {
      append: (text) => {
        written += text;
        const target = ensureBubble();
        (target.firstChild as HTMLElement).textContent = written;
        this.log.scrollTop = this.log.scrollHeight;
      },
      finish: (text, sources, answer) => {
        const target = ensureBubble();
        (target.firstChild as HTMLElement).textContent = text;
        if (sources.length) {
          target.append(sourceList(sources));
        }
        if (answer) {
          target.append(this.ratingButtons(answer));
        }
        this.log.scrollTop = this.log.scrollHeight;
      },
      remove: () => {
        this.setTyping(false);
        bubble?.remove();
      },
    };
  }

  /** The agent's typing indicator. */
  setAgentTyping(on: boolean): void {
    this.setTyping(on);
  }

  /** Once a person was asked for (or has the conversation), the button has done its work. */
  setHandoffOffered(offered: boolean): void {
    if (this.handoffButton) {
      this.handoffButton.hidden = !offered;
    }
  }

  setBusy(busy: boolean): void {
    this.sendButton.disabled = busy;
  }

  /** A state the visitor should read (rate limit, offline, an error); empty hides it. */
  setStatus(text: string): void {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  /** Thumbs up and down; the chosen one stays pressed, a new choice replaces it. */
  private ratingButtons(answer: AnswerRef): HTMLElement {
    const group = element('div', {
      class: 'rating',
      role: 'group',
      'aria-label': 'Rate this answer',
    });
    const buttons = (['up', 'down'] as const).map((rating) => {
      const button = element(
        'button',
        {
          type: 'button',
          class: rating,
          'aria-label': rating === 'up' ? 'Helpful' : 'Not helpful',
          'aria-pressed': 'false',
        },
        rating === 'up' ? '👍' : '👎',
      );
      button.addEventListener('click', () => {
        this.actions.rate(answer, rating).then(
          () => {
            for (const other of buttons) {
              other.setAttribute('aria-pressed', String(other === button));
            }
          },
          () => undefined, // the status line says what went wrong
        );
      });
      return button;
    });
    group.append(...buttons);
    return group;
  }

  private setTyping(on: boolean): void {
    if (on && !this.typing) {
      this.typing = element('div', { class: 'typing', 'aria-label': 'The assistant is typing' });
      this.typing.append(element('span'), element('span'), element('span'));
      this.log.append(this.typing);
      this.log.scrollTop = this.log.scrollHeight;
    } else if (!on && this.typing) {
      this.typing.remove();
      this.typing = undefined;
    }
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.sendButton.disabled) {
      return;
    }
    this.input.value = '';
    this.actions.send(text);
  }
}

/** Numbered sources: a link to the page for web documents, else the quoted passage. */
function sourceList(sources: Source[]): HTMLElement {
  const list = element('ol', { class: 'sources', 'aria-label': 'Sources' });
  for (const source of sources) {
    const item = element('li');
    const label = source.page ? `${source.filename}, page ${source.page}` : source.filename;
    if (/^https?:\/\//.test(source.filename)) {
      item.append(
        element(
          'a',
          { href: source.filename, target: '_blank', rel: 'noopener noreferrer' },
          label,
        ),
      );
    } else {
      const excerpt = element('span', { class: 'excerpt' }, source.text.slice(0, 400));
      excerpt.hidden = true;
      const link = element('a', { href: '#', role: 'button', 'aria-expanded': 'false' }, label);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        excerpt.hidden = !excerpt.hidden;
        link.setAttribute('aria-expanded', String(!excerpt.hidden));
      });
      item.append(link, excerpt);
    }
    list.append(item);
  }
  return list;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    created.setAttribute(name, value);
  }
  if (text !== undefined) {
    created.textContent = text;
  }
  return created;
}
