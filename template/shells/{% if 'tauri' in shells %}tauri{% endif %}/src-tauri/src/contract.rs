//! The desktop runtime contract as this shell speaks it (see the architecture doc in docs/).
//!
//! Standard library only, so that it compiles and its tests run without any crate:
//!
//! ```text
//! rustc --edition 2021 --test src-tauri/src/contract.rs -o contract-tests && ./contract-tests
//! ```
//!
//! It holds every decision that can be plain code: reading the backend's ready line, building
//! the bootstrap URL, deciding where the window may navigate, finding the backend program, and
//! the words of the error shown when the backend fails. `lib.rs` only wires these to Tauri.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The backend's data directory (the shell passes Tauri's local app data dir).
pub const APP_DATA_ENV: &str = "DESKTOP_DJANGO_APP_DATA_DIR";
/// The per-launch session token (32 random bytes as hex).
pub const TOKEN_ENV: &str = "DESKTOP_DJANGO_AUTH_TOKEN";
/// Development only: the Python interpreter to run the backend with.
pub const PYTHON_ENV: &str = "DESKTOP_DJANGO_PYTHON";
/// The backend always listens here.
pub const HOST: &str = "127.0.0.1";
/// `GET` this with `?token=…&next=/…` once: it sets the session cookie and redirects to `next`.
pub const BOOTSTRAP_PATH: &str = "/desktop-auth/bootstrap/";
/// The backend's exit code for a bad configuration (its message is on stderr).
pub const EXIT_BAD_CONFIGURATION: i32 = 2;
/// Random bytes in a session token.
pub const TOKEN_BYTES: usize = 32;
/// How long the backend may take to print its ready line (first start migrates the database,
/// and a frozen backend unpacks itself first).
pub const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// After closing the backend's stdin: its own grace for a running task (10 s by default) plus
/// a margin. Only then is the process tree killed.
pub const STOP_GRACE: Duration = Duration::from_secs(15);
/// Folder of the bundled backend stage under the resource dir (`bundle.resources`).
pub const STAGE_DIR: &str = "backend";
/// The stage's manifest: `{"executable": "<path relative to the stage>", "version": ...}`.
pub const MANIFEST_FILE: &str = "manifest.json";

// -- a small JSON reader (one line of ASCII JSON is all the backend prints) -------------------

/// A parsed JSON value. Numbers keep their text, so integers are read exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The value of `key` if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The value as a non-negative integer (no fraction, no exponent).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
            _ => None,
        }
    }
}

/// Parses one JSON document (RFC 8259); anything after it but whitespace is an error.
pub fn parse_json(text: &str) -> Result<Json, String> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.pos != parser.bytes.len() {
        return Err(format!("unexpected text at byte {}", parser.pos));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, literal: &str) -> Result<(), String> {
        if self.bytes[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(format!("expected {literal} at byte {}", self.pos))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.expect("true").map(|_| Json::Bool(true)),
            Some(b'f') => self.expect("false").map(|_| Json::Bool(false)),
            Some(b'n') => self.expect("null").map(|_| Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(format!("unexpected character at byte {}", self.pos)),
            None => Err("unexpected end of input".to_string()),
        }
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Result<Json, String>) -> Result<Json, String> {
        self.depth += 1;
        if self.depth > 64 {
            return Err("nested too deeply".to_string());
        }
        let value = parse(self);
        self.depth -= 1;
        value
    }

    fn object(&mut self) -> Result<Json, String> {
        self.pos += 1; // {
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(format!("expected a key at byte {}", self.pos));
            }
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(":")?;
            let value = self.value()?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(format!("expected , or }} at byte {}", self.pos)),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.pos += 1; // [
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(format!("expected , or ] at byte {}", self.pos)),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let from = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - from
        };
        let int_start = self.pos;
        let int_digits = digits(self);
        if int_digits == 0 || (int_digits > 1 && self.bytes[int_start] == b'0') {
            return Err(format!("bad number at byte {start}"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(format!("bad number at byte {start}"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(format!("bad number at byte {start}"));
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).map_err(|e| e.to_string())?;
        Ok(Json::Number(text.to_string()))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| format!("bad \\u escape at byte {}", self.pos))?;
        self.pos += 4;
        Ok(u32::from_str_radix(digits, 16).expect("four hex digits"))
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            let run =
                std::str::from_utf8(&self.bytes[start..self.pos]).map_err(|e| e.to_string())?;
            out.push_str(run);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self.peek().ok_or("unterminated escape")?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                // A high surrogate must be followed by an escaped low one.
                                self.expect("\\u")?;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err("unpaired surrogate in string".to_string());
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            out.push(char::from_u32(code).ok_or("unpaired surrogate in string")?);
                        }
                        _ => return Err(format!("bad escape at byte {}", self.pos - 1)),
                    }
                }
                Some(_) => return Err(format!("control character in string at byte {}", self.pos)),
                None => return Err("unterminated string".to_string()),
            }
        }
    }
}

