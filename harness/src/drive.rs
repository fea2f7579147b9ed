//! The driver: runs a [`Session`] against real transports, one task per session.
//!
//! It carries out the session's commands one at a time (a scenario's steps are sequential),
//! except connects asked for together (an `at_once` step), whose handshakes it runs at once;
//! each is bounded; it feeds their completions back, and otherwise waits for the first of: something
//! arriving on one of the session's connections, or the session's deadline. The connections'
//! receiving halves are streams polled here — no task or channel per connection — so a message
//! goes from the socket to the session with no hand-off. It holds the only sockets of a
//! session; it decides nothing. A [`Driver`] is reused across a virtual user's sessions so its
//! HTTP client keeps its connections.
//!
//! A close the session asks for completes the WebSocket closing handshake: the driver sends the
//! close and waits, bounded, for the target's answer before it reports the connection closed,
//! so that the next step meets a target that has seen the close (a dnaforge token dies with its
//! socket, D7). What other connections receive meanwhile is kept and fed after.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{AbortHandle, Abortable, SelectAll};
use futures_util::{FutureExt, Stream, StreamExt};

use crate::exec::{Command, HttpRequest, Input, Observer, Session};
use crate::transport::http::{HttpClient, HttpReply};
use crate::transport::{Arrival, Connector, Inbound, Link, TransportError};

/// What a virtual user keeps between its sessions.
pub struct Driver {
    connector: Arc<dyn Connector>,
    http: Option<HttpClient>,
}

/// A connection's receiving half, tagged with the session's connection number.
type Tagged = std::pin::Pin<Box<dyn Stream<Item = (usize, Inbound)> + Send>>;

/// A session's open connections.
#[derive(Default)]
struct Connections {
    links: Vec<Option<(Box<dyn Link>, AbortHandle)>>,
    incoming: SelectAll<Tagged>,
}

impl Connections {
    fn open(&mut self, conn: usize, link: Box<dyn Link>, incoming: crate::transport::Incoming) {
        let (incoming, handle): (Abortable<_>, _) = futures_util::stream::abortable(incoming);
        self.incoming
            .push(Box::pin(incoming.map(move |item| (conn, item))));
        if self.links.len() <= conn {
            self.links.resize_with(conn + 1, || None);
        }
        self.links[conn] = Some((link, handle));
    }

    fn link(&mut self, conn: usize) -> Option<&mut Box<dyn Link>> {
        self.links
            .get_mut(conn)
            .and_then(Option::as_mut)
            .map(|(link, _)| link)
    }

    /// Lets a connection go: its link is dropped and its receiving half ends (closing the
    /// socket) the next time it is polled.
    fn release(&mut self, conn: usize) -> Option<Box<dyn Link>> {
        let (link, handle) = self.links.get_mut(conn).and_then(Option::take)?;
        handle.abort();
        Some(link)
    }

    /// Closes `conn` and waits, at most `bound`, for the target's answer ([`Inbound::Closed`]).
    /// What `conn` receives before it is let go; what other connections receive is returned as
    /// arrivals, in order.
    async fn close(&mut self, conn: usize, bound: Duration) -> Vec<Input> {
        let Some((link, _)) = self.links.get_mut(conn).and_then(Option::as_mut) else {
            return Vec::new();
        };
        let mut others = Vec::new();
        if bounded(bound, link.close()).await.is_ok() {
            let answered = async {
                while let Some((from, inbound)) = self.incoming.next().await {
                    match (from == conn, inbound) {
                        (true, Inbound::Closed { .. }) => return,
                        (true, _) => {}
                        (false, inbound) => others.push(arrival(from, inbound)),
                    }
                }
            };
            let _ = tokio::time::timeout(bound, answered).await;
        }
        self.release(conn);
        others
    }
}

impl Driver {
    /// A driver whose connections are opened by `connector`.
    pub fn new(connector: Arc<dyn Connector>) -> Driver {
        Driver {
            connector,
            http: None,
        }
    }

    /// Runs `session` to its end (it must not have been started).
    pub async fn run(&mut self, session: &mut Session, observer: &mut dyn Observer) {
        self.run_holding(session, observer, None).await;
    }

