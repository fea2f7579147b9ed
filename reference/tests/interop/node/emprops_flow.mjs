// The emprops document's complete job flow, driven by ws (npm), for
// reference/tests/emprops_interop_npm_pypi.rs.
//
// Usage: node emprops_flow.mjs ws://host:port/
//
// Three connections, a job client, a worker and a monitor, run the flow of the document's
// sequence diagram and every message they receive is checked against scenarios/emprops/NOTES.md:
// its type, the fields the notes fix, the hub's numeric `timestamp`, no `null` and no field the
// notes do not name (emprops-N2). Each wait gives up after WAIT_MS (EMPROPS_INTEROP_WAIT_SECONDS,
// default 10 s) and the whole run after RUN_LIMIT_MS; any mismatch exits 1 with one line saying
// which connection got what instead of what. On success it prints one JSON line: a summary
// sentence, the job id and the message types each connection received, in order, which the Rust
// test compares.
//
// The server must be fresh (no other jobs or workers): positions and counts are exact.
import { createRequire } from "node:module";
import WebSocket from "ws";

const WAIT_MS = 1000 * Number(process.env.EMPROPS_INTEROP_WAIT_SECONDS ?? "10");
// The whole flow's limit: a hub that answers each wait slowly still fails in bounded time.
const RUN_LIMIT_MS = 3 * WAIT_MS;
// The stats interval the monitor asks for (seconds): longer than RUN_LIMIT_MS, so no periodic
// system_status can come between the messages this flow expects (emprops-N19).
const STATS_INTERVAL = Math.ceil((2 * RUN_LIMIT_MS) / 1000);

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const CLIENT_ID = "interop-node-client";
const MONITOR_ID = "interop-node-monitor";
const WORKER_ID = "interop-node-worker";
const CUSTOMER = "interop-customer";
const JOB_TYPE = "text_to_image";
const PRIORITY = 75;
const PAYLOAD = { prompt: "a beautiful landscape with mountains", steps: 30 };
const REQUIREMENTS = {
  service_type: "comfyui",
  component: "text-to-image-xl",
  hardware: { gpu_memory_gb: 8 },
};
const CAPABILITIES = {
  services: ["comfyui", "a1111"],
  components: ["text-to-image-xl"],
  hardware: { gpu_memory_gb: 16, gpu_model: "RTX 4090" },
};
const FILTERS = { customer_id: CUSTOMER, job_types: [JOB_TYPE], priority_min: 50 };
const PROGRESS = [25, 50, 75];
const RESULT = { success: true, output_files: ["https://storage.example.com/image.png"] };

/** What the flow got instead of what the notes fix. */
class Mismatch extends Error {}

/** A check that a value is an id `<prefix>-<uuid>` (emprops-N3). */
function idLike(prefix) {
  const pattern = new RegExp(`^${prefix}-${UUID}$`);
  return (value) => typeof value === "string" && pattern.test(value);
}

const integer = (value) => Number.isInteger(value);

/** JSON with sorted keys, so that equal values print equal. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A check (function) passes, or the value equals exactly. */
function agrees(expected, value) {
  if (typeof expected === "function") return expected(value);
  return canonical(expected) === canonical(value);
}

/** Throws a Mismatch unless `message` is a `kind` with `required` and at most `optional`. */
function check(who, message, kind, required, optional) {
  const shown = JSON.stringify(message);
  if (message.type !== kind) throw new Mismatch(`${who}: expected ${kind}, got ${shown}`);
  if (!integer(message.timestamp)) {
    throw new Mismatch(`${who}: ${kind} without a numeric timestamp: ${shown}`);
  }
  for (const field of Object.keys(required)) {
    if (!(field in message)) throw new Mismatch(`${who}: ${kind} lacks ${field}: ${shown}`);
  }
  for (const [field, value] of Object.entries(message)) {
    if (field === "type" || field === "timestamp") continue;
    if (value === null) {
      throw new Mismatch(`${who}: ${kind}.${field} is null (emprops-N2): ${shown}`);
    }
    const expected = field in required ? required[field] : optional[field];
    if (!(field in required) && !(field in optional)) {
      throw new Mismatch(`${who}: ${kind}.${field} is not in the notes: ${shown}`);
    }
    if (!agrees(expected, value)) {
      const wanted =
        typeof expected === "function" ? "a different value" : JSON.stringify(expected);
      const got = JSON.stringify(value);
      throw new Mismatch(`${who}: ${kind}.${field} is ${got}, expected ${wanted}`);
    }
  }
}

