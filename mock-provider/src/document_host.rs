//! A loopback HTTPS server that serves one JSON document at one path, under a throwaway CA: the
//! host of a Client ID Metadata Document, for testing an authorization server that fetches
//! them (MCP authorization, client registration). The CA's PEM is written to a file the
//! server under test is told to trust.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::start_error::StartError;
use crate::tls::Tls;

/// How many connections are served at once; more wait to be accepted.
const MAX_CONNECTIONS: usize = 32;

/// How long one connection may last, handshake included.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// A running document host; it stops when dropped.
#[derive(Debug)]
pub struct DocumentHost {
    url: String,
    tls: Tls,
    task: tokio::task::JoinHandle<()>,
}

impl DocumentHost {
    /// Listens on `127.0.0.1` (a free port) and serves `document(url)` as JSON to a `GET` of
    /// `path` (which starts with `/`), where `url` is the document's own URL; any other path
    /// is a 404, any other method a 405.
    pub async fn start(
        path: &str,
        document: impl FnOnce(&str) -> serde_json::Value,
    ) -> Result<Self, StartError> {
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let addr = (loopback, 0).into();
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let url = format!("https://{local}{path}");
        let body = Bytes::from(document(&url).to_string());
        let tls = Tls::generate(loopback, &[], None)?;
        let task = tokio::spawn(serve(listener, tls.acceptor(), path, body));
        Ok(Self { url, tls, task })
    }

    /// The document's URL (`https://127.0.0.1:{port}{path}`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        self.tls.ca_pem()
    }

    /// The file holding [`ca_pem`](Self::ca_pem), for as long as the host lives.
    pub fn ca_file(&self) -> &Path {
        self.tls.ca_file()
    }
}

impl Drop for DocumentHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    path: String,
    body: Bytes,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait a little rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let (acceptor, path, body) = (acceptor.clone(), path.clone(), body.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |request| {
                let answer = answer(request.method(), request.uri().path() == path, &body);
                async move { Ok::<_, Infallible>(answer) }
            });
            let connection = async {
                let tls = acceptor.accept(stream).await.ok()?;
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await
                    .ok()
            };
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
        });
    }
}

fn answer(method: &Method, found: bool, body: &Bytes) -> Response<Full<Bytes>> {
    let (status, body) = match (method, found) {
        (&Method::GET, true) => (StatusCode::OK, body.clone()),
        (_, true) => (StatusCode::METHOD_NOT_ALLOWED, Bytes::new()),
        (_, false) => (StatusCode::NOT_FOUND, Bytes::new()),
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    if status == StatusCode::OK {
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
    }
    response
}
