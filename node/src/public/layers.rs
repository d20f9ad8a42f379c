//! What every request of the public site passes through: bounds per client address
//! (IPv6 by /64), concurrency and request size, then the security headers, the content
//! policy of each path and the ETag.

use super::*;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

/// The key a client is limited by: its address, an IPv6 client by its /64 (one
/// household's or one server's share).
fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// Rate limit per client, the address's length, the methods, and one request's time.
pub(super) async fn bounds(State(site): State<Site>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| client_key(c.0.ip()));
    if let Some(client) = client
        && let Err(not_until) = site.limiter.check_key(&client)
    {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        let mut answer = html_answer(
            StatusCode::TOO_MANY_REQUESTS,
            pages::notice(
                &site.look(),
                "Even geduld",
                "U heeft in korte tijd veel pagina's opgevraagd. Probeer het over een minuut opnieuw.",
            ),
        );
        if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            answer.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return answer;
    }
    let uri_len = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return html_answer(
            StatusCode::URI_TOO_LONG,
            pages::notice(
                &site.look(),
                "Adres te lang",
                "Dit adres is te lang om te lezen. Zoek met minder woorden.",
            ),
        );
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    match tokio::time::timeout(REQUEST_TIME, next.run(request)).await {
        Ok(answer) => answer,
        Err(_) => html_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            pages::notice(
                &site.look(),
                "Het duurt te lang",
                "Deze pagina kon niet op tijd gemaakt worden. Probeer het straks opnieuw.",
            ),
        ),
    }
}

/// The Content-Security-Policy of a path: nothing but our own style sheet and logo; the
/// widget may be framed by any site, the embed page frames the widget, nothing else is
/// framed or frames.
fn policy(path: &str) -> &'static str {
    match path {
        "/widget" => {
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *"
        }
        "/insluiten" => {
            "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        }
        _ => {
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        }
    }
}

/// Security headers on every answer; on a successful GET an ETag of the body, and 304
/// when the client already has it.
pub(super) async fn headers_and_etag(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let known = request.headers().get(header::IF_NONE_MATCH).cloned();
    let mut answer = next.run(request).await;
    let h = answer.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy(&path)),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if path != "/widget" {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Always revalidated: a withdrawn vacancy must not linger in a browser's cache.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if answer.status() != StatusCode::OK {
        return answer;
    }
    let (mut parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ANSWER_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex().as_str()[..32]);
    let matches = known
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, value);
    }
    if matches {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}
