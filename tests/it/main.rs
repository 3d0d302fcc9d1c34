//! Ferry's integration tests, in one binary: the `ferry` binary and the
//! sandbox over real HTTP, each file one part of the tool. The shared
//! harness is `support`.

mod support;

mod cli_conventions;
mod documents;
mod dry_run;
mod event_page;
mod export;
mod export_legacy;
mod import;
mod joins;
mod mapping_init;
mod progress;
mod push_client;
mod push_faults;
mod push_rate;
mod reconcile;
mod report_files;
mod round_trip;
mod sandbox_cli;
mod sandbox_clients;
mod sandbox_documents;
mod sandbox_form;
mod sandbox_guards;
mod sandbox_state;
mod tenant;
