//! The project file (`ferry.toml`) and the one place a `--target` becomes
//! a URL, a pace and a source of credentials.
//!
//! In: `--target` as given (a URL or a name), the pace flags, the
//! `--credentials-file` flag, and the project file — `--project FILE`,
//! `FERRY_PROJECT`, or `ferry.toml` in the working directory if there is
//! one:
//!
//! ```toml
//! [targets.uat]
//! url = "https://uat.example.mambu.com"
//! rate = 50
//! concurrency = 4
//! timeout = 30
//! credentials_file = "~/.config/ferry/uat.credentials"  # or:
//! credentials_env = "UAT"   # UAT_API_KEY, or UAT_USER and UAT_PASSWORD
//! ```
//!
//! Out: a [`Resolved`] target; flags on the command line win over the
//! file's values. Fails with a message naming the fix: a URL without a
//! scheme, an unknown name (the known ones listed), a project file that
//! holds credentials themselves (refused: it names where they are, never
//! what they are), a file that does not parse.

use std::collections::BTreeMap;
use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::args::PaceArgs;
use crate::pipeline::target_session::Pace;

/// The project file looked for in the working directory.
pub const PROJECT_FILE: &str = "ferry.toml";

/// Keys that would hold a credential; refused anywhere in the file.
const SECRET_KEYS: [&str; 10] = [
    "apikey",
    "password",
    "user",
    "username",
    "secret",
    "token",
    "passwd",
    "pass",
    "login",
    "authorization",
];

/// One `[targets.NAME]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedTarget {
    /// The target's base URL.
    pub url: String,
    /// Requests per second.
    pub rate: Option<NonZeroU32>,
    /// Requests in flight at once.
    pub concurrency: Option<NonZeroUsize>,
    /// Seconds before a request counts as lost.
    pub timeout: Option<NonZeroU64>,
    /// A credentials file (`~/` is the home directory; relative paths are
    /// relative to the project file).
    pub credentials_file: Option<String>,
    /// A prefix for the credentials' environment variables: `UAT` reads
    /// `UAT_API_KEY`, or `UAT_USER` and `UAT_PASSWORD`.
    pub credentials_env: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectDoc {
    #[serde(default)]
    targets: BTreeMap<String, NamedTarget>,
}

/// A loaded project file.
#[derive(Debug)]
pub struct Project {
    path: PathBuf,
    targets: BTreeMap<String, NamedTarget>,
}

/// A target ready for a session.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The base URL.
    pub url: String,
    /// Rate, concurrency and timeout: the flags, else the named target's,
    /// else Ferry's defaults.
    pub pace: Pace,
    /// The credentials file: the flag's, else the named target's.
    pub credentials_file: Option<PathBuf>,
    /// The environment prefix the credentials are read under, if not MAMBU.
    pub credentials_env: Option<String>,
}

impl Project {
    /// The project file in use: `explicit` (which must exist), else
    /// `ferry.toml` in the working directory if there is one.
    pub fn find(explicit: Option<&Path>) -> Result<Option<Project>, String> {
        match explicit {
            Some(p) => Self::load(p).map(Some),
            None => {
                let p = Path::new(PROJECT_FILE);
                if p.is_file() {
                    Self::load(p).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Loads and checks a project file.
    pub fn load(path: &Path) -> Result<Project, String> {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("project file {shown}: cannot read it: {e}"))?;
        Self::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Project, String> {
        let shown = path.display();
        let table: toml::Table =
            toml::from_str(text).map_err(|e| format!("project file {shown}: {e}"))?;
        if let Some(place) = secret_in(&table, "") {
            return Err(format!(
                "project file {shown}: `{place}` holds a credential; a project file says where \
                 credentials come from (credentials_file = \"…\" or credentials_env = \"PREFIX\"), \
                 never the credentials themselves — move it to a credentials file (mode 0600)"
            ));
        }
        let doc: ProjectDoc =
            toml::from_str(text).map_err(|e| format!("project file {shown}: {e}"))?;
        for (name, t) in &doc.targets {
            if let Err(why) = check_url(&t.url) {
                return Err(format!("project file {shown}: [targets.{name}] url: {why}"));
            }
            if t.credentials_file.is_some() && t.credentials_env.is_some() {
                return Err(format!(
                    "project file {shown}: [targets.{name}] names both credentials_file and credentials_env; keep one"
                ));
            }
        }
        Ok(Project {
            path: path.to_path_buf(),
            targets: doc.targets,
        })
    }

    /// The named target whose URL is `url` (to pace a resume or revert the
    /// way the import was paced).
    fn by_url(&self, url: &str) -> Option<&NamedTarget> {
        let url = url.trim_end_matches('/');
        self.targets
            .values()
            .find(|t| t.url.trim_end_matches('/') == url)
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.targets.keys().map(String::as_str).collect();
        if names.is_empty() {
            "it names no targets".into()
        } else {
            format!("known: {}", names.join(", "))
        }
    }

    fn relative(&self, file: &str) -> PathBuf {
        let expanded = match file.strip_prefix("~/") {
            Some(rest) => match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(rest),
                None => PathBuf::from(file),
            },
            None => PathBuf::from(file),
        };
        if expanded.is_absolute() {
            expanded
        } else {
            self.path.parent().unwrap_or(Path::new(".")).join(expanded)
        }
    }
}

/// The first key anywhere in the table that would hold a credential.
fn secret_in(table: &toml::Table, prefix: &str) -> Option<String> {
    for (k, v) in table {
        let place = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let norm: String = k
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if SECRET_KEYS.contains(&norm.as_str()) {
            return Some(place);
        }
        if let toml::Value::String(s) = v {
            if k == "url" && url_has_userinfo(s) {
                return Some(place);
            }
        }
        if let toml::Value::Table(t) = v {
            if let Some(p) = secret_in(t, &place) {
                return Some(p);
            }
        }
    }
    None
}

fn url_has_userinfo(url: &str) -> bool {
    url.split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or("").contains('@'))
        .unwrap_or(false)
}

/// Why `url` is not a usable base URL, if it is not.
pub fn check_url(url: &str) -> Result<(), String> {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            if !matches!(scheme, "http" | "https") {
                return Err(format!(
                    "`{url}`: the scheme must be http or https, not `{scheme}`"
                ));
            }
            if rest.is_empty() || rest.starts_with('/') {
                return Err(format!("`{url}` names no host"));
            }
            Ok(())
        }
        None => Err(format!(
            "`{url}` has no scheme: write http://{url} (or https://{url})"
        )),
    }
}

