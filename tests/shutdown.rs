//! The real binary stops on SIGTERM and Ctrl-C (SIGINT) within 10 seconds in every state: the
//! gateway bot while Discord's gateway is unreachable, the interactions endpoint idle and with a
//! request in flight (which it finishes first). Signals are sent with the system's `kill`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::serve::{public_hex, signed};

/// The bound every state must meet.
const EXIT_WITHIN: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(20);

/// A running `sco-bot` whose standard error is read line by line.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    _dir: tempfile::TempDir,
}

pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Running {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sco-bot"));
    command
        .args(args)
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_PUBLIC_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the sco-bot binary starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    Running {
        child,
        lines,
        seen: Vec::new(),
        _dir: dir,
    }
}

impl Running {
    /// Waits for a log line containing `needle` and returns it.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line with {needle:?} within {WAIT:?}; the log so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Sends `signal` with `kill` and returns how long the process took to exit; panics if
    /// it is still running after [`EXIT_WITHIN`] (and kills it) or exits with a failure.
    pub fn signal_and_wait(&mut self, signal: &str) -> Duration {
        let started = Instant::now();
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{signal} {pid} failed");
        self.wait_exit(started)
    }

    fn wait_exit(&mut self, started: Instant) -> Duration {
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited on") {
                let took = started.elapsed();
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                assert!(
                    status.success(),
                    "exit {status}; log:\n{}",
                    self.seen.join("\n")
                );
                return took;
            }
            if started.elapsed() > EXIT_WITHIN {
                let _ = self.child.kill();
                panic!(
                    "still running {EXIT_WITHIN:?} after the signal; log:\n{}",
                    self.seen.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Discord REST stand-in whose gateway address is a closed port: every request is answered
/// with `GET /gateway/bot`'s body pointing at ws://127.0.0.1:1.
fn unreachable_gateway() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let body = r#"{"url":"ws://127.0.0.1:1","shards":1,"session_start_limit":{"total":1000,"remaining":1000,"reset_after":0,"max_concurrency":1}}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

fn discord_offline() -> Running {
    let api = unreachable_gateway();
    let mut bot = spawn(
        &["discord", "--api-base", &api],
        &[(
            "DISCORD_TOKEN",
            "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeA.not-a-real-token-but-shaped-like-one_0123456789",
        )],
    );
    // serenity's shard queuer says so each time it fails to reach the gateway.
    bot.wait_for("Err starting shard");
    bot
}

#[test]
fn the_gateway_bot_exits_on_sigterm_while_the_gateway_is_unreachable() {
    let mut bot = discord_offline();
    let took = bot.signal_and_wait("TERM");
    eprintln!("discord, gateway unreachable, SIGTERM: exited in {took:?}");
}

#[test]
fn the_gateway_bot_exits_on_ctrl_c_while_the_gateway_is_unreachable() {
    let mut bot = discord_offline();
    let took = bot.signal_and_wait("INT");
    eprintln!("discord, gateway unreachable, SIGINT: exited in {took:?}");
}

/// Waits until the endpoint's `sco_bot_in_flight` gauge (open connections, this probe's own
/// included) reaches `at_least`.
fn wait_until_in_flight(addr: SocketAddr, at_least: usize) {
    let deadline = Instant::now() + WAIT;
    loop {
        let mut probe = std::net::TcpStream::connect(addr).expect("connects");
        probe
            .write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .expect("asks for metrics");
        let mut page = String::new();
        let _ = probe.read_to_string(&mut page);
        let open = page
            .lines()
            .find_map(|l| l.strip_prefix("sco_bot_in_flight "))
            .and_then(|n| n.trim().parse::<usize>().ok());
        if open.is_some_and(|n| n >= at_least) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never saw {at_least} in flight: {page}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn serving() -> (Running, SocketAddr) {
    serving_with(&[])
}

/// `sco-bot serve` on a free loopback port with the test key, and its address.
pub fn serving_with(extra: &[&str]) -> (Running, SocketAddr) {
    let key = public_hex();
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--public-key", &key];
    args.extend_from_slice(extra);
    let mut server = spawn(&args, &[]);
    let line = server.wait_for("listening for Discord interactions");
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("addr="))
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (server, addr)
}

#[test]
fn the_endpoint_exits_on_sigterm_when_idle() {
    let (mut server, _) = serving();
    let took = server.signal_and_wait("TERM");
    eprintln!("serve, idle, SIGTERM: exited in {took:?}");
}

#[test]
fn the_endpoint_finishes_a_request_in_flight_before_exiting_on_sigterm() {
    let (mut server, addr) = serving();
    // A keep-alive connection that has answered one request stays open, idle.
    let ping = br#"{"id":"1","application_id":"2","type":1,"token":"t","version":1}"#;
    let request = signed(ping);
    let mut idle = std::net::TcpStream::connect(addr).expect("connects");
    let keep_alive =
        String::from_utf8_lossy(&request).replace("connection: close", "connection: keep-alive");
    idle.write_all(keep_alive.as_bytes()).expect("sends");
    let mut first = Vec::new();
    let mut buf = [0u8; 512];
    while !first.ends_with(br#"{"type":1}"#) {
        let n = idle.read(&mut buf).expect("an answer");
        assert!(n > 0, "the connection closed early");
        first.extend_from_slice(&buf[..n]);
    }
    assert!(first.starts_with(b"HTTP/1.1 200"));
    // Another whose request is half sent when the signal comes.
    let split = request.len() - ping.len() / 2;
    let mut in_flight = std::net::TcpStream::connect(addr).expect("connects");
    in_flight
        .write_all(&request[..split])
        .expect("sends the first half");
    // Signal only once the server has accepted it: a connection still in the kernel's backlog
    // when the listener closes is reset, which is not what this test is about.
    wait_until_in_flight(addr, 3);
    let started = Instant::now();
    let sent = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    server.wait_for("shutting down");
    in_flight
        .write_all(&request[split..])
        .expect("sends the rest");
    let mut answer = String::new();
    in_flight
        .set_read_timeout(Some(WAIT))
        .expect("a read timeout");
    in_flight
        .read_to_string(&mut answer)
        .expect("the answer, then the server closes");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#"{"type":1}"#), "{answer}");
    let took = server.wait_exit(started);
    eprintln!("serve, one request in flight and one idle connection, SIGTERM: exited in {took:?}");
    // The idle connection was closed, not left hanging.
    let mut rest = Vec::new();
    idle.set_read_timeout(Some(WAIT)).expect("a read timeout");
    assert_eq!(idle.read_to_end(&mut rest).unwrap_or(0), 0);
}
