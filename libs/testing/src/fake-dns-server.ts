import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

import * as dnsPacket from 'dns-packet';

const NXDOMAIN = 3;

/**
 * A tiny authoritative DNS server on loopback (UDP) answering TXT, A and AAAA queries from
 * tables the test fills in; every other name is NXDOMAIN. Point DNS_RESOLVER at `address`.
 */
export class FakeDnsServer {
  private readonly txtRecords = new Map<string, string[][]>();
  private readonly addresses = new Map<string, string[]>();

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

  /** Points `name` at these addresses (A for IPv4, AAAA for IPv6), replacing earlier ones. */
  setAddress(name: string, ...addresses: string[]): void {
    this.addresses.set(name.toLowerCase(), addresses);
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
    const answers = (query.questions ?? []).flatMap((question) => this.recordsFor(question));
    const known = (query.questions ?? []).some((question) =>
      [this.txtRecords, this.addresses].some((table) => table.has(question.name.toLowerCase())),
    );
    return dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (answers.length > 0 || known ? 0 : NXDOMAIN),
      questions: query.questions,
      answers,
    });
  }

  private recordsFor(question: dnsPacket.Question): dnsPacket.Answer[] {
    const name = question.name.toLowerCase();
    if (question.type === 'TXT') {
      return (this.txtRecords.get(name) ?? []).map((data) => ({
        type: 'TXT' as const,
        name: question.name,
        ttl: 0,
        data,
      }));
    }
    if (question.type === 'A' || question.type === 'AAAA') {
      const family = question.type === 'A' ? 4 : 6;
      return (this.addresses.get(name) ?? [])
        .filter((address) => isIP(address) === family)
        .map((data) => ({
          type: question.type as 'A' | 'AAAA',
          name: question.name,
          ttl: 0,
          data,
        }));
    }
    return [];
  }
}
