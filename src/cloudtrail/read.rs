//! Reading CloudTrail input: files, directories (the S3 layout
//! `AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/*.json.gz`, semantics doc §5.1) and
//! standard input, gzip'd or not, in every container CloudTrail records travel in (§5.1): log
//! files `{"Records": [...]}`, `aws cloudtrail lookup-events` output, EventBridge events, JSON
//! Lines, bare arrays, single records, and test fixtures that embed any of these.
//!
//! **Memory is bounded by the records kept, not by the trail.** The container is recognised from
//! the content as it streams: a `Records` or `Events` array and a top-level array are read one
//! element at a time as raw text, JSON Lines one line at a time, and each piece is first put
//! through a cheap substring pre-filter ([`must_parse`]) that looks only at the values following
//! `eventName`; a record that cannot be of the route family is counted and dropped without being
//! parsed. Only records of the family (and recognised-unsupported ones) are kept. A regular file
//! that is one plain log file is read the same way, but several times faster, from a large window
//! with serde_json's slice reader (`ReadResult::read_log_file`); anything else in it sends the
//! file back to the streaming reader.
//!
//! Reading never stops at a bad file: a broken gzip stream or broken JSON becomes a
//! [`FileError`] naming the path and, where known, the line; records read before the break are
//! kept, and the other files are read.

use super::decode::{self, Decoded, is_relevant};
use super::record::{EC2_EVENT_SOURCE, Position, RawRecord, Record};
use flate2::read::MultiGzDecoder;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use walkdir::WalkDir;

/// How the records of a file were packed, recognised from the content (never from the name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Container {
    /// A CloudTrail log file: `{"Records": [...]}`.
    Records,
    /// `aws cloudtrail lookup-events` output (`{"Events": [{"CloudTrailEvent": "<json>"}]}`), or
    /// one such entry per document or line.
    LookupEvents,
    /// An EventBridge "AWS API Call via CloudTrail" event; the record is its `detail`.
    EventBridge,
    /// One JSON document per line (blank lines skipped).
    JsonLines,
    /// Several multi-line JSON documents one after another.
    Concatenated,
    /// A bare JSON array of records (or of any of the above).
    Array,
    /// A single bare record.
    Record,
    /// Records nested somewhere inside another document (a test fixture, a detection rule).
    Embedded,
    /// No content at all.
    Empty,
}

impl Container {
    pub fn name(self) -> &'static str {
        match self {
            Container::Records => "records",
            Container::LookupEvents => "lookup-events",
            Container::EventBridge => "eventbridge",
            Container::JsonLines => "json-lines",
            Container::Concatenated => "concatenated",
            Container::Array => "array",
            Container::Record => "record",
            Container::Embedded => "embedded",
            Container::Empty => "empty",
        }
    }
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a file under a directory was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// A CloudTrail integrity digest (`CloudTrail-Digest` in the path, §5.1).
    Digest,
    /// Not named `.json`, `.json.gz`, `.jsonl`, `.jsonl.gz`, `.ndjson` or `.ndjson.gz`.
    NotALogFile,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason: SkipReason,
}

/// A file (or part of one) that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", display_path(&self.path), self.reason)
    }
}

/// One file that was read (wholly or up to an error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSummary {
    pub path: PathBuf,
    /// `None` when the file broke before its container could be told.
    pub container: Option<Container>,
    /// Records read from the file, kept or not.
    pub records: usize,
    /// Of which kept.
    pub kept: usize,
}

/// Everything read from a set of inputs. Every record read is either in `records` or counted in
/// `ignored`, exactly once.
#[derive(Clone, Debug, Default)]
pub struct ReadResult {
    /// Records of the route family and recognised-unsupported EC2 calls, in reading order.
    pub records: Vec<Record>,
    /// Every file read, in reading order.
    pub files: Vec<FileSummary>,
    /// Files under a directory that were not read.
    pub skipped: Vec<SkippedFile>,
    /// Records read and not kept: other services, other EC2 calls, Insight events (no
    /// `eventName`), and values that are not records at all.
    pub ignored: usize,
    /// Of `ignored`, how many the substring pre-filter dropped without parsing them.
    pub prefiltered: usize,
    pub errors: Vec<FileError>,
}

/// How the kept records decode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub changes: usize,
    pub unsupported: usize,
    pub malformed: usize,
    /// Records of the family that failed (`errorCode` present), whatever they decode to.
    pub failed: usize,
}

/// A progress report: the file just read, files so far, records so far.
pub type Progress = Box<dyn FnMut(&Path, usize, usize)>;

thread_local! {
    /// The progress hook of [`read_inputs_with_progress`], called after each file and every
    /// [`PROGRESS_EVERY`] records within one (a single large file shows progress too).
    static ON_FILE: std::cell::RefCell<Option<Progress>> = const { std::cell::RefCell::new(None) };
}

/// Records between two progress reports within a file.
const PROGRESS_EVERY: usize = 1 << 16;

/// Calls the progress hook, if one is set, with the file being read and the counts so far.
fn report_progress(path: &Path, files: usize, records: usize) {
    ON_FILE.with(|hook| {
        if let Some(report) = hook.borrow_mut().as_mut() {
            report(path, files, records);
        }
    });
}

/// As [`read_inputs`], calling `progress(file, files so far, records so far)` after each file
/// and every 65,536 records within a file (the CLI shows it on a terminal during long reads).
pub fn read_inputs_with_progress(paths: &[PathBuf], progress: Progress) -> ReadResult {
    ON_FILE.with(|hook| *hook.borrow_mut() = Some(progress));
    let result = read_inputs(paths);
    ON_FILE.with(|hook| *hook.borrow_mut() = None);
    result
}

