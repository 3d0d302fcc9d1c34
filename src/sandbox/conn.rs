//! Connections that a fault can cut: a TCP listener whose streams can be
//! told to stop writing part-way through a response, or before it.
//!
//! In: accepted TCP streams. Out: streams for axum plus a `ConnHandle`
//! (the connection's info) through which a request asks for the cut. A cut
//! stream fails its writes, so hyper closes the connection.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

const NORMAL: u8 = 0;
const CUT_AFTER_HEADERS: u8 = 1;
const SILENT: u8 = 2;
const DEAD: u8 = 3;

/// The per-connection switch a request flips to have its response cut.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    mode: Arc<AtomicU8>,
}

impl ConnHandle {
    /// The response goes out up to its headers and half its body, then the
    /// connection closes.
    pub fn cut_after_headers(&self) {
        self.mode.store(CUT_AFTER_HEADERS, Ordering::Relaxed);
    }

    /// Nothing of the response goes out; the connection closes.
    pub fn cut_silently(&self) {
        self.mode.store(SILENT, Ordering::Relaxed);
    }
}

/// A TCP listener handing out cuttable streams.
pub struct CuttableListener {
    inner: TcpListener,
}

impl CuttableListener {
    /// Wraps a bound listener.
    pub fn new(inner: TcpListener) -> Self {
        Self { inner }
    }
}

impl Listener for CuttableListener {
    type Io = CuttableStream;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, _peer)) => {
                    // Small JSON responses must not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    let mode = Arc::new(AtomicU8::new(NORMAL));
                    let handle = ConnHandle {
                        mode: Arc::clone(&mode),
                    };
                    return (
                        CuttableStream {
                            inner: stream,
                            mode,
                        },
                        handle,
                    );
                }
                // Out of file descriptors and the like: wait, then go on.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()?;
        Ok(ConnHandle {
            mode: Arc::new(AtomicU8::new(NORMAL)),
        })
    }
}

impl Connected<IncomingStream<'_, CuttableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, CuttableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP stream that can be cut.
pub struct CuttableStream {
    inner: TcpStream,
    mode: Arc<AtomicU8>,
}

fn cut() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        "connection cut by fault injection",
    )
}

/// How much of `buf` to let through before cutting: the headers and half
/// of what follows them, or half of it all when the headers do not end here.
fn cut_point(buf: &[u8]) -> usize {
    match buf.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => {
            let body = end + 4;
            body + (buf.len() - body) / 2
        }
        None => buf.len() / 2,
    }
}

impl AsyncRead for CuttableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CuttableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.mode.load(Ordering::Relaxed) {
            NORMAL => Pin::new(&mut self.inner).poll_write(cx, buf),
            CUT_AFTER_HEADERS => {
                let n = cut_point(buf);
                self.mode.store(DEAD, Ordering::Relaxed);
                if n == 0 {
                    return Poll::Ready(Err(cut()));
                }
                // Best effort: whatever the socket takes now is what the client sees.
                match Pin::new(&mut self.inner).poll_write(cx, &buf[..n]) {
                    Poll::Ready(Ok(w)) => Poll::Ready(Ok(w)),
                    _ => Poll::Ready(Err(cut())),
                }
            }
            _ => {
                self.mode.store(DEAD, Ordering::Relaxed);
                Poll::Ready(Err(cut()))
            }
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.mode.load(Ordering::Relaxed) == NORMAL {
            return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        }
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        self.poll_write(cx, first)
    }

    /// No: hyper then gathers a response's head and body into one buffer
    /// and sends it with one `write`, where vectored writes cost a `writev`
    /// per response and more kernel time for the small bodies sent here.
    fn is_write_vectored(&self) -> bool {
        false
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.mode.load(Ordering::Relaxed) == DEAD {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_keeps_headers_and_half_the_body() {
        let msg = b"HTTP/1.1 500 X\r\ncontent-length: 10\r\n\r\n0123456789";
        let n = cut_point(msg);
        assert_eq!(&msg[n - 5..n], b"01234");
        assert_eq!(cut_point(b"abcd"), 2);
    }
}
