import { type FormEvent, useEffect, useState } from 'react';

import { ApiError, messageOf } from '../api/errors';
import { pendingRoute } from '../api/pending-routes';
import type { Identity } from '../app';
import { formatDateTime } from '../lib/format';
import { type InboxItem, inboxItemsOf, ROLE_LABELS, transcriptOf } from '../lib/inbox';
import {
  AsyncView,
  Button,
  Card,
  Empty,
  ErrorNotice,
  PageHeader,
  StatusBadge,
  TextArea,
} from '../ui/components';
import { useAsync } from '../ui/use-async';

const POLL_MS = 3000;

/** Before the handoff routes exist, the inbox says so instead of an error. */
const notAvailable = (error: unknown) =>
  error instanceof ApiError && error.status === 404 && error.code !== 'CONVERSATION_NOT_FOUND';

/**
 * The agents' inbox, built against API.md's handoff contract (#16b) before its routes were on
 * this branch: polled every 3 s (the WebSocket `WS /api/v1/inbox/ws` and typing come with them).
 */
export function InboxPage({ identity }: { identity: Identity }) {
  const [unavailable, setUnavailable] = useState(false);
  const inbox = useAsync(async () => {
    try {
      return inboxItemsOf(await pendingRoute('GET', '/api/v1/inbox'));
    } catch (error) {
      if (notAvailable(error)) {
        setUnavailable(true);
        return [];
      }
      throw error;
    }
  }, []);
  const [selected, setSelected] = useState<InboxItem>();

  useEffect(() => {
    if (unavailable) {
      return;
    }
    const timer = setInterval(() => void inbox.reload(true), POLL_MS);
    return () => clearInterval(timer);
  }, [inbox, unavailable]);

  if (unavailable) {
    return (
      <>
        <PageHeader title="Inbox" />
        <Empty>
          The inbox arrives with the human handoff feature: this server does not offer it yet.
        </Empty>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Inbox" />
      <div className="grid-2">
        <Card title="Waiting and assigned">
          <AsyncView
            state={inbox}
            what="the inbox"
            isEmpty={(items) => items.length === 0}
            empty="No conversation is waiting for a person."
          >
            {(items) => (
              <ul className="inbox-list">
                {items.map((item) => (
                  <li key={item.id}>
                    <button
                      type="button"
                      className="inbox-item"
                      aria-current={selected?.id === item.id ? 'true' : undefined}
                      onClick={() => setSelected(item)}
                    >
                      <span className="doc-name">{item.title}</span>
                      <StatusBadge
                        status={item.status === 'waiting_human' ? 'pending' : 'completed'}
                        label={item.status.replace('_', ' ')}
                      />
                      <span className="hint">
                        {item.channel ?? 'api'} · since {formatDateTime(item.waitingSince)}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </AsyncView>
        </Card>
        {selected ? (
          <Conversation
            key={selected.id}
            item={selected}
            identity={identity}
            onChanged={() => void inbox.reload(true)}
          />
        ) : (
          <Empty>Choose a conversation to read its transcript.</Empty>
        )}
      </div>
    </>
  );
}

function Conversation({
  item,
  onChanged,
}: {
  item: InboxItem;
  identity: Identity;
  onChanged: () => void;
}) {
  const transcript = useAsync(
    async () => transcriptOf(await pendingRoute('GET', `/api/v1/chat/conversations/${item.id}`)),
    [item.id],
  );
  const [reply, setReply] = useState('');
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const timer = setInterval(() => void transcript.reload(true), POLL_MS);
    return () => clearInterval(timer);
  }, [transcript]);

  async function act(action: string) {
    setError(undefined);
    setBusy(true);
    try {
      await pendingRoute('POST', `/api/v1/inbox/${item.id}/${action}`);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
    onChanged();
    await transcript.reload(true);
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await pendingRoute('POST', `/api/v1/inbox/${item.id}/messages`, { content: reply, internal });
      setReply('');
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
    await transcript.reload(true);
  }

  return (
    <Card
      title={item.title}
      actions={
        <div className="inline">
          <Button variant="primary" busy={busy} onClick={() => void act('claim')}>
            Claim
          </Button>
          <Button busy={busy} onClick={() => void act('release')}>
            Release to the bot
          </Button>
          <Button busy={busy} onClick={() => void act('close')}>
            Close
          </Button>
        </div>
      }
    >
      <ErrorNotice message={error} />
      <AsyncView
        state={transcript}
        what="the transcript"
        isEmpty={(messages) => messages.length === 0}
        empty="No message yet."
      >
        {(messages) => (
          <ol className="transcript" aria-live="polite">
            {messages.map((message) => (
              <li key={message.id} className={`message message-${message.role}`}>
                <div className="hint">
                  {ROLE_LABELS[message.role] ?? message.role}
                  {message.internal && ' · internal note'} · {formatDateTime(message.createdAt)}
                </div>
                <p>{message.content}</p>
                {message.sources.length > 0 && (
                  <div className="hint">Sources: {message.sources.join(', ')}</div>
                )}
              </li>
            ))}
          </ol>
        )}
      </AsyncView>
      <form onSubmit={(event) => void send(event)}>
        <TextArea
          label="Reply"
          rows={3}
          required
          value={reply}
          onChange={(event) => setReply(event.target.value)}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={internal}
            onChange={(event) => setInternal(event.target.checked)}
          />{' '}
          Internal note (never shown to the customer)
        </label>
        <Button type="submit" variant="primary" busy={busy}>
          {internal ? 'Add note' : 'Send reply'}
        </Button>
      </form>
    </Card>
  );
}
