//! Running the `ferry` binary in tests, as a sentence:
//! `Ferry::new().args(["validate", …]).run().status(1).stdout_has("…")`;
//! and `ferry sandbox` as its own process (`SandboxProcess`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `samples/` and `mappings/` live.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root.
pub fn repo_path(rel: &str) -> PathBuf {
    repo().join(rel)
}

/// One invocation of the binary.
pub struct Ferry {
    cmd: Command,
}

impl Ferry {
    pub fn new() -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.env_remove("MAMBU_API_KEY")
            .env_remove("MAMBU_USER")
            .env_remove("MAMBU_PASSWORD")
            .env("NO_COLOR", "1");
        Self { cmd }
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(a);
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.cmd.env(k, v);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn run(mut self) -> Ran {
        let out = self.cmd.output().expect("the ferry binary runs");
        Ran { out }
    }
}

/// What a run printed and how it ended.
pub struct Ran {
    pub out: Output,
}

impl Ran {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }

    #[track_caller]
    pub fn status(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(
            self.stdout().contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout()
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr()
        );
        self
    }
}

/// Reads and parses a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `ferry sandbox` running as its own process on a free port.
pub struct SandboxProcess {
    child: std::process::Child,
    pub url: String,
    pub key: String,
}

impl SandboxProcess {
    /// Starts `ferry sandbox --bind 127.0.0.1:0 …extra`, with an API key.
    pub fn start(extra: &[&str]) -> Self {
        use std::io::BufRead;
        let key = super::API_KEY.to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(["sandbox", "--bind", "127.0.0.1:0"])
            .args(extra)
            .env("MAMBU_API_KEY", &key)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("ferry sandbox starts");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("sandbox listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        Self { child, url, key }
    }

    /// A sandbox in memory with the samples' tenant, plus `extra` flags
    /// (faults, a rate limit): the target most import tests run against.
    pub fn samples(extra: &[&str]) -> Self {
        let tenant = repo_path("samples/tenant.json").display().to_string();
        let mut args = vec!["--memory", "--tenant", tenant.as_str()];
        args.extend_from_slice(extra);
        Self::start(&args)
    }

    /// The whole state, as `GET /api/sandbox/export` gives it.
    pub fn export(&self) -> serde_json::Value {
        self.get("/api/sandbox/export")
    }

    /// A GET with the sandbox's key, its answer as JSON.
    pub fn get(&self, path: &str) -> serde_json::Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            reqwest::Client::new()
                .get(format!("{}{path}", self.url))
                .header("apikey", &self.key)
                .send()
                .await
                .expect("sandbox answers")
                .json()
                .await
                .expect("JSON answer")
        })
    }

    /// A GET with the sandbox's key: the HTTP status and the body as sent.
    pub fn get_text(&self, path: &str) -> (u16, String) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let r = reqwest::Client::new()
                .get(format!("{}{path}", self.url))
                .header("apikey", &self.key)
                .send()
                .await
                .expect("sandbox answers");
            let status = r.status().as_u16();
            (status, r.text().await.expect("a body"))
        })
    }

    /// The export, waiting out the throttle (the export has no faults).
    pub fn export_patiently(&self) -> serde_json::Value {
        for _ in 0..100 {
            let (status, text) = self.get_text("/api/sandbox/export");
            if status == 200 {
                return serde_json::from_str(&text).expect("JSON export");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the sandbox kept refusing the export");
    }

    /// A request with the sandbox's key and a JSON body; the HTTP status.
    pub fn send(&self, method: &str, path: &str, body: &serde_json::Value) -> u16 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            reqwest::Client::new()
                .request(method.parse().unwrap(), format!("{}{path}", self.url))
                .header("apikey", &self.key)
                .json(body)
                .send()
                .await
                .expect("sandbox answers")
                .status()
                .as_u16()
        })
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Client ids in an export, with how often each appears.
pub fn exported_ids(export: &serde_json::Value) -> std::collections::BTreeMap<String, usize> {
    let mut ids = std::collections::BTreeMap::new();
    for c in export["clients"].as_array().expect("clients array") {
        let id = c["client"]["id"]
            .as_str()
            .or(c["id"].as_str())
            .expect("client id")
            .to_string();
        *ids.entry(id).or_insert(0) += 1;
    }
    ids
}

/// Writes a generated export of `rows` rows in the wide layout to `out`
/// (`ferry gen`, reproducible from `seed`).
pub fn gen_wide(out: &Path, rows: u64, invalid_ratio: &str, seed: u64) {
    Ferry::new()
        .args([
            "gen",
            "--rows",
            &rows.to_string(),
            "--invalid-ratio",
            invalid_ratio,
        ])
        .args(["--seed", &seed.to_string(), "--layout", "wide", "--out"])
        .arg(out)
        .run()
        .status(0);
}
