//! `ferry sandbox` from the command line: it prints its address, serves
//! over real HTTP with the credentials from the environment, keeps its
//! state in a file across restarts, and stops on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Running {
    child: Child,
    url: String,
}

impl Running {
    fn start(state: &std::path::Path) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.args(["sandbox", "--bind", "127.0.0.1:0", "--state"])
            .arg(state);
        Self::spawn(cmd)
    }

    /// Starts `cmd` (a `ferry sandbox`) with the API key, and waits for the
    /// address it prints first.
    fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .env("MAMBU_API_KEY", crate::support::API_KEY)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ferry sandbox starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("sandbox listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        Self { child, url }
    }

    fn interrupt(mut self) -> i32 {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        status
            .code()
            .unwrap_or_else(|| panic!("ended by {status:?}"))
    }
}

#[tokio::test]
async fn serves_with_env_credentials_keeps_state_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox.db");
    let http = reqwest::Client::new();
    let body =
        serde_json::json!({"client": {"id": "CLI-1", "firstName": "Ada", "lastName": "Byron"}});

    let running = Running::start(&state);
    let refused = http
        .post(format!("{}/api/clients", running.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let created = http
        .post(format!("{}/api/clients", running.url))
        .header("apikey", crate::support::API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(running.interrupt(), 0);

    let again = Running::start(&state);
    let got: serde_json::Value = http
        .get(format!("{}/api/clients/CLI-1", again.url))
        .header("apikey", crate::support::API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["firstName"], "Ada");
    assert_eq!(again.interrupt(), 0);
}

/// A sandbox in memory holds clients' personal data in a temporary file;
/// it is unlinked while the sandbox runs, so a sandbox killed with -9 (as
/// tests and impatient people do) leaves nothing in the temporary directory.
#[tokio::test]
async fn a_sandbox_in_memory_killed_with_9_leaves_no_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
    cmd.args(["sandbox", "--memory", "--bind", "127.0.0.1:0"])
        .env("TMPDIR", tmp.path())
        .env("SQLITE_TMPDIR", tmp.path());
    let Running { mut child, url } = Running::spawn(cmd);
    let http = reqwest::Client::new();
    for i in 0..200 {
        let body = serde_json::json!({"client": {
            "id": format!("TMP-{i}"), "firstName": "Ada", "lastName": format!("Byron {i}")}});
        let created = http
            .post(format!("{url}/api/clients"))
            .header("apikey", crate::support::API_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    let listed = |when: &str| {
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(left.is_empty(), "{when}: {left:?}");
    };
    listed("while serving 200 clients");
    child.kill().unwrap();
    child.wait().unwrap();
    listed("after kill -9");
}

#[test]
fn bad_fault_spec_is_a_usage_error() {
    crate::support::binary::Ferry::new()
        .args(["sandbox", "--memory", "--faults", "error=lots"])
        .run()
        .status(2)
        .stderr_has("--faults");
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn chmod(p: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_state_file_others_could_read_is_narrowed_to_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let state = dir.path().join("ferry-sandbox.db");
    std::fs::write(&state, b"").unwrap();
    chmod(&state, 0o644);
    let running = Running::start(&state);
    assert_eq!(mode(&state), 0o600, "while serving");
    for side in ["ferry-sandbox.db-wal", "ferry-sandbox.db-shm"] {
        let p = dir.path().join(side);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{side}");
        }
    }
    assert_eq!(running.interrupt(), 0);
    assert_eq!(mode(&state), 0o600);
    assert_eq!(mode(dir.path()), 0o755, "not Ferry's directory");
    // A new state file is owner-only from the start.
    let fresh = dir.path().join("new.db");
    let running = Running::start(&fresh);
    assert_eq!(mode(&fresh), 0o600);
    assert_eq!(running.interrupt(), 0);
}

#[test]
fn a_credentials_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("creds");
    std::fs::write(&creds, "user = api\npassword = s3cret\n").unwrap();
    chmod(&creds, 0o640);
    let ran = crate::support::binary::Ferry::new()
        .args(["sandbox", "--memory", "--credentials-file"])
        .arg(&creds)
        .run()
        .status(2)
        .stderr_has(&format!("run `chmod 600 {}`", creds.display()))
        .stderr_has("has mode 0640");
    assert!(!ran.stderr().contains("s3cret"));
}
