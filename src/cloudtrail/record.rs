//! The CloudTrail record envelope (semantics doc §5.2): a lenient [`RawRecord`] that takes any
//! JSON object apart without failing, and the typed [`Record`] the decoder and the replay read.
//!
//! Raw input is kept apart from validated types (the smoltcp `Packet`/`Repr` habit): nothing in
//! a `RawRecord` is trusted, every envelope field may be missing or of an odd JSON type, and
//! conversion never fails. `requestParameters` and `responseElements` stay JSON values here;
//! only [`crate::cloudtrail::decode`] knows their per-event shapes.

use super::time::UtcTime;
use serde_json::{Map, Value};
use std::fmt;
use std::path::PathBuf;

/// The eventSource of every call vpcsim models (semantics doc §5.2).
pub const EC2_EVENT_SOURCE: &str = "ec2.amazonaws.com";

/// One record as found, field by field, before any interpretation. Extra fields (Logstash's
/// `@timestamp`, `tlsDetails`, ...) are kept in `other`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawRecord {
    pub event_version: Option<Value>,
    pub event_time: Option<Value>,
    pub event_source: Option<Value>,
    pub event_name: Option<Value>,
    pub event_type: Option<Value>,
    pub event_id: Option<Value>,
    pub aws_region: Option<Value>,
    pub source_ip_address: Option<Value>,
    pub user_agent: Option<Value>,
    pub user_identity: Option<Value>,
    pub error_code: Option<Value>,
    pub error_message: Option<Value>,
    pub request_parameters: Option<Value>,
    pub response_elements: Option<Value>,
    pub read_only: Option<Value>,
    pub recipient_account_id: Option<Value>,
    pub other: Map<String, Value>,
}

impl RawRecord {
    /// Takes a JSON object apart; `None` when the value is not an object.
    pub fn from_value(v: Value) -> Option<RawRecord> {
        let Value::Object(mut m) = v else {
            return None;
        };
        let mut take = |k: &str| m.remove(k);
        Some(RawRecord {
            event_version: take("eventVersion"),
            event_time: take("eventTime"),
            event_source: take("eventSource"),
            event_name: take("eventName"),
            event_type: take("eventType"),
            event_id: take("eventID"),
            aws_region: take("awsRegion"),
            source_ip_address: take("sourceIPAddress"),
            user_agent: take("userAgent"),
            user_identity: take("userIdentity"),
            error_code: take("errorCode"),
            error_message: take("errorMessage"),
            request_parameters: take("requestParameters"),
            response_elements: take("responseElements"),
            read_only: take("readOnly"),
            recipient_account_id: take("recipientAccountId"),
            other: m,
        })
    }

    /// `eventName` when it is a non-empty string (Insight events have none, §5.1).
    pub fn event_name(&self) -> Option<&str> {
        self.event_name
            .as_ref()
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn event_source(&self) -> Option<&str> {
        self.event_source.as_ref().and_then(Value::as_str)
    }
}

/// Where a record was found: the line its text starts on (1-based; for a record inside a
/// one-line log file, that line) and a JSON pointer inside that line's document, such as
/// `/Records/17`, `/Events/3/CloudTrailEvent`, `/detail` or `/tests/0/record` (empty for a
/// document that is itself the record).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u64,
    pub pointer: String,
}

impl Position {
    pub fn new(line: u64, pointer: impl Into<String>) -> Position {
        Position {
            line,
            pointer: pointer.into(),
        }
    }

    /// The record's index in its `Records`, `Events` or top-level array, when it has one.
    pub fn index(&self) -> Option<usize> {
        self.pointer.rsplit('/').find_map(|s| s.parse().ok())
    }

    pub(crate) fn child(&self, key: &str) -> Position {
        // JSON pointer escaping (RFC 6901).
        let key = key.replace('~', "~0").replace('/', "~1");
        Position::new(self.line, format!("{}/{key}", self.pointer))
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if !self.pointer.is_empty() {
            write!(f, " {}", self.pointer)?;
        }
        Ok(())
    }
}