/// Reads every input in order: files, directories (walked in sorted order), and `-` for
/// standard input.
pub fn read_inputs(paths: &[PathBuf]) -> ReadResult {
    let mut result = ReadResult::default();
    for p in paths {
        result.read_path(p);
    }
    result
}

impl ReadResult {
    pub fn files_read(&self) -> usize {
        self.files.len()
    }

    pub fn files_skipped(&self) -> usize {
        self.skipped.len()
    }

    /// Records read: kept plus ignored.
    pub fn records_read(&self) -> usize {
        self.records.len() + self.ignored
    }

    /// Each kept record with its decoding.
    pub fn decoded(&self) -> impl Iterator<Item = (&Record, Decoded)> + '_ {
        self.records.iter().map(|r| (r, decode::decode(r)))
    }

    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for (r, d) in self.decoded() {
            t.failed += usize::from(r.failed());
            match d {
                Decoded::Change(_) => t.changes += 1,
                Decoded::Unsupported(_) => t.unsupported += 1,
                Decoded::Malformed(_) => t.malformed += 1,
                Decoded::Ignored => {}
            }
        }
        t
    }

    /// Orders the records by `eventTime` (§5.1: neither files nor records within a file are in
    /// order); equal times keep their reading order, and records without a readable time go last.
    pub fn sort_by_time(&mut self) {
        self.records.sort_by_key(|r| (r.time.is_none(), r.time));
    }

    /// Reads one input: a file, a directory, or `-` for standard input. Explicitly named files
    /// are read whatever their name, except digests.
    pub fn read_path(&mut self, path: &Path) {
        if path == Path::new("-") {
            self.read_from(path, io::stdin().lock());
            return;
        }
        match std::fs::metadata(path) {
            Err(e) => self.error(path, format!("cannot open: {e}")),
            Ok(m) if m.is_dir() => self.read_dir(path),
            Ok(_) => {
                let name = path.file_name().map(Path::new).unwrap_or(path);
                if is_digest(name) {
                    self.skip(path, SkipReason::Digest);
                } else {
                    self.read_file(path);
                }
            }
        }
    }

    fn read_dir(&mut self, dir: &Path) {
        for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
            match entry {
                Err(e) => {
                    let p = e.path().unwrap_or(dir).to_path_buf();
                    self.error(&p, format!("cannot walk: {e}"));
                }
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) => {
                    let p = e.path();
                    let rel = p.strip_prefix(dir).unwrap_or(p);
                    if is_digest(rel) {
                        self.skip(p, SkipReason::Digest);
                    } else if !is_log_name(p) {
                        self.skip(p, SkipReason::NotALogFile);
                    } else {
                        self.read_file(p);
                    }
                }
            }
        }
    }

    fn read_file(&mut self, path: &Path) {
        self.read_file_inner(path);
        let (files, records) = (self.files.len() + self.errors.len(), self.records_read());
        report_progress(path, files, records);
    }

    fn read_file_inner(&mut self, path: &Path) {
        let mut f = match File::open(path) {
            Ok(f) => f,
            Err(e) => return self.error(path, format!("cannot open: {e}")),
        };
        // A regular file can be read again: try the fast path for plain log files first.
        if f.metadata().is_ok_and(|m| m.is_file()) {
            if self.read_log_file(path, &mut f) {
                return;
            }
            if let Err(e) = f.rewind() {
                return self.error(path, format!("cannot read: {e}"));
            }
        }
        self.read_from(path, f)
    }

    /// The fast path for the common case, a regular file holding one CloudTrail log file
    /// (`{"Records": [...]}`, gzip'd or not, with nothing else in it): the same result as
    /// [`ReadResult::read_from`], several times faster, because each element is taken from a
    /// large window with serde_json's slice reader instead of its byte-at-a-time `io::Read`
    /// reader. Memory stays bounded: the window holds one chunk of the stream (more only for a
    /// record longer than that).
    ///
    /// It accepts only what it reads exactly as `read_from` would; for anything else (another
    /// container, another key, an element that is not an object, broken JSON or gzip, ...) it
    /// undoes what it recorded and returns false, and the caller reads the file again with
    /// `read_from`, which gives the usual result and errors.
    fn read_log_file(&mut self, path: &Path, f: &mut File) -> bool {
        let mark = (
            self.records.len(),
            self.ignored,
            self.prefiltered,
            self.errors.len(),
        );
        let mut sink = Sink {
            file: path.to_path_buf(),
            result: self,
            container: Some(Container::Records),
            records: 0,
            kept: 0,
        };
        let done = fast_log_file(f, &mut sink).is_some();
        let (records, kept) = (sink.records, sink.kept);
        if done {
            self.files.push(FileSummary {
                path: path.to_path_buf(),
                container: Some(Container::Records),
                records,
                kept,
            });
        } else {
            self.records.truncate(mark.0);
            self.ignored = mark.1;
            self.prefiltered = mark.2;
            self.errors.truncate(mark.3);
        }
        done
    }

    /// Reads one stream as if it were the file `name`: gzip is recognised by its magic bytes
    /// (several members are read as one stream), the container by the content.
    pub fn read_from(&mut self, name: &Path, mut reader: impl Read) {
        let mut head = [0u8; 2];
        let mut n = 0;
        while n < 2 {
            match reader.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error(name, format!("cannot read: {e}"));
                    return;
                }
            }
        }
        let gzip = n == 2 && head == [0x1f, 0x8b];
        let chained = io::Cursor::new(head[..n].to_vec()).chain(reader);
        let src: Box<dyn Read + '_> = if gzip {
            Box::new(MultiGzDecoder::new(chained))
        } else {
            Box::new(chained)
        };
        let named_gz = name
            .file_name()
            .and_then(|f| f.to_str())
            .is_some_and(|f| f.to_ascii_lowercase().ends_with(".gz"));
        let mut input = Input::new(src);
        let mut sink = Sink {
            file: name.to_path_buf(),
            result: self,
            container: None,
            records: 0,
            kept: 0,
        };
        let outcome = parse(&mut input, &mut sink, gzip);
        let summary = FileSummary {
            path: name.to_path_buf(),
            container: sink.container,
            records: sink.records,
            kept: sink.kept,
        };
        self.files.push(summary);
        if let Err(mut reason) = outcome {
            if named_gz && !gzip {
                reason = format!("not gzip data (no gzip header) and {reason}");
            }
            self.error(name, reason);
        }
    }

    fn error(&mut self, path: &Path, reason: String) {
        self.errors.push(FileError {
            path: path.to_path_buf(),
            reason,
        });
    }

    fn skip(&mut self, path: &Path, reason: SkipReason) {
        self.skipped.push(SkippedFile {
            path: path.to_path_buf(),
            reason,
        });
    }
}

