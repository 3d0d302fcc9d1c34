//! One row's work against the target, and how its answer is settled.
//!
//! In: a valid row's request body, whether an earlier run may already have
//! sent it (SENT in the ledger, and since when), and the mode. Out: the
//! row's new status for the ledger, with the evidence that makes a created
//! client this event's. A create whose answer was lost, or that answers 316
//! CLIENT_ID_ALREADY_IN_USE after an attempt of ours went unanswered, is
//! settled by `GET /api/clients/{id}` under the rule in
//! [`crate::push::ownership`]; a 316 with no unanswered attempt before it is
//! someone else's client, final, and never touched by a revert. A row's
//! documents (profile picture, signature) are uploaded after its create or
//! update and state moves, before its outcome is recorded
//! ([`crate::push::documents`]).

use jiff::Timestamp;
use serde_json::Value;

use std::sync::Arc;

use crate::field_error::FieldError;
use crate::ledger::{ImportMode, RowError, RowStatus, RowUpdate};
use crate::ledger::{Journal, JournalError};
use crate::model::state_moves::state_steps;
use crate::model::ReturnCode;
use crate::push::ownership::{
    carries_what_was_sent, client_of, created_within, creation_date, AttemptWindow, Evidence,
};
use crate::push::row_request::Request;
use crate::push::{upsert_body, Outcome, Target};
use crate::tenant::Tenant;

/// A valid row on its way to the target.
pub struct Job {
    /// 1-based data row number, the row's key in the ledger.
    pub row: u64,
    /// 1-based line of the source file on which the row starts.
    pub line: u64,
    /// The row's request, read once.
    pub request: Request,
    /// The row's source fields, kept in the ledger if the row is rejected.
    pub fields: csv::StringRecord,
    /// SENT by an earlier run: settle before sending again.
    pub in_doubt: bool,
    /// When an earlier run journalled the row SENT (with `in_doubt`).
    pub sent_at: Option<Timestamp>,
}

/// What the work needs besides the row.
pub struct Context {
    /// The rate-limited target every request goes through.
    pub target: Target,
    /// Where each row's outcome is recorded in the ledger.
    pub journal: Journal,
    /// Create only, or update clients that already exist.
    pub mode: ImportMode,
    /// When this run began: the end of the window of a row an earlier run
    /// left SENT.
    pub run_started: Timestamp,
    /// The tenant the rows were checked against: an upsert checks the
    /// merged client with the same rules.
    pub tenant: Arc<Tenant>,
}

/// Why a row's work stopped without an outcome: the row stays SENT (in
/// doubt) and the next resume settles it.
#[derive(Debug, thiserror::Error)]
pub enum RowWorkError {
    /// The journal could not record; the run ends.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The target gave no usable answer to a step after the row was sent.
    #[error("row {row}: {what}")]
    Unsettled {
        /// 1-based data row number.
        row: u64,
        /// Which step got no usable answer, and what came instead.
        what: String,
    },
    /// The row's request body could not be read or written as JSON.
    #[error("row {row}: the request body: {source}")]
    Body {
        /// 1-based data row number.
        row: u64,
        /// What the JSON reader or writer said.
        source: serde_json::Error,
    },
}

/// The row's outcome, as recorded.
pub struct Done {
    /// The change to the row's ledger record: new status, key, error and
    /// evidence (the outcome files are written from the ledger).
    pub update: RowUpdate,
}

/// Does one row's work. Never panics on the target's answers.
pub async fn run(job: &Job, ctx: &Context) -> Result<Done, RowWorkError> {
    let wanted = job.request.wanted_state.as_deref();
    match ctx.mode {
        ImportMode::Create => create(job, ctx, wanted).await,
        ImportMode::Upsert => upsert(job, ctx, wanted).await,
    }
}

/// What a look at the target found under the row's id.
enum Found {
    /// The client is this event's, for this reason.
    Ours(Value, Evidence),
    /// A client with the id exists and nothing shows it is ours.
    Theirs,
    /// No client with the id.
    Absent,
}

