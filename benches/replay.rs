//! `cargo bench --bench replay`: times reading and replaying a large CloudTrail trail, and
//! applying route-family changes to a large model.
//!
//! The trail is generated deterministically from a fixed seed by a splitmix64 generator (no
//! external crates) into a temporary directory under `std::env::temp_dir()`, in the S3 layout
//! CloudTrail delivers (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/*.json.gz`):
//! one-line `{"Records":[...]}` log files of about 30 MB each (about 4 MB gzip'd at the default
//! level), records in `eventTime` order with the full envelope (`eventVersion`, `userIdentity`,
//! `eventTime`, `eventSource`, `eventName`, `awsRegion`, `sourceIPAddress`, `userAgent`,
//! `requestParameters`, `responseElements`, `requestID`, `eventID`, `readOnly`, `eventType`,
//! `recipientAccountId`, `tlsDetails`, ...). About 98.5% of the records are what fills a real
//! account's trail (EC2 `Describe*`, STS, KMS, SSM, S3, IAM, CloudWatch, ... and EC2 writes
//! outside the route family); about 1.5% are of the route family: VPCs, subnets, gateways and
//! route tables created at the start, then routes created, replaced and deleted, and route
//! tables associated, disassociated and re-associated, consistently, with a few failed calls.
//! `VPCSIM_BENCH_TRAIL_MB` (default 1100) sets the uncompressed size in MB (10^6 bytes).
//!
//! It measures, side by side on the same files (in the page cache, just written):
//! `gzip -dc FILES > /dev/null` (run with `std::process::Command`), `read_inputs` alone, and
//! `read_inputs` + `replay` onto an empty `Network` (without exposure, as `vpcsim state` replays,
//! and with each record's exposure, as `vpcsim replay` does by default), each twice,
//! interleaved, keeping the faster of the two. Peak memory (`VmHWM`) of read + replay is taken in a child process (this binary run
//! again with `VPCSIM_BENCH_PROBE=<dir>`), on the trail and on a trail with the same route-family
//! records and 4x the other records (`VPCSIM_BENCH_MEMORY=0` skips this). The apply rate is
//! `Network::apply` over a pre-built `Vec<Change>`, with the prefetch hints `replay` gives
//! (`Network::prefetch` for the next four changes before each; `VPCSIM_BENCH_PREFETCH=0`
//! leaves them out), against the existing tables of a generated
//! network (`VPCSIM_BENCH_APPLY_VPCS`, default 1,000 VPCs with 21,000 route tables): a mixed
//! sequence (`VPCSIM_BENCH_APPLY_CHANGES`, default 1,000,000: 90% CreateRoute / ReplaceRoute /
//! DeleteRoute, 10% AssociateRouteTable / ReplaceRouteTableAssociation / DisassociateRouteTable),
//! a route-only sequence of 1,000,000, and the first 20,000 mixed changes timed one by one, per
//! kind; each sequence's CPU time is printed beside its rate. Every ID in a change has a string
//! of its own, as in a decoded record (never the model's own, which would compare equal by
//! pointer). `VPCSIM_BENCH_APPLY_ASSOCIATIONS` sets the percentage of association changes in the
//! mixed sequence (default 10). It prints a plain table with the targets; the temporary
//! directory is deleted at the end.
//! `VPCSIM_BENCH_GENERATE=<dir>` only writes the trail there and keeps it, for profiling the probe;
//! `VPCSIM_BENCH_ONLY=apply` runs only the apply measurements.
//! `BENCHMARKS.md` records measured numbers.

#[path = "common/mod.rs"]
mod common;
use common::{loadavg, mb, memory};
use flate2::Compression;
use flate2::write::GzEncoder;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use vpcsim::cloudtrail::{UtcTime, read_inputs};
use vpcsim::model::*;
use vpcsim::replay::{ReplayOptions, replay};

const SEED: u64 = 0x7670_6373_696d_0002;
const ACCOUNT: &str = "123456789012";
const DEFAULT_TRAIL_MB: f64 = 1100.0;
/// Uncompressed size of one log file: a busy account's five minutes in one region.
const FILE_BYTES: f64 = 30e6;
/// The share of route-family records.
const ROUTE_SHARE: f64 = 0.015;
/// The first file's window starts at 2026-11-26T18:00:00Z; each file covers 40 minutes.
const START: i64 = 1_795_716_000;
const FILE_WINDOW: i64 = 40 * 60;
/// The trail's VPCs (created at its start), subnets and route tables per VPC.
const TRAIL_VPCS: usize = 40;
const TRAIL_SUBNETS: usize = 4;
const TRAIL_TABLES: usize = 5;
/// External destinations per VPC that routes are created for (at most 50 routes per table).
const TRAIL_DESTINATIONS: usize = 40;
const INGEST_TARGET: f64 = 0.80;
const APPLY_TARGET: f64 = 1e6;
const DEFAULT_APPLY_VPCS: usize = 1000;
const APPLY_SUBNETS: usize = 20;
const APPLY_BASE_ROUTES: usize = 20;
/// Changes in the mixed sequence (10% association changes, each of which costs milliseconds on
/// the large network) and in the route-only sequence.
const DEFAULT_APPLY_CHANGES: usize = 1_000_000;
const ROUTE_ONLY_CHANGES: usize = 1_000_000;
/// The changes timed one by one, per kind (a prefix of the mixed sequence).
const TIMED_CHANGES: usize = 20_000;

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for synthetic data.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An ID as EC2 prints it: prefix and 17 hex digits.
    fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}{:017x}", self.next_u64() >> 4)
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    /// `n` characters of `alphabet`.
    fn text(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }
}

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Appends formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {
        $out.write_fmt(format_args!($($arg)*)).expect("writing to a String")
    };
}

