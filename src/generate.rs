//! Labelled training trails (`vpcsim generate`): a realistic organisation as describe-* JSON, a
//! CloudTrail trail in the S3 layout that mixes benign routing churn, unrelated API noise,
//! failed calls and injected misuse episodes of the three patterns of product.md, and the
//! ground truth as JSON Lines.
//!
//! Every route-family record is checked against a model of the account before it is written
//! (a single-record strict replay with exposure on): a call the model accepts is written as a
//! success, one it rejects as a failure with the error code and message the model gives, so the
//! trail replays with no `diverged` and no `malformed` record by construction; and the exposure
//! that replay computes is the event's ground truth, written as the trail is (the generator's
//! model is the state `vpcsim replay` rebuilds from the written snapshot and trail;
//! `tests/generate.rs` replays the files and compares event by event). Everything derives from
//! the seed through one small PRNG: same seed and options, byte-identical files. Trail records
//! are buffered one delivery hour at a time and truth lines one call at a time, so memory holds
//! the model and little else, however long the trail.

use crate::cloudtrail::{Position, RawRecord, ReadResult, Record, UtcTime};
use crate::model::{AssociationTarget, InstanceId, Network, RouteTableId};
use crate::replay::{self, Outcome, ReplayOptions};
use crate::snapshot;
use flate2::{Compression, GzBuilder};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What to generate (`vpcsim generate --help` documents each).
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub seed: u64,
    pub accounts: usize,
    /// VPCs per account.
    pub vpcs: usize,
    pub days: usize,
    /// Route-family calls per day (episodes included).
    pub events_per_day: usize,
    /// The chance that a route-family slot starts a misuse episode instead of benign churn.
    pub attack_rate: f64,
    /// Unrelated records (Describe*, other services) per route-family record.
    pub noise_rate: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            accounts: 2,
            vpcs: 3,
            days: 2,
            events_per_day: 200,
            attack_rate: 0.02,
            noise_rate: 6.0,
        }
    }
}

/// The most VPCs a generated organisation holds (each gets a /20 of 10.0.0.0/8 below 10.250).
pub const MAX_VPCS: usize = 4000;

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub trail_files: usize,
    pub records: usize,
    pub route_family: usize,
    pub failed: usize,
    pub noise: usize,
    pub episodes: usize,
    /// Episodes whose first call the model refused (an earlier episode had removed what it
    /// needed): left out, their records kept as the failed calls they are.
    pub episodes_dropped: usize,
    pub snapshot_files: usize,
}

