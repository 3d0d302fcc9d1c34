//! Credentials for the target API: from the environment or a file, never
//! from the command line, never printed.
//!
//! In: `MAMBU_API_KEY`, or `MAMBU_USER` + `MAMBU_PASSWORD`, or a file of
//! `apikey = …` / `user = …` + `password = …` lines. Out: `Credentials`,
//! whose `Debug` and `Display` never show the secret. Fails with
//! `CredentialsError` on an unreadable or incomplete file, and, as ssh does
//! with a private key, on a file that group or others may access: the
//! secret may already have leaked, and the fix (`chmod 600 FILE`) is the
//! user's to make, not ours to make silently.

use std::fmt;
use std::path::Path;

/// A secret string that does not print itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How to authenticate against a Mambu API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Sent in the `apikey` header.
    ApiKey(Secret),
    /// HTTP basic authentication.
    Basic {
        /// The Mambu user name; shown in messages.
        user: String,
        /// The user's password; never shown.
        password: Secret,
    },
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey(_) => f.write_str("API key"),
            Self::Basic { user, .. } => write!(f, "user {user}"),
        }
    }
}

/// Why credentials could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The credentials file cannot be opened or read.
    #[error("cannot read credentials file {path}: {source}")]
    Read {
        /// The credentials file, as given.
        path: String,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// Group or others may access the credentials file.
    #[error(
        "credentials file {path} has mode {mode:04o}: group or others can read or change it; \
         run `chmod 600 {path}` (and consider changing the secret)"
    )]
    TooOpen {
        /// The credentials file, as given.
        path: String,
        /// Its Unix permission bits (shown in octal).
        mode: u32,
    },
    /// The credentials file is readable but not usable.
    #[error("credentials file {path}: {problem}")]
    Invalid {
        /// The credentials file, as given.
        path: String,
        /// What is wrong with its contents.
        problem: FileProblem,
    },
    /// Only one of `MAMBU_USER` and `MAMBU_PASSWORD` is set.
    #[error("MAMBU_USER is set but MAMBU_PASSWORD is not (or the reverse)")]
    IncompleteEnvironment,
}

impl Credentials {
    /// From a credentials file if one is named, else from the environment.
    /// `Ok(None)` when neither holds any.
    pub fn discover(file: Option<&Path>) -> Result<Option<Self>, CredentialsError> {
        match file {
            Some(path) => Self::from_file(path).map(Some),
            None => Self::from_env(|k| std::env::var(k).ok()),
        }
    }

    /// From `MAMBU_API_KEY`, or `MAMBU_USER` + `MAMBU_PASSWORD`.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, CredentialsError> {
        let non_empty = |k: &str| var(k).filter(|v| !v.is_empty());
        if let Some(key) = non_empty("MAMBU_API_KEY") {
            return Ok(Some(Self::ApiKey(Secret(key))));
        }
        match (non_empty("MAMBU_USER"), non_empty("MAMBU_PASSWORD")) {
            (Some(user), Some(password)) => Ok(Some(Self::Basic {
                user,
                password: Secret(password),
            })),
            (None, None) => Ok(None),
            _ => Err(CredentialsError::IncompleteEnvironment),
        }
    }

    /// From a file of `key = value` lines (`apikey`, or `user` and `password`);
    /// `#` starts a comment.
    /// Refused when group or others have any access to the file.
    pub fn from_file(path: &Path) -> Result<Self, CredentialsError> {
        use std::io::Read;
        use std::os::unix::fs::PermissionsExt;
        let read = |source| CredentialsError::Read {
            path: path.display().to_string(),
            source,
        };
        // The mode of the file opened, not of whatever the path names later.
        let mut file = std::fs::File::open(path).map_err(read)?;
        let mode = file.metadata().map_err(read)?.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(CredentialsError::TooOpen {
                path: path.display().to_string(),
                mode,
            });
        }
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(read)?;
        Self::parse_file(&text).map_err(|problem| CredentialsError::Invalid {
            path: path.display().to_string(),
            problem,
        })
    }

    fn parse_file(text: &str) -> Result<Self, FileProblem> {
        let (mut key, mut user, mut password) = (None, None, None);
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(FileProblem::NotNameValue { line: n + 1 });
            };
            let v = v.trim().trim_matches('"').to_string();
            match k.trim() {
                "apikey" | "api_key" => key = Some(v),
                "user" | "username" => user = Some(v),
                "password" => password = Some(v),
                other => {
                    return Err(FileProblem::UnknownName {
                        line: n + 1,
                        name: other.to_string(),
                    })
                }
            }
        }
        match (key, user, password) {
            (Some(k), _, _) => Ok(Self::ApiKey(Secret(k))),
            (None, Some(user), Some(p)) => Ok(Self::Basic {
                user,
                password: Secret(p),
            }),
            _ => Err(FileProblem::Incomplete),
        }
    }
}