// -- the ready line ----------------------------------------------------------------------------

/// What the shell needs from the backend's ready line.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyInfo {
    pub port: u16,
    pub pid: Option<u32>,
    /// The backend's log file, for error messages.
    pub log_file: Option<String>,
    /// The page the window opens first (`DESKTOP_START_URL` in the project's settings); always a
    /// local path, `/` when the line has none or an unsafe one.
    pub start_url: String,
}

/// `value` if it is a path on the app's own origin (`/…`, not `//host`, no backslash or control
/// characters); the Python side validates it too, this keeps the shell safe on its own.
fn local_path(value: &str) -> Option<&str> {
    let safe = value.starts_with('/')
        && !value.starts_with("//")
        && !value.contains('\\')
        && value.chars().all(|c| c.is_ascii_graphic());
    safe.then_some(value)
}

/// The ready info if `line` is the backend's ready line
/// (`{"event": "ready", "port": N, ...}`), else `None` (any other output is ignored).
pub fn parse_ready_line(line: &str) -> Option<ReadyInfo> {
    let line = line.trim();
    if !line.starts_with('{') {
        return None;
    }
    let value = parse_json(line).ok()?;
    if value.get("event")?.as_str()? != "ready" {
        return None;
    }
    let port = value.get("port")?.as_u64()?;
    if port == 0 || port > u64::from(u16::MAX) {
        return None;
    }
    Some(ReadyInfo {
        port: port as u16,
        pid: value
            .get("pid")
            .and_then(Json::as_u64)
            .and_then(|pid| u32::try_from(pid).ok()),
        log_file: value
            .get("log_file")
            .and_then(Json::as_str)
            .filter(|path| !path.is_empty())
            .map(str::to_string),
        start_url: value
            .get("start_url")
            .and_then(Json::as_str)
            .and_then(local_path)
            .unwrap_or("/")
            .to_string(),
    })
}

/// What to log for a ready line after the first one. In development (`DESKTOP_DJANGO_DEV=1`) the
/// backend runs under a reloader that restarts it after a code edit, on the same port, and prints
/// another ready line: the window keeps its page and origin, so it is only news for the log.
pub fn reload_message(open_port: u16, again: &ReadyInfo) -> String {
    let pid = again.pid.map_or("?".to_string(), |pid| pid.to_string());
    if again.port == open_port {
        format!("backend reloaded (pid {pid}, port {open_port})")
    } else {
        let port = again.port;
        format!("backend reloaded on port {port} (pid {pid}), but the window uses port {open_port}: restart the app")
    }
}

// -- URLs --------------------------------------------------------------------------------------

/// The app's origin: always plain http on the loopback address, with the port from the ready line.
pub fn app_origin(port: u16) -> String {
    format!("http://{HOST}:{port}")
}

/// Percent-encodes everything but RFC 3986's unreserved characters (for a query value).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The URL the main window opens once: it trades the token for an HttpOnly cookie and redirects
/// to `next` (a local path), so the token leaves the address bar and the history.
pub fn bootstrap_url(port: u16, token: &str, next: &str) -> String {
    format!(
        "{}{}?token={}&next={}",
        app_origin(port),
        BOOTSTRAP_PATH,
        percent_encode(token),
        percent_encode(next)
    )
}

