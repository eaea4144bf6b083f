import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import { Injectable } from '@nestjs/common';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

import { DomainError, ErrorCode, httpStatusFor } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { type HttpErrorBody, toHttpError } from './error-response';

/** Longest request target the gateway reads; Node's own header limit (16 KiB) comes after. */
export const MAX_URL_LENGTH = 8192;

const URI_TOO_LONG_MESSAGE = `The request URL is longer than ${MAX_URL_LENGTH} characters`;
const CLIENT_ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  URI_TOO_LONG: URI_TOO_LONG_MESSAGE,
  HEADERS_TOO_LARGE: 'The request headers are too large',
  REQUEST_TIMEOUT: 'The request did not arrive in time',
  MALFORMED_REQUEST: 'The request is not valid HTTP',
};

/**
 * Fastify options for what fails before any route or hook runs, so that those answers have
 * the API's error shape too: the router's refusals (a malformed or over-long path) and the
 * requests Node's HTTP parser cannot read (a header or request line over its limit, bytes
 * that are not HTTP), which Node would otherwise answer itself with an empty body.
 */
export function preRoutingErrorOptions(logger: Logger) {
  return {
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendError(reply, toHttpError(error, request.id, logger)),
    clientErrorHandler: (error: Error, socket: Socket) =>
      answerClientError(error as ClientError, socket, logger),
  };
}

/** A request target over MAX_URL_LENGTH is refused before anything else reads it. */
export function refuseLongUrls(fastify: FastifyInstance, logger: Logger) {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.length <= MAX_URL_LENGTH) {
      return done();
    }
    const error = new DomainError(ErrorCode.URI_TOO_LONG, URI_TOO_LONG_MESSAGE);
    sendError(reply, toHttpError(error, request.id, logger));
  });
}

function sendError(reply: FastifyReply, body: HttpErrorBody) {
  void reply.header('X-Request-ID', body.request_id).status(body.statusCode).send(body);
}

type ClientError = NodeJS.ErrnoException & { rawPacket?: Buffer };

function answerClientError(error: ClientError, socket: Socket, logger: Logger) {
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }
  const code = clientErrorCode(error);
  const statusCode = httpStatusFor(code);
  const requestId = randomUUID();
  const body = JSON.stringify({
    statusCode,
    code,
    message: CLIENT_ERROR_MESSAGES[code],
    request_id: requestId,
  });
  logger.info({ request_id: requestId, code, reason: error.code }, 'unreadable request refused');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function clientErrorCode(error: ClientError): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return ErrorCode.REQUEST_TIMEOUT;
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return requestLineOverflowed(error.rawPacket)
      ? ErrorCode.URI_TOO_LONG
      : ErrorCode.HEADERS_TOO_LARGE;
  }
  return ErrorCode.MALFORMED_REQUEST;
}

/**
 * Node reports an over-long request line and over-large headers alike (one limit covers both);
 * what it had read tells them apart: a request line that has not ended within the URL limit.
 */
function requestLineOverflowed(packet: Buffer | undefined): boolean {
  if (!packet || !/^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1'))) {
    return false;
  }
  const lineEnd = packet.indexOf('\r\n');
  return lineEnd < 0 || lineEnd > MAX_URL_LENGTH;
}

const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The routes the gateway serves, by method, so that a path served under other methods is
 * answered 405 with `Allow` instead of 404.
 */
@Injectable()
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true });
  private readonly recorded: { method: string; url: string }[] = [];

  /** Records every route registered on `fastify` from now on. */
  record(fastify: FastifyInstance) {
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (
          METHODS.includes(method as HTTPMethod) &&
          !this.router.hasRoute(method as HTTPMethod, route.url)
        ) {
          this.router.on(method as HTTPMethod, route.url, () => undefined);
          this.recorded.push({ method, url: route.url });
        }
      }
    });
  }

  /** Every route registered, as Fastify has it (`/api/v1/rag/documents/:id`). */
  routes(): readonly { method: string; url: string }[] {
    return this.recorded;
  }

  /** The methods a path is served with; empty when no route has the path at all. */
  methodsOf(url: string): string[] {
    const path = url.split('?')[0];
    return METHODS.filter((method) => this.router.find(method, path) !== null);
  }
}