/// Whether `given` is meant as a URL or host rather than a name.
fn looks_like_an_address(given: &str) -> bool {
    given.contains("://")
        || given.contains('/')
        || given.contains(':')
        || given.contains('.')
        || given == "localhost"
}

/// Ferry's pace where neither the flags nor a named target say.
const DEFAULT_CONCURRENCY: usize = 8;
const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// `--target` as given, with the pace flags, turned into a target.
pub fn resolve(
    project: Option<&Project>,
    given: &str,
    pace: &PaceArgs,
) -> Result<Resolved, String> {
    if looks_like_an_address(given) {
        check_url(given)?;
        let named = project.and_then(|p| p.by_url(given));
        return Ok(apply(project, given.to_string(), named, pace));
    }
    match project {
        Some(p) => match p.targets.get(given) {
            Some(t) => Ok(apply(project, t.url.clone(), Some(t), pace)),
            None => Err(format!(
                "no target named `{given}` in {} ({}); give a URL such as https://tenant.mambu.com, or add [targets.{given}]",
                p.path.display(),
                p.names()
            )),
        },
        None => Err(format!(
            "`{given}` is neither a URL (https://…) nor a named target: there is no project file \
             ({PROJECT_FILE} here, --project FILE or FERRY_PROJECT) to name it"
        )),
    }
}

/// The pace and credentials for an event's target (resume, revert): the
/// flags, else those of the named target with the event's URL.
pub fn for_event_target(project: Option<&Project>, label: &str, pace: &PaceArgs) -> Resolved {
    let named = if label.starts_with("sandbox:") {
        None
    } else {
        project.and_then(|p| p.by_url(label))
    };
    apply(project, label.to_string(), named, pace)
}

fn apply(
    project: Option<&Project>,
    url: String,
    named: Option<&NamedTarget>,
    pace: &PaceArgs,
) -> Resolved {
    let concurrency = pace
        .concurrency
        .or(named.and_then(|t| t.concurrency))
        .unwrap_or(NonZeroUsize::new(DEFAULT_CONCURRENCY).expect("non-zero"));
    let timeout = pace
        .timeout
        .or(named.and_then(|t| t.timeout))
        .map_or(DEFAULT_TIMEOUT_SECS, NonZeroU64::get);
    let credentials_file = pace.credentials_file.clone().or_else(|| {
        let file = named?.credentials_file.as_deref()?;
        project.map(|p| p.relative(file))
    });
    let credentials_env = if pace.credentials_file.is_some() {
        None
    } else {
        named.and_then(|t| t.credentials_env.clone())
    };
    Resolved {
        url,
        pace: Pace {
            rate: pace.rate.or(named.and_then(|t| t.rate)),
            concurrency,
            timeout: Duration::from_secs(timeout),
        },
        credentials_file,
        credentials_env,
    }
}

