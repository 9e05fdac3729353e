//! `--dry-run`: changes are recorded instead of sent. Reads (GET, HEAD) still go out, since a
//! command may need them to resolve a name; every other request is written down, with its
//! secrets redacted as the `-v` trace redacts them, and ends in [`ApiErrorKind::DryRun`] so the
//! command stops where the change would have been sent. Nothing here is worded for the user.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde::Serialize;

use super::client::Request;
use super::error::{ApiError, ApiErrorKind};
use super::redact::Redactor;
use super::trace::redact_json;

/// A request a dry run did not send: no header (so no credential), and its body with every
/// secret-bearing field redacted and the credential in use cut out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedRequest {
    pub method: String,
    pub url: String,
    pub body: Option<serde_json::Value>,
}

/// The requests a dry run withheld, in the order they were made. Shared by every client of one
/// command. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct DryRun {
    planned: Arc<Mutex<Vec<PlannedRequest>>>,
}

impl DryRun {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a request may go out in a dry run: only reads.
    pub(super) fn lets_through(req: &Request) -> bool {
        matches!(req.method, Method::GET | Method::HEAD)
    }

    /// Writes `req` down instead of sending it, and returns the error that stops the command.
    pub(super) fn withhold(&self, req: &Request, redactor: &Redactor) -> ApiError {
        let body = req.body.clone().map(|b| {
            let shown = redactor.text(&redact_json(b).to_string());
            serde_json::from_str(&shown).unwrap_or(serde_json::Value::String(shown))
        });
        let planned = PlannedRequest {
            method: req.method.to_string(),
            url: redactor.text(req.url.as_str()),
            body,
        };
        if let Ok(mut v) = self.planned.lock() {
            v.push(planned);
        }
        ApiError::transport(
            ApiErrorKind::DryRun,
            req.what.clone(),
            "not sent (dry run)".into(),
        )
    }

    /// Every request withheld so far.
    pub fn planned(&self) -> Vec<PlannedRequest> {
        self.planned.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use reqwest::{Method, Url};

    use super::*;
    use crate::http::{Auth, HttpClient, HttpOptions, VendorError};
    use crate::secret::Secret;

    /// A local server that records the request line of everything it is sent and answers `{}`.
    fn recorder() -> (Url, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url =
            Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                log.lock().expect("log").push(line.trim().to_owned());
                // The headers, then an answer; a body sent with the request is never read.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let _ = reader.get_mut().write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                );
            }
        });
        (url, seen)
    }

    fn no_vendor_error(_: u16, _: &[u8]) -> VendorError {
        VendorError::default()
    }

    #[tokio::test]
    async fn a_dry_run_client_sends_reads_and_never_a_change() {
        let (base, seen) = recorder();
        let dry = DryRun::new();
        let client = HttpClient::new(HttpOptions {
            timeout: Duration::from_secs(5),
            verbose: 0,
            no_proxy: true,
            tls: false,
            dry_run: Some(dry.clone()),
        })
        .expect("client");
        let auth = Auth::Bearer(Secret::new("credential-1234"));

        let read = Request::new(Method::GET, base.join("tokens").expect("url"));
        let got = client.send(&read, &auth, no_vendor_error).await;
        assert_eq!(got.expect("the read goes out").status, 200);

        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let change = Request::new(method.clone(), base.join("tokens/1").expect("url")).json(
                serde_json::json!({"name": "ci", "value": "new-secret", "note": "credential-1234"}),
            );
            let err = client
                .send(&change, &auth, no_vendor_error)
                .await
                .expect_err("a change stops the command");
            assert_eq!(err.kind, ApiErrorKind::DryRun, "{method}");
        }

        assert_eq!(*seen.lock().expect("log"), ["GET /tokens HTTP/1.1"]);
        let planned = dry.planned();
        let methods: Vec<&str> = planned.iter().map(|p| p.method.as_str()).collect();
        assert_eq!(methods, ["POST", "PUT", "PATCH", "DELETE"]);
        let shown = serde_json::to_string(&planned).expect("json");
        assert!(shown.contains(&format!("{base}tokens/1")), "{shown}");
        assert!(shown.contains("\"name\":\"ci\""), "{shown}");
        assert!(!shown.contains("new-secret"), "a secret field: {shown}");
        assert!(
            !shown.contains("credential-1234"),
            "the credential: {shown}"
        );
    }
}
