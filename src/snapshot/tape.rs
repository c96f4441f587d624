//! The two ways the describe-* importer sees a JSON document, behind one trait: a
//! `serde_json::Value` (what callers of `json::load_values` pass) and a [`Tape`], a flat,
//! borrowed copy of a file's JSON that `json::load_dir` and `json::load_file` read instead.
//!
//! A `Value` owns every key and string in its own allocation and keeps objects in `BTreeMap`s;
//! building one for the 200 MB of a large account's describe-route-tables output, reading it
//! and dropping it was most of the import. A tape is one vector of 12-byte cells in document
//! order: strings point into the file's text (only strings with escapes are copied), and an
//! array or object cell records where its contents end, so that walking it needs no allocation.
//! [`Json`] answers the same questions for both, with `Value`'s semantics (a duplicate key: the
//! last one wins; an object's keys in sorted order), so that the importer, written once against
//! the trait, produces the same network, diagnostics and errors from either.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::fmt;

/// What a JSON value is, as the importer asks it.
pub(super) enum View<'a> {
    Null,
    Bool(bool),
    Number(&'a Number),
    String(&'a str),
    /// A list, with its length.
    Array(usize),
    Object,
}

/// Read access to a JSON value; implemented by `&Value` and [`At`] (a cell of a [`Tape`]).
pub(super) trait Json<'a>: Copy + Send + Sync + 'a {
    fn view(self) -> View<'a>;
    /// The value of `key` when `self` is an object that has it (`null` included); for a
    /// duplicate key the last one, as `serde_json::Value` keeps it.
    fn get(self, key: &str) -> Option<Self>;
    /// `get` of each of `keys`, in one look at the object where the representation allows.
    fn fields<const N: usize>(self, keys: &[&str; N]) -> [Option<Self>; N] {
        keys.map(|k| self.get(k))
    }
    /// The elements of a list (none for anything else).
    fn items(self) -> Vec<Self>;
    /// The entries of an object in key order, each key once (its last value).
    fn entries(self) -> Vec<(&'a str, Self)>;

    fn is_object(self) -> bool {
        matches!(self.view(), View::Object)
    }

    fn as_str(self) -> Option<&'a str> {
        match self.view() {
            View::String(s) => Some(s),
            _ => None,
        }
    }
}

impl<'a> Json<'a> for &'a Value {
    fn view(self) -> View<'a> {
        match self {
            Value::Null => View::Null,
            Value::Bool(b) => View::Bool(*b),
            Value::Number(n) => View::Number(n),
            Value::String(s) => View::String(s),
            Value::Array(a) => View::Array(a.len()),
            Value::Object(_) => View::Object,
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        Value::get(self, key)
    }

    fn items(self) -> Vec<Self> {
        match self {
            Value::Array(a) => a.iter().collect(),
            _ => Vec::new(),
        }
    }

    fn entries(self) -> Vec<(&'a str, Self)> {
        match self {
            Value::Object(m) => m.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            _ => Vec::new(),
        }
    }
}

/// One cell of a tape. Containers are followed by their contents (an object's as key, value,
/// key, value ...); `end` is the index just past the container's last cell.
#[derive(Clone, Copy, Debug)]
enum Cell {
    Null,
    Bool(bool),
    /// Index into `Tape::numbers`.
    Number(u32),
    /// Byte range of the file's text (the string without quotes, no escapes in it).
    Str {
        start: u32,
        len: u32,
    },
    /// Index into `Tape::owned` (a string that had escapes).
    Owned(u32),
    Array {
        len: u32,
        end: u32,
    },
    Object {
        end: u32,
    },
}

/// A parsed JSON document borrowing its strings from the text it was parsed from.
pub(super) struct Tape<'s> {
    text: &'s str,
    cells: Vec<Cell>,
    owned: Vec<String>,
    numbers: Vec<Number>,
    /// While building: containers open now, the deepest so far, and where the last string
    /// without escapes ended (the byte after its closing quote) with the containers open
    /// around it.
    depth: u32,
    deepest: u32,
    last: Option<(usize, u32)>,
}

