import { session } from './client';
import { apiErrorOf } from './errors';
import type { DocumentView } from './types';

/**
 * Uploads one file to the knowledge base. XMLHttpRequest, not fetch: only it reports the
 * upload's progress. A 401 refreshes the session once and sends the file again.
 */
export async function uploadDocument(
  file: File,
  onProgress: (share: number) => void,
): Promise<DocumentView> {
  const first = await send(file, onProgress);
  if (first.status === 401 && (await session.refresh())) {
    return parse(await send(file, onProgress));
  }
  return parse(first);
}

interface RawAnswer {
  status: number;
  body: unknown;
}

function parse({ status, body }: RawAnswer): DocumentView {
  if (status < 200 || status >= 300) {
    throw apiErrorOf(status, body);
  }
  return body as DocumentView;
}

function send(file: File, onProgress: (share: number) => void): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/v1/rag/documents');
    for (const [name, value] of Object.entries(session.headers())) {
      request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) {
        onProgress(event.loaded / event.total);
      }
    };
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => resolve({ status: 0, body: undefined });
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
