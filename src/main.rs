//! The `cabildo` binary: everything lives in the library; see `cabildo::cli`.

fn main() -> std::process::ExitCode {
    cabildo::cli::main()
}