/// What is wrong with a credentials file's contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    /// A line that is not `name = value`.
    #[error("line {line}: expected `name = value`")]
    NotNameValue {
        /// The 1-based line.
        line: usize,
    },
    /// A name other than `apikey`, `user` or `password`.
    #[error("line {line}: unknown name `{name}`")]
    UnknownName {
        /// The 1-based line.
        line: usize,
        /// The name found.
        name: String,
    },
    /// Neither an API key nor both user and password.
    #[error("needs `apikey`, or `user` and `password`")]
    Incomplete,
}

/// `url` without userinfo (`user:password@`), query or fragment, any of
/// which could carry a secret. Anything else is kept as given.
pub fn strip_credentials(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..end];
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = Credentials::Basic {
            user: "migrator".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{c}").contains("hunter2"));
        assert!(!format!("{:?}", Credentials::ApiKey(Secret::new("k-123"))).contains("k-123"));
    }

    #[test]
    fn environment_prefers_api_key_and_refuses_half_a_pair() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Credentials::from_env(env(&[("MAMBU_API_KEY", "k"), ("MAMBU_USER", "u")])).unwrap(),
            Some(Credentials::ApiKey(Secret::new("k")))
        );
        assert!(Credentials::from_env(env(&[("MAMBU_USER", "u")])).is_err());
        assert_eq!(Credentials::from_env(env(&[])).unwrap(), None);
    }

    #[test]
    fn a_file_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds");
        std::fs::write(&path, "apikey = k-123\n").unwrap();
        for loose in [0o644, 0o640, 0o604, 0o620] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(loose)).unwrap();
            let err = Credentials::from_file(&path).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, CredentialsError::TooOpen { mode, .. } if mode == loose));
            assert!(
                msg.contains(&format!("chmod 600 {}", path.display())),
                "{msg}"
            );
            assert!(msg.contains(&format!("{loose:04o}")), "{msg}");
            assert!(!msg.contains("k-123"));
        }
        for tight in [0o600, 0o400] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(tight)).unwrap();
            assert_eq!(
                Credentials::from_file(&path).unwrap(),
                Credentials::ApiKey(Secret::new("k-123"))
            );
        }
    }

    #[test]
    fn file_format() {
        let c =
            Credentials::parse_file("# tenant\nuser = migrator\npassword = \"s3cret\"\n").unwrap();
        assert_eq!(
            c,
            Credentials::Basic {
                user: "migrator".into(),
                password: Secret::new("s3cret")
            }
        );
        assert_eq!(
            Credentials::parse_file("user = x\n").unwrap_err(),
            FileProblem::Incomplete
        );
        assert_eq!(
            Credentials::parse_file("# c\ntoken = x\n").unwrap_err(),
            FileProblem::UnknownName {
                line: 2,
                name: "token".into()
            }
        );
        assert_eq!(
            Credentials::parse_file("apikey\n").unwrap_err(),
            FileProblem::NotNameValue { line: 1 }
        );
    }

    #[test]
    fn strip_credentials_keeps_everything_but_secrets() {
        assert_eq!(
            strip_credentials("http://localhost:8080"),
            "http://localhost:8080"
        );
        assert_eq!(strip_credentials("http://u@h/p"), "http://h/p");
        assert_eq!(strip_credentials("http://u:p@ss@h"), "http://h");
        assert_eq!(strip_credentials("http://h/p@q"), "http://h/p@q");
        assert_eq!(strip_credentials("http://h/x?key=1"), "http://h/x");
        assert_eq!(strip_credentials("not a url"), "not a url");
    }
}