impl Resolved {
    /// Makes the named target's credentials the ones a session finds:
    /// `PREFIX_API_KEY` (or `PREFIX_USER` and `PREFIX_PASSWORD`) are read
    /// as MAMBU_API_KEY (or MAMBU_USER and MAMBU_PASSWORD). Call before any
    /// thread starts. Fails when the prefix's variables are not set.
    pub fn export_credentials(&self) -> Result<(), String> {
        let Some(prefix) = &self.credentials_env else {
            return Ok(());
        };
        let get = |k: &str| {
            std::env::var(format!("{prefix}_{k}"))
                .ok()
                .filter(|v| !v.is_empty())
        };
        match (get("API_KEY"), get("USER"), get("PASSWORD")) {
            (Some(key), _, _) => {
                std::env::remove_var("MAMBU_USER");
                std::env::remove_var("MAMBU_PASSWORD");
                std::env::set_var("MAMBU_API_KEY", key);
                Ok(())
            }
            (None, Some(user), Some(password)) => {
                std::env::remove_var("MAMBU_API_KEY");
                std::env::set_var("MAMBU_USER", user);
                std::env::set_var("MAMBU_PASSWORD", password);
                Ok(())
            }
            _ => Err(format!(
                "the target's credentials_env is {prefix}: set {prefix}_API_KEY, or {prefix}_USER and {prefix}_PASSWORD"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pace(rate: Option<u32>, concurrency: Option<usize>) -> PaceArgs {
        PaceArgs {
            rate: rate.and_then(NonZeroU32::new),
            concurrency: concurrency.and_then(NonZeroUsize::new),
            timeout: None,
            credentials_file: None,
        }
    }

    fn project(text: &str) -> Result<Project, String> {
        Project::parse(Path::new("/p/ferry.toml"), text)
    }

    const UAT: &str = r#"
[targets.uat]
url = "https://uat.example.mambu.com"
rate = 50
concurrency = 4
timeout = 20
credentials_file = "uat.credentials"

[targets.prod]
url = "https://prod.example.mambu.com/"
credentials_env = "PROD"
"#;

    #[test]
    fn a_name_gives_its_url_pace_and_credentials_and_flags_win() {
        let p = project(UAT).unwrap();
        let r = resolve(Some(&p), "uat", &pace(None, None)).unwrap();
        assert_eq!(r.url, "https://uat.example.mambu.com");
        assert_eq!(r.pace.rate.map(NonZeroU32::get), Some(50));
        assert_eq!(r.pace.concurrency.get(), 4);
        assert_eq!(r.pace.timeout, Duration::from_secs(20));
        assert_eq!(
            r.credentials_file.as_deref(),
            Some(Path::new("/p/uat.credentials"))
        );
        let r = resolve(Some(&p), "uat", &pace(Some(5), Some(2))).unwrap();
        assert_eq!(r.pace.rate.map(NonZeroU32::get), Some(5));
        assert_eq!(r.pace.concurrency.get(), 2);
        let r = resolve(Some(&p), "prod", &pace(None, None)).unwrap();
        assert_eq!(r.credentials_env.as_deref(), Some("PROD"));
        assert_eq!(r.pace.concurrency.get(), DEFAULT_CONCURRENCY);
        assert_eq!(r.pace.rate, None);
    }

    #[test]
    fn a_url_of_a_named_target_takes_its_pace() {
        let p = project(UAT).unwrap();
        let r = for_event_target(
            Some(&p),
            "https://prod.example.mambu.com",
            &pace(None, None),
        );
        assert_eq!(r.credentials_env.as_deref(), Some("PROD"));
        let r = resolve(
            Some(&p),
            "https://uat.example.mambu.com/",
            &pace(None, None),
        )
        .unwrap();
        assert_eq!(r.pace.rate.map(NonZeroU32::get), Some(50));
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let p = project(UAT).unwrap();
        let e = resolve(Some(&p), "staging", &pace(None, None)).unwrap_err();
        assert!(e.contains("no target named `staging`"), "{e}");
        assert!(e.contains("known: prod, uat"), "{e}");
        let e = resolve(None, "staging", &pace(None, None)).unwrap_err();
        assert!(e.contains("no project file"), "{e}");
    }

    #[test]
    fn a_url_without_a_scheme_says_how_to_write_it() {
        let e = resolve(None, "127.0.0.1:9", &pace(None, None)).unwrap_err();
        assert_eq!(
            e,
            "`127.0.0.1:9` has no scheme: write http://127.0.0.1:9 (or https://127.0.0.1:9)"
        );
        assert!(check_url("ftp://x").unwrap_err().contains("http or https"));
        assert!(check_url("http://127.0.0.1:9").is_ok());
    }

    #[test]
    fn credentials_in_the_file_are_refused() {
        for secret in [
            "password = \"x\"",
            "apikey = \"x\"",
            "api_key = \"x\"",
            "user = \"x\"",
            "API-Key = \"x\"",
        ] {
            let text = format!("[targets.uat]\nurl = \"https://u.example\"\n{secret}\n");
            let e = project(&text).unwrap_err();
            assert!(e.contains("holds a credential"), "{secret}: {e}");
            assert!(e.contains("targets.uat."), "{secret}: {e}");
        }
        let e = project("[targets.uat]\nurl = \"https://me:pw@u.example\"\n").unwrap_err();
        assert!(e.contains("`targets.uat.url` holds a credential"), "{e}");
    }

    #[test]
    fn unknown_keys_and_bad_urls_are_named() {
        let e = project("[targets.uat]\nurl = \"https://u.example\"\nrat = 5\n").unwrap_err();
        assert!(e.contains("rat"), "{e}");
        let e = project("[targets.uat]\nurl = \"u.example\"\n").unwrap_err();
        assert!(
            e.contains("[targets.uat] url") && e.contains("no scheme"),
            "{e}"
        );
    }
}
