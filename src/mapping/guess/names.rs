//! Column names as words: what a legacy header or JSON path says about the
//! Mambu field it holds.
//!
//! In: a column name (`CUST_NO`, `birthDate`, `contact.homePhone`,
//! `documents[0].number`). Out: its normalised words (`tokens`), and the
//! client or address fields its words suggest (`client_field_matches`), each
//! with a score from 0 to 1 (1: the words are exactly one of the field's
//! names). Never fails: a name nothing matches has no candidates.
//!
//! Normalising: split at `_`, `-`, `.`, spaces, brackets, camelCase humps
//! and letter/digit boundaries; lower-case; legacy abbreviations expanded
//! (`FNAME` → first name, `DOB` → birth date, `TEL` → phone); synonyms
//! folded (`cust`, `customer` → client; `nr`, `num`, `number` → no);
//! filler words (`of`, `the`) dropped.

/// The normalised words of a column name, in order.
pub fn tokens(name: &str) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            flush(&mut word, &mut raw);
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let hump = p.is_lowercase() && c.is_uppercase();
            let digit_edge = p.is_ascii_digit() != c.is_ascii_digit();
            if hump || digit_edge {
                flush(&mut word, &mut raw);
            }
        }
        word.extend(c.to_lowercase());
        prev = Some(c);
    }
    flush(&mut word, &mut raw);
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        // "e-mail", "E_MAIL": one word.
        if raw[i] == "e" && raw.get(i + 1).is_some_and(|w| w == "mail") {
            out.push("email".to_string());
            i += 2;
            continue;
        }
        for w in expand(&raw[i]) {
            if !FILLER.contains(&w) {
                out.push(w.to_string());
            }
        }
        i += 1;
    }
    out
}

fn flush(word: &mut String, out: &mut Vec<String>) {
    if !word.is_empty() {
        out.push(std::mem::take(word));
    }
}

const FILLER: [&str; 4] = ["of", "the", "de", "des"];

/// One raw word as the words it stands for: abbreviations expanded,
/// synonyms folded to one spelling.
fn expand(word: &str) -> Vec<&str> {
    let one = |w| vec![w];
    match word {
        "fname" | "firstname" | "forename" | "givenname" | "vorname" | "prenom" => {
            vec!["first", "name"]
        }
        "given" => one("first"),
        "lname" | "lastname" | "surname" | "sname" | "familyname" | "nachname" | "nom" => {
            vec!["last", "name"]
        }
        "family" => one("last"),
        "mname" | "middlename" => vec!["middle", "name"],
        "dob" | "birthdate" | "birthday" | "bdate" | "geburtsdatum" => vec!["birth", "date"],
        "birth" | "born" | "bdt" => one("birth"),
        "dt" | "dte" => one("date"),
        "sex" | "gender" | "gndr" | "geschlecht" => one("gender"),
        "email" | "mail" | "emailaddress" => one("email"),
        "tel" | "telephone" | "phone" | "phon" | "ph" | "telefon" | "landline" => one("phone"),
        "mobile" | "mob" | "cell" | "cellphone" | "gsm" | "handy" | "mobil" | "mobilephone" => {
            one("mobile")
        }
        "cust" | "customer" | "client" | "clnt" | "kunde" | "cif" => one("client"),
        "no" | "nr" | "num" | "number" | "nbr" | "nummer" | "numero" => one("no"),
        "lang" | "language" | "lng" | "sprache" => one("language"),
        "status" | "stat" | "state" | "sts" => one("status"),
        "branch" | "brnch" | "br" | "filiale" | "agency" | "office" => one("branch"),
        "centre" | "center" | "ctr" | "cntr" => one("centre"),
        "officer" | "advisor" | "adviser" | "rm" | "manager" | "lo" => one("officer"),
        "type" | "typ" | "kind" | "category" => one("type"),
        "role" => one("role"),
        "note" | "notes" | "remark" | "remarks" | "comment" | "comments" | "memo" => one("notes"),
        "addr" | "adr" | "address" => one("address"),
        "street" | "str" => one("street"),
        "zip" | "postcode" | "postal" | "plz" | "zipcode" | "postalcode" => one("postcode"),
        "town" | "city" | "ort" => one("city"),
        "province" | "county" | "region" => one("region"),
        "expiry" | "expires" | "exp" | "expiration" | "until" | "valid" | "validity" => {
            one("expiry")
        }
        "issuer" | "issued" | "issuing" | "authority" => one("issuer"),
        "doc" | "docs" | "document" | "documents" => one("document"),
        "license" | "licence" => one("licence"),
        other => one(other),
    }
}

