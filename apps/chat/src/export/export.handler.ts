import { Controller } from '@nestjs/common';
import { Observable } from 'rxjs';

import { type Caller, FEEDBACK, type ParsedRequestOf, type ReplyOf } from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { ExportService } from './export.service';

type ExportPage = ReplyOf<typeof FEEDBACK.EXPORT_CONVERSATIONS>;

@Controller()
export class ExportHandler {
  constructor(private readonly exports: ExportService) {}

  /** A page of conversations a value; the caller's unsubscribing stops the reading. */
  @Handles(FEEDBACK.EXPORT_CONVERSATIONS)
  conversations(
    @CurrentCaller() caller: Caller,
    @ValidPayload(FEEDBACK.EXPORT_CONVERSATIONS)
    query: ParsedRequestOf<typeof FEEDBACK.EXPORT_CONVERSATIONS>,
  ): Observable<ExportPage> {
    return new Observable<ExportPage>((subscriber) => {
      const cancel = new AbortController();
      void (async () => {
        try {
          for await (const conversations of this.exports.conversations(
            caller,
            query,
            cancel.signal,
          )) {
            subscriber.next({ conversations });
          }
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      })();
      return () => cancel.abort();
    });
  }
}