fn display_path(p: &Path) -> String {
    if p == Path::new("-") {
        "<stdin>".into()
    } else {
        p.display().to_string()
    }
}

fn is_digest(p: &Path) -> bool {
    p.to_string_lossy().contains("CloudTrail-Digest")
}

/// `.json`, `.json.gz`, `.jsonl`, `.jsonl.gz`, `.ndjson`, `.ndjson.gz`, any case.
fn is_log_name(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|f| f.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".json", ".jsonl", ".ndjson"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

// ---------------------------------------------------------------------------------------------
// The pre-filter.

/// Whether a piece of raw JSON text must be parsed, or is certainly one record (or one value
/// that is not a record) that the reader would not keep.
///
/// It looks at the word after every `eventName` / `EventName` (skipping quotes, backslashes,
/// colons and blanks, so that `"eventName": "X"` and lookup-events' escaped `\"eventName\":\"X\"`
/// both give `X`): any word that is a family or unsupported call name, or no word at all, means
/// "parse". Text that could hold several records (more than one `eventName`, or a `"Records"`
/// key) or that uses `\u` escapes (which could spell a name) is always parsed. The check is
/// sound: a relevant record is never dropped.
pub fn must_parse(raw: &str) -> bool {
    if raw.contains("\\u") || raw.contains("\"Records\"") {
        return true;
    }
    let bytes = raw.as_bytes();
    let mut lower = 0;
    for (i, _) in raw.match_indices("ventName") {
        match i.checked_sub(1).map(|j| bytes[j]) {
            Some(b'e') => lower += 1,
            Some(b'E') => {}
            _ => continue,
        }
        let rest = &raw[i + "ventName".len()..];
        let word = rest.trim_start_matches(['"', '\\', ':', ' ', '\t', '\r', '\n']);
        let end = word
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(word.len());
        let word = &word[..end];
        if word.is_empty() || is_relevant(word) {
            return true;
        }
    }
    lower > 1
}

// ---------------------------------------------------------------------------------------------
// Input with line counting.

/// A buffered reader that counts the newlines consumed, so that positions can name lines. The
/// count is shared (`Rc<Cell>`) with the deserialisation seeds, which run while serde_json
/// borrows the reader.
struct Input<'a> {
    src: Box<dyn Read + 'a>,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    newlines: Rc<Cell<u64>>,
}

impl<'a> Input<'a> {
    fn new(src: Box<dyn Read + 'a>) -> Input<'a> {
        Input {
            src,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            newlines: Rc::new(Cell::new(0)),
        }
    }

    /// The 1-based line of the next byte.
    fn line(&self) -> u64 {
        self.newlines.get() + 1
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.fill_buf()?.first().copied())
    }

