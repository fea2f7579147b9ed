//! [`SioConnector`]: socket.io connections for the executor, as a [`Connector`].
//!
//! Where socket.io lives on a target: the socket.io path is the target URL's own path when it
//! names one (`http://h:3000/ws`), else the profile's (`/socket.io/`); the namespace and `auth`
//! come from the request. A refusal is [`TransportError::Refused`] with the server's data.

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use super::client::{ConnectOptions, connect, engine_url};
use crate::transport::address::socketio_endpoint;
use crate::transport::{Accepted, ConnectOutcome, ConnectRequest, Connected, Connector};

/// Opens socket.io connections (websocket transport, one namespace each).
#[derive(Debug, Clone, Copy, Default)]
pub struct SioConnector;

impl Connector for SioConnector {
    fn connect(&self, request: ConnectRequest) -> BoxFuture<'static, ConnectOutcome> {
        async move {
            let (base, path) = socketio_endpoint(&request.target, &request.path);
            let options = ConnectOptions {
                path,
                namespace: request.namespace,
                auth: request.auth,
                query: request.query,
                limits: request.limits,
                handshake_timeout: request.timeout,
                ..ConnectOptions::default()
            };
            let url =
                engine_url(&base, &options.path, &options.query).unwrap_or_else(|_| base.clone());
            let auth = options
                .auth
                .as_ref()
                .map_or_else(String::new, |a| format!(" auth {a}"));
            let description = format!("connect {url} namespace {}{auth}", options.namespace);
            let result = connect(&base, &options)
                .await
                .map(|(connection, incoming, early)| {
                    let socket_id = connection.sid().map(str::to_owned);
                    Connected {
                        link: Box::new(connection),
                        incoming: Box::pin(incoming),
                        accepted: Accepted {
                            socket_id,
                            answer: Some("connected"),
                            early,
                        },
                    }
                });
            ConnectOutcome {
                description,
                result,
            }
        }
        .boxed()
    }
}
