//! The driver: runs a [`Session`] against real transports, one task per session.
//!
//! It carries out the session's commands one at a time (a scenario's steps are sequential),
//! each bounded, feeds their completions back, and otherwise waits for the first of: something
//! arriving on one of the session's connections, or the session's deadline. It holds the only
//! sockets of a session; it decides nothing. A [`Driver`] is reused across a virtual user's
//! sessions so its HTTP client keeps its connections.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::exec::{Command, HttpRequest, Input, Observer, Session};
use crate::transport::http::{HttpClient, HttpReply};
use crate::transport::{Arrival, Connector, Feed, Link, TransportError};

/// What a virtual user keeps between its sessions.
pub struct Driver {
    connector: Arc<dyn Connector>,
    http: Option<HttpClient>,
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
        let capacity = session.plan().options.limits.inbox_capacity.max(1);
        let (tx, mut rx) = mpsc::channel::<Arrival>(capacity);
        let mut links: Vec<Option<Box<dyn Link>>> = Vec::new();
        session.start(Instant::now(), observer);
        // One timer for the whole session, moved only when the deadline moves: registering a
        // new one per wait would cost a timer-wheel insertion and removal per message.
        let mut deadline = session.budget_deadline();
        let timer = tokio::time::sleep_until(deadline.into());
        tokio::pin!(timer);
        let mut fired = false;
        while !session.is_finished() {
            if let Some(command) = session.poll_command() {
                let input = self.execute(command, session, &tx, &mut links).await;
                session.handle(Instant::now(), input, observer);
                continue;
            }
            if let Ok(arrival) = rx.try_recv() {
                session.handle(Instant::now(), Input::Arrival(arrival), observer);
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
                arrival = rx.recv() => match arrival {
                    Some(arrival) => Input::Arrival(arrival),
                    None => Input::Tick,
                },
                () = &mut timer => {
                    fired = true;
                    Input::Tick
                }
            };
            session.handle(Instant::now(), input, observer);
        }
        // What already arrived is still recorded; then every connection is let go.
        while let Ok(arrival) = rx.try_recv() {
            session.handle(Instant::now(), Input::Arrival(arrival), observer);
        }
        drop(links);
    }

    async fn execute(
        &mut self,
        command: Command,
        session: &Session,
        tx: &mpsc::Sender<Arrival>,
        links: &mut Vec<Option<Box<dyn Link>>>,
    ) -> Input {
        let plan = session.plan();
        let bound = plan.scaled(plan.scenario.timeout);
        match command {
            Command::Connect { conn, request } => {
                let feed = Feed::new(conn, tx.clone());
                let outcome = self.connector.connect(request, feed).await;
                if links.len() <= conn {
                    links.resize_with(conn + 1, || None);
                }
                let result = outcome.result.map(|connected| {
                    links[conn] = Some(connected.link);
                    connected.accepted
                });
                Input::Connected {
                    conn,
                    description: outcome.description,
                    result,
                }
            }
            Command::Send { conn, message } => {
                let result = match links.get_mut(conn).and_then(Option::as_mut) {
                    Some(link) => bounded(bound, link.send(message)).await,
                    None => Err(TransportError::Send("the connection is not open".into())),
                };
                Input::Sent { conn, result }
            }
            Command::Close { conn } => {
                if let Some(mut link) = links.get_mut(conn).and_then(Option::take) {
                    // Its answer is not awaited: the connection is let go.
                    let _ = bounded(bound, link.close()).await;
                }
                Input::Closed { conn }
            }
            Command::Http(request) => Input::Http(self.http(request).await),
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