/// Why a text could not be put on a tape; the caller then parses it as a `Value`, whose error
/// is the one reported.
#[derive(Debug)]
pub(super) struct NotTaped;

impl<'s> Tape<'s> {
    /// Parses `text` (one JSON document, surrounding whitespace allowed), or `NotTaped` when it
    /// is not valid JSON or too large for 32-bit offsets.
    pub(super) fn parse(text: &'s str) -> Result<Tape<'s>, NotTaped> {
        if u32::try_from(text.len()).is_err() {
            return Err(NotTaped);
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if text.len() >= SPLIT_AT_LEAST
            && cores > 1
            && let Some(tape) = split(text)
        {
            return Ok(tape);
        }
        Tape::whole(text)
    }

    /// Parses `text` in one piece, on this thread.
    fn whole(text: &'s str) -> Result<Tape<'s>, NotTaped> {
        let mut tape = Tape::new(text, text.len() / 20);
        let mut de = serde_json::Deserializer::from_str(text);
        Builder { tape: &mut tape }
            .deserialize(&mut de)
            .map_err(|_| NotTaped)?;
        de.end().map_err(|_| NotTaped)?;
        Ok(tape)
    }

    fn new(text: &'s str, capacity: usize) -> Tape<'s> {
        Tape {
            text,
            cells: Vec::with_capacity(capacity),
            owned: Vec::new(),
            numbers: Vec::new(),
            depth: 0,
            deepest: 0,
            last: None,
        }
    }

    /// Appends the one JSON value that starts at byte `at` (no whitespace before it) and
    /// returns the byte after it, or `None` when it fails to parse or is nested deep enough to
    /// matter for serde_json's recursion limit (which counts from the document's root, not from
    /// here).
    fn value(&mut self, at: usize) -> Option<usize> {
        let rest = self.text.get(at..)?;
        (self.depth, self.deepest, self.last) = (0, 0, None);
        let mut de = serde_json::Deserializer::from_str(rest);
        Builder { tape: self }.deserialize(&mut de).ok()?;
        if self.deepest > 100 {
            return None;
        }
        // The end is found by scanning from the last place whose depth is known: just after
        // the value's last unescaped string (usually a few bytes before the end), else its
        // start.
        let (from, open) = self.last.filter(|(end, _)| *end > at).unwrap_or((at, 0));
        end_of_value(self.text.as_bytes(), from, open)
    }

    /// Appends another tape's cells, built from the same text, as if they had been built here.
    fn append(&mut self, other: Tape<'s>) -> Option<()> {
        let base = u32::try_from(self.cells.len()).ok()?;
        let owned = u32::try_from(self.owned.len()).ok()?;
        let numbers = u32::try_from(self.numbers.len()).ok()?;
        self.cells.extend(other.cells.into_iter().map(|c| match c {
            Cell::Number(k) => Cell::Number(k + numbers),
            Cell::Owned(k) => Cell::Owned(k + owned),
            Cell::Array { len, end } => Cell::Array {
                len,
                end: end + base,
            },
            Cell::Object { end } => Cell::Object { end: end + base },
            c => c,
        }));
        self.owned.extend(other.owned);
        self.numbers.extend(other.numbers);
        Some(())
    }

    /// The document's root value.
    pub(super) fn root(&self) -> At<'_> {
        At { tape: self, i: 0 }
    }

    fn cell(&self, i: u32) -> Cell {
        self.cells.get(i as usize).copied().unwrap_or(Cell::Null)
    }

    /// The index just past the value at `i`.
    fn end(&self, i: u32) -> u32 {
        match self.cell(i) {
            Cell::Array { end, .. } | Cell::Object { end } => end,
            _ => i + 1,
        }
    }

    fn string(&self, i: u32) -> Option<&str> {
        match self.cell(i) {
            Cell::Str { start, len } => self.text.get(start as usize..(start + len) as usize),
            Cell::Owned(k) => self.owned.get(k as usize).map(String::as_str),
            _ => None,
        }
    }
}

/// Texts at least this large are parsed on two threads when they have the shape of describe-*
/// output (see [`split`]).
const SPLIT_AT_LEAST: usize = 8 << 20;

/// The tape of a text shaped `{"Key": [element, ...], ...}`, built on two threads: this one
/// from the start, another from an element near the middle, or `None` (the caller then parses
/// the text in one piece, which decides what the text means).
///
/// Where the second half starts is guessed: the first `,` + whitespace + `{` after the middle
/// whose whitespace is the one between `[` and the first element (pretty-printed output
/// indents the elements of the outer list alike). The guess is used only if this thread,
/// stepping element by element through the list, arrives exactly there; the other thread's
/// cells are then the ones this thread would have built, and are appended with their indexes
/// shifted. Anything unexpected (compact text, an outer key with escapes, nesting near
/// serde_json's limit, an error) returns `None`.
fn split(text: &str) -> Option<Tape<'_>> {
    let bytes = text.as_bytes();
    let mut p = ws(bytes, 0);
    p = expect(bytes, p, b'{')?;
    let (list_key, after) = key(bytes, ws(bytes, p))?;
    p = expect(bytes, ws(bytes, after), b':')?;
    p = expect(bytes, ws(bytes, p), b'[')?;
    let first = ws(bytes, p);
    let indent = text.get(p..first)?;
    if indent.is_empty() || bytes.get(first) != Some(&b'{') {
        return None;
    }
    let pattern = format!(",{indent}{{");
    let mid = text.len() / 2;
    let guess = mid + text.get(mid..)?.find(&pattern)? + pattern.len() - 1;

    std::thread::scope(|scope| {
        let second = scope.spawn(move || elements(text, guess));
        let mut tape = Tape::new(text, text.len() / 20);
        tape.cells.push(Cell::Object { end: 0 });
        tape.cells.push(list_key);
        let list = tape.cells.len();
        tape.cells.push(Cell::Array { len: 0, end: 0 });
        let mut len: u32 = 0;
        let mut p = first;
        let mut second = Some(second);
        loop {
            if p == guess
                && let Some(handle) = second.take()
                && let Ok(Some((rest, n, end))) = handle.join()
            {
                tape.append(rest)?;
                len = len.checked_add(n)?;
                p = end;
                break;
            }
            p = ws(bytes, tape.value(p)?);
            len = len.checked_add(1)?;
            match bytes.get(p)? {
                b',' => p = ws(bytes, p + 1),
                b']' => {
                    p += 1;
                    break;
                }
                _ => return None,
            }
        }
        let end = u32::try_from(tape.cells.len()).ok()?;
        *tape.cells.get_mut(list)? = Cell::Array { len, end };
        // The rest of the outer object: `, "Key": value` ... `}`.
        loop {
            p = ws(bytes, p);
            match bytes.get(p)? {
                b'}' => break,
                b',' => {}
                _ => return None,
            }
            let (name, after) = key(bytes, ws(bytes, p + 1))?;
            tape.cells.push(name);
            p = expect(bytes, ws(bytes, after), b':')?;
            p = tape.value(ws(bytes, p))?;
        }
        if ws(bytes, p + 1) != bytes.len() {
            return None;
        }
        let end = u32::try_from(tape.cells.len()).ok()?;
        *tape.cells.first_mut()? = Cell::Object { end };
        (tape.depth, tape.deepest, tape.last) = (0, 0, None);
        Some(tape)
    })
}

/// The elements of a list from byte `at` (an element's start) to the list's `]`: their cells,
/// how many, and the byte after the `]`.
fn elements(text: &str, at: usize) -> Option<(Tape<'_>, u32, usize)> {
    let bytes = text.as_bytes();
    let mut tape = Tape::new(text, (text.len() - at) / 20);
    let mut n: u32 = 0;
    let mut p = at;
    loop {
        p = ws(bytes, tape.value(p)?);
        n = n.checked_add(1)?;
        match bytes.get(p)? {
            b',' => p = ws(bytes, p + 1),
            b']' => return Some((tape, n, p + 1)),
            _ => return None,
        }
    }
}

/// The byte after the value that contains byte `at`, where `at` is outside any string and
/// inside `open` of the value's containers (0: at the value's own level). The text is known to
/// be valid JSON there, since the value was just parsed.
fn end_of_value(bytes: &[u8], mut at: usize, mut open: u32) -> Option<usize> {
    let mut in_string = false;
    loop {
        let b = *bytes.get(at)?;
        if in_string {
            match b {
                b'\\' => at += 1,
                b'"' => {
                    in_string = false;
                    if open == 0 {
                        return Some(at + 1);
                    }
                }
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => open += 1,
                b'}' | b']' if open == 0 => return Some(at),
                b'}' | b']' => {
                    open -= 1;
                    if open == 0 {
                        return Some(at + 1);
                    }
                }
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if open == 0 => return Some(at),
                _ => {}
            }
        }
        at += 1;
    }
}

/// The first byte at or after `at` that is not JSON whitespace.
fn ws(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The byte after `c`, if `c` is at `at`.
fn expect(bytes: &[u8], at: usize, c: u8) -> Option<usize> {
    (bytes.get(at) == Some(&c)).then_some(at + 1)
}

/// A key without escapes or control characters at `at`, as a cell, and the byte after it.
fn key(bytes: &[u8], at: usize) -> Option<(Cell, usize)> {
    let start = expect(bytes, at, b'"')?;
    let len = bytes
        .get(start..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    if bytes.get(start + len) != Some(&b'"') {
        return None;
    }
    let cell = Cell::Str {
        start: u32::try_from(start).ok()?,
        len: u32::try_from(len).ok()?,
    };
    Some((cell, start + len + 1))
}

/// A value on a tape.
#[derive(Clone, Copy)]
pub(super) struct At<'t> {
    tape: &'t Tape<'t>,
    i: u32,
}

impl<'t> At<'t> {
    /// The (key, value) pairs of an object, in document order, duplicates included.
    fn pairs(self) -> impl Iterator<Item = (&'t str, At<'t>)> {
        let tape = self.tape;
        let end = match tape.cell(self.i) {
            Cell::Object { end } => end,
            _ => self.i + 1,
        };
        let mut k = self.i + 1;
        std::iter::from_fn(move || {
            if k >= end {
                return None;
            }
            let key = tape.string(k).unwrap_or("");
            let v = k + 1;
            k = tape.end(v);
            Some((key, At { tape, i: v }))
        })
    }
}

impl<'t> Json<'t> for At<'t> {
    fn view(self) -> View<'t> {
        match self.tape.cell(self.i) {
            Cell::Null => View::Null,
            Cell::Bool(b) => View::Bool(b),
            Cell::Number(k) => match self.tape.numbers.get(k as usize) {
                Some(n) => View::Number(n),
                None => View::Null,
            },
            Cell::Str { .. } | Cell::Owned(_) => {
                View::String(self.tape.string(self.i).unwrap_or(""))
            }
            Cell::Array { len, .. } => View::Array(len as usize),
            Cell::Object { .. } => View::Object,
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        let tape = self.tape;
        let Cell::Object { end } = tape.cell(self.i) else {
            return None;
        };
        let mut found = None;
        let mut k = self.i + 1;
        while k < end {
            let v = k + 1;
            let hit = match tape.cell(k) {
                // The length first: most keys differ in it, and it needs no look at the text.
                Cell::Str { len, .. } if len as usize != key.len() => false,
                _ => tape.string(k) == Some(key),
            };
            if hit {
                found = Some(At { tape, i: v });
            }
            k = tape.end(v);
        }
        found
    }

    fn fields<const N: usize>(self, keys: &[&str; N]) -> [Option<Self>; N] {
        let tape = self.tape;
        let mut found = [None; N];
        let Cell::Object { end } = tape.cell(self.i) else {
            return found;
        };
        let mut k = self.i + 1;
        while k < end {
            let v = k + 1;
            if let Some(name) = tape.string(k) {
                for (slot, key) in found.iter_mut().zip(keys) {
                    if *key == name {
                        *slot = Some(At { tape, i: v });
                    }
                }
            }
            k = tape.end(v);
        }
        found
    }

    fn items(self) -> Vec<Self> {
        let Cell::Array { len, end } = self.tape.cell(self.i) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(len as usize);
        let mut k = self.i + 1;
        while k < end {
            out.push(At {
                tape: self.tape,
                i: k,
            });
            k = self.tape.end(k);
        }
        out
    }

    fn entries(self) -> Vec<(&'t str, Self)> {
        let mut out: Vec<(&str, At)> = self.pairs().collect();
        // Stable: of equal keys the last one in the document ends up last, and is kept.
        out.sort_by(|a, b| a.0.cmp(b.0));
        let mut kept: Vec<(&str, At)> = Vec::with_capacity(out.len());
        for e in out {
            match kept.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => kept.push(e),
            }
        }
        kept
    }
}

/// Appends one value to the tape (a `DeserializeSeed`, so that the whole document is built in
/// one vector with no intermediate values).
struct Builder<'b, 's> {
    tape: &'b mut Tape<'s>,
}

impl<'b, 's> Builder<'b, 's> {
    fn push(&mut self, c: Cell) {
        self.tape.cells.push(c);
    }

