//! Target addresses: from the base URL a user gives to the URL of a protocol's socket (pure).

use url::Url;

/// The WebSocket URL on the target named by `base` (`http://h:p`, `ws://h:p`), with `query`
/// added: at `base`'s own path when it names one (`ws://h:p/custom`), else at `path` (the
/// profile's), as for socket.io ([`socketio_endpoint`]).
pub fn ws_url(
    base: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<String, url::ParseError> {
    let mut url = Url::parse(base)?;
    let path = match url.path() {
        "" | "/" => path.to_owned(),
        own => own.to_owned(),
    };
    let scheme = match url.scheme() {
        "https" | "wss" => "wss",
        _ => "ws",
    };
    // `set_scheme` refuses some special-scheme changes; rebuild from parts instead.
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or("localhost")),
        None => url.host_str().unwrap_or("localhost").to_owned(),
    };
    url = Url::parse(&format!("{scheme}://{authority}"))?;
    url.set_path(&path);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url.into())
}

/// Where socket.io lives on a target: the target URL without its path, and the socket.io path,
/// which is the URL's own path when it names one (`http://h:3000/ws` serves on `/ws`) and
/// `default_path` (the profile's) otherwise. An unparsable URL is returned as given, for the
/// transport to report.
pub fn socketio_endpoint(base: &str, default_path: &str) -> (String, String) {
    let Ok(mut url) = Url::parse(base) else {
        return (base.to_owned(), default_path.to_owned());
    };
    let path = url.path().to_owned();
    if path.is_empty() || path == "/" {
        return (base.to_owned(), default_path.to_owned());
    }
    url.set_path("/");
    (url.into(), path)
}

/// The HTTP base URL of a target (`ws://` becomes `http://`), without a trailing slash.
pub fn http_base(base: &str) -> Result<String, url::ParseError> {
    let url = Url::parse(base)?;
    let scheme = match url.scheme() {
        "https" | "wss" => "https",
        _ => "http",
    };
    let host = url.host_str().unwrap_or("localhost");
    Ok(match url.port() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_a_path_of_its_own_overrides_the_default_socketio_path() {
        let at = |base: &str| socketio_endpoint(base, "/socket.io/");
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(at("http://h:3000/ws"), pair("http://h:3000/", "/ws"));
        assert_eq!(at("ws://h:3000/io/?x=1"), pair("ws://h:3000/?x=1", "/io/"));
        assert_eq!(at("http://h:3000"), pair("http://h:3000", "/socket.io/"));
        assert_eq!(at("http://h:3000/"), pair("http://h:3000/", "/socket.io/"));
        assert_eq!(at("not a url"), pair("not a url", "/socket.io/"));
    }

    #[test]
    fn http_and_ws_bases_give_the_same_socket_url() {
        let query = vec![("token".to_owned(), "a b".to_owned())];
        assert_eq!(
            ws_url("http://127.0.0.1:3003", "/ws", &query).unwrap(),
            "ws://127.0.0.1:3003/ws?token=a+b"
        );
        assert_eq!(
            ws_url("ws://127.0.0.1:3003/ws", "/ws", &[]).unwrap(),
            "ws://127.0.0.1:3003/ws"
        );
        assert_eq!(
            ws_url("https://example.test", "/", &[]).unwrap(),
            "wss://example.test/"
        );
        assert_eq!(
            ws_url("http://127.0.0.1:3003/custom/", "/ws", &[]).unwrap(),
            "ws://127.0.0.1:3003/custom/",
            "a path of the target's own replaces the profile's"
        );
    }

    #[test]
    fn the_http_base_drops_paths_and_maps_ws_schemes() {
        assert_eq!(
            http_base("ws://127.0.0.1:9/ws").unwrap(),
            "http://127.0.0.1:9"
        );
        assert_eq!(http_base("http://h:1/").unwrap(), "http://h:1");
        assert!(http_base("not a url").is_err());
    }
}
