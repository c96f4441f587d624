//! A scenario's inline events as CloudTrail records: the short form (`do = "create-route rtb-1
//! 0.0.0.0/0 -> igw-1"`) becomes AWS CLI words, the words become a request as
//! [`crate::whatif::command_record`] builds it, and the envelope (time, principal, source
//! address, error code, the IDs AWS gave) is filled from the event's keys or from defaults.
//! The records then go through the same reader types and replay as any trail.

use super::{EventSpec, S};
use crate::cloudtrail::{Position, RawRecord, Record, UtcTime};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// The default time of the first inline event.
pub const DEFAULT_START: &str = "2026-01-01T00:00:00Z";
/// The default principal, source address and user agent of inline events.
pub const DEFAULT_USER: &str = "scenario";
pub const DEFAULT_SOURCE_IP: &str = "198.51.100.10";
pub const DEFAULT_USER_AGENT: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64";
pub const DEFAULT_ACCOUNT: &str = "123456789012";
pub const DEFAULT_REGION: &str = "us-east-1";

/// The flag a route target's ID goes in, by its prefix.
fn target_flag(target: &str) -> Option<&'static str> {
    let t = target.trim();
    Some(if t.starts_with("igw-") || t.starts_with("vgw-") {
        "--gateway-id"
    } else if t.starts_with("nat-") {
        "--nat-gateway-id"
    } else if t.starts_with("pcx-") {
        "--vpc-peering-connection-id"
    } else if t.starts_with("eni-") {
        "--network-interface-id"
    } else if t.starts_with("i-") {
        "--instance-id"
    } else if t.starts_with("tgw-") {
        "--transit-gateway-id"
    } else if t.starts_with("eigw-") {
        "--egress-only-internet-gateway-id"
    } else if t.starts_with("vpce-") {
        "--vpc-endpoint-id"
    } else if t.starts_with("cagw-") {
        "--carrier-gateway-id"
    } else if t.starts_with("lgw-") {
        "--local-gateway-id"
    } else if t.starts_with("arn:") {
        "--core-network-arn"
    } else {
        return None;
    })
}

fn dest_flag(dest: &str) -> &'static str {
    if dest.starts_with("pl-") {
        "--destination-prefix-list-id"
    } else if dest.contains(':') {
        "--destination-ipv6-cidr-block"
    } else {
        "--destination-cidr-block"
    }
}

/// The short forms, for error messages and `scenarios/README.md`.
pub const SHORT_FORMS: &str = "create-route RTB DEST -> TARGET | replace-route RTB DEST -> TARGET | \
delete-route RTB DEST | create-route-table VPC | delete-route-table RTB | associate RTB SUBNET|IGW|VGW | \
disassociate ASSOC | replace-association ASSOC RTB | attach IGW|VGW VPC | detach IGW|VGW VPC | \
delete-nat NAT | propagate RTB VGW | unpropagate RTB VGW | accept-peering PCX | delete-peering PCX";

