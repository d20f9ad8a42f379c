//! Serving the API over HTTP/1.1 with bounds that hold whatever clients do: at most
//! [`MAX_CONNECTIONS`] connections (more are answered 503 and closed), request headers
//! within [`HEADER_READ_TIMEOUT`] (which also ends idle kept-alive connections), and a
//! shutdown that waits at most [`SHUTDOWN_GRACE`] for requests in flight.
//!
//! `axum::serve` has none of these: a connection that sends half a request held the
//! node's shutdown forever, and a thousand idle ones used up the open-file limit.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// Connections served at once: far below the open-file limit a service gets (1,024),
/// far above what the local tools use.
pub const MAX_CONNECTIONS: usize = 256;
/// A request's headers must arrive within this time, and a kept-alive connection must
/// bring its next request within it.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// At shutdown, requests in flight get this long to finish; then their connections are
/// dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The answer to a connection over the limit: its media type and body.
type Busy = (&'static str, &'static str);

/// The API's busy answer.
const API_BUSY: Busy = (
    "application/json",
    r#"{"error":{"code":"busy","message":"too many connections to the API; try again shortly"}}"#,
);

/// The public site's busy answer, for visitors.
const SITE_BUSY: Busy = (
    "text/plain; charset=utf-8",
    "Het is erg druk op deze website. Probeer het over een minuut opnieuw.\n",
);

/// Answers a connection over the limit with 503 `busy` and closes it. What the client
/// sent is read first (briefly): closing a socket with unread data resets it, and the
/// client would see no answer at all.
async fn refuse_busy(mut stream: tokio::net::TcpStream, (media, body): Busy) {
    use tokio::io::AsyncReadExt as _;
    let answer = async {
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {media}\r\n\
             connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut read = 0;
        while read < 64 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => read += n,
            }
        }
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}

/// Serves the API `app` on `listener` until `shutdown` turns true.
pub async fn serve(listener: TcpListener, app: Router, shutdown: watch::Receiver<bool>) {
    serve_with(listener, app, shutdown, API_BUSY).await;
}

/// Serves the public site `app` the same way; its requests carry the client's address
/// (`ConnectInfo`), which the site's rate limit reads.
pub async fn serve_public(listener: TcpListener, app: Router, shutdown: watch::Receiver<bool>) {
    serve_with(listener, app, shutdown, SITE_BUSY).await;
}

async fn serve_with(
    listener: TcpListener,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
    busy: Busy,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    let mut accept_failing = false;
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    accept_failing = false;
                    (stream, peer)
                }
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    if !accept_failing {
                        tracing::warn!("cannot accept HTTP connections: {e}");
                        accept_failing = true;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tokio::spawn(refuse_busy(stream, busy));
            continue;
        };
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(
                TokioIo::new(stream),
                TowerToHyperService::new(
                    app.clone()
                        .layer(axum::Extension(axum::extract::ConnectInfo(peer))),
                ),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "HTTP requests still open after {} s are dropped",
            SHUTDOWN_GRACE.as_secs()
        );
    }
}