/// A field of `[client]` or `[address]` a column name can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NamedField {
    /// `[client] id`.
    Id,
    /// `[client] firstName`.
    FirstName,
    /// `[client] middleName`.
    MiddleName,
    /// `[client] lastName`.
    LastName,
    /// `[client] gender`.
    Gender,
    /// `[client] birthDate`.
    BirthDate,
    /// `[client] emailAddress`.
    Email,
    /// `[client] homePhone`.
    HomePhone,
    /// `[client] mobilePhone1`.
    Mobile1,
    /// `[client] mobilePhone2`.
    Mobile2,
    /// `[client] preferredLanguage`.
    Language,
    /// `[client] state`.
    State,
    /// `[client] notes`.
    Notes,
    /// `[client] assignedBranchKey`.
    Branch,
    /// `[client] assignedCentreKey`.
    Centre,
    /// `[client] assignedUserKey`.
    Officer,
    /// `[client] clientRole`.
    ClientRole,
    /// `[address] line1`.
    Line1,
    /// `[address] line2`.
    Line2,
    /// `[address] city`.
    City,
    /// `[address] region`.
    Region,
    /// `[address] postcode`.
    Postcode,
    /// `[address] country`.
    Country,
}

impl NamedField {
    /// The section and the target field's name in a mapping.
    pub fn target(self) -> (&'static str, &'static str) {
        use NamedField::*;
        let client = |f| ("client", f);
        let address = |f| ("address", f);
        match self {
            Id => client("id"),
            FirstName => client("firstName"),
            MiddleName => client("middleName"),
            LastName => client("lastName"),
            Gender => client("gender"),
            BirthDate => client("birthDate"),
            Email => client("emailAddress"),
            HomePhone => client("homePhone"),
            Mobile1 => client("mobilePhone1"),
            Mobile2 => client("mobilePhone2"),
            Language => client("preferredLanguage"),
            State => client("state"),
            Notes => client("notes"),
            Branch => client("assignedBranchKey"),
            Centre => client("assignedCentreKey"),
            Officer => client("assignedUserKey"),
            ClientRole => client("clientRole"),
            Line1 => address("line1"),
            Line2 => address("line2"),
            City => address("city"),
            Region => address("region"),
            Postcode => address("postcode"),
            Country => address("country"),
        }
    }
}

/// Each field with the word sets that name it. A column matches a set when
/// its words contain all of the set's words.
const RULES: &[(NamedField, &[&[&str]])] = {
    use NamedField::*;
    &[
        (
            Id,
            &[
                &["client", "no"],
                &["client", "id"],
                &["id"],
                &["client", "ref"],
                &["client", "code"],
                &["legacy", "id"],
            ],
        ),
        (FirstName, &[&["first", "name"], &["first"]]),
        (
            MiddleName,
            &[&["middle", "name"], &["middle"], &["second", "name"]],
        ),
        (LastName, &[&["last", "name"], &["last"]]),
        (Gender, &[&["gender"]]),
        (BirthDate, &[&["birth", "date"], &["birth"]]),
        (Email, &[&["email"], &["email", "address"]]),
        (
            HomePhone,
            &[&["home", "phone"], &["phone"], &["private", "phone"]],
        ),
        (
            Mobile1,
            &[&["mobile"], &["mobile", "phone"], &["mobile", "1"]],
        ),
        (Mobile2, &[&["mobile", "2"], &["mobile", "phone", "2"]]),
        (Language, &[&["language"], &["preferred", "language"]]),
        (State, &[&["status"], &["client", "status"]]),
        (Notes, &[&["notes"]]),
        (
            Branch,
            &[&["branch"], &["branch", "id"], &["branch", "code"]],
        ),
        (
            Centre,
            &[&["centre"], &["centre", "id"], &["centre", "code"]],
        ),
        (
            Officer,
            &[
                &["officer"],
                &["loan", "officer"],
                &["credit", "officer"],
                &["account", "officer"],
                &["user"],
            ],
        ),
        (
            ClientRole,
            &[&["client", "type"], &["client", "role"], &["role"]],
        ),
        (
            Line1,
            &[&["street"], &["address", "1"], &["address", "line", "1"]],
        ),
        (
            Line2,
            &[
                &["street", "2"],
                &["address", "2"],
                &["address", "line", "2"],
            ],
        ),
        (City, &[&["city"]]),
        (Region, &[&["region"], &["address", "status"]]),
        (Postcode, &[&["postcode"], &["postcode", "code"]]),
        (Country, &[&["country"]]),
    ]
};

/// Words that say where a value sits, not what it is; they do not count
/// against a match (`contact.email`, `address.city`).
const CONTEXT: [&str; 4] = ["contact", "profile", "assignment", "address"];

