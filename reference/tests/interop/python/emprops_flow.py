"""The emprops document's complete job flow, driven by websockets (PyPI), for
reference/tests/emprops_interop_npm_pypi.rs.

Usage: python3 emprops_flow.py ws://host:port/

Three connections, a job client, a worker and a monitor, run the flow of the document's sequence
diagram and every message they receive is checked against scenarios/emprops/NOTES.md: its type,
the fields the notes fix, the hub's numeric `timestamp`, no `null` and no field the notes do not
name (emprops-N2). Each wait gives up after WAIT seconds (EMPROPS_INTEROP_WAIT_SECONDS, default
10) and the whole run after RUN_LIMIT; any mismatch exits 1 with one line saying which connection
got what instead of what. On success it prints one JSON line: a summary sentence, the job id and
the message types each connection received, in order, which the Rust test compares.

The server must be fresh (no other jobs or workers): positions and counts are exact.
"""

import asyncio
import json
import math
import os
import re
import sys

import websockets
from websockets.asyncio.client import connect

WAIT = float(os.environ.get("EMPROPS_INTEROP_WAIT_SECONDS", "10"))
# The whole flow's limit: a hub that answers each wait slowly still fails in bounded time.
RUN_LIMIT = 3 * WAIT
# The stats interval the monitor asks for (seconds): longer than RUN_LIMIT, so no periodic
# system_status can come between the messages this flow expects (emprops-N19).
STATS_INTERVAL = math.ceil(2 * RUN_LIMIT)

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CLIENT_ID = "interop-python-client"
MONITOR_ID = "interop-python-monitor"
WORKER_ID = "interop-python-worker"
CUSTOMER = "interop-customer"
JOB_TYPE = "text_to_image"
PRIORITY = 75
PAYLOAD = {"prompt": "a beautiful landscape with mountains", "steps": 30}
REQUIREMENTS = {
    "service_type": "comfyui",
    "component": "text-to-image-xl",
    "hardware": {"gpu_memory_gb": 8},
}
CAPABILITIES = {
    "services": ["comfyui", "a1111"],
    "components": ["text-to-image-xl"],
    "hardware": {"gpu_memory_gb": 16, "gpu_model": "RTX 4090"},
}
FILTERS = {"customer_id": CUSTOMER, "job_types": [JOB_TYPE], "priority_min": 50}
PROGRESS = (25, 50, 75)
RESULT = {"success": True, "output_files": ["https://storage.example.com/image.png"]}


class Mismatch(Exception):
    """What the flow got instead of what the notes fix."""


def id_like(prefix):
    """A check that a value is an id `<prefix>-<uuid>` (emprops-N3)."""
    pattern = re.compile(f"^{prefix}-{UUID}$")
    return lambda value: isinstance(value, str) and pattern.match(value) is not None


def integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def agrees(expected, value):
    """A check (callable) passes, or the value equals exactly (types included)."""
    if callable(expected):
        return expected(value)
    return json.dumps(value, sort_keys=True) == json.dumps(expected, sort_keys=True)


def check(who, message, kind, required, optional):
    """Raises Mismatch unless `message` is a `kind` with `required` and at most `optional`."""
    got = message.get("type")
    if got != kind:
        raise Mismatch(f"{who}: expected {kind}, got {json.dumps(message)}")
    if not integer(message.get("timestamp")):
        raise Mismatch(f"{who}: {kind} without a numeric timestamp: {json.dumps(message)}")
    for field, expected in required.items():
        if field not in message:
            raise Mismatch(f"{who}: {kind} lacks {field}: {json.dumps(message)}")
    for field, value in message.items():
        if field in ("type", "timestamp"):
            continue
        if value is None:
            raise Mismatch(f"{who}: {kind}.{field} is null (emprops-N2): {json.dumps(message)}")
        if field in required:
            expected = required[field]
        elif field in optional:
            expected = optional[field]
        else:
            raise Mismatch(f"{who}: {kind}.{field} is not in the notes: {json.dumps(message)}")
        if not agrees(expected, value):
            shown = "a different value" if callable(expected) else json.dumps(expected)
            raise Mismatch(f"{who}: {kind}.{field} is {json.dumps(value)}, expected {shown}")


