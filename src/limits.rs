//! Limits on what the bot reads, enforced while reading: files are read through
//! [`read_file`], which refuses what is not a regular file (a named pipe would block for ever, a
//! device such as `/dev/zero` never ends) and reads at most its limit plus one byte, whatever
//! the file's metadata claims. The shape limits of a fact base (lines, values, nesting, array
//! length, diagnostics shown) live with its loader, `facts::load`.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file could not be read within its limit.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The path names something other than a regular file.
    #[error("it is {0}, not a regular file; pass the path of a file")]
    NotAFile(&'static str),
    /// The file holds more than the limit.
    #[error("it is larger than the {} limit", bytes(*.0))]
    TooLarge(u64),
}

/// Reads the regular file at `path`, at most `limit` bytes of it. A named pipe, a device, a
/// socket or a folder is refused without blocking; a file that grows past the limit while it
/// is read is refused after `limit + 1` bytes.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opening a named pipe for reading blocks until a writer comes; non-blocking, it does not.
    // The flag changes nothing for a regular file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file: File = options.open(path)?;
    // The type of what was opened, not of what the path named a moment before.
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotAFile(describe(kind)));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, for a message.
fn describe(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// A byte count as people write it: "8 MiB", "4 KiB", "100 bytes".
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n.is_multiple_of(1 << 20) => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n.is_multiple_of(1 << 10) => format!("{} KiB", n >> 10),
        n => format!("{} bytes", thousands(n)),
    }
}

/// A count with thousands separators: 4193002 → "4,193,002".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes_read_as_people_write_them() {
        assert_eq!(thousands(4_193_002), "4,193,002");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(bytes(8 * 1024 * 1024), "8 MiB");
        assert_eq!(bytes(4096), "4 KiB");
        assert_eq!(bytes(1500), "1,500 bytes");
    }

    #[test]
    fn a_file_is_read_up_to_its_limit_and_no_further() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").expect("write");
        assert_eq!(read_file(&path, 5).expect("at the limit"), b"12345");
        assert!(matches!(read_file(&path, 4), Err(ReadError::TooLarge(4))));
        assert!(matches!(
            read_file(dir.path(), 4),
            Err(ReadError::NotAFile("a folder") | ReadError::Io(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading() {
        // /dev/zero's metadata says 0 bytes; reading it never ends.
        let e = read_file(Path::new("/dev/zero"), 16).expect_err("a device");
        assert_eq!(
            e.to_string(),
            "it is a device, not a regular file; pass the path of a file"
        );
    }
}
