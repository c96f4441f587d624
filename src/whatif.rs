//! What-if: planned changes, given as AWS CLI commands (`aws ec2 create-route --route-table-id
//! ...`) or as CloudTrail records, turned into records and applied to a snapshot in the order
//! given, strictly (nothing is inferred: a planned change that names something the snapshot
//! lacks is refused, as EC2 would refuse it). Each step says whether EC2 would accept it (and
//! if not, with which error code) and the exposure changes it would cause; the replay machinery
//! does the work, so what-if and replay can never disagree.
//!
//! CLI words map to CloudTrail's request shape mechanically: `create-route` is `CreateRoute`,
//! `--route-table-id` is `routeTableId`; a flag without a value (`--dry-run`) is `true`, and
//! `--no-dry-run` is `false`. The IDs EC2 would assign (a new route table, a new association)
//! are made up as `rtb-whatif<N>` / `rtbassoc-whatif<N>`.

use crate::cloudtrail::{Position, RawRecord, Record, UtcTime};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// A planned command that cannot be turned into a record: which one and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandError {
    /// Where the command came from: `command 2` or `plan.txt line 4`.
    pub origin: String,
    pub message: String,
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Splits a command line into words: whitespace separates, '...' and "..." group, a backslash
/// escapes the next character (outside single quotes).
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("a ' quote is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x) => cur.push(x),
                            None => return Err("the line ends with a backslash".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("a \" quote is not closed".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(x) => {
                    in_word = true;
                    cur.push(x);
                }
                None => return Err("the line ends with a backslash".into()),
            },
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// `create-route` -> `CreateRoute`.
fn pascal(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `route-table-id` -> `routeTableId`.
fn camel(kebab: &str) -> String {
    let p = pascal(kebab);
    let mut c = p.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The AWS CLI's global options: accepted anywhere, not part of the request.
const GLOBAL_FLAGS: &[&str] = &[
    "region",
    "profile",
    "output",
    "query",
    "debug",
    "endpoint-url",
    "no-verify-ssl",
    "no-paginate",
    "color",
    "no-cli-pager",
    "cli-read-timeout",
    "cli-connect-timeout",
    "ca-bundle",
    "no-sign-request",
    "cli-binary-format",
    "cli-auto-prompt",
    "no-cli-auto-prompt",
];

const ROUTE_TARGETS: &[&str] = &[
    "gateway-id",
    "egress-only-internet-gateway-id",
    "nat-gateway-id",
    "transit-gateway-id",
    "local-gateway-id",
    "carrier-gateway-id",
    "network-interface-id",
    "instance-id",
    "vpc-peering-connection-id",
    "core-network-arn",
    "vpc-endpoint-id",
];

const DESTINATIONS: &[&str] = &[
    "destination-cidr-block",
    "destination-ipv6-cidr-block",
    "destination-prefix-list-id",
];

/// The flags (besides `--dry-run` and the global ones) of each `aws ec2` subcommand whose form
/// vpcsim claims to read; `None` for other subcommands (passed through unchecked).
fn known_flags(verb: &str) -> Option<Vec<&'static str>> {
    let route = |extra: &[&'static str]| {
        let mut v = vec!["route-table-id"];
        v.extend_from_slice(DESTINATIONS);
        v.extend_from_slice(extra);
        v
    };
    Some(match verb {
        "create-route" => route(ROUTE_TARGETS),
        "replace-route" => {
            let mut v = route(ROUTE_TARGETS);
            v.push("local-target");
            v
        }
        "delete-route" => route(&[]),
        "create-route-table" => vec!["vpc-id", "tag-specifications", "client-token"],
        "delete-route-table" => vec!["route-table-id"],
        "associate-route-table" => vec![
            "route-table-id",
            "subnet-id",
            "gateway-id",
            "public-ipv4-pool",
        ],
        "disassociate-route-table" => vec!["association-id"],
        "replace-route-table-association" => vec!["association-id", "route-table-id"],
        "attach-internet-gateway" | "detach-internet-gateway" => {
            vec!["internet-gateway-id", "vpc-id"]
        }
        "delete-internet-gateway" => vec!["internet-gateway-id"],
        "delete-egress-only-internet-gateway" => vec!["egress-only-internet-gateway-id"],
        "create-nat-gateway" => vec![
            "subnet-id",
            "allocation-id",
            "connectivity-type",
            "private-ip-address",
            "client-token",
            "tag-specifications",
            "secondary-allocation-ids",
            "secondary-private-ip-addresses",
            "secondary-private-ip-address-count",
        ],
        "delete-nat-gateway" => vec!["nat-gateway-id"],
        "attach-vpn-gateway" | "detach-vpn-gateway" => vec!["vpn-gateway-id", "vpc-id"],
        "enable-vgw-route-propagation" | "disable-vgw-route-propagation" => {
            vec!["route-table-id", "gateway-id"]
        }
        "accept-vpc-peering-connection"
        | "reject-vpc-peering-connection"
        | "delete-vpc-peering-connection" => vec!["vpc-peering-connection-id"],
        "create-vpc-peering-connection" => vec![
            "vpc-id",
            "peer-vpc-id",
            "peer-owner-id",
            "peer-region",
            "tag-specifications",
        ],
        "create-vpc" => vec![
            "cidr-block",
            "amazon-provided-ipv6-cidr-block",
            "ipv6-pool",
            "ipv6-cidr-block",
            "ipv4-ipam-pool-id",
            "ipv4-netmask-length",
            "ipv6-ipam-pool-id",
            "ipv6-netmask-length",
            "ipv6-cidr-block-network-border-group",
            "instance-tenancy",
            "tag-specifications",
        ],
        "delete-vpc" => vec!["vpc-id"],
        "associate-vpc-cidr-block" => vec![
            "vpc-id",
            "cidr-block",
            "amazon-provided-ipv6-cidr-block",
            "ipv6-pool",
            "ipv6-cidr-block",
            "ipv6-cidr-block-network-border-group",
            "ipv4-ipam-pool-id",
            "ipv4-netmask-length",
            "ipv6-ipam-pool-id",
            "ipv6-netmask-length",
        ],
        "disassociate-vpc-cidr-block" => vec!["association-id"],
        "create-subnet" => vec![
            "vpc-id",
            "cidr-block",
            "ipv6-cidr-block",
            "availability-zone",
            "availability-zone-id",
            "outpost-arn",
            "ipv6-native",
            "ipv4-ipam-pool-id",
            "ipv4-netmask-length",
            "ipv6-ipam-pool-id",
            "ipv6-netmask-length",
            "tag-specifications",
        ],
        "delete-subnet" => vec!["subnet-id"],
        "create-internet-gateway" => vec!["tag-specifications"],
        "create-egress-only-internet-gateway" => {
            vec!["vpc-id", "client-token", "tag-specifications"]
        }
        "create-vpn-gateway" => vec![
            "type",
            "availability-zone",
            "amazon-side-asn",
            "tag-specifications",
        ],
        "delete-vpn-gateway" => vec!["vpn-gateway-id"],
        "delete-vpc-endpoints" => vec!["vpc-endpoint-ids"],
        "delete-network-interface" => vec!["network-interface-id"],
        "terminate-instances" => vec!["instance-ids"],
        "disassociate-address" => vec!["association-id", "public-ip"],
        "release-address" => vec!["allocation-id", "public-ip", "network-border-group"],
        "associate-address" => vec![
            "instance-id",
            "public-ip",
            "allocation-id",
            "network-interface-id",
            "private-ip-address",
            "allow-reassociation",
        ],
        "create-transit-gateway-vpc-attachment" => vec![
            "transit-gateway-id",
            "vpc-id",
            "subnet-ids",
            "options",
            "tag-specifications",
        ],
        "delete-transit-gateway-vpc-attachment" => vec!["transit-gateway-attachment-id"],
        "modify-subnet-attribute" => vec![
            "subnet-id",
            "map-public-ip-on-launch",
            "assign-ipv6-address-on-creation",
            "map-customer-owned-ip-on-launch",
            "customer-owned-ipv4-pool",
            "enable-dns64",
            "private-dns-hostname-type-on-launch",
            "enable-resource-name-dns-a-record-on-launch",
            "enable-resource-name-dns-aaaa-record-on-launch",
            "enable-lni-at-device-index",
            "disable-lni-at-device-index",
        ],
        "create-vpc-endpoint" => vec![
            "vpc-id",
            "service-name",
            "vpc-endpoint-type",
            "policy-document",
            "route-table-ids",
            "subnet-ids",
            "security-group-ids",
            "ip-address-type",
            "dns-options",
            "client-token",
            "private-dns-enabled",
            "tag-specifications",
            "subnet-configurations",
            "service-network-arn",
            "resource-configuration-arn",
            "service-region",
        ],
        "modify-vpc-endpoint" => vec![
            "vpc-endpoint-id",
            "reset-policy",
            "policy-document",
            "add-route-table-ids",
            "remove-route-table-ids",
            "add-subnet-ids",
            "remove-subnet-ids",
            "add-security-group-ids",
            "remove-security-group-ids",
            "ip-address-type",
            "dns-options",
            "private-dns-enabled",
            "subnet-configurations",
        ],
        "allocate-address" => vec![
            "domain",
            "address",
            "public-ipv4-pool",
            "network-border-group",
            "customer-owned-ipv4-pool",
            "tag-specifications",
            "ipam-pool-id",
        ],
        "create-network-interface" => vec![
            "subnet-id",
            "description",
            "private-ip-address",
            "groups",
            "private-ip-addresses",
            "secondary-private-ip-address-count",
            "ipv6-addresses",
            "ipv6-address-count",
            "ipv4-prefixes",
            "ipv4-prefix-count",
            "ipv6-prefixes",
            "ipv6-prefix-count",
            "interface-type",
            "tag-specifications",
            "client-token",
            "enable-primary-ipv6",
            "connection-tracking-specification",
            "operator",
        ],
        "modify-network-interface-attribute" => vec![
            "network-interface-id",
            "description",
            "source-dest-check",
            "groups",
            "attachment",
            "ena-srd-specification",
            "enable-primary-ipv6",
            "connection-tracking-specification",
            "associate-public-ip-address",
            "associated-subnet-ids",
        ],
        _ => return None,
    })
}

/// The route-family subcommands vpcsim reads whose options are not checked: `run-instances` has
/// some forty, added to with AWS releases; a list that lags would refuse valid commands.
const UNCHECKED_VERBS: &[&str] = &["run-instances"];

/// Every subcommand of the route family that [`known_flags`] checks.
const CHECKED_VERBS: &[&str] = &[
    "create-route",
    "replace-route",
    "delete-route",
    "create-route-table",
    "delete-route-table",
    "associate-route-table",
    "disassociate-route-table",
    "replace-route-table-association",
    "attach-internet-gateway",
    "detach-internet-gateway",
    "delete-internet-gateway",
    "delete-egress-only-internet-gateway",
    "create-nat-gateway",
    "delete-nat-gateway",
    "attach-vpn-gateway",
    "detach-vpn-gateway",
    "enable-vgw-route-propagation",
    "disable-vgw-route-propagation",
    "accept-vpc-peering-connection",
    "reject-vpc-peering-connection",
    "delete-vpc-peering-connection",
    "create-vpc-peering-connection",
    "create-vpc",
    "delete-vpc",
    "associate-vpc-cidr-block",
    "disassociate-vpc-cidr-block",
    "create-subnet",
    "delete-subnet",
    "create-internet-gateway",
    "create-egress-only-internet-gateway",
    "create-vpn-gateway",
    "delete-vpn-gateway",
    "delete-vpc-endpoints",
    "delete-network-interface",
    "terminate-instances",
    "disassociate-address",
    "release-address",
    "associate-address",
    "create-transit-gateway-vpc-attachment",
    "delete-transit-gateway-vpc-attachment",
    "modify-subnet-attribute",
    "create-vpc-endpoint",
    "modify-vpc-endpoint",
    "allocate-address",
    "create-network-interface",
    "modify-network-interface-attribute",
];

/// The route-family subcommand `verb` is most likely a misspelling of: one or two letters
/// away (added, dropped or changed) from one, and not one itself. A plan with a misspelled
/// command must not pass a CI gate as "ignored".
fn misspelling_of(verb: &str) -> Option<&'static str> {
    if CHECKED_VERBS.contains(&verb) || UNCHECKED_VERBS.contains(&verb) {
        return None;
    }
    CHECKED_VERBS
        .iter()
        .chain(UNCHECKED_VERBS)
        .map(|v| (edit_distance(verb, v), *v))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, v)| v)
}

