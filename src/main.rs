fn main() {
    // Die quietly on a closed pipe (`thematic docs | head`) like other Unix tools, instead of
    // panicking on the next print.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(thematic::cli::main());
}
