//! The `/steunpunt/sync/2` request-response codec: one CBOR message per stream, read with
//! a hard size limit before decoding (the wire format itself lives in `protocol`).
//!
//! A request that cannot be read is handed up as [`Unreadable`] rather than failing the
//! stream: libp2p drops a failed request read without telling anyone, and the replicator
//! must see it to hold it against the peer. Any change to the messages takes a new
//! protocol name, so no honest node of another version sends what this one cannot read.

use std::io;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use steunpunt_protocol::sync::{MAX_SYNC_MESSAGE_BYTES, SyncRequest, SyncResponse};

/// The sync protocol name.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/steunpunt/sync/2");

/// Reads and writes sync messages.
#[derive(Debug, Clone, Default)]
pub struct SyncCodec;

/// A sync request that could not be read: malformed, or over the size limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable sync request: {0}")]
pub struct Unreadable(pub String);

/// A sync request as read from a peer.
pub type Incoming = Result<SyncRequest, Unreadable>;

const OVER_LIMIT: &str = "sync message over the size limit";

async fn read_limited<T: AsyncRead + Unpin + Send>(io: &mut T) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    io.take(MAX_SYNC_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .await?;
    if bytes.len() > MAX_SYNC_MESSAGE_BYTES {
        return Err(io::Error::new(io::ErrorKind::InvalidData, OVER_LIMIT));
    }
    Ok(bytes)
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

async fn write_all<T: AsyncWrite + Unpin + Send>(io: &mut T, bytes: Vec<u8>) -> io::Result<()> {
    io.write_all(&bytes).await?;
    io.close().await
}

impl libp2p::request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = Incoming;
    type Response = SyncResponse;

    async fn read_request<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Incoming> {
        match read_limited(io).await {
            Ok(bytes) => Ok(SyncRequest::decode(&bytes).map_err(|e| Unreadable(e.to_string()))),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => Ok(Err(Unreadable(e.to_string()))),
            Err(e) => Err(e),
        }
    }

    async fn read_response<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<SyncResponse> {
        SyncResponse::decode(&read_limited(io).await?).map_err(invalid)
    }

    async fn write_request<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Incoming,
    ) -> io::Result<()> {
        let request = request.map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        write_all(io, request.encode()).await
    }

    async fn write_response<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: SyncResponse,
    ) -> io::Result<()> {
        write_all(io, response.encode()).await
    }
}