    fn push_str<E: de::Error>(&mut self, s: &'s str) -> Result<(), E> {
        let text = self.tape.text;
        let at = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        // A borrowed string always lies within the text; anything else is copied.
        let within = at
            .checked_add(s.len())
            .and_then(|end| text.get(at..end))
            .is_some_and(|t| std::ptr::eq(t.as_ptr(), s.as_ptr()));
        if within {
            let start = u32::try_from(at).map_err(|_| E::custom("text too large"))?;
            let len = u32::try_from(s.len()).map_err(|_| E::custom("text too large"))?;
            self.push(Cell::Str { start, len });
            self.tape.last = Some((at + s.len() + 1, self.tape.depth));
            Ok(())
        } else {
            self.push_owned(s.to_string())
        }
    }

    fn push_owned<E: de::Error>(&mut self, s: String) -> Result<(), E> {
        let k = u32::try_from(self.tape.owned.len()).map_err(|_| E::custom("too many strings"))?;
        self.tape.owned.push(s);
        self.push(Cell::Owned(k));
        Ok(())
    }

    fn push_number<E: de::Error>(&mut self, n: Number) -> Result<(), E> {
        let k =
            u32::try_from(self.tape.numbers.len()).map_err(|_| E::custom("too many numbers"))?;
        self.tape.numbers.push(n);
        self.push(Cell::Number(k));
        Ok(())
    }

