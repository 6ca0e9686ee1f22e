pub fn run(path: &std::path::Path, coder: &str) -> crate::Result<()> {
    let _ = (path, coder);
    Ok(())
}
