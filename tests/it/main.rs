//! Ferry's integration tests, in one binary: the `ferry` binary and the
//! sandbox over real HTTP, each file one part of the tool. The shared
//! harness is `support`.

mod support;

mod dry_run;
mod export;
mod import;
mod push_client;
mod push_faults;
mod push_rate;
mod reconcile;
mod sandbox_cli;
mod sandbox_clients;
mod sandbox_documents;
mod sandbox_form;
mod sandbox_guards;
mod sandbox_state;
mod tenant;
