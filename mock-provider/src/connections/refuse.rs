//! The answer to a connection past the cap when every open one is busy: a short `503` with a
//! JSON error and `Connection: close`, from a bounded pool of responders.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Responders writing a 503 at once; past them a connection is closed unanswered.
const RESPONDERS: usize = 64;

/// How long a responder spends writing its answer, then reading what the client sent (so that
/// closing does not reset the connection before the answer is read).
const LINGER: Duration = Duration::from_secs(1);

/// The most a responder reads of the request before closing.
const DRAIN_BYTES: u64 = 64 * 1024;

/// The pool of 503 responders.
#[derive(Debug, Clone)]
pub(crate) struct Refusals(Arc<Semaphore>);

impl Refusals {
    pub(crate) fn new() -> Self {
        Self(Arc::new(Semaphore::new(RESPONDERS)))
    }

    /// Answers 503 and closes, or closes at once when every responder is taken.
    pub(crate) fn refuse(&self, mut stream: TcpStream, max_connections: usize) {
        let Ok(permit) = self.0.clone().try_acquire_owned() else {
            return;
        };
        tokio::spawn(async move {
            let answer = answer(max_connections);
            let _ = tokio::time::timeout(LINGER, async {
                stream.write_all(answer.as_bytes()).await?;
                stream.shutdown().await?;
                let mut sink = tokio::io::sink();
                tokio::io::copy(&mut (&mut stream).take(DRAIN_BYTES), &mut sink).await
            })
            .await;
            drop(permit);
        });
    }
}

fn answer(max_connections: usize) -> String {
    let body = serde_json::json!({
        "error": "temporarily_unavailable",
        "error_description": format!(
            "the mock provider serves at most {max_connections} connections and all are busy; retry"
        ),
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         cache-control: no-store\r\nretry-after: 1\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use tokio::net::TcpListener;

    use super::*;

    #[tokio::test]
    async fn a_refused_client_reads_a_json_503_then_the_close() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        Refusals::new().refuse(server, 8);
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("connection: close"), "{answer}");
        let body: serde_json::Value =
            serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["error"], "temporarily_unavailable");
    }
}
