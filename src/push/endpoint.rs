//! The target's URLs: the base URL the user gave, checked once, and the
//! client resource paths built from it with ids percent-encoded.
//!
//! In: a base URL such as `https://tenant.mambu.com` or `…/api`. Out:
//! `Endpoints`, or a message that never repeats the URL (it could hold a
//! secret the user slipped in).

use reqwest::Url;

/// The URLs of one target.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// `…/api/clients`.
    clients: Url,
}

impl Endpoints {
    /// Checks a base URL: http or https, no userinfo, query or fragment.
    /// A trailing `/api` (or `/`) is dropped so both spellings work.
    pub fn parse(base: &str) -> Result<Endpoints, String> {
        let mut url =
            Url::parse(base.trim()).map_err(|e| format!("the target URL is not valid: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("the target URL must start with http:// or https://".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the target URL must not carry a user name or password; \
                 set MAMBU_API_KEY, or MAMBU_USER and MAMBU_PASSWORD, or use a credentials file"
                .into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("the target URL must not have a query (?…) or fragment (#…)".into());
        }
        let path = url.path().trim_end_matches('/');
        let path = path.strip_suffix("/api").unwrap_or(path).to_string();
        url.set_path(&path);
        url.path_segments_mut()
            .map_err(|()| "the target URL cannot have a path".to_string())?
            .pop_if_empty()
            .extend(["api", "clients"]);
        Ok(Endpoints { clients: url })
    }

    /// `…/api/clients`.
    pub fn clients(&self) -> Url {
        self.clients.clone()
    }

    /// `…/api/clients/{id}`, the id percent-encoded as one path segment.
    pub fn client(&self, id_or_key: &str) -> Url {
        let mut url = self.clients.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.push(id_or_key);
        }
        url
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
        assert_eq!(e.client("C-1").as_str(), "http://h/api/clients/C-1");
        assert_eq!(
            e.client("a/b c?d#e%").as_str(),
            "http://h/api/clients/a%2Fb%20c%3Fd%23e%25"
        );
    }

    #[test]
    fn secrets_in_the_url_are_refused_without_being_repeated() {
        for bad in [
            "https://ann:s3cret@bank.example",
            "https://s3cret@bank.example",
            "https://bank.example/api?apikey=s3cret",
            "https://bank.example/#s3cret",
        ] {
            let msg = Endpoints::parse(bad).unwrap_err();
            assert!(!msg.contains("s3cret"), "{msg}");
        }
        assert!(Endpoints::parse("ftp://bank.example").is_err());
        assert!(Endpoints::parse("bank.example").is_err());
    }
}