/// The AWS CLI words of a short-form event.
pub fn short_words(text: &str) -> Result<Vec<String>, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let bad = || {
        format!(
            "{text:?} is not a short-form event; the forms are: {SHORT_FORMS} (or write cli = \"aws ec2 ...\")"
        )
    };
    let w = |v: &[&str]| -> Vec<String> { v.iter().map(|s| s.to_string()).collect() };
    let out = match words.as_slice() {
        [
            verb @ ("create-route" | "replace-route"),
            rtb,
            dest,
            "->",
            target,
        ] => {
            let flag = target_flag(target).ok_or_else(|| {
                format!("{target:?} is not a route target ID (igw-, nat-, pcx-, eni-, i-, tgw-, vgw-, eigw-, vpce-, cagw-, lgw-, or a core network ARN)")
            })?;
            w(&[
                verb,
                "--route-table-id",
                rtb,
                dest_flag(dest),
                dest,
                flag,
                target,
            ])
        }
        ["delete-route", rtb, dest] => w(&[
            "delete-route",
            "--route-table-id",
            rtb,
            dest_flag(dest),
            dest,
        ]),
        ["create-route-table", vpc] => w(&["create-route-table", "--vpc-id", vpc]),
        ["delete-route-table", rtb] => w(&["delete-route-table", "--route-table-id", rtb]),
        ["associate", rtb, what] => {
            let flag = if what.starts_with("subnet-") {
                "--subnet-id"
            } else if what.starts_with("igw-") || what.starts_with("vgw-") {
                "--gateway-id"
            } else {
                return Err(format!(
                    "{what:?}: a route table is associated with a subnet- or an igw-/vgw- ID"
                ));
            };
            w(&["associate-route-table", "--route-table-id", rtb, flag, what])
        }
        ["disassociate", assoc] => w(&["disassociate-route-table", "--association-id", assoc]),
        ["replace-association", assoc, rtb] => w(&[
            "replace-route-table-association",
            "--association-id",
            assoc,
            "--route-table-id",
            rtb,
        ]),
        [verb @ ("attach" | "detach"), gw, vpc] => {
            let (cmd, flag) = match (*verb, gw.starts_with("igw-"), gw.starts_with("vgw-")) {
                ("attach", true, _) => ("attach-internet-gateway", "--internet-gateway-id"),
                ("detach", true, _) => ("detach-internet-gateway", "--internet-gateway-id"),
                ("attach", _, true) => ("attach-vpn-gateway", "--vpn-gateway-id"),
                ("detach", _, true) => ("detach-vpn-gateway", "--vpn-gateway-id"),
                _ => return Err(format!("{gw:?}: attach and detach take an igw- or vgw- ID")),
            };
            w(&[cmd, flag, gw, "--vpc-id", vpc])
        }
        ["delete-nat", nat] => w(&["delete-nat-gateway", "--nat-gateway-id", nat]),
        [verb @ ("propagate" | "unpropagate"), rtb, vgw] => {
            let cmd = if *verb == "propagate" {
                "enable-vgw-route-propagation"
            } else {
                "disable-vgw-route-propagation"
            };
            w(&[cmd, "--route-table-id", rtb, "--gateway-id", vgw])
        }
        ["accept-peering", pcx] => w(&[
            "accept-vpc-peering-connection",
            "--vpc-peering-connection-id",
            pcx,
        ]),
        ["delete-peering", pcx] => w(&[
            "delete-vpc-peering-connection",
            "--vpc-peering-connection-id",
            pcx,
        ]),
        _ => return Err(bad()),
    };
    Ok(out)
}

/// Where the ID of what an event creates sits in its `responseElements`, and its prefix.
fn created(event_name: &str) -> Option<(&'static [&'static str], &'static str)> {
    Some(match event_name {
        "CreateRouteTable" => (&["routeTable", "routeTableId"], "rtb"),
        "AssociateRouteTable" => (&["associationId"], "rtbassoc"),
        "ReplaceRouteTableAssociation" => (&["newAssociationId"], "rtbassoc"),
        "CreateVpc" => (&["vpc", "vpcId"], "vpc"),
        "CreateSubnet" => (&["subnet", "subnetId"], "subnet"),
        "CreateInternetGateway" => (&["internetGateway", "internetGatewayId"], "igw"),
        "CreateEgressOnlyInternetGateway" => (
            &["egressOnlyInternetGateway", "egressOnlyInternetGatewayId"],
            "eigw",
        ),
        "CreateVpnGateway" => (&["vpnGateway", "vpnGatewayId"], "vgw"),
        "CreateVpcPeeringConnection" => {
            (&["vpcPeeringConnection", "vpcPeeringConnectionId"], "pcx")
        }
        "AllocateAddress" => (&["allocationId"], "eipalloc"),
        "AssociateAddress" => (&["associationId"], "eipassoc"),
        "CreateNatGateway" => (&["natGateway", "natGatewayId"], "nat"),
        "CreateVpcEndpoint" => (&["vpcEndpoint", "vpcEndpointId"], "vpce"),
        "CreateNetworkInterface" => (&["networkInterface", "networkInterfaceId"], "eni"),
        "CreateTransitGatewayVpcAttachment" => (
            &["transitGatewayVpcAttachment", "transitGatewayAttachmentId"],
            "tgw-attach",
        ),
        _ => return None,
    })
}

