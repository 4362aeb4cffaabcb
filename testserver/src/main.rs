//! `steadysocket-testserver`: a WebSocket echo server with fault injection.
//!
//! The browser tests, the package tests, the benchmarks and the demo page of
//! steadysocket need a server that misbehaves on request: closes with
//! chosen codes, drops TCP connections without a close frame, stays silent,
//! stalls or refuses handshakes, and goes down for a while. Everything is
//! served on a single port:
//!
//! * WebSocket upgrades on `/ws...`, with per-connection faults chosen in the
//!   query string ([`params`], [`faults`], [`upgrade`], [`session`]),
//!   including the throughput modes of the benchmarks ([`bench`](mod@bench));
//! * live control of open connections and of new handshakes under
//!   `/control/...` ([`control`], [`registry`], [`restart`]);
//! * per-client statistics under `/stats` ([`stats`]);
//! * `/instance_name`, `/health` and static files ([`routes`],
//!   [`static_files`]).
//!
//! HTTP is hyper 1.x under an axum router with tower-http's `ServeDir`,
//! `CorsLayer` and header layers; the WebSocket handshake is axum's
//! `WebSocketUpgrade` (tungstenite underneath). A fault that delays or
//! refuses a handshake is a handler that answers late, never or with an
//! error status. The server keeps its own accept loop ([`listener`]) only
//! so that a restart can close the listening socket; no fault needs a raw
//! TCP listener beyond that.
//!
//! `--port 0` (the default) lets the system pick the port. Once bound, the
//! server prints exactly one line, `listening on http://HOST:PORT`, to
//! stdout, and writes the port to `--port-file FILE` if asked ([`announce`];
//! [`cli`] declares the arguments).

mod announce;
mod bench;
mod cli;
mod control;
mod faults;
mod listener;
mod params;
mod registry;
mod reply;
mod restart;
mod routes;
mod session;
mod signals;
mod state;
mod static_files;
mod stats;
mod upgrade;

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser};
use tokio::net::TcpListener;

use crate::cli::Config;
use crate::signals::Signals;
use crate::state::State;

const NAME: &str = "steadysocket-testserver";

fn main() -> ExitCode {
    let config = match Config::try_parse() {
        Ok(config) => config,
        // --help: on stdout, exit code 0.
        Err(e) if !e.use_stderr() => e.exit(),
        // Bad arguments: clap's message and the usage on stderr, code 2.
        Err(e) => {
            let message = e.render().to_string();
            eprint!("{message}");
            if !message.contains("Usage:") {
                eprintln!("\n{}", Config::command().render_usage());
            }
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
    let host = announce::url_host(&config.host);
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
    if let Err(e) = announce::announce(&config.host, port, config.port_file.as_deref()) {
        eprintln!("{NAME}: cannot report the port: {e}");
        return ExitCode::FAILURE;
    }

    let (state, restarts) = State::new(config);
    state.log(format_args!(
        "instance {:?} ready",
        state.config.instance_name
    ));
    let app = routes::app(std::sync::Arc::clone(&state));
    listener::run(state, app, listener, restarts, signals).await;
    ExitCode::SUCCESS
}
