/** One file of a multi-file upload, as the knowledge page shows it. */
export interface UploadItem {
  id: string;
  name: string;
  size: number;
  /** 0..1 of the bytes sent. */
  progress: number;
  state: 'queued' | 'uploading' | 'done' | 'failed';
  error?: string;
}

export type UploadEvent =
  | { kind: 'added'; items: UploadItem[] }
  | { kind: 'progress'; id: string; progress: number }
  | { kind: 'done'; id: string }
  | { kind: 'failed'; id: string; error: string }
  | { kind: 'cleared' };

/** The upload list's reducer: each file moves queued → uploading → done | failed. */
export function uploadsReducer(items: UploadItem[], event: UploadEvent): UploadItem[] {
  switch (event.kind) {
    case 'added':
      return [...items, ...event.items];
    case 'progress':
      return items.map((item) =>
        item.id === event.id
          ? { ...item, state: 'uploading', progress: Math.min(1, Math.max(0, event.progress)) }
          : item,
      );
    case 'done':
      return items.map((item) =>
        item.id === event.id ? { ...item, state: 'done', progress: 1 } : item,
      );
    case 'failed':
      return items.map((item) =>
        item.id === event.id ? { ...item, state: 'failed', error: event.error } : item,
      );
    case 'cleared':
      return items.filter((item) => item.state === 'queued' || item.state === 'uploading');
  }
}

export function queuedItems(files: readonly File[], idOf: (file: File) => string): UploadItem[] {
  return files.map((file) => ({
    id: idOf(file),
    name: file.name,
    size: file.size,
    progress: 0,
    state: 'queued',
  }));
}