/// A URL split into the parts the navigation rules look at.
#[derive(Debug, PartialEq)]
pub struct UrlParts {
    /// Lower case.
    pub scheme: String,
    /// `host[:port]` (lower case), empty for URLs without `//`.
    pub authority: String,
    /// Whether the authority carried `user@`.
    pub has_userinfo: bool,
    /// Path, query and fragment.
    pub rest: String,
}

/// Splits `url` (as WebView engines report it) into scheme, authority and the rest.
pub fn split_url(url: &str) -> Option<UrlParts> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    if !chars.next()?.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let after = &url[colon + 1..];
    let (authority, rest) = match after.strip_prefix("//") {
        Some(tail) => {
            // Backslashes end the authority too: browsers read them as slashes in http(s) URLs.
            let end = tail.find(['/', '?', '#', '\\']).unwrap_or(tail.len());
            (&tail[..end], &tail[end..])
        }
        None => ("", after),
    };
    let (has_userinfo, host_port) = match authority.rfind('@') {
        Some(at) => (true, &authority[at + 1..]),
        None => (false, authority),
    };
    Some(UrlParts {
        scheme: scheme.to_ascii_lowercase(),
        authority: host_port.to_ascii_lowercase(),
        has_userinfo,
        rest: rest.to_string(),
    })
}

/// True if `url` is on the backend's origin (`http://127.0.0.1:<port>`), exactly.
pub fn is_app_url(url: &str, port: u16) -> bool {
    match split_url(url) {
        Some(parts) => {
            parts.scheme == "http"
                && !parts.has_userinfo
                && parts.authority == format!("{HOST}:{port}")
        }
        None => false,
    }
}

/// True for the shell's own pages (the splash), served by Tauri's asset protocol:
/// `tauri://localhost` on macOS and Linux, `http(s)://tauri.localhost` on Windows.
pub fn is_shell_page(url: &str) -> bool {
    match split_url(url) {
        Some(parts) if !parts.has_userinfo => match parts.scheme.as_str() {
            "tauri" => parts.authority == "localhost",
            "http" | "https" => parts.authority == "tauri.localhost",
            _ => false,
        },
        _ => false,
    }
}

/// True if `url` has exactly the scheme, host and port of `origin` (and no `user@`).
pub fn same_origin(url: &str, origin: &str) -> bool {
    match (split_url(url), split_url(origin)) {
        (Some(url), Some(origin)) => {
            !url.has_userinfo
                && !origin.has_userinfo
                && !url.authority.is_empty()
                && url.scheme == origin.scheme
                && url.authority == origin.authority
        }
        _ => false,
    }
}

/// What the window does with a navigation request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Navigation {
    /// The app origin or the shell's own pages: load it in the window.
    Allow,
    /// A web or mail link: hand it to the OS (default browser or mail program).
    OpenExternally,
    /// Anything else (file:, javascript:, data:, custom schemes, user@host tricks): refuse.
    Block,
}

/// The navigation rule. `backend_port` is `None` until the ready line arrived.
pub fn classify_navigation(url: &str, backend_port: Option<u16>) -> Navigation {
    if is_shell_page(url) {
        return Navigation::Allow;
    }
    if let Some(port) = backend_port {
        if is_app_url(url, port) {
            return Navigation::Allow;
        }
    }
    match split_url(url) {
        Some(parts) if parts.has_userinfo => Navigation::Block,
        Some(parts) if parts.scheme == "http" || parts.scheme == "https" => {
            if parts.authority.is_empty() {
                Navigation::Block
            } else {
                Navigation::OpenExternally
            }
        }
        Some(parts) if parts.scheme == "mailto" => Navigation::OpenExternally,
        _ => Navigation::Block,
    }
}

// -- the backend process -----------------------------------------------------------------------

/// How to start the backend.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// Extra environment (on top of the shell's own and [`backend_env`]).
    pub env: Vec<(String, String)>,
}

/// The generated project's root in development: `src-tauri` is `<root>/shells/tauri/src-tauri`.
pub fn dev_project_root(manifest_dir: &Path) -> PathBuf {
    manifest_dir
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir.to_path_buf())
}

