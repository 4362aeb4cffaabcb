//! `steadysocket-testserver`: a WebSocket echo server with fault injection.
//!
//! The browser tests and the demo page of steadysocket need a server that
//! misbehaves on request: closes with chosen codes, drops TCP connections
//! without a close frame, stays silent, stalls or refuses handshakes, and
//! goes down for a while. Everything is served on a single port:
//!
//! * WebSocket upgrades on `/ws...`, with per-connection faults chosen in the
//!   query string ([`faults`], [`ws`], [`session`]), including the
//!   throughput modes of the benchmarks ([`bench`]);
//! * live control of open connections and of new handshakes under
//!   `/control/...` ([`control`], [`registry`]);
//! * per-client statistics under `/stats` ([`stats`]);
//! * `/instance_name`, `/health` and static files ([`routes`],
//!   [`static_files`]).
//!
//! The HTTP request head is parsed by hand ([`http`]) and the WebSocket
//! handshake is answered by hand, so that each step can be delayed or
//! replaced by an error. Once bound, the server prints exactly one line,
//! `listening on http://HOST:PORT`, to stdout ([`server`] runs the accept
//! loop, restarts and shutdown; [`cli`] parses the arguments).

mod bench;
mod cli;
mod control;
mod faults;
mod http;
mod registry;
mod routes;
mod server;
mod session;
mod state;
mod static_files;
mod stats;
mod ws;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::cli::{Command, Config, USAGE};
use crate::server::Signals;
use crate::state::State;

const NAME: &str = "steadysocket-testserver";

fn main() -> ExitCode {
    let config = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{NAME}: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{NAME}: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(serve(config));
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn serve(config: Config) -> ExitCode {
    let host = if config.host.contains(':') && !config.host.starts_with('[') {
        format!("[{}]", config.host)
    } else {
        config.host.clone()
    };
    let signals = match Signals::install() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("{NAME}: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind(format!("{host}:{}", config.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("{NAME}: cannot listen on {host}:{}: {e}", config.port);
            return ExitCode::from(2);
        }
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => {
            eprintln!("{NAME}: cannot read the bound address: {e}");
            return ExitCode::FAILURE;
        }
    };

    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on http://{host}:{port}");
    let _ = stdout.flush();
    drop(stdout);

    let (state, restarts) = State::new(config);
    state.log(format_args!(
        "instance {:?} ready",
        state.config.instance_name
    ));
    server::run(state, listener, restarts, signals).await;
    ExitCode::SUCCESS
}
