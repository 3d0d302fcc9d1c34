//! Compiling a mapping against one file's columns and one tenant into a
//! `Plan`: every column becomes an index, every `resolve` a hash index of
//! the tenant, every `[[join]]` an indexed related file.
//!
//! In: the checked mapping, the main file's columns, the tenant and a way to
//! open related files. Out: a `Plan` that is `Send + Sync` and only reads
//! while rows are mapped. Fails with `MappingError` naming the entry: a
//! missing or ambiguous column, `resolve` without a tenant, a default the
//! tenant does not know, a related file that is missing or unreadable.

use std::path::Path;
use std::sync::Arc;

use super::columns;
use super::config::{GroupIndexSpec, JoinConfig, MappingConfig, Section};
use super::date::DateRule;
use super::documents::DocumentsPlan;
use super::error::MappingError;
use super::join::Join;
use super::resolve::{ResolveKind, Resolver, TemplateKeys};
use super::target::{AddressField, ClientField, DocField};
use super::transform::{Case, ValueMap};
use super::value_spec::{Input, ValueSpec};
use crate::model::ReturnCode;
use crate::source::{RowSource, SourceError, SourceSpec};
use crate::tenant::Tenant;

/// A mapping compiled for one file and one tenant: turns `RawRow`s into
/// `ClientRequest`s (see `Plan::apply`).
#[derive(Debug)]
pub struct Plan {
    pub(super) client: Vec<(ClientField, Cell)>,
    pub(super) address: Option<SectionPlan<AddressField>>,
    pub(super) id_documents: Vec<SectionPlan<DocField>>,
    pub(super) custom_fields: Vec<CustomPlan>,
    pub(super) joins: Vec<Join>,
    pub(super) warnings: Vec<String>,
    /// `[documents]`, compiled (empty when the mapping has none).
    pub(super) documents: DocumentsPlan,
}

/// `[address]` or one `[[id_document]]`, compiled.
#[derive(Debug)]
pub(super) struct SectionPlan<F> {
    /// Index into `Plan::joins`; cells then index the join's stored rows.
    pub from: Option<usize>,
    pub fields: Vec<(F, Cell)>,
    /// Whether no field reads a column: such a section is always sent
    /// (otherwise only when some cell is not empty).
    pub constant_only: bool,
    /// For an `[[id_document]]` that names no template key, with a known
    /// tenant: fills the key of the tenant's only template for the type.
    pub template_keys: Option<Arc<TemplateKeys>>,
}

/// One `[[custom_field]]`, compiled.
#[derive(Debug)]
pub(super) struct CustomPlan {
    pub id: Cell,
    pub value: Cell,
    pub group: Option<GroupPlan>,
}

/// A compiled `group_index`.
#[derive(Debug)]
pub(super) enum GroupPlan {
    Constant(i64),
    Cell(Cell),
}

/// A compiled value spec.
#[derive(Debug)]
pub(super) struct Cell {
    pub input: CellInput,
    pub trim: bool,
    pub case: Option<Case>,
    pub map: Option<ValueMap>,
    /// The final value for an empty cell (already resolved).
    pub default: Option<Box<str>>,
    pub date: Option<DateRule>,
    /// 309 for `client.birthDate`, else 102.
    pub date_code: ReturnCode,
    pub resolver: Option<Arc<Resolver>>,
    /// The source column as reports name it: `DOB`, `addresses.csv:street`.
    pub origin: Option<Box<str>>,
    /// An empty value clears the stored client field (`on_empty = "clear"`).
    pub clear_when_empty: bool,
}

/// Where a compiled cell reads.
#[derive(Debug)]
pub(super) enum CellInput {
    /// A field index in the row being read (main row or stored related row).
    Column(usize),
    Constant(Box<str>),
}

/// Opens a related file. The default is `crate::source::open`.
pub type Opener<'a> =
    &'a mut dyn FnMut(&Path, &SourceSpec) -> Result<Box<dyn RowSource>, SourceError>;

/// Everything compiling needs besides the mapping itself.
struct Compiler<'a> {
    columns: &'a [String],
    tenant: &'a Tenant,
    resolvers: Vec<Arc<Resolver>>,
}