/// The Python interpreter for development: `$DESKTOP_DJANGO_PYTHON`, else the project's `.venv`,
/// else `python3` (`python` on Windows) from PATH. `exists` tells whether a file exists.
pub fn pick_python(
    root: &Path,
    env_python: Option<&str>,
    windows: bool,
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    if let Some(python) = env_python.map(str::trim).filter(|p| !p.is_empty()) {
        return PathBuf::from(python);
    }
    let venv = if windows {
        root.join(".venv").join("Scripts").join("python.exe")
    } else {
        root.join(".venv").join("bin").join("python")
    };
    if exists(&venv) {
        return venv;
    }
    PathBuf::from(if windows { "python" } else { "python3" })
}

/// `<python> -m <package>.desktop` from the project root, with the project's source folder
/// (`source_dir`: "src" in a new project, "." for a wrapped flat one) first on PYTHONPATH so
/// that it also runs before `pip install -e .`.
pub fn dev_backend_command(
    root: &Path,
    python: PathBuf,
    module: &str,
    source_dir: &str,
    windows: bool,
    pythonpath: Option<&str>,
) -> BackendCommand {
    let separator = if windows { ";" } else { ":" };
    let folder = if source_dir == "." {
        root.to_path_buf()
    } else {
        root.join(source_dir)
    };
    let src = folder.to_string_lossy().into_owned();
    let path = match pythonpath.filter(|p| !p.is_empty()) {
        Some(existing) => format!("{src}{separator}{existing}"),
        None => src,
    };
    BackendCommand {
        program: python,
        args: vec!["-m".to_string(), module.to_string()],
        cwd: root.to_path_buf(),
        env: vec![("PYTHONPATH".to_string(), path)],
    }
}

/// The packaged backend program named by the stage's manifest, which must stay inside the stage.
/// Both `/` and `\\` separate folders (the stage may have been built on another OS).
pub fn packaged_executable(stage_dir: &Path, manifest: &str) -> Result<PathBuf, String> {
    let value = parse_json(manifest).map_err(|e| format!("{MANIFEST_FILE} is not JSON: {e}"))?;
    let executable = value
        .get("executable")
        .and_then(Json::as_str)
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| format!("{MANIFEST_FILE} names no \"executable\""))?;
    let segments: Vec<&str> = executable
        .split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let absolute = executable.starts_with(['/', '\\']) || executable.contains(':');
    if absolute || segments.is_empty() || segments.contains(&"..") {
        return Err(format!(
            "{MANIFEST_FILE}: \"executable\" must be a path inside the stage, not {executable:?}"
        ));
    }
    Ok(segments
        .iter()
        .fold(stage_dir.to_path_buf(), |path, part| path.join(part)))
}

/// The contract's environment for one launch.
pub fn backend_env(app_data_dir: &Path, token: &str) -> Vec<(String, String)> {
    vec![
        (
            APP_DATA_ENV.to_string(),
            app_data_dir.to_string_lossy().into_owned(),
        ),
        (TOKEN_ENV.to_string(), token.to_string()),
    ]
}

/// `DESKTOP_DJANGO_APP_DATA_DIR` if already set (tests, portable installs), else Tauri's.
pub fn resolve_app_data_dir(preset: Option<&str>, tauri_default: PathBuf) -> PathBuf {
    match preset.map(str::trim).filter(|p| !p.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => tauri_default,
    }
}

/// Lower-case hex of `bytes` (a token is 32 random bytes → 64 characters).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the backend logs when it never got as far as its ready line.
pub fn default_log_file(app_data_dir: &Path) -> PathBuf {
    app_data_dir.join("logs").join("backend.log")
}

/// The command that kills the backend's whole process tree (backend and its task worker).
/// On Unix the backend leads its own process group, so the group is killed.
pub fn kill_tree_command(pid: u32, windows: bool) -> (String, Vec<String>) {
    if windows {
        let args = ["/PID", &pid.to_string(), "/T", "/F"].map(str::to_string);
        ("taskkill".to_string(), args.to_vec())
    } else {
        let args = ["-KILL", "--", &format!("-{pid}")].map(str::to_string);
        ("kill".to_string(), args.to_vec())
    }
}

