//! The binary: [`tokenctl::main`], plus one check that must run before Rust's runtime does.

fn main() -> std::process::ExitCode {
    tokenctl::main()
}

/// Rust's runtime reopens a closed stdin, stdout or stderr as /dev/null before `main`, so a
/// secret printed with `tokenctl ... >&-` would vanish with exit 0. This constructor runs
/// earlier (from `.init_array`, as the loader calls it) and records whether fd 1 was closed.
#[cfg(target_os = "linux")]
mod stdout_check {
    extern "C" fn check() {
        // SAFETY: F_GETFD only asks whether the descriptor is open; it changes nothing.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            tokenctl::ui::note_stdout_closed_at_start();
        }
    }

    #[used]
    #[unsafe(link_section = ".init_array")]
    static CHECK: extern "C" fn() = check;
}
