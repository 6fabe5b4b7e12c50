// An answer sent before the request's body was read (a refusal: wrong type, no session, too
// large) closes the connection rather than read the rest of what the client is still sending.
//
// Node ends a "Connection: close" response with socket.destroySoon(): end of stream, then
// destroy once written, which resets the connection while unread body bytes wait and can
// swallow the answer before the client reads it. Instead: end of stream, read nothing more
// (the client's writes stall against a full TCP window), and drop the connection a moment
// later ("lingering close").
import { Socket } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";

const LINGER_MS = 2000;

function lingerInsteadOfReset(socket: Socket) {
  socket.destroySoon = function lingeringClose(this: Socket) {
    this.pause();
    this.end();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}

/** onSend hook for the whole app (panel, simulator, webhook). */
export async function closeIfBodyUnread(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (request.raw.complete === false && request.raw.socket instanceof Socket) {
    reply.header("connection", "close");
    lingerInsteadOfReset(request.raw.socket);
  }
  return payload;
}