/// Why the backend stopped, in words, from its exit code (`None`: killed by a signal).
pub fn describe_exit(code: Option<i32>) -> String {
    match code {
        Some(0) => "the backend stopped (exit code 0)".to_string(),
        Some(EXIT_BAD_CONFIGURATION) => {
            "the backend refused its configuration (exit code 2)".to_string()
        }
        Some(code) => format!("the backend stopped with exit code {code}"),
        None => "the backend was killed by a signal".to_string(),
    }
}

/// The last lines a process wrote (its stderr), for error messages.
#[derive(Debug, Default)]
pub struct TailBuffer {
    lines: VecDeque<String>,
}

impl TailBuffer {
    pub const MAX_LINES: usize = 20;

    pub fn push(&mut self, line: &str) {
        let line = line.trim_end();
        if line.is_empty() {
            return;
        }
        if self.lines.len() == Self::MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line.chars().take(500).collect());
    }

    pub fn text(&self) -> String {
        self.lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// The error shown when the backend cannot start or stops on its own. It names the log file.
pub fn failure_message(product: &str, reason: &str, log_file: &Path, stderr_tail: &str) -> String {
    let mut message = format!(
        "{product} could not run its local server: {reason}.\n\n\
         The log file has the details:\n{}",
        log_file.display()
    );
    if !stderr_tail.trim().is_empty() {
        message.push_str("\n\nLast messages:\n");
        message.push_str(stderr_tail.trim());
    }
    message
}

/// A JSON string literal (for the shell's own one-line status output).
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const READY: &str = r#"{"event":"ready","port":50123,"pid":4242,"url":"http://127.0.0.1:50123/","health_url":"http://127.0.0.1:50123/health/","bootstrap_path":"/desktop-auth/bootstrap/","log_file":"C:\\Users\\Ana\\AppData\\Local\\com.example.app\\logs\\backend.log","app_data_dir":"C:\\Users\\Ana\\AppData\\Local\\com.example.app","version":"0.1.0","startup_ms":812}"#;

    #[test]
    fn reads_the_ready_line_the_backend_prints() {
        let info = parse_ready_line(READY).expect("a ready line");
        assert_eq!(info.port, 50123);
        assert_eq!(info.pid, Some(4242));
        assert_eq!(
            info.log_file.as_deref(),
            Some(r"C:\Users\Ana\AppData\Local\com.example.app\logs\backend.log")
        );
        assert_eq!(info.start_url, "/");
    }

    #[test]
    fn a_later_ready_line_is_a_reload_on_the_same_port() {
        let first = parse_ready_line(READY).unwrap();
        let again = r#"{"event":"ready","port":50123,"pid":4343}"#;
        let again = parse_ready_line(again).expect("a later ready line is still a ready line");
        assert_eq!(
            reload_message(first.port, &again),
            "backend reloaded (pid 4343, port 50123)"
        );
        let moved = ReadyInfo {
            port: 50124,
            pid: None,
            ..again
        };
        let message = reload_message(first.port, &moved);
        assert!(message.starts_with("backend reloaded on port 50124 (pid ?)"));
        assert!(message.ends_with("the window uses port 50123: restart the app"));
    }

    #[test]
    fn start_url_is_a_local_path_or_the_root() {
        let with = |start: &str| {
            let line = format!(r#"{{"event":"ready","port":1,"start_url":{start:?}}}"#);
            parse_ready_line(&line).unwrap().start_url
        };
        assert_eq!(with("/catalog/"), "/catalog/");
        for unsafe_value in [
            "//evil.example/",
            "https://evil.example/",
            "/a\\b",
            "/a b",
            "",
        ] {
            assert_eq!(with(unsafe_value), "/", "{unsafe_value:?}");
        }
    }

    #[test]
    fn ready_line_with_spaces_and_a_trailing_newline() {
        let line =
            "{\"event\": \"ready\", \"port\": 8000, \"pid\": 1, \"log_file\": \"/tmp/l.log\"}\r\n";
        assert_eq!(parse_ready_line(line).map(|i| i.port), Some(8000));
    }

    #[test]
    fn non_ascii_paths_arrive_escaped_and_are_decoded() {
        // Python's json.dumps(ensure_ascii=True): é is \u00e9, 😀 a surrogate pair.
        let line = r#"{"event":"ready","port":1234,"log_file":"/home/Ren\u00e9/\ud83d\ude00/backend.log"}"#;
        let info = parse_ready_line(line).unwrap();
        assert_eq!(info.log_file.as_deref(), Some("/home/René/😀/backend.log"));
    }

    #[test]
    fn other_output_is_not_a_ready_line() {
        for line in [
            "",
            "Operations to perform:",
            "{\"event\":\"starting\",\"port\":80}",
            "{\"event\":\"ready\"}",
            "{\"event\":\"ready\",\"port\":0}",
            "{\"event\":\"ready\",\"port\":65536}",
            "{\"event\":\"ready\",\"port\":-1}",
            "{\"event\":\"ready\",\"port\":80.5}",
            "{\"event\":\"ready\",\"port\":\"80\"}",
            "{\"event\":\"ready\",\"port\":80",
            "{\"event\":\"ready\",\"port\":80} trailing",
            "[\"ready\"]",
        ] {
            assert_eq!(parse_ready_line(line), None, "{line:?}");
        }
    }

    #[test]
    fn json_reader_handles_the_whole_grammar() {
        let value =
            parse_json(r#" {"a": [1, -2.5e3, true, false, null, {}], "b": "x\"\\\/\b\f\n\r\t"} "#)
                .unwrap();
        let a = value.get("a").unwrap();
        assert_eq!(
            a,
            &Json::Array(vec![
                Json::Number("1".into()),
                Json::Number("-2.5e3".into()),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null,
                Json::Object(vec![]),
            ])
        );
        assert_eq!(
            value.get("b").unwrap().as_str(),
            Some("x\"\\/\u{8}\u{c}\n\r\t")
        );
        for bad in [
            "",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "[1,]",
            "01",
            "1.",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "nul",
            "{} {}",
        ] {
            assert!(parse_json(bad).is_err(), "{bad:?} should not parse");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse_json(&deep).is_err());
    }

    #[test]
    fn bootstrap_url_percent_encodes_token_and_next() {
        let token = hex(&[0xab; TOKEN_BYTES]);
        assert_eq!(token.len(), 64);
        assert_eq!(
            bootstrap_url(50123, &token, "/"),
            format!("http://127.0.0.1:50123/desktop-auth/bootstrap/?token={token}&next=%2F")
        );
        assert_eq!(
            bootstrap_url(8000, "a b&c=d", "/notes/?q=1&x=é#top"),
            "http://127.0.0.1:8000/desktop-auth/bootstrap/?token=a%20b%26c%3Dd\
             &next=%2Fnotes%2F%3Fq%3D1%26x%3D%C3%A9%23top"
        );
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn the_app_origin_is_exactly_loopback_http_and_the_port() {
        assert!(is_app_url("http://127.0.0.1:8000/", 8000));
        assert!(is_app_url("http://127.0.0.1:8000/notes/?a=1#x", 8000));
        assert!(is_app_url("HTTP://127.0.0.1:8000", 8000));
        for url in [
            "http://127.0.0.1:8001/",
            "http://127.0.0.1/",
            "https://127.0.0.1:8000/",
            "http://localhost:8000/",
            "http://127.0.0.1:80001/",
            "http://127.0.0.1:8000@evil.example/",
            "http://user@127.0.0.1:8000/",
            "http://127.0.0.1:8000.evil.example/",
            "http://evil.example/http://127.0.0.1:8000/",
            "ws://127.0.0.1:8000/",
            "127.0.0.1:8000",
        ] {
            assert!(!is_app_url(url, 8000), "{url}");
        }
    }

    #[test]
    fn navigation_rules() {
        use Navigation::*;
        let port = Some(50123);
        let cases = [
            ("tauri://localhost/index.html", None, Allow),
            ("http://tauri.localhost/index.html", None, Allow),
            ("https://tauri.localhost/", None, Allow),
            (
                "http://127.0.0.1:50123/desktop-auth/bootstrap/?token=x&next=%2F",
                port,
                Allow,
            ),
            ("http://127.0.0.1:50123/notes/", port, Allow),
            // Before the ready line nothing but the splash is allowed.
            ("http://127.0.0.1:50123/", None, OpenExternally),
            ("http://127.0.0.1:50124/", port, OpenExternally),
            ("https://www.djangoproject.com/", port, OpenExternally),
            ("http://example.org", port, OpenExternally),
            ("mailto:someone@example.org", port, OpenExternally),
            ("MAILTO:someone@example.org", port, OpenExternally),
            ("http://127.0.0.1:50123@evil.example/", port, Block),
            ("https://user:pw@example.org/", port, Block),
            ("http:///no-host", port, Block),
            ("file:///etc/passwd", port, Block),
            ("javascript:alert(1)", port, Block),
            ("data:text/html,<h1>x</h1>", port, Block),
            ("tauri://evil/", port, Block),
            ("ftp://example.org/", port, Block),
            ("custom-scheme://open", port, Block),
            ("about:blank", port, Block),
            ("not a url", port, Block),
            ("", port, Block),
        ];
        for (url, port, expected) in cases {
            assert_eq!(classify_navigation(url, port), expected, "{url}");
        }
    }

    #[test]
    fn same_origin_compares_scheme_host_and_port() {
        let dev = "http://127.0.0.1:1430";
        assert!(same_origin("http://127.0.0.1:1430/index.html", dev));
        assert!(same_origin(
            "http://127.0.0.1:1430",
            "http://127.0.0.1:1430/"
        ));
        for url in [
            "http://127.0.0.1:1431/",
            "https://127.0.0.1:1430/",
            "http://127.0.0.1:1430@evil.example/",
            "http://localhost:1430/",
            "file:///index.html",
        ] {
            assert!(!same_origin(url, dev), "{url}");
        }
        assert!(!same_origin("file:///a", "file:///b"));
    }

    #[test]
    fn split_url_stops_the_authority_at_backslashes() {
        let parts = split_url("http://127.0.0.1:8000\\@evil.example/").unwrap();
        assert_eq!(parts.authority, "127.0.0.1:8000");
        assert!(!parts.has_userinfo);
        assert_eq!(parts.rest, "\\@evil.example/");
        assert_eq!(split_url("1http://x"), None);
    }

    #[test]
    fn development_command_runs_the_project_python_module() {
        let root = Path::new("/work/app");
        let manifest_dir = root.join("shells").join("tauri").join("src-tauri");
        assert_eq!(dev_project_root(&manifest_dir), root);

        let venv = root.join(".venv").join("bin").join("python");
        let only_venv = |p: &Path| p == venv.as_path();
        assert_eq!(pick_python(root, None, false, only_venv), venv);
        assert_eq!(
            pick_python(root, Some(" /opt/py/bin/python3 "), false, only_venv),
            PathBuf::from("/opt/py/bin/python3")
        );
        assert_eq!(
            pick_python(root, Some(""), false, |_| false),
            PathBuf::from("python3")
        );
        let win_venv = root.join(".venv").join("Scripts").join("python.exe");
        assert_eq!(
            pick_python(root, None, true, |p| p == win_venv.as_path()),
            win_venv
        );
        assert_eq!(
            pick_python(root, None, true, |_| false),
            PathBuf::from("python")
        );

        let command = dev_backend_command(
            root,
            venv.clone(),
            "my_app.desktop",
            "src",
            false,
            Some("/x"),
        );
        assert_eq!(command.program, venv);
        assert_eq!(command.args, ["-m", "my_app.desktop"]);
        assert_eq!(command.cwd, root);
        let src = root.join("src").to_string_lossy().into_owned();
        assert_eq!(
            command.env,
            [("PYTHONPATH".to_string(), format!("{src}:/x"))]
        );
        let windows = dev_backend_command(
            root,
            venv.clone(),
            "my_app.desktop",
            "src",
            true,
            Some("C:\\lib"),
        );
        assert_eq!(windows.env[0].1, format!("{src};C:\\lib"));
        // A wrapped flat project imports from its root; a nested one from its folder.
        let flat = dev_backend_command(root, venv.clone(), "mysite.desktop", ".", false, None);
        let root_text = root.to_string_lossy().into_owned();
        assert_eq!(flat.env, [("PYTHONPATH".to_string(), root_text)]);
        let nested = dev_backend_command(root, venv, "config.desktop", "backend/src", false, None);
        let nested_src = root.join("backend/src").to_string_lossy().into_owned();
        assert_eq!(nested.env[0].1, nested_src);
    }

    #[test]
    fn packaged_command_comes_from_the_stage_manifest() {
        let stage = Path::new("/opt/My App/resources/backend");
        let manifest = r#"{"executable": "my-app-backend/my-app-backend", "version": "0.1.0"}"#;
        assert_eq!(
            packaged_executable(stage, manifest).unwrap(),
            stage.join("my-app-backend").join("my-app-backend")
        );
        let windows = r#"{"executable": "my-app-backend\\my-app-backend.exe"}"#;
        assert!(packaged_executable(stage, windows).is_ok());
        for bad in [
            "",
            "{}",
            r#"{"executable": ""}"#,
            r#"{"executable": 3}"#,
            r#"{"executable": "../../bin/sh"}"#,
            r#"{"executable": "/bin/sh"}"#,
            r#"{"executable": "x\\..\\..\\evil.exe"}"#,
        ] {
            assert!(packaged_executable(stage, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environment_and_app_data() {
        let dir = Path::new("/home/ana/.local/share/com.example.app");
        let env = backend_env(dir, "t0k3n");
        assert_eq!(
            env,
            [
                (APP_DATA_ENV.to_string(), dir.to_string_lossy().into_owned()),
                (TOKEN_ENV.to_string(), "t0k3n".to_string()),
            ]
        );
        assert!(!env.iter().any(|(k, _)| k == "DJANGO_SETTINGS_MODULE"));
        assert_eq!(resolve_app_data_dir(None, dir.into()), dir);
        assert_eq!(resolve_app_data_dir(Some("  "), dir.into()), dir);
        assert_eq!(
            resolve_app_data_dir(Some("/tmp/x"), dir.into()),
            Path::new("/tmp/x")
        );
        assert_eq!(default_log_file(dir), dir.join("logs").join("backend.log"));
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }

    #[test]
    fn kill_tree_commands() {
        let (program, args) = kill_tree_command(4242, true);
        assert_eq!(program, "taskkill");
        assert_eq!(args, ["/PID", "4242", "/T", "/F"]);
        let (program, args) = kill_tree_command(4242, false);
        assert_eq!(program, "kill");
        assert_eq!(args, ["-KILL", "--", "-4242"]);
        assert!(
            STOP_GRACE > Duration::from_secs(10),
            "longer than the backend's own grace"
        );
    }

    #[test]
    fn failure_message_names_the_log_file_and_the_last_messages() {
        let mut tail = TailBuffer::default();
        for i in 0..30 {
            tail.push(&format!("line {i}\n"));
        }
        tail.push("   ");
        let text = tail.text();
        assert!(
            text.starts_with("line 10\n") && text.ends_with("line 29"),
            "{text}"
        );
        let log = Path::new("/data/logs/backend.log");
        let message = failure_message("Field Notes", &describe_exit(Some(2)), log, &text);
        assert!(message.starts_with("Field Notes could not run its local server: "));
        assert!(message.contains("refused its configuration (exit code 2)"));
        assert!(message.contains("/data/logs/backend.log"));
        assert!(message.contains("Last messages:\nline 10"));
        let bare = failure_message("X", &describe_exit(None), log, "");
        assert!(!bare.contains("Last messages"));
        assert!(bare.contains("killed by a signal"));
        assert_eq!(
            describe_exit(Some(1)),
            "the backend stopped with exit code 1"
        );
    }

    #[test]
    fn json_string_round_trips_through_the_reader() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "line\nbreak\ttab\u{1}",
            "é 😀 \u{2028}",
        ] {
            let literal = json_string(text);
            assert_eq!(
                parse_json(&literal).unwrap().as_str(),
                Some(text),
                "{literal}"
            );
        }
    }
}
