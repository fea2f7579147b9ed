//! `wsconform`: the command line. Wiring only; the commands live in `cli/`.

mod cli;

/// Checking a message allocates (JSON values, transcript and inbox entries): a faster allocator
/// for the whole process, embedded server included.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
