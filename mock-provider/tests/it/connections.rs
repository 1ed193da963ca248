//! The mock's connection bounds over real sockets: a head that never finishes and an idle
//! connection are closed after their timeouts, and idle or stalled sockets held at the
//! connection cap never lock a new client out.

use std::net::SocketAddr;
use std::time::Duration;

use mock_provider::{Limits, MockProvider, ProviderConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// Far longer than any timeout under test: only a hang reaches it.
const HANG: Duration = Duration::from_secs(30);

fn config(limits: Limits) -> ProviderConfig {
    ProviderConfig {
        limits,
        ..ProviderConfig::default()
    }
}

/// A provider with these limits, and a raw socket connected to it.
async fn connected(limits: Limits) -> (MockProvider, TcpStream) {
    let (provider, _) = start_with(config(limits)).await;
    let socket = TcpStream::connect(provider.address())
        .await
        .expect("connects");
    (provider, socket)
}

/// Reads until the server closes the socket (end of file or reset); panics after [`HANG`].
async fn until_closed(socket: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(HANG, async {
        let mut buf = [0_u8; 1024];
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open: {:?}",
        String::from_utf8_lossy(&received)
    );
    received
}

#[tokio::test]
async fn a_head_sent_byte_by_byte_is_cut_after_the_header_read_timeout() {
    // Arrange: a short head timeout; the idle timeout alone would wait a minute.
    let (provider, mut socket) = connected(Limits {
        header_read_timeout_ms: 200,
        ..Limits::default()
    })
    .await;
    let (mut reader, mut writer) = socket.split();
    // Act: trickle an endless head, a byte at a time, until the server closes.
    let trickle = async {
        writer
            .write_all(b"GET /authorize HTTP/1.1\r\nHost: x\r\n")
            .await?;
        loop {
            writer.write_all(b"X").await?;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        #[allow(unreachable_code)]
        Ok::<(), std::io::Error>(())
    };
    let closed = tokio::time::timeout(HANG, async {
        let mut buf = [0_u8; 256];
        tokio::select! {
            _ = trickle => {}
            _ = reader.read(&mut buf) => {}
        }
    })
    .await;
    // Assert
    assert!(
        closed.is_ok(),
        "a slowloris head was still open after {HANG:?}"
    );
    let http = http();
    let metadata = http.get(provider.metadata_url()).send().await.unwrap();
    assert_eq!(metadata.status(), 200, "the mock still serves");
}

/// Sends `request` (given the server's address for `Host`) on a raw socket to a provider with
/// these limits, and returns what came back before the server closed the socket.
async fn sent_then_closed(
    limits: Limits,
    request: impl Fn(SocketAddr) -> String,
) -> (MockProvider, String) {
    let (provider, mut socket) = connected(limits).await;
    let request = request(provider.address());
    socket.write_all(request.as_bytes()).await.expect("sent");
    let received = until_closed(&mut socket).await;
    (provider, String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn a_body_announced_and_never_sent_gets_a_408_and_the_connection_closes() {
    // Arrange
    let limits = Limits {
        header_read_timeout_ms: 200,
        ..Limits::default()
    };
    // Act
    let (provider, received) = sent_then_closed(limits, |host| {
        format!(
            "POST /token HTTP/1.1\r\nHost: {host}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 100\r\n\r\ngrant_type="
        )
    })
    .await;
    // Assert
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(
        received.contains("\"error\":\"invalid_request\""),
        "{received}"
    );
    let journal = provider.journal();
    assert_eq!(journal.last().map(|e| e.response.status), Some(408));
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
    // Arrange
    let limits = Limits {
        idle_timeout_ms: 200,
        ..Limits::default()
    };
    // Act: one request on the connection, then nothing.
    let (provider, received) = sent_then_closed(limits, |host| {
        format!("GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: {host}\r\n\r\n")
    })
    .await;
    // Assert: answered, then closed for idling.
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    let metadata = http().get(provider.metadata_url()).send().await.unwrap();
    assert_eq!(metadata.status(), 200);
}

/// A provider capped at 8 connections with `held` sockets open on it, each having sent
/// `prefix` (nothing: idle; a partial head: a slowloris).
async fn capped_with_held_sockets(held: usize, prefix: &[u8]) -> (MockProvider, Vec<TcpStream>) {
    let (provider, _) = start_with(config(Limits {
        max_connections: 8,
        ..Limits::default()
    }))
    .await;
    let mut sockets = Vec::new();
    for _ in 0..held {
        let mut socket = TcpStream::connect(provider.address()).await.unwrap();
        socket.write_all(prefix).await.unwrap();
        sockets.push(socket);
    }
    (provider, sockets)
}

async fn answers_within_the_hang_bound(provider: &MockProvider) {
    let http = reqwest::Client::builder()
        .timeout(HANG)
        .build()
        .expect("client builds");
    for _ in 0..3 {
        let response = http.get(provider.metadata_url()).send().await;
        let response = response.expect("a new client gets an answer, not a hang");
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn idle_sockets_at_the_cap_never_lock_a_new_client_out() {
    // Arrange: more idle sockets than the cap.
    let (provider, _sockets) = capped_with_held_sockets(12, b"").await;
    // Act / Assert
    answers_within_the_hang_bound(&provider).await;
}

#[tokio::test]
async fn stalled_heads_at_the_cap_never_lock_a_new_client_out() {
    // Arrange: more slowloris heads than the cap, with the default 10 s head timeout.
    let (provider, _sockets) = capped_with_held_sockets(12, b"GET / HTTP/1.1\r\nHost: x\r\n").await;
    // Act / Assert
    answers_within_the_hang_bound(&provider).await;
}

#[tokio::test]
async fn a_head_past_max_head_bytes_gets_a_431_and_is_closed() {
    // Arrange: the default bound of 64 KiB, and a head of 100 KiB.
    let (provider, mut socket) = connected(Limits::default()).await;
    let head = format!(
        "GET /userinfo HTTP/1.1\r\nHost: {}\r\nx-big: {}\r\n\r\n",
        provider.address(),
        "a".repeat(100 * 1024)
    );
    // Act: hyper stops reading at the bound, so the rest of the head may be refused.
    let _ = socket.write_all(head.as_bytes()).await;
    let received = until_closed(&mut socket).await;
    // Assert: hyper's own answer, before any endpoint (no body, no JSON), then the close.
    let answer = String::from_utf8_lossy(&received);
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer:?}"
    );
    assert!(provider.journal().is_empty(), "no endpoint saw the request");
}

#[tokio::test]
async fn a_head_within_max_head_bytes_is_answered() {
    // Arrange: a 48 KiB header, within the default 64 KiB.
    let (provider, http) = start_with(config(Limits::default())).await;
    // Act
    let response = http
        .get(provider.userinfo_endpoint())
        .header("x-big", "a".repeat(48 * 1024))
        .send()
        .await
        .expect("the mock answers");
    // Assert: the endpoint's own answer.
    assert_eq!(response.status(), 401);
}