/// The first day of every generated trail (a Monday).
const START: &str = "2026-03-02T00:00:00Z";
const REGION: &str = "us-east-1";
const FOREIGN_ACCOUNT: &str = "999900001111";
/// S3's gateway-endpoint prefix list in us-east-1 and the ranges it holds here.
const S3_PREFIX_LIST: &str = "pl-63a5400a";
const S3_CIDRS: [&str; 3] = ["52.216.0.0/15", "54.231.0.0/16", "3.5.0.0/19"];

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    fn hex(&mut self, digits: usize) -> String {
        let mut s = String::new();
        while s.len() < digits {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(digits);
        s
    }
    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

/// Who calls.
#[derive(Clone, Debug)]
struct Actor {
    arn: String,
    /// Stable per actor, as in real CloudTrail: `AIDA…`/`AROA…:session`, the access key, and
    /// for a role the session issuer's ID.
    principal_id: String,
    access_key: String,
    issuer_id: String,
    kind: &'static str,
    account: String,
    user_agent: String,
    ip: String,
    user_name: String,
}

/// One generated VPC and the IDs the generator needs later.
#[derive(Clone, Debug)]
struct Vpc {
    account: String,
    id: String,
    cidr_base: u32,
    igw: String,
    nat: String,
    nat_public: String,
    vgw: Option<String>,
    main_rtb: String,
    public_rtb: String,
    private_rtb: String,
    public_subnets: [String; 2],
    private_subnets: [String; 2],
    isolated_subnets: [String; 2],
    /// The subnet of the inspection appliance, with its own table (the private routes).
    inspection_subnet: String,
    inspection_rtb: String,
    app_instance: String,
    web_instance: String,
    /// An inspection appliance in its own subnet, source/destination check off: a forwarding
    /// appliance (what a capture route points at to intercept rather than drop).
    proxy_instance: String,
    peers: Vec<(String, String)>,
    /// A peering with a partner's VPC in an account outside the organisation, whose CIDR lies
    /// inside the on-premises range: active, but no route uses it (yet).
    foreign: Option<(String, String)>,
}

fn ipv4(v: u32) -> String {
    std::net::Ipv4Addr::from(v).to_string()
}

/// The trail's organisation as a TOML topology (the format `vpcsim` documents), so that the
/// snapshot goes through the same importer users' files do.
fn organisation(rng: &mut Rng, o: &Options) -> (String, Vec<String>, Vec<Vpc>) {
    let accounts: Vec<String> = (0..o.accounts)
        .map(|a| {
            format!(
                "{:012}",
                210_000_000_000u64 + 1_000_003 * a as u64 + rng.below(997) as u64
            )
        })
        .collect();
    let mut t = String::from(
        "# Generated by vpcsim generate: an organisation with public, private and isolated tiers.\n",
    );
    let _ = writeln!(t, "region = \"{REGION}\"\n");
    let _ = writeln!(
        t,
        "[[prefix_list]]\nid = \"{S3_PREFIX_LIST}\"\nname = \"com.amazonaws.{REGION}.s3\"\ncidrs = [{}]\n",
        S3_CIDRS.map(|c| format!("\"{c}\"")).join(", ")
    );
    let mut vpcs = Vec::new();
    let id = |rng: &mut Rng, p: &str| format!("{p}-{}", rng.hex(17));
    for (a, acct) in accounts.iter().enumerate() {
        for v in 0..o.vpcs {
            let g = (a * o.vpcs + v) as u32;
            let base = (10u32 << 24) | ((g / 16) << 16) | ((g % 16) * 16) << 8;
            let sub = |k: u32| format!("{}/24", ipv4(base + (k << 8)));
            let vpc = Vpc {
                account: acct.clone(),
                id: id(rng, "vpc"),
                cidr_base: base,
                igw: id(rng, "igw"),
                nat: id(rng, "nat"),
                nat_public: ipv4((54 << 24) | (160 << 16) | (g << 8 & 0xfff00) | 10),
                vgw: (v % 2 == 0).then(|| id(rng, "vgw")),
                main_rtb: id(rng, "rtb"),
                public_rtb: id(rng, "rtb"),
                private_rtb: id(rng, "rtb"),
                public_subnets: [id(rng, "subnet"), id(rng, "subnet")],
                private_subnets: [id(rng, "subnet"), id(rng, "subnet")],
                isolated_subnets: [id(rng, "subnet"), id(rng, "subnet")],
                inspection_subnet: id(rng, "subnet"),
                inspection_rtb: id(rng, "rtb"),
                app_instance: id(rng, "i"),
                web_instance: id(rng, "i"),
                proxy_instance: id(rng, "i"),
                peers: Vec::new(),
                foreign: None,
            };
            let _ = writeln!(
                t,
                "[[vpc]]\nid = \"{}\"\ncidrs = [\"{}/20\"]\naccount = \"{acct}\"\nname = \"{}-{}\"\n",
                vpc.id,
                ipv4(base),
                ["shop", "payments", "data", "identity", "search", "media"][v % 6],
                v
            );
            for (k, (s, tier)) in vpc
                .public_subnets
                .iter()
                .map(|s| (s, "public"))
                .chain(vpc.private_subnets.iter().map(|s| (s, "private")))
                .chain(vpc.isolated_subnets.iter().map(|s| (s, "isolated")))
                .chain(std::iter::once((&vpc.inspection_subnet, "inspection")))
                .enumerate()
            {
                let _ = writeln!(
                    t,
                    "[[subnet]]\nid = \"{s}\"\nvpc = \"{}\"\ncidr = \"{}\"\naz = \"{REGION}{}\"\nname = \"{tier}-{}\"\nmap_public_ip_on_launch = {}\n",
                    vpc.id,
                    sub(k as u32),
                    ["a", "b"][k % 2],
                    ["a", "b"][k % 2],
                    tier == "public"
                );
            }
            let _ = writeln!(
                t,
                "[[internet_gateway]]\nid = \"{}\"\nvpc = \"{}\"\n",
                vpc.igw, vpc.id
            );
            let _ = writeln!(
                t,
                "[[nat_gateway]]\nid = \"{}\"\nsubnet = \"{}\"\nprivate_ip = \"{}\"\npublic_ip = \"{}\"\n",
                vpc.nat,
                vpc.public_subnets[0],
                ipv4(base + 10),
                vpc.nat_public
            );
            if let Some(vgw) = &vpc.vgw {
                let _ = writeln!(t, "[[vpn_gateway]]\nid = \"{vgw}\"\nvpc = \"{}\"\n", vpc.id);
            }
            let _ = writeln!(
                t,
                "[[instance]]\nid = \"{}\"\nsubnet = \"{}\"\nprivate_ip = \"{}\"\npublic_ip = \"{}\"\n",
                vpc.web_instance,
                vpc.public_subnets[0],
                ipv4(base + 20),
                ipv4((54 << 24) | (160 << 16) | (g << 8 & 0xfff00) | 20)
            );
            let _ = writeln!(
                t,
                "[[instance]]\nid = \"{}\"\nsubnet = \"{}\"\nprivate_ip = \"{}\"\n",
                vpc.app_instance,
                vpc.private_subnets[0],
                ipv4(base + (2 << 8) + 20)
            );
            let _ = writeln!(
                t,
                "[[instance]]\nid = \"{}\"\nsubnet = \"{}\"\nprivate_ip = \"{}\"\nsource_dest_check = false\n",
                vpc.proxy_instance,
                vpc.inspection_subnet,
                ipv4(base + (6 << 8) + 30)
            );
            vpcs.push(vpc);
        }
    }
    // Peering: neighbours within an account, and each account's first VPC with a partner's
    // VPC in an account outside the organisation.
    let mut peerings = String::new();
    for a in 0..o.accounts {
        for v in (0..o.vpcs.saturating_sub(1)).step_by(2) {
            let (i, j) = (a * o.vpcs + v, a * o.vpcs + v + 1);
            let pcx = id(rng, "pcx");
            let _ = writeln!(
                peerings,
                "[[vpc_peering_connection]]\nid = \"{pcx}\"\nrequester = \"{}\"\naccepter = \"{}\"\n",
                vpcs[i].id, vpcs[j].id
            );
            let (ci, cj) = (
                format!("{}/20", ipv4(vpcs[i].cidr_base)),
                format!("{}/20", ipv4(vpcs[j].cidr_base)),
            );
            vpcs[i].peers.push((pcx.clone(), cj));
            vpcs[j].peers.push((pcx, ci));
        }
        if o.vpcs > 0 {
            let i = a * o.vpcs;
            let pcx = id(rng, "pcx");
            let cidr = format!("192.168.{}.0/24", 100 + a % 100);
            let _ = writeln!(
                peerings,
                "[[vpc_peering_connection]]\nid = \"{pcx}\"\nrequester = \"{}\"\naccepter = \"vpc-{}\"\naccepter_cidrs = [\"{cidr}\"]\naccepter_account = \"{FOREIGN_ACCOUNT}\"\n",
                vpcs[i].id,
                rng.hex(17)
            );
            vpcs[i].foreign = Some((pcx, cidr));
        }
    }
    t.push_str(&peerings);
    for vpc in &vpcs {
        let _ = writeln!(
            t,
            "[[route_table]]\nid = \"{}\"\nvpc = \"{}\"\nmain = true\nname = \"isolated\"\n",
            vpc.main_rtb, vpc.id
        );
        let _ = writeln!(
            t,
            "[[route_table]]\nid = \"{}\"\nvpc = \"{}\"\nname = \"public\"\nsubnets = [\"{}\", \"{}\"]\nroutes = [\"0.0.0.0/0 -> {}\"]\n",
            vpc.public_rtb, vpc.id, vpc.public_subnets[0], vpc.public_subnets[1], vpc.igw
        );
        let mut routes = vec![format!("\"0.0.0.0/0 -> {}\"", vpc.nat)];
        for (pcx, cidr) in &vpc.peers {
            routes.push(format!("\"{cidr} -> {pcx}\""));
        }
        let mut extra = String::new();
        if let Some(vgw) = &vpc.vgw {
            routes.push(format!(
                "{{ destination = \"192.168.0.0/16\", target = \"{vgw}\", origin = \"EnableVgwRoutePropagation\" }}"
            ));
            let _ = writeln!(extra, "propagating_vgws = [\"{vgw}\"]");
        }
        let _ = writeln!(
            t,
            "[[route_table]]\nid = \"{}\"\nvpc = \"{}\"\nname = \"private\"\nsubnets = [\"{}\", \"{}\"]\n{extra}routes = [{}]\n",
            vpc.private_rtb,
            vpc.id,
            vpc.private_subnets[0],
            vpc.private_subnets[1],
            routes.join(", ")
        );
        let _ = writeln!(
            t,
            "[[route_table]]\nid = \"{}\"\nvpc = \"{}\"\nname = \"inspection\"\nsubnets = [\"{}\"]\n{extra}routes = [{}]\n",
            vpc.inspection_rtb,
            vpc.id,
            vpc.inspection_subnet,
            routes.join(", ")
        );
        let _ = writeln!(
            t,
            "[[vpc_endpoint]]\nid = \"vpce-{}\"\nvpc = \"{}\"\ntype = \"Gateway\"\nservice = \"com.amazonaws.{REGION}.s3\"\nroute_tables = [\"{}\"]\nprefix_list = \"{S3_PREFIX_LIST}\"\n",
            rng.hex(17),
            vpc.id,
            vpc.private_rtb
        );
    }
    (t, accounts, vpcs)
}

/// A labelled misuse episode.
#[derive(Clone, Debug)]
struct Episode {
    id: String,
    pattern: &'static str,
    technique: &'static str,
    account: String,
    principal: String,
    source_ip: String,
    events: Vec<String>,
    remediation_events: Vec<String>,
    expected_kinds: Vec<&'static str>,
    expected_findings: Vec<&'static str>,
    /// The remediation when no single command reverts the attack (a deleted NAT gateway).
    hint: Vec<String>,
    first_time: Option<String>,
    last_time: Option<String>,
    /// The revert commands of the applied attack calls, last call first.
    reverts: Vec<String>,
}

struct Gen<'a> {
    rng: Rng,
    o: &'a Options,
    out: &'a Path,
    net: Network,
    vpcs: Vec<Vpc>,
    actors: BTreeMap<String, Vec<Actor>>,
    clock: i64,
    /// Records waiting for their delivery file: (account, hour) -> records.
    buffer: BTreeMap<(String, i64), Vec<Value>>,
    summary: Summary,
    episodes: Vec<Episode>,
    n: u64,
    /// Routes benign churn added, to remove later: (table, destination, account).
    added: Vec<(String, String, String)>,
    /// VPCs an episode left changed (not remediated in the trail): benign churn and later
    /// episodes keep away from them, so that every exposure change of a benign call comes from
    /// that call's own intent, and each episode's changes from the episode alone.
    tainted: std::collections::BTreeSet<String>,
    /// Remediations scheduled by episodes, run when their time comes.
    pending: Vec<Pending>,
    /// Truth lines of the current slot, labelled once the slot's episode is known.
    truth: Vec<Value>,
    truth_out: std::io::BufWriter<std::fs::File>,
}