    fn open(&mut self) {
        self.tape.depth += 1;
        self.tape.deepest = self.tape.deepest.max(self.tape.depth);
    }

    fn close(&mut self) {
        self.tape.depth = self.tape.depth.saturating_sub(1);
    }

    fn here<E: de::Error>(&self) -> Result<u32, E> {
        u32::try_from(self.tape.cells.len()).map_err(|_| E::custom("too many values"))
    }
}

impl<'de, 'b> DeserializeSeed<'de> for Builder<'b, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'b> Visitor<'de> for Builder<'b, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.push(Cell::Null);
        Ok(())
    }

    fn visit_none<E: de::Error>(mut self) -> Result<(), E> {
        self.push(Cell::Null);
        Ok(())
    }

    fn visit_bool<E: de::Error>(mut self, b: bool) -> Result<(), E> {
        self.push(Cell::Bool(b));
        Ok(())
    }

    fn visit_u64<E: de::Error>(mut self, n: u64) -> Result<(), E> {
        self.push_number(n.into())
    }

    fn visit_i64<E: de::Error>(mut self, n: i64) -> Result<(), E> {
        self.push_number(n.into())
    }

    // As `serde_json::Value` does: a float that is not finite becomes null.
    fn visit_f64<E: de::Error>(mut self, n: f64) -> Result<(), E> {
        match Number::from_f64(n) {
            Some(n) => self.push_number(n),
            None => {
                self.push(Cell::Null);
                Ok(())
            }
        }
    }

    fn visit_borrowed_str<E: de::Error>(mut self, s: &'de str) -> Result<(), E> {
        self.push_str(s)
    }

    fn visit_str<E: de::Error>(mut self, s: &str) -> Result<(), E> {
        self.push_owned(s.to_string())
    }

    fn visit_string<E: de::Error>(mut self, s: String) -> Result<(), E> {
        self.push_owned(s)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let at = self.here()?;
        self.tape.cells.push(Cell::Array { len: 0, end: 0 });
        self.open();
        let mut len: u32 = 0;
        while seq
            .next_element_seed(Builder {
                tape: &mut *self.tape,
            })?
            .is_some()
        {
            len = len.saturating_add(1);
        }
        self.close();
        let end = self.here()?;
        if let Some(c) = self.tape.cells.get_mut(at as usize) {
            *c = Cell::Array { len, end };
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let at = self.here()?;
        self.tape.cells.push(Cell::Object { end: 0 });
        self.open();
        while map
            .next_key_seed(Key {
                tape: &mut *self.tape,
            })?
            .is_some()
        {
            map.next_value_seed(Builder {
                tape: &mut *self.tape,
            })?;
        }
        self.close();
        let end = self.here()?;
        if let Some(c) = self.tape.cells.get_mut(at as usize) {
            *c = Cell::Object { end };
        }
        Ok(())
    }
}