/// One CloudTrail record of an EC2 call, typed where the envelope is concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub file: PathBuf,
    pub position: Position,
    pub event_id: Option<String>,
    /// `eventTime` exactly as written.
    pub event_time: Option<String>,
    /// `eventTime` as a sortable UTC instant; `None` when absent or not a recognised format.
    pub time: Option<UtcTime>,
    pub event_name: String,
    pub event_source: String,
    pub event_type: Option<String>,
    pub aws_region: Option<String>,
    /// `recipientAccountId`, else `userIdentity.accountId`.
    pub account_id: Option<String>,
    /// `errorCode` without EC2's `Client.` / `Server.` prefix (§2.1): `DependencyViolation`.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// Who called: `userIdentity.arn`, else `type:userName`, else the session issuer's ARN,
    /// else `type:invokedBy` or the bare type.
    pub principal: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub read_only: Option<bool>,
    /// `null` when absent.
    pub request_parameters: Value,
    /// `null` when absent (failed and read-only calls, §5.2).
    pub response_elements: Value,
    /// `DryRun=true` in the request, or the `DryRunOperation` error: the call changed nothing
    /// (§1.1).
    pub dry_run: bool,
}

impl Record {
    /// Types the envelope. Never fails: an odd field becomes `None`.
    pub fn from_raw(raw: RawRecord, file: PathBuf, position: Position) -> Record {
        let event_time = raw.event_time.as_ref().and_then(text);
        let time = event_time.as_deref().and_then(UtcTime::parse);
        let identity = raw.user_identity.as_ref();
        let account_id = raw
            .recipient_account_id
            .as_ref()
            .and_then(text)
            .or_else(|| identity.and_then(|u| u.get("accountId")).and_then(text));
        let error_code = raw.error_code.as_ref().and_then(text).map(|c| {
            c.strip_prefix("Client.")
                .or_else(|| c.strip_prefix("Server."))
                .unwrap_or(&c)
                .to_string()
        });
        let request_parameters = raw.request_parameters.unwrap_or(Value::Null);
        let dry_run = error_code.as_deref() == Some("DryRunOperation")
            || request_says_dry_run(&request_parameters);
        Record {
            file,
            position,
            event_id: raw.event_id.as_ref().and_then(text),
            event_time,
            time,
            event_name: raw.event_name.as_ref().and_then(text).unwrap_or_default(),
            event_source: raw.event_source.as_ref().and_then(text).unwrap_or_default(),
            event_type: raw.event_type.as_ref().and_then(text),
            aws_region: raw.aws_region.as_ref().and_then(text),
            account_id,
            error_code,
            error_message: raw.error_message.as_ref().and_then(text),
            principal: identity.and_then(principal),
            source_ip: raw.source_ip_address.as_ref().and_then(text),
            user_agent: raw.user_agent.as_ref().and_then(text),
            read_only: raw.read_only.as_ref().and_then(boolean),
            request_parameters,
            response_elements: raw.response_elements.unwrap_or(Value::Null),
            dry_run,
        }
    }

    /// Whether the call failed (it changed nothing, §5.6); the replay compares the code with
    /// what the model predicts.
    pub fn failed(&self) -> bool {
        self.error_code.is_some()
    }

    /// "file line N /pointer", for diagnostics.
    pub fn location(&self) -> String {
        format!("{} {}", self.file.display(), self.position)
    }
}

/// A scalar as text: strings (non-empty), numbers and booleans. Objects, arrays and null: `None`.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `true`/`false`, also as strings (lookup-events writes `"ReadOnly": "true"`).
pub(crate) fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn principal(identity: &Value) -> Option<String> {
    let field = |v: &Value, k: &str| v.get(k).and_then(text);
    if let Some(arn) = field(identity, "arn") {
        return Some(arn);
    }
    let kind = field(identity, "type");
    if let (Some(kind), Some(user)) = (&kind, field(identity, "userName")) {
        return Some(format!("{kind}:{user}"));
    }
    if let Some(arn) = identity
        .get("sessionContext")
        .and_then(|s| s.get("sessionIssuer"))
        .and_then(|s| field(s, "arn"))
    {
        return Some(arn);
    }
    match (kind, field(identity, "invokedBy")) {
        (Some(kind), Some(by)) => Some(format!("{kind}:{by}")),
        (Some(kind), None) => Some(kind),
        (None, by) => by,
    }
}

