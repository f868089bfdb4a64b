//! A real SMTP server on loopback that keeps what it receives (RFC 5321's minimum: EHLO/HELO,
//! MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT). It can be told to refuse
//! mail, to test retries.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Debug, Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicBool>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = Self {
            addr: listener.local_addr().unwrap(),
            received: Arc::default(),
            refuse: Arc::default(),
        };
        let (received, refuse) = (sink.received.clone(), sink.refuse.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, received.clone(), refuse.clone()));
            }
        });
        sink
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// While set, every MAIL FROM gets a temporary failure (451).
    pub fn refuse(&self, on: bool) {
        self.refuse.store(on, Ordering::SeqCst);
    }
}

async fn session(stream: TcpStream, received: Arc<Mutex<Vec<Received>>>, refuse: Arc<AtomicBool>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let say = async |w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str| {
        w.write_all(format!("{text}\r\n").as_bytes()).await.is_ok()
    };
    if !say(&mut write, "220 embargo-test-sink ESMTP").await {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let ok = if upper.starts_with("EHLO") {
            say(&mut write, "250-embargo-test-sink\r\n250 8BITMIME").await
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            say(&mut write, "250 ok").await
        } else if upper.starts_with("MAIL FROM:") {
            if refuse.load(Ordering::SeqCst) {
                say(&mut write, "451 4.3.0 try again later").await
            } else {
                from = cmd[10..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_matches(['<', '>'])
                    .to_string();
                to.clear();
                say(&mut write, "250 ok").await
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
            say(&mut write, "250 ok").await
        } else if upper == "DATA" {
            if !say(&mut write, "354 end with .").await {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            received.lock().unwrap().push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            say(&mut write, "250 queued").await
        } else if upper == "RSET" {
            to.clear();
            say(&mut write, "250 ok").await
        } else if upper == "QUIT" {
            let _ = say(&mut write, "221 bye").await;
            return;
        } else {
            say(&mut write, "502 not implemented").await
        };
        if !ok {
            return;
        }
    }
}
