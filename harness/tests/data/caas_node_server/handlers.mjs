// The caas events of the small Node server (server.mjs) and its in-memory state:
// conversations and their members, messages, typing timers and who is connected. `handle`
// returns the ack's answer or throws a Refusal; sockets are only emitted to. A planted fault
// (`fault`) changes exactly one behaviour.

import { randomUUID } from "node:crypto";
import {
  Refusal,
  checkBinary,
  checkFrame,
  invalid,
  isConversationId,
  missing,
  serverFrame,
  text,
} from "./frames.mjs";

const MAX_CONTENT_CHARS = 4000;
const MESSAGE_TYPES = ["text", "image", "file", "audio", "video"];
const STATUSES = ["online", "away", "busy", "offline"];

export class Handlers {
  constructor({ fault, typingTimeoutMs, maxBinaryBytes }) {
    this.fault = fault;
    this.typingTimeoutMs = typingTimeoutMs;
    this.maxBinaryBytes = maxBinaryBytes;
    /** conversationId → { tenantId, members: Set<userId> } */
    this.conversations = new Map();
    /** userId → Set<socket> */
    this.sockets = new Map();
    /** messageId → { conversationId, senderId, deleted } */
    this.messages = new Map();
    /** `${userId} ${frame id}` → messageId: a retried send (caas-N7) */
    this.sent = new Map();
    /** `${userId} ${conversationId}` → typing timer (caas-N9) */
    this.typing = new Map();
  }

  connected(socket) {
    const { userId } = socket.data.user;
    if (!this.sockets.has(userId)) this.sockets.set(userId, new Set());
    this.sockets.get(userId).add(socket);
  }

  disconnected(socket) {
    const { userId } = socket.data.user;
    const mine = this.sockets.get(userId);
    mine.delete(socket);
    if (mine.size > 0) return;
    this.sockets.delete(userId);
    for (const [id, conversation] of this.conversations) {
      if (conversation.members.has(userId)) this.stopTyping(userId, id);
    }
    this.presence(userId, "offline");
  }

  /** The ack's answer of `event`, or a thrown Refusal. */
  handle(socket, event, args) {
    const user = socket.data.user;
    if (event === "binary") return this.binary(user, args[0]);
    const handler = EVENTS[event];
    if (handler === undefined) throw invalid("type", `${event} is not an event of the document`);
    return handler.call(this, user, checkFrame(event, args[0]));
  }

  join(user, frame) {
    const id = conversationOf(frame);
    const conversation = this.conversations.get(id);
    if (conversation === undefined) {
      this.conversations.set(id, { tenantId: user.tenantId, members: new Set([user.userId]) });
    } else if (conversation.tenantId !== user.tenantId) {
      throw new Refusal("FORBIDDEN", `conversation ${id} belongs to another tenant`);
    } else {
      conversation.members.add(user.userId);
    }
    return done();
  }

  leave(user, frame) {
    const id = conversationOf(frame);
    this.member(user, id);
    this.stopTyping(user.userId, id, frame.id);
    const { members } = this.conversations.get(id);
    members.delete(user.userId);
    // Left by its last member, a conversation is forgotten (a later join creates it anew).
    if (members.size === 0) this.conversations.delete(id);
    return done();
  }

  send(user, frame) {
    const conversationId = frame.conversationId;
    if (conversationId === undefined) throw missing("conversationId");
    const conversation = this.member(user, conversationId);
    const content = text(frame.data, "content", MAX_CONTENT_CHARS);
    const type = frame.data.type;
    if (type === undefined) throw missing("data.type");
    if (!MESSAGE_TYPES.includes(type)) throw invalid("data.type");
    const attachments = frame.data.attachments;
    if (attachments !== undefined && !validAttachments(attachments)) {
      throw invalid("data.attachments");
    }
    const retried = this.sent.get(`${user.userId} ${frame.id}`);
    if (retried !== undefined) {
      throw new Refusal("ALREADY_EXISTS", `frame ${frame.id} was sent`, { messageId: retried });
    }
    const message = { messageId: randomUUID(), conversationId, senderId: user.userId, content, type };
    if (attachments !== undefined) message.attachments = attachments;
    message.createdAt = Date.now();
    if (frame.replyTo !== undefined) message.replyTo = frame.replyTo;
    this.sent.set(`${user.userId} ${frame.id}`, message.messageId);
    this.messages.set(message.messageId, { conversationId, senderId: user.userId, deleted: false });
    const out = serverFrame("message:new", message, { conversationId, replyTo: frame.id });
    this.fanOut(conversation, user, out);
    if (this.fault === "ack-shape") return { ok: true, id: message.messageId };
    return { success: true, messageId: message.messageId, timestamp: message.createdAt };
  }

  /** message:new to the members (fault no-fanout: the sender only; tenant-leak: others too). */
  fanOut(conversation, user, out) {
    const members = this.fault === "no-fanout" ? [user.userId] : conversation.members;
    for (const socket of this.socketsOf(members)) socket.emit("message:new", out);
    if (this.fault !== "tenant-leak") return;
    for (const sockets of this.sockets.values()) {
      for (const socket of sockets) {
        if (socket.data.user.tenantId !== user.tenantId) socket.emit("message:new", out);
      }
    }
  }

  edit(user, frame) {
    const { messageId, conversationId } = this.own(user, frame);
    const content = text(frame.data, "content", MAX_CONTENT_CHARS);
    const out = serverFrame("message:updated", { messageId, content }, { conversationId, replyTo: frame.id });
    this.emitTo(this.conversations.get(conversationId).members, "message:updated", out);
    return { ...done(), messageId };
  }

