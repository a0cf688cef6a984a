//! `multipart/form-data` framing for uploads (RFC 7578), built once per call.
//!
//! `fetch` gives a `FormData` body a fresh random boundary on every send, so a retried
//! upload would differ in its bytes, and the server, which compares an idempotency key's
//! body byte for byte, would answer 409 instead of replaying. Building the body once with a
//! fixed boundary makes every attempt identical. Only the framing is made here; the file's
//! bytes stay in JS (a `Blob` of prefix + file + suffix).

/// The text around one file part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing {
    /// Everything before the file's bytes.
    pub prefix: String,
    /// Everything after them.
    pub suffix: String,
    /// The request's `Content-Type`, with the boundary.
    pub content_type: String,
}

/// A boundary from 16 random bytes: 32 hex digits, never found in a header line.
pub fn boundary(random: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut b = String::from("----vclient-");
    for byte in random {
        b.push(char::from(HEX[usize::from(byte >> 4)]));
        b.push(char::from(HEX[usize::from(byte & 15)]));
    }
    b
}

/// Quotes a `Content-Disposition` parameter the way browsers do for form data (WHATWG
/// "multipart/form-data encoding"): `"` → `%22`, CR → `%0D`, LF → `%0A`.
fn quote(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The framing for one file field.
pub fn file_part(boundary: &str, field: &str, filename: &str, content_type: &str) -> Framing {
    let prefix = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
        quote(field),
        quote(filename),
        content_type.replace(['\r', '\n'], "")
    );
    Framing {
        prefix,
        suffix: format!("\r\n--{boundary}--\r\n"),
        content_type: format!("multipart/form-data; boundary={boundary}"),
    }
}

/// A MIME type from a file name's extension (the common ones for assets and archives),
/// else `application/octet-stream`, as the reference's `mimetypes.guess_type` would give.
pub fn guess_mime(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e)
        .unwrap_or_default();
    let ext = ext.to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "avif" => "image/avif",
        "bmp" => "image/bmp",
        "ico" => "image/vnd.microsoft.icon",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_is_fixed_and_escaped() {
        let b = boundary(&[0xab; 16]);
        assert_eq!(b, format!("----vclient-{}", "ab".repeat(16)));
        let f = file_part(&b, "data", "map \"old\"\r\n.png", "image/png");
        assert_eq!(
            f.prefix,
            format!("--{b}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"map %22old%22%0D%0A.png\"\r\nContent-Type: image/png\r\n\r\n")
        );
        assert_eq!(f.suffix, format!("\r\n--{b}--\r\n"));
        assert_eq!(f.content_type, format!("multipart/form-data; boundary={b}"));
        // A content type cannot inject header lines.
        assert!(!file_part(&b, "data", "x", "text/plain\r\nX: y")
            .prefix
            .contains("\r\nX: y"));
    }

    #[test]
    fn mime_guesses() {
        assert_eq!(guess_mime("portrait.PNG"), "image/png");
        assert_eq!(guess_mime("sheet.jpeg"), "image/jpeg");
        assert_eq!(guess_mime("logs.zip"), "application/zip");
        assert_eq!(guess_mime("noext"), "application/octet-stream");
        assert_eq!(guess_mime("archive.tar.gz"), "application/octet-stream");
        assert_eq!(guess_mime(".bashrc"), "application/octet-stream");
    }
}
