//! Replaying the pass: every row in input order with its final verdict.
//!
//! In: the `Checked` pass (its spool and the duplicates found across rows)
//! and what the caller reads of each row. Out: `Verdict`s handed to a
//! visitor; the request bodies are read by position (`BodyReader`). Fails
//! only on I/O of the temporary files, or when the visitor fails.

use super::*;

/// Reads request bodies out of the pass's file of bodies, by position.
pub struct BodyReader {
    file: std::fs::File,
}

impl BodyReader {
    /// The body at `at`, into `buf`.
    pub fn read<'b>(&self, at: BodyRange, buf: &'b mut Vec<u8>) -> std::io::Result<&'b [u8]> {
        use std::os::unix::fs::FileExt;
        buf.resize(usize::try_from(at.len).unwrap_or(0), 0);
        self.file.read_exact_at(buf, at.offset)?;
        Ok(buf.as_slice())
    }

    /// The body of a verdict, if it has one, into `buf`.
    pub fn body_of<'b>(
        &self,
        v: &Verdict<'b>,
        buf: &'b mut Vec<u8>,
    ) -> std::io::Result<Option<&'b [u8]>> {
        match v.body {
            None => Ok(None),
            Some(Body::Bytes(b)) => Ok(Some(b)),
            Some(Body::Spooled(at)) => self.read(at, buf).map(Some),
        }
    }
}

impl Checked {
    /// A copy of the handle to the file of request bodies: the bodies of the
    /// pass, one per line, at the places a verdict's `Body::Spooled` names.
    /// It holds bodies of rows found invalid later too, so copy by range.
    pub fn bodies(&self) -> std::io::Result<std::fs::File> {
        self.spool.bodies().try_clone()
    }

    /// A reader of the bodies file, for a caller that needs a body's bytes.
    pub fn body_reader(&self) -> std::io::Result<BodyReader> {
        Ok(BodyReader {
            file: self.bodies()?,
        })
    }

    /// Hands every row, in input order, to `visit` with its final verdict:
    /// the row's fields (per `fields_for`), its findings (per-row ones first,
    /// then those across rows) with their source columns, and where a valid
    /// row's body is in [`bodies`](Self::bodies).
    pub fn replay(
        self,
        fields_for: FieldsFor,
        visit: impl FnMut(&Verdict<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.replay_deciding(
            |findings| {
                let valid = !findings.iter().any(FieldError::is_error);
                let decode = !valid
                    || fields_for == FieldsFor::All
                    || (fields_for == FieldsFor::Flagged && !findings.is_empty());
                if decode {
                    RowNeeds::Fields
                } else {
                    RowNeeds::Findings
                }
            },
            visit,
        )
    }

    /// [`replay`](Self::replay), asking `needs` of each row's final
    /// findings what to decode (a row whose fields it declines comes with
    /// an empty record): for a caller that knows better than `FieldsFor`
    /// which rows it will read, as a report listing only the first rows.
    pub fn replay_deciding(
        self,
        mut needs: impl FnMut(&[FieldError]) -> RowNeeds,
        mut visit: impl FnMut(&Verdict<'_>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut fields = csv::StringRecord::new();
        let empty = csv::StringRecord::new();
        let mut again = RowScratch::default();
        let mut mapped_body = Vec::new();
        self.replay_core(|row, findings, origins, valid, plan| {
            let need = needs(findings);
            let decode = need != RowNeeds::Findings;
            let remap = need == RowNeeds::FieldsAndReportBody && valid && row.body.is_none();
            if decode {
                row.fields_into(&mut fields)?;
            }
            visit(&Verdict {
                row: row.row,
                line: row.line,
                fields: if decode { &fields } else { &empty },
                findings,
                origins,
                body: match (valid, row.body) {
                    (false, _) => None,
                    (true, Some(at)) => Some(Body::Spooled(at)),
                    (true, None) if remap => {
                        report_fields_again(row, &fields, plan, &mut again, &mut mapped_body)
                            .then_some(Body::Bytes(&mapped_body))
                    }
                    (true, None) => None,
                },
            })
        })
    }

    fn replay_core(
        mut self,
        mut visit: impl FnMut(
            &SpooledRow,
            &[FieldError],
            &[Option<String>],
            bool,
            &Plan,
        ) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut row = SpooledRow::default();
        let mut origins: Vec<Option<String>> = Vec::new();
        let mut known: HashMap<String, Option<String>, FastHashBuilder> = HashMap::default();
        while self.spool.next_into(&mut row)? {
            while let Some(d) = self.duplicates.next_of_row(row.row)? {
                let tenant = &self.tenant;
                row.push_finding(|f| d.write_field_error(tenant, f));
            }
            let findings = row.findings();
            let valid = !findings.iter().any(FieldError::is_error);
            origins.resize(findings.len(), None);
            for (o, f) in origins.iter_mut().zip(findings) {
                match known.get(f.field.as_str()) {
                    Some(k) => o.clone_from(k),
                    None => {
                        *o = self.plan.origin(&f.field);
                        if known.len() < ORIGIN_CACHE {
                            known.insert(f.field.clone(), o.clone());
                        }
                    }
                }
            }
            visit(&row, findings, &origins, valid, &self.plan)?;
        }
        Ok(())
    }
}
