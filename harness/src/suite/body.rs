//! Reading an answer's body with a cap: chunk by chunk, up to [`DEFAULT_MAX_BODY_BYTES`] (or
//! `--max-body-bytes`), then the response is dropped and the rest never read. A server that
//! streams forever costs at most the cap in memory and ends within the request timeout.

/// The most bytes of one response body Gauntlet reads unless told otherwise: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// A body as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The bytes read, as text (invalid UTF-8 replaced).
    pub text: String,
    /// The cap the body was cut at, when it was longer.
    pub cut_at: Option<usize>,
}

/// A body that broke off or did not end within the request timeout, with how much of it
/// arrived.
#[derive(Debug)]
pub struct BodyError {
    /// What stopped the reading.
    pub error: reqwest::Error,
    /// The answer's status.
    pub status: u16,
    /// The bytes that arrived before.
    pub read: usize,
}

/// Says what happened: a body still open when the request timeout struck is not a server
/// that hangs (it answered), and a body that broke off says how much arrived.
impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.error.is_timeout() {
            write!(
                f,
                "the server answered {}, then kept its body open (streaming or stalled) for the \
                 whole request timeout after {} of it (an answer, not a server that hangs)",
                self.status,
                size(self.read)
            )
        } else {
            write!(
                f,
                "the body broke off after {}: {}",
                size(self.read),
                self.error
            )
        }
    }
}

impl std::error::Error for BodyError {}

/// Reads `response`'s body up to `max` bytes; a longer body is cut at `max` and the
/// connection dropped.
pub async fn read(mut response: reqwest::Response, max: usize) -> Result<Body, BodyError> {
    let status = response.status().as_u16();
    let mut bytes = Vec::new();
    let mut cut_at = None;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) => {
                return Err(BodyError {
                    error,
                    status,
                    read: bytes.len(),
                });
            }
        };
        let room = max - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            cut_at = Some(max);
            break;
        }
        bytes.extend_from_slice(&chunk);
    }
    drop(response);
    Ok(Body {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        cut_at,
    })
}

/// How [`cut_note`] begins.
const CUT: &str = "the answer's body was cut at ";

/// What an explanation says of a body cut at `max` bytes.
pub fn cut_note(max: usize) -> String {
    format!(
        "{CUT}{} (Gauntlet reads at most --max-body-bytes of a body)",
        size(max)
    )
}

/// Whether an exchange's note is a [`cut_note`].
pub fn is_cut_note(note: &str) -> bool {
    note.starts_with(CUT)
}

/// `1 MiB`, `64 KiB`, `1000 bytes`.
pub fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    match bytes {
        0 => "0 bytes".into(),
        b if b % (KIB * KIB) == 0 => format!("{} MiB", b / (KIB * KIB)),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;
    use crate::suite::browser::{Browser, Evidence};
    use crate::suite::tls::Trust;

    /// A server on 127.0.0.1:0 that answers every request with a chunked body: `then_stall`
    /// sends one chunk and then nothing more (the connection stays open); otherwise chunks
    /// follow for ever, until the reader goes away.
    async fn endless(then_stall: bool) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("bound");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut request = [0_u8; 4096];
                    let _ = socket.read(&mut request).await;
                    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\
                                transfer-encoding: chunked\r\n\r\n";
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let chunk = format!("4000\r\n{}\r\n", "x".repeat(0x4000));
                    loop {
                        if socket.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                        if then_stall {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                    }
                });
            }
        });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn an_endless_body_is_cut_at_the_cap_and_the_evidence_says_so() {
        // Arrange
        let base = endless(false).await;
        let timeout = Duration::from_secs(20);
        let evidence = Evidence::new(false);
        let browser = Browser::new(evidence.clone(), &base, timeout, &Trust::default());
        // Act
        let started = Instant::now();
        let reply = browser
            .send("GET", &format!("{base}/forever"), None)
            .await
            .expect("a cut body is an answer");
        // Assert
        assert!(started.elapsed() < timeout, "{:?}", started.elapsed());
        assert_eq!(reply.status, 200);
        assert_eq!(reply.cut_at, Some(DEFAULT_MAX_BODY_BYTES));
        assert_eq!(reply.body.len(), DEFAULT_MAX_BODY_BYTES);
        assert!(
            reply
                .cut_note()
                .contains("the answer's body was cut at 1 MiB"),
            "{}",
            reply.cut_note()
        );
        let note = evidence.exchanges()[0].note.clone().unwrap_or_default();
        assert!(
            note.contains("the answer's body was cut at 1 MiB"),
            "{note}"
        );
    }

    #[tokio::test]
    async fn the_cap_is_configurable() {
        let base = endless(false).await;
        let browser = Browser::new(
            Evidence::new(false),
            &base,
            Duration::from_secs(20),
            &Trust::default(),
        )
        .max_body_bytes(64 * 1024);
        let reply = browser.send("GET", &base, None).await.expect("an answer");
        assert_eq!(reply.cut_at, Some(64 * 1024));
        assert_eq!(reply.body.len(), 64 * 1024);
        assert!(reply.cut_note().contains("cut at 64 KiB"));
    }

    #[tokio::test]
    async fn a_body_that_stalls_ends_at_the_request_timeout() {
        let base = endless(true).await;
        let timeout = Duration::from_millis(500);
        let browser = Browser::new(Evidence::new(false), &base, timeout, &Trust::default());
        let started = Instant::now();
        let error = browser
            .send("GET", &base, None)
            .await
            .expect_err("a body that never ends within the timeout is no answer");
        assert!(
            started.elapsed() < timeout + Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(
            error.contains("answered 200, then kept its body open (streaming or stalled) for the whole request timeout after 16 KiB"),
            "{error}"
        );
        assert!(!error.contains("(the server hangs)"), "{error}");
    }

    #[tokio::test]
    async fn a_body_under_the_cap_is_read_whole() {
        use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};
        let server = MockServer::start().await;
        Mock::given(path("/exact"))
            .respond_with(ResponseTemplate::new(200).set_body_string("y".repeat(1000)))
            .mount(&server)
            .await;
        let evidence = Evidence::new(false);
        let browser = Browser::new(
            evidence.clone(),
            &server.uri(),
            Duration::from_secs(20),
            &Trust::default(),
        )
        .max_body_bytes(1000);
        let reply = browser
            .send("GET", &format!("{}/exact", server.uri()), None)
            .await
            .expect("an answer");
        assert_eq!((reply.body.len(), reply.cut_at), (1000, None));
        assert_eq!(reply.cut_note(), "");
        assert_eq!(evidence.exchanges()[0].note, None);
    }

    #[test]
    fn sizes_read_in_the_largest_whole_unit() {
        assert_eq!(size(DEFAULT_MAX_BODY_BYTES), "1 MiB");
        assert_eq!(size(64 * 1024), "64 KiB");
        assert_eq!(size(1000), "1000 bytes");
        assert!(cut_note(DEFAULT_MAX_BODY_BYTES).contains("the answer's body was cut at 1 MiB"));
        assert!(is_cut_note(&cut_note(1000)));
        assert!(!is_cut_note("connection refused"));
    }
}
