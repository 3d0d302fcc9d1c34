//! The target an event records: a base URL, never a credential.
//!
//! In: the URL the user gave. Out: the same URL without userinfo, query or
//! fragment, any of which could carry a secret. Never fails.

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
    use crate::ledger::test_support::{new_event, temp_ledger};
    use crate::ledger::ImportMode;

    #[test]
    fn target_is_stored_as_given_without_credentials() {
        let (_dir, mut ledger) = temp_ledger();
        let plain = ledger.create_event(&new_event(ImportMode::Create)).unwrap();
        assert_eq!(plain.target, "https://bank.sandbox.mambu.com");
        let mut slipped = new_event(ImportMode::Create);
        slipped.target = "https://ann:s3cret@bank.mambu.com:8443/api?apikey=XYZ#frag".into();
        let ev = ledger.create_event(&slipped).unwrap();
        assert_eq!(ev.target, "https://bank.mambu.com:8443/api");
        // Nothing else in the file holds the secret either.
        let hits: i64 = ledger
            .conn
            .query_row(
                "SELECT count(*) FROM events WHERE target LIKE '%s3cret%' OR target LIKE '%XYZ%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hits, 0);
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