/// Levenshtein distance of two short ASCII words.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(x != y))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Turns one AWS CLI command (with or without the leading `aws ec2`) into a CloudTrail-shaped
/// record for step `n` (1-based).
pub fn command_record(words: &[String], n: usize) -> Result<Value, String> {
    let mut rest: &[String] = words;
    if rest.first().map(String::as_str) == Some("aws") {
        rest = &rest[1..];
    }
    if rest.first().map(String::as_str) == Some("ec2") {
        rest = &rest[1..];
    } else if words.first().map(String::as_str) == Some("aws") {
        return Err(format!(
            "only `aws ec2` commands change routing; got `aws {}`",
            rest.first().map(String::as_str).unwrap_or("")
        ));
    }
    let Some((verb, args)) = rest.split_first() else {
        return Err("no command: give an aws ec2 subcommand such as create-route".into());
    };
    if verb.starts_with('-') || verb.is_empty() {
        return Err(format!(
            "{verb} is not an aws ec2 subcommand; start with one such as create-route"
        ));
    }
    if let Some(meant) = misspelling_of(verb) {
        return Err(format!(
            "`aws ec2 {verb}` is not an aws ec2 command vpcsim reads; did you mean `{meant}`?"
        ));
    }
    let name = pascal(verb);
    let mut req = Map::new();
    let mut i = 0;
    while i < args.len() {
        let flag = &args[i];
        let Some(key) = flag.strip_prefix("--").filter(|k| !k.is_empty()) else {
            return Err(format!(
                "{flag:?} is not a --flag (values follow their flag: --route-table-id rtb-...)"
            ));
        };
        let (key, value) = match (key.split_once('='), args.get(i + 1)) {
            // `--route-table-id=rtb-1`, as the AWS CLI also accepts.
            (Some((k, v)), _) => {
                i += 1;
                (k.to_string(), Value::String(v.to_string()))
            }
            (None, Some(v)) if !v.starts_with("--") => {
                // A list option takes every value up to the next flag
                // (`--add-route-table-ids rtb-1 rtb-2`).
                let mut values = vec![Value::String(v.clone())];
                i += 2;
                while let Some(more) = args.get(i).filter(|w| !w.starts_with("--")) {
                    values.push(Value::String(more.clone()));
                    i += 1;
                }
                let value = if values.len() == 1 {
                    values.remove(0)
                } else {
                    Value::Array(values)
                };
                (key.to_string(), value)
            }
            (None, _) => {
                i += 1;
                match key.strip_prefix("no-") {
                    Some(k) => (k.to_string(), Value::Bool(false)),
                    None => (key.to_string(), Value::Bool(true)),
                }
            }
        };
        // The flag as written, without its `=value`.
        let raw = flag
            .split('=')
            .next()
            .unwrap_or(flag)
            .trim_start_matches("--");
        if GLOBAL_FLAGS.contains(&raw) {
            continue;
        }
        if let Some(known) = known_flags(verb)
            && key != "dry-run"
            && !known.contains(&key.as_str())
        {
            return Err(format!(
                "--{raw} is not an option of `aws ec2 {verb}`; its options are --{} (and --dry-run)",
                known.join(", --")
            ));
        }
        let key = camel(&key);
        if req.insert(key.clone(), value).is_some() {
            return Err(format!("--{raw} is given twice"));
        }
    }
    // What EC2 would answer: made-up IDs for what it would create.
    let resp = match name.as_str() {
        "CreateRouteTable" => json!({"routeTable": {
            "routeTableId": format!("rtb-whatif{n}"),
            "vpcId": req.get("vpcId").cloned().unwrap_or(Value::Null),
        }}),
        "AssociateRouteTable" => json!({"associationId": format!("rtbassoc-whatif{n}")}),
        "ReplaceRouteTableAssociation" => {
            json!({"newAssociationId": format!("rtbassoc-whatif{n}")})
        }
        _ => json!({"_return": true}),
    };
    Ok(json!({
        "eventVersion": "1.08",
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "eventID": format!("whatif-{n}"),
        "userIdentity": {"type": "WhatIf", "arn": "planned change"},
        "requestParameters": Value::Object(req),
        "responseElements": resp,
    }))
}