class Peer:
    """One connection: sends JSON objects and checks each message it receives, in order."""

    def __init__(self, name, socket):
        self.name = name
        self.socket = socket
        self.seen = []

    async def send(self, kind, **fields):
        await self.socket.send(json.dumps({"type": kind, **fields}))

    async def expect(self, kind, optional=None, **required):
        """The next message is a `kind` with the `required` fields and no others but `optional`
        (each an exact value or a check)."""
        try:
            text = await asyncio.wait_for(self.socket.recv(), WAIT)
        except asyncio.TimeoutError:
            raise Mismatch(f"{self.name}: no {kind} within {WAIT} s") from None
        except websockets.ConnectionClosed as closed:
            raise Mismatch(f"{self.name}: closed ({closed}) while waiting for {kind}") from None
        try:
            message = json.loads(text)
        except ValueError:
            raise Mismatch(f"{self.name}: not JSON while waiting for {kind}: {text!r}") from None
        if not isinstance(message, dict):
            raise Mismatch(f"{self.name}: not an object while waiting for {kind}: {text!r}")
        self.seen.append(message.get("type"))
        check(self.name, message, kind, required, optional or {})
        return message


async def open_peer(url, name):
    try:
        socket = await connect(url, open_timeout=WAIT, close_timeout=WAIT)
    except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
        raise Mismatch(f"{name}: could not connect: {error!r}") from None
    peer = Peer(name, socket)
    await peer.expect(
        "connection_established",
        message="Connected to EmProps Job Queue Hub",
        server_version="1.0.0",
    )
    return peer


async def register(client, monitor, worker):
    """Registrations (emprops-N7, N8); the three assigned connection ids differ."""
    answers = []
    clients = ((client, "job_client", CLIENT_ID), (monitor, "monitor", MONITOR_ID))
    for peer, kind, peer_id in clients:
        await peer.send("register_client", client_type=kind, client_id=peer_id, version="1.0.0")
        answers.append(
            await peer.expect(
                "client_registered",
                client_id=peer_id,
                status="registered",
                assigned_connection_id=id_like("conn"),
            )
        )
    await worker.send(
        "register_worker",
        worker_id=WORKER_ID,
        capabilities=CAPABILITIES,
        subscribe_to_jobs=True,
        status="idle",
    )
    answers.append(
        await worker.expect(
            "worker_registered",
            worker_id=WORKER_ID,
            status="registered",
            assigned_connection_id=id_like("worker-conn"),
        )
    )
    ids = [answer["assigned_connection_id"] for answer in answers]
    if len(set(ids)) != 3:
        raise Mismatch(f"assigned_connection_id not distinct: {ids}")


async def subscribe(monitor):
    """The monitor's stats and job notification subscriptions (emprops-N18, N19)."""
    await monitor.send(
        "subscribe_stats", enabled=True, interval_seconds=STATS_INTERVAL, include_sections=["jobs"]
    )
    confirmed = await monitor.expect(
        "subscription_confirmed",
        subscription_type="stats",
        update_interval=STATS_INTERVAL,
        next_broadcast=integer,
    )
    if confirmed["next_broadcast"] < confirmed["timestamp"]:
        raise Mismatch(f"monitor: next_broadcast before its confirmation: {json.dumps(confirmed)}")
    # An unknown filter key is dropped from filters_applied (emprops-N18).
    asked = dict(FILTERS, region="eu")
    await monitor.send("subscribe_job_notifications", enabled=True, filters=asked)
    await monitor.expect(
        "job_notifications_subscribed", subscription_id=id_like("sub"), filters_applied=FILTERS
    )


async def submit(client, monitor, worker):
    """submit_job: accepted, offered to the idle capable worker, heard by the monitor (N10-N13)."""
    await client.send(
        "submit_job",
        job_type=JOB_TYPE,
        priority=PRIORITY,
        payload=PAYLOAD,
        customer_id=CUSTOMER,
        requirements=REQUIREMENTS,
    )
    accepted = await client.expect(
        "job_accepted", job_id=id_like("job"), status="queued", position=1, notified_workers=1
    )
    job = accepted["job_id"]
    summary = {"service_type": "comfyui", "component": "text-to-image-xl", "gpu_memory_min": 8}
    await worker.expect(
        "job_available",
        job_id=job,
        job_type=JOB_TYPE,
        priority=PRIORITY,
        requirements_summary=summary,
    )
    # The submitter has job_accepted; a notification subscriber hears of the submission (N13).
    await monitor.expect("job_update", job_id=job, status="queued")
    return job