fn actors_for(account: &str, rng: &mut Rng) -> Vec<Actor> {
    let ci_arn = format!(
        "arn:aws:sts::{account}:assumed-role/terraform-ci/gha-{}",
        rng.hex(8)
    );
    let ci_ip = format!("52.23.{}.{}", rng.below(256), 1 + rng.below(254));
    let attacker_ip = format!("185.220.101.{}", 1 + rng.below(250));
    let specs: [(String, &'static str, &str, String); 5] = [
        (
            ci_arn,
            "benign",
            "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 api/ec2#1.151.0",
            ci_ip,
        ),
        (
            format!("arn:aws:iam::{account}:user/ops-alice"),
            "ops",
            "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ec2.create-route",
            "198.51.100.23".into(),
        ),
        (
            format!("arn:aws:iam::{account}:user/ops-bob"),
            "ops",
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64 prompt/off",
            "198.51.100.47".into(),
        ),
        (
            format!("arn:aws:sts::{account}:assumed-role/ReadOnly/dev-carol"),
            "readonly",
            "console.ec2.amazonaws.com",
            "192.0.2.14".into(),
        ),
        (
            format!("arn:aws:iam::{account}:user/svc-backup"),
            "attacker",
            "aws-cli/1.18.69 Python/2.7.18 Linux/4.14.186-146.268.amzn2.x86_64 botocore/1.17.92",
            attacker_ip,
        ),
    ];
    specs
        .into_iter()
        .map(|(arn, kind, ua, ip)| {
            let role = arn.contains(":assumed-role/");
            let user_name = arn.rsplit('/').next().unwrap_or("").to_string();
            Actor {
                principal_id: if role {
                    format!("AROA{}:{user_name}", rng.hex(17).to_uppercase())
                } else {
                    format!("AIDA{}", rng.hex(17).to_uppercase())
                },
                access_key: format!(
                    "{}{}",
                    if role { "ASIA" } else { "AKIA" },
                    rng.hex(16).to_uppercase()
                ),
                issuer_id: format!("AROA{}", rng.hex(17).to_uppercase()),
                user_name,
                arn,
                kind,
                account: account.to_string(),
                user_agent: ua.to_string(),
                ip,
            }
        })
        .collect()
}

impl Gen<'_> {
    fn actor(&mut self, account: &str, kind: &str) -> Actor {
        let list = &self.actors[account];
        let matching: Vec<&Actor> = list.iter().filter(|a| a.kind == kind).collect();
        let i = self.rng.below(matching.len());
        matching[i].clone()
    }

    fn envelope(&mut self, actor: &Actor, time: i64, source: &str, name: &str) -> Value {
        let identity = if actor.arn.contains(":assumed-role/") {
            let role = actor.arn.split('/').nth(1).unwrap_or("role");
            json!({
                "type": "AssumedRole",
                "principalId": actor.principal_id,
                "arn": actor.arn,
                "accountId": actor.account,
                "accessKeyId": actor.access_key,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": actor.issuer_id,
                        "arn": format!("arn:aws:iam::{}:role/{role}", actor.account),
                        "accountId": actor.account,
                        "userName": role
                    },
                    "attributes": {"creationDate": fmt_time(time - 600), "mfaAuthenticated": "false"}
                }
            })
        } else {
            json!({
                "type": "IAMUser",
                "principalId": actor.principal_id,
                "arn": actor.arn,
                "accountId": actor.account,
                "accessKeyId": actor.access_key,
                "userName": actor.user_name
            })
        };
        json!({
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": fmt_time(time),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": actor.ip,
            "userAgent": actor.user_agent,
            "requestParameters": Value::Null,
            "responseElements": Value::Null,
            "requestID": self.rng.uuid(),
            "eventID": self.rng.uuid(),
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": actor.account,
            "eventCategory": "Management",
            "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": format!("ec2.{REGION}.amazonaws.com")}
        })
    }

    fn push(&mut self, account: &str, time: i64, v: Value) {
        self.summary.records += 1;
        self.buffer
            .entry((account.to_string(), time.div_euclid(3600)))
            .or_default()
            .push(v);
    }

    /// Writes every delivery file whose hour is over.
    fn flush(&mut self, all: bool) -> std::io::Result<()> {
        let now_hour = self.clock.div_euclid(3600);
        let keys: Vec<(String, i64)> = self
            .buffer
            .keys()
            .filter(|(_, h)| all || *h < now_hour - 1)
            .cloned()
            .collect();
        for key in keys {
            let Some(mut records) = self.buffer.remove(&key) else {
                continue;
            };
            records.sort_by(|a, b| a["eventTime"].as_str().cmp(&b["eventTime"].as_str()));
            let (account, hour) = key;
            let t = fmt_time(hour * 3600);
            let (y, m, d) = (&t[0..4], &t[5..7], &t[8..10]);
            let dir = self
                .out
                .join("AWSLogs")
                .join(&account)
                .join("CloudTrail")
                .join(REGION)
                .join(y)
                .join(m)
                .join(d);
            std::fs::create_dir_all(&dir)?;
            let stamp = format!("{y}{m}{d}T{}{}Z", &t[11..13], "00");
            let name = format!(
                "{account}_CloudTrail_{REGION}_{stamp}_{}.json.gz",
                self.rng.hex(16)
            );
            let body =
                serde_json::to_vec(&json!({"Records": records})).map_err(std::io::Error::other)?;
            let file = std::fs::File::create(dir.join(name))?;
            let mut gz = GzBuilder::new()
                .mtime(0)
                .write(file, Compression::default());
            gz.write_all(&body)?;
            gz.finish()?;
            self.summary.trail_files += 1;
        }
        Ok(())
    }

    /// Unrelated records between the previous route-family call and `until`.
    fn noise(&mut self, account: &str, from: i64, until: i64) {
        let rate = self.o.noise_rate.max(0.0);
        let mut k = rate.floor() as usize;
        if self.rng.chance(rate.fract()) {
            k += 1;
        }
        const NOISE: [(&str, &str, bool); 14] = [
            ("ec2.amazonaws.com", "DescribeRouteTables", true),
            ("ec2.amazonaws.com", "DescribeInstances", true),
            ("ec2.amazonaws.com", "DescribeSubnets", true),
            ("ec2.amazonaws.com", "DescribeVpcs", true),
            ("ec2.amazonaws.com", "DescribeNatGateways", true),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", true),
            ("ec2.amazonaws.com", "CreateTags", false),
            ("sts.amazonaws.com", "AssumeRole", true),
            ("sts.amazonaws.com", "GetCallerIdentity", true),
            ("s3.amazonaws.com", "ListBuckets", true),
            ("iam.amazonaws.com", "GetRole", true),
            ("kms.amazonaws.com", "Decrypt", true),
            ("ssm.amazonaws.com", "GetParameter", true),
            ("logs.amazonaws.com", "CreateLogStream", false),
        ];
        for _ in 0..k {
            let t = from + self.rng.below((until - from).max(1) as usize) as i64;
            let (source, name, read_only) = *self.rng.pick(&NOISE);
            let kind = *self.rng.pick(&["benign", "ops", "readonly"]);
            let actor = self.actor(account, kind);
            let mut v = self.envelope(&actor, t, source, name);
            v["readOnly"] = json!(read_only);
            v["requestParameters"] = match name {
                "DescribeRouteTables" | "DescribeSubnets" | "DescribeVpcs" => {
                    json!({"filterSet": {}, "maxResults": 1000})
                }
                "CreateTags" => {
                    json!({"resourcesSet": {"items": [{"resourceId": format!("i-{}", self.rng.hex(17))}]},
                           "tagSet": {"items": [{"key": "owner", "value": "platform"}]}})
                }
                "AssumeRole" => {
                    json!({"roleArn": format!("arn:aws:iam::{account}:role/deploy"), "roleSessionName": "ci"})
                }
                "GetParameter" => json!({"name": "/app/config/db-host", "withDecryption": false}),
                _ => json!({}),
            };
            if name == "CreateTags" {
                v["responseElements"] = json!({"_return": true});
            }
            self.summary.noise += 1;
            self.push(account, t, v);
        }
    }

    /// Writes one route-family call made with AWS CLI `words` by `actor` `dt` seconds after the
    /// last, checked against the model first. Returns the event ID and whether it was applied.
    fn call<W: AsRef<str>>(
        &mut self,
        actor: &Actor,
        words: &[W],
        creates: Option<&str>,
        dt: i64,
        error: Option<(&str, &str)>,
    ) -> (String, bool) {
        let from = self.clock;
        self.clock += dt.max(1);
        let time = self.clock;
        self.noise(&actor.account.clone(), from, time);
        let words: Vec<String> = words.iter().map(|w| w.as_ref().to_string()).collect();
        self.n += 1;
        let mut v = crate::whatif::command_record(&words, self.n as usize)
            .unwrap_or_else(|e| json!({"eventName": "Invalid", "error": e}));
        let name = v["eventName"].as_str().unwrap_or("Invalid").to_string();
        let mut rec = self.envelope(actor, time, "ec2.amazonaws.com", &name);
        rec["requestParameters"] = v["requestParameters"].take();
        if name == "CreateNatGateway" {
            // EC2 logs this call in the wrapped PascalCase style (semantics doc §5).
            let req = &rec["requestParameters"];
            let wrapped = json!({"CreateNatGatewayRequest": {
                "SubnetId": req["subnetId"], "AllocationId": req["allocationId"],
                "ClientToken": self.rng.uuid()}});
            rec["requestParameters"] = wrapped;
        }
        let mut resp = v["responseElements"].take();
        if let Some(id) = creates {
            resp = match name.as_str() {
                "CreateRouteTable" => json!({"routeTable": {"routeTableId": id,
                    "vpcId": rec["requestParameters"]["vpcId"], "routeSet": {}, "associationSet": {}}}),
                "AssociateRouteTable" => json!({"associationId": id,
                    "associationState": {"state": "associated"}}),
                "ReplaceRouteTableAssociation" => json!({"newAssociationId": id,
                    "associationState": {"state": "associated"}}),
                // `creates` is "eipalloc-...|203.0.113.5": the allocation and its address.
                "AllocateAddress" => {
                    let (alloc, ip) = id.split_once('|').unwrap_or((id, ""));
                    json!({"allocationId": alloc, "publicIp": ip, "domain": "vpc",
                           "networkBorderGroup": REGION, "publicIpv4Pool": "amazon"})
                }
                "CreateNatGateway" => json!({"CreateNatGatewayResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "natGateway": {
                    "natGatewayId": id,
                    "subnetId": rec["requestParameters"]["CreateNatGatewayRequest"]["SubnetId"],
                    "connectivityType": "public",
                    "state": "pending",
                    "natGatewayAddressSet": {"item": {
                        "allocationId": rec["requestParameters"]["CreateNatGatewayRequest"]["AllocationId"],
                        "isPrimary": true, "status": "associating"}}
                }}}),
                _ => resp,
            };
        }
        rec["responseElements"] = resp;
        if let Some((code, message)) = error {
            rec["errorCode"] = json!(code);
            rec["errorMessage"] = json!(message);
            rec["responseElements"] = Value::Null;
        }
        let event_id = rec["eventID"].as_str().unwrap_or_default().to_string();
        // What the model says, and what the call exposes (the truth of this event).
        let ev = match RawRecord::from_value(rec.clone()) {
            Some(raw) => {
                let r = Record::from_raw(raw, PathBuf::from("generate"), Position::new(self.n, ""));
                let opts = ReplayOptions {
                    strict: true,
                    exposure: true,
                    ..Default::default()
                };
                let out = replay::replay(
                    &mut self.net,
                    ReadResult {
                        records: vec![r],
                        ..Default::default()
                    },
                    &opts,
                );
                out.events.into_iter().next()
            }
            None => None,
        };
        let applied = ev.as_ref().is_some_and(|e| e.outcome == Outcome::Applied);
        if let Some(e) = ev.as_ref().filter(|e| e.outcome == Outcome::Diverged) {
            // AWS would have refused it as the model does: write the failure.
            let (code, message) = match &e.model_error {
                Some(m) => (m.code.to_string(), m.message.clone()),
                None => (
                    "InvalidParameterValue".into(),
                    "The request is invalid.".into(),
                ),
            };
            rec["errorCode"] = json!(format!("Client.{code}"));
            rec["errorMessage"] = json!(message);
            rec["responseElements"] = Value::Null;
        }
        if rec.get("errorCode").is_some() {
            self.summary.failed += 1;
        }
        self.summary.route_family += 1;
        let exposure: Vec<Value> = match (&ev, applied) {
            (Some(e), true) => e.exposure.iter().map(change_json).collect(),
            _ => Vec::new(),
        };
        let revert = match (&ev, exposure.is_empty()) {
            (Some(e), false) => e.remediation.as_ref().map(|m| m.cli.clone()),
            _ => None,
        };
        let error_code = rec["errorCode"].as_str().map(|c| {
            c.strip_prefix("Client.")
                .or_else(|| c.strip_prefix("Server."))
                .unwrap_or(c)
                .to_string()
        });
        self.truth.push(json!({
            "type": "event",
            "event_id": event_id,
            "event_time": fmt_time(time),
            "event_name": name,
            "account": actor.account,
            "principal": actor.arn,
            "source_ip": actor.ip,
            "outcome": if applied { "applied" } else { "failed_in_aws" },
            "error_code": error_code,
            "episode": Value::Null,
            "role": Value::Null,
            "exposure": exposure,
            "revert": revert,
        }));
        let account = actor.account.clone();
        self.push(&account, time, rec);
        (event_id, applied)
    }

    /// Labels the buffered truth lines of `ids` as part `role` of episode `index`, and records
    /// the episode's times and the reverts of its applied calls.
    fn label(&mut self, index: usize, ids: &[String], role: &str) {
        let Some(ep) = self.episodes.get_mut(index) else {
            return;
        };
        for line in self.truth.iter_mut() {
            let id = line["event_id"].as_str().unwrap_or_default();
            if !ids.iter().any(|x| x == id) {
                continue;
            }
            line["episode"] = json!(ep.id);
            line["role"] = json!(role);
            if role == "attack" {
                let t = line["event_time"].as_str().unwrap_or_default().to_string();
                if ep.first_time.is_none() {
                    ep.first_time = Some(t.clone());
                }
                ep.last_time = Some(t);
                if let Some(r) = line["revert"].as_str() {
                    ep.reverts.insert(0, r.to_string());
                }
            }
        }
    }

    /// Appends the buffered truth lines to `truth.jsonl` (their labels are final by now).
    fn flush_truth(&mut self) -> std::io::Result<()> {
        for line in self.truth.drain(..) {
            writeln!(self.truth_out, "{line}")?;
        }
        Ok(())
    }

    fn gap(&mut self) -> i64 {
        let mean = (12 * 3600 / self.o.events_per_day.max(1)) as i64;
        1 + self.rng.below((2 * mean).max(1) as usize) as i64
    }

    fn new_id(&mut self, prefix: &str) -> String {
        format!("{prefix}-{}", self.rng.hex(17))
    }

    fn association(&self, table: &str, subnet: &str) -> Option<String> {
        let t = self.net.route_tables.get(&RouteTableId::new(table))?;
        t.associations.iter().find_map(|a| match &a.target {
            AssociationTarget::Subnet(s) if s.as_str() == subnet => Some(a.id.to_string()),
            _ => None,
        })
    }

    fn main_association(&self, vpc: &Vpc) -> Option<String> {
        self.net.route_tables.values().find_map(|t| {
            (t.vpc_id.as_str() == vpc.id)
                .then(|| {
                    t.associations.iter().find_map(|a| match &a.target {
                        AssociationTarget::Main => Some(a.id.to_string()),
                        _ => None,
                    })
                })
                .flatten()
        })
    }

    fn proxy_eni(&self, vpc: &Vpc) -> Option<String> {
        self.net
            .instance_interface(&InstanceId::new(vpc.proxy_instance.as_str()))
            .map(|e| e.id.to_string())
    }

    /// One benign call: churn by terraform and the ops team, or a refused call.
    fn clean_vpc_count(&self) -> usize {
        self.vpcs
            .iter()
            .filter(|v| !self.tainted.contains(&v.id))
            .count()
    }

    /// A VPC no unremediated episode touched, at random.
    fn clean_vpc(&mut self) -> Option<Vpc> {
        let clean: Vec<usize> = (0..self.vpcs.len())
            .filter(|&i| !self.tainted.contains(&self.vpcs[i].id))
            .collect();
        if clean.is_empty() {
            return None;
        }
        let i = clean[self.rng.below(clean.len())];
        Some(self.vpcs[i].clone())
    }

    fn benign(&mut self) {
        if self.clean_vpc_count() == 0 {
            // Every VPC waits for a fix: the operators get to the earliest one now.
            if let Some(due) = self.pending.iter().map(|p| p.due).min()
                && let Some(p) = self.pending.iter_mut().find(|p| p.due == due)
            {
                p.due = self.clock;
                self.remediate_due();
            }
        }
        const DENIED: (&str, &str) = (
            "Client.UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        );
        let Some(vpc) = self.clean_vpc() else {
            // Everything is compromised: only the read-only session keeps trying.
            let vpc = self.vpcs[self.rng.below(self.vpcs.len())].clone();
            let actor = self.actor(&vpc.account, "readonly");
            let dt = self.gap();
            let call = short(&format!("delete-route {} 0.0.0.0/0", vpc.private_rtb));
            self.call(&actor, &call, None, dt, Some(DENIED));
            return;
        };
        let dt = self.gap();
        let roll = self.rng.below(100);
        let (private, public) = (&vpc.private_rtb, &vpc.public_rtb);
        if roll < 6 {
            // A read-only session trying a write: refused before any check.
            let actor = self.actor(&vpc.account, "readonly");
            let dest = format!("10.254.{}.0/24", self.rng.below(256));
            let call = short(&format!("create-route {private} {dest} -> {}", vpc.nat));
            self.call(&actor, &call, None, dt, Some(DENIED));
            return;
        }
        if roll < 14 {
            // A typo'd or repeated call: the model gives the code (RouteAlreadyExists,
            // InvalidRoute.NotFound).
            let actor = self.actor(&vpc.account, "ops");
            let call = if self.rng.chance(0.5) {
                format!("create-route {public} 0.0.0.0/0 -> {}", vpc.igw)
            } else {
                format!("delete-route {private} 10.253.{}.0/24", self.rng.below(256))
            };
            self.call(&actor, &short(&call), None, dt, None);
            return;
        }
        let actor = self.actor(&vpc.account, if roll < 70 { "benign" } else { "ops" });
        // Churn stays balanced: about ten extra routes per VPC at most, well inside the quota.
        let full = self.added.len() >= 10 * self.vpcs.len();
        if (roll < 55 && !full) || self.added.is_empty() {
            // A route to on-premises through the VPN gateway, or to the NAT gateway.
            let dest = if self.rng.chance(0.5) {
                format!(
                    "172.{}.{}.0/24",
                    16 + self.rng.below(10),
                    self.rng.below(256)
                )
            } else {
                format!("192.168.{}.0/24", self.rng.below(100))
            };
            let target = vpc.vgw.clone().unwrap_or_else(|| vpc.nat.clone());
            let call = short(&format!("create-route {private} {dest} -> {target}"));
            let (_, ok) = self.call(&actor, &call, None, dt, None);
            if ok {
                self.added
                    .push((private.clone(), dest, vpc.account.clone()));
            }
        } else if roll < 85 {
            let i = self.rng.below(self.added.len());
            let (table, dest, account) = self.added.swap_remove(i);
            let owner = self
                .net
                .route_tables
                .get(&RouteTableId::new(table.as_str()))
                .map(|t| t.vpc_id.to_string());
            if owner.is_some_and(|v| self.tainted.contains(&v)) {
                return;
            }
            let actor = self.actor(&account, "benign");
            let call = short(&format!("delete-route {table} {dest}"));
            self.call(&actor, &call, None, dt, None);
        } else {
            // A table for a new isolated tier: created, associated, taken apart again.
            let rtb = self.new_id("rtb");
            let call = short(&format!("create-route-table {}", vpc.id));
            let (_, ok) = self.call(&actor, &call, Some(&rtb), dt, None);
            if !ok {
                return;
            }
            let assoc = self.new_id("rtbassoc");
            let dt = 2 + self.rng.below(20) as i64;
            let call = short(&format!("associate {rtb} {}", vpc.isolated_subnets[1]));
            let (_, ok) = self.call(&actor, &call, Some(&assoc), dt, None);
            if ok {
                let dt = 60 + self.rng.below(600) as i64;
                self.call(
                    &actor,
                    &short(&format!("disassociate {assoc}")),
                    None,
                    dt,
                    None,
                );
            }
            let dt = 5 + self.rng.below(60) as i64;
            let call = short(&format!("delete-route-table {rtb}"));
            self.call(&actor, &call, None, dt, None);
        }
    }

    /// A misuse episode; `None` when its first call was refused (left out of the labels).
    /// Its remediation is scheduled (`pending`): within the hour for most, hours later for the
    /// rest (after the trail's end for some: not remediated in the trail). Until then the VPC is
    /// left alone.
    fn episode(&mut self) -> Option<Episode> {
        let vpc = self.clean_vpc()?;
        let attacker = self.actor(&vpc.account, "attacker");
        let dt = self.gap();
        let technique = self.rng.below(8);
        let mut ep = Episode {
            id: format!("episode-{:04}", self.episodes.len() + 1),
            pattern: "",
            technique: "",
            account: vpc.account.clone(),
            principal: attacker.arn.clone(),
            source_ip: attacker.ip.clone(),
            events: Vec::new(),
            remediation_events: Vec::new(),
            expected_kinds: Vec::new(),
            expected_findings: Vec::new(),
            hint: Vec::new(),
            first_time: None,
            last_time: None,
            reverts: Vec::new(),
        };
        let mut touched = vpc.id.clone();
        // The remediation, scheduled below; a replaced NAT gateway, recorded once it works.
        let mut fix: Vec<Step> = Vec::new();
        let mut new_nat = None;
        let (private, main, public) = (&vpc.private_rtb, &vpc.main_rtb, &vpc.public_rtb);
        match technique {
            0 => {
                ep.pattern = "internet_exposure";
                ep.technique = "replace-route-nat-to-igw";
                ep.expected_kinds = vec!["INTERNET_EXPOSED"];
                let attack = format!("replace-route {private} 0.0.0.0/0 -> {}", vpc.igw);
                ep.events.push(self.attack(&attacker, &attack, None, dt)?);
                fix.push(Step::short(
                    &format!("replace-route {private} 0.0.0.0/0 -> {}", vpc.nat),
                    None,
                    1,
                ));
            }
            1 => {
                ep.pattern = "internet_exposure";
                ep.technique = "create-route-igw-in-isolated-table";
                ep.expected_kinds = vec!["INTERNET_EXPOSED"];
                let attack = format!("create-route {main} 0.0.0.0/0 -> {}", vpc.igw);
                ep.events.push(self.attack(&attacker, &attack, None, dt)?);
                fix.push(Step::short(
                    &format!("delete-route {main} 0.0.0.0/0"),
                    None,
                    1,
                ));
            }
            2 | 6 => {
                // A private subnet's association, or the VPC's main association, replaced by
                // one to the public table.
                ep.pattern = "internet_exposure";
                ep.expected_kinds = vec!["INTERNET_EXPOSED"];
                let (assoc, back_to) = if technique == 2 {
                    ep.technique = "associate-private-subnet-with-public-table";
                    (
                        self.association(private, &vpc.private_subnets[1])?,
                        private.clone(),
                    )
                } else {
                    ep.technique = "main-table-replaced-by-public-table";
                    (self.main_association(&vpc)?, vpc.main_rtb.clone())
                };
                let new_assoc = self.new_id("rtbassoc");
                let attack = format!("replace-association {assoc} {public}");
                ep.events
                    .push(self.attack(&attacker, &attack, Some(&new_assoc), dt)?);
                let back = self.new_id("rtbassoc");
                fix.push(Step::short(
                    &format!("replace-association {new_assoc} {back_to}"),
                    Some(back),
                    1,
                ));
            }
            3 => {
                ep.pattern = "traffic_capture";
                ep.technique = "more-specific-route-to-appliance-interface";
                ep.expected_kinds = vec!["TRAFFIC_REDIRECTED"];
                let eni = self.proxy_eni(&vpc)?;
                let dest = match vpc.peers.first() {
                    Some((_, cidr)) => {
                        format!("{}/26", cidr.split('/').next().unwrap_or("172.20.0.0"))
                    }
                    None => "192.168.10.0/24".to_string(),
                };
                let attack = format!("create-route {private} {dest} -> {eni}");
                ep.events.push(self.attack(&attacker, &attack, None, dt)?);
                fix.push(Step::short(
                    &format!("delete-route {private} {dest}"),
                    None,
                    1,
                ));
            }
            4 => {
                ep.pattern = "traffic_capture";
                ep.technique = "on-premises-range-to-peer-of-another-account";
                ep.expected_kinds = vec!["PEER_PATH_GAINED"];
                // Only the first VPC of an account has a peer outside the organisation.
                let first = self.vpcs.iter().position(|v| v.account == vpc.account)?;
                let v0 = self.vpcs[first].clone();
                if self.tainted.contains(&v0.id) {
                    return None;
                }
                touched = v0.id.clone();
                let (pcx, dest) = v0.foreign.clone()?;
                let table = &v0.private_rtb;
                let attack = format!("create-route {table} {dest} -> {pcx}");
                ep.events.push(self.attack(&attacker, &attack, None, dt)?);
                fix.push(Step::short(
                    &format!("delete-route {table} {dest}"),
                    None,
                    1,
                ));
            }
            5 => {
                ep.pattern = "denial_of_service";
                ep.technique = "route-flood";
                ep.expected_findings = vec!["ROUTE_WRITE_BURST", "ROUTE_QUOTA_REACHED"];
                let n = 55 + self.rng.below(10);
                for k in 0..n {
                    let dest = format!("100.{}.{}.0/24", 64 + (k / 256) % 64, k % 256);
                    let attack = format!("create-route {main} {dest} -> {}", vpc.nat);
                    let dt = if k == 0 { dt } else { 1 };
                    let (id, ok) = self.call(&attacker, &short(&attack), None, dt, None);
                    if k == 0 && !ok {
                        return None;
                    }
                    ep.events.push(id);
                    if ok {
                        let dt = 4 + self.rng.below(8) as i64;
                        fix.push(Step::short(
                            &format!("delete-route {main} {dest}"),
                            None,
                            dt,
                        ));
                    }
                }
            }
            _ => {
                ep.pattern = "denial_of_service";
                ep.technique = "delete-nat-gateway";
                ep.expected_kinds = vec!["BLACKHOLED"];
                let attack = format!("delete-nat {}", vpc.nat);
                ep.events.push(self.attack(&attacker, &attack, None, dt)?);
                // A new Elastic IP, a new NAT gateway, the default routes moved onto it.
                let alloc = self.new_id("eipalloc");
                let ip = format!(
                    "54.{}.{}.{}",
                    170 + self.rng.below(10),
                    self.rng.below(256),
                    1 + self.rng.below(254)
                );
                let nat = self.new_id("nat");
                let words = |cli: &str| cli.split_whitespace().map(str::to_string).collect();
                fix.push(Step {
                    words: words("allocate-address --domain vpc"),
                    creates: Some(format!("{alloc}|{ip}")),
                    dt: 1,
                });
                fix.push(Step {
                    words: words(&format!(
                        "create-nat-gateway --subnet-id {} --allocation-id {alloc}",
                        vpc.public_subnets[0]
                    )),
                    creates: Some(nat.clone()),
                    dt: 20,
                });
                for table in [private, &vpc.inspection_rtb] {
                    fix.push(Step::short(
                        &format!("replace-route {table} 0.0.0.0/0 -> {nat}"),
                        None,
                        90,
                    ));
                }
                ep.hint = fix
                    .iter()
                    .map(|s| format!("aws ec2 {}", s.words.join(" ")))
                    .collect();
                new_nat = Some((vpc.id.clone(), nat));
            }
        }
        // When the fix comes: most within the hour, the rest hours later.
        let delay = if self.rng.chance(0.65) {
            300 + self.rng.below(3300) as i64
        } else {
            2 * 3600 + self.rng.below(30 * 3600) as i64
        };
        let ops = self.actor(&ep.account, "ops");
        self.pending.push(Pending {
            due: self.clock + delay,
            episode: self.episodes.len(),
            vpc: touched.clone(),
            steps: fix,
            new_nat,
            actor: ops,
        });
        self.tainted.insert(touched);
        Some(ep)
    }

    /// An attack call in the short form; its event ID when it went through, `None` (the
    /// episode is dropped) when the model refused it.
    fn attack(
        &mut self,
        actor: &Actor,
        short_form: &str,
        creates: Option<&str>,
        dt: i64,
    ) -> Option<String> {
        let (id, ok) = self.call(actor, &short(short_form), creates, dt, None);
        ok.then_some(id)
    }

    /// Runs the remediation that is due.
    fn remediate_due(&mut self) {
        loop {
            let Some(i) = self.pending.iter().position(|p| p.due <= self.clock) else {
                return;
            };
            let p = self.pending.remove(i);
            let actor = p.actor.clone();
            let mut all_ok = true;
            let mut first = true;
            for st in &p.steps {
                let words: Vec<&str> = st.words.iter().map(String::as_str).collect();
                let dt = if first {
                    (p.due - self.clock).max(1)
                } else {
                    st.dt
                };
                first = false;
                let (id, ok) = self.call(&actor, &words, st.creates.as_deref(), dt, None);
                all_ok &= ok;
                if let Some(ep) = self.episodes.get_mut(p.episode) {
                    ep.remediation_events.push(id.clone());
                }
                self.label(p.episode, &[id], "remediation");
            }
            if all_ok
                && let Some((vpc_id, nat)) = &p.new_nat
                && let Some(v) = self.vpcs.iter_mut().find(|v| &v.id == vpc_id)
            {
                v.nat = nat.clone();
            }
            self.tainted.remove(&p.vpc);
        }
    }
}

