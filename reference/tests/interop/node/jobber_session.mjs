// One jobber session of socket.io-client against a server, for reference/tests/jobber_interop_npm_pypi.rs.
//
// Usage: node jobber_session.mjs <base url> <socket.io path> <customer token>
// Prints one JSON object of what it saw; the Rust test asserts on it. Exits 1 on any error
// or after 10 s, so a hung server fails the test instead of stalling it.
import { io } from "socket.io-client";

const [base, path, token] = process.argv.slice(2);
const PIPELINED = 100;

setTimeout(() => {
  console.error("jobber_session: no result within 10 s");
  process.exit(1);
}, 10_000).unref();

function connect(auth) {
  return io(base, { path, auth, transports: ["websocket"], reconnection: false, forceNew: true });
}

// Resolves with the first `event` the socket gets.
function first(socket, event) {
  return new Promise((resolve) => socket.once(event, resolve));
}

async function main() {
  const seen = {};

  const refused = connect({ customerToken: "not-a-known-token" });
  const error = await first(refused, "connect_error");
  seen.refused = { message: error.message, data: error.data ?? null };
  refused.close();

  const worker = connect({ customerToken: token });
  const producer = connect({ customerToken: token });
  const work = first(worker, "work_request");
  [seen.ready] = await Promise.all([first(worker, "client_ready"), first(producer, "client_ready")]);

  seen.register = await worker.emitWithAck("register_worker", { jobName: "interop-node" });
  seen.send = await producer.emitWithAck("send_job", { name: "interop-node", data: { n: 1 } });
  seen.work = await work;
  worker.emit("job_completed", { jobId: seen.work.id, result: { ok: true } });
  // Asked on the worker's own socket, so it is handled after job_completed.
  seen.get = await worker.emitWithAck("get_job", { jobId: seen.send.jobId });

  // Many acks in flight at once, each answered by id: the ids must all come back, distinct.
  const sends = [];
  for (let i = 0; i < PIPELINED; i++) {
    sends.push(producer.emitWithAck("send_job", { name: "interop-node-bulk", data: { i } }));
  }
  seen.pipelined = (await Promise.all(sends)).map((ack) => ack.jobId);
  seen.size = await producer.emitWithAck("get_queue_size", {});

  worker.close();
  producer.close();
  console.log(JSON.stringify(seen));
}

main().catch((e) => {
  console.error(`jobber_session: ${e.stack ?? e}`);
  process.exit(1);
});
