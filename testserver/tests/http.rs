//! Plain HTTP endpoints, static files and command-line behaviour.

mod common;

use std::process::{Command, Stdio};

use common::{Server, BIN};

#[tokio::test]
async fn instance_name_health_and_headers() {
    let server = Server::start();

    let r = server.get("/instance_name").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "test-instance");
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("cache-control"), Some("no-store"));

    let r = server.request("POST", "/health").await;
    assert_eq!((r.status, r.body.as_str()), (200, "ok"));

    // Every OPTIONS is a CORS preflight (tower-http answers 200, empty).
    let r = server.request("OPTIONS", "/control/close").await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET,POST,OPTIONS")
    );
    assert_eq!(r.header("access-control-allow-headers"), Some("*"));
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert_eq!(r.header("cache-control"), Some("no-store"));

    let r = server.request("HEAD", "/instance_name").await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    assert_eq!(r.header("content-length"), Some("13"));

    assert_eq!(server.request("PUT", "/health").await.status, 405);
    let r = server.get("/nothing/here").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let r = server.get("/ws").await;
    assert_eq!(r.status, 426);
    assert_eq!(r.header("upgrade"), Some("websocket"));
    assert_eq!(server.get("/control/bogus").await.status, 404);
    assert_eq!(server.get("/control/close?code=x").await.status, 400);
}

#[tokio::test]
async fn stats_of_unknown_client_are_empty() {
    let server = Server::start();
    let stats = server.stats("never%20seen").await;
    assert_eq!(
        stats,
        serde_json::json!({
            "client": "never seen", "connections": 0, "open": 0, "refused": 0,
            "stalled": 0, "text": [], "binary": [], "frames_in": 0, "frames_out": 0,
            "pongs": 0, "byte_pongs": 0, "bad_pongs": 0, "keepalive_pings": 0,
            "keepalive_timeouts": 0, "pings_answered": 0,
            "client_closes": [], "protocols": [], "queries": []
        })
    );
    assert_eq!(
        server.stats("").await["client"],
        "",
        "an empty id is its own client"
    );
    assert_eq!(server.json("/stats").await["client"], "anon");
}

#[tokio::test]
async fn static_files_from_www_and_pkg() {
    let root = std::env::temp_dir().join(format!("ss-testserver-{}", std::process::id()));
    let www = root.join("www");
    let pkg = root.join("pkg");
    std::fs::create_dir_all(www.join("sub")).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<h1>hi</h1>").unwrap();
    std::fs::write(www.join("sub/app.mjs"), "export {}").unwrap();
    std::fs::write(pkg.join("x_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(pkg.join("x.d.ts"), "export {};").unwrap();
    std::fs::write(root.join("secret.txt"), "secret").unwrap();

    let server = Server::start_with(&[
        "--www",
        www.to_str().unwrap(),
        "--pkg",
        pkg.to_str().unwrap(),
    ]);
    let r = server.get("/").await;
    assert_eq!((r.status, r.body.as_str()), (200, "<h1>hi</h1>"));
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let r = server.get("/sub/app.mjs").await;
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    let r = server.get("/pkg/x_bg.wasm").await;
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    let r = server.get("/pkg/x.d.ts").await;
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(server.get("/sub/").await.status, 404, "no sub/index.html");

    for bad in [
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/pkg/../secret.txt",
    ] {
        assert_eq!(server.get(bad).await.status, 404, "{bad}");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn port_in_use_exits_with_code_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = Command::new(BIN)
        .args(["--port", &port.to_string(), "--instance-name", "x"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!("steadysocket-testserver: cannot listen on 127.0.0.1:{port}: ");
    assert!(stderr.starts_with(&expected), "stderr: {stderr}");
    assert!(stderr.contains("in use"), "stderr: {stderr}");
    drop(taken);
}

#[test]
fn bad_arguments_exit_with_code_2() {
    for args in [
        &["--port", "0"][..],
        &["--port", "nope", "--instance-name", "x"],
        &["--port", "0", "--instance-name", "x", "--frobnicate"],
    ] {
        let output = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr).to_lowercase();
        assert!(
            stderr.contains("usage: steadysocket-testserver"),
            "{stderr}"
        );
    }
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--port-file"), "{text}");
}

#[test]
fn port_file_reports_the_port_of_the_listening_line() {
    let dir = std::env::temp_dir().join(format!("ss-port-file-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("port");
    let server = Server::start_with(&["--port-file", file.to_str().unwrap()]);
    let written = std::fs::read_to_string(&file).expect("the port file is written");
    assert_eq!(written, format!("{}\n", server.port));
    assert_ne!(server.port, 0);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