/// `dryRun` / `DryRun` at the top of the request or inside a wrapped `<Action>Request` (§5.3).
fn request_says_dry_run(req: &Value) -> bool {
    let Some(obj) = req.as_object() else {
        return false;
    };
    let here = ["dryRun", "DryRun"]
        .iter()
        .filter_map(|k| obj.get(*k))
        .any(|v| boolean(v) == Some(true));
    here || obj.values().any(|inner| {
        inner.as_object().is_some_and(|o| {
            ["dryRun", "DryRun"]
                .iter()
                .filter_map(|k| o.get(*k))
                .any(|v| boolean(v) == Some(true))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(v: Value) -> Record {
        Record::from_raw(
            RawRecord::from_value(v).unwrap(),
            PathBuf::from("t.json"),
            Position::new(1, ""),
        )
    }

    #[test]
    fn error_code_prefixes_are_stripped() {
        let r =
            record(json!({"eventName": "DeleteVpc", "errorCode": "Client.DependencyViolation"}));
        assert_eq!(r.error_code.as_deref(), Some("DependencyViolation"));
        let r = record(json!({"errorCode": "Server.InternalError"}));
        assert_eq!(r.error_code.as_deref(), Some("InternalError"));
        let r = record(json!({"errorCode": "TrailNotFoundException"}));
        assert_eq!(r.error_code.as_deref(), Some("TrailNotFoundException"));
        assert!(record(json!({"errorCode": ""})).error_code.is_none());
    }

    #[test]
    fn principal_falls_back_in_order() {
        let r = record(
            json!({"userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/a", "userName": "a"}}),
        );
        assert_eq!(
            r.principal.as_deref(),
            Some("arn:aws:iam::123456789012:user/a")
        );
        let r = record(json!({"userIdentity": {"type": "IAMUser", "userName": "a"}}));
        assert_eq!(r.principal.as_deref(), Some("IAMUser:a"));
        let r = record(json!({"userIdentity": {"type": "AssumedRole",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::123456789012:role/r"}}}}));
        assert_eq!(
            r.principal.as_deref(),
            Some("arn:aws:iam::123456789012:role/r")
        );
        let r = record(
            json!({"userIdentity": {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}}),
        );
        assert_eq!(r.principal.as_deref(), Some("AWSService:ec2.amazonaws.com"));
    }

    #[test]
    fn account_prefers_recipient() {
        let r = record(json!({"recipientAccountId": "123456789012",
            "userIdentity": {"accountId": "210987654321"}}));
        assert_eq!(r.account_id.as_deref(), Some("123456789012"));
        let r = record(json!({"userIdentity": {"accountId": 210987654321u64}}));
        assert_eq!(r.account_id.as_deref(), Some("210987654321"));
    }

    #[test]
    fn dry_run_from_request_or_error() {
        assert!(record(json!({"requestParameters": {"dryRun": true}})).dry_run);
        assert!(
            record(json!({"requestParameters": {"CreateNatGatewayRequest": {"DryRun": "true"}}}))
                .dry_run
        );
        assert!(record(json!({"errorCode": "Client.DryRunOperation"})).dry_run);
        assert!(!record(json!({"requestParameters": null})).dry_run);
    }

    #[test]
    fn position_index_and_display() {
        let p = Position::new(3, "/Records/17");
        assert_eq!(p.index(), Some(17));
        assert_eq!(p.to_string(), "line 3 /Records/17");
        assert_eq!(Position::new(1, "/tests/0/record").index(), Some(0));
        assert_eq!(Position::new(4, "").index(), None);
    }
}