async fn create(job: &Job, ctx: &Context, wanted: Option<&str>) -> Result<Done, RowWorkError> {
    if job.in_doubt {
        match look(job, ctx, interrupted_window(job, ctx), true).await? {
            Found::Ours(found, evidence) => {
                return finish_create(job, ctx, found, evidence, wanted).await
            }
            Found::Theirs => return Ok(not_ours(job)),
            Found::Absent => {}
        }
    }
    let answer = ctx.target.create_traced(&job.request.create_body).await;
    match answer.outcome {
        Outcome::Ok { body, .. } => finish_create(job, ctx, body, Evidence::Answered, wanted).await,
        Outcome::Refused {
            code: Some(ReturnCode::ClientIdAlreadyInUse),
            ..
        } => match answer.unanswered {
            // Nothing of ours can have landed: the client was there before.
            None => Ok(not_ours(job)),
            Some(window) => match look(job, ctx, Some(window), false).await? {
                Found::Ours(found, evidence) => {
                    finish_create(job, ctx, found, evidence, wanted).await
                }
                Found::Theirs | Found::Absent => Ok(not_ours(job)),
            },
        },
        Outcome::Unknown { .. } => match look(job, ctx, answer.unanswered, false).await? {
            Found::Ours(found, evidence) => finish_create(job, ctx, found, evidence, wanted).await,
            Found::Theirs => Ok(not_ours(job)),
            // Nothing could have landed: send it again next run.
            Found::Absent if answer.unanswered.is_none() => Ok(unanswered(job)),
            // An attempt may yet be carried out after this look (a request
            // queued at the target): the row stays SENT, so the next run
            // looks again with the whole window before sending.
            Found::Absent => Err(RowWorkError::Unsettled {
                row: job.row,
                what: "no answer, and the client is not on the target yet; \
                       left SENT for the next run to settle"
                    .into(),
            }),
        },
        Outcome::Refused {
            code,
            name,
            source,
            body: text,
            ..
        } => Ok(failed(job, code, &name, source, &text)),
        Outcome::NotFound => Ok(failed(
            job,
            None,
            "NOT_FOUND",
            None,
            "the target answered 404 to a create",
        )),
    }
}

/// The window of a row an earlier run left SENT: from its SENT mark to the
/// start of this run.
fn interrupted_window(job: &Job, ctx: &Context) -> Option<AttemptWindow> {
    job.sent_at.map(|from| AttemptWindow {
        from,
        to: ctx.run_started,
    })
}

/// Looks the row's id up and decides whose the client is. `window` is the
/// span in which an unanswered attempt of ours may have created it; with
/// none, nothing can prove the client ours. `interrupted`: the window is
/// an earlier run's, not an attempt of this one.
async fn look(
    job: &Job,
    ctx: &Context,
    window: Option<AttemptWindow>,
    interrupted: bool,
) -> Result<Found, RowWorkError> {
    let stored = match ctx.target.get_client(&job.request.client_id, true).await {
        Outcome::Ok { body, .. } => body,
        Outcome::NotFound => return Ok(Found::Absent),
        Outcome::Refused { name, .. } => {
            return Err(RowWorkError::Unsettled {
                row: job.row,
                what: format!("looking the client up was refused: {name}"),
            })
        }
        Outcome::Unknown { last_error, .. } => {
            return Err(RowWorkError::Unsettled {
                row: job.row,
                what: format!("looking the client up failed: {last_error}"),
            })
        }
    };
    Ok(
        match ownership_evidence(job, ctx, &stored, window, interrupted) {
            Some(evidence) => Found::Ours(stored, evidence),
            None => Found::Theirs,
        },
    )
}

/// The evidence that `stored` is the client this row's unanswered attempt
/// (or interrupted run) created, if there is any.
fn ownership_evidence(
    job: &Job,
    ctx: &Context,
    stored: &Value,
    window: Option<AttemptWindow>,
    interrupted: bool,
) -> Option<Evidence> {
    let window = window?;
    let sent = job.request.mapped();
    let created = creation_date(stored)?;
    let inside = carries_what_was_sent(stored, sent)
        && created_within(created, window, ctx.target.clock_offset());
    inside.then_some(if interrupted {
        Evidence::AfterInterruptedRun { window, created }
    } else {
        Evidence::AfterUnansweredAttempt { window, created }
    })
}

/// A client with the row's id exists and this event did not create it.
fn not_ours(job: &Job) -> Done {
    failed(
        job,
        Some(ReturnCode::ClientIdAlreadyInUse),
        ReturnCode::ClientIdAlreadyInUse.name(),
        Some("id".into()),
        "already on the target, not created by this event",
    )
}

/// Every attempt failed before it could reach the target (throttled, or no
/// connection) and no client has the id: nothing landed, so the row goes
/// back to PENDING for the next run.
fn unanswered(job: &Job) -> Done {
    let err = RowError::new(
        0,
        "NO_ANSWER",
        "the target did not answer; the row will be sent again by `ferry resume`",
    );
    Done {
        update: RowUpdate::new(job.row, RowStatus::Pending).with_error(err),
    }
}