/** One connection: sends JSON objects and checks each message it receives, in order. */
class Peer {
  constructor(name, socket) {
    this.name = name;
    this.socket = socket;
    this.seen = [];
    this.inbox = [];
    this.waiting = null;
    this.closed = null;
    socket.on("message", (data) => this.deliver({ text: data.toString("utf8") }));
    // A failed connection is said by its close, which always follows.
    socket.on("error", () => {});
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString("utf8") };
      this.deliver({ closed: this.closed });
    });
  }

  deliver(item) {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve(item);
    } else {
      this.inbox.push(item);
    }
  }

  /** The next message or close, or null after WAIT_MS. */
  next() {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift());
    if (this.closed) return Promise.resolve({ closed: this.closed });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve(null);
      }, WAIT_MS);
      this.waiting = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
    });
  }

  send(kind, fields = {}) {
    this.socket.send(JSON.stringify({ type: kind, ...fields }));
  }

  /** The next message is a `kind` with the `required` fields and no others but `optional`
   * (each an exact value or a check). */
  async expect(kind, required = {}, optional = {}) {
    const item = await this.next();
    if (item === null) throw new Mismatch(`${this.name}: no ${kind} within ${WAIT_MS} ms`);
    if (item.closed) {
      throw new Mismatch(`${this.name}: closed (${item.closed.code}) while waiting for ${kind}`);
    }
    let message;
    try {
      message = JSON.parse(item.text);
    } catch {
      throw new Mismatch(`${this.name}: not JSON while waiting for ${kind}: ${item.text}`);
    }
    if (message === null || typeof message !== "object" || Array.isArray(message)) {
      throw new Mismatch(`${this.name}: not an object while waiting for ${kind}: ${item.text}`);
    }
    this.seen.push(message.type);
    check(this.name, message, kind, required, optional);
    return message;
  }
}

async function openPeer(url, name) {
  const socket = new WebSocket(url, { handshakeTimeout: WAIT_MS });
  const peer = new Peer(name, socket);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", (e) => reject(new Mismatch(`${name}: could not connect: ${e.message}`)));
  });
  await peer.expect("connection_established", {
    message: "Connected to EmProps Job Queue Hub",
    server_version: "1.0.0",
  });
  return peer;
}

/** Registrations (emprops-N7, N8); the three assigned connection ids differ. */
async function register(client, monitor, worker) {
  const answers = [];
  for (const [peer, kind, id] of [
    [client, "job_client", CLIENT_ID],
    [monitor, "monitor", MONITOR_ID],
  ]) {
    peer.send("register_client", { client_type: kind, client_id: id, version: "1.0.0" });
    answers.push(
      await peer.expect("client_registered", {
        client_id: id,
        status: "registered",
        assigned_connection_id: idLike("conn"),
      }),
    );
  }
  worker.send("register_worker", {
    worker_id: WORKER_ID,
    capabilities: CAPABILITIES,
    subscribe_to_jobs: true,
    status: "idle",
  });
  answers.push(
    await worker.expect("worker_registered", {
      worker_id: WORKER_ID,
      status: "registered",
      assigned_connection_id: idLike("worker-conn"),
    }),
  );
  const ids = answers.map((answer) => answer.assigned_connection_id);
  if (new Set(ids).size !== 3) throw new Mismatch(`assigned_connection_id not distinct: ${ids}`);
}

/** The monitor's stats and job notification subscriptions (emprops-N18, N19). */
async function subscribe(monitor) {
  monitor.send("subscribe_stats", {
    enabled: true,
    interval_seconds: STATS_INTERVAL,
    include_sections: ["jobs"],
  });
  const confirmed = await monitor.expect("subscription_confirmed", {
    subscription_type: "stats",
    update_interval: STATS_INTERVAL,
    next_broadcast: integer,
  });
  if (confirmed.next_broadcast < confirmed.timestamp) {
    const shown = JSON.stringify(confirmed);
    throw new Mismatch(`monitor: next_broadcast before its confirmation: ${shown}`);
  }
  // An unknown filter key is dropped from filters_applied (emprops-N18).
  const asked = { ...FILTERS, region: "eu" };
  monitor.send("subscribe_job_notifications", { enabled: true, filters: asked });
  await monitor.expect("job_notifications_subscribed", {
    subscription_id: idLike("sub"),
    filters_applied: FILTERS,
  });
}

/** submit_job: accepted, offered to the idle capable worker, heard by the monitor (N10-N13). */
async function submit(client, monitor, worker) {
  client.send("submit_job", {
    job_type: JOB_TYPE,
    priority: PRIORITY,
    payload: PAYLOAD,
    customer_id: CUSTOMER,
    requirements: REQUIREMENTS,
  });
  const accepted = await client.expect("job_accepted", {
    job_id: idLike("job"),
    status: "queued",
    position: 1,
    notified_workers: 1,
  });
  const job = accepted.job_id;
  await worker.expect("job_available", {
    job_id: job,
    job_type: JOB_TYPE,
    priority: PRIORITY,
    requirements_summary: {
      service_type: "comfyui",
      component: "text-to-image-xl",
      gpu_memory_min: 8,
    },
  });
  // The submitter has job_accepted; a notification subscriber hears of the submission (N13).
  await monitor.expect("job_update", { job_id: job, status: "queued" });
  return job;
}

