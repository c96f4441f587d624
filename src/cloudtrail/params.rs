//! Reading `requestParameters` and `responseElements` in both renderings EC2 uses (semantics
//! doc §5.3): legacy lowerCamel keys with `{"items": [...]}` lists, and the wrapped PascalCase
//! `{"<Action>Request": {...}}` / `{"<Action>Response": {"xmlns": ..., ...}}` form with
//! `{"item": ...}`, `{"tag": 1, "content": ...}` and `""` lists.
//!
//! A [`Section`] is one of the two, already unwrapped; lookups try the lowerCamel spelling and
//! its PascalCase twin (§5.3 rule 2), lists normalise every encoding seen (rule 3) including
//! query-style numbered keys (`SubnetId.1`), and every error names the field the way the record
//! spells it, e.g. `requestParameters.CreateNatGatewayRequest.SubnetId`.

use serde_json::{Map, Value};
use std::fmt::Write as _;

/// One side of a record (`requestParameters` or `responseElements`), unwrapped.
#[derive(Clone, Copy, Debug)]
pub struct Section<'a> {
    /// The object holding the parameters; `None` when the side is null or not an object.
    obj: Option<&'a Map<String, Value>>,
    /// `requestParameters` or `responseElements`, plus the wrapper key when there was one.
    path: &'a str,
    wrapper: Option<&'a str>,
}

impl<'a> Section<'a> {
    /// Unwraps `{"<Action>Request": {...}}` (or `Response`): the key named after the action, else
    /// a single key ending in `Request`/`Req` (`Response`/`Resp`) whose value is an object — real
    /// records use abbreviations such as `DelTGwVpcAttachReq`.
    pub fn new(value: &'a Value, side: &'a str, action: &str, suffixes: &[&str]) -> Section<'a> {
        let Some(obj) = value.as_object() else {
            return Section {
                obj: None,
                path: side,
                wrapper: None,
            };
        };
        let named = suffixes.first().map(|s| format!("{action}{s}"));
        let wrapped = named
            .as_deref()
            .and_then(|n| obj.get_key_value(n))
            .or_else(|| {
                let mut keys = obj.iter().filter(|(k, _)| k.as_str() != "xmlns");
                match (keys.next(), keys.next()) {
                    (Some(kv), None)
                        if suffixes.iter().any(|s| kv.0.ends_with(s))
                            && kv.0.starts_with(|c: char| c.is_ascii_uppercase()) =>
                    {
                        Some(kv)
                    }
                    _ => None,
                }
            })
            .and_then(|(k, v)| v.as_object().map(|o| (k, o)));
        match wrapped {
            Some((k, inner)) => Section {
                obj: Some(inner),
                path: side,
                wrapper: Some(k.as_str()),
            },
            None => Section {
                obj: Some(obj),
                path: side,
                wrapper: None,
            },
        }
    }

    pub fn is_null(&self) -> bool {
        self.obj.is_none()
    }

    pub fn is_wrapped(&self) -> bool {
        self.wrapper.is_some()
    }

    /// The field's name as this record would spell it, for messages.
    pub fn field_name(&self, key: &str) -> String {
        let mut s = String::from(self.path);
        if let Some(w) = self.wrapper {
            let _ = write!(s, ".{w}");
            let _ = write!(s, ".{}", pascal(key));
        } else {
            let _ = write!(s, ".{key}");
        }
        s
    }

    /// The value under `key` (lowerCamel) or its PascalCase twin, with the spelling found.
    pub fn get(&self, key: &str) -> Option<(String, &'a Value)> {
        let obj = self.obj?;
        lookup(obj, key).map(|(k, v)| {
            let name = match self.wrapper {
                Some(w) => format!("{}.{w}.{k}", self.path),
                None => format!("{}.{k}", self.path),
            };
            (name, v)
        })
    }

    /// The first present of several alternative keys.
    pub fn get_any(&self, keys: &[&str]) -> Option<(String, &'a Value)> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// A nested value: each step tries both spellings.
    pub fn path(&self, steps: &[&str]) -> Option<(String, &'a Value)> {
        let (first, rest) = steps.split_first()?;
        let (mut name, mut v) = self.get(first)?;
        for step in rest {
            let obj = v.as_object()?;
            let (k, next) = lookup(obj, step)?;
            name.push('.');
            name.push_str(k);
            v = next;
        }
        Some((name, v))
    }

    /// Every member of a list field, whatever its encoding: the field under any of `keys`
    /// (normalised by [`items`]) plus numbered keys `Key.1`, `Key.2`, ... in numeric order.
    pub fn list(&self, keys: &[&str]) -> Vec<(String, &'a Value)> {
        let mut out = Vec::new();
        let Some(obj) = self.obj else {
            return out;
        };
        for key in keys {
            if let Some((name, v)) = self.get(key) {
                for (i, item) in items(v).into_iter().enumerate() {
                    out.push((format!("{name}[{i}]"), item));
                }
            }
            let mut numbered: Vec<(u64, &String, &Value)> = obj
                .iter()
                .filter_map(|(k, v)| {
                    let (base, n) = k.rsplit_once('.')?;
                    let n: u64 = n.parse().ok()?;
                    (base == *key || base == pascal(key)).then_some((n, k, v))
                })
                .collect();
            numbered.sort_by_key(|(n, _, _)| *n);
            for (_, k, v) in numbered {
                let name = match self.wrapper {
                    Some(w) => format!("{}.{w}.{k}", self.path),
                    None => format!("{}.{k}", self.path),
                };
                for item in items(v) {
                    out.push((name.clone(), item));
                }
            }
        }
        out
    }
}

