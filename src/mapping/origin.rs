//! `Plan::origin`: which source column feeds a field of the request, so a
//! report can point a finding at the cell the person has to fix.
//!
//! In: a field path as findings carry it. Out: `COLUMN` or
//! `file.csv:column`, or `None` for constants and paths the plan does not
//! write.

use super::plan::{Cell, CellInput, GroupPlan, Plan};

impl Plan {
    /// The source column that feeds a target field path (`client.birthDate`,
    /// `addresses[0].city`, `idDocuments[1].documentId`,
    /// `customInformation[Occupation]`, `customInformation[Beneficiary][2]`),
    /// as `COLUMN` or `file.csv:column`; `None` for constants and unknown
    /// paths. Document indexes count the produced documents in entry order,
    /// so they are exact until an entry was skipped as empty or a joined
    /// entry produced several documents; past that, the joined entry is
    /// named. A custom field whose id comes from a column is found by its
    /// value column when no entry has that id as a constant.
    pub fn origin(&self, field: &str) -> Option<String> {
        let label = |cell: &Cell| cell.origin.as_deref().map(str::to_string);
        if let Some(kind) = field.strip_prefix("documents.") {
            return self.documents.origin(kind);
        }
        if let Some(name) = field.strip_prefix("client.") {
            return self
                .client
                .iter()
                .find(|(f, _)| f.name() == name)
                .and_then(|(_, c)| label(c));
        }
        if let Some(rest) = field.strip_prefix("addresses[") {
            let (_, name) = index_and_name(rest)?;
            let a = self.address.as_ref()?;
            return a
                .fields
                .iter()
                .find(|(f, _)| f.name() == name)
                .and_then(|(_, c)| label(c));
        }
        if let Some(rest) = field.strip_prefix("idDocuments[") {
            let (mut at, name) = index_and_name(rest)?;
            for d in &self.id_documents {
                if at == 0 || d.from.is_some() {
                    return d
                        .fields
                        .iter()
                        .find(|(f, _)| f.name() == name)
                        .and_then(|(_, c)| label(c));
                }
                at -= 1;
            }
            return None;
        }
        if let Some(rest) = field.strip_prefix("customInformation[") {
            let (id, rest) = rest.split_once(']')?;
            let group = rest.strip_prefix('[').and_then(|g| g.strip_suffix(']'));
            let by_id = self.custom_fields.iter().find(|cf| {
                let same_id = matches!(&cf.id.input, CellInput::Constant(c) if &**c == id);
                let same_group = match (&cf.group, group) {
                    (Some(GroupPlan::Constant(n)), Some(g)) => g.trim().parse::<i64>() == Ok(*n),
                    _ => true,
                };
                same_id && same_group
            });
            let cf = by_id.or_else(|| {
                self.custom_fields
                    .iter()
                    .find(|cf| matches!(cf.id.input, CellInput::Column(_)))
            })?;
            return label(&cf.value);
        }
        None
    }
}

/// `3].name` → `(3, "name")`.
fn index_and_name(rest: &str) -> Option<(usize, &str)> {
    let (i, name) = rest.split_once("].")?;
    Some((i.parse().ok()?, name))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{joined_plan, plan};

    #[test]
    fn origins_point_at_source_columns() {
        let p = joined_plan(false);
        assert_eq!(p.origin("client.id").as_deref(), Some("NO"));
        assert_eq!(p.origin("client.birthDate"), None);
        assert_eq!(
            p.origin("addresses[0].city").as_deref(),
            Some("addresses.csv:city")
        );
        assert_eq!(
            p.origin("idDocuments[0].documentId").as_deref(),
            Some("PASS")
        );
        assert_eq!(
            p.origin("idDocuments[0].documentType"),
            None,
            "a constant has no column"
        );
        assert_eq!(
            p.origin("idDocuments[1].documentId").as_deref(),
            Some("documents.csv:number")
        );
        assert_eq!(
            p.origin("idDocuments[5].validUntil").as_deref(),
            Some("documents.csv:expiry")
        );
        assert_eq!(p.origin("idDocuments[x].documentId"), None);
        assert_eq!(p.origin("nonsense"), None);

        let p = plan(
            r#"
            [[custom_field]]
            id = "Occupation"
            value = "JOB"
            [[custom_field]]
            id = "Beneficiary"
            group_index = 0
            value = "BEN0"
            [[custom_field]]
            id = "Beneficiary"
            group_index = 1
            value = "BEN1"
            [[custom_field]]
            id = { column = "EXTRA_ID" }
            value = "EXTRA_VALUE"
            "#,
            &["JOB", "BEN0", "BEN1", "EXTRA_ID", "EXTRA_VALUE"],
        );
        assert_eq!(
            p.origin("customInformation[Occupation]").as_deref(),
            Some("JOB")
        );
        assert_eq!(
            p.origin("customInformation[Beneficiary][1]").as_deref(),
            Some("BEN1")
        );
        assert_eq!(
            p.origin("customInformation[Beneficiary]").as_deref(),
            Some("BEN0")
        );
        assert_eq!(
            p.origin("customInformation[Hobby]").as_deref(),
            Some("EXTRA_VALUE")
        );
    }
}