/// Records a created client, after moving it from the state Mambu gave it
/// to the one the row asks for, by the PATCH moves Mambu allows. A state no
/// move reaches (ACTIVE) is left as Mambu set it, and the row says so.
async fn finish_create(
    job: &Job,
    ctx: &Context,
    stored: Value,
    evidence: Evidence,
    wanted: Option<&str>,
) -> Result<Done, RowWorkError> {
    let client = client_of(&stored);
    let key = client["encodedKey"].as_str().map(str::to_string);
    let current = client["state"]
        .as_str()
        .unwrap_or("PENDING_APPROVAL")
        .to_string();
    let mut note = None;
    let steps = match wanted.map(|w| (w, state_steps(&current, w))) {
        None => Vec::new(),
        Some((_, Some(steps))) => steps,
        Some((w, None)) => {
            note = Some(RowError::from_code(
                ReturnCode::StateNotSettable,
                format!(
                    "created; state {w} cannot be set through the API, the client is {current}"
                ),
            ));
            Vec::new()
        }
    };
    let mut last_modified = client["lastModifiedDate"].as_str().map(str::to_string);
    for state in &steps {
        match ctx.target.patch_state(&job.request.client_id, state).await {
            Outcome::Ok { .. } => {}
            Outcome::Refused {
                code,
                name,
                source,
                body,
                ..
            } => {
                // A retried PATCH whose first answer was lost is refused as a
                // transition to the state the client already has.
                if state_now(ctx, &job.request.client_id).await.as_deref() == Some(*state) {
                    continue;
                }
                // Undo the create so the row is cleanly FAILED, not half done.
                let _ = ctx.target.delete(&job.request.client_id).await;
                return Ok(failed(
                    job,
                    code,
                    &name,
                    source,
                    &format!("setting state {state}: {body}"),
                ));
            }
            Outcome::NotFound | Outcome::Unknown { .. } => {
                return Err(RowWorkError::Unsettled {
                    row: job.row,
                    what: format!("the state change to {state} got no answer"),
                });
            }
        }
    }
    let uploads = super::documents::upload(
        job.row,
        &job.request.client_id,
        key.as_deref(),
        &job.request.documents,
        false,
        ctx,
    )
    .await?;
    if !steps.is_empty() || uploads.changed {
        if let Outcome::Ok { body, .. } = ctx.target.get_client(&job.request.client_id, false).await
        {
            last_modified = client_of(&body)["lastModifiedDate"]
                .as_str()
                .map(str::to_string);
        }
    }
    note = note.or(uploads.note);
    let mut update = RowUpdate::new(job.row, RowStatus::Created).with_evidence(evidence.describe());
    if let Some(k) = key {
        update = update.with_target_key(k);
    }
    if let Some(m) = last_modified {
        update = update.with_last_modified(m);
    }
    if let Some(n) = note {
        update = update.with_error(n);
    }
    Ok(Done { update })
}

async fn state_now(ctx: &Context, id: &str) -> Option<String> {
    match ctx.target.get_client(id, false).await {
        Outcome::Ok { body, .. } => client_of(&body)["state"].as_str().map(str::to_string),
        _ => None,
    }
}