impl Compiler<'_> {
    fn main_column(&self, entry: &str, name: &str) -> Result<usize, MappingError> {
        columns::find(self.columns, name, "the file").map_err(|m| MappingError::entry(entry, m))
    }

    fn resolver(&mut self, entry: &str, kind: ResolveKind) -> Result<Arc<Resolver>, MappingError> {
        if !self.tenant.is_known() {
            return Err(MappingError::entry(
                entry,
                format!(
                    "resolve = \"{}\" needs the tenant's definitions (give a tenant file)",
                    kind.name()
                ),
            ));
        }
        if let Some(r) = self.resolvers.iter().find(|r| r.kind() == kind) {
            return Ok(Arc::clone(r));
        }
        let r = Arc::new(Resolver::new(kind, self.tenant));
        self.resolvers.push(Arc::clone(&r));
        Ok(r)
    }

    /// Compiles a spec. `column` has already been turned into an index by
    /// the caller (main file or join), together with its origin label.
    fn cell(
        &mut self,
        entry: &str,
        spec: &ValueSpec,
        column: Option<(usize, String)>,
        date_code: ReturnCode,
    ) -> Result<Cell, MappingError> {
        let resolver = match spec.resolve {
            Some(kind) => Some(self.resolver(entry, kind)?),
            None => None,
        };
        let default = match (&spec.default, &resolver) {
            (Some(d), Some(r)) => Some(
                r.get(d)
                    .ok_or_else(|| {
                        MappingError::entry(
                            entry,
                            format!("default '{d}' is not a {} of the tenant", r.kind().name()),
                        )
                    })?
                    .into(),
            ),
            (Some(d), None) => Some(d.as_str().into()),
            (None, _) => None,
        };
        let (input, origin) = match (&spec.input, column) {
            (Input::Constant(c), _) => (CellInput::Constant(c.as_str().into()), None),
            (Input::Column(_), Some((i, label))) => {
                (CellInput::Column(i), Some(label.into_boxed_str()))
            }
            (Input::Column(c), None) => {
                return Err(MappingError::entry(
                    entry,
                    format!("column '{c}' was not resolved"),
                ))
            }
        };
        Ok(Cell {
            input,
            trim: spec.trim,
            case: spec.case,
            map: spec.map.clone(),
            default,
            date: spec.date.clone(),
            date_code,
            resolver,
            origin,
            clear_when_empty: spec.clear_when_empty,
        })
    }

    /// Compiles a spec reading the main file.
    fn main_cell(
        &mut self,
        entry: &str,
        spec: &ValueSpec,
        date_code: ReturnCode,
    ) -> Result<Cell, MappingError> {
        let column = match spec.source_column() {
            Some(name) => Some((self.main_column(entry, name)?, name.to_string())),
            None => None,
        };
        self.cell(entry, spec, column, date_code)
    }

    /// Compiles `[address]` or an `[[id_document]]`: from the main file, or
    /// from the stored rows of its join (whose fields are `used`, in order).
    fn section<F: Copy>(
        &mut self,
        section: &Section<F>,
        name: fn(F) -> &'static str,
        joins: &[(Join, Vec<(String, String)>)],
        date_code: impl Fn(F) -> ReturnCode,
    ) -> Result<SectionPlan<F>, MappingError> {
        let from = section
            .from
            .as_ref()
            .and_then(|f| joins.iter().position(|(j, _)| &j.name == f));
        let mut fields = Vec::with_capacity(section.fields.len());
        for (field, spec) in &section.fields {
            let entry = format!("{} {}", section.entry, name(*field));
            let cell = match from {
                None => self.main_cell(&entry, spec, date_code(*field))?,
                Some(j) => {
                    let (join, used) = &joins[j];
                    let column = spec.source_column().map(|c| {
                        let at = used.iter().position(|(u, _)| u == c).unwrap_or(usize::MAX);
                        (at, format!("{}:{c}", join.file_label))
                    });
                    self.cell(&entry, spec, column, date_code(*field))?
                }
            };
            fields.push((*field, cell));
        }
        let constant_only = fields
            .iter()
            .all(|(_, c)| matches!(c.input, CellInput::Constant(_)));
        Ok(SectionPlan {
            from,
            fields,
            constant_only,
            template_keys: None,
        })
    }
}

