//! What reading a large or endless answer costs the harness: wall time and the process's peak
//! memory (`VmHWM`) while one browser reads a 10 MB body and an endless one, with the default
//! 1 MiB cap, then the 10 MB body uncapped (as every body was read before the cap). Run with
//! `cargo bench -p gauntlet --bench bodies`; loopback only.

use std::time::{Duration, Instant};

use gauntlet::suite::body::DEFAULT_MAX_BODY_BYTES;
use gauntlet::suite::browser::{Browser, Evidence};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// Serves `size` bytes of body (chunked), or an endless body when `None`.
async fn server(size: Option<usize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0_u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\
                            transfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("10000\r\n{}\r\n", "<p>x</p>".repeat(0x10000 / 8));
                let mut sent = 0;
                while size.is_none_or(|size| sent < size) {
                    if socket.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                    sent += 0x10000;
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    format!("http://{address}")
}

/// `VmRSS` and `VmHWM` of this process, in MB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1000.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn measure(label: &str, size: Option<usize>, max: usize) {
    let base = server(size).await;
    let browser = Browser::new(
        Evidence::new(false),
        &base,
        Duration::from_secs(30),
        &gauntlet::suite::tls::Trust::default(),
    )
    .max_body_bytes(max);
    let started = Instant::now();
    let reply = browser.send("GET", &base, None).await;
    let took = started.elapsed();
    let (rss, hwm) = memory();
    let read = match &reply {
        Ok(reply) => format!(
            "{} bytes{}",
            reply.body.len(),
            if reply.cut_at.is_some() { ", cut" } else { "" }
        ),
        Err(why) => why.clone(),
    };
    println!(
        "| {label} | {read} | {:.0} ms | {rss:.1} MB | {hwm:.1} MB |",
        took.as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let (rss, hwm) = memory();
    println!("started: VmRSS {rss:.1} MB, VmHWM {hwm:.1} MB\n");
    println!("| answer | read | time | `VmRSS` after | `VmHWM` (peak) after |");
    println!("|---|---|---:|---:|---:|");
    let ten_mb = Some(10 * 1000 * 1000);
    measure("10 MB body, cap 1 MiB", ten_mb, DEFAULT_MAX_BODY_BYTES).await;
    measure("endless body, cap 1 MiB", None, DEFAULT_MAX_BODY_BYTES).await;
    measure("10 MB body, no cap (as before)", ten_mb, usize::MAX).await;
}