/// An upsert: create when the id is new; otherwise read the stored client
/// (the before-image), lay the row over it (`push::upsert_body`), check the
/// merged client with the dry run's rules (REJECTED if it breaks one, never
/// sent), journal the before-image, update, then PATCH to the wanted state.
async fn upsert(job: &Job, ctx: &Context, wanted: Option<&str>) -> Result<Done, RowWorkError> {
    let existing = match ctx.target.get_client(&job.request.client_id, true).await {
        Outcome::Ok { body, .. } => body,
        Outcome::NotFound => {
            ctx.journal.mark_sent(vec![(job.row, None)]).await?;
            return create(job, ctx, wanted).await;
        }
        Outcome::Refused {
            code,
            name,
            source,
            body,
            ..
        } => return Ok(failed(job, code, &name, source, &body)),
        Outcome::Unknown { last_error, .. } => {
            return Err(RowWorkError::Unsettled {
                row: job.row,
                what: last_error,
            })
        }
    };
    let key = existing["client"]["encodedKey"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if job.in_doubt && ctx.journal.before_image(job.row).await?.is_none() {
        // An earlier run created this client and died before recording it.
        // (One that journalled a before-image found it stored, not created.)
        let window = interrupted_window(job, ctx);
        if let Some(evidence) = ownership_evidence(job, ctx, &existing, window, true) {
            return finish_create(job, ctx, existing, evidence, wanted).await;
        }
    }
    let mapped = job.request.mapped();
    let body = upsert_body::update_body(&existing, mapped);
    let wanted = mapped["client"]["state"].as_str();
    let stored_state = existing["client"]["state"]
        .as_str()
        .unwrap_or("PENDING_APPROVAL")
        .to_string();
    // The client as it will be after the update must pass the dry run's
    // rules; a request bound to fail is never sent.
    if let Some(finding) = super::merge_check::merged_problem(
        &ctx.tenant,
        &existing,
        mapped,
        &body,
        wanted,
        &stored_state,
    ) {
        return Ok(rejected(job, finding));
    }
    // The before-image is committed before the update leaves (an earlier
    // run's image, if any, is the one the ledger keeps).
    ctx.journal
        .mark_sent(vec![(job.row, Some(existing.to_string()))])
        .await?;
    let body = serde_json::to_vec(&body).map_err(|e| RowWorkError::Body {
        row: job.row,
        source: e,
    })?;
    match ctx.target.update(&job.request.client_id, &body).await {
        Outcome::Ok { body, .. } => {
            let mut last_modified = client_of(&body)["lastModifiedDate"]
                .as_str()
                .map(str::to_string);
            let now_state = client_of(&body)["state"]
                .as_str()
                .unwrap_or(&stored_state)
                .to_string();
            let mut error = None;
            if let Some(wanted) = wanted {
                let steps = state_steps(&now_state, wanted);
                if steps.is_none() {
                    error = Some(RowError::from_code(
                        ReturnCode::InvalidClientStateTransition,
                        format!(
                            "updated; the row asks for state {wanted}, which no allowed move reaches from {now_state}: the state was left as it was"
                        ),
                    ));
                }
                let steps = steps.unwrap_or_default();
                for state in &steps {
                    match ctx.target.patch_state(&job.request.client_id, state).await {
                        Outcome::Ok { .. } => {}
                        Outcome::Refused { name, body, .. }
                            if state_now(ctx, &job.request.client_id).await.as_deref()
                                != Some(state) =>
                        {
                            error = Some(RowError::new(
                                0,
                                "STATE_NOT_SET",
                                format!(
                                    "updated, but the state {state} was refused: {name} {}",
                                    short(&body)
                                ),
                            ));
                            break;
                        }
                        Outcome::Refused { .. } => {}
                        Outcome::NotFound | Outcome::Unknown { .. } => {
                            return Err(RowWorkError::Unsettled {
                                row: job.row,
                                what: format!("the state change to {state} got no answer"),
                            });
                        }
                    }
                }
                if !steps.is_empty() {
                    if let Outcome::Ok { body, .. } =
                        ctx.target.get_client(&job.request.client_id, false).await
                    {
                        last_modified = client_of(&body)["lastModifiedDate"]
                            .as_str()
                            .map(str::to_string);
                    }
                }
            }
            let uploads = super::documents::upload(
                job.row,
                &job.request.client_id,
                Some(key.as_str()),
                &job.request.documents,
                true,
                ctx,
            )
            .await?;
            if uploads.changed {
                if let Outcome::Ok { body, .. } =
                    ctx.target.get_client(&job.request.client_id, false).await
                {
                    last_modified = client_of(&body)["lastModifiedDate"]
                        .as_str()
                        .map(str::to_string);
                }
            }
            error = error.or(uploads.note);
            let mut update =
                RowUpdate::new(job.row, RowStatus::Updated).with_target_key(key.clone());
            if let Some(m) = last_modified {
                update = update.with_last_modified(m);
            }
            if let Some(e) = error {
                update = update.with_error(e);
            }
            Ok(Done { update })
        }
        Outcome::Refused {
            code,
            name,
            source,
            body,
            ..
        } => Ok(failed(job, code, &name, source, &body)),
        Outcome::NotFound | Outcome::Unknown { .. } => {
            let err = RowError::new(
                0,
                "NO_ANSWER",
                "the update got no answer; `ferry resume` sends it again",
            );
            Ok(Done {
                update: RowUpdate::new(job.row, RowStatus::Pending).with_error(err),
            })
        }
    }
}

/// A row whose merged client breaks a rule: rejected, never sent.
fn rejected(job: &Job, f: FieldError) -> Done {
    let err = RowError::new(
        i64::from(f.code.code()),
        f.code.name(),
        format!("{}: {}", f.field, f.message),
    );
    Done {
        update: RowUpdate::new(job.row, RowStatus::Rejected)
            .with_error(err)
            .with_source_fields(job.fields.iter()),
    }
}

/// The create body: the row's request without what the server owns (the
/// bytes as they came when there is nothing to take out).
fn failed(
    job: &Job,
    code: Option<ReturnCode>,
    name: &str,
    source: Option<String>,
    text: &str,
) -> Done {
    let message = match source {
        Some(s) => format!("{s}: {}", short(text)),
        None => short(text).to_string(),
    };
    let err = RowError::new(code.map_or(0, |c| i64::from(c.code())), name, message);
    Done {
        update: RowUpdate::new(job.row, RowStatus::Failed)
            .with_error(err)
            .with_source_fields(job.fields.iter()),
    }
}

fn short(s: &str) -> &str {
    match s.char_indices().nth(300) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