/// The columns each join's sections read from its file, with the entry that
/// reads each, deduplicated, in mapping order.
fn used_by_join(config: &MappingConfig, join: &JoinConfig) -> Vec<(String, String)> {
    let mut used: Vec<(String, String)> = Vec::new();
    let mut add = |entry: &str, field: &str, spec: &ValueSpec| {
        if let Some(c) = spec.source_column() {
            if !used.iter().any(|(u, _)| u == c) {
                used.push((c.to_string(), format!("{entry} {field}")));
            }
        }
    };
    if let Some(a) = config
        .address
        .as_ref()
        .filter(|a| a.from.as_deref() == Some(join.name.as_str()))
    {
        for (f, spec) in &a.fields {
            add(&a.entry, f.name(), spec);
        }
    }
    for d in &config.id_documents {
        if d.from.as_deref() == Some(join.name.as_str()) {
            for (f, spec) in &d.fields {
                add(&d.entry, f.name(), spec);
            }
        }
    }
    used
}

/// Compiles `config` (see the module header). `base_dir` is where join
/// files are looked up.
pub(super) fn compile(
    config: &MappingConfig,
    base_dir: &Path,
    columns: &[String],
    tenant: &Tenant,
    open: Opener<'_>,
) -> Result<Plan, MappingError> {
    let mut warnings = config.warnings.clone();
    let mut c = Compiler {
        columns,
        tenant,
        resolvers: Vec::new(),
    };

    let mut joins = Vec::with_capacity(config.joins.len());
    for jc in &config.joins {
        let entry = format!("[[join]] {}", jc.name);
        let on = c.main_column(&format!("{entry} on"), &jc.on)?;
        let used = used_by_join(config, jc);
        let path = base_dir.join(&jc.file);
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| jc.file.clone());
        let mut spec = jc.source.clone();
        spec.json_paths = used.iter().map(|(col, _)| col.clone()).collect();
        if !spec.json_paths.contains(&jc.key) {
            spec.json_paths.push(jc.key.clone());
        }
        let mut source =
            open(&path, &spec).map_err(|e| MappingError::entry(&entry, e.to_string()))?;
        let shown = path.display().to_string();
        let join = Join::load(
            jc,
            &shown,
            &label,
            on,
            &used,
            source.as_mut(),
            &mut warnings,
        )?;
        joins.push((join, used));
    }

    let mut client = Vec::with_capacity(config.client.len());
    for (field, spec) in &config.client {
        let code = if *field == ClientField::BirthDate {
            ReturnCode::InvalidBirthDate
        } else {
            ReturnCode::InvalidDate
        };
        client.push((
            *field,
            c.main_cell(&format!("[client] {}", field.name()), spec, code)?,
        ));
    }
    let address = match &config.address {
        Some(a) => Some(c.section(a, AddressField::name, &joins, |_| ReturnCode::InvalidDate)?),
        None => None,
    };
    let template_keys = tenant
        .is_known()
        .then(|| Arc::new(TemplateKeys::new(tenant)));
    let mut id_documents = Vec::with_capacity(config.id_documents.len());
    for d in &config.id_documents {
        let mut plan = c.section(d, DocField::name, &joins, |_| ReturnCode::InvalidDate)?;
        let names_key = plan
            .fields
            .iter()
            .any(|(f, _)| *f == DocField::IdentificationDocumentTemplateKey);
        if !names_key {
            plan.template_keys = template_keys.clone();
        }
        id_documents.push(plan);
    }

    let mut custom_fields = Vec::with_capacity(config.custom_fields.len());
    for cf in &config.custom_fields {
        let id = c.main_cell(&format!("{} id", cf.entry), &cf.id, ReturnCode::InvalidDate)?;
        if let (CellInput::Constant(id), true) = (&id.input, tenant.is_known()) {
            if !id.is_empty() && tenant.custom_field(id).is_none() {
                warnings.push(format!(
                    "{} id: the tenant has no custom field '{id}'; every row with a value will get {}",
                    cf.entry,
                    ReturnCode::InvalidCustomFieldId
                ));
            }
        }
        let group = match &cf.group_index {
            None => None,
            Some(GroupIndexSpec::Constant(n)) => Some(GroupPlan::Constant(*n)),
            Some(GroupIndexSpec::Spec(s)) => Some(GroupPlan::Cell(c.main_cell(
                &format!("{} group_index", cf.entry),
                s,
                ReturnCode::InvalidDate,
            )?)),
        };
        let value = c.main_cell(
            &format!("{} value", cf.entry),
            &cf.value,
            ReturnCode::InvalidDate,
        )?;
        custom_fields.push(CustomPlan { id, value, group });
    }

    let used = main_columns(config);
    for dup in columns::duplicates(columns) {
        if !used.iter().any(|u| u == dup) {
            warnings.push(format!(
                "the file has two columns named '{dup}'; the mapping does not use it, so this is harmless"
            ));
        }
    }

    let documents = match &config.documents {
        Some(d) => DocumentsPlan::compile(d, columns)?,
        None => DocumentsPlan::default(),
    };

    Ok(Plan {
        client,
        address,
        id_documents,
        custom_fields,
        joins: joins.into_iter().map(|(j, _)| j).collect(),
        warnings,
        documents,
    })
}

