// caas driven by socket.io-client (npm), for reference/tests/caas_interop_npm_pypi.rs.
//
// Usage: node caas_client.mjs <base url>
//
// Against a fresh or shared caas server with the suite's tokens (scenarios/caas/NOTES.md,
// caas-N2): a refused connect (AUTH_INVALID, with C7's data when the server sends any), alice and bob (tenant t1) join one conversation,
// carol (t2) is refused it (FORBIDDEN), alice sends a message with an ack and both get
// message:new, then alice sends one binary attachment (caas-N12) which bob gets byte for byte.
// Every frame and ack is checked exactly (caas-N3, N4, N7); each wait gives up after WAIT_MS and
// the run after RUN_LIMIT_MS. Any mismatch exits 1 with one line saying what came instead of
// what. On success it prints one JSON line: the checks passed, in order, whether the refusal
// carried data, the message id and the binary frame's length.
import { randomUUID } from "node:crypto";
import { io } from "socket.io-client";

const [base] = process.argv.slice(2);
const WAIT_MS = 10_000;
const RUN_LIMIT_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BINARY_TYPES = { audio: 1, video: 2, file_chunk: 3 };

setTimeout(() => fail(`no result within ${RUN_LIMIT_MS} ms`), RUN_LIMIT_MS).unref();

function fail(why) {
  console.error(`caas_client (socket.io-client): ${why}`);
  process.exit(1);
}

const shown = (value) => JSON.stringify(value);
const isUuid = (value) => typeof value === "string" && UUID.test(value);
const isMillis = (value) => Number.isInteger(value) && value > 1_600_000_000_000;
const isSentence = (value) => typeof value === "string" && value !== "";

/** Fails unless `value` is an object with exactly `expected`'s keys, each passing its check. */
function exact(what, value, expected) {
  const keys = Object.keys(value ?? {}).sort();
  const wanted = Object.keys(expected).sort();
  if (value === null || typeof value !== "object" || shown(keys) !== shown(wanted)) {
    fail(`${what}: expected exactly the keys ${shown(wanted)}, got ${shown(value)}`);
  }
  for (const [key, check] of Object.entries(expected)) {
    const good = typeof check === "function" ? check(value[key]) : shown(check) === shown(value[key]);
    if (!good) fail(`${what}: ${key} is wrong in ${shown(value)}`);
  }
}

/** A connected socket whose events of `names` queue up, read with `next`. */
function connect(token) {
  const socket = io(base, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  socket.inbox = [];
  socket.waiting = null;
  socket.onAny((event, ...args) => {
    socket.inbox.push({ event, args });
    socket.waiting?.();
  });
  return socket;
}

/** The next event `socket` received (it must be `event`), its first argument. */
async function next(socket, who, event) {
  const deadline = Date.now() + WAIT_MS;
  while (socket.inbox.length === 0) {
    const left = deadline - Date.now();
    if (left <= 0) fail(`${who}: no ${event} within ${WAIT_MS} ms`);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, left);
      socket.waiting = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  const got = socket.inbox.shift();
  if (got.event !== event || got.args.length !== 1) {
    fail(`${who}: expected one ${event} argument, got ${shown(got)}`);
  }
  return got.args[0];
}

function connected(socket, who) {
  return new Promise((resolve) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (e) => fail(`${who}: refused (${e.message})`));
  });
}

/** A client frame (caas-N3). */
function frame(type, conversationId, data) {
  return { id: randomUUID(), type, version: 1, timestamp: Date.now(), conversationId, data };
}

/** The 16-byte big-endian header, the JSON header and the payload (caas-N12). */
function binaryFrame(header, payload, sequence) {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const buffer = Buffer.alloc(16 + json.length + payload.length);
  buffer.writeUInt32BE(buffer.length, 0);
  buffer.writeUInt32BE(json.length, 4);
  buffer.writeUInt32BE(BINARY_TYPES[header.type], 8);
  buffer.writeUInt32BE(sequence, 12);
  json.copy(buffer, 16);
  payload.copy(buffer, 16 + json.length);
  return buffer;
}

