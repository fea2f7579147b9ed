//! A request head that owns its bytes, for servers that keep the head for a connection's life.
//!
//! hyper parses the URI and header values as slices of its per-connection read buffer (16 KiB
//! once a request line arrives in pieces), and axum's router adds an `OriginalUri` extension
//! that is one more slice. Whoever keeps any of them keeps the whole buffer: engineioxide stores
//! every socket.io session's request head until the session ends, which cost ~8 KiB of RSS per
//! idle jobber connection (measured with `benches` `idle_connections`). [`own_head`] copies the
//! URI and header values and drops `OriginalUri`, so the buffer is freed once the request has
//! been read. It changes no value a handler can see, except that `OriginalUri` is absent.

use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderMap, HeaderValue, Uri};

/// The request with its URI and header values copied out of the read buffer, and without the
/// `OriginalUri` extension.
pub(crate) async fn own_head(request: Request) -> Request {
    let (mut head, body) = request.into_parts();
    let mut headers = HeaderMap::with_capacity(head.headers.len());
    for (name, value) in &head.headers {
        if let Ok(copy) = HeaderValue::from_bytes(value.as_bytes()) {
            headers.append(name.clone(), copy);
        }
    }
    head.headers = headers;
    if let Ok(uri) = Uri::try_from(head.uri.to_string()) {
        head.uri = uri;
    }
    head.extensions.remove::<OriginalUri>();
    Request::from_parts(head, body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::body::{Body, Bytes};

    /// A URI and a `Sec-WebSocket-Key` value, as they sit in a read buffer.
    const HEAD: &[u8] = b"/socket.io/?EIO=4&transport=websocket dGhlIHNhbXBsZSBub25jZQ==";

    /// A head built the way hyper builds it: every part a slice of one read buffer.
    fn sliced_request(buffer: &Bytes) -> Request {
        let uri = Uri::from_maybe_shared(buffer.slice(0..37)).unwrap();
        let key = HeaderValue::from_maybe_shared(buffer.slice(38..62)).unwrap();
        let mut request = Request::new(Body::empty());
        request.headers_mut().insert("sec-websocket-key", key);
        request
            .headers_mut()
            .append("x-twice", HeaderValue::from_static("a"));
        request
            .headers_mut()
            .append("x-twice", HeaderValue::from_static("b"));
        request.extensions_mut().insert(OriginalUri(uri.clone()));
        *request.uri_mut() = uri;
        request
    }

    #[tokio::test]
    async fn the_owned_head_holds_nothing_of_the_read_buffer() {
        let buffer = Bytes::from(HEAD.to_vec());
        let owned = own_head(sliced_request(&buffer)).await;
        assert!(buffer.is_unique(), "the head still shares the read buffer");
        assert_eq!(owned.uri(), "/socket.io/?EIO=4&transport=websocket");
        assert_eq!(owned.uri().query(), Some("EIO=4&transport=websocket"));
        assert_eq!(
            owned.headers()["sec-websocket-key"],
            "dGhlIHNhbXBsZSBub25jZQ=="
        );
        let twice: Vec<_> = owned.headers().get_all("x-twice").iter().collect();
        assert_eq!(twice, ["a", "b"]);
        assert!(owned.extensions().get::<OriginalUri>().is_none());
    }

    #[tokio::test]
    async fn a_sliced_head_does_share_the_buffer() {
        // The premise of the test above: without own_head the buffer is shared.
        let buffer = Bytes::from(HEAD.to_vec());
        let request = sliced_request(&buffer);
        assert!(!buffer.is_unique());
        drop(request);
        assert!(buffer.is_unique());
    }
}