/// One call of a scheduled remediation.
#[derive(Clone, Debug)]
struct Step {
    words: Vec<String>,
    creates: Option<String>,
    /// Seconds after the previous call.
    dt: i64,
}

impl Step {
    fn short(short_form: &str, creates: Option<String>, dt: i64) -> Step {
        Step {
            words: short(short_form),
            creates,
            dt,
        }
    }
}

/// The AWS CLI words of a call in the scenario short form (`create-route RTB DEST -> TARGET`,
/// `scenarios/README.md`); the generator only writes forms it knows to be valid.
fn short(short_form: &str) -> Vec<String> {
    crate::scenario::events::short_words(short_form).unwrap_or_default()
}

/// A remediation waiting for its time.
#[derive(Clone, Debug)]
struct Pending {
    due: i64,
    /// Index of the episode in `Gen::episodes` (pushed right after it is made).
    episode: usize,
    /// The VPC left alone until then.
    vpc: String,
    steps: Vec<Step>,
    /// A replaced NAT gateway: (VPC, new NAT ID), recorded once the steps succeed.
    new_nat: Option<(String, String)>,
    actor: Actor,
}

fn fmt_time(secs: i64) -> String {
    UtcTime::from_unix(secs, 0)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Generates into `out` (which must be empty or absent): `snapshot/`, `AWSLogs/...`,
/// `truth.jsonl`. `progress` is told the days done.
pub fn generate(
    o: &Options,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Summary, String> {
    if o.accounts == 0 || o.vpcs == 0 {
        return Err("--accounts and --vpcs must be at least 1".into());
    }
    match o.accounts.checked_mul(o.vpcs) {
        Some(n) if n <= MAX_VPCS => {}
        _ => {
            return Err(format!(
                "--accounts {} × --vpcs {} VPCs asked for; a generated organisation holds at most {MAX_VPCS}",
                o.accounts, o.vpcs
            ));
        }
    }
    if !(0.0..=1.0).contains(&o.attack_rate) {
        return Err("--attack-rate is a probability per route-family call, from 0 to 1".into());
    }
    if !(0.0..=1000.0).contains(&o.noise_rate) {
        return Err(
            "--noise-rate is unrelated records per route-family record, from 0 to 1000".into(),
        );
    }
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} is not empty; give a new or empty directory (generate never overwrites)",
            out.display()
        ));
    }
    let io = |e: std::io::Error| format!("{}: {e}", out.display());
    std::fs::create_dir_all(out).map_err(io)?;
    let mut rng = Rng(o.seed ^ 0x7670_6373_696d_0001);
    let (topology, accounts, vpcs) = organisation(&mut rng, o);
    let mut loaded = snapshot::topology::load_str(&topology, "generated topology")
        .map_err(|e| format!("internal: the generated topology does not load: {e}"))?;
    snapshot::finish(&mut loaded);
    let start_net = loaded.network;
    // The trail's root exists even when no record is written (`--days 0`), so that the
    // documented `vpcsim replay --snapshot OUT/snapshot OUT/AWSLogs` works on any output.
    std::fs::create_dir_all(out.join("AWSLogs")).map_err(io)?;
    let snap_dir = out.join("snapshot");
    let files = snapshot::export::write_dir(&start_net, &snap_dir).map_err(io)?;
    let mut actors = BTreeMap::new();
    for a in &accounts {
        actors.insert(a.clone(), actors_for(a, &mut rng));
    }
    let start = UtcTime::parse(START).map(|t| t.unix_seconds()).unwrap_or(0);
    let mut g = Gen {
        rng,
        o,
        out,
        net: start_net,
        vpcs,
        actors,
        clock: start,
        buffer: BTreeMap::new(),
        summary: Summary {
            snapshot_files: files.len(),
            ..Default::default()
        },
        episodes: Vec::new(),
        n: 0,
        added: Vec::new(),
        tainted: Default::default(),
        pending: Vec::new(),
        truth: Vec::new(),
        truth_out: std::io::BufWriter::new(
            std::fs::File::create(out.join("truth.jsonl")).map_err(io)?,
        ),
    };
    for day in 0..o.days {
        g.clock = g.clock.max(start + day as i64 * 86_400 + 7 * 3600);
        for _ in 0..o.events_per_day {
            g.remediate_due();
            if g.rng.chance(o.attack_rate) {
                match g.episode() {
                    Some(ep) => {
                        let ids = ep.events.clone();
                        g.episodes.push(ep);
                        g.label(g.episodes.len() - 1, &ids, "attack");
                    }
                    None => {
                        // The slot still gets a call: benign churn.
                        g.summary.episodes_dropped += 1;
                        g.benign();
                    }
                }
            } else {
                g.benign();
            }
            g.flush_truth().map_err(io)?;
            g.flush(false).map_err(io)?;
        }
        progress(day + 1, o.days);
    }
    g.flush(true).map_err(io)?;
    g.flush_truth().map_err(io)?;
    g.summary.episodes = g.episodes.len();
    finish_truth(&mut g).map_err(io)?;
    Ok(g.summary)
}

