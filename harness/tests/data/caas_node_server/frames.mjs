// The caas frame rules of the small Node server (server.mjs): client frame checks (caas-N3),
// server frames, refusals as acks or `error` events (caas-N4, caas-N5) and the binary layout
// (caas-N12). Pure functions over plain values; no sockets, no state.

import { randomUUID } from "node:crypto";

/** A refusal: the code, a sentence and optional details, thrown by a handler. */
export class Refusal extends Error {
  constructor(code, message, details) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const missing = (field) => new Refusal("MISSING_FIELD", `${field} is missing`, { field });
export const invalid = (field, why = "is invalid") =>
  new Refusal("INVALID_PAYLOAD", `${field} ${why}`, { field });

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** The client frame of `event`, checked field by field in the frame's order, or a thrown
 * Refusal (caas-N3). */
export function checkFrame(event, frame) {
  if (!isObject(frame)) throw invalid("frame", "is not an object");
  if (frame.id === undefined) throw missing("id");
  if (typeof frame.id !== "string" || frame.id === "") throw invalid("id");
  if (frame.type === undefined) throw missing("type");
  if (frame.type !== event) throw invalid("type", `is not ${event}`);
  if (frame.version === undefined) throw missing("version");
  if (frame.version !== 1) throw invalid("version", "is not 1");
  typed(frame, "timestamp", "number");
  typed(frame, "tenantId", "string");
  if (frame.conversationId !== undefined && !isConversationId(frame.conversationId)) {
    throw invalid("conversationId");
  }
  if (frame.data === undefined) throw missing("data");
  if (!isObject(frame.data)) throw invalid("data", "is not an object");
  typed(frame, "ack", "boolean");
  typed(frame, "replyTo", "string");
  return frame;
}

/** An optional field is absent or of its type. */
function typed(frame, field, kind) {
  if (frame[field] !== undefined && typeof frame[field] !== kind) throw invalid(field);
}

/** A conversation id (caas-N6): a non-empty string of at most 128 characters. */
export const isConversationId = (id) => typeof id === "string" && id !== "" && id.length <= 128;

/** A required string field of `data` (`data.<field>`), at most `max` characters. */
export function text(data, field, max) {
  const value = data[field];
  if (value === undefined) throw missing(`data.${field}`);
  if (typeof value !== "string" || value === "" || value.length > max) {
    throw invalid(`data.${field}`);
  }
  return value;
}

/** A frame the server writes (caas-N3): no tenantId, no ack, optional fields omitted. */
export function serverFrame(type, data, { conversationId, replyTo } = {}) {
  const frame = { id: randomUUID(), type, version: 1, timestamp: Date.now() };
  if (conversationId !== undefined) frame.conversationId = conversationId;
  frame.data = data;
  if (replyTo !== undefined) frame.replyTo = replyTo;
  return frame;
}

/** The `{code, message, details?}` of a refusal. */
export function errorPayload(refusal) {
  const payload = { code: refusal.code, message: refusal.message };
  if (refusal.details !== undefined) payload.details = refusal.details;
  return payload;
}

const BINARY_TYPES = { 1: "audio", 2: "video", 3: "file_chunk" };

/**
 * The JSON header of a binary frame (caas-N12) after checking the 16-byte big-endian header
 * `[total length, JSON header length, message type, sequence]`, or a thrown Refusal.
 */
export function checkBinary(buffer, maxBytes) {
  if (!Buffer.isBuffer(buffer)) throw invalid("total_length", "is not a binary attachment");
  if (buffer.length < 16 || buffer.length > maxBytes) throw invalid("total_length");
  if (buffer.readUInt32BE(0) !== buffer.length) throw invalid("total_length");
  const headerLength = buffer.readUInt32BE(4);
  if (16 + headerLength > buffer.length) throw invalid("header_length");
  const kind = BINARY_TYPES[buffer.readUInt32BE(8)];
  if (kind === undefined) throw invalid("message_type");
  let header;
  try {
    header = JSON.parse(buffer.subarray(16, 16 + headerLength).toString("utf8"));
  } catch {
    throw invalid("header", "is not JSON");
  }
  if (!isObject(header) || typeof header.conversationId !== "string") throw invalid("header");
  if (header.type !== kind) throw invalid("message_type", `does not name ${header.type}`);
  const { chunkIndex, totalChunks } = header;
  if (!Number.isInteger(chunkIndex) || !Number.isInteger(totalChunks) || chunkIndex < 0) {
    throw invalid("chunkIndex");
  }
  if (chunkIndex >= totalChunks) throw invalid("chunkIndex", "is not below totalChunks");
  return header;
}