    /// Runs `session` to its end; where it is held ([`Session::hold_before`]), runs `hold` to
    /// its end first (it bounds itself), then releases it.
    pub async fn run_holding(
        &mut self,
        session: &mut Session,
        observer: &mut dyn Observer,
        mut hold: Option<futures_util::future::BoxFuture<'_, ()>>,
    ) {
        let mut connections = Connections::default();
        session.start(Instant::now(), observer);
        // One timer for the whole session, moved only when the deadline moves: registering a
        // new one per wait would cost a timer-wheel insertion and removal per message.
        let mut deadline = session.budget_deadline();
        let timer = tokio::time::sleep_until(deadline.into());
        tokio::pin!(timer);
        let mut fired = false;
        while !session.is_finished() {
            if session.is_held() {
                let since = Instant::now();
                if let Some(hold) = hold.take() {
                    hold.await;
                }
                session.release(Instant::now(), since.elapsed(), observer);
                continue;
            }
            if let Some(command) = session.poll_command() {
                self.execute(command, session, &mut connections, observer)
                    .await;
                continue;
            }
            let wanted = session
                .poll_deadline()
                .unwrap_or_else(|| session.budget_deadline());
            if wanted != deadline || fired {
                deadline = wanted;
                fired = false;
                timer.as_mut().reset(deadline.into());
            }
            let input = tokio::select! {
                biased;
                Some((conn, inbound)) = connections.incoming.next(),
                    if !connections.incoming.is_empty() => arrival(conn, inbound),
                () = &mut timer => {
                    fired = true;
                    Input::Tick
                }
            };
            session.handle(Instant::now(), input, observer);
        }
        // What already arrived is still recorded; then every connection is let go.
        while let Some(Some((conn, inbound))) = connections.incoming.next().now_or_never() {
            session.handle(Instant::now(), arrival(conn, inbound), observer);
        }
    }

    async fn execute(
        &mut self,
        command: Command,
        session: &mut Session,
        connections: &mut Connections,
        observer: &mut dyn Observer,
    ) {
        let plan = session.plan();
        let bound = plan.scaled(plan.scenario.timeout);
        let input = match command {
            Command::Connect { conn, request } => {
                let mut batch = vec![(conn, request)];
                while let Some(Command::Connect { conn, request }) = session.poll_connect() {
                    batch.push((conn, request));
                }
                self.connect(batch, session, connections, observer).await;
                return;
            }
            Command::Send { conn, message } => {
                let result = match connections.link(conn) {
                    Some(link) => bounded(bound, link.send(message)).await,
                    None => Err(TransportError::Send("the connection is not open".into())),
                };
                Input::Sent { conn, result }
            }
            Command::Close { conn } => {
                let others = connections.close(conn, bound).await;
                session.handle(Instant::now(), Input::Closed { conn }, observer);
                for arrived in others {
                    session.handle(Instant::now(), arrived, observer);
                }
                return;
            }
            Command::Http(request) => Input::Http(self.http(request).await),
        };
        session.handle(Instant::now(), input, observer);
    }

    /// Opens every connection of `batch` at once (each connector call is bounded by its
    /// request's timeout), then feeds their completions in order.
    async fn connect(
        &mut self,
        batch: Vec<(usize, crate::transport::ConnectRequest)>,
        session: &mut Session,
        connections: &mut Connections,
        observer: &mut dyn Observer,
    ) {
        let (conns, requests): (Vec<usize>, Vec<_>) = batch.into_iter().unzip();
        let opening = requests.into_iter().map(|r| self.connector.connect(r));
        let outcomes = futures_util::future::join_all(opening).await;
        for (conn, outcome) in conns.into_iter().zip(outcomes) {
            let mut early = Vec::new();
            let result = outcome.result.map(|connected| {
                let mut accepted = connected.accepted;
                early = std::mem::take(&mut accepted.early);
                connections.open(conn, connected.link, connected.incoming);
                accepted
            });
            session.handle(
                Instant::now(),
                Input::Connected {
                    conn,
                    description: outcome.description,
                    result,
                },
                observer,
            );
            for inbound in early {
                session.handle(Instant::now(), arrival(conn, inbound), observer);
            }
        }
    }

    async fn http(&mut self, request: HttpRequest) -> Result<HttpReply, TransportError> {
        let client = self.http.get_or_insert_with(HttpClient::new);
        let exchange = client.request(
            &request.method,
            &request.url,
            &request.headers,
            request.body,
            request.timeout,
        );
        // reqwest bounds the exchange itself; this bounds it even if it did not.
        let limit = request.timeout + Duration::from_secs(1);
        tokio::time::timeout(limit, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(TransportError::Http {
                    method: request.method.clone(),
                    url: request.url.clone(),
                    reason: "no answer before the deadline".into(),
                })
            })
    }
}

fn arrival(conn: usize, inbound: Inbound) -> Input {
    Input::Arrival(Arrival {
        conn,
        at: Instant::now(),
        inbound,
    })
}

/// Bounds one send or close: a target that stops reading must not hang the run.
async fn bounded<T>(
    wait: Duration,
    op: impl Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    tokio::time::timeout(wait, op).await.unwrap_or_else(|_| {
        Err(TransportError::Send(format!(
            "the target accepted nothing for {wait:?}"
        )))
    })
}
