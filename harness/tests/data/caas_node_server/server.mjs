// A small caas server that is not ours, for harness/tests/caas_node_server.rs: the npm
// `socket.io` server (pinned in reference/tests/interop/node/package.json, installed by
// .ci/install-interop-clients) serving a handful of caas behaviours the way
// scenarios/caas/NOTES.md settles them: auth (N2), frames (N3), acks (N4), the `error` event
// (N5), conversation:join/leave (N6), message:send/edit/delete (N7, N8), typing (N9), presence
// (N10) and the binary relay (N12). No calls, no rate limit, no limits beyond N12's size.
// The typing timeout (default 5 s) and the largest media frame (default 1 MiB) are options, so
// that it can run with the suite's settings (500 ms, 65,536 bytes).
//
// Usage: node server.mjs [--fault NAME] [--typing-timeout-ms N] [--max-binary-bytes N]
// Listens on 127.0.0.1, port 0, and prints the bound port alone as its first stdout line.
// `--fault` plants one known fault (FAULTS below), so the harness must catch it.

import { createServer } from "node:http";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { Refusal, errorPayload, serverFrame } from "./frames.mjs";
import { Handlers } from "./handlers.mjs";

// socket.io is installed with the interop clients, not next to this file.
const interop = new URL("../../../../reference/tests/interop/node/package.json", import.meta.url);
const { Server } = createRequire(interop)("socket.io");

/** The faults `--fault` can plant, one at a time. */
const FAULTS = ["ack-shape", "no-fanout", "tenant-leak", "corrupt-attachment"];

/** The suite's tokens (caas-N2): token → user, tenant and, for one, a time long past. */
const TOKENS = {
  "tok-alice": { userId: "alice", tenantId: "t1" },
  "tok-bob": { userId: "bob", tenantId: "t1" },
  "tok-carol": { userId: "carol", tenantId: "t2" },
  "tok-erin": { userId: "erin", tenantId: "t1" },
  "tok-expired": { userId: "dave", tenantId: "t1", expiresAt: Date.parse("2020-01-01T00:00:00Z") },
};

const { values: options } = parseArgs({
  options: {
    fault: { type: "string" },
    "typing-timeout-ms": { type: "string", default: "5000" },
    "max-binary-bytes": { type: "string", default: String(1024 * 1024) },
  },
});
if (options.fault !== undefined && !FAULTS.includes(options.fault)) {
  console.error(`server.mjs: unknown fault ${options.fault}; known: ${FAULTS.join(", ")}`);
  process.exit(2);
}

/** A connect_error of `code` (C7: the message is the code, data is {code, message}). */
function refused(code, sentence) {
  const error = new Error(code);
  error.data = { code, message: sentence };
  return error;
}

/** The user of a handshake, or a refusal (caas-N2). */
function authenticate(socket, next) {
  const token = socket.handshake.auth?.token;
  if (token === undefined) return next(refused("AUTH_REQUIRED", "auth.token is missing"));
  const user = typeof token === "string" ? TOKENS[token] : undefined;
  if (user === undefined) return next(refused("AUTH_INVALID", "the token is not known"));
  if (user.expiresAt !== undefined && user.expiresAt <= Date.now()) {
    return next(refused("TOKEN_EXPIRED", "the token has expired"));
  }
  socket.data.user = user;
  return next();
}

const handlers = new Handlers({
  fault: options.fault,
  typingTimeoutMs: Number(options["typing-timeout-ms"]),
  maxBinaryBytes: Number(options["max-binary-bytes"]),
});

/** Answers a refused event: by its ack when it has one, else by an `error` frame (caas-N5). */
function refuse(socket, refusal, frame, ack) {
  const payload = errorPayload(refusal);
  if (ack !== undefined) return ack({ success: false, error: payload });
  const replyTo = typeof frame?.id === "string" && frame.id !== "" ? frame.id : undefined;
  return socket.emit("error", serverFrame("error", payload, { replyTo }));
}

const http = createServer();
const io = new Server(http, { path: "/socket.io/", maxHttpBufferSize: 2 * 1024 * 1024 });
io.use(authenticate);
io.on("connection", (socket) => {
  handlers.connected(socket);
  socket.onAny((event, ...args) => {
    const ack = typeof args.at(-1) === "function" ? args.pop() : undefined;
    try {
      const answer = handlers.handle(socket, event, args);
      if (ack !== undefined) ack(answer);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      refuse(socket, error, args[0], ack);
    }
  });
  socket.on("disconnect", () => handlers.disconnected(socket));
});

http.listen(0, "127.0.0.1", () => {
  console.log(http.address().port);
});
