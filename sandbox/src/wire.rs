//! Faults on the wire: answers that hyper would never send (a reset in the middle of a body, a
//! body shorter than its `Content-Length`, a stall between two halves of a body, header lines that
//! never end). Plain-HTTP connections are accepted through [`WireListener`], which shares each
//! socket between hyper and the request handling it: a scripted wire fault mutes hyper on that
//! connection, writes its exact bytes to the socket, and lets the connection close (with `RST`
//! when the fault is a reset). Connections without a fault pass through untouched.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// How long the head and the first part of a body are left to reach the client before the
/// connection breaks (a reset discards what the kernel has not sent yet).
const FLUSH_PAUSE: Duration = Duration::from_millis(50);

/// Endless headers stop here even if the client never gives up, so no task runs forever.
const ENDLESS_CAP: Duration = Duration::from_secs(300);

/// A fault played on the socket after the scripted answer's status and headers are chosen.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum WireFault {
    /// Head and the first half of the body (`Content-Length` the whole body, at least 1), then
    /// `RST`.
    ResetMidBody,
    /// `Content-Length` `missing` bytes more than the body sent, then a clean close (`FIN`).
    TruncatedBody {
        #[serde(default = "default_missing")]
        missing: u64,
    },
    /// Head and the first half of the body, a pause of `stall_ms`, then the rest.
    StallMidBody { stall_ms: u64 },
    /// The status line, then a header line every `interval_ms` (0: as fast as the socket takes
    /// them) until the client gives up.
    EndlessHeaders {
        #[serde(default = "default_interval")]
        interval_ms: u64,
    },
}

fn default_missing() -> u64 {
    64
}

fn default_interval() -> u64 {
    10
}

/// One accepted connection, as the request handling sees it (axum's connect info).
#[derive(Clone)]
pub(crate) struct Wire {
    stream: Arc<TcpStream>,
    muted: Arc<AtomicBool>,
    peer: SocketAddr,
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wire").field("peer", &self.peer).finish()
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, WireListener>>
    for Wire
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, WireListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections can be taken over by a wire fault.
pub(crate) struct WireListener(pub TcpListener);

impl axum::serve::Listener for WireListener {
    type Io = WireIo;
    type Addr = Wire;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, peer)) => {
                    let stream = Arc::new(stream);
                    let muted = Arc::new(AtomicBool::new(false));
                    let io = WireIo {
                        stream: stream.clone(),
                        muted: muted.clone(),
                    };
                    return (
                        io,
                        Wire {
                            stream,
                            muted,
                            peer,
                        },
                    );
                }
                // Out of file descriptors and the like: wait rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Err(io::Error::other(
            "a wire listener has no connection address",
        ))
    }
}

/// hyper's side of a shared socket: plain reads and writes until the connection is muted, then
/// whatever hyper writes is dropped (the fault has already written the answer).
pub(crate) struct WireIo {
    stream: Arc<TcpStream>,
    muted: Arc<AtomicBool>,
}

impl AsyncRead for WireIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            match self.stream.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                // Readiness was stale; polling again registers for the next event.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for WireIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.muted.load(Ordering::Acquire) {
            return Poll::Ready(Ok(buf.len()));
        }
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write(buf) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// The socket is shared, so no half-close here: the `FIN` goes out when the last side drops.
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl Wire {
    async fn write_all(&self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            self.stream.writable().await?;
            match self.stream.try_write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Plays `fault` with this head and body. From here on hyper's own answer is dropped; the
    /// caller hands hyper a body that fails, so hyper closes its side of the connection too.
    pub async fn play(
        &self,
        fault: &WireFault,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) {
        self.muted.store(true, Ordering::Release);
        if let Err(e) = self.try_play(fault, status, headers, body).await {
            // The client hung up first: that is how endless headers end.
            tracing::debug!(error = %e, "finauth-sandbox: wire fault ended");
        }
    }

    async fn try_play(
        &self,
        fault: &WireFault,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> io::Result<()> {
        let half = body.len() / 2;
        match fault {
            WireFault::ResetMidBody => {
                // Even an empty body is cut: one byte is promised and never sent.
                let promised = (body.len() as u64).max(1);
                self.write_all(&head(status, headers, Some(promised)))
                    .await?;
                self.write_all(&body[..half]).await?;
                tokio::time::sleep(FLUSH_PAUSE).await;
                self.stream.set_zero_linger()?;
            }
            WireFault::TruncatedBody { missing } => {
                let promised = (body.len() as u64).saturating_add((*missing).max(1));
                self.write_all(&head(status, headers, Some(promised)))
                    .await?;
                self.write_all(body).await?;
                tokio::time::sleep(FLUSH_PAUSE).await;
            }
            WireFault::StallMidBody { stall_ms } => {
                self.write_all(&head(status, headers, Some(body.len() as u64)))
                    .await?;
                self.write_all(&body[..half]).await?;
                tokio::time::sleep(Duration::from_millis(*stall_ms)).await;
                self.write_all(&body[half..]).await?;
            }
            WireFault::EndlessHeaders { interval_ms } => {
                self.write_all(status_line(status).as_bytes()).await?;
                let started = tokio::time::Instant::now();
                let mut n = 0u64;
                while started.elapsed() < ENDLESS_CAP {
                    n += 1;
                    let line = format!("X-Endless-{n}: {}\r\n", "h".repeat(32));
                    self.write_all(line.as_bytes()).await?;
                    if *interval_ms == 0 {
                        tokio::task::yield_now().await;
                    } else {
                        tokio::time::sleep(Duration::from_millis(*interval_ms)).await;
                    }
                }
            }
        }
        Ok(())
    }
}

fn status_line(status: u16) -> String {
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    format!("HTTP/1.1 {status} {reason}\r\n")
}

/// The status line and headers as given, then `Content-Length` and `Connection: close` (the
/// connection never carries another request after a fault).
fn head(status: u16, headers: &[(String, String)], content_length: Option<u64>) -> Vec<u8> {
    let mut out = status_line(status).into_bytes();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("connection") {
            continue;
        }
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if let Some(n) = content_length {
        out.extend_from_slice(format!("content-length: {n}\r\n").as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_promises_the_given_length_and_closes() {
        let h = head(
            200,
            &[("Content-Type".into(), "application/json".into())],
            Some(9),
        );
        assert_eq!(
            String::from_utf8_lossy(&h),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\n"
        );
    }

    #[test]
    fn wire_faults_read_from_json() {
        let f: Result<WireFault, _> = serde_json::from_str(r#""reset_mid_body""#);
        assert_eq!(f.ok(), Some(WireFault::ResetMidBody));
        let f: Result<WireFault, _> = serde_json::from_str(r#"{"truncated_body":{}}"#);
        assert_eq!(f.ok(), Some(WireFault::TruncatedBody { missing: 64 }));
        let f: Result<WireFault, _> =
            serde_json::from_str(r#"{"endless_headers":{"interval_ms":5}}"#);
        assert_eq!(f.ok(), Some(WireFault::EndlessHeaders { interval_ms: 5 }));
    }
}
