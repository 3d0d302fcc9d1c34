//! `ferry sandbox`: serve the Mambu-compatible API until Ctrl-C.

use super::args::SandboxArgs;
use super::{report_error, Exit};

pub fn run(a: SandboxArgs) -> Exit {
    let _ = a;
    report_error(&"the sandbox is not available in this build");
    Exit::BadInput
}
