import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';

import { api, unwrap } from '../api/client';
import type { Page } from '../api/types';
import { formatDateTime } from '../lib/format';
import {
  actionErrorOf,
  type InboxFrame,
  type InboxItem,
  noticeOf,
  ROLE_LABELS,
  sortInbox,
  sourceNames,
  typingAfter,
} from '../lib/inbox';
import { InboxSocket } from '../lib/inbox-socket';
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
import { LoadMore } from '../ui/paged-table';
import { usePagedList } from '../ui/use-paged-list';

/** Without the socket (reconnecting), the inbox polls this often. */
const FALLBACK_POLL_MS = 10_000;
const TYPING_IDLE_MS = 3000;
const INBOX_PAGE_SIZE = 20;

/**
 * The agents' inbox: conversations waiting for or with a person, live over
 * `WS /api/v1/inbox/ws` (new requests, claims, messages, the customer's typing).
 */
export function InboxPage() {
  // Page by page, oldest waiting first (the API's order): "Load more" reaches the 21st.
  const inbox = usePagedList(
    (offset, limit) =>
      unwrap<Page<InboxItem>>(api.GET('/api/v1/inbox', { params: { query: { offset, limit } } })),
    [],
    INBOX_PAGE_SIZE,
  );
  const [selectedId, setSelectedId] = useState<string>();
  const [live, setLive] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [unseen, setUnseen] = useState(0);
  const [typing, setTyping] = useState<Set<string>>(new Set());
  const socket = useRef<InboxSocket>(undefined);
  const { reload } = inbox;

  const onFrame = useCallback(
    (frame: InboxFrame) => {
      setTyping((current) => typingAfter(current, frame));
      const words = noticeOf(frame);
      if (words) {
        setNotice(words);
        setUnseen((count) => count + 1);
      }
      if (frame.type !== 'typing' && frame.type !== 'other') {
        void reload(true);
      }
    },
    [reload],
  );

  useEffect(() => {
    const connection = new InboxSocket(onFrame, (up) => {
      setLive(up);
      if (up) {
        void reload(true);
      }
    });
    socket.current = connection;
    connection.start();
    return () => connection.stop();
  }, [onFrame, reload]);

  useEffect(() => {
    if (live) {
      return;
    }
    const timer = setInterval(() => void reload(true), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  const selected = inbox.data?.items.find((item) => item.id === selectedId);

  return (
    <>
      <PageHeader title="Inbox">
        <span className="hint">{live ? 'Live' : 'Reconnecting… (checking every 10 s)'}</span>
        {unseen > 0 && (
          <Button onClick={() => setUnseen(0)} aria-label={`${unseen} new, mark as seen`}>
            <span className="badge">{unseen} new</span>
          </Button>
        )}
      </PageHeader>
      <p
        className={notice && unseen > 0 ? 'notice notice-success' : 'sr-only'}
        role="status"
        aria-live="polite"
      >
        {notice}
      </p>
      <div className="grid-2">
        <Card title="Waiting and assigned">
          <AsyncView
            state={inbox}
            what="the inbox"
            isEmpty={(list) => list.items.length === 0}
            empty="No conversation is waiting for a person."
          >
            {(list) => (
              <>
                <ul className="inbox-list">
                  {sortInbox(list.items).map((item) => (
                    <li key={item.id}>
                      <button
                        type="button"
                        className="inbox-item"
                        aria-current={selectedId === item.id ? 'true' : undefined}
                        onClick={() => {
                          setSelectedId(item.id);
                          setUnseen(0);
                        }}
                      >
                        <span className="doc-name">{item.title || 'Conversation'}</span>
                        <StatusBadge
                          status={item.status === 'waiting_human' ? 'pending' : 'completed'}
                          label={item.status.replace('_', ' ')}
                        />
                        <span className="hint">
                          {item.channel} · since{' '}
                          {formatDateTime(item.handoff_requested_at ?? item.updated_at)}
                          {typing.has(item.id) && ' · typing…'}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
                <LoadMore
                  list={list}
                  noun={{ one: 'conversation', many: 'conversations' }}
                  busy={inbox.loadingMore}
                  onMore={() => void inbox.loadMore()}
                />
              </>
            )}
          </AsyncView>
        </Card>
        {selected ? (
          <Conversation
            key={selected.id}
            item={selected}
            customerTyping={typing.has(selected.id)}
            onTyping={(isTyping) => socket.current?.typing(selected.id, isTyping)}
            onChanged={() => void reload(true)}
          />
        ) : (
          <Empty>Choose a conversation to read its transcript.</Empty>
        )}
      </div>
    </>
  );
}

type Action = 'claim' | 'release' | 'close';

function Conversation({
  item,
  customerTyping,
  onTyping,
  onChanged,
}: {
  item: InboxItem;
  customerTyping: boolean;
  onTyping: (isTyping: boolean) => void;
  onChanged: () => void;
}) {
  const [reply, setReply] = useState('');
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const typingSent = useRef(false);
  const params = { params: { path: { id: item.id } } };

  const stopTyping = useCallback(() => {
    clearTimeout(idle.current);
    if (typingSent.current) {
      typingSent.current = false;
      onTyping(false);
    }
  }, [onTyping]);
  useEffect(() => stopTyping, [stopTyping]);

  function typed(value: string) {
    setReply(value);
    if (internal) {
      return;
    }
    if (!typingSent.current) {
      typingSent.current = true;
      onTyping(true);
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  async function run(work: () => Promise<unknown>) {
    setError(undefined);
    setBusy(true);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(actionErrorOf(failure));
      return false;
    } finally {
      setBusy(false);
      onChanged();
    }
  }

  const act = (action: Action) =>
    run(() => unwrap(api.POST(`/api/v1/inbox/{id}/${action}`, params)));

  async function send(event: FormEvent) {
    event.preventDefault();
    stopTyping();
    const sent = await run(() =>
      unwrap(
        api.POST('/api/v1/inbox/{id}/messages', { ...params, body: { content: reply, internal } }),
      ),
    );
    if (sent) {
      setReply('');
    }
  }

  return (
    <Card
      title={item.title || 'Conversation'}
      actions={
        <div className="inline">
          {item.status === 'waiting_human' && (
            <Button variant="primary" busy={busy} onClick={() => void act('claim')}>
              Claim
            </Button>
          )}
          {item.status === 'human' && (
            <Button busy={busy} onClick={() => void act('release')}>
              Release to the bot
            </Button>
          )}
          <Button busy={busy} onClick={() => void act('close')}>
            Close
          </Button>
        </div>
      }
    >
      <ErrorNotice message={error} />
      {item.messages.length === 0 ? (
        <Empty>No message yet.</Empty>
      ) : (
        <ol className="transcript" aria-label="Transcript">
          {item.messages.map((message) => (
            <li
              key={message.id}
              className={`message message-${message.internal ? 'internal' : message.role}`}
            >
              <div className="hint">
                {message.internal ? 'Internal note' : (ROLE_LABELS[message.role] ?? message.role)}
                {' · '}
                {formatDateTime(message.created_at)}
              </div>
              <p>{message.content}</p>
              {message.sources.length > 0 && (
                <div className="hint">Sources: {sourceNames(message).join(', ')}</div>
              )}
            </li>
          ))}
        </ol>
      )}
      <p className="hint" aria-live="polite">
        {customerTyping ? 'The customer is typing…' : ''}
      </p>
      <form onSubmit={(event) => void send(event)}>
        <TextArea
          label="Reply"
          rows={3}
          required
          value={reply}
          onChange={(event) => typed(event.target.value)}
          onBlur={stopTyping}
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