/// `key` or its first letter upper-cased (§5.3 rule 2; `routeTableId` ≡ `RouteTableId`).
fn lookup<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<(&'a str, &'a Value)> {
    if let Some((k, v)) = obj.get_key_value(key) {
        return Some((k.as_str(), v));
    }
    let p = pascal(key);
    obj.get_key_value(p.as_str()).map(|(k, v)| (k.as_str(), v))
}

pub fn pascal(key: &str) -> String {
    let mut c = key.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The members of a list in any encoding EC2 records use (§5.3 rule 3): a JSON array,
/// `{"items": X}`, `{"item": X}`, `{}`, `""`, null, or a single member on its own (an object or
/// a scalar). Members are returned as found; [`scalar`] unwraps `{"tag": N, "content": X}`.
pub fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Null => Vec::new(),
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) if m.is_empty() => Vec::new(),
        Value::Object(m) if m.contains_key("items") => items(&m["items"]),
        Value::Object(m) if m.contains_key("item") => items(&m["item"]),
        other => vec![other],
    }
}

/// A scalar member as text: a string or number, or the `content` of a `{"tag": N, "content": X}`
/// member, or the `value` of `{"value": X}`.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(m) => ["content", "value", "Value"]
            .iter()
            .find_map(|k| m.get(*k))
            .and_then(scalar),
        _ => None,
    }
}

/// A boolean: `true`, `"true"`, `{"value": true}` (ModifySubnetAttribute's `AttributeBooleanValue`).
pub fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Object(m) => ["value", "Value", "content"]
            .iter()
            .find_map(|k| m.get(*k))
            .and_then(boolean),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrapped_requests_are_unwrapped() {
        let v = json!({"CreateNatGatewayRequest": {"SubnetId": "subnet-1"}});
        let s = Section::new(
            &v,
            "requestParameters",
            "CreateNatGateway",
            &["Request", "Req"],
        );
        assert!(s.is_wrapped());
        let (name, val) = s.get("subnetId").unwrap();
        assert_eq!(name, "requestParameters.CreateNatGatewayRequest.SubnetId");
        assert_eq!(val, "subnet-1");
        assert_eq!(
            s.field_name("allocationId"),
            "requestParameters.CreateNatGatewayRequest.AllocationId"
        );
        // An abbreviated wrapper seen in a real record.
        let v = json!({"DelTGwVpcAttachReq": {"TransitGatewayAttachmentId": "tgw-attach-1"}});
        let s = Section::new(
            &v,
            "requestParameters",
            "DeleteTransitGatewayVpcAttachment",
            &["Request", "Req"],
        );
        assert!(s.get("transitGatewayAttachmentId").is_some());
        // A response wrapper with xmlns beside nothing else.
        let v = json!({"DeleteNatGatewayResponse": {"xmlns": "x", "natGatewayId": "nat-1"}});
        let s = Section::new(&v, "responseElements", "DeleteNatGateway", &["Response"]);
        assert_eq!(s.get("natGatewayId").unwrap().1, "nat-1");
        // A legacy request with one object parameter stays as it is.
        let v = json!({"mapPublicIpOnLaunch": {"value": true}});
        let s = Section::new(&v, "requestParameters", "X", &["Request", "Req"]);
        assert!(!s.is_wrapped());
    }

    #[test]
    fn every_list_encoding_normalises() {
        let cases = [
            json!({"items": [{"content": "a"}, "b"]}),
            json!({"item": ["a", "b"]}),
            json!([{"tag": 1, "content": "a"}, {"tag": 2, "content": "b"}]),
            json!(["a", "b"]),
        ];
        for c in &cases {
            let got: Vec<_> = items(c).into_iter().filter_map(scalar).collect();
            assert_eq!(got, ["a", "b"], "{c}");
        }
        for one in [
            json!({"item": {"content": "a"}}),
            json!({"tag": 1, "content": "a"}),
            json!("a"),
        ] {
            let got: Vec<_> = items(&one).into_iter().filter_map(scalar).collect();
            assert_eq!(got, ["a"], "{one}");
        }
        for empty in [json!({}), json!(""), json!(null), json!({"items": []})] {
            assert!(items(&empty).is_empty(), "{empty}");
        }
    }

    #[test]
    fn numbered_keys_are_list_members() {
        let v =
            json!({"SubnetId.2": "subnet-b", "SubnetId.1": "subnet-a", "SubnetId.10": "subnet-c"});
        let s = Section::new(&v, "requestParameters", "X", &["Request"]);
        let got: Vec<_> = s
            .list(&["subnetId"])
            .into_iter()
            .filter_map(|(_, v)| scalar(v))
            .collect();
        assert_eq!(got, ["subnet-a", "subnet-b", "subnet-c"]);
    }

    #[test]
    fn booleans_in_every_shape() {
        assert_eq!(boolean(&json!({"value": true})), Some(true));
        assert_eq!(boolean(&json!("false")), Some(false));
        assert_eq!(boolean(&json!(true)), Some(true));
        assert_eq!(boolean(&json!(1)), None);
    }
}
