import { createSocket, type Socket } from 'node:dgram';

import * as dnsPacket from 'dns-packet';

const NXDOMAIN = 3;

/**
 * A tiny authoritative DNS server on loopback (UDP) answering TXT queries from a table the
 * test fills in; every other name is NXDOMAIN. Point DNS_RESOLVER at `address`.
 */
export class FakeDnsServer {
  private readonly txtRecords = new Map<string, string[][]>();

  private constructor(
    private readonly socket: Socket,
    /** `127.0.0.1:<port>`, as DNS_RESOLVER takes it. */
    readonly address: string,
  ) {
    socket.on('message', (message, from) => {
      const reply = this.answer(message);
      if (reply) {
        socket.send(reply, from.port, from.address);
      }
    });
  }

  static start(): Promise<FakeDnsServer> {
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.unref();
        resolve(new FakeDnsServer(socket, `127.0.0.1:${socket.address().port}`));
      });
    });
  }

  /** Publishes TXT records of `name`; each record is a list of strings (joined when read). */
  setTxt(name: string, ...records: (string | string[])[]): void {
    this.txtRecords.set(
      name.toLowerCase(),
      records.map((record) => (Array.isArray(record) ? record : [record])),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(message: Buffer): Buffer | undefined {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return undefined;
    }
    const answers = (query.questions ?? []).flatMap((question) =>
      question.type === 'TXT'
        ? (this.txtRecords.get(question.name.toLowerCase()) ?? []).map((data) => ({
            type: 'TXT' as const,
            name: question.name,
            ttl: 0,
            data,
          }))
        : [],
    );
    return dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (answers.length > 0 ? 0 : NXDOMAIN),
      questions: query.questions,
      answers,
    });
  }
}
