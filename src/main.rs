fn main() {
    // Die quietly on a closed pipe (`thematic docs | head`) like other Unix tools, instead of
    // panicking on the next print.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Everything the CLI prints passes the sanitising filter (see `terminal`); it is taken down
    // before the TUI starts and, here, before exit, so that nothing printed is lost.
    thematic::terminal::install();
    let code = std::panic::catch_unwind(thematic::cli::main).unwrap_or(101);
    thematic::terminal::restore();
    std::process::exit(code);
}