/// One planned step, ready to replay: the record, and the command as the user wrote it.
pub struct Step {
    pub text: String,
    pub record: Record,
}

/// Gives a record the step's place: step `n` happens `n` seconds after the epoch, so that the
/// replay applies steps in the order given; its time reads `step N`.
pub fn place(mut record: Record, n: usize, text: String) -> Step {
    record.time = UtcTime::from_unix(n as i64, 0);
    record.event_time = Some(format!("step {n}"));
    if record.event_id.is_none() {
        record.event_id = Some(format!("whatif-{n}"));
    }
    Step { text, record }
}

/// One command as step `n` of a plan, read from `origin`; `response`, when given, becomes the
/// record's `responseElements` (what EC2 answered: a RunInstances' instances, say, which no
/// command line carries).
pub fn command_step(
    words: &[String],
    n: usize,
    origin: &str,
    response: Option<Value>,
) -> Result<Step, String> {
    let mut v = command_record(words, n)?;
    if let (Some(r), Some(obj)) = (response, v.as_object_mut()) {
        obj.insert("responseElements".into(), r);
    }
    let raw = RawRecord::from_value(v).ok_or("internal: the record is not an object")?;
    let record = Record::from_raw(raw, PathBuf::from(origin), Position::new(n as u64, ""));
    Ok(place(record, n, words.join(" ")))
}