fn time_text(secs: i64) -> String {
    UtcTime::from_unix(secs, 0)
        .expect("whole seconds")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Who calls: principals with their identity, address and user agent.

struct Principal {
    /// The whole `userIdentity` object.
    identity: String,
    source_ip: String,
    user_agent: String,
}

const ROLES: &[&str] = &[
    "OrganizationAccountAccessRole",
    "AWSReservedSSO_AdministratorAccess_4f1c3b2a9d8e7f60",
    "AWSReservedSSO_ReadOnlyAccess_0a9b8c7d6e5f4a3b",
    "terraform-ci-deploy",
    "eks-node-group-NodeInstanceRole-1Q2W3E4R5T6Y",
    "app-backend-ecs-task-role",
    "datadog-integration-role",
    "SecurityAudit-Prowler",
    "lambda-log-shipper-role",
    "AmazonSSMRoleForInstancesQuickSetup",
    "config-recorder-role",
    "github-actions-oidc",
];

const USER_AGENTS: &[&str] = &[
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.167.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.9.18 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0",
    "aws-sdk-go/1.50.38 (go1.21.8; linux; amd64)",
    "aws-sdk-java/2.25.16 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "console.ec2.amazonaws.com",
    "Datadog",
    "aws-sdk-go/1.44.302 (go1.21.6; linux; amd64) amazon-ssm-agent/3.3.40.0",
];

fn principals(rng: &mut Rng) -> Vec<Principal> {
    let mut out = Vec::new();
    for k in 0..60 {
        let role = ROLES[k % ROLES.len()];
        let role_id = format!("AROA{}", rng.text(UPPER_DIGITS, 17));
        let session = match k % 4 {
            0 => rng.id("i-"),
            1 => format!("user{}@example.com", rng.below(500)),
            2 => format!("botocore-session-{}", 1_700_000_000 + rng.below(99_999_999)),
            _ => format!(
                "aws-go-sdk-{}",
                1_700_000_000_000u64 + rng.next_u64() % 1_000_000
            ),
        };
        let key = format!("ASIA{}", rng.text(UPPER_DIGITS, 16));
        let created = time_text(START - 3600 + rng.below(3000) as i64);
        let mut identity = String::new();
        w!(
            identity,
            r#"{{"type":"AssumedRole","principalId":"{role_id}:{session}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}","accountId":"{ACCOUNT}","accessKeyId":"{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{role_id}","arn":"arn:aws:iam::{ACCOUNT}:role/{role}","accountId":"{ACCOUNT}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{created}","mfaAuthenticated":"false"}}"#
        );
        if session.starts_with("i-") {
            identity.push_str(r#","ec2RoleDelivery":"2.0""#);
        }
        identity.push_str("}}");
        let source_ip = if k % 5 == 0 {
            format!(
                "10.{}.{}.{}",
                rng.below(40),
                rng.below(256),
                4 + rng.below(250)
            )
        } else {
            format!(
                "{}.{}.{}.{}",
                [3, 18, 34, 44, 52, 54, 198][rng.below(7)],
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            )
        };
        out.push(Principal {
            identity,
            source_ip,
            user_agent: USER_AGENTS[k % USER_AGENTS.len()].to_string(),
        });
    }
    // AWS services calling on the account's behalf.
    for service in [
        "autoscaling.amazonaws.com",
        "config.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "cloudformation.amazonaws.com",
    ] {
        out.push(Principal {
            identity: format!(r#"{{"type":"AWSService","invokedBy":"{service}"}}"#),
            source_ip: service.to_string(),
            user_agent: service.to_string(),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// One record.

struct Envelope<'a> {
    principal: &'a Principal,
    time: &'a str,
    source: &'a str,
    name: &'a str,
    region: &'a str,
    error: Option<(&'a str, &'a str)>,
    request: &'a str,
    response: &'a str,
    read_only: bool,
    /// Extra top-level fields (`"resources":[...]`, `"additionalEventData":{...}`), with a
    /// leading comma.
    extra: &'a str,
}

fn write_record(out: &mut String, rng: &mut Rng, e: &Envelope<'_>) {
    let p = e.principal;
    w!(
        out,
        r#"{{"eventVersion":"1.09","userIdentity":{},"eventTime":"{}","eventSource":"{}","eventName":"{}","awsRegion":"{}","sourceIPAddress":"{}","userAgent":"{}","#,
        p.identity,
        e.time,
        e.source,
        e.name,
        e.region,
        p.source_ip,
        p.user_agent
    );
    if let Some((code, message)) = e.error {
        w!(out, r#""errorCode":"{code}","errorMessage":"{message}","#);
    }
    let request_id = rng.uuid();
    let event_id = rng.uuid();
    w!(
        out,
        r#""requestParameters":{},"responseElements":{},"requestID":"{request_id}","eventID":"{event_id}","readOnly":{}{},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{ACCOUNT}","eventCategory":"Management""#,
        e.request,
        e.response,
        e.read_only,
        e.extra
    );
    if !p.identity.contains("AWSService") {
        let host = e.source.replace(".amazonaws.com", "");
        w!(
            out,
            r#","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{host}.{}.amazonaws.com"}}"#,
            e.region
        );
    }
    out.push('}');
}

// ---------------------------------------------------------------------------------------------
// The records that fill a trail: reads and writes outside the route family.

const DESCRIBES: &[(&str, &str)] = &[
    ("DescribeInstances", "instance-id"),
    ("DescribeInstances", "tag:Name"),
    ("DescribeInstanceStatus", "instance-id"),
    ("DescribeVolumes", "attachment.instance-id"),
    ("DescribeSecurityGroups", "vpc-id"),
    ("DescribeSubnets", "vpc-id"),
    ("DescribeVpcs", "vpc-id"),
    ("DescribeRouteTables", "vpc-id"),
    ("DescribeRouteTables", "association.subnet-id"),
    ("DescribeNetworkInterfaces", "subnet-id"),
    ("DescribeNatGateways", "vpc-id"),
    ("DescribeAddresses", "domain"),
    ("DescribeTags", "resource-id"),
    ("DescribeVpcEndpoints", "vpc-id"),
    ("DescribeLaunchTemplateVersions", "launch-template-id"),
    ("DescribeSnapshots", "owner-id"),
    ("DescribeImages", "image-id"),
];

/// The filler: everything a route-family replay reads and drops.
struct Filler {
    principals: Vec<Principal>,
    instances: Vec<String>,
    vpcs: Vec<String>,
    buckets: Vec<String>,
    keys: Vec<String>,
}

impl Filler {
    fn new(rng: &mut Rng) -> Filler {
        Filler {
            principals: principals(rng),
            instances: (0..300).map(|_| rng.id("i-")).collect(),
            vpcs: (0..40).map(|_| rng.id("vpc-")).collect(),
            buckets: (0..30)
                .map(|k| {
                    format!(
                        "acme-{}-{k}",
                        ["logs", "artifacts", "data", "backups"][k % 4]
                    )
                })
                .collect(),
            keys: (0..12).map(|_| rng.uuid()).collect(),
        }
    }

    /// One record that is not of the route family.
    fn write(&self, out: &mut String, rng: &mut Rng, time: &str, region: &str) {
        let roll = rng.below(1000);
        let principal = rng.pick(&self.principals[..60]);
        let mut request = String::new();
        let mut response = String::from("null");
        let mut extra = String::new();
        let mut read_only = true;
        let mut error = None;
        let (source, name): (&str, &str) = match roll {
            // EC2 reads: the bulk of a real trail.
            0..450 => {
                let (name, filter) = *rng.pick(DESCRIBES);
                let value = match filter {
                    "instance-id" | "attachment.instance-id" | "resource-id" => {
                        rng.pick(&self.instances).clone()
                    }
                    "vpc-id" => rng.pick(&self.vpcs).clone(),
                    "tag:Name" => format!("web-{}", rng.below(50)),
                    "domain" => "vpc".into(),
                    "owner-id" => ACCOUNT.into(),
                    _ => rng.id("x-"),
                };
                if rng.percent(40) {
                    w!(
                        request,
                        r#"{{"filterSet":{{"items":[{{"name":"{filter}","valueSet":{{"items":[{{"value":"{value}"}}]}}}}]}}}}"#
                    );
                } else if name == "DescribeInstances" {
                    w!(
                        request,
                        r#"{{"instancesSet":{{"items":[{{"instanceId":"{value}"}}]}},"filterSet":{{}}}}"#
                    );
                } else {
                    w!(request, r#"{{"maxResults":1000,"filterSet":{{}}}}"#);
                }
                if rng.percent(2) {
                    error = Some((
                        "Client.UnauthorizedOperation",
                        "You are not authorized to perform this operation.",
                    ));
                }
                ("ec2.amazonaws.com", name)
            }
            // EC2 writes outside the route family.
            450..500 => {
                read_only = false;
                let instance = rng.pick(&self.instances).clone();
                let request_id = rng.uuid();
                match rng.below(3) {
                    0 => {
                        w!(
                            request,
                            r#"{{"resourcesSet":{{"items":[{{"resourceId":"{instance}"}}]}},"tagSet":{{"items":[{{"key":"backup","value":"daily"}}]}}}}"#
                        );
                        response = format!(r#"{{"requestId":"{request_id}","_return":true}}"#);
                        ("ec2.amazonaws.com", "CreateTags")
                    }
                    1 => {
                        let sg = rng.id("sg-");
                        w!(
                            request,
                            r#"{{"groupId":"{sg}","ipPermissions":{{"items":[{{"ipProtocol":"tcp","fromPort":443,"toPort":443,"groups":{{}},"ipRanges":{{"items":[{{"cidrIp":"10.{}.0.0/16"}}]}},"ipv6Ranges":{{}},"prefixListIds":{{}}}}]}}}}"#,
                            rng.below(256)
                        );
                        let rule = rng.id("sgr-");
                        response = format!(
                            r#"{{"requestId":"{request_id}","_return":true,"securityGroupRuleSet":{{"items":[{{"groupOwnerId":"{ACCOUNT}","groupId":"{sg}","securityGroupRuleId":"{rule}","isEgress":false,"ipProtocol":"tcp","fromPort":443,"toPort":443,"cidrIpv4":"10.0.0.0/16"}}]}}}}"#
                        );
                        ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress")
                    }
                    _ => {
                        let volume = rng.id("vol-");
                        w!(
                            request,
                            r#"{{"volumeId":"{volume}","instanceId":"{instance}","device":"/dev/sdf"}}"#
                        );
                        response = format!(
                            r#"{{"requestId":"{request_id}","volumeId":"{volume}","instanceId":"{instance}","device":"/dev/sdf","status":"attaching","attachTime":1795716000000,"deleteOnTermination":false}}"#
                        );
                        ("ec2.amazonaws.com", "AttachVolume")
                    }
                }
            }
            // STS: sessions being assumed all the time.
            500..600 => {
                let role = rng.pick(ROLES);
                let session = format!("session-{}", rng.below(100_000));
                w!(
                    request,
                    r#"{{"roleArn":"arn:aws:iam::{ACCOUNT}:role/{role}","roleSessionName":"{session}","durationSeconds":3600}}"#
                );
                let key = rng.text(UPPER_DIGITS, 16);
                let token = rng.text(BASE64, 360);
                let role_id = rng.text(UPPER_DIGITS, 17);
                response = format!(
                    r#"{{"credentials":{{"accessKeyId":"ASIA{key}","sessionToken":"{token}","expiration":"Nov 27, 2026, 8:15:02 AM"}},"assumedRoleUser":{{"assumedRoleId":"AROA{role_id}:{session}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"}}}}"#
                );
                let shared = rng.uuid();
                extra = format!(
                    r#","resources":[{{"accountId":"{ACCOUNT}","type":"AWS::IAM::Role","ARN":"arn:aws:iam::{ACCOUNT}:role/{role}"}}],"sharedEventID":"{shared}""#
                );
                ("sts.amazonaws.com", "AssumeRole")
            }
            // KMS: every encrypted read and write.
            600..720 => {
                let key = rng.pick(&self.keys);
                let (name, context) = if rng.percent(70) {
                    (
                        "Decrypt",
                        format!(
                            r#""encryptionContext":{{"aws:s3:arn":"arn:aws:s3:::{}/{}"}}"#,
                            rng.pick(&self.buckets),
                            rng.text(LOWER_DIGITS, 24)
                        ),
                    )
                } else {
                    (
                        "GenerateDataKey",
                        format!(
                            r#""keyId":"arn:aws:kms:{region}:{ACCOUNT}:key/{key}","keySpec":"AES_256","encryptionContext":{{"aws:ebs:id":"{}"}}"#,
                            rng.id("vol-")
                        ),
                    )
                };
                w!(
                    request,
                    r#"{{"encryptionAlgorithm":"SYMMETRIC_DEFAULT",{context}}}"#
                );
                extra = format!(
                    r#","resources":[{{"accountId":"{ACCOUNT}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:{region}:{ACCOUNT}:key/{key}"}}]"#
                );
                ("kms.amazonaws.com", name)
            }
            // SSM agents checking in.
            720..800 => {
                read_only = false;
                let instance = rng.pick(&self.instances);
                let a = rng.below(40);
                let b = rng.below(256);
                let c = 4 + rng.below(250);
                w!(
                    request,
                    r#"{{"instanceId":"{instance}","agentVersion":"3.3.40.0","agentStatus":"Active","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023","iPAddress":"10.{a}.{b}.{c}","computerName":"ip-10-{a}-{b}-{c}.ec2.internal","agentName":"amazon-ssm-agent","availabilityZone":"{region}a","availabilityZoneId":"use1-az4","sSMConnectionChannel":"ssmmessages"}}"#
                );
                ("ssm.amazonaws.com", "UpdateInstanceInformation")
            }
            // S3 bucket-level management calls.
            800..880 => {
                let bucket = rng.pick(&self.buckets);
                let name = *rng.pick(&[
                    "GetBucketAcl",
                    "GetBucketLocation",
                    "GetBucketPolicy",
                    "GetBucketVersioning",
                    "ListBucket",
                ]);
                w!(
                    request,
                    r#"{{"bucketName":"{bucket}","Host":"{bucket}.s3.{region}.amazonaws.com","{}":""}}"#,
                    name.trim_start_matches("Get").to_ascii_lowercase()
                );
                let amz_id = rng.text(BASE64, 76);
                extra = format!(
                    r#","additionalEventData":{{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"{amz_id}","bytesTransferredOut":{}}},"resources":[{{"accountId":"{ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{bucket}"}}]"#,
                    200 + rng.below(2000)
                );
                ("s3.amazonaws.com", name)
            }
            // CloudWatch Logs and metrics.
            880..940 => {
                if rng.percent(50) {
                    read_only = false;
                    w!(
                        request,
                        r#"{{"logGroupName":"/aws/lambda/log-shipper-{}","logStreamName":"2026/11/26/[$LATEST]{}"}}"#,
                        rng.below(20),
                        rng.text(b"0123456789abcdef", 32)
                    );
                    ("logs.amazonaws.com", "CreateLogStream")
                } else {
                    w!(
                        request,
                        r#"{{"metricDataQueries":[{{"id":"m1","metricStat":{{"metric":{{"namespace":"AWS/EC2","metricName":"CPUUtilization","dimensions":[{{"name":"InstanceId","value":"{}"}}]}},"period":300,"stat":"Average"}},"returnData":true}}],"startTime":"Nov 26, 2026, 6:00:00 PM","endTime":"Nov 26, 2026, 7:00:00 PM"}}"#,
                        rng.pick(&self.instances)
                    );
                    ("monitoring.amazonaws.com", "GetMetricData")
                }
            }
            // IAM, ECR, ELB, Auto Scaling, Lambda reads.
            _ => {
                let role = rng.pick(ROLES);
                match rng.below(5) {
                    0 => {
                        w!(request, r#"{{"roleName":"{role}"}}"#);
                        ("iam.amazonaws.com", "GetRole")
                    }
                    1 => {
                        w!(request, r#"{{"registryIds":["{ACCOUNT}"]}}"#);
                        ("ecr.amazonaws.com", "GetAuthorizationToken")
                    }
                    2 => {
                        w!(
                            request,
                            r#"{{"targetGroupArn":"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:targetgroup/app-{}/{}"}}"#,
                            rng.below(30),
                            rng.text(b"0123456789abcdef", 16)
                        );
                        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth")
                    }
                    3 => {
                        w!(request, r#"{{"maxRecords":100}}"#);
                        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups")
                    }
                    _ => {
                        w!(
                            request,
                            r#"{{"functionName":"arn:aws:lambda:{region}:{ACCOUNT}:function:log-shipper-{}"}}"#,
                            rng.below(20)
                        );
                        ("lambda.amazonaws.com", "GetFunction20150331v2")
                    }
                }
            }
        };
        if request.is_empty() {
            request.push_str("null");
        }
        let principal = if source == "ec2.amazonaws.com" && rng.percent(5) {
            &self.principals[60 + rng.below(self.principals.len() - 60)]
        } else {
            principal
        };
        write_record(
            out,
            rng,
            &Envelope {
                principal,
                time,
                source,
                name,
                region,
                error,
                request: &request,
                response: &response,
                read_only,
                extra: &extra,
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The route-family records: a consistent story, generated once for the whole trail.

/// One route-family record, rendered but for its time.
struct RouteCall {
    name: &'static str,
    request: String,
    response: String,
    error: Option<(&'static str, &'static str)>,
}

struct TrailVpc {
    subnets: Vec<String>,
    tables: Vec<String>,
    /// Explicit association of each subnet: (association ID, table index).
    associations: Vec<Option<(String, usize)>>,
    /// Routes per table: destination index → target.
    routes: Vec<BTreeMap<usize, String>>,
    /// Targets routes may point at (the IGW, and targets of kinds the trail never describes:
    /// transit gateway, peering connection, network interface).
    targets: Vec<String>,
}

fn trail_destination(v: usize, d: usize) -> String {
    // 100.64.0.0/10 split into /24s: never inside a VPC CIDR (10.v.0.0/16).
    let n = 0x6440_0000u32 + ((v * TRAIL_DESTINATIONS + d) as u32) * 256;
    format!("{}/24", Ipv4Addr::from(n))
}

/// Every route-family record of the trail, in order: the set-up, then `churn` changes.
fn route_calls(rng: &mut Rng, churn: usize) -> Vec<RouteCall> {
    let mut calls = Vec::new();
    let mut vpcs = Vec::new();
    let req_id = |rng: &mut Rng| rng.uuid();
    for v in 0..TRAIL_VPCS {
        let id = rng.id("vpc-");
        let cidr = format!("10.{v}.0.0/16");
        calls.push(RouteCall {
            name: "CreateVpc",
            request: format!(
                r#"{{"cidrBlock":"{cidr}","instanceTenancy":"default","amazonProvidedIpv6CidrBlock":false}}"#
            ),
            response: format!(
                r#"{{"requestId":"{}","vpc":{{"vpcId":"{id}","state":"pending","ownerId":"{ACCOUNT}","cidrBlock":"{cidr}","cidrBlockAssociationSet":{{"items":[{{"cidrBlock":"{cidr}","associationId":"{}","cidrBlockState":{{"state":"associated"}}}}]}},"ipv6CidrBlockAssociationSet":{{}},"dhcpOptionsId":"dopt-0a1b2c3d","instanceTenancy":"default","tagSet":{{}},"isDefault":false}}}}"#,
                req_id(rng),
                rng.id("vpc-cidr-assoc-")
            ),
            error: None,
        });
        let mut subnets = Vec::new();
        for s in 0..TRAIL_SUBNETS {
            let sid = rng.id("subnet-");
            let scidr = format!("10.{v}.{s}.0/24");
            calls.push(RouteCall {
                name: "CreateSubnet",
                request: format!(
                    r#"{{"vpcId":"{id}","cidrBlock":"{scidr}","availabilityZone":"us-east-1{}"}}"#,
                    ['a', 'b', 'c', 'd'][s % 4]
                ),
                response: format!(
                    r#"{{"requestId":"{}","subnet":{{"subnetId":"{sid}","state":"pending","vpcId":"{id}","cidrBlock":"{scidr}","ipv6CidrBlockAssociationSet":{{}},"availableIpAddressCount":251,"availabilityZone":"us-east-1{}","defaultForAz":false,"mapPublicIpOnLaunch":false,"assignIpv6AddressOnCreation":false}}}}"#,
                    req_id(rng),
                    ['a', 'b', 'c', 'd'][s % 4]
                ),
                error: None,
            });
            subnets.push(sid);
        }
        let igw = rng.id("igw-");
        calls.push(RouteCall {
            name: "CreateInternetGateway",
            request: "{}".into(),
            response: format!(
                r#"{{"requestId":"{}","internetGateway":{{"internetGatewayId":"{igw}","attachmentSet":{{}},"tagSet":{{}}}}}}"#,
                req_id(rng)
            ),
            error: None,
        });
        calls.push(RouteCall {
            name: "AttachInternetGateway",
            request: format!(r#"{{"internetGatewayId":"{igw}","vpcId":"{id}"}}"#),
            response: format!(r#"{{"requestId":"{}","_return":true}}"#, req_id(rng)),
            error: None,
        });
        let mut tables = Vec::new();
        for _ in 0..TRAIL_TABLES {
            let tid = rng.id("rtb-");
            calls.push(RouteCall {
                name: "CreateRouteTable",
                request: format!(r#"{{"vpcId":"{id}"}}"#),
                response: format!(
                    r#"{{"requestId":"{}","routeTable":{{"routeTableId":"{tid}","vpcId":"{id}","ownerId":"{ACCOUNT}","routeSet":{{"items":[{{"destinationCidrBlock":"{cidr}","gatewayId":"local","state":"active","origin":"CreateRouteTable"}}]}},"associationSet":{{}},"propagatingVgwSet":{{}},"tagSet":{{}}}}}}"#,
                    req_id(rng)
                ),
                error: None,
            });
            tables.push(tid);
        }
        let targets = vec![igw, rng.id("tgw-"), rng.id("pcx-"), rng.id("eni-")];
        vpcs.push(TrailVpc {
            associations: vec![None; subnets.len()],
            subnets,
            routes: vec![BTreeMap::new(); tables.len()],
            tables,
            targets,
        });
    }
    for _ in 0..churn {
        let v = rng.below(vpcs.len());
        let vpc = &mut vpcs[v];
        let t = rng.below(vpc.tables.len());
        let table = vpc.tables[t].clone();
        let request_id = rng.uuid();
        let ok = format!(r#"{{"requestId":"{request_id}","_return":true}}"#);
        // One call in a hundred is refused by IAM and changes nothing.
        let error = rng.percent(1).then_some((
            "Client.UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        ));
        let roll = rng.below(100);
        let call = if roll < 80 {
            let d = rng.below(TRAIL_DESTINATIONS);
            let dest = trail_destination(v, d);
            let target = rng.pick(&vpc.targets).clone();
            let key = match target.split('-').next() {
                Some("igw") => "gatewayId",
                Some("tgw") => "transitGatewayId",
                Some("pcx") => "vpcPeeringConnectionId",
                _ => "networkInterfaceId",
            };
            let exists = vpc.routes[t].contains_key(&d);
            if !exists {
                if error.is_none() {
                    vpc.routes[t].insert(d, target.clone());
                }
                RouteCall {
                    name: "CreateRoute",
                    request: format!(
                        r#"{{"routeTableId":"{table}","destinationCidrBlock":"{dest}","{key}":"{target}"}}"#
                    ),
                    response: ok,
                    error,
                }
            } else if rng.percent(50) {
                if error.is_none() {
                    vpc.routes[t].insert(d, target.clone());
                }
                RouteCall {
                    name: "ReplaceRoute",
                    request: format!(
                        r#"{{"routeTableId":"{table}","destinationCidrBlock":"{dest}","{key}":"{target}"}}"#
                    ),
                    response: ok,
                    error,
                }
            } else {
                if error.is_none() {
                    vpc.routes[t].remove(&d);
                }
                RouteCall {
                    name: "DeleteRoute",
                    request: format!(
                        r#"{{"routeTableId":"{table}","destinationCidrBlock":"{dest}"}}"#
                    ),
                    response: ok,
                    error,
                }
            }
        } else {
            let s = rng.below(vpc.subnets.len());
            let subnet = vpc.subnets[s].clone();
            match vpc.associations[s].clone() {
                None => {
                    let assoc = rng.id("rtbassoc-");
                    if error.is_none() {
                        vpc.associations[s] = Some((assoc.clone(), t));
                    }
                    RouteCall {
                        name: "AssociateRouteTable",
                        request: format!(r#"{{"routeTableId":"{table}","subnetId":"{subnet}"}}"#),
                        response: format!(
                            r#"{{"requestId":"{request_id}","associationId":"{assoc}","associationState":{{"state":"associated"}}}}"#
                        ),
                        error,
                    }
                }
                Some((assoc, current)) if current != t && rng.percent(60) => {
                    let new = rng.id("rtbassoc-");
                    if error.is_none() {
                        vpc.associations[s] = Some((new.clone(), t));
                    }
                    RouteCall {
                        name: "ReplaceRouteTableAssociation",
                        request: format!(
                            r#"{{"associationId":"{assoc}","routeTableId":"{table}"}}"#
                        ),
                        response: format!(
                            r#"{{"requestId":"{request_id}","newAssociationId":"{new}","associationState":{{"state":"associated"}}}}"#
                        ),
                        error,
                    }
                }
                Some((assoc, _)) => {
                    if error.is_none() {
                        vpc.associations[s] = None;
                    }
                    RouteCall {
                        name: "DisassociateRouteTable",
                        request: format!(r#"{{"associationId":"{assoc}"}}"#),
                        response: ok,
                        error,
                    }
                }
            }
        };
        calls.push(RouteCall {
            response: if call.error.is_some() {
                "null".into()
            } else {
                call.response
            },
            ..call
        });
    }
    calls
}

// ---------------------------------------------------------------------------------------------
// The trail on disk.

struct TrailPlan {
    files: usize,
    /// Other records per file (before the multiplier).
    filler_per_file: usize,
    /// Route-family records per file.
    route_per_file: usize,
}

struct Trail {
    dir: PathBuf,
    files: Vec<PathBuf>,
    records: usize,
    route_records: usize,
    uncompressed: u64,
    compressed: u64,
}

fn plan(trail_bytes: f64) -> TrailPlan {
    // The mean size of a filler record, from a sample.
    let mut rng = Rng(SEED ^ 0x5a5a);
    let filler = Filler::new(&mut rng);
    let mut buf = String::new();
    let sample = 4000;
    for _ in 0..sample {
        filler.write(&mut buf, &mut rng, "2026-11-26T18:00:00Z", "us-east-1");
        buf.push(',');
    }
    let mean = buf.len() as f64 / sample as f64;
    let files = ((trail_bytes / FILE_BYTES).round() as usize).max(1);
    let per_file = trail_bytes / files as f64 / mean;
    let route_per_file = ((per_file * ROUTE_SHARE).round() as usize).max(1);
    TrailPlan {
        files,
        filler_per_file: (per_file as usize).saturating_sub(route_per_file).max(1),
        route_per_file,
    }
}

/// Writes the trail: `plan.files` log files, each with its share of the route-family calls,
/// and `multiplier` times the planned filler around them.
fn write_trail(dir: &Path, plan: &TrailPlan, calls: &[RouteCall], multiplier: usize) -> Trail {
    let files: Vec<usize> = (0..plan.files).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let chunk = files.len().div_ceil(threads);
    let mut results: Vec<(PathBuf, usize, u64, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&f| write_file(dir, plan, calls, multiplier, f))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("generator thread"))
            .collect()
    });
    results.sort();
    Trail {
        dir: dir.to_path_buf(),
        records: results.iter().map(|r| r.1).sum(),
        route_records: calls.len(),
        uncompressed: results.iter().map(|r| r.2).sum(),
        compressed: results.iter().map(|r| r.3).sum(),
        files: results.into_iter().map(|r| r.0).collect(),
    }
}

/// One log file; returns its path, record count, uncompressed and compressed size.
fn write_file(
    dir: &Path,
    plan: &TrailPlan,
    calls: &[RouteCall],
    multiplier: usize,
    f: usize,
) -> (PathBuf, usize, u64, u64) {
    let mut rng = Rng(SEED ^ (f as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let filler = Filler::new(&mut Rng(SEED ^ 0x5a5a));
    let route_principal = Principal {
        identity: filler.principals[3].identity.clone(),
        source_ip: filler.principals[3].source_ip.clone(),
        user_agent: USER_AGENTS[2].to_string(),
    };
    let region = "us-east-1";
    let start = START + f as i64 * FILE_WINDOW;
    // The last file takes what is left (the set-up alone may outnumber a tiny trail's share).
    let end = if f + 1 == plan.files {
        calls.len()
    } else {
        ((f + 1) * plan.route_per_file).min(calls.len())
    };
    let mine = &calls[(f * plan.route_per_file).min(end)..end];
    let filler_count = plan.filler_per_file * multiplier;
    let total = filler_count + mine.len();
    let mut text = String::with_capacity(total * 1400 + 64);
    text.push_str(r#"{"Records":["#);
    // Route-family calls are spread evenly; the filler fills the gaps.
    let mut next_call = 0;
    for i in 0..total {
        if i > 0 {
            text.push(',');
        }
        let time = time_text(start + (i as i64 * FILE_WINDOW) / total as i64);
        let due = (next_call + 1) * total / (mine.len() + 1);
        if next_call < mine.len() && i >= due {
            let c = &mine[next_call];
            next_call += 1;
            write_record(
                &mut text,
                &mut rng,
                &Envelope {
                    principal: &route_principal,
                    time: &time,
                    source: "ec2.amazonaws.com",
                    name: c.name,
                    region,
                    error: c.error,
                    request: &c.request,
                    response: &c.response,
                    read_only: false,
                    extra: "",
                },
            );
        } else {
            filler.write(&mut text, &mut rng, &time, region);
        }
    }
    text.push_str("]}");
    // The S3 key: AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<name>.json.gz
    let end = time_text(start + FILE_WINDOW);
    let (date, clock) = (&end[..10], &end[11..16]);
    let sub = dir
        .join("AWSLogs")
        .join(ACCOUNT)
        .join("CloudTrail")
        .join(region)
        .join(&date[..4])
        .join(&date[5..7])
        .join(&date[8..10]);
    std::fs::create_dir_all(&sub).expect("create the trail directory");
    let name = format!(
        "{ACCOUNT}_CloudTrail_{region}_{}T{}Z_{}.json.gz",
        date.replace('-', ""),
        clock.replace(':', ""),
        rng.text(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            16
        )
    );
    let path = sub.join(name);
    let file = std::fs::File::create(&path).expect("create a log file");
    let mut gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::default());
    gz.write_all(text.as_bytes()).expect("write a log file");
    gz.finish()
        .and_then(|mut w| w.flush())
        .expect("finish a log file");
    let compressed = std::fs::metadata(&path).map_or(0, |m| m.len());
    (path, total, text.len() as u64, compressed)
}

// ---------------------------------------------------------------------------------------------
// Measuring.

fn rate(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn row(what: &str, value: String, target: &str, met: &str) {
    println!("{what:<46} {value:>26}  {target:>14}  {met}");
}

fn verdict(ok: bool) -> &'static str {
    if ok { "yes" } else { "NO" }
}

fn gzip_dc(files: &[PathBuf]) -> Duration {
    let null = std::fs::File::create("/dev/null").expect("open /dev/null");
    let start = Instant::now();
    let status = Command::new("gzip")
        .arg("-dc")
        .args(files)
        .stdout(Stdio::from(null))
        .status()
        .expect("run gzip -dc");
    let d = start.elapsed();
    assert!(status.success(), "gzip -dc failed: {status}");
    d
}

/// The child process: read + replay one trail, print the counts and `VmHWM`.
fn probe(dir: &Path) {
    let start = Instant::now();
    let read = read_inputs(&[dir.to_path_buf()]);
    let records = read.records_read();
    let kept = read.records.len();
    let mut net = Network::default();
    let r = replay(&mut net, read, &ReplayOptions::default());
    let elapsed = start.elapsed();
    let applied = r.summary.applied;
    drop(r);
    let (_, hwm) = memory();
    println!(
        "probe records={records} kept={kept} applied={applied} hwm={hwm} ms={}",
        elapsed.as_millis()
    );
}

struct ProbeResult {
    records: usize,
    kept: usize,
    hwm: u64,
    elapsed_ms: u64,
}

fn run_probe(dir: &Path) -> ProbeResult {
    let exe = std::env::current_exe().expect("this benchmark's path");
    let out = Command::new(exe)
        .env("VPCSIM_BENCH_PROBE", dir)
        .output()
        .expect("run the memory probe");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("probe "))
        .unwrap_or_else(|| {
            panic!(
                "probe failed: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let field = |k: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    ProbeResult {
        records: field("records") as usize,
        kept: field("kept") as usize,
        hwm: field("hwm"),
        elapsed_ms: field("ms"),
    }
}

// ---------------------------------------------------------------------------------------------
// The apply benchmark: a large network and route-family changes against its tables.

fn v4(addr: u32, len: u8) -> Ipv4Net {
    Ipv4Net::new(Ipv4Addr::from(addr), len)
        .expect("prefix length <= 32")
        .trunc()
}

fn hex_id(prefix: &str, n: usize) -> String {
    format!("{prefix}{n:017x}")
}

/// What the change generator knows about one VPC of the apply network.
struct ApplyVpc {
    subnets: Vec<SubnetId>,
    tables: Vec<RouteTableId>,
    /// Targets in the VPC (IGW, NAT gateway, transit gateway, peering, interface).
    targets: Vec<Target>,
}

/// 1,000 VPCs (by default) with 20 subnets each, one explicitly associated table per subnet
/// plus the main table, `APPLY_BASE_ROUTES` routes per table, complete inventory.
fn apply_network(vpcs: usize, rng: &mut Rng) -> (Network, Vec<ApplyVpc>) {
    let mut net = Network::default();
    net.inventory = Inventory {
        vpcs: true,
        subnets: true,
        route_tables: true,
        internet_gateways: true,
        egress_only_internet_gateways: true,
        nat_gateways: true,
        vpn_gateways: true,
        vpc_peering_connections: true,
        transit_gateway_attachments: true,
        vpc_endpoints: true,
        prefix_lists: true,
        network_interfaces: true,
        instances: true,
        addresses: true,
    };
    let account = Some(AccountId::new(ACCOUNT));
    let tgw = TransitGatewayId::new(hex_id("tgw-", 1));
    let mut plans = Vec::with_capacity(vpcs);
    for v in 0..vpcs {
        let id = VpcId::new(hex_id("vpc-", v + 1));
        let cidr = v4(0x0a00_0000 + (v as u32) * 8192, 19);
        net.vpcs.insert(
            id.clone(),
            Vpc {
                id: Some(id.clone()),
                ipv4_cidrs: vec![cidr],
                owner_id: account.clone(),
                region: Some("us-east-1".into()),
                ..Vpc::default()
            },
        );
        let subnets: Vec<SubnetId> = (0..APPLY_SUBNETS)
            .map(|j| SubnetId::new(hex_id("subnet-", v * APPLY_SUBNETS + j + 1)))
            .collect();
        for (j, sid) in subnets.iter().enumerate() {
            net.subnets.insert(
                sid.clone(),
                Subnet {
                    id: sid.clone(),
                    vpc_id: id.clone(),
                    ipv4_cidr: Some(v4(u32::from(cidr.network()) + (j as u32) * 256, 24)),
                    ipv6_cidrs: Vec::new(),
                    availability_zone: Some(format!("us-east-1{}", ['a', 'b', 'c'][j % 3])),
                    map_public_ip_on_launch: j == 0,
                    assign_ipv6_address_on_creation: false,
                    owner_id: None,
                    region: None,
                    name: None,
                },
            );
        }
        let igw = InternetGatewayId::new(hex_id("igw-", v + 1));
        net.internet_gateways.insert(
            igw.clone(),
            InternetGateway {
                id: igw.clone(),
                attached_vpc: Some(id.clone()),
                owner_id: account.clone(),
            },
        );
        let nat = NatGatewayId::new(hex_id("nat-", v + 1));
        net.nat_gateways.insert(
            nat.clone(),
            NatGateway {
                id: nat.clone(),
                subnet_id: subnets[0].clone(),
                vpc_id: Some(id.clone()),
                state: NatGatewayState::Available,
                connectivity: ConnectivityType::Public,
                private_ips: vec![Ipv4Addr::from(u32::from(cidr.network()) + 4)],
                public_ips: vec![Ipv4Addr::from(0x0300_0000 + v as u32 + 1)],
            },
        );
        let attach = TransitGatewayAttachmentId::new(hex_id("tgw-attach-", v + 1));
        net.transit_gateway_attachments.insert(
            attach.clone(),
            TransitGatewayAttachment {
                id: attach,
                transit_gateway_id: tgw.clone(),
                vpc_id: id.clone(),
                subnet_ids: vec![subnets[1].clone()],
                state: "available".into(),
            },
        );
        let eni = NetworkInterfaceId::new(hex_id("eni-", v + 1));
        net.network_interfaces.insert(
            eni.clone(),
            NetworkInterface {
                id: eni.clone(),
                subnet_id: subnets[2].clone(),
                vpc_id: Some(id.clone()),
                private_ips: vec![Ipv4Addr::from(u32::from(cidr.network()) + 512 + 10)],
                public_ips: Vec::new(),
                ipv6_addresses: Vec::new(),
                source_dest_check: false,
                instance_id: None,
                interface_type: Some("interface".into()),
            },
        );
        let tables: Vec<RouteTableId> = (0..APPLY_SUBNETS)
            .map(|j| RouteTableId::new(hex_id("rtb-", v * APPLY_SUBNETS + j + 1)))
            .collect();
        plans.push(ApplyVpc {
            subnets,
            tables,
            targets: vec![
                Target::InternetGateway(igw),
                Target::NatGateway(nat),
                Target::TransitGateway(tgw.clone()),
                Target::NetworkInterface(eni),
            ],
        });
    }
    // Peering: VPC i with VPC i+1.
    for v in 0..vpcs.saturating_sub(1) {
        let pcx = VpcPeeringConnectionId::new(hex_id("pcx-", v + 1));
        let side = |k: usize| PeeringSide {
            vpc_id: VpcId::new(hex_id("vpc-", k + 1)),
            owner_id: Some(AccountId::new(ACCOUNT)),
            region: Some("us-east-1".into()),
            ipv4_cidrs: vec![v4(0x0a00_0000 + (k as u32) * 8192, 19)],
            ipv6_cidrs: Vec::new(),
        };
        net.vpc_peering_connections.insert(
            pcx.clone(),
            VpcPeeringConnection {
                id: pcx.clone(),
                status: "active".into(),
                requester: side(v),
                accepter: side(v + 1),
            },
        );
        plans[v]
            .targets
            .push(Target::VpcPeeringConnection(pcx.clone()));
        plans[v + 1].targets.push(Target::VpcPeeringConnection(pcx));
    }
    for (v, plan) in plans.iter().enumerate() {
        let vpc = VpcId::new(hex_id("vpc-", v + 1));
        let cidr = v4(0x0a00_0000 + (v as u32) * 8192, 19);
        let main_id = RouteTableId::new(hex_id("rtb-", 0x100_0000 + v));
        let mut main = RouteTable::new(main_id.clone(), vpc.clone());
        main.put_route(Route::new(
            Destination::Ipv4(cidr),
            Target::Local,
            RouteOrigin::CreateRouteTable,
        ));
        main.associations.push(Association {
            id: RouteTableAssociationId::new(hex_id("rtbassoc-", 0x100_0000 + v)),
            target: AssociationTarget::Main,
        });
        net.route_tables.insert(main_id, main);
        for (j, tid) in plan.tables.iter().enumerate() {
            let mut t = RouteTable::new(tid.clone(), vpc.clone());
            t.put_route(Route::new(
                Destination::Ipv4(cidr),
                Target::Local,
                RouteOrigin::CreateRouteTable,
            ));
            while t.routes.len() < APPLY_BASE_ROUTES {
                let d = apply_destination(rng.below(1 << 16));
                let target = rng.pick(&plan.targets).clone();
                t.put_route(Route::new(
                    Destination::Ipv4(d),
                    target,
                    RouteOrigin::CreateRoute,
                ));
            }
            t.associations.push(Association {
                id: RouteTableAssociationId::new(hex_id("rtbassoc-", v * APPLY_SUBNETS + j + 1)),
                target: AssociationTarget::Subnet(plan.subnets[j].clone()),
            });
            net.route_tables.insert(tid.clone(), t);
        }
    }
    net.reindex();
    (net, plans)
}

/// The `n`th /24 of 100.64.0.0/10: outside every VPC of the apply network.
fn apply_destination(n: usize) -> Ipv4Net {
    v4(0x6440_0000 + (n as u32) * 256, 24)
}

/// A valid sequence of route-family changes against the network's existing tables: CreateRoute,
/// ReplaceRoute, DeleteRoute, and (`associations` percent) AssociateRouteTable,
/// ReplaceRouteTableAssociation and DisassociateRouteTable.
/// An ID with the same text in a string of its own, as a decoded record holds it: the model's
/// IDs are never the record's, so an ID comparison reads both texts (a change built from the
/// model's own IDs would compare equal by pointer and flatter the rate).
fn apart<T: std::fmt::Display + for<'a> From<&'a str>>(id: &T) -> T {
    T::from(id.to_string().as_str())
}

fn apply_changes(
    net: &Network,
    plans: &[ApplyVpc],
    rng: &mut Rng,
    n: usize,
    associations: usize,
) -> Vec<Change> {
    // Shadow state: routes per table (non-local), explicit association per subnet.
    let mut routes: BTreeMap<RouteTableId, Vec<Ipv4Net>> = net
        .route_tables
        .iter()
        .map(|(id, t)| {
            let nets = t
                .routes
                .values()
                .filter(|r| r.target != Target::Local)
                .filter_map(|r| match r.destination {
                    Destination::Ipv4(d) => Some(d),
                    _ => None,
                })
                .collect();
            (id.clone(), nets)
        })
        .collect();
    let mut assoc: Vec<Vec<Option<(RouteTableAssociationId, usize)>>> = plans
        .iter()
        .enumerate()
        .map(|(v, p)| {
            (0..p.subnets.len())
                .map(|j| {
                    Some((
                        RouteTableAssociationId::new(hex_id(
                            "rtbassoc-",
                            v * APPLY_SUBNETS + j + 1,
                        )),
                        j,
                    ))
                })
                .collect()
        })
        .collect();
    let mut next_assoc = 0x200_0000usize;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let v = rng.below(plans.len());
        let plan = &plans[v];
        let t = rng.below(plan.tables.len());
        let table = plan.tables[t].clone();
        let roll = rng.below(100);
        if roll >= associations {
            let existing = routes.get_mut(&table).expect("generated table");
            let target = rng.pick(&plan.targets).clone();
            let kind = rng.below(3);
            if kind == 0 || existing.len() < 5 {
                if existing.len() >= 45 {
                    continue;
                }
                let d = apply_destination(rng.below(1 << 16));
                if existing.contains(&d) {
                    continue;
                }
                existing.push(d);
                out.push(Change::CreateRoute {
                    route_table_id: apart(&table),
                    destination: Destination::Ipv4(d),
                    targets: vec![Target::from_id(&target.to_string())],
                });
            } else if kind == 1 {
                let d = *rng.pick(existing);
                out.push(Change::ReplaceRoute {
                    route_table_id: apart(&table),
                    destination: Destination::Ipv4(d),
                    targets: vec![Target::from_id(&target.to_string())],
                    local_target: false,
                });
            } else {
                let i = rng.below(existing.len());
                let d = existing.swap_remove(i);
                out.push(Change::DeleteRoute {
                    route_table_id: apart(&table),
                    destination: Destination::Ipv4(d),
                });
            }
        } else {
            let s = rng.below(plan.subnets.len());
            let subnet = plan.subnets[s].clone();
            next_assoc += 1;
            let new = RouteTableAssociationId::new(hex_id("rtbassoc-", next_assoc));
            match assoc[v][s].clone() {
                None => {
                    assoc[v][s] = Some((new.clone(), t));
                    out.push(Change::AssociateRouteTable {
                        route_table_id: apart(&table),
                        subnet_id: Some(apart(&subnet)),
                        gateway_id: None,
                        association_id: Some(apart(&new)),
                    });
                }
                Some((old, current)) if current != t && rng.percent(50) => {
                    assoc[v][s] = Some((new.clone(), t));
                    out.push(Change::ReplaceRouteTableAssociation {
                        association_id: apart(&old),
                        route_table_id: apart(&table),
                        new_association_id: Some(apart(&new)),
                    });
                }
                Some((old, _)) => {
                    assoc[v][s] = None;
                    out.push(Change::DisassociateRouteTable {
                        association_id: apart(&old),
                    });
                }
            }
        }
    }
    out
}

struct ApplyResult {
    changes: usize,
    elapsed: Duration,
    /// CPU time of the mixed sequence, ms (10 ms resolution).
    cpu_ms: u64,
    route_changes: usize,
    route_elapsed: Duration,
    route_cpu_ms: u64,
    errors: usize,
    first_error: Option<String>,
    /// Per event name: count and total time (from the second, per-event-timed pass).
    by_kind: BTreeMap<&'static str, (usize, Duration)>,
}

fn bench_apply(vpcs: usize, n: usize) -> (ApplyResult, usize, usize, Duration) {
    let mut rng = Rng(SEED ^ 0xa991);
    let start = Instant::now();
    let (net, plans) = apply_network(vpcs, &mut rng);
    let t_generate = start.elapsed();
    let tables = net.route_tables.len();
    let routes: usize = net.route_tables.values().map(|t| t.routes.len()).sum();
    // `VPCSIM_BENCH_APPLY_ASSOCIATIONS`: the percentage of association changes in the mixed
    // sequence (default 10), for profiling one kind.
    let share =
        env_f64("VPCSIM_BENCH_APPLY_ASSOCIATIONS").map_or(10, |v| v.clamp(0.0, 100.0) as usize);
    let changes = apply_changes(&net, &plans, &mut rng, n, share);
    let route_changes = apply_changes(&net, &plans, &mut rng, ROUTE_ONLY_CHANGES, 0);
    let opts = ApplyOptions::default();
    // `VPCSIM_BENCH_PREFETCH=0`: without the prefetch hints (to measure what they bring).
    let prefetch = std::env::var("VPCSIM_BENCH_PREFETCH").map_or(true, |v| v.trim() != "0");
    let mut errors = 0;
    let mut first_error = None;
    // One timer around a whole sequence, on a copy of the network.
    let mut run = |changes: &[Change]| {
        let mut copy = net.clone();
        // (Its own collections, as an imported network has: none copied at its first change.)
        copy.unshare();
        let cpu = common::cpu_ms();
        let start = Instant::now();
        for (i, c) in changes.iter().enumerate() {
            // The hints `replay` gives for the changes ahead.
            if prefetch {
                for d in 1..=Network::PREFETCH_DISTANCE {
                    if let Some(next) = changes.get(i + d) {
                        copy.prefetch(next, d);
                    }
                }
            }
            match copy.apply(c, &opts) {
                Ok(effect) => {
                    black_box(effect);
                }
                Err(e) => {
                    errors += 1;
                    if first_error.is_none() {
                        first_error = Some(format!("{}: {e}", c.event_name()));
                    }
                }
            }
        }
        (start.elapsed(), common::cpu_ms().saturating_sub(cpu))
    };
    let (elapsed, cpu_ms) = run(&changes);
    let (route_elapsed, route_cpu_ms) = run(&route_changes);

    // Pass 2: the start of the same sequence on a fresh copy, each call timed, by kind.
    let mut second = net;
    let mut by_kind: BTreeMap<&'static str, (usize, Duration)> = BTreeMap::new();
    for c in changes.iter().take(TIMED_CHANGES) {
        let start = Instant::now();
        let r = second.apply(c, &opts);
        let d = start.elapsed();
        black_box(r.is_ok());
        let e = by_kind.entry(c.event_name()).or_default();
        e.0 += 1;
        e.1 += d;
    }
    (
        ApplyResult {
            changes: changes.len(),
            elapsed,
            cpu_ms,
            route_changes: route_changes.len(),
            route_elapsed,
            route_cpu_ms,
            errors,
            first_error,
            by_kind,
        },
        tables,
        routes,
        t_generate,
    )
}

// ---------------------------------------------------------------------------------------------

/// Removes a directory tree when dropped.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn env_f64(name: &str) -> Option<f64> {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
}

/// `VPCSIM_BENCH_ONLY=apply`: only the apply measurements, for profiling `Network::apply`.
fn apply_only(vpcs: usize, n: usize) {
    println!(
        "vpcsim replay benchmark, apply only: {vpcs} VPCs, load average at start {}",
        loadavg()
    );
    let (apply, tables, routes, t_net) = bench_apply(vpcs, n);
    println!(
        "apply network: {tables} route tables, {routes} routes, built in {:.0} ms; {} + {} changes, {} rejected",
        t_net.as_secs_f64() * 1e3,
        apply.changes,
        apply.route_changes,
        apply.errors
    );
    println!("load average at end {}", loadavg());
    print_apply(&apply);
}

/// The apply rows of the results table.
fn print_apply(apply: &ApplyResult) {
    for (kind, (n, d)) in &apply.by_kind {
        row(
            &format!("apply {kind} (timed one by one)"),
            format!(
                "{n} x {:.2} us = {:.0}/s",
                d.as_secs_f64() * 1e6 / *n as f64,
                *n as f64 / d.as_secs_f64()
            ),
            "",
            "",
        );
    }
    let apply_rate = apply.changes as f64 / apply.elapsed.as_secs_f64();
    let route_rate = apply.route_changes as f64 / apply.route_elapsed.as_secs_f64();
    row(
        "apply: route changes only, events/s",
        format!(
            "{:.0}/s ({:.2} s, {} ms CPU)",
            route_rate,
            apply.route_elapsed.as_secs_f64(),
            apply.route_cpu_ms
        ),
        "",
        "",
    );
    row(
        "apply: route-family events/s (mixed)",
        format!(
            "{:.0}/s ({:.2} s, {} ms CPU)",
            apply_rate,
            apply.elapsed.as_secs_f64(),
            apply.cpu_ms
        ),
        ">= 1,000,000/s",
        verdict(apply_rate >= APPLY_TARGET),
    );
}

fn main() {
    if let Some(dir) = std::env::var_os("VPCSIM_BENCH_PROBE") {
        probe(Path::new(&dir));
        return;
    }
    let trail_mb = env_f64("VPCSIM_BENCH_TRAIL_MB").unwrap_or(DEFAULT_TRAIL_MB);
    let apply_vpcs = env_f64("VPCSIM_BENCH_APPLY_VPCS").map_or(DEFAULT_APPLY_VPCS, |v| v as usize);
    let apply_n =
        env_f64("VPCSIM_BENCH_APPLY_CHANGES").map_or(DEFAULT_APPLY_CHANGES, |v| v as usize);
    let memory_check = std::env::var("VPCSIM_BENCH_MEMORY").map_or(true, |v| v.trim() != "0");
    if std::env::var("VPCSIM_BENCH_ONLY").is_ok_and(|v| v.trim() == "apply") {
        apply_only(apply_vpcs, apply_n);
        return;
    }
    println!("vpcsim replay benchmark");
    println!(
        "trail {trail_mb} MB uncompressed, available parallelism {}, load average at start {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        loadavg()
    );

    let plan = plan(trail_mb * 1e6);
    let churn = (plan.route_per_file * plan.files)
        .saturating_sub(TRAIL_VPCS * (TRAIL_SUBNETS + TRAIL_TABLES + 3));
    let calls = route_calls(&mut Rng(SEED ^ 0x707e), churn);
    if let Some(dir) = std::env::var_os("VPCSIM_BENCH_GENERATE") {
        // Only write the trail (for profiling with VPCSIM_BENCH_PROBE), and keep it.
        let trail = write_trail(Path::new(&dir), &plan, &calls, 1);
        println!(
            "wrote {} files, {} records, {:.1} MB uncompressed to {}",
            trail.files.len(),
            trail.records,
            mb(trail.uncompressed),
            trail.dir.display()
        );
        return;
    }
    let root = std::env::temp_dir().join(format!("vpcsim-replay-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    // Deleted when main returns or panics.
    let _cleanup = RemoveOnDrop(root.clone());
    let start = Instant::now();
    let trail = write_trail(&root.join("x1"), &plan, &calls, 1);
    let t_generate = start.elapsed();
    println!(
        "trail: {} files, {} records ({} route family, {:.2}%), {:.1} MB uncompressed, {:.1} MB gzip'd ({:.1}x, {:.1} MB per file), generated in {:.1} s",
        trail.files.len(),
        trail.records,
        trail.route_records,
        100.0 * trail.route_records as f64 / trail.records as f64,
        mb(trail.uncompressed),
        mb(trail.compressed),
        trail.uncompressed as f64 / trail.compressed as f64,
        mb(trail.compressed) / trail.files.len() as f64,
        t_generate.as_secs_f64()
    );

    // Ingest: gzip -dc, read_inputs, read_inputs + replay; twice, interleaved.
    let mut t_gzip = Duration::MAX;
    let mut t_read = Duration::MAX;
    let mut t_replay = Duration::MAX;
    let mut t_exposure = Duration::MAX;
    let mut summary = None;
    let mut read_counts = (0, 0, 0);
    for round in 1..=2 {
        let load = loadavg();
        let g = gzip_dc(&trail.files);

        let start = Instant::now();
        let read = read_inputs(std::slice::from_ref(&trail.dir));
        let r = start.elapsed();
        read_counts = (read.records_read(), read.records.len(), read.errors.len());
        drop(read);

        let start = Instant::now();
        let read = read_inputs(std::slice::from_ref(&trail.dir));
        let mut net = Network::default();
        let result = replay(&mut net, read, &ReplayOptions::default());
        let p = start.elapsed();
        summary = Some(result.summary);
        drop(result);

        // As `vpcsim replay` runs by default: with each record's exposure computed.
        let start = Instant::now();
        let read = read_inputs(std::slice::from_ref(&trail.dir));
        let mut net = Network::default();
        let opts = ReplayOptions {
            exposure: true,
            ..ReplayOptions::default()
        };
        let result = replay(&mut net, read, &opts);
        let x = start.elapsed();
        black_box(result.summary.applied);
        drop(result);
        println!(
            "round {round} (load {load}): gzip -dc {:.2} s, read {:.2} s, read + replay {:.2} s, with exposure {:.2} s",
            g.as_secs_f64(),
            r.as_secs_f64(),
            p.as_secs_f64(),
            x.as_secs_f64()
        );
        t_gzip = t_gzip.min(g);
        t_read = t_read.min(r);
        t_replay = t_replay.min(p);
        t_exposure = t_exposure.min(x);
    }
    let summary = summary.expect("two rounds");
    println!(
        "read: {} records, {} kept, {} errors; replay: {} applied, {} failed in AWS, {} diverged, {} ignored, {} other",
        read_counts.0,
        read_counts.1,
        read_counts.2,
        summary.applied,
        summary.failed_in_aws,
        summary.diverged,
        summary.ignored,
        summary.records
            - summary.applied
            - summary.failed_in_aws
            - summary.diverged
            - summary.ignored
    );
    assert_eq!(read_counts.0, trail.records, "every record read");
    assert_eq!(
        read_counts.1, trail.route_records,
        "every route record kept"
    );

    // Memory: read + replay in a child process, on this trail and on one with 4x the filler.
    let mem = memory_check.then(|| {
        let one = run_probe(&trail.dir);
        let start = Instant::now();
        let four = write_trail(&root.join("x4"), &plan, &calls, 4);
        let t4 = start.elapsed();
        let four_probe = run_probe(&four.dir);
        let _ = std::fs::remove_dir_all(&four.dir);
        println!(
            "memory probe: 1x {} records ({} kept) in {} ms, VmHWM {:.1} MB; 4x {} records ({} kept, {:.1} MB uncompressed, generated in {:.1} s) in {} ms, VmHWM {:.1} MB",
            one.records,
            one.kept,
            one.elapsed_ms,
            mb(one.hwm),
            four_probe.records,
            four_probe.kept,
            mb(four.uncompressed),
            t4.as_secs_f64(),
            four_probe.elapsed_ms,
            mb(four_probe.hwm)
        );
        (one, four_probe)
    });
    let _ = std::fs::remove_dir_all(&root);

    // Apply.
    println!("apply: building {apply_vpcs} VPCs (load {})", loadavg());
    let (apply, tables, routes, t_net) = bench_apply(apply_vpcs, apply_n);
    println!(
        "apply network: {tables} route tables, {routes} routes, built in {:.0} ms; {} + {} changes, {} rejected{}",
        t_net.as_secs_f64() * 1e3,
        apply.changes,
        apply.route_changes,
        apply.errors,
        apply
            .first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );

    println!();
    println!("load average at end {}", loadavg());
    row("measurement", "value".into(), "target", "met");
    row(
        "gzip -dc (uncompressed MB/s)",
        format!(
            "{:.1} MB/s ({:.2} s)",
            rate(trail.uncompressed, t_gzip),
            t_gzip.as_secs_f64()
        ),
        "",
        "",
    );
    row(
        "read_inputs (uncompressed MB/s)",
        format!(
            "{:.1} MB/s ({:.2} s)",
            rate(trail.uncompressed, t_read),
            t_read.as_secs_f64()
        ),
        "",
        "",
    );
    let ratio = t_gzip.as_secs_f64() / t_replay.as_secs_f64();
    row(
        "read_inputs + replay (uncompressed MB/s)",
        format!(
            "{:.1} MB/s ({:.2} s)",
            rate(trail.uncompressed, t_replay),
            t_replay.as_secs_f64()
        ),
        "",
        "",
    );
    row(
        "read only / gzip -dc",
        format!(
            "{:.0}%",
            100.0 * t_gzip.as_secs_f64() / t_read.as_secs_f64()
        ),
        "",
        "",
    );
    row(
        "ingest: read + replay / gzip -dc",
        format!("{:.0}%", 100.0 * ratio),
        &format!(">= {:.0}%", 100.0 * INGEST_TARGET),
        verdict(ratio >= INGEST_TARGET),
    );
    let exposure_ratio = t_gzip.as_secs_f64() / t_exposure.as_secs_f64();
    row(
        "ingest with exposure (vpcsim replay's default) / gzip -dc",
        format!(
            "{:.0}% ({:.2} s)",
            100.0 * exposure_ratio,
            t_exposure.as_secs_f64()
        ),
        &format!(">= {:.0}%", 100.0 * INGEST_TARGET),
        verdict(exposure_ratio >= INGEST_TARGET),
    );
    if let Some((one, four)) = &mem {
        row(
            "VmHWM read + replay, 1x filler",
            format!("{:.1} MB", mb(one.hwm)),
            "",
            "",
        );
        let grown = four.hwm as f64 / one.hwm.max(1) as f64;
        row(
            "VmHWM read + replay, 4x filler",
            format!("{:.1} MB ({:.2}x)", mb(four.hwm), grown),
            "about 1x",
            verdict(grown < 1.25),
        );
    }
    print_apply(&apply);
    let (_, hwm) = memory();
    println!("benchmark process VmHWM {:.1} MB", mb(hwm));
}