    fn skip_ws(&mut self) -> io::Result<()> {
        loop {
            let b = self.fill_buf()?;
            if b.is_empty() {
                return Ok(());
            }
            let n = b
                .iter()
                .take_while(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
                .count();
            let all = n == b.len();
            self.consume(n);
            if !all {
                return Ok(());
            }
        }
    }

    /// Skips a UTF-8 byte-order mark. Byte by byte: the buffer may hold fewer than three bytes
    /// here (the gzip sniff reads two). A file that starts 0xEF without being a BOM is not JSON
    /// and fails in the parser either way.
    fn skip_bom(&mut self) -> io::Result<()> {
        for b in [0xEF, 0xBB, 0xBF] {
            if self.peek()? != Some(b) {
                return Ok(());
            }
            self.consume(1);
        }
        Ok(())
    }
}

impl BufRead for Input<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.len {
            loop {
                match self.src.read(&mut self.buf) {
                    Ok(n) => {
                        self.len = n;
                        self.pos = 0;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(&self.buf[self.pos..self.len])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.len - self.pos);
        let nl = self.buf[self.pos..self.pos + n]
            .iter()
            .filter(|&&c| c == b'\n')
            .count() as u64;
        self.newlines.set(self.newlines.get() + nl);
        self.pos += n;
    }
}

impl Read for Input<'_> {
    #[inline]
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // serde_json reads one byte at a time: keep that path short.
        if let ([slot], Some(&b)) = (&mut *out, self.buf[..self.len].get(self.pos)) {
            *slot = b;
            self.pos += 1;
            if b == b'\n' {
                self.newlines.set(self.newlines.get() + 1);
            }
            return Ok(1);
        }
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------
// Container recognition and streaming.

/// At most this many broken lines are reported per JSON Lines file before it is abandoned.
const MAX_LINE_ERRORS: usize = 20;
/// How deep the search for records embedded in another document goes.
const MAX_EMBED_DEPTH: usize = 8;

fn io_reason(e: &io::Error, gzip: bool) -> String {
    if gzip {
        format!("cannot decompress gzip data: {e}")
    } else {
        format!("cannot read: {e}")
    }
}

/// serde_json's message without its own position, with the absolute line instead.
fn json_reason(e: &serde_json::Error, unit_line: u64, gzip: bool) -> String {
    let full = e.to_string();
    let msg = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    let line = unit_line + (e.line() as u64).saturating_sub(1);
    if e.is_io() {
        // The stream broke; the position is where the JSON reader was when it did.
        let what = if gzip {
            "cannot decompress gzip data"
        } else {
            "cannot read"
        };
        return format!("{what}: {msg} (at line {line})");
    }
    let what = if e.is_data() {
        "unexpected JSON"
    } else {
        "invalid JSON"
    };
    format!("{what} at line {line} column {}: {msg}", e.column())
}

/// What one top-level JSON value held.
enum Outcome {
    Found(Container),
    /// Neither a record nor a container of records.
    Nothing,
}

fn parse(input: &mut Input<'_>, sink: &mut Sink<'_>, gzip: bool) -> Result<(), String> {
    let io = |e: io::Error| io_reason(&e, gzip);
    input.skip_bom().map_err(io)?;
    input.skip_ws().map_err(io)?;
    let Some(first) = input.peek().map_err(io)? else {
        sink.container = Some(Container::Empty);
        return Ok(());
    };
    if first != b'{' && first != b'[' {
        return Err(format!(
            "not JSON: the content starts with {}, not {{ or [",
            describe_byte(first)
        ));
    }
    let start = input.line();
    let first = stream_unit(input, sink, start, gzip)?;
    let end = input.line();
    input.skip_ws().map_err(io)?;
    if input.peek().map_err(io)?.is_none() {
        return match first {
            Outcome::Found(c) => {
                sink.container = Some(c);
                Ok(())
            }
            Outcome::Nothing => Err(
                "no CloudTrail record found: expected {\"Records\": [...]}, lookup-events output, \
                 an EventBridge event, an array or JSON Lines of records, or one record"
                    .into(),
            ),
        };
    }
    if let Outcome::Nothing = first {
        sink.ignore();
    }
    if end == start {
        // The first document was one line and another follows: JSON Lines.
        sink.container = Some(Container::JsonLines);
        read_lines(input, sink, gzip)
    } else {
        sink.container = Some(Container::Concatenated);
        loop {
            input.skip_ws().map_err(io)?;
            if input.peek().map_err(io)?.is_none() {
                return Ok(());
            }
            let start = input.line();
            if let Outcome::Nothing = stream_unit(input, sink, start, gzip)? {
                sink.ignore();
            }
        }
    }
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("{:?}", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// Streams one top-level JSON value (object or array) starting at the current position. serde
/// consumes exactly through its closing bracket, so the input can be used again afterwards.
fn stream_unit(
    input: &mut Input<'_>,
    sink: &mut Sink<'_>,
    start: u64,
    gzip: bool,
) -> Result<Outcome, String> {
    let newlines = input.newlines.clone();
    let mut de = serde_json::Deserializer::from_reader(&mut *input);
    Unit {
        sink,
        newlines,
        start,
    }
    .deserialize(&mut de)
    .map_err(|e| json_reason(&e, start, gzip))
}

/// JSON Lines after the first line: each line pre-filtered, then parsed on its own, so that a
/// broken line costs only itself.
fn read_lines(input: &mut Input<'_>, sink: &mut Sink<'_>, gzip: bool) -> Result<(), String> {
    let mut buf = Vec::new();
    let mut broken = 0;
    loop {
        buf.clear();
        let line = input.line();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_reason(&e, gzip))?;
        if n == 0 {
            return Ok(());
        }
        let bytes = buf.trim_ascii();
        if bytes.is_empty() {
            continue;
        }
        let problem = match std::str::from_utf8(bytes) {
            Err(_) => Some("not UTF-8 text".to_string()),
            Ok(text) => {
                let whole = text.starts_with('{') && text.ends_with('}');
                if whole && !must_parse(text) {
                    sink.result.prefiltered += 1;
                    sink.ignore();
                    None
                } else {
                    match serde_json::from_str::<Value>(text) {
                        Ok(v) => {
                            sink.slot(v, Position::new(line, ""));
                            None
                        }
                        Err(e) => Some(json_reason(&e, line, gzip)),
                    }
                }
            }
        };
        if let Some(p) = problem {
            broken += 1;
            let reason = if p.starts_with("invalid JSON") {
                p
            } else {
                format!("line {line}: {p}")
            };
            sink.result.errors.push(FileError {
                path: sink.file.clone(),
                reason,
            });
            if broken >= MAX_LINE_ERRORS {
                return Err(format!(
                    "{MAX_LINE_ERRORS} broken lines; the rest of the file was not read"
                ));
            }
        }
    }
}

/// The seed for one top-level value: an object is scanned key by key (a `Records` or `Events`
/// array is streamed, other keys are kept as values); an array is streamed.
struct Unit<'s, 'r> {
    sink: &'s mut Sink<'r>,
    newlines: Rc<Cell<u64>>,
    start: u64,
}

impl<'de> DeserializeSeed<'de> for Unit<'_, '_> {
    type Value = Outcome;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Outcome, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unit<'_, '_> {
    type Value = Outcome;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or array holding CloudTrail records")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outcome, A::Error> {
        let mut rest = Map::new();
        let mut streamed = None;
        while let Some(key) = map.next_key::<String>()? {
            let kind = match key.as_str() {
                "Records" if streamed.is_none() => Some((Container::Records, SlotKind::Record)),
                "Events" if streamed.is_none() => Some((Container::LookupEvents, SlotKind::Any)),
                _ => None,
            };
            match kind {
                Some((container, slot)) => {
                    // Known from here on, even if the stream breaks inside the array.
                    if self.sink.container.is_none() {
                        self.sink.container = Some(container);
                    }
                    map.next_value_seed(Elements {
                        sink: &mut *self.sink,
                        newlines: self.newlines.clone(),
                        pointer: format!("/{key}"),
                        slot,
                    })?;
                    streamed = Some(container);
                }
                None => {
                    let v: Value = map.next_value()?;
                    rest.insert(key, v);
                }
            }
        }
        Ok(match streamed {
            Some(c) => Outcome::Found(c),
            None => self
                .sink
                .document(Value::Object(rest), Position::new(self.start, "")),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Outcome, A::Error> {
        if self.sink.container.is_none() {
            self.sink.container = Some(Container::Array);
        }
        Elements {
            sink: self.sink,
            newlines: self.newlines,
            pointer: String::new(),
            slot: SlotKind::Any,
        }
        .visit_seq(seq)?;
        Ok(Outcome::Found(Container::Array))
    }
}

/// What an element of a streamed array is.
#[derive(Clone, Copy)]
enum SlotKind {
    /// A `Records` element: a record by definition.
    Record,
    /// An `Events` or top-level array element: a record or a container of records.
    Any,
}

/// The seed for a streamed array: each element is taken as raw text, pre-filtered, and parsed
/// only if it may matter.
struct Elements<'s, 'r> {
    sink: &'s mut Sink<'r>,
    newlines: Rc<Cell<u64>>,
    pointer: String,
    slot: SlotKind,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            let text = raw.get();
            // The element has been consumed through its last byte: its first line is the
            // current line less the newlines inside it.
            let pos = || {
                let nl = text.bytes().filter(|&c| c == b'\n').count() as u64;
                let line = (self.newlines.get() + 1).saturating_sub(nl).max(1);
                Position::new(line, format!("{}/{i}", self.pointer))
            };
            self.sink.raw(text, pos, self.slot);
            i += 1;
        }
        Ok(())
    }
}

/// Where records go: kept ones into the result, the others counted.
struct Sink<'r> {
    file: PathBuf,
    result: &'r mut ReadResult,
    container: Option<Container>,
    records: usize,
    kept: usize,
}

impl Sink<'_> {
    /// One value read that is not kept.
    fn ignore(&mut self) {
        self.records += 1;
        self.result.ignored += 1;
        self.tick();
    }

    /// A progress report every `PROGRESS_EVERY` records of this file.
    #[inline]
    fn tick(&self) {
        if self.records.is_multiple_of(PROGRESS_EVERY) {
            let files = self.result.files.len() + self.result.errors.len();
            report_progress(&self.file, files, self.result.records_read());
        }
    }

    /// One element of a streamed array, as raw text; its position is only worked out (and
    /// allocated) for an element that passes the pre-filter.
    fn raw(&mut self, text: &str, pos: impl FnOnce() -> Position, slot: SlotKind) {
        if !must_parse(text) {
            self.result.prefiltered += 1;
            self.ignore();
            return;
        }
        match (serde_json::from_str::<Value>(text), slot) {
            (Ok(v), SlotKind::Record) => self.record(v, pos()),
            (Ok(v), SlotKind::Any) => self.slot(v, pos()),
            // serde_json validated the raw value already; count it rather than lose it.
            (Err(_), _) => self.ignore(),
        }
    }

    /// A value in a record's place (a line, an array element): its records, or itself as one
    /// value that is not a record.
    fn slot(&mut self, v: Value, pos: Position) {
        if !self.collect(v, &pos, 0) {
            self.ignore();
        }
    }

    /// A whole document (not streamed): what it held.
    fn document(&mut self, v: Value, pos: Position) -> Outcome {
        let kind = match &v {
            Value::Object(m) if m.get("Records").is_some_and(Value::is_array) => Container::Records,
            Value::Object(m)
                if m.get("Events").is_some_and(Value::is_array)
                    || m.get("CloudTrailEvent").is_some_and(Value::is_string) =>
            {
                Container::LookupEvents
            }
            Value::Object(m) if is_eventbridge(m) => Container::EventBridge,
            Value::Object(m) if looks_like_record(m) => Container::Record,
            Value::Array(_) => Container::Array,
            _ => Container::Embedded,
        };
        if self.collect(v, &pos, 0) {
            Outcome::Found(kind)
        } else {
            Outcome::Nothing
        }
    }

    /// Finds the records in a parsed value; false when it holds none and is none.
    fn collect(&mut self, v: Value, pos: &Position, depth: usize) -> bool {
        let mut map = match v {
            Value::Object(m) => m,
            Value::Array(items) => {
                let mut found = false;
                if depth < MAX_EMBED_DEPTH {
                    for (i, item) in items.into_iter().enumerate() {
                        found |= self.collect(item, &pos.child(&i.to_string()), depth + 1);
                    }
                }
                return found;
            }
            _ => return false,
        };
        if matches!(map.get("Records"), Some(Value::Array(_) | Value::Null)) {
            if let Some(Value::Array(records)) = map.remove("Records") {
                let base = pos.child("Records");
                for (i, r) in records.into_iter().enumerate() {
                    self.record(r, base.child(&i.to_string()));
                }
            }
            return true;
        }
        if matches!(map.get("Events"), Some(Value::Array(_))) {
            if let Some(Value::Array(events)) = map.remove("Events") {
                let base = pos.child("Events");
                for (i, e) in events.into_iter().enumerate() {
                    self.slot(e, base.child(&i.to_string()));
                }
            }
            return true;
        }
        if map.get("CloudTrailEvent").is_some_and(Value::is_string) {
            self.lookup_entry(map, pos);
            return true;
        }
        if is_eventbridge(&map) {
            let detail = map.remove("detail").unwrap_or(Value::Null);
            self.record(detail, pos.child("detail"));
            return true;
        }
        if looks_like_record(&map) {
            self.record(Value::Object(map), pos.clone());
            return true;
        }
        if depth >= MAX_EMBED_DEPTH {
            return false;
        }
        let mut found = false;
        for (k, child) in map {
            if child.is_object() || child.is_array() {
                found |= self.collect(child, &pos.child(&k), depth + 1);
            }
        }
        found
    }

    /// One lookup-events entry: the record is the JSON text in `CloudTrailEvent`; the entry's
    /// own fields fill what the record lacks.
    fn lookup_entry(&mut self, mut entry: Map<String, Value>, pos: &Position) {
        let pos = pos.child("CloudTrailEvent");
        let Some(Value::String(text)) = entry.remove("CloudTrailEvent") else {
            self.ignore();
            return;
        };
        let inner = match serde_json::from_str::<Value>(&text) {
            Ok(v) => v,
            Err(e) => {
                self.result.errors.push(FileError {
                    path: self.file.clone(),
                    reason: format!("{pos}: the embedded record is not valid JSON: {e}"),
                });
                self.ignore();
                return;
            }
        };
        let Some(mut raw) = RawRecord::from_value(inner) else {
            self.ignore();
            return;
        };
        let mut fill = |slot: &mut Option<Value>, key: &str| {
            if slot.as_ref().is_none_or(Value::is_null)
                && let Some(v) = entry.remove(key)
            {
                *slot = Some(v);
            }
        };
        fill(&mut raw.event_time, "EventTime");
        fill(&mut raw.event_id, "EventId");
        fill(&mut raw.event_name, "EventName");
        fill(&mut raw.event_source, "EventSource");
        fill(&mut raw.read_only, "ReadOnly");
        self.keep_or_ignore(raw, pos);
    }

    fn record(&mut self, v: Value, pos: Position) {
        match RawRecord::from_value(v) {
            Some(raw) => self.keep_or_ignore(raw, pos),
            None => self.ignore(),
        }
    }

    fn keep_or_ignore(&mut self, raw: RawRecord, pos: Position) {
        let keep = raw.event_source() == Some(EC2_EVENT_SOURCE)
            && raw.event_name().is_some_and(is_relevant);
        if keep {
            self.records += 1;
            self.kept += 1;
            self.result
                .records
                .push(Record::from_raw(raw, self.file.clone(), pos));
            self.tick();
        } else {
            self.ignore();
        }
    }
}

fn is_eventbridge(m: &Map<String, Value>) -> bool {
    m.get("detail").is_some_and(Value::is_object)
        && (m.contains_key("detail-type") || m.contains_key("source"))
}

/// An object with any of the envelope's keys (§5.2) is a record, relevant or not.
fn looks_like_record(m: &Map<String, Value>) -> bool {
    [
        "eventVersion",
        "eventName",
        "eventSource",
        "eventTime",
        "eventType",
        "eventID",
        "eventCategory",
    ]
    .iter()
    .any(|k| m.contains_key(*k))
}

// ---------------------------------------------------------------------------------------------
// The fast path for plain log files (see `ReadResult::read_log_file`).

/// How much of the stream the fast path reads ahead.
const WINDOW: usize = 1 << 20;

/// A window over a stream: the bytes from `start` to `end` of `buf` are read and not yet
/// consumed. Consumed newlines are counted, for line numbers.
struct Window<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    newlines: u64,
}

impl<R: Read> Window<R> {
    fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        let bytes = &self.buf[self.start..self.start + n];
        // Log files are mostly one line: look for a newline (fast) before counting them.
        if bytes.contains(&b'\n') {
            self.newlines += bytes.iter().filter(|&&c| c == b'\n').count() as u64;
        }
        self.start += n;
    }

