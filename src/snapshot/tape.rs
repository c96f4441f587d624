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
        let mut tape = Tape {
            text,
            cells: Vec::with_capacity(text.len() / 20),
            owned: Vec::new(),
            numbers: Vec::new(),
        };
        let mut de = serde_json::Deserializer::from_str(text);
        Builder { tape: &mut tape }
            .deserialize(&mut de)
            .map_err(|_| NotTaped)?;
        de.end().map_err(|_| NotTaped)?;
        Ok(tape)
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

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.here()?;
        self.tape.cells.push(Cell::Array { len: 0, end: 0 });
        let mut len: u32 = 0;
        while seq
            .next_element_seed(Builder {
                tape: &mut *self.tape,
            })?
            .is_some()
        {
            len = len.saturating_add(1);
        }
        let end = self.here()?;
        if let Some(c) = self.tape.cells.get_mut(at as usize) {
            *c = Cell::Array { len, end };
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = self.here()?;
        self.tape.cells.push(Cell::Object { end: 0 });
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
}