/// Every main-file column the mapping reads, each once, in mapping order:
/// `[client]`, `[address]`, `[[id_document]]`s, `[[custom_field]]`s, then
/// the joins' `on` columns, then `[documents]` columns.
pub(super) fn main_columns(config: &MappingConfig) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |spec: &ValueSpec| {
        if let Some(c) = spec.source_column() {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_string());
            }
        }
    };
    for (_, spec) in &config.client {
        add(spec);
    }
    if let Some(a) = config.address.as_ref().filter(|a| a.from.is_none()) {
        a.fields.iter().for_each(|(_, s)| add(s));
    }
    for d in config.id_documents.iter().filter(|d| d.from.is_none()) {
        d.fields.iter().for_each(|(_, s)| add(s));
    }
    for cf in &config.custom_fields {
        add(&cf.id);
        if let Some(GroupIndexSpec::Spec(s)) = &cf.group_index {
            add(s);
        }
        add(&cf.value);
    }
    for j in &config.joins {
        add(&ValueSpec::column(&j.on));
    }
    for c in config.documents.iter().flat_map(|d| d.columns()) {
        add(&ValueSpec::column(c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cols, compile, tenant, VecSource};
    use super::super::Mapping;
    use super::*;

    fn err(toml: &str, columns: &[&str]) -> String {
        compile(toml, columns, &tenant(), vec![])
            .unwrap_err()
            .to_string()
    }

    const JOIN: &str = r#"
        [address]
        from = "adr"
        city = "city"
        [[join]]
        name = "adr"
        file = "addresses.csv"
        key = "client_id"
        on = "NO"
        "#;

    fn addresses() -> VecSource {
        VecSource::new(&["client_id", "city"], &[&["C1", "Berlin"]])
    }

    #[test]
    fn a_missing_column_lists_the_file_s_columns() {
        let e = err(
            "[client]\nbirthDate = { column = \"DOB\", date = \"%F\" }\n",
            &["ID", "NAME"],
        );
        assert_eq!(
            e,
            "[client] birthDate: column 'DOB' is not in the file (columns: ID, NAME)"
        );
        let e = err("[[id_document]]\ndocumentId = \"PASS\"\n", &["ID"]);
        assert!(
            e.starts_with("[[id_document]] #1 documentId: column 'PASS' is not in the file"),
            "{e}"
        );
        let e = err(
            "[[custom_field]]\nid = \"A\"\nvalue = \"V\"\ngroup_index = \"IDX\"\n",
            &["V"],
        );
        assert!(
            e.starts_with("[[custom_field]] #1 group_index: column 'IDX'"),
            "{e}"
        );
        let e = err(
            "[[custom_field]]\nid = { column = \"CF\" }\nvalue = \"V\"\n",
            &["V"],
        );
        assert!(e.starts_with("[[custom_field]] #1 id: column 'CF'"), "{e}");
    }

    #[test]
    fn a_used_column_that_appears_twice_is_ambiguous() {
        let e = err(
            "[client]\nhomePhone = \"PHONE\"\n",
            &["ID", "PHONE", "PHONE"],
        );
        assert_eq!(e, "[client] homePhone: column 'PHONE' is ambiguous: the file has it twice (columns 2 and 3)");
    }

    #[test]
    fn an_unused_duplicate_column_is_only_a_warning() {
        let p = compile(
            "[client]\nid = \"ID\"\n",
            &["ID", "PHONE", "PHONE"],
            &tenant(),
            vec![],
        )
        .unwrap();
        assert_eq!(p.warnings().len(), 1);
        assert!(
            p.warnings()[0].contains("two columns named 'PHONE'"),
            "{:?}",
            p.warnings()
        );
    }

    #[test]
    fn resolve_needs_a_tenant() {
        let toml = "[client]\nassignedBranchKey = { column = \"B\", resolve = \"branch\" }\n";
        let e = compile(toml, &["B"], &Tenant::unknown(), vec![])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("[client] assignedBranchKey: resolve = \"branch\" needs the tenant"),
            "{e}"
        );
        assert!(compile(toml, &["B"], &tenant(), vec![]).is_ok());
    }

    #[test]
    fn a_default_must_resolve() {
        let e = err("[client]\nassignedUserKey = { column = \"U\", resolve = \"user\", default = \"ghost\" }\n", &["U"]);
        assert_eq!(
            e,
            "[client] assignedUserKey: default 'ghost' is not a user of the tenant"
        );
    }

    #[test]
    fn an_unknown_custom_field_id_is_a_warning() {
        let toml = "[[custom_field]]\nid = \"Occupation\"\nvalue = \"A\"\n[[custom_field]]\nid = \"Ocupation\"\nvalue = \"B\"\n";
        let p = compile(toml, &["A", "B"], &tenant(), vec![]).unwrap();
        assert_eq!(
            p.warnings(),
            ["[[custom_field]] #2 id: the tenant has no custom field 'Ocupation'; every row with a value will get 903 INVALID_CUSTOM_FIELD_ID"]
        );
        let p = compile(toml, &["A", "B"], &Tenant::unknown(), vec![]).unwrap();
        assert!(
            p.warnings().is_empty(),
            "without a tenant nothing is known to be wrong"
        );
    }

    #[test]
    fn load_warnings_reach_the_plan() {
        let toml =
            "[client]\ngender = { column = \"SEX\", case = \"upper\", map = { m = \"MALE\" } }\n";
        let p = compile(toml, &["SEX"], &tenant(), vec![]).unwrap();
        assert!(
            p.warnings()[0].starts_with("[client] gender: map key 'm' can never match"),
            "{:?}",
            p.warnings()
        );
    }

    #[test]
    fn join_mistakes_name_the_entry() {
        let e = err(JOIN, &["ID"]);
        assert_eq!(
            e,
            "[[join]] adr on: column 'NO' is not in the file (columns: ID)"
        );

        let e = compile(
            &JOIN.replace("client_id\"", "client\""),
            &["NO"],
            &tenant(),
            vec![("addresses.csv", addresses())],
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "[[join]] adr key: column 'client' is not in addresses.csv (columns: client_id, city)"
        );

        let e = compile(
            &JOIN.replace("\"city\"", "\"town\""),
            &["NO"],
            &tenant(),
            vec![("addresses.csv", addresses())],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("[address] city: column 'town' is not in addresses.csv"),
            "{e}"
        );

        let e = compile(JOIN, &["NO"], &tenant(), vec![])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("[[join]] adr: /data/addresses.csv: not served"),
            "{e}"
        );

        assert!(compile(
            JOIN,
            &["NO"],
            &tenant(),
            vec![("addresses.csv", addresses())]
        )
        .is_ok());
    }

    #[test]
    fn a_missing_join_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let m = Mapping::from_toml(JOIN, dir.path()).unwrap();
        let e = m
            .compile(&cols(&["NO"]), &tenant())
            .unwrap_err()
            .to_string();
        let want = format!(
            "[[join]] adr: cannot open {}: no such file",
            dir.path().join("addresses.csv").display()
        );
        assert_eq!(e, want);
    }

    #[test]
    fn join_files_get_the_columns_they_are_read_for() {
        let toml = format!("{JOIN}\n[[id_document]]\nfrom = \"adr\"\ndocumentId = \"doc\"\nissuingAuthority = \"city\"\n");
        let m = Mapping::from_toml(&toml, Path::new("/data")).unwrap();
        let mut seen = Vec::new();
        let mut open =
            |path: &Path, spec: &SourceSpec| -> Result<Box<dyn RowSource>, SourceError> {
                seen.push((path.to_path_buf(), spec.json_paths.clone()));
                Ok(Box::new(VecSource::new(&["doc", "client_id", "city"], &[])))
            };
        m.compile_with(&cols(&["NO"]), &tenant(), &mut open)
            .unwrap();
        assert_eq!(
            seen,
            vec![(
                Path::new("/data/addresses.csv").to_path_buf(),
                cols(&["city", "doc", "client_id"])
            )]
        );
        assert_eq!(
            m.source_spec().json_paths,
            cols(&["NO"]),
            "`on` is a main-file column"
        );
    }
}
