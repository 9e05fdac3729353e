fn main() -> std::process::ExitCode {
    tokenctl::main()
}
