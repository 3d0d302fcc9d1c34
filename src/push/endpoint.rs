//! The target's URLs: the base URL the user gave, checked once, and the
//! client resource paths built from it with ids percent-encoded.
//!
//! In: a base URL such as `https://tenant.mambu.com` or `…/api`. Out:
//! `Endpoints`, or a message that never repeats the URL (it could hold a
//! secret the user slipped in).
//!
//! Every id or key that goes into a path goes through [`path_segment`]: all
//! but RFC 3986's unreserved characters are percent-encoded (so `/`, `?`,
//! `#`, `%`, `;` and controls cannot end or split the segment; `;` matters
//! because Java servers cut path parameters off a segment). The dot
//! segments `.` and `..` are **refused**, not encoded: URL parsers and
//! servers normalise `%2E` and `%2E%2E` back into dot segments (the `url`
//! crate does), so an encoded `..` would still climb to `…/api/clients`, the
//! client *list*. The validator refuses such ids before they get here
//! (301 INVALID_CLIENT_ID); this is the last line for ids from anywhere else.

use std::fmt::Write as _;

use reqwest::Url;

/// Why an id or key cannot be placed in a URL path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// An empty id would name the collection, not a member.
    #[error("an empty id cannot name a client in a URL path")]
    Empty,
    /// `.` or `..`: a path would resolve it to this or the parent resource.
    #[error("the id '.' or '..' cannot name a client in a URL path")]
    DotSegment,
}

/// `id_or_key` as ONE percent-encoded path segment: every byte outside
/// `A-Z a-z 0-9 - . _ ~` becomes `%XX` (UTF-8 bytes, upper-case hex).
/// Refuses the empty id and the dot segments `.` and `..` (see the module
/// header for why they are not encoded instead).
pub fn path_segment(id_or_key: &str) -> Result<String, PathError> {
    match id_or_key {
        "" => return Err(PathError::Empty),
        "." | ".." => return Err(PathError::DotSegment),
        _ => {}
    }
    let mut out = String::with_capacity(id_or_key.len());
    for &b in id_or_key.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Ok(out)
}

/// The URLs of one target.
/// What parsing a URL fails with (the `url` crate's error, through reqwest).
pub type UrlParseError = <Url as std::str::FromStr>::Err;

/// Why a base URL cannot be a target. No message repeats the URL: it could
/// hold a secret the user slipped in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    /// Not a URL at all.
    #[error("the target URL is not valid: {0}")]
    Invalid(UrlParseError),
    /// Not http or https.
    #[error("the target URL must start with http:// or https://")]
    Scheme,
    /// A user name or password in the URL.
    #[error(
        "the target URL must not carry a user name or password; set MAMBU_API_KEY, or \
         MAMBU_USER and MAMBU_PASSWORD, or use a credentials file"
    )]
    Credentials,
    /// A query or fragment, which could carry a key.
    #[error("the target URL must not have a query (?…) or fragment (#…)")]
    QueryOrFragment,
    /// A URL that cannot have a path (`mailto:`-like).
    #[error("the target URL cannot have a path")]
    NoPath,
}

#[derive(Debug, Clone)]
pub struct Endpoints {
    /// `…/api/clients`.
    clients: Url,
}