/// Commands to steps (numbered from `first`); the errors name the command.
pub fn steps_from_commands(
    commands: &[(String, Vec<String>)],
    first: usize,
) -> (Vec<Step>, Vec<CommandError>) {
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for (k, (origin, words)) in commands.iter().enumerate() {
        match command_step(words, first + k, origin, None) {
            Ok(step) => steps.push(step),
            Err(message) => errors.push(CommandError {
                origin: origin.clone(),
                message,
            }),
        }
    }
    (steps, errors)
}

/// Reads a plan file: one command per line; blank lines and `#` comments are skipped, a line
/// ending in a backslash continues on the next.
pub fn commands_from_text(
    text: &str,
    file: &str,
) -> (Vec<(String, Vec<String>)>, Vec<CommandError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut pending = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        if pending.is_empty() {
            start = i + 1;
        }
        if let Some(body) = line.strip_suffix('\\') {
            pending.push_str(body);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let full = std::mem::take(&mut pending);
        let trimmed = full.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let origin = format!("{file} line {start}");
        match split_words(trimmed) {
            Ok(words) => out.push((origin, words)),
            Err(message) => errors.push(CommandError { origin, message }),
        }
    }
    if !pending.trim().is_empty() {
        errors.push(CommandError {
            origin: format!("{file} line {start}"),
            message: "the last line ends with a backslash".into(),
        });
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        split_words(s).expect("words")
    }

    #[test]
    fn cli_words_become_cloudtrail_request_parameters() {
        let v = command_record(
            &w("aws ec2 create-route --route-table-id rtb-1 --destination-cidr-block 0.0.0.0/0 --gateway-id igw-1 --no-dry-run"),
            1,
        )
        .expect("record");
        assert_eq!(v["eventName"], "CreateRoute");
        assert_eq!(v["requestParameters"]["routeTableId"], "rtb-1");
        assert_eq!(v["requestParameters"]["destinationCidrBlock"], "0.0.0.0/0");
        assert_eq!(v["requestParameters"]["gatewayId"], "igw-1");
        assert_eq!(v["requestParameters"]["dryRun"], false);
        let v = command_record(
            &w("associate-route-table --route-table-id rtb-1 --subnet-id subnet-1"),
            3,
        )
        .expect("record");
        assert_eq!(v["responseElements"]["associationId"], "rtbassoc-whatif3");
    }

    #[test]
    fn list_options_take_every_value_up_to_the_next_flag() {
        let v = command_record(
            &w("aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-1 --remove-route-table-ids rtb-1 rtb-2 --reset-policy"),
            1,
        )
        .expect("record");
        let req = &v["requestParameters"];
        assert_eq!(req["vpcEndpointId"], "vpce-1");
        assert_eq!(req["removeRouteTableIds"], json!(["rtb-1", "rtb-2"]));
        assert_eq!(req["resetPolicy"], true);
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        assert!(command_record(&w("aws s3 ls"), 1).is_err());
        assert!(command_record(&w("aws ec2"), 1).is_err());
        assert!(command_record(&w("create-route rtb-1"), 1).is_err());
        assert!(
            command_record(&w("create-route --gateway-id a --gateway-id b"), 1)
                .expect_err("twice")
                .contains("twice")
        );
        let e =
            command_record(&w("aws ec2 create-route --route-table rtb-1"), 1).expect_err("typo");
        assert!(
            e.contains("--route-table is not an option of `aws ec2 create-route`"),
            "{e}"
        );
        assert!(e.contains("--route-table-id"), "{e}");
        // Global options are accepted and left out of the request.
        let v = command_record(&w("aws ec2 delete-route --route-table-id rtb-1 --destination-cidr-block 10.0.0.0/8 --region eu-west-1 --output json --no-cli-pager"), 1)
            .expect("record");
        assert!(v["requestParameters"].get("region").is_none());
        assert_eq!(v["requestParameters"]["routeTableId"], "rtb-1");
    }

    /// `--flag=value` reads as `--flag value`; a misspelled route-family command is an error
    /// that names the command meant (not an `ignored` step that passes a CI gate); a command
    /// outside the family, however close, is still only ignored.
    #[test]
    fn equals_forms_and_misspelled_commands() {
        let a = command_record(&w("aws ec2 delete-route --route-table-id=rtb-1 --destination-cidr-block=10.0.0.0/8 --region=eu-west-1"), 1)
            .expect("record");
        let b = command_record(
            &w("aws ec2 delete-route --route-table-id rtb-1 --destination-cidr-block 10.0.0.0/8"),
            1,
        )
        .expect("record");
        assert_eq!(a, b);
        let e = command_record(&w("aws ec2 create-rout --route-table-id rtb-1"), 1)
            .expect_err("misspelled");
        assert!(e.contains("did you mean `create-route`"), "{e}");
        let e = command_record(&w("aws ec2 delete-natgateway --nat-gateway-id nat-1"), 1)
            .expect_err("misspelled");
        assert!(e.contains("`delete-nat-gateway`"), "{e}");
        assert!(command_record(&w("aws ec2 describe-vpcs"), 1).is_ok());
        assert!(command_record(&w("aws ec2 create-tags --resources rtb-1"), 1).is_ok());
    }

    /// Every subcommand whose options are checked takes each of its options, as `--flag v`
    /// and `--flag=v`, and rejects one it does not have with the list of the real ones.
    #[test]
    fn every_checked_command_takes_its_options_and_no_other() {
        for verb in CHECKED_VERBS {
            let known = known_flags(verb).expect("checked verbs have their options");
            assert!(!known.is_empty(), "{verb}");
            for flag in &known {
                for words in [
                    format!("aws ec2 {verb} --{flag} x"),
                    format!("aws ec2 {verb} --{flag}=x"),
                ] {
                    let v =
                        command_record(&w(&words), 1).unwrap_or_else(|e| panic!("{words}: {e}"));
                    assert_eq!(v["requestParameters"][camel(flag)], "x", "{words}");
                    assert_eq!(v["eventName"], pascal(verb), "{words}");
                }
            }
            let e = command_record(&w(&format!("aws ec2 {verb} --not-an-option 1")), 1)
                .expect_err("unknown option");
            assert!(
                e.contains(&format!(
                    "--not-an-option is not an option of `aws ec2 {verb}`"
                )),
                "{e}"
            );
            assert!(e.contains(&format!("--{}", known[0])), "{e}");
        }
        for verb in UNCHECKED_VERBS {
            assert!(known_flags(verb).is_none(), "{verb}");
            assert!(misspelling_of(verb).is_none(), "{verb}");
        }
    }

    #[test]
    fn plan_files_skip_comments_and_join_continued_lines() {
        let (cmds, errs) = commands_from_text(
            "# plan\n\naws ec2 delete-route \\\n  --route-table-id rtb-1 --destination-cidr-block '10.0.0.0/8'\nbad 'quote\n",
            "plan.txt",
        );
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].0, "plan.txt line 3");
        assert_eq!(cmds[0].1.last().map(String::as_str), Some("10.0.0.0/8"));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].origin, "plan.txt line 5");
    }
}