/// An object key, appended as a string cell.
struct Key<'b, 's> {
    tape: &'b mut Tape<'s>,
}

impl<'de, 'b> DeserializeSeed<'de> for Key<'b, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'b> Visitor<'de> for Key<'b, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<(), E> {
        Builder { tape: self.tape }.push_str(s)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        Builder { tape: self.tape }.push_owned(s.to_string())
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<(), E> {
        Builder { tape: self.tape }.push_owned(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same questions asked of a `Value` and of a tape of the same text.
    fn same(a: &Value, b: At) {
        match (a.view(), b.view()) {
            (View::Null, View::Null) | (View::Object, View::Object) => {}
            (View::Bool(x), View::Bool(y)) => assert_eq!(x, y),
            (View::Number(x), View::Number(y)) => assert_eq!(x, y),
            (View::String(x), View::String(y)) => assert_eq!(x, y),
            (View::Array(x), View::Array(y)) => assert_eq!(x, y),
            _ => panic!("different kinds"),
        }
        let (ia, ib) = (a.items(), b.items());
        assert_eq!(ia.len(), ib.len());
        for (x, y) in ia.into_iter().zip(ib) {
            same(x, y);
        }
        let (ea, eb) = (a.entries(), b.entries());
        assert_eq!(
            ea.iter().map(|e| e.0).collect::<Vec<_>>(),
            eb.iter().map(|e| e.0).collect::<Vec<_>>()
        );
        for ((k, x), (_, y)) in ea.into_iter().zip(eb) {
            same(x, y);
            match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) => same(x, y),
                (None, None) => {}
                _ => panic!("get({k}) differs"),
            }
        }
        assert!(a.get("no such key").is_none() && b.get("no such key").is_none());
        let keys = ["k", "b", "no such key", "a", "k"];
        for (x, y) in a.fields(&keys).into_iter().zip(b.fields(&keys)) {
            match (x, y) {
                (Some(x), Some(y)) => same(x, y),
                (None, None) => {}
                _ => panic!("fields differ"),
            }
        }
    }

    #[test]
    fn a_tape_answers_as_a_value_does() {
        for text in [
            r#"{"b": [1, -2, 3.5, 1e300, "x\"y", true, null, {}], "a": {"k": "v", "k": "w"}, "é\n": []}"#,
            r#"  [ {"Key": "Name", "Value": "\u00e9"}, [], [[]], "", 18446744073709551615 ] "#,
            "null",
            r#""just a string""#,
            "[1e400]",
        ] {
            let Ok(tape) = Tape::parse(text) else {
                // 1e400 is not a finite f64: serde_json refuses it in both forms.
                assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
                continue;
            };
            let value: Value = serde_json::from_str(text).expect("valid");
            same(&value, tape.root());
        }
        let dup = r#"{"k": 1, "j": 2, "k": 3}"#;
        let tape = Tape::parse(dup).expect("valid");
        let value: Value = serde_json::from_str(dup).expect("valid");
        same(&value, tape.root());
    }

    #[test]
    fn invalid_text_is_not_taped() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "1 2", "\"\\x\""] {
            assert!(Tape::parse(text).is_err(), "{text}");
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        }
    }

    /// What a tape holds, to compare two tapes.
    fn dump(t: &Tape) -> String {
        format!("{:?}\n{:?}\n{:?}", t.cells, t.owned, t.numbers)
    }

    fn describe_like(tables: usize, compact: bool) -> String {
        let tables: Vec<Value> = (0..tables)
            .map(|i| {
                serde_json::json!({
                    "RouteTableId": format!("rtb-{i:017x}"),
                    "Routes": (0..(i % 7)).map(|j| serde_json::json!({
                        "DestinationCidrBlock": format!("10.{j}.0.0/16"),
                        "GatewayId": if j % 3 == 0 { "local".to_string() } else { format!("igw-\u{e9}\"{j}") },
                        "Weight": j, "Ok": j % 2 == 0, "Nothing": null, "Nested": [[], {}, [1, [2.5]]],
                    })).collect::<Vec<_>>(),
                    "Tags": if i % 5 == 0 { serde_json::json!([]) } else { serde_json::json!([{"Key": "Name", "Value": "t\\n"}]) },
                    "Count": i,
                })
            })
            .collect();
        // The list first, as AWS writes it (a `Value` would sort the keys).
        let list = if compact {
            Value::Array(tables).to_string()
        } else {
            serde_json::to_string_pretty(&tables).expect("prints")
        };
        format!(
            "{{\"RouteTables\": {list}, \"NextToken\": \"abc\",\n\"ResponseMetadata\": {{\"RequestId\": \"r\"}}}}\n"
        )
    }

    #[test]
    fn a_text_split_in_two_gives_the_tape_of_the_whole() {
        for n in [1, 2, 3, 10, 101, 1000] {
            let text = describe_like(n, false);
            let whole = Tape::whole(&text).expect("valid");
            match split(&text) {
                Some(split) => assert_eq!(dump(&split), dump(&whole), "{n} tables"),
                // With few elements there may be no element start after the middle.
                None => assert!(n < 10, "{n} tables are not split"),
            }
        }
        // Compact text is not split (its separators do not tell the outer list's elements).
        assert!(split(&describe_like(100, true)).is_none());
        // A number after the list: its end is not told by a string, so the text is not split.
        let text =
            describe_like(100, false).replacen("\"NextToken\"", "\"N\": 1, \"NextToken\"", 1);
        assert!(Tape::whole(&text).is_ok());
        assert!(split(&text).is_none_or(|t| dump(&t) == dump(&Tape::whole(&text).expect("valid"))));
    }

    #[test]
    fn a_broken_text_is_never_split_into_a_tape() {
        let text = describe_like(200, false);
        let bytes = text.len();
        // Damage at many places, before and after the middle: wherever the whole text fails,
        // the split fails too; wherever it succeeds, both agree.
        for k in 1..60 {
            let at = bytes * k / 60;
            for damage in ["", "}", "]", ",", "\"", "x", "{\"a\": 1}", "\\"] {
                let mut t = text.clone();
                if !t.is_char_boundary(at) {
                    continue;
                }
                t.insert_str(at, damage);
                match (Tape::whole(&t), split(&t)) {
                    (Ok(w), Some(s)) => assert_eq!(dump(&s), dump(&w), "{k} {damage:?}"),
                    (Err(_), Some(_)) => panic!("split accepted a broken text: {k} {damage:?}"),
                    _ => {}
                }
            }
        }
    }
}