impl Endpoints {
    /// Checks a base URL: http or https, no userinfo, query or fragment.
    /// A trailing `/api` (or `/`) is dropped so both spellings work.
    pub fn parse(base: &str) -> Result<Endpoints, UrlProblem> {
        let mut url = Url::parse(base.trim()).map_err(UrlProblem::Invalid)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlProblem::Scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlProblem::Credentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(UrlProblem::QueryOrFragment);
        }
        let path = url.path().trim_end_matches('/');
        let path = path.strip_suffix("/api").unwrap_or(path).to_string();
        url.set_path(&path);
        url.path_segments_mut()
            .map_err(|()| UrlProblem::NoPath)?
            .pop_if_empty()
            .extend(["api", "clients"]);
        Ok(Endpoints { clients: url })
    }

    /// `…/api/clients`.
    pub fn clients(&self) -> Url {
        self.clients.clone()
    }

    /// `…/api/clients/{id}`, the id as one segment (see [`path_segment`]).
    /// Never a URL of another resource: an id that would make one is refused.
    pub fn client(&self, id_or_key: &str) -> Result<Url, PathError> {
        let segment = path_segment(id_or_key)?;
        let mut url = self.clients.clone();
        let path = format!("{}/{segment}", url.path());
        url.set_path(&path);
        // `set_path` parses again; what it parses must be what was built.
        if url.path() != path {
            return Err(PathError::DotSegment);
        }
        Ok(url)
    }

    /// `…/api/{segments…}?{query}`: the tenant's configuration (branches,
    /// settings, …), each segment percent-encoded.
    pub fn api(&self, segments: &[&str], query: Option<&str>) -> Url {
        let mut url = self.clients.clone();
        if let Ok(mut s) = url.path_segments_mut() {
            s.pop().extend(segments);
        }
        url.set_query(query);
        url
    }

    /// `…/api/clients?limit=1`: the cheapest authenticated request.
    pub fn probe(&self) -> Url {
        let mut url = self.clients.clone();
        url.set_query(Some("limit=1"));
        url
    }

    /// The base URL as shown in messages: scheme, host and port only.
    pub fn origin(&self) -> String {
        self.clients.origin().ascii_serialization()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_with_or_without_api_lead_to_the_same_paths() {
        for base in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:8080/api",
            "http://127.0.0.1:8080/api/",
        ] {
            let e = Endpoints::parse(base).unwrap();
            assert_eq!(e.clients().as_str(), "http://127.0.0.1:8080/api/clients");
        }
        let e = Endpoints::parse("https://bank.example/mambu").unwrap();
        assert_eq!(
            e.clients().as_str(),
            "https://bank.example/mambu/api/clients"
        );
        assert_eq!(e.origin(), "https://bank.example");
        assert_eq!(
            e.probe().as_str(),
            "https://bank.example/mambu/api/clients?limit=1"
        );
        assert_eq!(
            e.api(&["settings", "general"], None).as_str(),
            "https://bank.example/mambu/api/settings/general"
        );
        assert_eq!(
            e.api(&["branches"], Some("offset=0&limit=1000")).as_str(),
            "https://bank.example/mambu/api/branches?offset=0&limit=1000"
        );
    }

    #[test]
    fn ids_are_one_encoded_segment() {
        let e = Endpoints::parse("http://h").unwrap();
        let url = |id: &str| e.client(id).map(|u| u.as_str().to_string());
        assert_eq!(url("C-1").unwrap(), "http://h/api/clients/C-1");
        assert_eq!(
            url("a/b c?d#e%").unwrap(),
            "http://h/api/clients/a%2Fb%20c%3Fd%23e%25"
        );
        let cases = [
            ("C.1_x~y", "C.1_x~y"),
            ("...", "..."),
            ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd"),
            ("a\\b", "a%5Cb"),
            ("a;jsessionid=1", "a%3Bjsessionid%3D1"),
            ("%2e%2e", "%252e%252e"),
            ("%2E", "%252E"),
            ("n\0ul\t", "n%00ul%09"),
            ("Łódź", "%C5%81%C3%B3d%C5%BA"),
        ];
        for (id, segment) in cases {
            assert_eq!(path_segment(id).unwrap(), segment, "{id:?}");
            assert_eq!(
                url(id).unwrap(),
                format!("http://h/api/clients/{segment}"),
                "{id:?}"
            );
        }
    }

    #[test]
    fn no_id_reaches_the_client_list_or_another_resource() {
        let e = Endpoints::parse("https://bank.example/mambu").unwrap();
        assert_eq!(e.client("."), Err(PathError::DotSegment));
        assert_eq!(e.client(".."), Err(PathError::DotSegment));
        assert_eq!(e.client(""), Err(PathError::Empty));
        // Whatever the id, the URL is one segment below the clients.
        for id in [
            "x", "..x", "x/..", "/", "?", "#", "%", "\\..", ". ", " ..", "\0",
        ] {
            let u = e.client(id).unwrap();
            let segments: Vec<_> = u.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 4, "{id:?}: {u}");
            assert_eq!(&segments[..3], ["mambu", "api", "clients"], "{id:?}");
            assert!(!matches!(segments[3], "" | "." | ".."), "{id:?}: {u}");
            assert_eq!((u.query(), u.fragment()), (None, None), "{id:?}");
        }
    }

    #[test]
    fn secrets_in_the_url_are_refused_without_being_repeated() {
        for bad in [
            "https://ann:s3cret@bank.example",
            "https://s3cret@bank.example",
            "https://bank.example/api?apikey=s3cret",
            "https://bank.example/#s3cret",
        ] {
            let msg = Endpoints::parse(bad).unwrap_err().to_string();
            assert!(!msg.contains("s3cret"), "{msg}");
        }
        assert_eq!(
            Endpoints::parse("ftp://bank.example").unwrap_err(),
            UrlProblem::Scheme
        );
        assert!(matches!(
            Endpoints::parse("bank.example"),
            Err(UrlProblem::Invalid(_))
        ));
    }
}
