//! The `ferry` binary: parse the command line, run, exit with Ferry's code.

fn main() -> std::process::ExitCode {
    ferry::cli::main()
}
