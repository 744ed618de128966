//! Input framings shared by the targets: seeds stay readable files (an HTTP answer, a few lines
//! then a body) instead of `arbitrary` byte soup, and the mutator still reaches every byte.

/// An HTTP answer: `STATUS\n`, header lines `Name: value\n`, an empty line, then the body
/// (every byte after it, unchanged). A missing or unreadable status is 500; `\r\n` works too.
pub struct Answer<'a> {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: &'a [u8],
}

impl<'a> Answer<'a> {
    pub fn parse(data: &'a [u8]) -> Self {
        fn next_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
            if rest.is_empty() {
                return None;
            }
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let line = &rest[..end];
            *rest = rest.get(end + 1..).unwrap_or(&[]);
            Some(line.strip_suffix(b"\r").unwrap_or(line))
        }
        let mut rest = data;
        let status = next_line(&mut rest)
            .and_then(|l| std::str::from_utf8(l).ok())
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
            .unwrap_or(500);
        let mut headers = Vec::new();
        while let Some(line) = next_line(&mut rest) {
            if line.is_empty() {
                break;
            }
            let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_owned();
            let value = line.get(colon + 1..).unwrap_or(&[]);
            let value = value.strip_prefix(b" ").unwrap_or(value).to_vec();
            headers.push((name, value));
        }
        Answer {
            status,
            headers,
            body: rest,
        }
    }

    /// The headers as the core doors take them.
    pub fn pairs(&self) -> Vec<(&str, &[u8])> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect()
    }

    /// The first header of this name, as text (answers whose value is not text get `None`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    }
}

/// The first `n` lines of `data` (as lossy text) and the bytes after them.
pub fn lines(data: &[u8], n: usize) -> (Vec<String>, &[u8]) {
    let mut out = Vec::with_capacity(n);
    let mut rest = data;
    for _ in 0..n {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        rest = rest.get(end + 1..).unwrap_or(&[]);
    }
    (out, rest)
}

/// The directory of the test keys of `core/tests/` (compiled in: the targets run from anywhere).
pub fn core_tests(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests")
        .join(file)
}