  remove(user, frame) {
    const { messageId, conversationId } = this.own(user, frame);
    this.messages.get(messageId).deleted = true;
    const out = serverFrame("message:deleted", { messageId }, { conversationId, replyTo: frame.id });
    this.emitTo(this.conversations.get(conversationId).members, "message:deleted", out);
    return { ...done(), messageId };
  }

  /** The live message `data.messageId` of this author (caas-N8). */
  own(user, frame) {
    const messageId = text(frame.data, "messageId", Infinity);
    const message = this.messages.get(messageId);
    if (message === undefined || message.deleted) {
      throw new Refusal("NOT_FOUND", `no message ${messageId}`);
    }
    if (message.senderId !== user.userId) {
      throw new Refusal("FORBIDDEN", `message ${messageId} is another user's`);
    }
    this.member(user, message.conversationId);
    return { messageId, conversationId: message.conversationId };
  }

  typingStart(user, frame) {
    const id = conversationOf(frame);
    this.member(user, id);
    const key = `${user.userId} ${id}`;
    const already = this.typing.has(key);
    clearTimeout(this.typing.get(key));
    const timer = setTimeout(() => this.stopTyping(user.userId, id), this.typingTimeoutMs);
    this.typing.set(key, timer);
    if (!already) this.typingUpdate(user.userId, id, true, frame.id);
    return done();
  }

  typingStop(user, frame) {
    const id = conversationOf(frame);
    this.member(user, id);
    this.stopTyping(user.userId, id, frame.id);
    return done();
  }

  stopTyping(userId, conversationId, replyTo) {
    const key = `${userId} ${conversationId}`;
    if (!this.typing.has(key)) return;
    clearTimeout(this.typing.get(key));
    this.typing.delete(key);
    this.typingUpdate(userId, conversationId, false, replyTo);
  }

  typingUpdate(userId, conversationId, typing, replyTo) {
    const others = [...this.conversations.get(conversationId).members].filter((u) => u !== userId);
    const out = serverFrame("typing:update", { userId, conversationId, typing }, { conversationId, replyTo });
    this.emitTo(others, "typing:update", out);
  }

  presenceUpdate(user, frame) {
    const status = frame.data.status;
    if (status === undefined) throw missing("data.status");
    if (!STATUSES.includes(status)) throw invalid("data.status");
    const custom = frame.data.customMessage;
    if (custom !== undefined && (typeof custom !== "string" || custom.length > 140)) {
      throw invalid("data.customMessage");
    }
    this.presence(user.userId, status, frame.id);
    return done();
  }

  /** presence:update to the users who share a conversation with `userId` (caas-N10). */
  presence(userId, status, replyTo) {
    const peers = new Set();
    for (const { members } of this.conversations.values()) {
      if (members.has(userId)) for (const member of members) peers.add(member);
    }
    peers.delete(userId);
    this.emitTo(peers, "presence:update", serverFrame("presence:update", { userId, status }, { replyTo }));
  }

  /** Relays one binary attachment to the other members' sockets (caas-N12). */
  binary(user, buffer) {
    const header = checkBinary(buffer, this.maxBinaryBytes);
    const conversation = this.member(user, header.conversationId);
    const others = [...conversation.members].filter((u) => u !== user.userId);
    let relayed = buffer;
    if (this.fault === "corrupt-attachment") {
      relayed = Buffer.from(buffer);
      relayed[relayed.length - 1] ^= 0xff;
    }
    for (const socket of this.socketsOf(others)) socket.emit("binary", relayed);
    return done();
  }

  /** The conversation `id` if `user` is a member, else NOT_MEMBER (or FORBIDDEN, another tenant's). */
  member(user, id) {
    const conversation = this.conversations.get(id);
    if (conversation !== undefined && conversation.members.has(user.userId)) return conversation;
    if (conversation !== undefined && conversation.tenantId !== user.tenantId) {
      throw new Refusal("FORBIDDEN", `conversation ${id} belongs to another tenant`);
    }
    throw new Refusal("NOT_MEMBER", `not a member of conversation ${id}`);
  }

  *socketsOf(userIds) {
    for (const userId of userIds) yield* this.sockets.get(userId) ?? [];
  }

  emitTo(userIds, event, frame) {
    for (const socket of this.socketsOf(userIds)) socket.emit(event, frame);
  }
}

const EVENTS = {
  "conversation:join": Handlers.prototype.join,
  "conversation:leave": Handlers.prototype.leave,
  "message:send": Handlers.prototype.send,
  "message:edit": Handlers.prototype.edit,
  "message:delete": Handlers.prototype.remove,
  "typing:start": Handlers.prototype.typingStart,
  "typing:stop": Handlers.prototype.typingStop,
  "presence:update": Handlers.prototype.presenceUpdate,
};

const done = () => ({ success: true, timestamp: Date.now() });

/** The frame's `conversationId`, else `data.conversationId` (K2, caas-N6): a non-empty string
 * of at most 128 characters. */
function conversationOf(frame) {
  if (frame.conversationId !== undefined) return frame.conversationId;
  const id = frame.data.conversationId;
  if (id === undefined) throw missing("data.conversationId");
  if (!isConversationId(id)) throw invalid("data.conversationId");
  return id;
}

function validAttachments(attachments) {
  const valid = (a) =>
    a !== null &&
    typeof a === "object" &&
    typeof a.url === "string" &&
    typeof a.name === "string" &&
    typeof a.mimeType === "string" &&
    Number.isInteger(a.size);
  return Array.isArray(attachments) && attachments.every(valid);
}
