//! Whether an e-mail address is plausible (711 EMAIL_ADDRESS_FORMAT_IS_INVALID).
//!
//! In: the address. Out: `Ok` or a short reason. This is the plausibility
//! Mambu enforces, not RFC 5322: one '@', a local part, a dotted domain, no
//! spaces, no empty dot-separated parts, at most 254 characters.

/// The longest address a mail system accepts (RFC 5321 path limit).
const MAX_EMAIL: usize = 254;

/// Checks an e-mail address; the error names what is wrong with it.
pub fn check_email(address: &str) -> Result<(), &'static str> {
    if address.chars().any(char::is_whitespace) {
        return Err("it contains whitespace");
    }
    if super::text::too_long(address, MAX_EMAIL).is_some() {
        return Err("it is longer than 254 characters");
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err("it has no '@'");
    };
    if domain.contains('@') {
        return Err("it has more than one '@'");
    }
    if local.is_empty() {
        return Err("nothing comes before the '@'");
    }
    if !domain.contains('.') {
        return Err("the domain has no dot");
    }
    if address.contains("..") {
        return Err("it has two dots in a row");
    }
    if domain.starts_with('.')
        || domain.ends_with('.')
        || local.starts_with('.')
        || local.ends_with('.')
    {
        return Err("a part starts or ends with a dot");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_email;

    #[test]
    fn plausible_addresses_pass() {
        for ok in [
            "anna@example.com",
            "a.b+tag@mail.example.co.uk",
            "x@y.z",
            "jörg@bücher.de",
        ] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn implausible_addresses_say_why() {
        let cases = [
            ("anna.example.com", "it has no '@'"),
            ("anna@@example.com", "it has more than one '@'"),
            ("a@b@example.com", "it has more than one '@'"),
            ("@example.com", "nothing comes before the '@'"),
            ("anna@localhost", "the domain has no dot"),
            ("anna@example..com", "it has two dots in a row"),
            ("an..na@example.com", "it has two dots in a row"),
            ("anna @example.com", "it contains whitespace"),
            ("anna@example.com.", "a part starts or ends with a dot"),
            ("anna@.example.com", "a part starts or ends with a dot"),
        ];
        for (bad, why) in cases {
            assert_eq!(check_email(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn at_most_254_characters() {
        let ok = format!("{}@example.com", "a".repeat(254 - 12));
        assert_eq!(ok.len(), 254);
        assert_eq!(check_email(&ok), Ok(()));
        let long = format!("a{ok}");
        assert_eq!(check_email(&long), Err("it is longer than 254 characters"));
    }
}
