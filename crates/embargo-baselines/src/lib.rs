//! The baselines `scripts/bench.sh` measures embargo against, on the same machine and in
//! the same run (the machine is shared and noisy: only ratios compare across runs).
//!
//! - `baseline-hello`: axum answering a constant, the ceiling of the HTTP stack.
//! - `baseline-insert`: the naive way to file a report: parse the JSON body, one
//!   `INSERT` in its own transaction, answer `201`. On SQLite: WAL, `synchronous=FULL`
//!   (durable when answered, as embargo promises), 8 connections. On PostgreSQL: the
//!   server's defaults (`synchronous_commit` on).
//!
//! Both print `listening on ADDR` once they accept connections.

use std::net::SocketAddr;

/// Binds `127.0.0.1:0` (or the address given as the first argument) and says where.
pub async fn listener(arg: Option<String>) -> std::io::Result<tokio::net::TcpListener> {
    let addr: SocketAddr = arg
        .as_deref()
        .unwrap_or("127.0.0.1:0")
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    #[allow(clippy::print_stdout)] // the bench script reads the address
    {
        println!("listening on {local}");
    }
    Ok(listener)
}
