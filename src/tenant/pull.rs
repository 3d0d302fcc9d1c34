//! `ferry tenant pull`: the tenant as its API v1 describes it.
//!
//! In: a connected `push::Target` and, optionally, a declared tenant file
//! for what the API does not expose. Out: a `TenantSchema` in the tenant
//! file's format, with `notes` saying where each part came from, checked
//! by `Tenant::from_schema`; and `write` puts it in a file only its owner
//! can read. Fails with `PullError` when a route is refused, unreachable
//! or answers in another shape.
//!
//! Routes, as Mambu's API v1 reference gives them: `GET /api/customfieldsets?type=CLIENT_INFO`,
//! `GET /api/branches`, `/api/centres` and `/api/users` (paged with
//! `offset`/`limit`), `GET /api/clienttypes?for=CLIENTS`,
//! `GET /api/settings/iddocumenttemplates` and `GET /api/settings/general`
//! (default client role and state, required assignments, duplicate-client
//! checks and their one action, which the tenant file keeps as they are).
//! Client-creation notification templates and whether documents outside
//! the templates are accepted are not in API v1: they come from the
//! declared file or take Mambu's defaults, and the notes say which.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{
    Branch, Centre, ClientRole, DuplicateAction, DuplicateCheckField, IdDocumentTemplate, Tenant,
    TenantError, TenantSchema, User,
};
use crate::model::CustomFieldSet;
use crate::push::{Outcome, Target};

/// The page size asked for: Mambu v1's largest.
const PAGE: usize = 1000;

/// The routes read, for the notes.
const ROUTES: &str = "GET /api/customfieldsets?type=CLIENT_INFO, /api/branches, /api/centres, \
                      /api/users, /api/clienttypes?for=CLIENTS, /api/settings/iddocumenttemplates, \
                      /api/settings/general";

/// Why the tenant could not be pulled.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    /// The target answered a route with a refusal (4xx).
    #[error("GET {route}: the target refused it ({reason})")]
    Refused {
        /// The route asked.
        route: String,
        /// Its answer, in short.
        reason: String,
    },
    /// The target gave no answer to a route, retries included.
    #[error("GET {route}: the target did not answer ({reason})")]
    Unreachable {
        /// The route asked.
        route: String,
        /// The last failure.
        reason: String,
    },
    /// A route answered, but not in Mambu's v1 shape.
    #[error("GET {route}: the answer is not in Mambu's shape: {reason}")]
    Shape {
        /// The route asked.
        route: String,
        /// What did not fit.
        reason: String,
    },
    /// The tenant read from the target contradicts itself.
    #[error("the pulled tenant cannot be used: {0}")]
    Inconsistent(#[from] TenantError),
    /// The tenant file could not be written.
    #[error("cannot write the tenant file {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl PullError {
    /// Whether the target could not be reached at all (exit 3 rather than 2).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }
}

/// Reads the tenant through the target's API. `declared` supplies what
/// the API does not expose; `declared_label` names it in the notes.
pub async fn pull(
    target: &Target,
    declared: Option<(&TenantSchema, &str)>,
) -> Result<TenantSchema, PullError> {
    let origin = target.origin();
    let mut custom_field_sets: Vec<CustomFieldSet> = typed(
        "/api/customfieldsets?type=CLIENT_INFO",
        get(target, &["customfieldsets"], Some("type=CLIENT_INFO")).await?,
    )?;
    for set in &mut custom_field_sets {
        for field in set.custom_fields.iter_mut().flatten() {
            selection_values(field);
        }
    }
    let branches: Vec<Branch> = typed("/api/branches", all(target, "branches").await?)?;
    let centres: Vec<Centre> = typed("/api/centres", all(target, "centres").await?)?;
    let users: Vec<User> = typed("/api/users", all(target, "users").await?)?;
    let id_document_templates: Vec<IdDocumentTemplate> = typed(
        "/api/settings/iddocumenttemplates",
        get(target, &["settings", "iddocumenttemplates"], None).await?,
    )?;
    let general = get(target, &["settings", "general"], None).await?;
    let settings = General::read(&general)?;
    let client_roles = client_roles(
        get(target, &["clienttypes"], Some("for=CLIENTS")).await?,
        settings.default_role.as_deref(),
    )?;

    let mut notes = vec![format!(
        "Read through Mambu's API v1 at {origin}: {ROUTES}."
    )];
    let (allow_other_id_documents, notification_templates) = match declared {
        Some((d, label)) => {
            notes.push(format!(
                "allowOtherIdDocuments: not exposed by the API; kept from {label} ({}).",
                d.allow_other_id_documents
            ));
            notes.push(format!(
                "notificationTemplates: not exposed by the API; {} kept from {label}.",
                d.notification_templates.len()
            ));
            (d.allow_other_id_documents, d.notification_templates.clone())
        }
        None => {
            notes.push(
                "allowOtherIdDocuments: not exposed by the API; Mambu's default (true) assumed — \
                 set it here if the tenant refuses documents outside its templates."
                    .into(),
            );
            notes.push(
                "notificationTemplates: not exposed by the API; none declared. Declare the tenant's \
                 active client-creation e-mail and SMS templates here: otherwise Ferry cannot tell \
                 that an import would notify every migrated client."
                    .into(),
            );
            (true, Vec::new())
        }
    };
    let name = match declared.and_then(|(d, _)| d.name.as_deref()) {
        Some(n) => format!("{n} (pulled from {origin})"),
        None => format!("pulled from {origin}"),
    };
    let schema = TenantSchema {
        name: Some(name),
        custom_field_sets,
        id_document_templates,
        allow_other_id_documents,
        branches,
        centres,
        users,
        client_roles,
        duplicate_client_checks: settings.checks,
        duplicate_client_constraint_action: Some(settings.action),
        legacy_duplicate_checks: (),
        branch_required: settings.branch_required,
        credit_officer_required: settings.credit_officer_required,
        default_client_state: settings.default_state,
        notification_templates,
        notes,
    };
    Tenant::from_schema(schema.clone())?;
    Ok(schema)
}