/// The fields `name` may stand for, best first, each with its score: the
/// share of the column's words the best matching word set explains
/// (context words such as `contact.` or `address.` not counted).
pub fn client_field_matches(name: &str) -> Vec<(NamedField, f64)> {
    let whole = tokens(name);
    let mut out: Vec<(NamedField, f64)> = Vec::new();
    for (field, sets) in RULES {
        let best = sets
            .iter()
            .map(|set| score(&whole, set))
            .fold(0.0f64, f64::max);
        if best > 0.0 {
            out.push((*field, best));
        }
    }
    // An address word in the name makes the address reading the better one
    // ("address.status" is a region, "address.street2" a second line).
    let in_address = whole.iter().any(|w| w == "address");
    for (field, s) in &mut out {
        if in_address && field.target().0 == "address" {
            *s = (*s + 0.05).min(1.0);
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// How well a set of words explains a column's words: 0 when one of the
/// set's words is missing, else matched / counted (context words only
/// count when the set names them).
pub fn score(words: &[String], set: &[&str]) -> f64 {
    if !set.iter().all(|s| words.iter().any(|w| w == s)) {
        return 0.0;
    }
    let counted = words
        .iter()
        .filter(|w| set.contains(&w.as_str()) || !CONTEXT.contains(&w.as_str()))
        .count();
    if counted == 0 {
        return 0.0;
    }
    set.len() as f64 / counted as f64
}

/// The words of a column that say what it is: context words dropped.
pub fn meaningful(words: &[String]) -> Vec<String> {
    words
        .iter()
        .filter(|w| !CONTEXT.contains(&w.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(name: &str) -> Option<(NamedField, f64)> {
        client_field_matches(name)
            .into_iter()
            .next()
            .filter(|(_, s)| *s >= 0.6)
    }

    #[test]
    fn names_split_at_case_punctuation_and_digits() {
        assert_eq!(tokens("NEXT_OF_KIN_1_NAME"), ["next", "kin", "1", "name"]);
        assert_eq!(tokens("contact.homePhone"), ["contact", "home", "phone"]);
        assert_eq!(tokens("documents[0].number"), ["document", "0", "no"]);
        assert_eq!(tokens("E-Mail"), ["email"]);
        assert_eq!(tokens("Date of Birth"), ["date", "birth"]);
        assert_eq!(tokens("  "), Vec::<String>::new());
    }

    #[test]
    fn legacy_abbreviations_name_their_fields() {
        use NamedField::*;
        let cases = [
            ("FNAME", FirstName),
            ("FIRST_NAME", FirstName),
            ("name.first", FirstName),
            ("SURNAME", LastName),
            ("lastName", LastName),
            ("MIDDLE_NAME", MiddleName),
            ("DOB", BirthDate),
            ("BIRTH_DT", BirthDate),
            ("date of birth", BirthDate),
            ("SEX", Gender),
            ("EMAIL", Email),
            ("contact.email", Email),
            ("E-Mail", Email),
            ("MOBILE", Mobile1),
            ("MOBILE_PHONE", Mobile1),
            ("CELL_2", Mobile2),
            ("TEL", HomePhone),
            ("HOME_PHONE", HomePhone),
            ("BRANCH", Branch),
            ("BRANCH_ID", Branch),
            ("assignment.centre", Centre),
            ("LOAN_OFFICER", Officer),
            ("CUST_NO", Id),
            ("customerNo", Id),
            ("CLIENT_ID", Id),
            ("CLIENT_TYPE", ClientRole),
            ("STATUS", State),
            ("LANG", Language),
            ("NOTES", Notes),
            ("address.street", Line1),
            ("address.street2", Line2),
            ("address.zip", Postcode),
            ("address.region", Region),
        ];
        for (name, field) in cases {
            assert_eq!(best(name).map(|b| b.0), Some(field), "{name}");
        }
    }

    #[test]
    fn other_words_dilute_a_match_below_the_threshold() {
        // A tax id is not the client's id; an extra field's id neither.
        for name in [
            "TAX_ID",
            "EXTRA_FIELD_ID",
            "TITLE",
            "OCCUPATION",
            "NEXT_OF_KIN_1_PHONE",
        ] {
            assert_eq!(best(name), None, "{name}");
        }
        // Exact names score 1; each word more lowers the score.
        assert_eq!(best("EMAIL"), Some((NamedField::Email, 1.0)));
        assert_eq!(best("EMAIL_PRIVATE"), None);
        assert_eq!(best("contact.email"), Some((NamedField::Email, 1.0)));
    }
}