fn set_path(root: &mut Value, path: &[&str], v: Value) {
    let mut cur = root;
    for (i, k) in path.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == path.len() {
            m.insert((*k).to_string(), v);
            return;
        }
        cur = m
            .entry((*k).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// What the scenario gives every inline event by default.
pub struct Defaults<'a> {
    /// The scenario's name (event IDs are `<name>-<n>`).
    pub name: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub start: UtcTime,
    /// The file records are said to come from (`scenario.toml`).
    pub file: &'a str,
}

fn text(s: &Option<S>) -> Option<String> {
    s.as_ref().map(|s| s.get_ref().trim().to_string())
}

/// The CloudTrail record of inline event number `k` (0-based among the inline events) written
/// on `line` of the scenario file. `shared_line`: another inline event is written on the same
/// line (an inline array), so the record's position also names its number, keeping every
/// record's location unique.
pub fn record(
    e: &EventSpec,
    k: usize,
    line: u64,
    shared_line: bool,
    d: &Defaults,
) -> Result<Record, String> {
    let words = match (&e.short, &e.cli) {
        (Some(s), _) => short_words(s.get_ref())?,
        (None, Some(c)) => crate::whatif::split_words(c.get_ref())?,
        (None, None) => return Err("the event has neither do nor cli".into()),
    };
    let n = k + 1;
    let mut v = crate::whatif::command_record(&words, n)?;
    let name = v["eventName"].as_str().unwrap_or_default().to_string();
    let account = text(&e.account).unwrap_or_else(|| d.account.to_string());
    let time = match &e.at {
        Some(t) => UtcTime::parse(t.get_ref())
            .ok_or_else(|| format!("{:?} is not an RFC 3339 time", t.get_ref()))?,
        None => UtcTime::from_unix(d.start.unix_seconds() + 60 * k as i64, 0)
            .ok_or("the start time is out of range")?,
    };
    let by = text(&e.by).unwrap_or_else(|| format!("arn:aws:iam::{account}:user/{DEFAULT_USER}"));
    let user_name = by.rsplit('/').next().unwrap_or(&by).to_string();
    let obj = v
        .as_object_mut()
        .ok_or("internal: the record is not an object")?;
    obj.insert("eventTime".into(), json!(time.to_string()));
    obj.insert(
        "eventID".into(),
        json!(text(&e.id).unwrap_or_else(|| format!("{}-{n}", d.name))),
    );
    obj.insert(
        "userIdentity".into(),
        json!({"type": if by.contains(":assumed-role/") { "AssumedRole" } else { "IAMUser" },
               "arn": by, "accountId": account, "userName": user_name}),
    );
    obj.insert(
        "sourceIPAddress".into(),
        json!(text(&e.source_ip).unwrap_or_else(|| DEFAULT_SOURCE_IP.into())),
    );
    obj.insert(
        "userAgent".into(),
        json!(text(&e.user_agent).unwrap_or_else(|| DEFAULT_USER_AGENT.into())),
    );
    obj.insert(
        "awsRegion".into(),
        json!(text(&e.region).unwrap_or_else(|| d.region.to_string())),
    );
    obj.insert("recipientAccountId".into(), json!(account));
    obj.insert("requestID".into(), json!(format!("{}-request-{n}", d.name)));
    obj.insert("eventType".into(), json!("AwsApiCall"));
    obj.insert("readOnly".into(), json!(false));
    let failed = e.error.is_some() || e.dry_run == Some(true);
    if e.dry_run == Some(true)
        && let Some(Value::Object(req)) = obj.get_mut("requestParameters")
    {
        req.insert("dryRun".into(), json!(true));
    }
    if failed {
        let code = text(&e.error).unwrap_or_else(|| "Client.DryRunOperation".into());
        let message = text(&e.error_message).unwrap_or_else(|| {
            if e.dry_run == Some(true) && e.error.is_none() {
                "Request would have succeeded, but DryRun flag is set.".into()
            } else {
                format!("The request failed with {code}.")
            }
        });
        obj.insert("errorCode".into(), json!(code));
        obj.insert("errorMessage".into(), json!(message));
        obj.insert("responseElements".into(), Value::Null);
    } else if let Some((path, prefix)) = created(&name) {
        let id =
            text(&e.creates).unwrap_or_else(|| format!("{prefix}-{:08x}{n:09x}", 0x5ce4a210u32));
        let resp = obj
            .entry("responseElements")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = resp {
            m.remove("_return");
        }
        set_path(resp, path, json!(id));
        if name == "CreateRouteTable"
            && let Some(vpc) = v["requestParameters"]["vpcId"].as_str().map(str::to_string)
            && let Some(resp) = v.get_mut("responseElements")
        {
            set_path(resp, &["routeTable", "vpcId"], json!(vpc));
        }
    } else if e.creates.is_some() {
        return Err(format!(
            "creates = ... names the ID of what a call creates; {name} creates nothing vpcsim tracks"
        ));
    }
    let raw = RawRecord::from_value(v).ok_or("internal: the record is not an object")?;
    Ok(Record::from_raw(
        raw,
        PathBuf::from(d.file),
        Position::new(
            line,
            if shared_line {
                format!("/event/{}", k + 1)
            } else {
                String::new()
            },
        ),
    ))
}