/// One exposure change as a truth line shows it.
fn change_json(c: &crate::exposure::ExposureChange) -> Value {
    json!({
        "kind": c.kind.name(),
        "severity": c.severity.name(),
        "subnet_id": c.subnet_id.as_str(),
        "vpc_id": c.vpc_id.as_str(),
        "family": c.family.name(),
        "ranges": c.ranges.iter()
            .flat_map(|iv| crate::addr::interval_to_cidrs(c.family, *iv))
            .map(|n| n.to_string()).collect::<Vec<_>>(),
        "after": c.after.disposition.name(),
    })
}

/// Ends `truth.jsonl`: a line per episode and the summary line. The event lines were written
/// as the trail was (each call's exposure computed on the generator's model, which is the state
/// `vpcsim replay` rebuilds from the written snapshot and trail: `tests/generate.rs` replays the
/// files and compares, event by event).
fn finish_truth(g: &mut Gen) -> std::io::Result<()> {
    for ep in &g.episodes {
        let remediation = if ep.reverts.is_empty() {
            ep.hint.clone()
        } else {
            ep.reverts.clone()
        };
        let line = json!({
            "type": "episode",
            "episode": ep.id,
            "pattern": ep.pattern,
            "technique": ep.technique,
            "account": ep.account,
            "principal": ep.principal,
            "source_ip": ep.source_ip,
            "first_time": ep.first_time,
            "last_time": ep.last_time,
            "events": ep.events,
            "expected_kinds": ep.expected_kinds,
            "expected_findings": ep.expected_findings,
            "remediated_in_trail": !ep.remediation_events.is_empty(),
            "remediation_events": ep.remediation_events,
            "remediation": remediation,
        });
        writeln!(g.truth_out, "{line}")?;
    }
    let s = &g.summary;
    let line = json!({
        "type": "summary",
        "records": s.records,
        "route_family": s.route_family,
        "applied": s.route_family - s.failed,
        "failed_in_aws": s.failed,
        "diverged": 0,
        "malformed": 0,
        "ignored": s.noise,
        "episodes": g.episodes.len(),
        "episodes_dropped": s.episodes_dropped,
    });
    writeln!(g.truth_out, "{line}")?;
    g.truth_out.flush()
}
