//! `wsconform`: the command line. Wiring only; the commands live in `cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