    /// Reads more of the stream behind what is not consumed yet: `Some(false)` at its end,
    /// `None` when it cannot be read.
    fn fill(&mut self) -> Option<bool> {
        if self.eof {
            return Some(false);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.buf.len() - self.end < WINDOW / 2 {
            // A record longer than the window: double it (so that a long record is parsed
            // again only a few times).
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let before = self.end;
        while self.buf.len() - self.end >= WINDOW / 4 {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        Some(self.end > before)
    }

    /// The next byte that is not JSON whitespace, not consumed; `None` at the end or on error.
    fn next_token(&mut self) -> Option<u8> {
        loop {
            let data = self.data();
            let n = data
                .iter()
                .take_while(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
                .count();
            if n < data.len() {
                let b = data[n];
                self.consume(n);
                return Some(b);
            }
            self.consume(n);
            if !self.fill()? {
                return None;
            }
        }
    }

    /// Consumes `literal` after optional whitespace, if that is what comes next.
    fn expect(&mut self, literal: &[u8]) -> Option<()> {
        self.next_token()?;
        while self.data().len() < literal.len() {
            if !self.fill()? {
                return None;
            }
        }
        if !self.data().starts_with(literal) {
            return None;
        }
        self.consume(literal.len());
        Some(())
    }
}

/// Reads `f` as `{"Records": [object, ...]}` and nothing else, handing each element to the sink
/// exactly as the streaming reader does; `None` as soon as the content is anything else.
fn fast_log_file(f: &mut File, sink: &mut Sink<'_>) -> Option<()> {
    let mut head = [0u8; 2];
    let mut n = 0;
    while n < 2 {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    let chained = io::Cursor::new(head[..n].to_vec()).chain(f);
    let src: Box<dyn Read + '_> = if n == 2 && head == [0x1f, 0x8b] {
        Box::new(MultiGzDecoder::new(chained))
    } else {
        Box::new(chained)
    };
    let mut w = Window {
        src,
        buf: vec![0; WINDOW],
        start: 0,
        end: 0,
        eof: false,
        newlines: 0,
    };
    // (A byte-order mark is left to the streaming reader.)
    w.expect(b"{")?;
    w.expect(b"\"Records\"")?;
    w.expect(b":")?;
    w.expect(b"[")?;
    let mut i = 0usize;
    if w.next_token()? == b']' {
        w.consume(1);
    } else {
        loop {
            if w.next_token()? != b'{' {
                return None;
            }
            // The element, parsed from the window; read more while it is cut off at its end.
            loop {
                let mut de = serde_json::Deserializer::from_slice(w.data());
                let parsed = <&RawValue as serde::Deserialize>::deserialize(&mut de);
                drop(de);
                match parsed {
                    Ok(raw) => {
                        let text = raw.get();
                        let line = w.newlines + 1;
                        sink.raw(
                            text,
                            || Position::new(line, format!("/Records/{i}")),
                            SlotKind::Record,
                        );
                        let len = text.len();
                        w.consume(len);
                        break;
                    }
                    Err(e) if e.classify() == serde_json::error::Category::Eof => {
                        if !w.fill()? {
                            return None;
                        }
                    }
                    Err(_) => return None,
                }
            }
            i += 1;
            match w.next_token()? {
                b',' => w.consume(1),
                b']' => {
                    w.consume(1);
                    break;
                }
                _ => return None,
            }
        }
    }
    w.expect(b"}")?;
    // Nothing may follow but whitespace.
    match w.next_token() {
        None if w.eof => Some(()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefilter_drops_only_what_cannot_matter() {
        assert!(!must_parse(
            r#"{"eventName":"DescribeInstances","eventSource":"ec2.amazonaws.com"}"#
        ));
        assert!(must_parse(r#"{"eventName" : "CreateRoute"}"#));
        assert!(must_parse(r#"{"eventName":"ModifyVpcAttribute"}"#));
        // lookup-events entries: the name inside the escaped string counts.
        assert!(must_parse(
            r#"{"EventName":"X","CloudTrailEvent":"{\"eventName\":\"AssociateRouteTable\"}"}"#
        ));
        // Insight events: their only eventName is nested and irrelevant.
        assert!(!must_parse(
            r#"{"eventType":"AwsCloudTrailInsight","insightDetails":{"eventName":"UpdateInstanceInformation"}}"#
        ));
        // Possibly several records, escapes, or no name at all: parse.
        assert!(must_parse(r#"{"Records":[]}"#));
        assert!(must_parse(r#"[{"eventName":"A"},{"eventName":"B"}]"#));
        assert!(must_parse(r#"{"eventName":"Create\u0052oute"}"#));
        assert!(must_parse(r#"{"eventName":"..."}"#));
        // No eventName: one value that is not a record.
        assert!(!must_parse(r#"{"foo":1}"#));
    }

    #[test]
    fn log_names() {
        for ok in [
            "a.json",
            "a.json.gz",
            "A.JSON.GZ",
            "a.jsonl",
            "a.jsonl.gz",
            "a.ndjson",
        ] {
            assert!(is_log_name(Path::new(ok)), "{ok}");
        }
        for no in ["a.txt", "a.gz", "a.json.bz2", "json", ".DS_Store"] {
            assert!(!is_log_name(Path::new(no)), "{no}");
        }
    }

    /// The fast path for log files gives exactly what the streaming reader gives, and declines
    /// (recording nothing) whatever it does not read exactly the same way.
    #[test]
    fn fast_path_matches_the_streaming_reader() {
        use flate2::Compression;
        use flate2::write::GzEncoder;
        use std::io::Write;

        let record = |i: usize, name: &str| {
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"2023-01-06T04:40:{:02}Z","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","requestParameters":{{"routeTableId":"rtb-0123456789abcdef0","destinationCidrBlock":"10.9.{i}.0/24","gatewayId":"igw-0123456789abcdef0"}},"responseElements":{{"_return":true}},"eventID":"ev-{i}","readOnly":false}}"#,
                i % 60
            )
        };
        let names = [
            "DescribeInstances",
            "CreateRoute",
            "GetObject",
            "DeleteRoute",
        ];
        let records: Vec<String> = (0..40).map(|i| record(i, names[i % 4])).collect();
        let compact = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let pretty = {
            let v: Value = serde_json::from_str(&compact).unwrap();
            serde_json::to_string_pretty(&v).unwrap()
        };
        // Records cut by the window's edges, and one record longer than the window.
        let big = {
            let filler = format!(r#""x":"{}""#, "a".repeat(3000));
            let many: Vec<String> = (0..2000)
                .map(|i| record(i, names[i % 4]).replacen('{', &format!("{{{filler},"), 1))
                .collect();
            let huge = record(7, "CreateRoute").replacen(
                '{',
                &format!(r#"{{"y":"{}","#, "b".repeat(3 * WINDOW)),
                1,
            );
            format!(r#"{{"Records":[{},{huge}]}}"#, many.join(","))
        };
        let accepted: Vec<(&str, String)> = vec![
            ("compact", compact.clone()),
            ("pretty", pretty.clone()),
            (
                "spaced",
                format!(
                    " \n{{ \"Records\" :\n[ {} ,\n {} ] }}\n\n",
                    records[1], records[2]
                ),
            ),
            ("empty array", r#"{"Records":[]}"#.into()),
            ("empty array spaced", "{ \"Records\" : [ \n ] }".into()),
            (
                "insight and odd records",
                format!(
                    r#"{{"Records":[{{"eventType":"AwsCloudTrailInsight","insightDetails":{{"eventName":"CreateRoute"}}}},{{}},{},{{"eventName":"Create\u0052oute","eventSource":"ec2.amazonaws.com"}}]}}"#,
                    records[1]
                ),
            ),
            ("big", big),
        ];
        let declined: Vec<(&str, String)> = vec![
            ("empty", String::new()),
            ("byte-order mark", format!("\u{feff}{compact}")),
            ("blank", "  \n".into()),
            ("array", format!("[{}]", records[1])),
            ("json lines", format!("{}\n{}\n", records[1], records[3])),
            (
                "key before",
                format!(r#"{{"a":1,"Records":[{}]}}"#, records[1]),
            ),
            (
                "key after",
                format!(r#"{{"Records":[{}],"a":1}}"#, records[1]),
            ),
            ("records null", r#"{"Records":null}"#.into()),
            (
                "not objects",
                format!(r#"{{"Records":[1,"x",null,{}]}}"#, records[1]),
            ),
            (
                "trailing comma",
                format!(r#"{{"Records":[{},]}}"#, records[1]),
            ),
            ("truncated", compact[..compact.len() / 2].to_string()),
            ("missing brace", compact[..compact.len() - 1].to_string()),
            ("document after", format!("{compact}\n{compact}")),
            ("garbage after", format!("{compact}x")),
            (
                "control char",
                compact.replacen("DescribeInstances", "Describe\u{1}Instances", 1),
            ),
            (
                "bad escape",
                compact.replacen("DescribeInstances", "Describe\\qInstances", 1),
            ),
            (
                "escaped key",
                compact.replacen("Records", "Record\\u0073", 1),
            ),
        ];
        struct RemoveOnDrop(PathBuf);
        impl Drop for RemoveOnDrop {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
        let dir = std::env::temp_dir().join(format!("vpcsim-fast-path-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _cleanup = RemoveOnDrop(dir.clone());
        let gzip = |bytes: &[u8], members: usize| {
            let mut out = Vec::new();
            let cut = bytes.len() / members.max(1);
            for k in 0..members {
                let end = if k + 1 == members {
                    bytes.len()
                } else {
                    (k + 1) * cut
                };
                let mut gz = GzEncoder::new(Vec::new(), Compression::default());
                gz.write_all(&bytes[k * cut..end]).unwrap();
                out.extend(gz.finish().unwrap());
            }
            out
        };
        let mut bad_utf8 = compact.clone().into_bytes();
        let at = compact.find("DescribeInstances").unwrap();
        bad_utf8[at] = 0xff;
        let mut cases: Vec<(String, Vec<u8>, bool)> = Vec::new();
        for (name, text) in &accepted {
            cases.push((format!("{name}.json"), text.clone().into_bytes(), true));
            cases.push((format!("{name}.json.gz"), gzip(text.as_bytes(), 1), true));
            cases.push((
                format!("{name} 3 members.json.gz"),
                gzip(text.as_bytes(), 3),
                true,
            ));
        }
        for (name, text) in &declined {
            cases.push((format!("{name}.json"), text.clone().into_bytes(), false));
            cases.push((format!("{name}.json.gz"), gzip(text.as_bytes(), 1), false));
        }
        cases.push(("bad utf-8.json".into(), bad_utf8, false));
        let gz = gzip(compact.as_bytes(), 1);
        cases.push((
            "cut gzip.json.gz".into(),
            gz[..gz.len() / 2].to_vec(),
            false,
        ));
        let mut corrupt = gz.clone();
        let mid = corrupt.len() / 2;
        corrupt[mid] ^= 0x55;
        corrupt[mid + 1] ^= 0x55;
        cases.push(("corrupt gzip.json.gz".into(), corrupt, false));

        for (name, bytes, fast) in cases {
            let path = dir.join(&name);
            std::fs::write(&path, &bytes).unwrap();
            let mut slow = ReadResult::default();
            slow.read_from(&path, bytes.as_slice());
            let mut direct = ReadResult::default();
            let taken = direct.read_log_file(&path, &mut File::open(&path).unwrap());
            assert_eq!(taken, fast, "{name}: fast path taken");
            if !taken {
                assert!(
                    direct.records.is_empty()
                        && direct.files.is_empty()
                        && direct.errors.is_empty()
                        && direct.ignored == 0
                        && direct.prefiltered == 0,
                    "{name}: declined but recorded something"
                );
            }
            let both = read_inputs(std::slice::from_ref(&path));
            for r in [&both, &direct]
                .into_iter()
                .filter(|_| taken)
                .chain([&both])
            {
                assert_eq!(r.records, slow.records, "{name}: records");
                assert_eq!(r.files, slow.files, "{name}: files");
                assert_eq!(r.errors, slow.errors, "{name}: errors");
                assert_eq!(r.ignored, slow.ignored, "{name}: ignored");
                assert_eq!(r.prefiltered, slow.prefiltered, "{name}: prefiltered");
            }
        }
    }
}
