//! Response bodies are read up to a cap, counted after decompression: a huge body or a gzip
//! bomb ends the command with an error naming the cap, in bounded memory.

use std::process::{Command, Output};

use serde_json::json;

use super::{Cred, code, run};
use crate::common::{BIN, TestEnv};
use crate::support::hostile::{Hostile, Reply};

const MIB: usize = 1024 * 1024;

/// The cap, as the error names it (`tokenctl::http::limits::MAX_BODY_BYTES`).
const CAP_TEXT: &str = "8 MiB";

/// A gzip stream that expands to `mib` MiB of zeros: one fully flushed deflate block of 1 MiB
/// of zeros (about 1 KB) repeated, so the bomb is built in milliseconds, not by compressing a
/// gigabyte.
pub fn gzip_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    let zeros = vec![0u8; MIB];
    let mut deflate = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(64 * 1024);
    deflate
        .compress_vec(&zeros, &mut block, FlushCompress::Full)
        .expect("deflate");
    assert_eq!(deflate.total_in(), MIB as u64, "the block holds all of it");
    let mut one = Crc::new();
    one.update(&zeros);
    let mut crc = Crc::new();
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for _ in 0..mib {
        out.extend_from_slice(&block);
        crc.combine(&one);
    }
    // An empty final block (fixed Huffman, end of block), then CRC-32 and length mod 2^32.
    out.extend_from_slice(&[0x03, 0x00]);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(((mib as u64) << 20) as u32).to_le_bytes());
    out
}

fn bomb_server(mib: usize) -> Hostile {
    let bomb = gzip_bomb(mib);
    Hostile::start(move |_| {
        Reply::new(200)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .body(bomb.clone())
    })
}

/// The run's output and its peak RSS in KiB, when `/usr/bin/time` is there to measure it.
pub fn with_peak_rss(env: &TestEnv, args: &[&str]) -> (Output, Option<u64>) {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.exists() {
        return (run(env, args), None);
    }
    let out = Command::new(time)
        .arg("-v")
        .arg(BIN)
        .args(args)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .output()
        .expect("run under /usr/bin/time");
    let rss = super::text(&out.stderr).lines().find_map(|l| {
        l.trim()
            .strip_prefix("Maximum resident set size (kbytes):")
            .and_then(|v| v.trim().parse().ok())
    });
    (out, rss)
}

#[test]
fn the_gzip_bomb_is_a_valid_gzip_stream() {
    use std::io::Read;
    let mut n = 0u64;
    let mut buf = vec![0u8; MIB];
    let bomb = gzip_bomb(3);
    let mut d = flate2::read::GzDecoder::new(&bomb[..]);
    loop {
        let got = d.read(&mut buf).expect("gunzip");
        if got == 0 {
            break;
        }
        assert!(buf[..got].iter().all(|b| *b == 0));
        n += got as u64;
    }
    assert_eq!(n, 3 * MIB as u64);
}

#[test]
fn an_oversized_body_is_refused_for_every_vendor() {
    let body = vec![b' '; 12 * MIB];
    let server = Hostile::start(move |_| {
        Reply::new(200)
            .header("Content-Type", "application/json")
            .body(body.clone())
    });
    for cred in Cred::ALL {
        let out = run(&cred.env(&server.url), &cred.list());
        let (exit, stderr) = code(&out);
        assert_eq!(exit, 1, "{cred:?}: {stderr}");
        assert!(
            stderr.contains(CAP_TEXT) && stderr.contains("GET /"),
            "{cred:?}: the error does not name the cap and the request: {stderr}"
        );
    }
}

#[test]
fn a_gzip_bomb_is_cut_after_decompression_in_bounded_memory() {
    // 256 KB on the wire, 256 MiB once decompressed.
    let server = bomb_server(256);
    for cred in Cred::ALL {
        let (out, rss) = with_peak_rss(&cred.env(&server.url), &cred.list());
        if let Some(kib) = rss {
            assert!(kib < 96 * 1024, "{cred:?}: peak RSS {kib} KiB");
        }
        let (exit, stderr) = code(&out);
        assert_eq!(exit, 1, "{cred:?}: {stderr}");
        assert!(stderr.contains(CAP_TEXT), "{cred:?}: {stderr}");
    }
}

#[test]
fn an_oversized_answer_to_a_change_is_an_unknown_outcome() {
    let server = bomb_server(64);
    let out = run(
        &Cred::Mosquitto.env(&server.url),
        &[
            "project-tokens",
            "create",
            "--project",
            "p1",
            "--name",
            "n",
            "--role",
            "viewer",
            "-o",
            "json",
        ],
    );
    let (exit, stderr) = code(&out);
    assert_eq!(exit, 9, "{stderr}");
    assert!(stderr.contains(CAP_TEXT), "{stderr}");
    assert!(stderr.contains("may or may not have happened"), "{stderr}");
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "a change was sent again: {seen:?}");
    assert_eq!(seen[0].method, "POST");
}

#[test]
fn a_large_real_answer_is_still_read() {
    // A page far larger than any real one, still under the cap.
    let mut body = json!({"success": true, "errors": [], "result": []})
        .to_string()
        .into_bytes();
    body.pop();
    body.extend(std::iter::repeat_n(b' ', 7 * MIB));
    body.push(b'}');
    let server = Hostile::start(move |_| {
        Reply::new(200)
            .header("Content-Type", "application/json")
            .body(body.clone())
    });
    let out = run(
        &Cred::CloudflareToken.env(&server.url),
        &["tokens", "list", "-o", "json"],
    );
    let (exit, stderr) = code(&out);
    assert_eq!(exit, 0, "{stderr}");
    assert_eq!(super::text(&out.stdout).trim(), "[]");
}

#[test]
fn an_oversized_error_body_keeps_its_status() {
    let server = Hostile::start(|_| Reply::new(404).body(vec![b'x'; 16 * MIB]));
    for cred in Cred::ALL {
        let out = run(&cred.env(&server.url), &cred.list());
        let (exit, stderr) = code(&out);
        assert_eq!(exit, 5, "{cred:?}: {stderr}");
        assert!(stderr.contains("HTTP 404"), "{cred:?}: {stderr}");
    }
}
