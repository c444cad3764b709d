//! The `cabildo` binary: everything lives in the library; see `cabildo::cli`.

fn main() -> std::process::ExitCode {
    // SAFETY: the first thing the process does, before any thread starts.
    unsafe { cabildo::embed::fix_thread_count() };
    cabildo::cli::main()
}