const ack = (socket, event, arg) => socket.timeout(WAIT_MS).emitWithAck(event, arg);
const success = { success: true, timestamp: isMillis };

async function main() {
  const passed = [];

  const mallory = connect("not-a-known-token");
  const refusal = await new Promise((resolve) => {
    mallory.once("connect_error", resolve);
    mallory.once("connect", () => fail("an unknown token was let in"));
  });
  mallory.close();
  if (refusal.message !== "AUTH_INVALID") fail(`refusal message ${shown(refusal.message)}`);
  // C7's data, when the server can send it (socketioxide cannot: jobber-N16, caas NOTES).
  if (refusal.data !== undefined) {
    exact("connect_error data", refusal.data, { code: "AUTH_INVALID", message: isSentence });
  }
  passed.push("auth_invalid");

  const [alice, bob, carol] = ["tok-alice", "tok-bob", "tok-carol"].map(connect);
  await Promise.all([connected(alice, "alice"), connected(bob, "bob"), connected(carol, "carol")]);

  const conversation = `interop-node-${randomUUID()}`;
  for (const [who, socket] of [["alice", alice], ["bob", bob]]) {
    const join = frame("conversation:join", conversation, { conversationId: conversation });
    exact(`${who}'s join ack`, await ack(socket, "conversation:join", join), success);
  }
  passed.push("join");

  const intrude = frame("conversation:join", conversation, { conversationId: conversation });
  const forbidden = await ack(carol, "conversation:join", intrude);
  exact("carol's join ack", forbidden, { success: false, error: (e) => e !== null });
  const { details, ...error } = forbidden.error;
  exact("carol's join error", error, { code: "FORBIDDEN", message: isSentence });
  if (details !== undefined && (details === null || typeof details !== "object")) {
    fail(`carol's join error details ${shown(details)}`);
  }
  passed.push("forbidden");

  const send = frame("message:send", conversation, { content: "hello from node", type: "text" });
  const sent = await ack(alice, "message:send", send);
  exact("message:send ack", sent, { success: true, messageId: isUuid, timestamp: isMillis });
  const message = {
    messageId: sent.messageId,
    conversationId: conversation,
    senderId: "alice",
    content: "hello from node",
    type: "text",
    createdAt: isMillis,
  };
  for (const [who, socket] of [["bob", bob], ["alice", alice]]) {
    const got = await next(socket, who, "message:new");
    exact(`${who}'s message:new`, got, {
      id: isUuid,
      type: "message:new",
      version: 1,
      timestamp: isMillis,
      conversationId: conversation,
      data: (d) => d !== null && typeof d === "object",
      replyTo: send.id,
    });
    exact(`${who}'s message:new data`, got.data, message);
  }
  passed.push("message");

  const header = {
    type: "file_chunk",
    conversationId: conversation,
    chunkIndex: 0,
    totalChunks: 1,
    mimeType: "application/octet-stream",
  };
  const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
  const bytes = binaryFrame(header, payload, 1);
  exact("binary ack", await ack(alice, "binary", bytes), success);
  const relayed = Buffer.from(await next(bob, "bob", "binary"));
  if (!relayed.equals(bytes)) {
    fail(`bob's binary differs: ${relayed.length} bytes, sent ${bytes.length}`);
  }
  passed.push("binary");

  // A round trip on each socket after everything: what came before it is all there is.
  for (const [who, socket] of [["alice", alice], ["bob", bob], ["carol", carol]]) {
    const leave = frame("conversation:leave", conversation, { conversationId: conversation });
    await ack(socket, "conversation:leave", leave);
    if (socket.inbox.length > 0) fail(`${who} got more: ${shown(socket.inbox)}`);
  }
  passed.push("nothing_else");

  for (const socket of [alice, bob, carol]) socket.close();
  const refusalData = refusal.data !== undefined;
  const result = { passed, refusalData, messageId: sent.messageId, binaryLength: bytes.length };
  console.log(JSON.stringify(result));
}

main().catch((e) => fail(e.stack ?? String(e)));
