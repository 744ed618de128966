//! `--tls`: HTTPS with a self-signed certificate generated at start (for `127.0.0.1` and
//! `localhost`), so clients that insist on TLS can be tested. Handshakes run in their own tasks:
//! one slow client never holds up the others.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A generated certificate: its PEM (for clients to trust) and the server's TLS configuration.
pub(crate) struct Generated {
    pub cert_pem: String,
    pub config: Arc<rustls::ServerConfig>,
}

/// `tls12_only`: offer TLS 1.2 alone, so a client's TLS 1.2 path can be tested end to end.
pub(crate) fn generate(tls12_only: bool) -> io::Result<Generated> {
    let other = |e: &dyn std::fmt::Display| io::Error::other(format!("TLS setup: {e}"));
    let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    let key = rcgen::KeyPair::generate().map_err(|e| other(&e))?;
    let params = rcgen::CertificateParams::new(names).map_err(|e| other(&e))?;
    let cert = params.self_signed(&key).map_err(|e| other(&e))?;
    let cert_pem = cert.pem();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let key_der =
        rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| other(&e))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider);
    let builder = if tls12_only {
        builder.with_protocol_versions(&[&rustls::version::TLS12])
    } else {
        builder.with_safe_default_protocol_versions()
    };
    let config = builder
        .map_err(|e| other(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key_der)
        .map_err(|e| other(&e))?;
    Ok(Generated {
        cert_pem,
        config: Arc::new(config),
    })
}

/// An axum listener that hands out finished TLS connections.
pub(crate) struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<tokio::net::TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> io::Result<Self> {
        let addr = tcp.local_addr()?;
        let (tx, rx) = mpsc::channel(256);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = tcp.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                if tx.is_closed() {
                    break;
                }
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        let _ = tx.send((tls, peer)).await;
                    }
                });
            }
        });
        Ok(TlsListener { rx, addr })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The acceptor task ended: nothing will ever come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
