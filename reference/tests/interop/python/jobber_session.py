"""One jobber session of python-socketio against a server, for reference/tests/jobber_interop_npm_pypi.rs.

Usage: python3 jobber_session.py <base url> <socket.io path> <customer token>
Prints one JSON object of what it saw; the Rust test asserts on it. Any error, or no answer
within 10 s, exits non-zero, so a hung server fails the test instead of stalling it.
"""

import json
import os
import queue
import sys
import threading

import socketio

WAIT = 10


def client(base, path, token, events):
    """A connected client whose `events` go, as (name, payload), into the returned queue."""
    seen = queue.Queue()
    sio = socketio.Client(reconnection=False)
    for name in events:
        sio.on(name, lambda data, name=name: seen.put((name, data)))
    sio.connect(
        base,
        socketio_path=path,
        auth={"customerToken": token},
        transports=["websocket"],
        wait_timeout=WAIT,
    )
    return sio, seen


def next_event(seen, name):
    while True:
        got, data = seen.get(timeout=WAIT)
        if got == name:
            return data


def refusal(base, path):
    """The connect_error payload of a refused connection."""
    sio = socketio.Client(reconnection=False)
    refused = queue.Queue()
    sio.on("connect_error", refused.put)
    try:
        sio.connect(
            base,
            socketio_path=path,
            auth={"customerToken": "not-a-known-token"},
            transports=["websocket"],
            wait_timeout=WAIT,
        )
    except socketio.exceptions.ConnectionError:
        pass
    return refused.get(timeout=WAIT)


def main():
    base, path, token = sys.argv[1:4]
    seen = {"refused": refusal(base, path)}

    worker, worker_events = client(base, path, token, ["client_ready", "work_request"])
    producer, producer_events = client(base, path, token, ["client_ready"])
    seen["ready"] = next_event(worker_events, "client_ready")
    next_event(producer_events, "client_ready")

    seen["register"] = worker.call("register_worker", {"jobName": "interop-python"}, timeout=WAIT)
    seen["send"] = producer.call(
        "send_job", {"name": "interop-python", "data": {"n": 1}}, timeout=WAIT
    )
    seen["work"] = next_event(worker_events, "work_request")
    worker.emit("job_completed", {"jobId": seen["work"]["id"], "result": {"ok": True}})
    # Asked on the worker's own socket, so it is handled after job_completed.
    seen["get"] = worker.call("get_job", {"jobId": seen["send"]["jobId"]}, timeout=WAIT)
    seen["size"] = producer.call("get_queue_size", {}, timeout=WAIT)

    worker.disconnect()
    producer.disconnect()
    print(json.dumps(seen), flush=True)


def give_up():
    print("jobber_session: no result in time", file=sys.stderr, flush=True)
    os._exit(2)


if __name__ == "__main__":
    watchdog = threading.Timer(3 * WAIT, give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        main()
    except Exception as error:  # any failure is the test's failure, said plainly
        print(f"jobber_session: {error!r}", file=sys.stderr)
        sys.exit(1)
    watchdog.cancel()
