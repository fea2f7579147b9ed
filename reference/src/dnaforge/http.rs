//! The HTTP side of dnaforge (D1, dnaforge-N1–N3): a request as the driver saw it, and the
//! reply. Routing is here so the driver holds no protocol logic; issuing the token is the core's.

/// An HTTP request that is not a WebSocket upgrade of `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpRequest<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The `Authorization` header's value, if any (and valid UTF-8).
    pub authorization: Option<&'a str>,
}

/// The statuses dnaforge answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpStatus {
    /// 200, `GET /auth` accepted.
    Ok,
    /// 401, wrong or missing access token.
    Unauthorized,
    /// 404, unknown path.
    NotFound,
    /// 405, `/auth` with another method than `GET`.
    MethodNotAllowed,
    /// 426, `/` without a WebSocket upgrade.
    UpgradeRequired,
}

impl HttpStatus {
    /// The numeric status.
    pub const fn code(self) -> u16 {
        match self {
            Self::Ok => 200,
            Self::Unauthorized => 401,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::UpgradeRequired => 426,
        }
    }
}

/// An HTTP answer: the body is JSON for 200, empty otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// The status.
    pub status: HttpStatus,
    /// The body (`application/json` when not empty).
    pub body: String,
}

impl HttpReply {
    /// An answer with an empty body.
    pub(super) fn empty(status: HttpStatus) -> Self {
        Self {
            status,
            body: String::new(),
        }
    }
}

/// What a request asks for, before the access token is checked.
pub(super) enum Route {
    /// `GET /auth`.
    Auth,
    /// Answered at once with this status.
    Refuse(HttpStatus),
}

/// Routes `request` (dnaforge-N1).
pub(super) fn route(request: &HttpRequest<'_>) -> Route {
    match (request.path, request.method) {
        ("/auth", "GET") => Route::Auth,
        ("/auth", _) => Route::Refuse(HttpStatus::MethodNotAllowed),
        ("/", _) => Route::Refuse(HttpStatus::UpgradeRequired),
        _ => Route::Refuse(HttpStatus::NotFound),
    }
}

/// Whether `authorization` passes `access_token` (dnaforge-N2): anything passes when there is
/// no access token or it is blank; otherwise exact equality.
pub(super) fn authorized(access_token: Option<&str>, authorization: Option<&str>) -> bool {
    match access_token.filter(|t| !t.trim().is_empty()) {
        None => true,
        Some(expected) => authorization == Some(expected),
    }
}