/// Writes `schema` to `path` as the tenant file's pretty JSON, readable by
/// its owner only (the file names staff, branches and settings). Written
/// beside and renamed over, so a reader never sees half a file.
pub fn write(path: &Path, schema: &TenantSchema) -> Result<(), PullError> {
    let err = |source| PullError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    crate::report::create_private_dir(dir).map_err(err)?;
    // A named temporary file is created 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    std::io::Write::write_all(&mut tmp, &to_bytes(schema)).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// The tenant file's bytes: pretty JSON and a final newline.
pub fn to_bytes(schema: &TenantSchema) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(schema).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// One GET, its JSON body or why not.
async fn get(target: &Target, segments: &[&str], query: Option<&str>) -> Result<Value, PullError> {
    let route = format!(
        "/api/{}{}",
        segments.join("/"),
        query.map(|q| format!("?{q}")).unwrap_or_default()
    );
    match target.get_api(segments, query).await {
        Outcome::Ok { body, .. } => Ok(body),
        Outcome::Refused { status, name, .. } => Err(PullError::Refused {
            route,
            reason: format!("HTTP {status} {name}"),
        }),
        Outcome::NotFound => Err(PullError::Refused {
            route,
            reason: "HTTP 404".into(),
        }),
        Outcome::Unknown {
            attempts,
            last_error,
        } => Err(PullError::Unreachable {
            route,
            reason: format!("{attempts} attempts, last: {last_error}"),
        }),
    }
}

/// Every item of a paged list, page by page until a short one.
async fn all(target: &Target, resource: &str) -> Result<Value, PullError> {
    let mut items = Vec::new();
    loop {
        let query = format!("offset={}&limit={PAGE}", items.len());
        let page = get(target, &[resource], Some(&query)).await?;
        let Value::Array(page) = page else {
            return Err(PullError::Shape {
                route: format!("/api/{resource}"),
                reason: "not a JSON array".into(),
            });
        };
        let n = page.len();
        items.extend(page);
        if n < PAGE {
            return Ok(Value::Array(items));
        }
    }
}

fn typed<T: DeserializeOwned>(route: &str, v: Value) -> Result<T, PullError> {
    serde_json::from_value(v).map_err(|e| PullError::Shape {
        route: route.to_string(),
        reason: e.to_string(),
    })
}

/// Mambu v1 lists a SELECTION field's options as
/// `customFieldSelectionOptions[].value`; the tenant file keeps `values`.
fn selection_values(field: &mut crate::model::CustomFieldDefinition) {
    if field.values.is_some() {
        return;
    }
    if let Some(Value::Array(options)) = field.extra.get("customFieldSelectionOptions") {
        let values: Vec<String> = options
            .iter()
            .filter_map(|o| o.get("value").and_then(Value::as_str).map(str::to_string))
            .collect();
        if !values.is_empty() {
            field.values = Some(values);
        }
    }
}

/// Client types for clients, the default one marked by the general settings.
fn client_roles(v: Value, default_role: Option<&str>) -> Result<Vec<ClientRole>, PullError> {
    let route = "/api/clienttypes?for=CLIENTS";
    let Value::Array(types) = v else {
        return Err(PullError::Shape {
            route: route.into(),
            reason: "not a JSON array".into(),
        });
    };
    let mut roles = Vec::new();
    for t in types {
        if t.get("clientType")
            .and_then(Value::as_str)
            .is_some_and(|c| c != "CLIENT")
        {
            continue;
        }
        let text = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
        let Some(encoded_key) = text("encodedKey") else {
            return Err(PullError::Shape {
                route: route.into(),
                reason: "a client type has no encodedKey".into(),
            });
        };
        roles.push(ClientRole {
            is_default: default_role == Some(encoded_key.as_str()),
            encoded_key,
            id: text("id"),
            name: text("name"),
            can_have_address: t
                .get("useDefaultAddress")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        });
    }
    Ok(roles)
}

/// What `GET /api/settings/general` says about clients.
struct General {
    default_role: Option<String>,
    default_state: Option<String>,
    branch_required: bool,
    credit_officer_required: bool,
    /// Active checks, in the target's order.
    checks: Vec<DuplicateCheckField>,
    action: DuplicateAction,
}

impl General {
    fn read(v: &Value) -> Result<Self, PullError> {
        let shape = |reason: String| PullError::Shape {
            route: "/api/settings/general".into(),
            reason,
        };
        if !v.is_object() {
            return Err(shape("not a JSON object".into()));
        }
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let constraints: Vec<&str> = v
            .get("assignmentConstraints")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut checks = Vec::new();
        for c in v
            .get("duplicateClientChecks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // Objects in v1 (`{dataField, active}`), plain names in v2.
            let (field, active) = match c {
                Value::String(s) => (Some(s.as_str()), true),
                _ => (
                    c.get("dataField").and_then(Value::as_str),
                    c.get("active").and_then(Value::as_bool).unwrap_or(true),
                ),
            };
            let Some(field) = field else { continue };
            let field: DuplicateCheckField =
                serde_json::from_value(Value::String(field.to_string()))
                    .map_err(|_| shape(format!("unknown duplicate-client check {field:?}")))?;
            if active && !checks.contains(&field) {
                checks.push(field);
            }
        }
        let action = match text("duplicateClientConstraintAction") {
            Some(a) => serde_json::from_value(Value::String(a.clone()))
                .map_err(|_| shape(format!("unknown duplicateClientConstraintAction {a:?}")))?,
            None => DuplicateAction::None,
        };
        Ok(Self {
            default_role: text("defaultClientRoleKey"),
            default_state: text("defaultClientState"),
            branch_required: constraints.contains(&"BRANCH"),
            credit_officer_required: constraints.contains(&"CREDIT_OFFICER"),
            checks,
            action,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_settings_in_v1_and_v2_forms() {
        let g = General::read(&serde_json::json!({
            "defaultClientRoleKey": "r1",
            "defaultClientState": "INACTIVE",
            "assignmentConstraints": ["BRANCH"],
            "duplicateClientChecks": [
                {"dataField": "EMAIL", "active": true},
                {"dataField": "HOME_PHONE", "active": false},
                "MOBILE_PHONE"
            ],
            "duplicateClientConstraintAction": "ERROR"
        }))
        .unwrap();
        assert_eq!(g.default_role.as_deref(), Some("r1"));
        assert_eq!(g.default_state.as_deref(), Some("INACTIVE"));
        assert!(g.branch_required && !g.credit_officer_required);
        assert_eq!(
            (g.checks, g.action),
            (
                vec![DuplicateCheckField::Email, DuplicateCheckField::MobilePhone],
                DuplicateAction::Error
            )
        );
        let none = General::read(&serde_json::json!({})).unwrap();
        assert_eq!((none.checks, none.action), (vec![], DuplicateAction::None));
    }

    #[test]
    fn selection_options_become_values_and_the_default_type_is_marked() {
        let mut f: crate::model::CustomFieldDefinition =
            serde_json::from_value(serde_json::json!({
                "id": "Risk", "dataType": "SELECTION",
                "customFieldSelectionOptions": [{"value": "LOW"}, {"value": "HIGH"}]
            }))
            .unwrap();
        selection_values(&mut f);
        assert_eq!(f.values, Some(vec!["LOW".to_string(), "HIGH".to_string()]));
        let roles = client_roles(
            serde_json::json!([
                {"encodedKey": "g", "clientType": "GROUP"},
                {"encodedKey": "a", "id": "IND", "useDefaultAddress": false, "clientType": "CLIENT"},
                {"encodedKey": "b", "id": "STAFF"}
            ]),
            Some("b"),
        )
        .unwrap();
        assert_eq!(
            roles
                .iter()
                .map(|r| (r.encoded_key.as_str(), r.can_have_address, r.is_default))
                .collect::<Vec<_>>(),
            [("a", false, false), ("b", true, true)]
        );
    }
}
