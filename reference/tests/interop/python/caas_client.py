"""caas driven by python-socketio (PyPI), for reference/tests/caas_interop_npm_pypi.rs.

Usage: python3 caas_client.py <base url>

Against a caas server with the suite's tokens (scenarios/caas/NOTES.md, caas-N2): a refused
connect (AUTH_INVALID, with C7's data when the server sends any), alice and bob (tenant t1) join
one conversation, carol (t2) is refused it (FORBIDDEN), alice sends a message with an ack and both
get message:new, then alice sends one binary attachment (caas-N12) which bob gets byte for byte.
Every frame and ack is checked exactly (caas-N3, N4, N7); each wait gives up after WAIT seconds
and the run after 3 * WAIT. Any mismatch exits 1 with one line saying what came instead of what.
On success it prints one JSON line: the checks passed, in order, whether the refusal carried data,
the message id and the binary frame's length.
"""

import json
import os
import queue
import re
import struct
import sys
import threading
import time
import uuid

import socketio

WAIT = 10
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BINARY_TYPES = {"audio": 1, "video": 2, "file_chunk": 3}


class Mismatch(Exception):
    """What the server sent instead of what the notes fix."""


def is_uuid(value):
    return isinstance(value, str) and UUID.match(value) is not None


def is_millis(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 1_600_000_000_000


def is_sentence(value):
    return isinstance(value, str) and value != ""


def exact(what, value, expected):
    """Raises unless `value` is a dict with exactly `expected`'s keys, each passing its check."""
    if not isinstance(value, dict) or sorted(value) != sorted(expected):
        raise Mismatch(f"{what}: expected exactly the keys {sorted(expected)}, got {value!r}")
    for key, check in expected.items():
        good = check(value[key]) if callable(check) else value[key] == check
        if not good:
            raise Mismatch(f"{what}: {key} is wrong in {value!r}")


def connect(base, token):
    """A connected client and the queue of (event, args) it receives."""
    inbox = queue.Queue()
    sio = socketio.Client(reconnection=False)
    sio.on("*", lambda event, *args: inbox.put((event, args)))
    sio.connect(base, auth={"token": token}, transports=["websocket"], wait_timeout=WAIT)
    return sio, inbox


def next_event(inbox, who, event):
    """The next event received (it must be `event`), its one argument."""
    try:
        got, args = inbox.get(timeout=WAIT)
    except queue.Empty:
        raise Mismatch(f"{who}: no {event} within {WAIT} s") from None
    if got != event or len(args) != 1:
        raise Mismatch(f"{who}: expected one {event} argument, got {got} {args!r}")
    return args[0]


def refusal(base):
    """The connect_error payload of an unknown token."""
    sio = socketio.Client(reconnection=False)
    refused = queue.Queue()
    sio.on("connect_error", refused.put)
    try:
        sio.connect(
            base, auth={"token": "not-a-known-token"}, transports=["websocket"], wait_timeout=WAIT
        )
    except socketio.exceptions.ConnectionError:
        pass
    else:
        raise Mismatch("an unknown token was let in")
    return refused.get(timeout=WAIT)


def frame(kind, conversation, data):
    """A client frame (caas-N3)."""
    return {
        "id": str(uuid.uuid4()),
        "type": kind,
        "version": 1,
        "timestamp": int(time.time() * 1000),
        "conversationId": conversation,
        "data": data,
    }


def binary_frame(header, payload, sequence):
    """The 16-byte big-endian header, the JSON header and the payload (caas-N12)."""
    encoded = json.dumps(header).encode("utf-8")
    total = 16 + len(encoded) + len(payload)
    fixed = struct.pack(">IIII", total, len(encoded), BINARY_TYPES[header["type"]], sequence)
    return fixed + encoded + payload


SUCCESS = {"success": True, "timestamp": is_millis}


def main():
    base = sys.argv[1]
    passed = []

    refused = refusal(base)
    if not isinstance(refused, dict) or refused.get("message") != "AUTH_INVALID":
        raise Mismatch(f"refusal {refused!r}")
    # C7's data, when the server can send it (socketioxide cannot: jobber-N16, caas NOTES).
    refusal_data = refused.get("data") is not None
    if refusal_data:
        exact("connect_error data", refused["data"], {"code": "AUTH_INVALID", "message": is_sentence})
    passed.append("auth_invalid")

    (alice, alice_in), (bob, bob_in), (carol, carol_in) = (
        connect(base, token) for token in ("tok-alice", "tok-bob", "tok-carol")
    )
    conversation = f"interop-python-{uuid.uuid4()}"
    for who, sio in (("alice", alice), ("bob", bob)):
        join = frame("conversation:join", conversation, {"conversationId": conversation})
        exact(f"{who}'s join ack", sio.call("conversation:join", join, timeout=WAIT), SUCCESS)
    passed.append("join")

    intrude = frame("conversation:join", conversation, {"conversationId": conversation})
    forbidden = carol.call("conversation:join", intrude, timeout=WAIT)
    exact("carol's join ack", forbidden, {"success": False, "error": lambda e: isinstance(e, dict)})
    error = dict(forbidden["error"])
    details = error.pop("details", {})
    exact("carol's join error", error, {"code": "FORBIDDEN", "message": is_sentence})
    if not isinstance(details, dict):
        raise Mismatch(f"carol's join error details {details!r}")
    passed.append("forbidden")

    send = frame("message:send", conversation, {"content": "hello from python", "type": "text"})
    sent = alice.call("message:send", send, timeout=WAIT)
    exact("message:send ack", sent, {"success": True, "messageId": is_uuid, "timestamp": is_millis})
    message = {
        "messageId": sent["messageId"],
        "conversationId": conversation,
        "senderId": "alice",
        "content": "hello from python",
        "type": "text",
        "createdAt": is_millis,
    }
    for who, inbox in (("bob", bob_in), ("alice", alice_in)):
        got = next_event(inbox, who, "message:new")
        exact(
            f"{who}'s message:new",
            got,
            {
                "id": is_uuid,
                "type": "message:new",
                "version": 1,
                "timestamp": is_millis,
                "conversationId": conversation,
                "data": lambda d: isinstance(d, dict),
                "replyTo": send["id"],
            },
        )
        exact(f"{who}'s message:new data", got["data"], message)
    passed.append("message")

    header = {
        "type": "audio",
        "conversationId": conversation,
        "chunkIndex": 0,
        "totalChunks": 2,
        "mimeType": "audio/ogg",
    }
    payload = bytes((i * 11) % 256 for i in range(300))
    sent_bytes = binary_frame(header, payload, 7)
    exact("binary ack", alice.call("binary", sent_bytes, timeout=WAIT), SUCCESS)
    relayed = next_event(bob_in, "bob", "binary")
    if bytes(relayed) != sent_bytes:
        raise Mismatch(f"bob's binary differs: {len(relayed)} bytes, sent {len(sent_bytes)}")
    passed.append("binary")

    # A round trip on each socket after everything: what came before it is all there is.
    for who, sio, inbox in (("alice", alice, alice_in), ("bob", bob, bob_in), ("carol", carol, carol_in)):
        leave = frame("conversation:leave", conversation, {"conversationId": conversation})
        sio.call("conversation:leave", leave, timeout=WAIT)
        if not inbox.empty():
            raise Mismatch(f"{who} got more: {inbox.get()!r}")
    passed.append("nothing_else")

    for sio in (alice, bob, carol):
        sio.disconnect()
    result = {
        "passed": passed,
        "refusalData": refusal_data,
        "messageId": sent["messageId"],
        "binaryLength": len(sent_bytes),
    }
    print(json.dumps(result), flush=True)


def give_up():
    print("caas_client (python-socketio): no result in time", file=sys.stderr, flush=True)
    os._exit(2)


if __name__ == "__main__":
    watchdog = threading.Timer(3 * WAIT, give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        main()
    except Exception as error:  # any failure is the test's failure, said plainly
        print(f"caas_client (python-socketio): {error}", file=sys.stderr)
        sys.exit(1)
    watchdog.cancel()
