//! Static files for the demo page and the browser tests.
//!
//! `--www DIR` serves `GET /` as `DIR/index.html` and `GET /x/y` as
//! `DIR/x/y`; `--pkg DIR` serves `GET /pkg/...` from DIR (the wasm-pack
//! output). A request for a directory gets its `index.html`. Paths with
//! `..`, `.` or empty segments, backslashes or NUL bytes are rejected, so
//! nothing outside the configured directories can be reached.

use std::path::{Path, PathBuf};

use crate::cli::Config;
use crate::http::Response;

/// Looks `path` (already percent-decoded) up in the configured directories.
/// `None` means "not found" (including rejected paths).
pub async fn serve(config: &Config, path: &str) -> Option<Response> {
    let file = resolve(config, path)?;
    let file = match tokio::fs::metadata(&file).await {
        Ok(meta) if meta.is_dir() => file.join("index.html"),
        Ok(_) => file,
        Err(_) => return None,
    };
    let body = tokio::fs::read(&file).await.ok()?;
    Some(Response::new(200, content_type(&file), body))
}

/// Maps a URL path onto a file path, or `None` if it is not servable.
pub fn resolve(config: &Config, path: &str) -> Option<PathBuf> {
    let (root, rest) = match (&config.pkg, path.strip_prefix("/pkg")) {
        (Some(pkg), Some(rest)) if rest.is_empty() || rest.starts_with('/') => (pkg, rest),
        _ => (config.www.as_ref()?, path),
    };
    let rest = rest.trim_start_matches('/');
    let mut file = root.clone();
    if rest.is_empty() {
        return Some(file);
    }
    // A trailing slash names a directory; its index is added by `serve`.
    for segment in rest.strip_suffix('/').unwrap_or(rest).split('/') {
        if !safe_segment(segment) {
            return None;
        }
        file.push(segment);
    }
    Some(file)
}

fn safe_segment(segment: &str) -> bool {
    !matches!(segment, "" | "." | "..") && !segment.contains(['\\', '\0', ':'])
}

/// Content type by file extension.
pub fn content_type(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "ts" | "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(www: Option<&str>, pkg: Option<&str>) -> Config {
        Config {
            host: "127.0.0.1".into(),
            port: 0,
            instance_name: "t".into(),
            www: www.map(PathBuf::from),
            pkg: pkg.map(PathBuf::from),
            verbose: false,
        }
    }

    #[test]
    fn resolves_paths() {
        let c = config(Some("/w"), Some("/p"));
        assert_eq!(resolve(&c, "/"), Some(PathBuf::from("/w")));
        assert_eq!(resolve(&c, "/a/b.js"), Some(PathBuf::from("/w/a/b.js")));
        assert_eq!(resolve(&c, "/pkg/x.wasm"), Some(PathBuf::from("/p/x.wasm")));
        assert_eq!(resolve(&c, "/pkgs/x"), Some(PathBuf::from("/w/pkgs/x")));
        assert_eq!(resolve(&c, "/a/"), Some(PathBuf::from("/w/a")));
        assert_eq!(resolve(&config(None, Some("/p")), "/x"), None);
        assert_eq!(
            resolve(&config(Some("/w"), None), "/pkg/x"),
            Some(PathBuf::from("/w/pkg/x"))
        );
    }

    #[test]
    fn rejects_traversal() {
        let c = config(Some("/w"), Some("/p"));
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/pkg/../x",
            "/a//b",
            "/./a",
            "/a\\..\\b",
        ] {
            assert_eq!(resolve(&c, bad), None, "{bad}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type(Path::new("a.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("a.WASM")), "application/wasm");
        assert_eq!(
            content_type(Path::new("a.d.ts")),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("README")),
            "application/octet-stream"
        );
    }
}