async def work(client, monitor, worker, job):
    """claim_job to complete_job; both watchers get every update in order (N12-N14, E5)."""
    watchers = (client, monitor)
    on_worker = {"worker_id": WORKER_ID}
    await worker.send("claim_job", worker_id=WORKER_ID, max_jobs=1, claim_timeout=30000)
    await worker.expect(
        "job_assigned",
        job_id=job,
        worker_id=WORKER_ID,
        job_type=JOB_TYPE,
        priority=PRIORITY,
        payload=PAYLOAD,
        requirements=REQUIREMENTS,
        claim_timeout=30000,
    )
    # With an `id` and no specific reply: ack (E9, emprops-N4).
    await worker.send("job_accepted_by_worker", id="accept-1", job_id=job, worker_id=WORKER_ID)
    await worker.expect(
        "ack", message_id="accept-1", original_type="job_accepted_by_worker", status="processed"
    )
    for watcher in watchers:
        await watcher.expect(
            "job_update", on_worker, job_id=job, status="assigned", previous_status="queued"
        )

    previous = "assigned"
    for progress in PROGRESS:
        step = f"step {progress}%"
        await worker.send(
            "update_job_progress",
            job_id=job,
            worker_id=WORKER_ID,
            progress=progress,
            status="in_progress",
            message=step,
        )
        for watcher in watchers:
            await watcher.expect(
                "job_update",
                on_worker,
                job_id=job,
                status="in_progress",
                previous_status=previous,
                progress=progress,
                message=step,
            )
        previous = "in_progress"

    await worker.send(
        "complete_job", job_id=job, worker_id=WORKER_ID, processing_time=1.5, result=RESULT
    )
    await worker.expect("job_completed_ack", job_id=job, worker_id=WORKER_ID)
    for watcher in watchers:
        await watcher.expect(
            "job_completed",
            {"processing_time": 1.5},
            job_id=job,
            status="completed",
            worker_id=WORKER_ID,
            priority=PRIORITY,
            result=RESULT,
        )


async def read_back(client, monitor, job):
    """The job's status and the hub's stats after the flow (emprops-N16, N19), and a ping."""
    await client.send("request_job_status", job_id=job)
    last_report = {
        "progress": PROGRESS[-1],
        "worker_id": WORKER_ID,
        "started_at": integer,
        "message": f"step {PROGRESS[-1]}%",
    }
    await client.expect("response_job_status", last_report, job_id=job, status="completed")
    await monitor.send("request_stats")
    await monitor.expect(
        "system_status",
        active_workers=1,
        pending_jobs=0,
        active_jobs=0,
        completed_jobs_last_hour=1,
        system_health="healthy",
        alerts=[],
    )
    # Stopping the stats is confirmed with interval 0 and no next broadcast (emprops-N19).
    await monitor.send("subscribe_stats", enabled=False)
    await monitor.expect("subscription_confirmed", subscription_type="stats", update_interval=0)
    await client.send("ping")
    await client.expect("pong")


async def leave(client, monitor, worker):
    """The client says `disconnect` and the hub closes with 1000 (emprops-N24); the others close."""
    await client.send("disconnect", reason="Client shutdown", cleanup_subscriptions=True)
    try:
        extra = await asyncio.wait_for(client.socket.recv(), WAIT)
        raise Mismatch(f"client: a message after disconnect instead of the close: {extra}")
    except websockets.ConnectionClosed:
        pass
    except asyncio.TimeoutError:
        raise Mismatch(f"client: not closed within {WAIT} s of disconnect") from None
    code = client.socket.close_code
    if code != 1000:
        raise Mismatch(f"client: closed with {code} after disconnect, expected 1000")
    for peer in (monitor, worker):
        await peer.socket.close()


async def main(url):
    client = await open_peer(url, "client")
    monitor = await open_peer(url, "monitor")
    worker = await open_peer(url, "worker")
    await register(client, monitor, worker)
    await subscribe(monitor)
    job = await submit(client, monitor, worker)
    await work(client, monitor, worker, job)
    await read_back(client, monitor, job)
    await leave(client, monitor, worker)
    peers = (client, monitor, worker)
    checked = sum(len(peer.seen) for peer in peers)
    return {
        "summary": f"emprops job flow, websockets {websockets.__version__}: passed, "
        f"{checked} messages checked on 3 connections",
        "job_id": job,
        "seen": {peer.name: peer.seen for peer in peers},
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python3 emprops_flow.py ws://host:port/", file=sys.stderr)
        sys.exit(2)
    try:
        outcome = asyncio.run(asyncio.wait_for(main(sys.argv[1]), RUN_LIMIT))
    except Mismatch as mismatch:
        print(f"emprops_flow.py: {mismatch}", file=sys.stderr)
        sys.exit(1)
    except asyncio.TimeoutError:
        print(f"emprops_flow.py: the flow did not end within {RUN_LIMIT} s", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # any other failure is the test's failure, said plainly
        print(f"emprops_flow.py: {error!r}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(outcome), flush=True)
