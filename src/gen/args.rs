//! The `ferry gen` command line, ready to be flattened into the CLI:
//! `--rows N --invalid-ratio R --seed S --out FILE [--layout related|wide]`.
//!
//! In: raw flags as clap parses them. Out: `GenOptions`. A ratio outside
//! 0..=1 is refused by clap before anything is written.

use std::path::PathBuf;

use super::{GenOptions, GenReport, Layout, Names};

/// Flags of `ferry gen`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Which mapping reads the output (paths in Ferry's repository; the tenant is samples/tenant.json):
  --layout related  mappings/clients.toml, with --join addresses=<stem>_addresses.csv
                    --join documents=<stem>_documents.csv: without them the mapping's
                    own [[join]] files (the samples') would be joined instead.
  --layout wide     mappings/clients-wide.toml.
After writing, gen prints the full `ferry validate` command on stderr.")]
pub struct GenArgs {
    /// Number of clients to generate.
    #[arg(long, default_value_t = 1_000)]
    pub rows: u64,
    /// Share of clients (0 to 1) that get exactly one planted error.
    #[arg(long, default_value_t = 0.1, value_parser = parse_ratio)]
    pub invalid_ratio: f64,
    /// Seed: the same seed always gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The main CSV file; related files are written beside it.
    #[arg(long)]
    pub out: PathBuf,
    /// `related`: addresses and documents in `<stem>_addresses.csv` and
    /// `<stem>_documents.csv`, keyed by the main file's client ids (read by
    /// mappings/clients.toml with --join); `wide`: address columns in the
    /// main file (read by mappings/clients-wide.toml).
    #[arg(long, value_enum, default_value_t = Layout::Related)]
    pub layout: Layout,
    /// `population`: names as varied as a real client base's (a few percent
    /// of a million clients share a first and last name); `samples`: the
    /// small pools samples/ was made with (seed 7, 600 rows, ratio 0.12).
    #[arg(long, value_enum, default_value_t = Names::Population)]
    pub names: Names,
}

impl GenArgs {
    /// The options these flags ask for.
    pub fn to_options(&self) -> GenOptions {
        GenOptions {
            rows: self.rows,
            invalid_ratio: self.invalid_ratio,
            seed: self.seed,
            out: self.out.clone(),
            layout: self.layout,
            names: self.names,
        }
    }
}

/// Why an invalid-row ratio cannot be used.
#[derive(Debug, thiserror::Error)]
enum RatioError {
    #[error("{0} is not between 0 and 1")]
    OutOfRange(f64),
    #[error("'{given}' is not a number: {source}")]
    NotANumber {
        given: String,
        source: std::num::ParseFloatError,
    },
}

fn parse_ratio(s: &str) -> Result<f64, RatioError> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        Ok(r) => Err(RatioError::OutOfRange(r)),
        Err(source) => Err(RatioError::NotANumber {
            given: s.to_string(),
            source,
        }),
    }
}

impl std::fmt::Display for GenReport {
    /// A summary for the terminal: files, rows, planted errors by code.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "wrote {} clients to", self.rows)?;
        for (i, file) in self.files.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            write!(f, "{sep}{}", file.display())?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{} of them carry one planted error each:",
            self.invalid_rows()
        )?;
        let mut by_code: Vec<_> = self
            .planted
            .iter()
            .map(|(name, n)| {
                let code = crate::model::ReturnCode::from_name(name).map_or(0, |c| c.code());
                (code, name, n)
            })
            .collect();
        by_code.sort();
        for (code, name, n) in by_code {
            writeln!(f, "  {code:>5} {name:<45} {n:>8}")?;
        }
        if self.id_repeated_later > 0 {
            writeln!(
                f,
                "{} more rows a dry run rejects: their id is repeated by a later row \
                 (316 on every row with the id)",
                self.id_repeated_later
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        gen: GenArgs,
    }

    #[test]
    fn flags_become_options() {
        let cli = Cli::try_parse_from([
            "ferry",
            "--rows",
            "50",
            "--invalid-ratio",
            "0.25",
            "--seed",
            "9",
            "--out",
            "x.csv",
            "--layout",
            "wide",
        ])
        .expect("valid flags");
        let o = cli.gen.to_options();
        assert_eq!((o.rows, o.invalid_ratio, o.seed), (50, 0.25, 9));
        assert_eq!(o.out, PathBuf::from("x.csv"));
        assert_eq!(o.layout, Layout::Wide);
        let d = Cli::try_parse_from(["ferry", "--out", "y.csv"]).expect("defaults");
        assert_eq!(d.gen.layout, Layout::Related);
        assert_eq!(d.gen.rows, 1_000);
    }

    #[test]
    fn ratio_outside_zero_to_one_is_refused() {
        for bad in ["1.5", "-0.1", "ten"] {
            let r = Cli::try_parse_from(["ferry", "--out", "y.csv", "--invalid-ratio", bad]);
            assert!(r.is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn summary_lists_codes_in_numeric_order() {
        let mut planted = std::collections::BTreeMap::new();
        planted.insert("INVALID_LANGUAGE".to_string(), 3);
        planted.insert("INVALID_PARAMETERS".to_string(), 5);
        let r = GenReport {
            files: vec![PathBuf::from("a.csv"), PathBuf::from("a_addresses.csv")],
            rows: 80,
            planted,
            id_repeated_later: 0,
        };
        let text = r.to_string();
        assert!(text.starts_with("wrote 80 clients to a.csv, a_addresses.csv\n8 of them"));
        let four = text.find("INVALID_PARAMETERS").expect("listed");
        let lang = text.find("INVALID_LANGUAGE").expect("listed");
        assert!(four < lang, "4 before 2427:\n{text}");
        assert!(!text.contains("more rows"), "{text}");
        let r = GenReport {
            id_repeated_later: 2,
            ..r
        };
        assert!(r.to_string().ends_with(
            "\n2 more rows a dry run rejects: their id is repeated by a later row \
             (316 on every row with the id)\n"
        ));
    }
}