/** claim_job to complete_job; both watchers get every update in order (N12-N14, E5). */
async function work(client, monitor, worker, job) {
  const watchers = [client, monitor];
  const onWorker = { worker_id: WORKER_ID };
  worker.send("claim_job", { worker_id: WORKER_ID, max_jobs: 1, claim_timeout: 30000 });
  await worker.expect("job_assigned", {
    job_id: job,
    worker_id: WORKER_ID,
    job_type: JOB_TYPE,
    priority: PRIORITY,
    payload: PAYLOAD,
    requirements: REQUIREMENTS,
    claim_timeout: 30000,
  });
  // With an `id` and no specific reply: ack (E9, emprops-N4).
  worker.send("job_accepted_by_worker", { id: "accept-1", job_id: job, worker_id: WORKER_ID });
  await worker.expect("ack", {
    message_id: "accept-1",
    original_type: "job_accepted_by_worker",
    status: "processed",
  });
  for (const watcher of watchers) {
    await watcher.expect(
      "job_update",
      { job_id: job, status: "assigned", previous_status: "queued" },
      onWorker,
    );
  }

  let previous = "assigned";
  for (const progress of PROGRESS) {
    const message = `step ${progress}%`;
    worker.send("update_job_progress", {
      job_id: job,
      worker_id: WORKER_ID,
      progress,
      status: "in_progress",
      message,
    });
    for (const watcher of watchers) {
      await watcher.expect(
        "job_update",
        { job_id: job, status: "in_progress", previous_status: previous, progress, message },
        onWorker,
      );
    }
    previous = "in_progress";
  }

  worker.send("complete_job", {
    job_id: job,
    worker_id: WORKER_ID,
    processing_time: 1.5,
    result: RESULT,
  });
  await worker.expect("job_completed_ack", { job_id: job, worker_id: WORKER_ID });
  for (const watcher of watchers) {
    await watcher.expect(
      "job_completed",
      {
        job_id: job,
        status: "completed",
        worker_id: WORKER_ID,
        priority: PRIORITY,
        result: RESULT,
      },
      { processing_time: 1.5 },
    );
  }
}

/** The job's status and the hub's stats after the flow (emprops-N16, N19), and a ping. */
async function readBack(client, monitor, job) {
  const last = PROGRESS[PROGRESS.length - 1];
  client.send("request_job_status", { job_id: job });
  await client.expect(
    "response_job_status",
    { job_id: job, status: "completed" },
    { progress: last, worker_id: WORKER_ID, started_at: integer, message: `step ${last}%` },
  );
  monitor.send("request_stats");
  await monitor.expect("system_status", {
    active_workers: 1,
    pending_jobs: 0,
    active_jobs: 0,
    completed_jobs_last_hour: 1,
    system_health: "healthy",
    alerts: [],
  });
  // Stopping the stats is confirmed with interval 0 and no next broadcast (emprops-N19).
  monitor.send("subscribe_stats", { enabled: false });
  await monitor.expect("subscription_confirmed", {
    subscription_type: "stats",
    update_interval: 0,
  });
  client.send("ping");
  await client.expect("pong");
}

/** The client says `disconnect` and the hub closes with 1000 (emprops-N24); the others close. */
async function leave(client, monitor, worker) {
  client.send("disconnect", { reason: "Client shutdown", cleanup_subscriptions: true });
  const item = await client.next();
  if (item === null) throw new Mismatch(`client: not closed within ${WAIT_MS} ms of disconnect`);
  if (!item.closed) {
    throw new Mismatch(`client: a message after disconnect instead of the close: ${item.text}`);
  }
  if (item.closed.code !== 1000) {
    throw new Mismatch(`client: closed with ${item.closed.code} after disconnect, expected 1000`);
  }
  for (const peer of [monitor, worker]) peer.socket.close(1000);
}

async function main(url) {
  const client = await openPeer(url, "client");
  const monitor = await openPeer(url, "monitor");
  const worker = await openPeer(url, "worker");
  await register(client, monitor, worker);
  await subscribe(monitor);
  const job = await submit(client, monitor, worker);
  await work(client, monitor, worker, job);
  await readBack(client, monitor, job);
  await leave(client, monitor, worker);
  const peers = [client, monitor, worker];
  const checked = peers.reduce((sum, peer) => sum + peer.seen.length, 0);
  const { version } = createRequire(import.meta.url)("ws/package.json");
  return {
    summary:
      `emprops job flow, ws ${version}: passed, ${checked} messages checked on 3 connections`,
    job_id: job,
    seen: Object.fromEntries(peers.map((peer) => [peer.name, peer.seen])),
  };
}

if (process.argv.length !== 3) {
  console.error("usage: node emprops_flow.mjs ws://host:port/");
  process.exit(2);
}
setTimeout(() => {
  console.error(`emprops_flow.mjs: the flow did not end within ${RUN_LIMIT_MS} ms`);
  process.exit(1);
}, RUN_LIMIT_MS).unref();
main(process.argv[2]).then(
  (outcome) => {
    console.log(JSON.stringify(outcome));
    process.exit(0);
  },
  (error) => {
    const said = error instanceof Mismatch ? error.message : (error.stack ?? String(error));
    console.error(`emprops_flow.mjs: ${said}`);
    process.exit(1);
  },
);
